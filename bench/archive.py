"""The measurement archive on PostgreSQL: archiving a big month, and a year's daily aggregate
read through DuckDB over archived months against the same over live PostgreSQL.

Makes its own database on the server of ECOZONE_BENCH_POSTGRES_URL (or
ECOZONE_TEST_POSTGRES_URL) and drops it at the end. Fills 2025 with minute data (kind
minute, four pollutants per point, one value a minute) server-side with generate_series:
January with --month-rows rows (default 10 million), February to December with
--other-rows each (default 1 million). Then times
1. the daily aggregate (count, mean, min, max per point, pollutant and day) of the whole
   year over live PostgreSQL;
2. archiving January (export, verify, detach and drop): rows/s, Parquet bytes against the
   partition's bytes (heap and indexes);
3. archiving February to December;
4. the same daily aggregate of the year through DuckDB over the twelve Parquet files.

    PYTHONPATH=src python bench/archive.py [--month-rows 10000000] [--other-rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ecozone.archive import parquet, read, service, store
from ecozone.archive.rules import Month
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade

POLLUTANTS = ("a21026", "a21002", "a34013", "a19001")
YEAR = 2025


def _server() -> str:
    url = os.environ.get("ECOZONE_BENCH_POSTGRES_URL") or os.environ.get(
        "ECOZONE_TEST_POSTGRES_URL"
    )
    if not url:
        raise SystemExit("set ECOZONE_BENCH_POSTGRES_URL (or ECOZONE_TEST_POSTGRES_URL)")
    return url


def _points(engine: sa.Engine, count: int) -> list[int]:
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO zone (name) VALUES ('bench')")
        conn.exec_driver_sql("INSERT INTO district (zone_id, name) VALUES (1, 'bench')")
        conn.exec_driver_sql(
            "INSERT INTO enterprise (credit_code, name, district_id) "
            "VALUES ('91500000MA5U7AH918', 'bench', 1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO point (enterprise_id, code, name, kind) SELECT 1, 'DA' || g, "
            "'stack ' || g, 'flue_gas' FROM generate_series(1, %(n)s) g",
            {"n": count},
        )
        return list(conn.exec_driver_sql("SELECT id FROM point ORDER BY id").scalars())


def _fill(engine: sa.Engine, month: Month, rows: int, points: list[int]) -> int:
    minutes = int((month.end - month.start).total_seconds() // 60)
    series = max(1, rows // minutes)
    per_point = len(POLLUTANTS)
    chosen = points[: (series + per_point - 1) // per_point]
    codes = ", ".join(f"('{c}')" for c in POLLUTANTS)
    with engine.begin() as conn:
        store.create_partition(conn, month)
        # Generated points exist: skip the per-row foreign-key trigger while filling.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        conn.exec_driver_sql(
            "INSERT INTO measurement (point_id, pollutant, kind, data_time, avg, min, max, flag, "
            "received_at) SELECT p, c, 'minute', t, 20 + 10 * random(), 15, 35, 'N', now() "
            f"FROM unnest(%(points)s::int[]) p CROSS JOIN (VALUES {codes}) v(c) "
            "CROSS JOIN generate_series(%(start)s::timestamp, %(last)s::timestamp, "
            "interval '1 minute') t",
            {"points": chosen, "start": month.start, "last": month.end - timedelta(minutes=1)},
        )  # fmt: skip
        return conn.exec_driver_sql(
            f"SELECT count(*) FROM {month.partition}").scalar_one()  # fmt: skip


def _partition_bytes(engine: sa.Engine, month: Month) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            f"SELECT pg_total_relation_size('{month.partition}')").scalar_one()  # fmt: skip


def _aggregate(engine: sa.Engine, live: bool) -> tuple[float, int]:
    options = {"bucket": "day", "kind": "minute", "start": datetime(YEAR, 1, 1),
               "end": datetime(YEAR + 1, 1, 1)}  # fmt: skip
    began = time.perf_counter()
    with engine.connect() as conn:
        rows = (read.live_period_means(conn, **options) if live
                else read.archived_period_means(conn, **options))  # fmt: skip
    return time.perf_counter() - began, len(rows)


PHASES: dict[str, float] = {}


def _timed(module: object, name: str, label: str) -> None:
    """Wrap module.name to add its wall time to PHASES[label] (this process only)."""
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - began

    setattr(module, name, wrapper)


def _phases() -> str:
    text = ", ".join(f"{k} {v:.1f} s" for k, v in PHASES.items())
    PHASES.clear()
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month-rows", type=int, default=10_000_000)
    parser.add_argument("--other-rows", type=int, default=1_000_000)
    args = parser.parse_args()

    server = sa.engine.make_url(_server())
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name)
    folder = Path(tempfile.mkdtemp(prefix="ecozone-archive-bench-"))
    engine = make_engine(url)
    try:
        upgrade(url)
        minutes_jan = 31 * 24 * 60
        points = _points(engine, args.month_rows // minutes_jan // len(POLLUTANTS) + 1)
        began = time.perf_counter()
        total = 0
        sizes = {}
        for m in range(1, 13):
            month = Month(YEAR, m)
            total += _fill(engine, month, args.month_rows if m == 1 else args.other_rows, points)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE measurement")
        for m in range(1, 13):
            sizes[m] = _partition_bytes(engine, Month(YEAR, m))
        print(f"filled {total:,} rows in {time.perf_counter() - began:.1f} s")

        live_s, groups = _aggregate(engine, live=True)
        print(f"daily aggregate of {YEAR}, live PostgreSQL: {live_s:.2f} s, {groups:,} groups")

        _timed(store, "month_figures", "count+checksum in PostgreSQL (x2)")
        _timed(store, "copy_month_csv", "COPY out")
        _timed(parquet, "write_sorted", "DuckDB CSV->sorted Parquet")
        _timed(parquet, "file_figures", "verify file")
        _timed(store, "drop_month", "detach+drop")
        jan = service.archive_month(engine, Month(YEAR, 1), actor="bench", archive_dir=folder)
        assert jan is not None
        print(
            f"archive {jan.month}: {jan.rows:,} rows in {jan.seconds:.1f} s = "
            f"{jan.rows / jan.seconds:,.0f} rows/s; Parquet {jan.file_bytes / 2**20:.1f} MiB "
            f"vs partition {sizes[1] / 2**20:.1f} MiB ({sizes[1] / jan.file_bytes:.1f}x)"
        )
        print(f"  phases: {_phases()}")
        rest_rows = rest_s = rest_bytes = 0.0
        for m in range(2, 13):
            done = service.archive_month(engine, Month(YEAR, m), actor="bench",
                                         archive_dir=folder)  # fmt: skip
            assert done is not None
            rest_rows += done.rows
            rest_s += done.seconds
            rest_bytes += done.file_bytes
        other = sum(sizes[m] for m in range(2, 13))
        print(
            f"archive Feb-Dec: {rest_rows:,.0f} rows in {rest_s:.1f} s = "
            f"{rest_rows / rest_s:,.0f} rows/s; Parquet {rest_bytes / 2**20:.1f} MiB "
            f"vs partitions {other / 2**20:.1f} MiB"
        )
        duck_s, duck_groups = _aggregate(engine, live=False)
        print(
            f"daily aggregate of {YEAR}, DuckDB over Parquet: {duck_s:.2f} s, "
            f"{duck_groups:,} groups ({live_s / duck_s:.1f}x the live read)"
        )
        assert duck_groups == groups
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
