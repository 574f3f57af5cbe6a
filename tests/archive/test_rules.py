"""Months and the key checksum, worked by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from ecozone.archive import rules
from ecozone.archive.rules import Month


def test_a_month_is_the_half_open_range_of_its_days():
    may = Month.parse("2024-05")
    assert (may.start, may.end) == (datetime(2024, 5, 1), datetime(2024, 6, 1))
    assert Month.parse("2024-12").end == datetime(2025, 1, 1)
    assert Month(2025, 1).previous() == Month(2024, 12)
    assert Month(2024, 11).plus(3) == Month(2025, 2)
    assert Month(2024, 5).partition == "measurement_p202405"
    assert rules.partition_month("measurement_p202405") == Month(2024, 5)
    assert rules.partition_month("measurement_default") is None


@pytest.mark.parametrize("text", ["2024/05", "2024-13", "May 2024", ""])
def test_a_badly_written_month_is_refused_naming_it(text):
    with pytest.raises(ValueError, match="month"):
        Month.parse(text)


def test_twelve_live_months_on_3_december_2026_archive_everything_before_january():
    held = [Month(2025, 11), Month(2025, 12), Month(2026, 1), Month(2026, 12)]
    now = datetime(2026, 12, 3, 9, 0)
    # live: 2026-01 .. 2026-12 (twelve months, this one included)
    assert rules.months_due(now, 12, held) == [Month(2025, 11), Month(2025, 12)]
    assert rules.months_due(now, 0, held) == []  # 0: keep everything
    assert rules.months_to_create(now, 3) == [
        Month(2026, 12),
        Month(2027, 1),
        Month(2027, 2),
        Month(2027, 3),
    ]


def test_the_row_hash_by_hand():
    # code_hash("a1") = ord('a')·131 + ord('1')·131² = 97·131 + 49·17161 = 12707 + 840889
    assert rules.code_hash("a1") == 853_596
    # 2024-05-01 00:00 is 19844 days after 1970-01-01: 19844·86400 = 1714521600 s
    assert rules.epoch_seconds(datetime(2024, 5, 1)) == 1_714_521_600
    m = rules.MODULUS
    expected = (
        7 * 48_271 % m
        + rules.code_hash("hour") * 69_621 % m
        + 853_596 * 40_692 % m
        + 1_714_521_600 * 16_807 % m
    )
    assert rules.row_hash(7, "hour", "a1", datetime(2024, 5, 1)) == expected
    # a different key changes the sum: another point, time or code
    assert rules.row_hash(8, "hour", "a1", datetime(2024, 5, 1)) != expected
    assert rules.row_hash(7, "hour", "1a", datetime(2024, 5, 1)) != expected


def test_the_checksum_of_groups_is_the_sum_of_the_row_hashes():
    keys = [(7, "hour", "a1", datetime(2024, 5, 1)), (9, "hour", "a1", datetime(2024, 5, 2)),
            (7, "minute", "w01018", datetime(2024, 5, 1, 0, 1))]  # fmt: skip
    m = rules.MODULUS
    # group (hour, a1): two rows; group (minute, w01018): one
    groups = [
        ("hour", "a1", 2, 7 * 48_271 % m + 9 * 48_271 % m,
         sum(rules.epoch_seconds(k[3]) * 16_807 % m for k in keys[:2])),
        ("minute", "w01018", 1, 7 * 48_271 % m, rules.epoch_seconds(keys[2][3]) * 16_807 % m),
    ]  # fmt: skip
    assert rules.checksum_of_groups(groups) == (3, sum(rules.row_hash(*k) for k in keys))
