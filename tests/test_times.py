"""The one time module: CST wall clock, instants, parsing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ecozone import times

NOW = datetime(2026, 3, 10, 14, 0)  # device time, CST


def test_local_time_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="naive"):
        times.local_time(NOW)


def test_utc_text_becomes_the_cst_wall_clock_eight_hours_later():
    assert times.parse_time("2026-05-01T02:00:00Z") == datetime(2026, 5, 1, 10, 0)
    assert times.parse_time("2026-05-01T10:00:00+08:00") == datetime(2026, 5, 1, 10, 0)


def test_naive_text_and_hj212_times_already_mean_cst():
    assert times.parse_time("2026-05-01T10:00:00") == datetime(2026, 5, 1, 10, 0)
    assert times.parse_time("20260501100000") == datetime(2026, 5, 1, 10, 0)
    assert times.parse_time("2026-05-01") == datetime(2026, 5, 1)


def test_an_aware_instant_is_converted_and_a_naive_one_kept():
    assert times.cst_naive(datetime(2026, 5, 1, 16, 30, tzinfo=UTC)) == datetime(2026, 5, 2, 0, 30)
    assert times.cst_naive(datetime(2026, 5, 1, 16, 30)) == datetime(2026, 5, 1, 16, 30)
    assert times.as_instant(datetime(2026, 5, 2, 0, 30)) == datetime(2026, 5, 1, 16, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31T23:59:59", "1969-12-31"])
def test_times_outside_the_platform_span_are_refused_with_the_field_named(text):
    with pytest.raises(times.TimeError, match=r"since .* is outside 1970-01-01 to 2199-12-31"):
        times.parse_time(text, "since")


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "2026050110000", ""])
def test_text_that_is_not_a_time_names_the_field_and_the_form_expected(text):
    with pytest.raises(times.TimeError, match=r"^end .* is not a time; write ISO 8601"):
        times.parse_time(text, "end")
    assert times.parse_optional_time("  ", "end") is None
