"""Ambient-air stations are judged by GB 3095-2012 Table 4 (45 minutes of sampling an hour,
20 valid hours a day), whatever their reporting interval; stacks keep HJ 212 App. D."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from tests.monitoring.data import aggregates, store

from ecozone.monitoring import recompute, rules
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import point

HOUR = timedelta(hours=1)
DAY = datetime(2024, 5, 1)
PM25 = "a34004"

REGISTRY = {
    "districts": ["两江新区"],
    "enterprises": [
        {
            "credit_code": "125000001559170089",
            "name": "示例生态环境监测站",
            "district": "两江新区",
            "points": [
                {"code": "AQ01", "name": "礼嘉空气自动站", "kind": "ambient_air",
                 "device": {"mn": "0100767170AB5DF8706EA4A2", "password": "018232", "st": "22"}},
            ],
        }
    ],
}  # fmt: skip


def test_interval_is_read_from_the_data():
    hours = np.arange(6).astype("datetime64[h]")
    # The newest hour (3 values so far) is still filling and does not count.
    assert rules.infer_interval(np.array([12, 12, 11, 9, 12, 3]), hours) == 5
    assert rules.infer_interval(np.array([60, 58, 60, 10]), hours[:4]) == 1
    assert rules.infer_interval(np.array([6, 6, 6]), hours[:3]) == 10
    # Only the hour under way: the configured interval.
    assert rules.infer_interval(np.array([10]), hours[:1], fallback=1) == 1
    assert rules.infer_interval(np.array([], dtype=int), hours[:0]) == 1


def test_an_hour_needs_45_minutes_of_sampling():
    # 5-minute data: 9 values = 45 min (valid), 8 = 40 min (not); 1-minute data: 45 of 60.
    assert rules.ambient_hour_is_valid(np.array([9, 8, 12]), 5).tolist() == [True, False, True]
    assert rules.ambient_hour_is_valid(np.array([45, 44]), 1).tolist() == [True, False]


@pytest.fixture
def station(database_url: str):
    upgrade(database_url)
    engine = make_engine(database_url)
    import_registry(engine, REGISTRY)
    with engine.connect() as conn:
        pid = conn.execute(sa.select(point.c.id)).scalar_one()
    yield engine, pid
    engine.dispose()


def _five_minute(pid: int, hour: datetime, count: int, avg: float) -> list[dict]:
    return [
        {"point_id": pid, "kind": "minute", "pollutant": PM25,
         "data_time": hour + timedelta(minutes=5 * i), "avg": avg, "flag": "N"}
        for i in range(count)
    ]  # fmt: skip


def test_five_minute_station_hours_and_days(station):
    engine, pid = station
    rows = []
    # Hours 00-18 complete (12 values), hour 19 with 9 values (45 min), hour 20 with 8 (40 min).
    for h in range(19):
        rows += _five_minute(pid, DAY + h * HOUR, 12, 30.0)
    rows += _five_minute(pid, DAY + 19 * HOUR, 9, 30.0)
    rows += _five_minute(pid, DAY + 20 * HOUR, 8, 30.0)
    store(engine, rows)
    recompute(engine)
    found = aggregates(engine, point_id=pid)
    hour = {k[3]: v for k, v in found.items() if k[1] == "hour"}
    assert all(hour[DAY + h * HOUR]["valid"] for h in range(19))
    assert (hour[DAY + 19 * HOUR]["valid"], hour[DAY + 19 * HOUR]["valid_count"]) == (True, 9)
    assert (hour[DAY + 20 * HOUR]["valid"], hour[DAY + 20 * HOUR]["valid_count"]) == (False, 8)
    day = found[(pid, "day", PM25, DAY)]
    assert (day["valid"], day["valid_count"]) == (True, 20)  # 19 + hour 19: 20 valid hours


def test_a_day_with_19_valid_hours_is_invalid(station):
    engine, pid = station
    rows = []
    for h in range(19):
        rows += _five_minute(pid, DAY + h * HOUR, 12, 30.0)
    rows += _five_minute(pid, DAY + 19 * HOUR, 8, 30.0)  # 40 minutes: not a valid hour
    store(engine, rows)
    recompute(engine)
    day = aggregates(engine, point_id=pid, kind="day")[(pid, "day", PM25, DAY)]
    assert (day["valid"], day["valid_count"]) == (False, 19)
