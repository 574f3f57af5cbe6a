"""A one-enterprise registry (flue-gas stacks DA001 at 6 % and DA002 at 3 % reference O2,
wastewater outlet DW001) and builders of measurement rows for the monitoring tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import aggregate, enterprise, point

CREDIT_CODE = "91500000MA5U7AH918"
MN_STACK = "010000A8900016F000169DC0"
MN_WATER = "010000A8900016F000169DC1"
MN_STACK_2 = "010000A8900016F000169DC2"

REGISTRY = {
    "districts": ["两江新区"],
    "enterprises": [
        {
            "credit_code": CREDIT_CODE,
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "points": [
                {"code": "DA001", "name": "1号锅炉烟囱", "kind": "flue_gas", "reference_o2": 6.0,
                 "device": {"mn": MN_STACK, "password": "123456", "st": "31"}},
                {"code": "DW001", "name": "废水总排口", "kind": "wastewater",
                 "device": {"mn": MN_WATER, "password": "123456", "st": "32"}},
                {"code": "DA002", "name": "2号锅炉烟囱", "kind": "flue_gas", "reference_o2": 3.0,
                 "device": {"mn": MN_STACK_2, "password": "123456", "st": "31"}},
            ],
        }
    ],
}  # fmt: skip

DAY_1 = datetime(2024, 5, 1)  # device time, China Standard Time
DAY_2 = datetime(2024, 5, 2)

SO2, NOX, O2, GAS_FLOW = "a21026", "a21002", "a19001", "a00000"
COD, WATER_FLOW = "w01018", "w00000"


def setup(url: str) -> tuple[sa.Engine, int, int]:
    """Migrate the database at `url`, import REGISTRY; the engine and the ids of DA001, DW001."""
    upgrade(url)
    engine = make_engine(url)
    import_registry(engine, REGISTRY)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(point.c.code, point.c.id)).all())
    return engine, ids["DA001"], ids["DW001"]


def point_id(engine: sa.Engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(point.c.id).where(point.c.code == code)).scalar_one()


def disclose(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(enterprise).values(disclosed=True))


def store(engine: sa.Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        upsert_measurements(conn, rows)


def minutes(
    point_id: int,
    pollutant: str,
    hour: datetime,
    values: Iterable[tuple[float, str | None]],
    **extra: Any,
) -> list[dict[str, Any]]:
    """Minute rows of one hour: the i-th (avg, flag) at hour + i minutes."""
    return [
        {"point_id": point_id, "kind": "minute", "pollutant": pollutant,
         "data_time": hour + timedelta(minutes=i), "avg": avg, "flag": flag, **extra}
        for i, (avg, flag) in enumerate(values)
    ]  # fmt: skip


def full_hour(point_id: int, pollutant: str, hour: datetime, avg: float) -> list[dict[str, Any]]:
    return minutes(point_id, pollutant, hour, [(avg, "N")] * 60)


def device_period(
    point_id: int, pollutant: str, kind: str, when: datetime, avg: float, flag: str = "N", **extra
) -> dict[str, Any]:
    return {"point_id": point_id, "kind": kind, "pollutant": pollutant, "data_time": when,
            "avg": avg, "flag": flag, **extra}  # fmt: skip


def aggregates(engine: sa.Engine, **where: Any) -> dict[tuple, dict[str, Any]]:
    """Stored aggregates keyed by (point_id, kind, pollutant, data_time), without computed_at."""
    stmt = sa.select(aggregate)
    for name, value in where.items():
        stmt = stmt.where(aggregate.c[name] == value)
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(stmt).mappings()]
    out = {}
    for row in rows:
        row.pop("computed_at")
        out[(row["point_id"], row["kind"], row["pollutant"], row["data_time"])] = row
    return out


def one(engine: sa.Engine, point_id: int, kind: str, pollutant: str, when: datetime) -> dict:
    return aggregates(engine)[(point_id, kind, pollutant, when)]
