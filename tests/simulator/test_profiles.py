"""Profiles: deterministic values, records that add up, events at their configured rates."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest

from ecozone.hj212.codes import DataFlag
from ecozone.simulator import DeviceSpec, Scenario, SimulatorError, profiles, sources

GAS_BOILER = DeviceSpec(
    "0100AAAA0000000000000001", "123456", "flue_gas", reference_o2=3.5, industry="汽车零部件"
)
COAL_POWER = DeviceSpec(
    "0100AAAA0000000000000002", "123456", "flue_gas", reference_o2=6.0, industry="火力发电"
)
WWTP = DeviceSpec("0100AAAA0000000000000003", "123456", "wastewater", industry="污水处理")
AIR = DeviceSpec("0100AAAA0000000000000004", "123456", "ambient_air")
RIVER = DeviceSpec("0100AAAA0000000000000005", "123456", "surface_water")
QUIET = Scenario(
    seed=5,
    exceedance_device_share=0.0,
    fault_hour_share=0.0,
    maintenance_hour_share=0.0,
    calibration_per_day=0.0,
)
HOUR = datetime(2024, 7, 3, 14)


def test_same_seed_and_time_give_the_same_values_and_another_seed_does_not():
    t = datetime(2024, 7, 3, 14, 25, 35)
    assert profiles.realtime(GAS_BOILER, Scenario(seed=1), t) == profiles.realtime(
        GAS_BOILER, Scenario(seed=1), t
    )
    assert profiles.hour_data(WWTP, Scenario(seed=1), HOUR) == profiles.hour_data(
        WWTP, Scenario(seed=1), HOUR
    )
    assert profiles.realtime(GAS_BOILER, Scenario(seed=1), t) != profiles.realtime(
        GAS_BOILER, Scenario(seed=2), t
    )


def test_an_hour_computed_alone_equals_the_same_hour_computed_after_others():
    scenario = Scenario(seed=3)
    alone = profiles.hour_data(COAL_POWER, scenario, datetime(2024, 1, 9, 6))
    for h in range(6):
        profiles.hour_data(COAL_POWER, scenario, datetime(2024, 1, 9, h))
    assert profiles.hour_data(COAL_POWER, scenario, datetime(2024, 1, 9, 6)) == alone


def test_realtime_value_is_the_sample_and_lies_within_its_minute():
    scenario = Scenario(seed=1)
    block = profiles.hour_block(GAS_BOILER, scenario, HOUR)
    t = HOUR + timedelta(minutes=17, seconds=42)  # sample 17*12 + 8 = 212, taken at 17:40
    reading = profiles.reading_at(block, t)["a21026"]
    assert reading.value == round(float(block.values["a21026"][212]), 2)
    minute = profiles.interval_data(GAS_BOILER, scenario, HOUR + timedelta(minutes=17), 1)
    assert minute["a21026"].min <= reading.value <= minute["a21026"].max
    assert minute["a21026"].zs_min <= reading.zs <= minute["a21026"].zs_max


def test_hour_record_is_the_mean_min_max_and_sum_of_its_minute_records():
    minutes = profiles.interval_records(profiles.hour_block(GAS_BOILER, QUIET, HOUR), 1)
    hour = profiles.hour_data(GAS_BOILER, QUIET, HOUR, 1)
    assert len(minutes) == 60
    so2 = [records["a21026"] for _, records in minutes]
    flow = [records["a00000"] for _, records in minutes]
    assert hour["a21026"].avg == round(math.fsum(r.avg for r in so2) / 60, 2)
    assert hour["a21026"].min == min(r.min for r in so2)
    assert hour["a21026"].max == max(r.max for r in so2)
    assert hour["a21026"].zs_avg == round(math.fsum(r.zs_avg for r in so2) / 60, 2)
    assert hour["a21026"].cou == round(math.fsum(r.cou for r in so2), 6)  # kg
    assert hour["a00000"].cou == round(math.fsum(r.cou for r in flow), 3)  # m3


def test_minute_cou_is_flow_times_time_and_mass_is_concentration_times_volume():
    block = profiles.hour_block(WWTP, QUIET, HOUR)
    first = profiles.interval_records(block, 10)[0][1]
    flow_l_per_s = block.values["w00000"][:120]  # ten minutes of 5 s samples
    cod_mg_per_l = block.values["w01018"][:120]
    volume_m3 = flow_l_per_s * 5 / 1000  # HJ 212-2017 App. D eq. (1)
    assert first["w00000"].cou == round(float(volume_m3.sum()), 3)
    assert first["w01018"].cou == round(float((volume_m3 * cod_mg_per_l * 1e-3).sum()), 6)


def test_ten_minute_hour_equals_the_mean_of_its_six_records():
    minutes = profiles.interval_records(profiles.hour_block(WWTP, QUIET, HOUR), 10)
    hour = profiles.hour_data(WWTP, QUIET, HOUR)  # wastewater: MinInterval 10 by default
    assert [t.minute for t, _ in minutes] == [0, 10, 20, 30, 40, 50]
    cod = [records["w01018"].avg for _, records in minutes]
    assert hour["w01018"].avg == round(math.fsum(cod) / 6, 1)


def test_day_record_combines_its_24_hours():
    day = datetime(2024, 7, 3)
    hours = [profiles.hour_data(AIR, QUIET, day + timedelta(hours=h)) for h in range(24)]
    record = profiles.day_data(AIR, QUIET, day)
    assert record["a34004"].avg == round(math.fsum(h["a34004"].avg for h in hours) / 24, 0)
    assert record["a34004"].max == max(h["a34004"].max for h in hours)


def test_record_flags_follow_hj212_c16_for_air_and_water():
    n, c = DataFlag.N, DataFlag.C
    # air: normal when more than 75 % of the parts are normal
    assert profiles.combine_flags("flue_gas", [n] * 46 + [c] * 14) is DataFlag.N
    assert profiles.combine_flags("flue_gas", [n] * 45 + [c] * 15) is DataFlag.C
    # water: one abnormal part makes the record abnormal
    assert profiles.combine_flags("wastewater", [n] * 5 + [c]) is DataFlag.C


def test_values_look_like_the_sources_they_come_from():
    def hours(spec, days=3, start=datetime(2024, 4, 8)):
        return [
            profiles.hour_data(spec, QUIET, start + timedelta(hours=h)) for h in range(24 * days)
        ]

    running = [h for h in hours(GAS_BOILER) if h["a21026"].flag is DataFlag.N]
    assert running, "the boiler never ran"
    assert all(5 <= h["a21026"].zs_avg <= 30 for h in running)  # gas boiler SO2, limit 50
    assert all(30 <= h["a21002"].zs_avg <= 150 for h in running)
    assert all(1 <= h["a34013"].zs_avg <= 15 for h in running)
    power = hours(COAL_POWER)
    assert all(20 <= h["a21026"].zs_avg <= 80 for h in power)
    assert all(4 <= h["a19001"].avg <= 12 for h in power)
    wwtp = hours(WWTP)
    assert all(12 <= h["w01018"].avg <= 45 for h in wwtp)  # GB 18918 1A limit 50
    assert all(0.3 <= h["w21003"].avg <= 5 for h in wwtp)
    assert all(6.5 <= h["w01001"].avg <= 8.5 for h in wwtp)
    air = hours(AIR, days=1)
    assert all(5_000 <= h["a34004"].avg <= 150_000 for h in air)  # ng/m3 (codes' unit)
    river = hours(RIVER, days=1)
    assert all(5 <= h["w01009"].avg <= 12 for h in river)


def test_o2_rises_as_load_falls():
    day = [profiles.hour_data(COAL_POWER, QUIET, datetime(2024, 4, 8, h)) for h in range(24)]
    flow = [h["a00000"].avg for h in day]
    o2 = [h["a19001"].avg for h in day]
    assert np.corrcoef(flow, o2)[0, 1] < -0.5
    assert sum(flow[2:5]) < sum(flow[13:16])  # lower load at night


def test_shift_plant_is_stopped_at_night_with_flag_f():
    night = profiles.hour_data(GAS_BOILER, QUIET, datetime(2024, 4, 9, 3))  # a Tuesday
    assert {r.flag for r in night.values()} == {DataFlag.F}
    assert night["a19001"].avg > 20  # air in the stack


def test_fault_maintenance_and_calibration_appear_at_their_configured_rates():
    scenario = Scenario(
        seed=11, fault_hour_share=0.02, maintenance_hour_share=0.01, calibration_per_day=1.0
    )
    start = datetime(2023, 1, 1)
    hours = 24 * 240
    counts = {flag: 0 for flag in DataFlag}
    calibrated_days = set()
    for h in range(hours):
        flags = profiles.minute_flags(COAL_POWER, scenario, start + timedelta(hours=h))
        gas = flags["a21026"]  # one instrument
        if DataFlag.D in gas:
            counts[DataFlag.D] += 1
        if DataFlag.M in gas:
            counts[DataFlag.M] += 1
        if DataFlag.C in gas:
            calibrated_days.add(h // 24)
            assert gas.count(DataFlag.C) <= 10
    assert 0.013 < counts[DataFlag.D] / hours < 0.03
    assert 0.006 < counts[DataFlag.M] / hours < 0.016
    # a daily zero/span check, unless a fault or maintenance hides it
    assert len(calibrated_days) >= 0.95 * 240


def test_minute_flags_match_the_values_of_a_faulty_instrument():
    scenario = Scenario(seed=11, fault_hour_share=0.5)
    for h in range(48):
        block = profiles.hour_block(COAL_POWER, scenario, datetime(2023, 1, 1) + timedelta(hours=h))
        faulty = block.flags["a21026"] == 2  # D
        if faulty.any():
            samples = np.repeat(faulty, 12)
            assert (block.values["a21026"][samples] == 0.0).all()  # stuck at zero
            return
    pytest.fail("no fault in 48 hours at a 50 % share")


def test_exceedance_bursts_come_only_to_prone_devices_at_about_their_share():
    def over_limit(scenario, days):
        count = 0
        for h in range(24 * days):
            record = profiles.hour_data(
                COAL_POWER, scenario, datetime(2024, 2, 1) + timedelta(hours=h)
            )
            limits = {"a21026": 100, "a21002": 100, "a34013": 30}  # GB 13223, coal
            count += any(record[c].zs_avg > limit for c, limit in limits.items())
        return count / (24 * days)

    prone = Scenario(
        seed=1,
        exceedance_device_share=1.0,
        exceedance_hour_share=0.1,
        fault_hour_share=0,
        maintenance_hour_share=0,
    )
    assert 0.04 < over_limit(prone, days=10) < 0.2
    assert over_limit(QUIET, days=2) == 0


def test_record_starts_cover_a_history_request_both_ends_included():
    starts = profiles.record_starts(
        "minute", datetime(2024, 1, 1, 8, 43), datetime(2024, 1, 1, 9), 10
    )
    assert starts == [datetime(2024, 1, 1, 8, m) for m in (40, 50)] + [datetime(2024, 1, 1, 9)]


def test_unknown_code_is_refused_naming_it():
    spec = DeviceSpec("0100AAAA0000000000000009", "1", "wastewater", pollutants=("w99999",))
    with pytest.raises(SimulatorError, match="w99999"):
        profiles.hour_block(spec, QUIET, HOUR)


def test_units_are_those_of_the_code_tables():
    assert sources.unit("a21026") == "mg/m3"
    assert sources.unit("a00000") == "m3/s"
    assert sources.unit("w00000") == "L/s"
    assert sources.unit("a34004") == "ng/m3"
    assert sources.unit("a05024") == "mg/m3"
