"""Query latency over a large measurement table (default ~100 million rows).

Loads synthetic data straight into the database (set-based SQL, no Python loop
over rows): P points x 6 pollutants of 10-minute data over D days plus their
hourly data, then times two queries through ecozone.measurements.query:
  - one point's minute data for 30 days (every pollutant),
  - the whole zone's hourly data for one day.
Prints load rate, table size, and latency p50/p95 over repeated runs.

    python bench/query.py --engine postgres            # ~100 M rows
    python bench/query.py --engine sqlite --points 100 --days 30   # quick
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from ecozone.measurements.service import query
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

CODES = ("a21026", "a21002", "a34013", "a19001", "a01012", "a00000")
START = datetime(2026, 1, 1)


_PG_LOAD = """
INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, min, max, flag, received_at)
SELECT pt, CAST(:kind AS varchar), c, t, 20 + random() * 10, 15, 35, 'N', now()
FROM generate_series(CAST(:p0 AS int), CAST(:p1 AS int)) pt, unnest(ARRAY[{codes}]) c,
     {times} t
ORDER BY pt, c, t
"""
_SQLITE_LOAD = """
WITH RECURSIVE t(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM t WHERE n + 1 < :count),
     pt(i) AS (SELECT :p0 UNION ALL SELECT i + 1 FROM pt WHERE i + 1 <= :p1),
     c(code) AS (VALUES {values})
INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, min, max, flag, received_at)
SELECT i, :kind, code,
       strftime('%Y-%m-%d %H:%M:%S.000000', :start, '+' || (n * :step) || ' seconds'),
       20 + (abs(random()) % 1000) / 100.0, 15, 35, 'N',
       strftime('%Y-%m-%d %H:%M:%S.000000', 'now')
FROM pt, c, t ORDER BY i, code, n
"""


def load(engine: sa.Engine, points: int, days: int) -> int:
    end = START + timedelta(days=days)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO zone (id, name) VALUES (1, 'bench')"))
        conn.execute(sa.text("INSERT INTO district (id, zone_id, name) VALUES (1, 1, 'bench')"))
        conn.execute(
            sa.text(
                "INSERT INTO enterprise (id, credit_code, credit_code_verified, name, district_id,"
                " created_at, disclosed) VALUES (1, '91500000BENCH00001', false, 'bench', 1,"
                " CURRENT_TIMESTAMP, false)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO point (id, enterprise_id, code, name, kind)"
                " VALUES (:i, 1, :c, :c, 'flue_gas')"
            ),
            [{"i": i, "c": f"DA{i:04d}"} for i in range(1, points + 1)],
        )
        conn.execute(
            sa.text(
                "INSERT INTO device (point_id, mn, password, st, lenient)"
                " VALUES (:i, :m, 'x', '31', false)"
            ),
            [{"i": i, "m": f"0B{i:022X}"} for i in range(1, points + 1)],
        )
    codes = ", ".join(f"'{c}'" for c in CODES)
    if engine.dialect.name == "postgresql":
        for kind, step in (("minute", "10 minutes"), ("hour", "1 hour")):
            times = (
                "generate_series(CAST(:start AS timestamp),"
                f" CAST(:end AS timestamp) - interval '{step}', interval '{step}')"
            )
            for p in range(1, points + 1, 50):
                with engine.begin() as conn:
                    # Synthetic bulk data: durability of each load transaction is not needed.
                    conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
                    conn.execute(sa.text(_PG_LOAD.format(codes=codes, times=times)), {
                        "kind": kind, "p0": p, "p1": min(p + 49, points), "start": START, "end": end
                    })  # fmt: skip
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE measurement"))
    else:
        values = ", ".join(f"({x})" for x in codes.split(", "))
        for kind, step_s, count in (("minute", 600, days * 144), ("hour", 3600, days * 24)):
            for p in range(1, points + 1, 50):
                with engine.begin() as conn:
                    conn.execute(sa.text(_SQLITE_LOAD.format(values=values)), {
                        "count": count, "p0": p, "p1": min(p + 49, points), "kind": kind,
                        "step": step_s, "start": START.isoformat(" "),
                    })  # fmt: skip
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM measurement")).scalar_one()


def timed(fn, repeat: int) -> tuple[float, float, int]:
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(fn())
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--days", type=int, default=111)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    admin = name = None
    if args.engine == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        base = os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        name = f"ecozone_qbench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
        t = time.perf_counter()
        rows = load(engine, args.points, args.days)
        elapsed = time.perf_counter() - t
        print(f"engine={args.engine} points={args.points} days={args.days}")
        print(f"loaded {rows:,} rows in {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s)", flush=True)
        mn = f"0B{1 + args.points // 2:022X}"
        day = START + timedelta(days=args.days // 2)
        cases = {
            "one point, minute data, 30 days": lambda: query(
                engine, mn=mn, kind="minute", start=day - timedelta(days=30), end=day
            ),
            "whole zone, hourly data, 1 day": lambda: query(
                engine, kind="hour", start=day, end=day + timedelta(days=1)
            ),
        }
        for label, fn in cases.items():
            p50, p95, n = timed(fn, args.repeat)
            print(f"{label}: {n:,} rows, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
