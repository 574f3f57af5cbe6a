"""A migrated database (SQLite, then PostgreSQL) holding one enterprise with two outlets, and
helpers writing the aggregate and measurement rows the compliance checks read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import aggregate, measurement, point

CREDIT_CODE = "91500000MA5U7AH918"
MN_STACK = "010000A8900016F000169DC0"
MN_WATER = "010000A8900016F000169DC1"

REGISTRY = {
    "districts": ["两江新区"],
    "enterprises": [
        {
            "credit_code": CREDIT_CODE,
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "points": [
                {
                    "code": "DA001",
                    "name": "1号锅炉烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "device": {"mn": MN_STACK, "password": "123456", "st": "31"},
                },
                {
                    "code": "DW001",
                    "name": "废水总排口",
                    "kind": "wastewater",
                    "device": {"mn": MN_WATER, "password": "123456", "st": "32"},
                },
            ],
        }
    ],
}


def permit_file(
    *,
    permit_no: str = "91500000MA5U7AH918001P",
    valid_from: str = "2024-01-01",
    valid_to: str = "2028-12-31",
    stack_limits: list[dict[str, Any]] | None = None,
    water_limits: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if stack_limits is None:
        stack_limits = [
            {
                "pollutant": "a21026",
                "limit": 100,
                "unit": "mg/m3",
                "basis": "hour",
                "standard": "GB 13223-2011",
                "annual_cap_t": 50,
            }
        ]
    if water_limits is None:
        water_limits = [
            {
                "pollutant": "w01018",
                "limit": 60,
                "unit": "mg/L",
                "basis": "day",
                "standard": "GB 8978-1996",
            }
        ]
    return {
        "permits": [
            {
                "permit_no": permit_no,
                "credit_code": CREDIT_CODE,
                "class": "key",
                "valid_from": valid_from,
                "valid_to": valid_to,
                "outlets": [
                    {"code": "DA001", "limits": stack_limits},
                    {"code": "DW001", "limits": water_limits},
                ],
            }
        ]
    }


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    yield engine
    engine.dispose()


@pytest.fixture
def points(engine: sa.Engine) -> dict[str, int]:
    """Point ids by outlet code."""
    with engine.connect() as conn:
        return {row.code: row.id for row in conn.execute(sa.select(point.c.code, point.c.id))}


def put_aggregates(
    engine: sa.Engine,
    point_id: int,
    pollutant: str,
    first: datetime,
    values: list[float | None],
    *,
    kind: str = "hour",
    zs: list[float | None] | None = None,
    valid: list[bool] | None = None,
    device: list[float | None] | None = None,
    emission_kg: float | None = None,
) -> None:
    """Consecutive hour (or day) aggregates from `first`, one per value."""
    step = timedelta(hours=1) if kind == "hour" else timedelta(days=1)
    rows = []
    for i, value in enumerate(values):
        rows.append(
            {
                "point_id": point_id,
                "pollutant": pollutant,
                "kind": kind,
                "data_time": first + i * step,
                "avg": value,
                "min": value,
                "max": value,
                "zs_avg": zs[i] if zs is not None else None,
                "valid": valid[i] if valid is not None else True,
                "valid_count": 60 if kind == "hour" else 24,
                "sample_count": 60 if kind == "hour" else 24,
                "emission_kg": emission_kg,
                "flag": "N",
                "device_avg": device[i] if device is not None else None,
                "computed_at": datetime.now(UTC),
            }
        )
    with engine.begin() as conn:
        conn.execute(aggregate.insert(), rows)


def put_measurements(engine: sa.Engine, rows: list[dict[str, Any]]) -> None:
    """Measurement rows as the gateway stores them (received now unless given)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            measurement.insert(),
            [{"received_at": now, "avg": None, "flag": None} | row for row in rows],
        )
