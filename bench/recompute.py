"""Wall time, values per second and peak memory of ecozone.monitoring.recompute.

Fills a fresh database with minute data of flue-gas points (default: one year of 50 points x
6 parameters, 157.7 million values) by a bulk path that runs inside the database (INSERT ...
SELECT over a minute series, the secondary index dropped during the load and built after),
then times recompute() of every hour and day. Memory: the Python heap peak (tracemalloc,
which NumPy reports to) and the process's peak resident size (ru_maxrss). PostgreSQL runs
when ECOZONE_BENCH_POSTGRES_URL or ECOZONE_TEST_POSTGRES_URL names a server; a scratch
database is created there and dropped afterwards. The full run needs about 25 GB of disk per
engine; --points and --days make a quick one.

    PYTHONPATH=src python bench/recompute.py [--points 50] [--days 365] [--engine sqlite]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import platform
import resource
import sqlite3
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ecozone.monitoring import recompute, update_for_rows
from ecozone.store import schema
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade_engine

START = datetime(2025, 1, 1)
# (code, low, high): SO2, NOx, particulates (mg/m3), O2 (%), flow (m3/s), temperature (°C).
PARAMETERS = (
    ("a21026", 20.0, 80.0),
    ("a21002", 50.0, 150.0),
    ("a34013", 2.0, 10.0),
    ("a19001", 6.0, 12.0),
    ("a00000", 20.0, 60.0),
    ("a01012", 80.0, 140.0),
)
INDEX = "ix_measurement_point_id_kind_data_time"
RECEIVED = "2025-01-01 00:00:00.000000"

# A value in [low, high) from the row's random(); about 1 % of values flagged M and 0.5 % C.
_SQLITE_VALUE = "p.low + (abs(random()) % 1000000) * (p.high - p.low) / 1000000.0"
_SQLITE_FLAG = (
    "CASE abs(random()) % 200 WHEN 0 THEN 'M' WHEN 1 THEN 'M' WHEN 2 THEN 'C' ELSE 'N' END"
)
_PG_FLAG = (
    "CASE WHEN random() < 0.015 THEN (CASE WHEN random() < 0.667 THEN 'M' ELSE 'C' END) "
    "ELSE 'N' END"
)


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
                 "kind": "flue_gas", "reference_o2": 6.0}
                for i in range(1, count + 1)
            ],
        )  # fmt: skip
        return list(conn.scalars(sa.select(schema.point.c.id).order_by(schema.point.c.id)))


def load_sqlite(engine: sa.Engine, points: list[int], days: int) -> None:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute(f"DROP INDEX {INDEX}")
        cur.execute("CREATE TEMP TABLE minutes (t TEXT PRIMARY KEY) WITHOUT ROWID")
        cur.executemany(
            "INSERT INTO minutes VALUES (?)",
            (
                ((START + timedelta(minutes=i)).isoformat(" ", "microseconds"),)
                for i in range(days * 1440)
            ),
        )
        cur.execute(
            "CREATE TEMP TABLE params (code TEXT PRIMARY KEY, low REAL, high REAL) WITHOUT ROWID"
        )
        cur.executemany("INSERT INTO params VALUES (?, ?, ?)", PARAMETERS)
        for point_id in points:
            cur.execute("BEGIN")
            cur.execute(
                "INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, flag, "
                f"received_at) SELECT ?, 'minute', p.code, m.t, {_SQLITE_VALUE}, {_SQLITE_FLAG}, "
                f"'{RECEIVED}' FROM params AS p CROSS JOIN minutes AS m ORDER BY p.code, m.t",
                (point_id,),
            )
            cur.execute("COMMIT")
        cur.execute(f"CREATE INDEX {INDEX} ON measurement (point_id, kind, data_time)")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()


def load_postgres(engine: sa.Engine, points: list[int], days: int) -> None:
    """Rows go in time order, every point's minute side by side, as the gateway writes them
    (so one point's rows are spread over the whole table, as in production). Two connections
    take alternate days; the key and index are built afterwards (one sort each instead of
    158 million b-tree inserts)."""
    params = ", ".join(f"('{code}', {low}, {high})" for code, low, high in PARAMETERS)
    ids = ", ".join(str(point_id) for point_id in points)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP INDEX {INDEX}")
        conn.exec_driver_sql("ALTER TABLE measurement DROP CONSTRAINT pk_measurement")
        conn.commit()

    def insert(share: list[int]) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET synchronous_commit = off")
            for day in share:
                start = START + timedelta(days=day)
                conn.exec_driver_sql(
                    "INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, flag, "
                    "received_at) SELECT i, 'minute', p.code, t, "
                    "p.low + random() * (p.high - p.low), "
                    f"{_PG_FLAG}, '{RECEIVED}+00' "
                    f"FROM generate_series(%(start)s::timestamp, %(end)s::timestamp, "
                    "interval '1 minute') AS t "
                    f"CROSS JOIN unnest(ARRAY[{ids}]) AS i "
                    f"CROSS JOIN (VALUES {params}) AS p (code, low, high) ORDER BY t, i, p.code",
                    {"start": start, "end": start + timedelta(days=1) - timedelta(minutes=1)},
                )
                conn.commit()

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(insert, [list(range(0, days, 2)), list(range(1, days, 2))]))
    with engine.connect() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        conn.exec_driver_sql(
            "ALTER TABLE measurement ADD CONSTRAINT pk_measurement "
            "PRIMARY KEY (point_id, kind, pollutant, data_time)"
        )
        conn.exec_driver_sql(f"CREATE INDEX {INDEX} ON measurement (point_id, kind, data_time)")
        conn.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE measurement")


@contextmanager
def sqlite_database(directory: str | None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(dir=directory) as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def stream(engine: sa.Engine, ids: list[int], days: int, minutes: int) -> None:
    """update_for_rows after each of `minutes` one-minute commits of every point's values
    (already stored: the hook's own cost, as after a gateway group commit)."""
    first = START + timedelta(days=days - 1, hours=12)
    times = []
    for i in range(minutes):
        when = first + timedelta(minutes=i)
        rows = [{"point_id": point_id, "kind": "minute", "pollutant": code, "data_time": when}
                for point_id in ids for code, _, _ in PARAMETERS]  # fmt: skip
        started = time.perf_counter()
        update_for_rows(engine, rows)
        times.append(time.perf_counter() - started)
    times.sort()
    rows = len(ids) * len(PARAMETERS)
    print(f"  streaming: update_for_rows after a commit of {rows} rows ({len(ids)} points x "
          f"{len(PARAMETERS)}): median {times[len(times) // 2] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms over {minutes} commits")  # fmt: skip


def run(url: str, points: int, days: int, workers: int, stream_minutes: int) -> None:
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
        ids = seed_points(engine, points)
        values = len(ids) * len(PARAMETERS) * days * 1440
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            load_sqlite(engine, ids, days)
        else:
            load_postgres(engine, ids, days)
        loaded = time.perf_counter() - started
        print(f"  load: {values:,} minute values in {loaded:.1f} s "
              f"({values / loaded:,.0f} values/s)")  # fmt: skip

        tracemalloc.start()
        started = time.perf_counter()
        summary = recompute(engine, workers=workers)
        wall = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  recompute (workers={workers}): {wall:.1f} s, {values / wall:,.0f} values/s; "
            f"{summary.hours_written:,} hours and {summary.days_written:,} days written"
        )
        print(f"  memory: Python heap peak {peak / 2**20:.1f} MB (tracemalloc), "
              f"process peak RSS {maxrss_mb:.0f} MB (ru_maxrss, includes the load)")  # fmt: skip
        if stream_minutes:
            stream(engine, ids, days, stream_minutes)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="points recomputed at once (default: 1 on SQLite, 2 on PostgreSQL)",
    )
    parser.add_argument("--dir", default=None, help="folder for the SQLite file (default: tmp)")
    parser.add_argument(
        "--stream-minutes",
        type=int,
        default=10,
        help="then time update_for_rows after this many one-minute commits",
    )
    args = parser.parse_args()  # fmt: skip

    values = args.points * len(PARAMETERS) * args.days * 1440
    print(f"recompute: {args.points} points x {len(PARAMETERS)} parameters x {args.days} days "
          f"of minute data = {values:,} values; {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")  # fmt: skip
    if args.engine in ("sqlite", "both"):
        with sqlite_database(args.dir) as url:
            print(f"SQLite {sqlite3.sqlite_version} at {url}")
            run(url, args.points, args.days, args.workers or 1, args.stream_minutes)
    if args.engine in ("postgres", "both"):
        server = os.environ.get("ECOZONE_BENCH_POSTGRES_URL") or os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL"
        )
        if not server:
            print("PostgreSQL: skipped (set ECOZONE_BENCH_POSTGRES_URL)")
            return
        with postgres_database(server) as url:
            print(f"PostgreSQL at {display_url(url)}")
            run(url, args.points, args.days, args.workers or 2, args.stream_minutes)


if __name__ == "__main__":
    main()
