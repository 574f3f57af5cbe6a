"""The web rules, with hand-worked examples: live state, capture rate, marks, permits, units."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ecozone.times import CHINA_STANDARD_TIME
from ecozone.web import rules
from ecozone.web.model import LiveState, PermitStatus

NOW = datetime(2026, 3, 10, 14, 0)  # device time, CST


def test_point_with_data_119_minutes_old_is_not_offline():
    assert rules.live_state(NOW - timedelta(minutes=119), ["N"], False, NOW) is LiveState.NORMAL


def test_point_silent_for_2_hours_is_offline():
    # 14:00 - 12:00 = 2 h, which reaches OFFLINE_AFTER (2 h)
    assert rules.live_state(datetime(2026, 3, 10, 12, 0), ["N"], False, NOW) is LiveState.OFFLINE


def test_point_that_never_reported_is_offline():
    assert rules.live_state(None, [], False, NOW) is LiveState.OFFLINE


@pytest.mark.parametrize("flag", ["D", "B", "d", " B "])
def test_latest_flag_d_or_b_is_a_fault(flag: str):
    # HJ 212-2017 Table 8: D instrument fault, B link fault; one pollutant is enough
    state = rules.live_state(NOW - timedelta(minutes=1), ["N", flag], True, NOW)
    assert state is LiveState.FAULT


@pytest.mark.parametrize("flag", ["M", "C", "F", "T", "S", None])
def test_other_flags_are_not_a_fault(flag: str | None):
    assert rules.live_state(NOW - timedelta(minutes=1), [flag], False, NOW) is LiveState.NORMAL


def test_open_exceedance_on_fresh_data_is_exceeding():
    assert rules.live_state(NOW - timedelta(minutes=1), ["N"], True, NOW) is LiveState.EXCEEDING


def test_offline_wins_over_an_open_exceedance():
    state = rules.live_state(NOW - timedelta(hours=3), ["N"], True, NOW)
    assert state is LiveState.OFFLINE


def test_capture_rate_is_valid_hours_over_expected():
    # 22 valid hourly values of one pollutant in 24 h: 22 / 24 = 91.666...%
    assert rules.capture_rate(22, 24) == pytest.approx(91.6667, abs=1e-4)
    # two pollutants: 24 + 18 valid of 2 × 24 = 48 expected -> 42 / 48 = 87.5 %
    assert rules.capture_rate(24 + 18, 2 * 24) == 87.5


def test_capture_rate_of_nothing_expected_is_none_and_never_above_100():
    assert rules.capture_rate(0, 0) is None
    assert rules.capture_rate(30, 24) == 100.0
    with pytest.raises(ValueError, match="cannot be negative"):
        rules.capture_rate(-1, 24)


def test_overlap_hours_clips_to_the_window():
    window = (datetime(2026, 3, 1, 0, 0), datetime(2026, 3, 2, 0, 0))
    # 23:30 the day before until 01:15: 1.25 h inside the window
    assert (
        rules.overlap_hours(datetime(2026, 2, 28, 23, 30), datetime(2026, 3, 1, 1, 15), *window)
        == 1.25
    )
    # still open since 20:00: lasts to the window's end, 4 h
    assert rules.overlap_hours(datetime(2026, 3, 1, 20, 0), None, *window) == 4.0
    # ended before the window
    assert rules.overlap_hours(datetime(2026, 2, 1), datetime(2026, 2, 2), *window) == 0.0


def test_mark_declared_after_its_start_is_late():
    start = datetime(2026, 3, 9, 10, 0)  # device time
    # 02:30 UTC = 10:30 CST, half an hour after the calibration began
    assert rules.mark_is_late(start, datetime(2026, 3, 9, 2, 30, tzinfo=UTC))
    # 01:59 UTC = 09:59 CST, one minute ahead: on time
    assert not rules.mark_is_late(start, datetime(2026, 3, 9, 1, 59, tzinfo=UTC))
    # the same instant written in CST
    assert not rules.mark_is_late(start, datetime(2026, 3, 9, 9, 59, tzinfo=CHINA_STANDARD_TIME))


def test_permit_renewal_is_due_within_60_days_of_its_end():
    valid_from, valid_to = date(2021, 7, 1), date(2026, 6, 30)
    # 2026-05-01 -> 2026-06-30 is 60 days: not yet due
    assert rules.permit_status(valid_from, valid_to, date(2026, 5, 1)) is PermitStatus.VALID
    # 2026-05-02 -> 59 days left: due
    assert rules.permit_status(valid_from, valid_to, date(2026, 5, 2)) is PermitStatus.RENEWAL_DUE
    assert rules.permit_status(valid_from, valid_to, date(2026, 6, 30)) is PermitStatus.RENEWAL_DUE
    assert rules.permit_status(valid_from, valid_to, date(2026, 7, 1)) is PermitStatus.EXPIRED
    assert rules.permit_status(valid_from, valid_to, date(2021, 6, 30)) is (
        PermitStatus.NOT_YET_VALID
    )


def test_ambient_values_are_shown_in_gb_3095_units():
    # PM2.5 sent as 35 000 ng/m3 -> 35 µg/m3; O3 sent as 0.102 mg/m3 -> 102 µg/m3
    assert rules.ambient_display("a34004", 35_000.0) == (35.0, "µg/m3")
    value, unit = rules.ambient_display("a05024", 0.102)
    assert (round(value, 9), unit) == (102.0, "µg/m3")
    # CO stays in mg/m3
    assert rules.ambient_display("a21005", 0.8) == (0.8, "mg/m3")
    assert rules.ambient_display("a34004", None) == (None, "µg/m3")


def test_districts_rank_by_open_alerts_then_exceedance_hours_then_name():
    rows = [
        {"name": "渝中区", "open_alerts": 1, "exceedance_hours": 0.0},
        {"name": "江北区", "open_alerts": 3, "exceedance_hours": 2.0},
        {"name": "南岸区", "open_alerts": 1, "exceedance_hours": 5.5},
        {"name": "北碚区", "open_alerts": 1, "exceedance_hours": 0.0},
    ]
    ranked = rules.rank_districts(rows)
    assert [(r["rank"], r["name"]) for r in ranked] == [
        (1, "江北区"),  # most open alerts
        (2, "南岸区"),  # 1 open alert, 5.5 h
        (3, "北碚区"),  # 1 open alert, 0 h; 北 (U+5317) sorts before 渝 (U+6E1D)
        (4, "渝中区"),
    ]


def test_schematic_position_is_stable_and_near_the_centre():
    centre = (106.55, 29.55)
    first = rules.schematic_position(centre, 42)
    assert first == rules.schematic_position(centre, 42)
    assert abs(first[0] - centre[0]) <= 0.025 and abs(first[1] - centre[1]) <= 0.025
    assert first != rules.schematic_position(centre, 43)


def test_local_time_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="naive"):
        rules.local_time(NOW)
