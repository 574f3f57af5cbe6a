"""A migrated database (SQLite, then PostgreSQL) with one enterprise: a flue-gas outlet with
its analyser and a power logger metering a production line and its dust collector."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import measurement

CREDIT_CODE = "91500000MA5U7AH918"
MN_STACK = "010000A8900016F000169DC0"
MN_POWER = "010000A8900016F000169DE4"
DAY = datetime(2026, 11, 2)

REGISTRY = {
    "districts": ["两江新区"],
    "enterprises": [
        {
            "credit_code": CREDIT_CODE,
            "name": "重庆示例铸造有限公司",
            "district": "两江新区",
            "points": [
                {
                    "code": "DA001",
                    "name": "熔炼烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "device": {"mn": MN_STACK, "password": "123456", "st": "31"},
                },
                {
                    "code": "PE001",
                    "name": "用电监控终端",
                    "kind": "power",
                    "device": {"mn": MN_POWER, "password": "123456", "st": "44"},
                },
            ],
        }
    ],
}

POWER_FILE = {
    "enterprise": CREDIT_CODE,
    "facilities": [
        {
            "code": "MF0001",
            "name": "1号熔炼线",
            "role": "production",
            "kind": "production_line",
            "emission_factors": [
                {"pollutant": "a34013", "kg_per_kwh": 0.015, "source": "测试用系数"}
            ],
            "meters": [
                {
                    "code": "M1",
                    "rated_kw": 100,
                    "channels": [{"mn": MN_POWER, "code": "d20405", "quantity": "power_kw"}],
                }
            ],
        },
        {
            "code": "TA001",
            "name": "布袋除尘器",
            "role": "control",
            "kind": "dust_removal",
            "outlet": "DA001",
            "serves": ["MF0001"],
            "meters": [
                {
                    "code": "M2",
                    "rated_kw": 50,
                    "channels": [{"mn": MN_POWER, "code": "d30406", "quantity": "power_kw"}],
                }
            ],
        },
    ],
    "responses": [
        {"facility": "MF0001", "level": "yellow", "requirement": "limit", "quota_kw": 60},
        {"facility": "MF0001", "level": "red", "requirement": "stop"},
    ],
    "orders": [
        {
            "facility": "MF0001",
            "start": "2026-11-02T21:00:00",
            "end": "2026-11-02T23:00:00",
            "requirement": "stop",
            "level": "橙色预警",
        }
    ],
}


def minute(hh: int, mm: int) -> int:
    return hh * 60 + mm


def day_series(default: float, *spans: tuple[int, int, float]) -> np.ndarray:
    """A day of minute values; non-zero values wobble by 0.2 every other minute."""
    values = np.full(1440, default)
    for start, end, value in spans:
        values[start:end] = value
    return values + np.where(values > 0, 0.2 * (np.arange(1440) % 2), 0)


def put_series(
    engine: sa.Engine,
    point_id: int,
    code: str,
    values: np.ndarray,
    *,
    kind: str = "rtd",
    flags: list[str] | None = None,
) -> None:
    """One row per minute of DAY, as the gateway stores real-time (or minute) data."""
    now = datetime.now(UTC)
    column = "rtd" if kind == "rtd" else "avg"
    rows = [
        {
            "point_id": point_id,
            "pollutant": code,
            "kind": kind,
            "data_time": DAY + timedelta(minutes=i),
            column: float(v),
            "flag": flags[i] if flags else "N",
            "received_at": now,
        }
        for i, v in enumerate(values)
    ]
    with engine.begin() as conn:
        conn.execute(measurement.insert(), rows)


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
