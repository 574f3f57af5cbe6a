"""Rows per second of ecozone.measurements.store.upsert_measurements, SQLite and PostgreSQL.

Writes 100,000 minute rows (100 points x 20 pollutants x 50 minutes) in one
transaction into an empty, freshly migrated database, then the same rows
again, which all hit the conflict path and update in place. Each figure
includes the commit. PostgreSQL runs when ECOZONE_BENCH_POSTGRES_URL or
ECOZONE_TEST_POSTGRES_URL names a server; a scratch database is created
there and dropped afterwards.

    PYTHONPATH=src python bench/store_upsert.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.store import schema
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade_engine

POLLUTANTS = [f"a{21000 + i:05d}" for i in range(20)]


def make_rows(n: int, points: list[int]) -> list[dict]:
    received = datetime.now(UTC)
    start = datetime(2025, 1, 1, 0, 0)
    per_minute = len(points) * len(POLLUTANTS)
    rows = []
    for i in range(n):
        minute, rest = divmod(i, per_minute)
        p, q = divmod(rest, len(POLLUTANTS))
        rows.append(
            {
                "point_id": points[p],
                "kind": "minute",
                "pollutant": POLLUTANTS[q],
                "data_time": start + timedelta(minutes=minute),
                "avg": 12.5 + i % 7,
                "min": 10.0,
                "max": 15.0,
                "zs_avg": 13.1,
                "flag": "N",
                "received_at": received,
            }
        )
    return rows


def seed_points(engine: sa.Engine, count: int) -> list[int]:
    with engine.begin() as conn:
        zone_id = conn.execute(schema.zone.insert().values(name="bench")).inserted_primary_key[0]
        district_id = conn.execute(
            schema.district.insert().values(zone_id=zone_id, name="bench")
        ).inserted_primary_key[0]
        enterprise_id = conn.execute(
            schema.enterprise.insert().values(
                credit_code="91500000MA5U7AH918", name="bench", district_id=district_id
            )
        ).inserted_primary_key[0]
        conn.execute(
            schema.point.insert(),
            [
                {"enterprise_id": enterprise_id, "code": f"DA{i:03d}", "name": f"stack {i}",
                 "kind": "flue_gas"}
                for i in range(count)
            ],
        )  # fmt: skip
        return list(conn.scalars(sa.select(schema.point.c.id).order_by(schema.point.c.id)))


def timed_upsert(engine: sa.Engine, rows: list[dict]) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
    return len(rows) / (time.perf_counter() - started)


def run(label: str, engine: sa.Engine, n: int) -> None:
    upgrade_engine(engine)
    rows = make_rows(n, seed_points(engine, 100))
    fresh = timed_upsert(engine, rows)
    again = timed_upsert(engine, rows)
    with engine.connect() as conn:
        stored = conn.scalar(sa.select(sa.func.count()).select_from(schema.measurement))
    assert stored == n, f"{stored} rows stored, expected {n}"
    print(f"{label:<28} insert {fresh:>9,.0f} rows/s   re-upsert {again:>9,.0f} rows/s")


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str]:
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    n = parser.parse_args().rows
    machine = platform.processor() or platform.machine()
    print(
        f"{n:,} measurement rows; {platform.node()}, {machine}, {os.cpu_count()} CPUs,"
        f" Python {platform.python_version()}, SQLAlchemy {sa.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for sync in ("FULL", "NORMAL"):
            engine = make_engine(f"sqlite:///{Path(tmp) / sync}.db", sqlite_synchronous=sync)
            run(f"SQLite (synchronous={sync})", engine, n)
            engine.dispose()
    server = os.environ.get("ECOZONE_BENCH_POSTGRES_URL") or os.environ.get(
        "ECOZONE_TEST_POSTGRES_URL"
    )
    if not server:
        print("PostgreSQL: skipped (set ECOZONE_BENCH_POSTGRES_URL)")
        return
    with scratch_postgres(server) as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        run(f"PostgreSQL {version}", engine, n)
        print(f"  ({display_url(url)})")
        engine.dispose()


if __name__ == "__main__":
    main()
