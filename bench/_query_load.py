"""Set-based loaders of the query benchmark's synthetic measurement table (bench/query.py)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from ecozone.archive.service import ensure_partitions

CODES = ("a21026", "a21002", "a34013", "a19001", "a01012", "a00000")
START = datetime(2026, 1, 1)
#: (kind, seconds between values): 10-minute "minute" data and hourly data, as the devices send.
SERIES = (("minute", 600), ("hour", 3600))


def rows_for(points: int, days: int) -> int:
    return points * len(CODES) * sum(days * 86400 // step for _, step in SERIES)


def registry(conn: sa.Connection, points: int) -> None:
    """One zone, district and enterprise, `points` flue-gas points DA0001... each with a device."""
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


# Values: avg 20-30, min/max fixed, zs_avg on a third of the rows (NULL elsewhere), flag N
# with one row in a hundred D (fault) and one in a thousand with no flag at all.
_PG_LOAD = """
INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, min, max, zs_avg, flag,
                         received_at, resent)
SELECT pt, CAST(:kind AS varchar), c, t, round((20 + random() * 10)::numeric, 3)::float8, 15, 35,
       CASE WHEN pt % 3 = 0 THEN round((30 + random() * 10)::numeric, 3)::float8 END,
       CASE WHEN random() < 0.001 THEN NULL WHEN random() < 0.01 THEN 'D' ELSE 'N' END,
       t - interval '8 hours' + interval '30 seconds', false
FROM generate_series(CAST(:p0 AS int), CAST(:p1 AS int)) pt, unnest(ARRAY[{codes}]) c,
     generate_series(CAST(:start AS timestamp), CAST(:end AS timestamp) - interval '{step} seconds',
                     interval '{step} seconds') t
ORDER BY pt, c, t
"""


def load_postgres(engine: sa.Engine, points: int, days: int, log=print) -> None:
    """The rows straight into the table, its key and index dropped while loading and built
    once at the end, foreign-key triggers off (session_replication_role), each batch of
    points its own unsynchronised commit; then VACUUM ANALYZE so the first reads do not
    pay for hint bits."""
    end = START + timedelta(days=days)
    codes = ", ".join(f"'{c}'" for c in CODES)
    # The monthly partitions, as the platform makes them ahead of time (else every row
    # would land in the DEFAULT partition).
    ensure_partitions(engine, START, ahead=(end.year - START.year) * 12 + end.month - START.month)
    with engine.begin() as conn:
        registry(conn, points)
        keys = (
            conn.execute(
                sa.text(
                    "SELECT conname FROM pg_constraint WHERE conrelid = 'measurement'::regclass"
                    " AND contype = 'p'"
                )
            )
            .scalars()
            .all()
        )
        for name in keys:
            conn.execute(sa.text(f'ALTER TABLE measurement DROP CONSTRAINT "{name}"'))
        indexes = conn.execute(
            sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'measurement'")
        ).all()
        for name, _ in indexes:
            conn.execute(sa.text(f'DROP INDEX "{name}"'))
    t0 = time.perf_counter()
    done = 0
    for kind, step in SERIES:
        for p in range(1, points + 1, 50):
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                done += conn.execute(sa.text(_PG_LOAD.format(codes=codes, step=step)), {
                    "kind": kind, "p0": p, "p1": min(p + 49, points), "start": START, "end": end,
                }).rowcount  # fmt: skip
            log(f"  {done:,} rows, {time.perf_counter() - t0:.0f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SET maintenance_work_mem = '2GB'"))
        for name in keys:
            t = time.perf_counter()
            conn.execute(
                sa.text(
                    f'ALTER TABLE measurement ADD CONSTRAINT "{name}"'
                    " PRIMARY KEY (point_id, kind, pollutant, data_time)"
                )
            )
            log(f"  key {name} in {time.perf_counter() - t:.0f} s")
        for _, definition in indexes:
            if "_pkey" in definition:
                continue
            # pg_indexes shows a partitioned table's index ON ONLY the parent: built like
            # that, no partition would get it.
            definition = definition.replace(" ON ONLY ", " ON ")
            t = time.perf_counter()
            conn.execute(sa.text(definition))
            log(f"  {definition} in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        conn.execute(sa.text("VACUUM ANALYZE measurement"))
        log(f"  VACUUM ANALYZE in {time.perf_counter() - t:.0f} s")


_SQLITE_LOAD = """
WITH RECURSIVE t(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM t WHERE n + 1 < :count),
     pt(i) AS (SELECT :p0 UNION ALL SELECT i + 1 FROM pt WHERE i + 1 <= :p1),
     c(code) AS (VALUES {values})
INSERT INTO measurement (point_id, kind, pollutant, data_time, avg, min, max, zs_avg, flag,
                         received_at, resent)
SELECT i, :kind, code,
       strftime('%Y-%m-%d %H:%M:%S.000000', :start, '+' || (n * :step) || ' seconds'),
       20 + (abs(random()) % 10000) / 1000.0, 15, 35,
       CASE WHEN i % 3 = 0 THEN 30 + (abs(random()) % 10000) / 1000.0 END,
       CASE WHEN abs(random()) % 1000 = 0 THEN NULL
            WHEN abs(random()) % 100 = 0 THEN 'D' ELSE 'N' END,
       strftime('%Y-%m-%d %H:%M:%S.000000', :start, printf('%+d seconds', n * :step - 28770)),
       0
FROM pt, c, t ORDER BY i, code, n
"""


def load_sqlite(engine: sa.Engine, points: int, days: int, log=print) -> None:
    values = ", ".join(f"('{c}')" for c in CODES)
    with engine.begin() as conn:
        registry(conn, points)
    t0 = time.perf_counter()
    for kind, step in SERIES:
        for p in range(1, points + 1, 50):
            with engine.begin() as conn:
                conn.execute(sa.text(_SQLITE_LOAD.format(values=values)), {
                    "count": days * 86400 // step, "p0": p, "p1": min(p + 49, points),
                    "kind": kind, "step": step, "start": START.isoformat(" "),
                })  # fmt: skip
            log(f"  {kind} points {p}-{min(p + 49, points)}, {time.perf_counter() - t0:.0f} s")
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
