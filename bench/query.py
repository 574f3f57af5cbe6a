"""Query latency over a large measurement table (default 100.8 million rows).

Loads synthetic data once (bench/_query_load.py: set-based SQL, no Python loop over rows) —
P points x 6 pollutants of 10-minute data over D days plus their hourly data — into a
database kept for the next run: PostgreSQL `ecozone_bench_query` (created here), or an
SQLite file. Then times, median and p95 over repeated runs, two reads:
  - one point's minute data for 30 days (every pollutant, 25,920 rows at the defaults),
  - the whole zone's hourly data for one day (144,000 rows at the defaults),
each through
  - the row path (service.query: a JSON-ready dict per row, as before),
  - the columnar path (service.query_columns: Arrow columns), alone and with the API's
    JSON items written from them (service.render_columns),
  - on PostgreSQL, `COPY (SELECT the same rows) TO STDOUT (FORMAT BINARY)` read by psycopg
    (the bytes only: the floor of any read), with the ratio of its time to the columnar
    path's; on SQLite, the sqlite3 driver's fetchall of the same SQL.

    PYTHONPATH=src:. python bench/query.py --engine postgres  # 100.8 M rows
    PYTHONPATH=src:. python bench/query.py --engine sqlite --points 200 --days 100  # 20.2 M
    PYTHONPATH=src:. python bench/query.py --engine sqlite --points 20 --days 10 --repeat 3  # quick
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from bench._query_load import START, load_postgres, load_sqlite, rows_for

from ecozone.measurements import service, store
from ecozone.store.arrow import READ_SESSION, time_literal
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

_META = "bench_query_meta"


def _loaded(engine: sa.Engine, points: int, days: int) -> bool:
    """Whether the database already holds this load (a row in the bench's own table)."""
    with engine.begin() as conn:
        if not sa.inspect(conn).has_table(_META):
            return False
        found = conn.execute(sa.text(f"SELECT points, days FROM {_META}")).first()
    return found is not None and tuple(found) == (points, days)


def _mark_loaded(engine: sa.Engine, points: int, days: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {_META} (points int, days int)"))
        conn.execute(sa.text(f"DELETE FROM {_META}"))
        conn.execute(sa.text(f"INSERT INTO {_META} VALUES ({points}, {days})"))


def prepare(args: argparse.Namespace) -> sa.Engine:
    if args.engine == "sqlite":
        path = Path(args.sqlite_dir or tempfile.gettempdir()) / (
            f"ecozone_bench_query_{args.points}x{args.days}.db"
        )
        url = f"sqlite:///{path}"
    else:
        base = os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            exists = c.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": args.database}
            ).first()
            if exists is None:
                c.execute(sa.text(f'CREATE DATABASE "{args.database}"'))
        admin.dispose()
        url = sa.engine.make_url(base).set(database=args.database)
        url = url.render_as_string(hide_password=False)
    engine = make_engine(url)
    if _loaded(engine, args.points, args.days):
        print(f"{args.engine}: {rows_for(args.points, args.days):,} rows already loaded ({url})")
        return engine
    upgrade_engine(engine)
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT count(*) FROM point")).scalar_one():
            raise SystemExit(f"{url} holds another load; drop it (or pass --database) first")
    t = time.perf_counter()
    loader = load_postgres if args.engine == "postgres" else load_sqlite
    loader(engine, args.points, args.days, log=lambda s: print(s, flush=True))
    elapsed = time.perf_counter() - t
    rows = rows_for(args.points, args.days)
    print(f"loaded {rows:,} rows in {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s)", flush=True)
    _mark_loaded(engine, args.points, args.days)
    return engine


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and the median CPU time of this process (the Python side:
    on a shared machine it moves less than the wall time)."""
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
    return statistics.median(times), p95, statistics.median(cpu)


def _copy_sql(engine: sa.Engine, point_ids: list[int], kind: str, start, end) -> str:
    names = ", ".join(f'"{n}"' for n in store.READ_COLUMNS["measurement"])
    return (
        f"SELECT {names} FROM measurement WHERE point_id IN ({', '.join(map(str, point_ids))})"
        f" AND kind = '{kind}' AND data_time >= {time_literal(start)}"
        f" AND data_time < {time_literal(end)} ORDER BY {', '.join(store.API_ORDER)}"
    )


def _copy_binary(engine: sa.Engine, sql: str) -> int:
    raw = engine.raw_connection()
    try:
        size = 0
        cur = raw.driver_connection.cursor()
        for statement in READ_SESSION:  # the session the columnar read runs in
            cur.execute(statement)
        with cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
            for block in copy:
                size += len(block)
        raw.driver_connection.rollback()
        return size
    finally:
        raw.close()


def _fetchall(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return len(conn.exec_driver_sql(sql).cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--old-repeat", type=int, default=3, help="runs of the row path")
    parser.add_argument("--database", default="ecozone_bench_query", help="PostgreSQL database")
    parser.add_argument("--sqlite-dir", default=None, help="where the SQLite file is kept")
    args = parser.parse_args()
    engine = prepare(args)
    mid = 1 + args.points // 2
    mn = f"0B{mid:022X}"
    day = START + timedelta(days=args.days // 2)
    cases = {
        "one point, minute data, 30 days": (
            dict(mn=mn, kind="minute", start=day - timedelta(days=30), end=day),
            [mid],
        ),
        "whole zone, hourly data, 1 day": (
            dict(kind="hour", start=day, end=day + timedelta(days=1)),
            list(range(1, args.points + 1)),
        ),
    }
    print(f"engine={args.engine} points={args.points} days={args.days} repeat={args.repeat}")
    for label, (query, point_ids) in cases.items():
        table, labels = service.query_columns(engine, **query)
        old = service.query(engine, **query)
        body = service.render_columns(table, labels, "raw", "json")
        # the two paths give the same rows, byte for byte
        assert body.decode() == json.dumps(old, ensure_ascii=False, separators=(",", ":"))[1:-1]
        n = len(old)
        del old
        print(f"{label}: {n:,} rows, JSON items {len(body) / 2**20:.1f} MiB")
        sql = _copy_sql(engine, point_ids, query["kind"], query["start"], query["end"])
        results = {
            "row path (dicts)": timed(lambda q=query: service.query(engine, **q), args.old_repeat),
            "columns": timed(lambda q=query: service.query_columns(engine, **q), args.repeat),
            "columns + JSON": timed(
                lambda q=query: service.render_columns(
                    *service.query_columns(engine, **q), "raw", "json"
                ),
                args.repeat,
            ),
            "columns + CSV": timed(
                lambda q=query: service.render_columns(
                    *service.query_columns(engine, **q), "raw", "csv"
                ),
                args.repeat,
            ),
        }
        if args.engine == "postgres":
            floor = "COPY binary (psycopg)"
            results[floor] = timed(lambda s=sql: _copy_binary(engine, s), args.repeat)
        else:
            floor = "sqlite3 fetchall"
            sqlite_sql = sql.replace(
                '"data_time"',
                "CAST(strftime('%s', data_time) AS INTEGER) * 1000000"
                " + CAST(substr(data_time, 21, 6) AS INTEGER)",
                1,
            )
            results[floor] = timed(lambda s=sqlite_sql: _fetchall(engine, s), args.repeat)
        for name, (p50, p95, cpu) in results.items():
            print(
                f"  {name:24} p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms"
                f"  client CPU {cpu * 1000:7.1f} ms"
            )
        base = results[floor][0]
        for name in ("columns", "columns + JSON"):
            ratio = base / results[name][0]
            print(f"  speed of {name} / {floor}: {ratio:.2f}")
        gain = results["row path (dicts)"][0] / results["columns + JSON"][0]
        print(f"  row path / columns + JSON: {gain:.1f}x")
    engine.dispose()


if __name__ == "__main__":
    main()
