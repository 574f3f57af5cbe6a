"""recompute, capture and totals over stored measurements, on SQLite and PostgreSQL.

Each test builds a small scenario worked out by hand, with the arithmetic beside the
assertion; the scenarios are grouped so that one database serves several checks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.monitoring.data import (
    COD,
    DAY_1,
    DAY_2,
    GAS_FLOW,
    NOX,
    O2,
    SO2,
    WATER_FLOW,
    aggregates,
    device_period,
    full_hour,
    minutes,
    one,
    setup,
    store,
)

from ecozone.monitoring import (
    MonitoringError,
    MonitoringSettings,
    capture,
    recompute,
    rules,
    totals,
)
from ecozone.monitoring.store import lock_points as store_lock
from ecozone.store.schema import aggregate

HOUR = timedelta(hours=1)


@pytest.fixture
def scenario(database_url: str):
    engine, stack, water = setup(database_url)
    yield engine, stack, water
    engine.dispose()


def test_hour_and_day_validity_o2_conversion_and_emission(scenario):
    engine, stack, _ = scenario
    rows = []
    # Day 1: hours 00-19 complete (60 valid minutes of SO2 50 mg/m3, O2 9 %, flow 10 m3/s);
    # hour 20 with 45 valid minutes and 15 under maintenance, hour 21 with 44 and 16; 22-23 none.
    for h in range(20):
        hour = DAY_1 + h * HOUR
        rows += full_hour(stack, SO2, hour, 50.0) + full_hour(stack, O2, hour, 9.0)
        rows += full_hour(stack, GAS_FLOW, hour, 10.0)
    rows += minutes(stack, SO2, DAY_1 + 20 * HOUR, [(50.0, "N")] * 45 + [(500.0, "M")] * 15)
    rows += minutes(stack, SO2, DAY_1 + 21 * HOUR, [(50.0, "N")] * 44 + [(500.0, "M")] * 16)
    # Day 2: 19 complete hours only.
    for h in range(19):
        rows += full_hour(stack, SO2, DAY_2 + h * HOUR, 40.0)
    store(engine, rows)

    summary = recompute(engine)
    # Day 1: SO2 22 hours, O2 and flow 20 each; day 2: 19 SO2 hours. Days: 3 + 1.
    assert (summary.hours_written, summary.days_written) == (22 + 20 + 20 + 19, 4)
    assert summary.day_ranges == ((stack, DAY_1, DAY_2 + 24 * HOUR),)

    hour_20 = one(engine, stack, "hour", SO2, DAY_1 + 20 * HOUR)
    assert (hour_20["valid"], hour_20["valid_count"], hour_20["sample_count"]) == (True, 45, 60)
    assert hour_20["avg"] == 50.0  # the maintenance minutes (500) do not count
    assert hour_20["flag"] == "N"  # 45/60 = 75 % normal
    hour_21 = one(engine, stack, "hour", SO2, DAY_1 + 21 * HOUR)
    assert (hour_21["valid"], hour_21["valid_count"], hour_21["flag"]) == (False, 44, "D")

    hour_0 = one(engine, stack, "hour", SO2, DAY_1)
    assert hour_0["zs_avg"] == pytest.approx(62.5)  # 50 x (21 - 6)/(21 - 9) = 50 x 15/12
    assert hour_0["emission_kg"] == pytest.approx(1.8)  # 50 mg/m3 x 36000 m3/h x 1e-6
    assert one(engine, stack, "hour", GAS_FLOW, DAY_1)["cou"] == pytest.approx(36000.0)
    # Hour 20 has no O2 and no flow: no converted value, no mass.
    assert hour_20["zs_avg"] is None and hour_20["emission_kg"] is None

    day_1 = one(engine, stack, "day", SO2, DAY_1)
    # 21 valid hours (00-20) >= 20: valid; 22 hours present, 21 of them flagged N (95 %).
    assert (day_1["valid"], day_1["valid_count"], day_1["sample_count"]) == (True, 21, 22)
    assert (day_1["avg"], day_1["flag"]) == (50.0, "N")
    assert day_1["emission_kg"] == pytest.approx(20 * 1.8)  # the 20 hours with a flow
    assert day_1["zs_avg"] == pytest.approx(62.5)
    day_2 = one(engine, stack, "day", SO2, DAY_2)
    assert (day_2["valid"], day_2["valid_count"], day_2["avg"]) == (False, 19, 40.0)


def test_flags_decide_what_counts(scenario):
    engine, stack, water = scenario
    hour = DAY_1 + 10 * HOUR
    # 40 N at 50 and 5 T at 80 count (T: at least that high); F, M, S, D, C, B at 999 do not.
    values = [(50.0, "N")] * 40 + [(80.0, "T")] * 5
    values += [(999.0, f) for f in "FFFMMMSSSDDCCBB"]
    # Wastewater, 10-minute data: one value under calibration makes the hour abnormal (C).
    cod = [(30.0, "N"), (31.0, "N"), (90.0, "C"), (32.0, "N"), (29.0, "N"), (30.0, "N")]
    rows = minutes(stack, SO2, hour, values)
    rows += [dict(r, data_time=hour + i * timedelta(minutes=10)) for i, r in
             enumerate(minutes(water, COD, hour, cod))]  # fmt: skip
    store(engine, rows)
    recompute(engine)

    so2 = one(engine, stack, "hour", SO2, hour)
    # Valid: 40 + 5 = 45 of 60; mean (40 x 50 + 5 x 80)/45 = 2400/45 = 53.33; 45/60 normal: N.
    assert (so2["valid"], so2["valid_count"], so2["sample_count"]) == (True, 45, 60)
    assert so2["avg"] == pytest.approx(2400 / 45)
    assert (so2["min"], so2["max"], so2["flag"]) == (50.0, 80.0, "N")
    strict = MonitoringSettings(over_range_is_valid=False)
    recompute(engine, settings=strict)
    so2 = one(engine, stack, "hour", SO2, hour)
    assert (so2["valid"], so2["valid_count"], so2["avg"], so2["flag"]) == (False, 40, 50.0, "D")

    cod_hour = one(engine, water, "hour", COD, hour)
    # (30 + 31 + 32 + 29 + 30)/5 = 152/5 = 30.4; valid with one value (App. D eq. (16)).
    assert (cod_hour["valid"], cod_hour["valid_count"], cod_hour["sample_count"]) == (True, 5, 6)
    assert (cod_hour["avg"], cod_hour["flag"]) == (pytest.approx(30.4), "C")


def test_wastewater_point_sending_hours_only(scenario):
    engine, _, water = scenario
    rows = []
    for h in range(24):
        flag = "D" if h == 3 else "N"
        rows.append(device_period(water, COD, "hour", DAY_1 + h * HOUR, 30.0, flag))
        rows.append(device_period(water, WATER_FLOW, "hour", DAY_1 + h * HOUR, 5.0, cou=18.0))
    rows.append(device_period(water, COD, "day", DAY_1, 30.5))
    store(engine, rows)
    recompute(engine)

    hour_0 = one(engine, water, "hour", COD, DAY_1)
    assert (hour_0["avg"], hour_0["valid"], hour_0["device_avg"]) == (30.0, True, 30.0)
    assert hour_0["emission_kg"] == pytest.approx(0.54)  # 30 mg/L x 18 m3 x 1e-3
    hour_3 = one(engine, water, "hour", COD, DAY_1 + 3 * HOUR)
    assert (hour_3["avg"], hour_3["valid"], hour_3["flag"], hour_3["device_avg"]) == (
        None, False, "D", 30.0,
    )  # fmt: skip
    day = one(engine, water, "day", COD, DAY_1)
    # 23 valid hours: mean 30.0, 23 x 0.54 = 12.42 kg; the fault hour makes the day abnormal.
    assert (day["valid"], day["valid_count"], day["avg"], day["flag"]) == (True, 23, 30.0, "D")
    assert day["emission_kg"] == pytest.approx(23 * 0.54)
    assert day["device_avg"] == 30.5
    flow_day = one(engine, water, "day", WATER_FLOW, DAY_1)
    assert flow_day["cou"] == pytest.approx(24 * 18.0)  # 432 m3


def test_device_hour_is_kept_beside_ours_and_ppm_is_converted(scenario):
    engine, stack, _ = scenario
    hour = DAY_1 + 8 * HOUR
    rows = full_hour(stack, SO2, hour, 50.0) + full_hour(stack, NOX, hour, 100.0)
    rows.append(device_period(stack, SO2, "hour", hour, 53.0))
    store(engine, rows)
    recompute(engine, settings=MonitoringSettings(point_units={stack: {NOX: "ppm"}}))
    so2 = one(engine, stack, "hour", SO2, hour)
    assert (so2["avg"], so2["device_avg"]) == (50.0, 53.0)
    # |50 - 53| = 3 > 5 % of 53 = 2.65: a mismatch; at 10 % (5.3) none.
    assert rules.hour_mismatch(so2["avg"], so2["device_avg"], 0.05)
    assert not rules.hour_mismatch(so2["avg"], so2["device_avg"], 0.10)
    # NOx sent in ppm: 100 x 46.01/22.4 = 205.4 mg/m3.
    assert one(engine, stack, "hour", NOX, hour)["avg"] == pytest.approx(100 * 46.01 / 22.4)


def test_recompute_is_idempotent_and_keeps_to_its_range(scenario):
    engine, stack, _ = scenario
    rows = full_hour(stack, SO2, DAY_1 + 5 * HOUR, 50.0) + full_hour(stack, SO2, DAY_2, 40.0)
    store(engine, rows)
    recompute(engine)
    first = aggregates(engine)
    assert recompute(engine).hours_written == 2
    assert aggregates(engine) == first

    # A re-sent day-2 minute changes only day 2, and a recompute of day 2 writes only day 2.
    store(engine, minutes(stack, SO2, DAY_2, [(100.0, "N")]))
    summary = recompute(engine, start=DAY_2 + 3 * HOUR, end=DAY_2 + 4 * HOUR)
    assert (summary.hours_written, summary.days_written) == (1, 1)
    assert summary.hour_ranges == ((stack, DAY_2, DAY_2 + 24 * HOUR),)  # widened to the day
    # (100 + 59 x 40)/60 = 2460/60 = 41.0
    assert one(engine, stack, "hour", SO2, DAY_2)["avg"] == pytest.approx(41.0)
    assert (
        one(engine, stack, "hour", SO2, DAY_1 + 5 * HOUR)
        == first[(stack, "hour", SO2, DAY_1 + 5 * HOUR)]
    )


def test_bad_requests_are_refused_and_change_nothing(scenario):
    engine, stack, _ = scenario
    store(engine, full_hour(stack, SO2, DAY_1, 50.0))
    recompute(engine)
    before = aggregates(engine)
    with pytest.raises(MonitoringError, match="no point with id 999"):
        recompute(engine, point_ids=[stack, 999])
    with pytest.raises(MonitoringError, match="is not after start"):
        recompute(engine, start=DAY_2, end=DAY_1)
    with pytest.raises(MonitoringError, match="cannot convert a00000 from 'l/h'"):
        recompute(engine, settings=MonitoringSettings(units={GAS_FLOW: "l/h"}))
    assert aggregates(engine) == before


def test_stale_aggregates_without_data_are_removed(scenario):
    engine, stack, _ = scenario
    store(engine, full_hour(stack, SO2, DAY_1, 50.0))
    recompute(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM measurement"))
    recompute(engine)
    assert aggregates(engine) == {}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(aggregate)).scalar() == 0


def test_capture_rates_and_totals(scenario):
    engine, stack, _ = scenario
    rows = []
    for h in range(18):  # 18 hours with data, the first 10 with flow
        hour = DAY_1 + h * HOUR
        rows += full_hour(stack, SO2, hour, 50.0) + full_hour(stack, O2, hour, 9.0)
        if h < 10:
            rows += full_hour(stack, GAS_FLOW, hour, 10.0)
    rows += minutes(stack, SO2, DAY_1 + 18 * HOUR, [(50.0, "N")] * 30)  # present, invalid
    store(engine, rows)
    recompute(engine)

    rates = {r.pollutant: r for r in capture(engine, stack, start=DAY_1, end=DAY_2)}
    # SO2: 19 of 24 hours present = 79.2 %, 18 valid = 75 %; flow: 10/24 = 41.7 %.
    assert (rates[SO2].expected, rates[SO2].present, rates[SO2].valid) == (24, 19, 18)
    assert rates[SO2].capture_rate == pytest.approx(19 / 24)
    assert rates[SO2].valid_rate == pytest.approx(0.75)
    assert rates[GAS_FLOW].capture_rate == pytest.approx(10 / 24)
    days = {r.pollutant: r for r in capture(engine, stack, start=DAY_1, end=DAY_2, basis="day")}
    assert (days[SO2].expected, days[SO2].present, days[SO2].valid) == (1, 1, 0)  # 18 < 20
    # A range starting mid-hour counts the hours that start in it: 00:30-03:00 -> 01, 02.
    half = capture(engine, stack, start=DAY_1 + HOUR / 2, end=DAY_1 + 3 * HOUR)
    assert {r.expected for r in half} == {2}

    found = {t.pollutant: t for t in totals(engine, stack, start=DAY_1, end=DAY_2)}
    assert found[SO2].emission_kg == pytest.approx(10 * 1.8)  # 10 hours with a flow
    assert found[GAS_FLOW].volume_m3 == pytest.approx(10 * 36000.0)
    with pytest.raises(MonitoringError, match="no point with id 999"):
        capture(engine, 999, start=DAY_1, end=DAY_2)
    with pytest.raises(MonitoringError, match="unknown basis 'week'"):
        capture(engine, stack, start=DAY_1, end=DAY_2, basis="week")


def test_locks_cover_every_month_a_span_touches(scenario):
    engine, stack, water = scenario
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's IMMEDIATE transaction is the lock")
    # 30 April 23:00 to 1 May 01:00 touches two months: 2 points x 2 months = 4 locks.
    with engine.begin() as conn:
        store_lock(conn, [stack, water], [(DAY_1 - HOUR, DAY_1 + HOUR)])
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        ).scalar()
    assert held == 4
