"""The monitoring rules on plain arrays, with examples worked by hand from the standards."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecozone.config import monitoring_settings
from ecozone.monitoring import rules
from ecozone.monitoring.model import MonitoringError, MonitoringSettings
from ecozone.monitoring.rules import GAS, WATER, MinuteGroups, Periods

SETTINGS = MonitoringSettings()
H = np.datetime64("2024-05-01T10:00", "s")


# --- hour and day validity: HJ 212-2017 App. D -------------------------------------------------


def test_hour_with_44_valid_minutes_is_invalid():
    # App. D eq. (24): 45 <= k for 1-minute data.
    assert not rules.hour_is_valid(44, GAS, 1, SETTINGS)


def test_hour_with_45_valid_minutes_is_valid():
    assert rules.hour_is_valid(45, GAS, 1, SETTINGS)
    assert list(rules.hour_is_valid(np.array([0, 44, 45, 60]), GAS, 1, SETTINGS)) == [
        False, False, True, True,
    ]  # fmt: skip


def test_ten_minute_data_needs_5_of_its_6_values():
    # 60/10 = 6 values an hour; 75 % of 6 = 4.5, rounded up: 5.
    assert rules.required_valid_minutes(GAS, 10, SETTINGS) == 5
    assert list(rules.hour_is_valid(np.array([4, 5]), GAS, 10, SETTINGS)) == [False, True]
    # 5-minute data: 12 an hour, 0.75 x 12 = 9; 1-minute data: 0.75 x 60 = 45.
    assert rules.required_valid_minutes(GAS, 5, SETTINGS) == 9
    assert rules.required_valid_minutes(GAS, 1, SETTINGS) == 45


def test_wastewater_hour_needs_one_valid_value():
    # App. D eq. (16): 1 <= m <= 6.
    assert list(rules.hour_is_valid(np.array([0, 1]), WATER, 10, SETTINGS)) == [False, True]


def test_day_with_19_valid_hours_is_invalid():
    # App. D eq. (25): 20 <= m.
    assert not rules.day_is_valid(19, GAS, SETTINGS)
    assert not rules.day_is_valid(19, WATER, SETTINGS)


def test_day_with_20_valid_hours_is_valid():
    assert rules.day_is_valid(20, GAS, SETTINGS)
    assert rules.day_is_valid(20, WATER, SETTINGS)


def test_minute_interval_must_be_one_hj212_allows():
    with pytest.raises(MonitoringError, match="minute interval of point 7 7 is not an HJ 212"):
        MonitoringSettings(minute_intervals={7: 7})
    assert MonitoringSettings(minute_intervals={7: 10}).interval_of(7) == 10


# --- data flags: HJ 212-2017 Table 8 ------------------------------------------------------------


def test_each_flag_kind_and_whether_its_value_counts():
    flags = ["N", "F", "M", "S", "D", "C", "T", "B", None, "", "n", "X"]
    expected = [
        True,  # N  working normally
        False,  # F  stopped
        False,  # M  maintenance
        False,  # S  set by hand
        False,  # D  fault
        False,  # C  calibration
        True,  # T  above the measuring range: at least this high (setting)
        False,  # B  communication failure
        True,  # no flag: HJ/T 212-2005 devices often send none (setting)
        True,  # empty flag: the same
        True,  # lower case n: the same letter
        False,  # a letter Table 8 does not list
    ]
    assert list(rules.flag_is_valid(flags, SETTINGS)) == expected
    assert set(rules.FLAG_EFFECTS) == set("NFMSDCTB")


def test_settings_can_make_over_range_and_unflagged_values_invalid():
    strict = MonitoringSettings(over_range_is_valid=False, unflagged_is_normal=False)
    assert list(rules.flag_is_valid(["N", "T", None], strict)) == [True, False, False]


def test_flue_gas_period_is_normal_with_75_percent_normal_inputs():
    # App. C.17 note: "75%以上的正常值": 45/60 = 75 % is N, 44/60 = 73.3 % is D (fault).
    assert list(rules.gas_period_flag(np.array([45, 44]), np.array([60, 60]), 0.75)) == ["N", "D"]


def test_wastewater_period_is_abnormal_with_one_abnormal_input():
    # App. C.17 note; with several, the first in Table 8's order F, M, S, D, C, T, B.
    table = np.stack([
        rules.abnormal_table(np.array(["N", "N", "N"], dtype=object), SETTINGS).any(axis=0),
        rules.abnormal_table(np.array(["N", "C", "N"], dtype=object), SETTINGS).any(axis=0),
        rules.abnormal_table(np.array(["C", "M", "N"], dtype=object), SETTINGS).any(axis=0),
        rules.abnormal_table(np.array(["X", "N", "N"], dtype=object), SETTINGS).any(axis=0),
    ])  # fmt: skip
    assert list(rules.water_period_flag(table)) == ["N", "C", "M", "D"]


# --- conversions --------------------------------------------------------------------------------


def test_reference_o2_conversion_worked_example():
    # SO2 50 mg/m3 measured at O2 9 %, reference 6 %: 50 x (21 - 6)/(21 - 9) = 50 x 15/12.
    assert rules.convert_to_reference_o2(50.0, 9.0, 6.0, 19.0) == pytest.approx(62.5)
    # Below the reference the value goes down: 50 x 15/18 = 41.67 at O2 3 %.
    assert rules.convert_to_reference_o2(50.0, 3.0, 6.0, 19.0) == pytest.approx(50 * 15 / 18)


def test_o2_at_or_above_the_cap_gives_no_converted_value():
    converted = rules.convert_to_reference_o2(
        np.array([50.0, 50.0, 50.0, 50.0]), np.array([18.9, 19.0, 20.5, np.nan]), 6.0, 19.0
    )
    assert converted[0] == pytest.approx(50 * 15 / 2.1)  # 21 - 18.9 = 2.1: 357.14
    assert np.isnan(converted[1:]).all()


def test_ppm_to_mg_per_m3_by_molar_mass():
    # App. D eq. (20): C = M/22.4 x ppm. SO2 64.06/22.4 = 2.86; NOx as NO2 46.01/22.4 = 2.05.
    assert rules.unit_factor("a21026", "ppm") == pytest.approx(64.06 / 22.4)
    assert 100 * rules.unit_factor("a21026", "ppm") == pytest.approx(285.98, abs=0.01)
    assert rules.unit_factor("a21002", "ppm") == pytest.approx(2.054, abs=0.001)
    assert rules.unit_factor("a21005", "µmol/mol") == pytest.approx(28.01 / 22.4)
    assert rules.unit_factor("a21026", "mg/m3") == 1.0
    assert rules.unit_factor("a21026", None) == 1.0


def test_flow_units_are_brought_to_appendix_b_units():
    # a00000 in m3/s (App. B): 36000 m3/h = 10 m3/s.
    assert 36000 * rules.unit_factor("a00000", "m3/h") == pytest.approx(10.0)
    # w00000 in L/s: 18 m3/h = 18000 L / 3600 s = 5 L/s.
    assert 18 * rules.unit_factor("w00000", "m3/h") == pytest.approx(5.0)


def test_impossible_unit_conversions_are_refused_by_name():
    with pytest.raises(MonitoringError, match="w01018 is not a gas concentration"):
        rules.unit_factor("w01018", "ppm")
    with pytest.raises(MonitoringError, match="no molar mass for a34013"):
        rules.unit_factor("a34013", "ppm")
    with pytest.raises(MonitoringError, match=r"cannot convert a00000 from 'L/min' to m3/s"):
        rules.unit_factor("a00000", "L/min")


def test_units_from_the_environment(monkeypatch):
    monkeypatch.setenv("ECOZONE_MONITORING_UNITS", "a00000=m3/h, a21026=ppm")
    monkeypatch.setenv("ECOZONE_MONITORING_O2_CAP", "20")
    settings = monitoring_settings()
    assert settings.unit_of(1, "a00000") == "m3/h"
    assert settings.o2_cap == 20.0
    monkeypatch.setenv("ECOZONE_MONITORING_UNITS", "a00000")
    with pytest.raises(MonitoringError, match="is not CODE=UNIT"):
        monitoring_settings()


def test_flue_gas_emission_mass_worked_example():
    # App. D eq. (33): 50 mg/m3 x 10 m3/s x 3600 s/h x 1e-6 = 1.8 kg/h; over one hour 1.8 kg.
    flow = rules.flue_gas_flow_m3_per_h(10.0)
    assert flow == 36000.0
    assert rules.flue_gas_emission_kg(50.0, flow, 1.0) == pytest.approx(1.8)


def test_wastewater_emission_mass_worked_example():
    # App. D eq. (1): 5 L/s over 3600 s = 5 x 3600 x 1e-3 = 18 m3; eq. (8): 30 mg/L x 18 m3 x
    # 1e-3 = 0.54 kg.
    volume = rules.wastewater_volume_m3(5.0, 1.0)
    assert volume == pytest.approx(18.0)
    assert rules.wastewater_emission_kg(30.0, volume) == pytest.approx(0.54)


def test_hour_mismatch_beyond_the_tolerance():
    # |100 - 104| = 4 <= 5 % of 104 = 5.2; |100 - 106| = 6 > 5.3; missing: nothing to compare.
    found = rules.hour_mismatch(
        np.array([100.0, 100.0, 100.0, np.nan]), np.array([104.0, 106.0, np.nan, 100.0]), 0.05
    )
    assert list(found) == [False, True, False, False]
    # An absolute allowance for the digits a device rounds to: |1.0 - 1.06| = 0.06 <= 0.1,
    # |1.0 - 1.2| = 0.2 > 0.1.
    found = rules.hour_mismatch(np.array([1.0, 1.0]), np.array([1.06, 1.2]), 0.0, absolute=0.1)
    assert list(found) == [False, True]


def test_capture_and_valid_data_rates():
    # 24 hours expected: 24 present and 20 valid -> 100 % and 20/24 = 83.3 %; 18 and 0 -> 75 %, 0.
    capture, valid = rules.capture_rates(24, np.array([24, 18]), np.array([20, 0]))
    assert list(capture) == [1.0, 0.75]
    assert valid == pytest.approx([20 / 24, 0.0])


# --- periods ------------------------------------------------------------------------------------


def groups(rows: list[tuple]) -> MinuteGroups:
    """(pollutant, sample_count, valid_count, valid_sum, min, max) per hour H."""
    n = len(rows)
    return MinuteGroups(
        pollutant=np.array([r[0] for r in rows], dtype=object),
        start=np.full(n, H),
        sample_count=np.array([r[1] for r in rows]),
        valid_count=np.array([r[2] for r in rows]),
        valid_sum=np.array([r[3] for r in rows], dtype=float),
        valid_min=np.array([r[4] for r in rows], dtype=float),
        valid_max=np.array([r[5] for r in rows], dtype=float),
        cou_sum=np.full(n, np.nan),
        cou_count=np.zeros(n, dtype=np.int64),
        abnormal_flags=np.full(n, None, dtype=object),
    )


def test_hourly_mean_is_the_mean_of_the_valid_minute_means():
    # 60 minutes present, 45 valid summing to 45 x 40 = 1800: mean 40.0, valid, flag N (75 %).
    # 60 present, 44 valid summing to 1760: mean 40.0 but invalid, flag D (73 %).
    hours = rules.hours_from_minutes(
        groups([("a21026", 60, 45, 1800.0, 30.0, 50.0), ("a21002", 60, 44, 1760.0, 35.0, 45.0)]),
        medium=GAS, minute_interval=1, settings=SETTINGS,
    )  # fmt: skip
    by_code = {p: i for i, p in enumerate(hours.pollutant)}
    so2, nox = by_code["a21026"], by_code["a21002"]
    assert (hours.avg[so2], hours.valid[so2], hours.flag[so2]) == (40.0, True, "N")
    assert (hours.avg[nox], hours.valid[nox], hours.flag[nox]) == (40.0, False, "D")
    assert (hours.valid_count[so2], hours.sample_count[so2]) == (45, 60)
    assert (hours.min[so2], hours.max[so2]) == (30.0, 50.0)


def period_table(rows: list[tuple]) -> Periods:
    """(pollutant, avg, valid) per hour H."""
    return Periods.build(
        np.array([r[0] for r in rows], dtype=object),
        np.full(len(rows), H),
        avg=[r[1] for r in rows],
        min=[r[1] for r in rows],
        max=[r[1] for r in rows],
        valid=[r[2] for r in rows],
        valid_count=[60 if r[2] else 0 for r in rows],
        sample_count=[60] * len(rows),
        flag=["N"] * len(rows),
    )


def test_finish_converts_to_reference_o2_and_computes_mass_and_volume():
    hours = rules.finish(
        period_table([("a21026", 50.0, True), ("a19001", 9.0, True), ("a00000", 10.0, True)]),
        medium=GAS, reference_o2=6.0, hours=1.0, settings=SETTINGS,
    )  # fmt: skip
    row = {p: i for i, p in enumerate(hours.pollutant)}
    so2, o2, flow = row["a21026"], row["a19001"], row["a00000"]
    assert hours.zs_avg[so2] == pytest.approx(62.5)  # 50 x 15/12
    assert hours.emission_kg[so2] == pytest.approx(1.8)  # 50 x 36000 x 1e-6
    assert hours.cou[flow] == pytest.approx(36000.0)  # 10 m3/s x 3600 s
    assert np.isnan(hours.zs_avg[o2]) and np.isnan(hours.zs_avg[flow])  # not concentrations


def test_no_converted_value_without_a_valid_o2_and_no_mass_without_a_valid_flow():
    hours = rules.finish(
        period_table([("a21026", 50.0, True), ("a19001", 9.0, False), ("a00000", 10.0, False)]),
        medium=GAS, reference_o2=6.0, hours=1.0, settings=SETTINGS,
    )  # fmt: skip
    so2 = list(hours.pollutant).index("a21026")
    assert np.isnan(hours.zs_avg[so2]) and np.isnan(hours.emission_kg[so2])


def test_day_is_the_mean_of_its_valid_hours_with_masses_summed():
    # 20 valid hours at 10.0 (each 0.5 kg) and 4 invalid at 99.0: mean 10.0, 20 x 0.5 = 10 kg.
    starts = H.astype("datetime64[D]") + np.arange(24).astype("timedelta64[h]")
    valid = np.arange(24) < 20
    hours = Periods.build(
        np.full(24, "a21026", dtype=object), starts,
        avg=np.where(valid, 10.0, 99.0), valid=valid, valid_count=np.where(valid, 60, 30),
        sample_count=np.full(24, 60), flag=np.where(valid, "N", "D").astype(object),
        emission_kg=np.where(valid, 0.5, np.nan),
    )  # fmt: skip
    [day_avg] = rules.days_from_hours(hours, medium=GAS, settings=SETTINGS).avg
    day = rules.days_from_hours(hours, medium=GAS, settings=SETTINGS)
    assert (day_avg, bool(day.valid[0]), int(day.valid_count[0])) == (10.0, True, 20)
    assert day.emission_kg[0] == pytest.approx(10.0)
    assert day.flag[0] == "N"  # 20 of 24 hours normal: 83 % >= 75 %
    # One more invalid hour: 19 valid, the day is invalid and 19/24 = 79 % still N.
    hours.valid[19] = False
    day = rules.days_from_hours(hours, medium=GAS, settings=SETTINGS)
    assert (bool(day.valid[0]), int(day.valid_count[0])) == (False, 19)


def test_device_value_fills_an_hour_without_minute_data_and_sits_beside_ours():
    ours = period_table([("a21026", 50.0, True)])
    device = rules.periods_from_device(
        np.array(["a21026", "w01018"], dtype=object), np.full(2, H), np.array([51.0, 30.0]),
        np.full(2, np.nan), np.full(2, np.nan), np.full(2, np.nan),
        np.array(["N", "N"], dtype=object), SETTINGS,
    )  # fmt: skip
    merged = rules.merge_device(ours, device)
    row = {p: i for i, p in enumerate(merged.pollutant)}
    assert (merged.avg[row["a21026"]], merged.device_avg[row["a21026"]]) == (50.0, 51.0)
    assert (merged.avg[row["w01018"]], merged.sample_count[row["w01018"]]) == (30.0, 1)
    assert bool(merged.valid[row["w01018"]])


def test_device_value_flagged_invalid_keeps_no_mean():
    device = rules.periods_from_device(
        np.array(["w01018"], dtype=object), np.full(1, H), np.array([30.0]), np.full(1, np.nan),
        np.full(1, np.nan), np.full(1, np.nan), np.array(["D"], dtype=object), SETTINGS,
    )  # fmt: skip
    assert (bool(device.valid[0]), math.isnan(device.avg[0]), device.device_avg[0]) == (
        False, True, 30.0,
    )  # fmt: skip
