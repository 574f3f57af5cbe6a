"""Live state of a point and capture rates, with hand-worked examples."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ecozone.monitoring import rules
from ecozone.monitoring.model import LiveState

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
