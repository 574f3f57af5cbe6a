"""A zone for the air-quality tests: the power plant of the shared test registry, a disclosing
monitoring station with two air stations (AQ01, AQ02) and an undisclosed enterprise's own
fence-line station (AQ09); builders of hourly rows as stations send them (HJ 212-2017 App. B
units: PM ng/m3, gases mg/m3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import aggregate, enterprise, point

POWER = "91500000MA5U7AH918"
STATION_OWNER = "12500000MB" + "0000001" + credit_code_check_char("12500000MB0000001")
FENCE_OWNER = "91500112MA60XKQ2EE"

SO2, NO2, PM10, CO, O3, PM25 = "a21026", "a21004", "a34002", "a21005", "a05024", "a34004"

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": POWER, "name": "重庆示例热电有限公司", "district": "两江新区", "points": [
            {"code": "DA001", "name": "1号锅炉烟囱", "kind": "flue_gas", "reference_o2": 6.0,
             "device": {"mn": "010000A8900016F000169DC0", "password": "123456", "st": "31"}},
            {"code": "DW001", "name": "废水总排口", "kind": "wastewater",
             "device": {"mn": "010000A8900016F000169DC1", "password": "123456", "st": "32"}},
        ]},
        {"credit_code": STATION_OWNER, "name": "重庆市两江新区生态环境监测站",
         "district": "两江新区", "disclosed": True, "points": [
            {"code": "AQ01", "name": "礼嘉空气站", "kind": "ambient_air",
             "device": {"mn": "010000A8900016F000169DC4", "password": "123456", "st": "22"}},
            {"code": "AQ02", "name": "悦来空气站", "kind": "ambient_air",
             "device": {"mn": "010000A8900016F000169DC5", "password": "123456", "st": "22"}},
        ]},
        {"credit_code": FENCE_OWNER, "name": "重庆示例化工有限公司", "district": "重庆高新区",
         "points": [
            {"code": "AQ09", "name": "厂界空气站", "kind": "ambient_air",
             "device": {"mn": "010000A8900016F000169DC9", "password": "123456", "st": "22"}},
        ]},
    ],
}  # fmt: skip

DAY_1 = datetime(2026, 5, 1)  # device time, China Standard Time


def setup(url: str) -> tuple[sa.Engine, dict[str, int]]:
    """Migrate, import REGISTRY; the engine and ids by point code (AQ01, ...) and by owner."""
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(point.c.code, point.c.id)).all())
        owners = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
    ids.update(power=owners[POWER], station_owner=owners[STATION_OWNER], fence=owners[FENCE_OWNER])
    return engine, ids


def hour_row(point_id: int, code: str, t: datetime, avg: float, flag: str | None = "N"):
    return {
        "point_id": point_id,
        "pollutant": code,
        "kind": "hour",
        "data_time": t,
        "avg": avg,
        "flag": flag,
        "received_at": datetime.now(UTC),
    }


def hours(
    point_id: int, code: str, start: datetime, values: Iterable[float | None], flag: str = "N"
) -> list[dict[str, Any]]:
    """Consecutive device hourly values from `start`; None leaves the hour out."""
    return [
        hour_row(point_id, code, start + timedelta(hours=k), v, flag)
        for k, v in enumerate(values)
        if v is not None
    ]


def store(engine: sa.Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        upsert_measurements(conn, rows)


def computed(
    engine: sa.Engine, point_id: int, code: str, t: datetime, avg: float, valid: bool
) -> None:
    """A computed hourly value (table aggregate), as ecozone.monitoring writes it."""
    with engine.begin() as conn:
        conn.execute(
            aggregate.insert().values(
                point_id=point_id, pollutant=code, kind="hour", data_time=t, avg=avg,
                valid=valid, valid_count=60 if valid else 30, sample_count=60, flag="N",
                computed_at=datetime.now(UTC),
            )
        )  # fmt: skip
