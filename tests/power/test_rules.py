"""Linkage rules on hand-worked series: states, learned thresholds, findings A–E, estimates.

Every expected value below is worked out from the rule texts of domain-2.md §1.4 and the
series written here, minute by minute; none is read back from the code.
"""

from datetime import datetime, timedelta

import numpy as np
import pytest

from ecozone.power import rules
from ecozone.power.model import (
    AbnormalCause,
    FindingType,
    Grid,
    LimitRequirement,
    LimitWindow,
    LinkageSettings,
    OperatingState,
    PowerError,
    StateThresholds,
)
from ecozone.power.rules import ABNORMAL, IDLE, OFF, RUNNING

MINUTE = timedelta(minutes=1)
DAY = datetime(2026, 11, 2)
nan = float("nan")


def minute(hh: int, mm: int) -> int:
    return hh * 60 + mm


def series(default: float, *spans: tuple[int, int, float]) -> np.ndarray:
    """A day of minute values: `default`, with value v over slots [start, end); non-zero
    values wobble by 0.2 kW every other minute, as live meters do (a flat line is frozen)."""
    values = np.full(1440, default)
    for start, end, value in spans:
        values[start:end] = value
    return values + np.where(values > 0, 0.2 * (np.arange(1440) % 2), 0)


# --- states -------------------------------------------------------------------------


def test_states_follow_thresholds_and_confirm_changes():
    t = StateThresholds(reference_kw=100, confirm_slots=3)  # off < 8 kW, idle < 30 kW
    power = np.array([0, 0, 0, 50, 50, 50, 50, 20, 50, 50, 20, 20, 20, 20, nan, nan, 50, 50, 50])
    states = rules.classify(power, t).states
    expected = [OFF] * 3 + [RUNNING] * 7 + [IDLE] * 6 + [RUNNING] * 3  # slot 7 is a blip
    assert states.tolist() == expected


def test_a_long_gap_is_no_data_and_a_short_one_keeps_the_state():
    t = StateThresholds(reference_kw=100, max_gap_slots=5, confirm_slots=1)
    power = np.array([50] * 3 + [nan] * 5 + [50] * 2 + [nan] * 6 + [50])
    meter = rules.classify(power, t)
    assert meter.states.tolist() == [RUNNING] * 10 + [ABNORMAL] * 6 + [RUNNING]
    grid = Grid(DAY, MINUTE, power.size)
    timeline = rules.state_runs(meter, grid, t)
    assert [(r.state, r.start.minute, r.end.minute, r.cause) for r in timeline] == [
        (OperatingState.RUNNING, 0, 10, None),
        (OperatingState.ABNORMAL, 10, 16, AbnormalCause.NO_DATA),
        (OperatingState.RUNNING, 16, 17, None),
    ]
    assert timeline[0].rule == "P ≥ 30 kW"


def test_a_frozen_non_zero_value_is_abnormal_but_a_steady_zero_is_off():
    t = StateThresholds(reference_kw=100, constant_slots=5, confirm_slots=1)
    frozen = rules.classify(np.array([40, 41, 42.5, 42.5, 42.5, 42.5, 42.5, 43]), t)
    assert frozen.states.tolist() == [RUNNING, RUNNING] + [ABNORMAL] * 5 + [RUNNING]
    assert set(frozen.causes[2:7].tolist()) == {2}  # constant
    assert rules.classify(np.zeros(20), t).states.tolist() == [OFF] * 20


def test_energy_counter_gives_power_and_catches_a_counter_going_back():
    grid = Grid(DAY, MINUTE, 5)
    power, backwards = rules.power_from_energy(np.array([100, 100.5, 101, 100.2, 100.7]), grid)
    # 0.5 kWh in one minute is 30 kW
    assert np.isnan(power[0]) and power[1] == pytest.approx(30) and power[2] == pytest.approx(30)
    assert backwards.tolist() == [False, False, False, True, False]
    meter = rules.classify(
        power, StateThresholds(reference_kw=100, confirm_slots=1), backwards=backwards
    )
    assert meter.states[3] == ABNORMAL and meter.causes[3] == 3


def test_power_from_current_three_phase_and_single_phase():
    # √3 × 380 V × (10 A × CT 20) × 0.9 = 118 472.3 W
    kw = rules.power_from_current(np.array([10.0]), voltage_v=380, power_factor=0.9, ct_ratio=20)
    assert kw[0] == pytest.approx(118.4723, abs=1e-3)
    single = rules.power_from_current(
        np.array([5.0]), voltage_v=220, power_factor=1.0, three_phase=False
    )
    assert single[0] == pytest.approx(1.1)
    with pytest.raises(PowerError):
        rules.power_from_current(np.array([1.0]), voltage_v=380, power_factor=1.2)


def test_thresholds_are_checked():
    with pytest.raises(PowerError, match="off"):
        StateThresholds(reference_kw=100, off_fraction=0.4, low_fraction=0.3)
    with pytest.raises(PowerError, match="reference power"):
        StateThresholds(reference_kw=0)


def test_learned_thresholds_lie_between_the_clusters():
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [rng.normal(0.5, 0.2, 300), rng.normal(20, 1, 200), rng.normal(80, 2, 500)]
    )
    learned = rules.learn_thresholds(values)
    assert [round(c) for c in learned.centres_kw] == [0, 20, 80]
    assert learned.off_kw == pytest.approx(10.25, abs=0.5)  # (0.5 + 20) / 2
    assert learned.low_kw == pytest.approx(50, abs=0.5)  # (20 + 80) / 2
    two_modes = rules.learn_thresholds(
        np.concatenate([np.zeros(50), np.full(50, 100.0), [1.0, 99.0]])
    )
    assert two_modes.off_kw == pytest.approx(30, abs=1) and two_modes.low_kw == pytest.approx(
        60, abs=1
    )
    with pytest.raises(PowerError, match="too few"):
        rules.learn_thresholds(np.array([1.0, 2.0]))


# --- a day with known episodes --------------------------------------------------------

GRID = Grid(DAY, MINUTE, 1440)
PRODUCTION_T = StateThresholds(reference_kw=100)  # off < 8, idle < 30
CONTROL_T = StateThresholds(reference_kw=50)  # off < 4, idle < 15
SETTINGS = LinkageSettings(
    control_off_slots=5, start_delay_slots=5, stop_tolerance_slots=5, control_idle_slots=10
)


def production_day() -> dict[str, rules.MeterStates]:
    """Line 1 runs 08:00–20:00 at 100 kW."""
    return {"line-1": rules.classify(series(0, (minute(8, 0), minute(20, 0), 100)), PRODUCTION_T)}


def control_day() -> np.ndarray:
    """The dust collector serving line 1: on 3 min after the line (within T2), off
    10:00–10:30 (A), idling 13:00–13:20 (C), a 3-min stop at 15:00 (shorter than T1), off
    at 19:40 while the line runs until 20:00 (B, early stop)."""
    return series(
        0,
        (minute(8, 3), minute(19, 40), 40),
        (minute(10, 0), minute(10, 30), 0),
        (minute(13, 0), minute(13, 20), 10),
        (minute(15, 0), minute(15, 3), 0),
    )


def test_a_day_of_known_episodes_gives_exactly_the_expected_findings():
    control = rules.classify(control_day(), CONTROL_T)
    found = rules.find_linkage(GRID, "dust-1", control, production_day(), SETTINGS)
    assert [(f.type, f.start.strftime("%H:%M"), f.end.strftime("%H:%M")) for f in found] == [
        (FindingType.CONTROL_OFF, "10:00", "10:30"),
        (FindingType.CONTROL_IDLE, "13:00", "13:20"),
        (FindingType.UNSYNCHRONISED, "19:40", "20:00"),
    ]
    off = found[0]
    assert off.control == "dust-1" and off.production == ("line-1",)
    assert off.duration == timedelta(minutes=30)
    assert off.evidence["production_kw"] == {"line-1": 100.1} and off.evidence["control_kw"] == 0.0
    assert found[1].evidence["control_kw"] == 10.1
    assert found[2].evidence["edge"] == "early_stop"


def test_a_late_start_beyond_t2_is_unsynchronised():
    control = rules.classify(series(0, (minute(8, 12), minute(20, 0), 40)), CONTROL_T)
    found = rules.find_linkage(GRID, "dust-1", control, production_day(), SETTINGS)
    assert [(f.type, f.evidence["edge"], f.evidence["slots"]) for f in found] == [
        (FindingType.UNSYNCHRONISED, "late_start", 12)
    ]


def test_control_never_running_is_control_off_for_the_whole_run():
    control = rules.classify(series(0), CONTROL_T)
    found = rules.find_linkage(GRID, "dust-1", control, production_day(), SETTINGS)
    assert [(f.type, f.evidence["slots"]) for f in found] == [(FindingType.CONTROL_OFF, 720)]


def test_planned_shutdown_of_both_and_declared_maintenance_raise_nothing():
    both_off = {"line-1": rules.classify(series(0), PRODUCTION_T)}
    control = rules.classify(series(0), CONTROL_T)
    assert rules.find_linkage(GRID, "dust-1", control, both_off, SETTINGS) == []
    excused = rules.window_mask(GRID, [(DAY.replace(hour=10), DAY.replace(hour=10, minute=30))])
    assert excused.sum() == 30
    found = rules.find_linkage(
        GRID,
        "dust-1",
        rules.classify(control_day(), CONTROL_T),
        production_day(),
        SETTINGS,
        excused=excused,
    )
    assert [f.type for f in found] == [FindingType.CONTROL_IDLE, FindingType.UNSYNCHRONISED]


def test_a_noisy_control_meter_does_not_flap_into_findings():
    rng = np.random.default_rng(3)
    noisy = np.clip(control_day() + rng.normal(0, 1.5, 1440), 0, None)
    noisy[minute(11, 0)] = 2.0  # one reading below the off level: a blip, not a stop
    control = rules.classify(noisy, CONTROL_T)
    found = rules.find_linkage(GRID, "dust-1", control, production_day(), SETTINGS)
    assert [f.type for f in found] == [
        FindingType.CONTROL_OFF,
        FindingType.CONTROL_IDLE,
        FindingType.UNSYNCHRONISED,
    ]


def test_limit_orders_stop_and_quota():
    line = production_day()["line-1"]
    stop = LimitWindow(
        DAY.replace(hour=9), DAY.replace(hour=11), LimitRequirement.STOP, level="橙色"
    )
    quota = LimitWindow(
        DAY.replace(hour=14), DAY.replace(hour=15), LimitRequirement.LIMIT, quota_kw=60
    )
    obeyed = LimitWindow(DAY.replace(hour=21), DAY.replace(hour=23), LimitRequirement.STOP)
    found = rules.find_limit_breaches(GRID, "line-1", line, [stop, quota, obeyed], SETTINGS)
    assert [(f.start.hour, f.evidence["slots"], f.evidence["order"]) for f in found] == [
        (9, 120, "stop"),
        (14, 60, "limit"),
    ]
    assert found[1].evidence["max_kw"] == 100.2
    with pytest.raises(PowerError, match="quota"):
        rules.find_limit_breaches(
            GRID,
            "line-1",
            line,
            [LimitWindow(DAY, DAY.replace(hour=1), LimitRequirement.LIMIT)],
            SETTINGS,
        )


def test_analyser_silent_while_production_runs():
    values = series(35.0)
    values[::2] += 0.5  # a live analyser wobbles
    flags = ["N"] * 1440
    for slot in range(minute(12, 0), minute(12, 30)):
        flags[slot] = "M"
    values[minute(2, 0) : minute(3, 0)] = nan  # silent at night: production is off then
    silent = rules.analyser_silence(values, flags)
    assert silent.sum() == 30 + 60
    found = rules.find_analyser_silence(GRID, "DA001", silent, production_day(), SETTINGS)
    assert [(f.type, f.start.strftime("%H:%M"), f.evidence["slots"]) for f in found] == [
        (FindingType.ANALYSER_SILENT, "12:00", 30)
    ]


def test_a_flat_analyser_series_counts_as_silent():
    values = np.array([10.0, 10.5] * 5 + [12.0] * 6 + [11.0])
    silent = rules.analyser_silence(values, ["N"] * values.size, flat_slots=6)
    assert silent.tolist() == [False] * 10 + [True] * 6 + [False]


def test_to_grid_keeps_the_last_value_of_each_interval():
    grid = Grid(DAY, MINUTE, 3)
    times = [DAY + timedelta(seconds=s) for s in (50, 10, 70, 200, -5)]
    assert rules.to_grid(times, [2.0, 1.0, 3.0, 9.0, 7.0], grid).tolist()[:2] == [2.0, 3.0]
    assert np.isnan(rules.to_grid(times, [2.0, 1.0, 3.0, 9.0, 7.0], grid)[2])


def test_emission_estimated_from_production_electricity():
    # 1 200 kWh × 0.015 kg/kWh = 18 kg
    assert rules.estimate_emission_kg(1200, 0.015) == pytest.approx(18.0)
    with pytest.raises(PowerError):
        rules.estimate_emission_kg(-1, 0.1)


def test_a_warning_takes_the_response_of_the_highest_level_not_above_it():
    from ecozone.power.model import Response, WarningLevel, WeatherWarning

    responses = [
        Response(WarningLevel.YELLOW, LimitRequirement.LIMIT, quota_kw=80),
        Response(WarningLevel.RED, LimitRequirement.STOP),
    ]
    day = DAY.replace(hour=9)
    warnings = [
        WeatherWarning(WarningLevel.YELLOW, day, day.replace(hour=11)),
        WeatherWarning(WarningLevel.ORANGE, day.replace(hour=12), day.replace(hour=14)),
        WeatherWarning(WarningLevel.RED, day.replace(hour=15), day.replace(hour=17)),
    ]
    windows = rules.response_windows(warnings, responses)
    assert [(w.start.hour, w.requirement, w.quota_kw, w.level) for w in windows] == [
        (9, LimitRequirement.LIMIT, 80, "yellow"),
        (12, LimitRequirement.LIMIT, 80, "orange"),  # orange keeps yellow's measure
        (15, LimitRequirement.STOP, None, "red"),
    ]
    only_red = [Response(WarningLevel.RED, LimitRequirement.STOP)]
    assert rules.response_windows(warnings[:1], only_red) == []  # nothing asked at yellow
    line = production_day()["line-1"]  # 100 kW 08:00-20:00: above 80 and running
    found = rules.find_limit_breaches(GRID, "line-1", line, windows, SETTINGS)
    assert [(f.start.hour, f.evidence["slots"], f.evidence["level"]) for f in found] == [
        (9, 120, "yellow"),
        (12, 120, "orange"),
        (15, 120, "red"),
    ]
