"""SQL of the archive: the measurement table's monthly partitions (PostgreSQL), a month's
figures, moving a month's rows out and back, and the archive catalogue.

The one home of partition DDL. PostgreSQL partitions measurement by RANGE (data_time), one
partition per month (measurement_pYYYYMM) and a DEFAULT partition for rows of months without
one; SQLite keeps one table and its months are ranges of it. Month bounds are the
rules.Month values, never user text, so they may be written into DDL and COPY statements,
which take no parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import sqlalchemy as sa

from ecozone.archive.rules import (
    DEFAULT_PARTITION,
    TABLE,
    Month,
    checksum_of_groups,
    key_checksum_sql,
)
from ecozone.store.schema import measurement, measurement_archive

COLUMNS = tuple(c.name for c in measurement.c)
_NAMES = ", ".join(f'"{c}"' for c in COLUMNS)
#: Bytes per write while streaming a COPY to or from a file.
COPY_CHUNK = 1 << 20


def _bounds(month: Month) -> str:
    return (
        f"data_time >= '{month.start.isoformat(' ')}' AND data_time < '{month.end.isoformat(' ')}'"
    )


# --- partitions (PostgreSQL) ----------------------------------------------------------------


def is_partitioned(conn: sa.Connection) -> bool:
    """Whether measurement is a partitioned table (PostgreSQL after revision 0033)."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.exec_driver_sql(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass(%(t)s)", {"t": TABLE}
    ).scalar()
    return kind == "p"


def partitions(conn: sa.Connection) -> dict[Month, str]:
    """The monthly partitions of measurement by month (the DEFAULT partition left out)."""
    if not is_partitioned(conn):
        return {}
    rows = conn.exec_driver_sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%(t)s)",
        {"t": TABLE},
    ).scalars()
    found = {}
    for name in rows:
        try:
            found[Month(int(name[-6:-2]), int(name[-2:]))] = name
        except ValueError:
            continue  # the default partition
    return found


def create_partition(conn: sa.Connection, month: Month) -> bool:
    """Make `month`'s partition if missing; False when it was there. Rows of the month that
    waited in the DEFAULT partition move into it in the same transaction (PostgreSQL refuses
    a new partition whose range the default still holds rows of)."""
    if month in partitions(conn):
        return False
    name, bounds = month.partition, _bounds(month)
    values = f"FROM ('{month.start.isoformat(' ')}') TO ('{month.end.isoformat(' ')}')"
    waiting = conn.exec_driver_sql(
        f"SELECT 1 FROM {DEFAULT_PARTITION} WHERE {bounds} LIMIT 1"
    ).first()
    if waiting is None:
        conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {values}")
        return True
    conn.exec_driver_sql(f"LOCK TABLE {DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE")
    conn.exec_driver_sql(
        f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    conn.exec_driver_sql(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE {bounds} RETURNING *) "
        f"INSERT INTO {name} ({_NAMES}) SELECT {_NAMES} FROM moved"
    )
    conn.exec_driver_sql(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {values}")
    return True


# --- a month's rows in the database --------------------------------------------------------


def month_figures(conn: sa.Connection, month: Month) -> tuple[int, int]:
    """(rows, key checksum) of the month in the live table."""
    where = "data_time >= :start AND data_time < :end"
    params: dict[str, Any] = {"start": month.start, "end": month.end}
    if conn.dialect.name == "sqlite":
        params = {k: v.isoformat(" ", "microseconds") for k, v in params.items()}
    groups = conn.execute(
        sa.text(
            f"SELECT {key_checksum_sql(conn.dialect.name)} FROM {TABLE} WHERE {where} "
            "GROUP BY kind, pollutant"
        ),
        params,
    ).all()
    return checksum_of_groups([tuple(g) for g in groups])


def month_has_rows(conn: sa.Connection, month: Month) -> bool:
    m = measurement.c
    stmt = sa.select(sa.literal(1)).where(m.data_time >= month.start, m.data_time < month.end)
    return conn.execute(stmt.limit(1)).first() is not None


def months_held(conn: sa.Connection) -> list[Month]:
    """Months the live table holds rows of, oldest first."""
    if conn.dialect.name == "sqlite":
        texts = conn.exec_driver_sql("SELECT DISTINCT substr(data_time, 1, 7) FROM measurement")
        return sorted(Month.parse(t) for (t,) in texts)
    if not is_partitioned(conn):
        stamps = conn.exec_driver_sql(
            "SELECT DISTINCT date_trunc('month', data_time) FROM measurement"
        ).scalars()
        return sorted(Month.of(s) for s in stamps)
    held = set()
    for month, name in partitions(conn).items():
        if conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {name})").scalar():
            held.add(month)
    stamps = conn.exec_driver_sql(
        f"SELECT DISTINCT date_trunc('month', data_time) FROM {DEFAULT_PARTITION}"
    ).scalars()
    held.update(Month.of(s) for s in stamps)
    return sorted(held)


def _dbapi(conn: sa.Connection) -> Any:
    return conn.connection.dbapi_connection


def copy_month_csv(conn: sa.Connection, month: Month, dest: Path) -> None:
    """PostgreSQL: the month's rows as headerless CSV (instants in UTC) into `dest`."""
    conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
    where = _bounds(month)
    statement = f"COPY (SELECT {_NAMES} FROM {TABLE} WHERE {where}) TO STDOUT (FORMAT CSV)"
    with open(dest, "wb") as out, _dbapi(conn).cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in copy:
            out.write(chunk)


def sqlite_month_table(conn: sa.Connection, month: Month) -> pa.Table:
    """SQLite: the month's rows as an Arrow table of the stored values (times as the text
    SQLite keeps: device time, and UTC digits for received_at; resent as 0/1)."""
    bounds = (month.start.isoformat(" ", "microseconds"), month.end.isoformat(" ", "microseconds"))
    result = conn.exec_driver_sql(
        f"SELECT {_NAMES} FROM {TABLE} WHERE data_time >= ? AND data_time < ?", bounds
    )
    batches = []
    while batch := result.fetchmany(100_000):
        columns = list(zip(*batch, strict=True))
        batches.append(
            pa.table({name: pa.array(col) for name, col in zip(COLUMNS, columns, strict=True)})
        )
    if not batches:
        return pa.table({name: pa.array([], type=pa.string()) for name in COLUMNS})
    return pa.concat_tables(batches, promote_options="permissive")


def drop_month(conn: sa.Connection, month: Month) -> None:
    """Take the month's rows out of the live table: on PostgreSQL detach and drop its
    partition (and delete its rows from the DEFAULT partition), on SQLite delete them."""
    if conn.dialect.name == "postgresql" and is_partitioned(conn):
        name = partitions(conn).get(month)
        if name is not None:
            conn.exec_driver_sql(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            conn.exec_driver_sql(f"DROP TABLE {name}")
        conn.exec_driver_sql(f"DELETE FROM {DEFAULT_PARTITION} WHERE {_bounds(month)}")
        return
    m = measurement.c
    conn.execute(measurement.delete().where(m.data_time >= month.start, m.data_time < month.end))


def lock_month(conn: sa.Connection, month: Month) -> None:
    """PostgreSQL: hold writes to the month until the transaction ends (the partition and the
    DEFAULT one), and give up after a while rather than queue every writer behind us."""
    if conn.dialect.name != "postgresql" or not is_partitioned(conn):
        return
    conn.exec_driver_sql("SET LOCAL lock_timeout = '15s'")
    name = partitions(conn).get(month)
    for table in (name, DEFAULT_PARTITION):
        if table is not None:
            conn.exec_driver_sql(f"LOCK TABLE {table} IN SHARE MODE")


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            yield chunk


def insert_missing_csv(conn: sa.Connection, source: Path) -> int:
    """PostgreSQL: rows of a headerless CSV (the table's columns) into measurement, keeping
    a live row where one has the same key; returns how many were inserted."""
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS ecozone_archive_restore (LIKE measurement) "
        "ON COMMIT DELETE ROWS"
    )
    conn.exec_driver_sql("DELETE FROM ecozone_archive_restore")
    conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
    statement = f"COPY ecozone_archive_restore ({_NAMES}) FROM STDIN (FORMAT CSV)"
    try:
        with _dbapi(conn).cursor() as cursor, cursor.copy(statement) as copy:
            for chunk in _chunks(source):
                copy.write(chunk)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc
    result = conn.exec_driver_sql(
        f"INSERT INTO {TABLE} ({_NAMES}) SELECT {_NAMES} FROM ecozone_archive_restore "
        "ON CONFLICT DO NOTHING"
    )
    return int(result.rowcount)


def insert_missing_rows(conn: sa.Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    """SQLite: rows in COLUMNS order (times as datetimes) into measurement, keeping a live
    row where one has the same key; returns how many were inserted."""
    data_time, received_at = COLUMNS.index("data_time"), COLUMNS.index("received_at")
    marks = ", ".join("?" for _ in COLUMNS)
    statement = f"INSERT INTO {TABLE} ({_NAMES}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    inserted, batch = 0, []

    def flush() -> int:
        before = conn.exec_driver_sql("SELECT total_changes()").scalar()
        conn.exec_driver_sql(statement, batch)
        return int(conn.exec_driver_sql("SELECT total_changes()").scalar() - before)

    for row in rows:
        values = list(row)
        values[data_time] = values[data_time].isoformat(" ", "microseconds")
        at = values[received_at]
        values[received_at] = at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        batch.append(tuple(values))
        if len(batch) >= 10_000:
            inserted += flush()
            batch = []
    if batch:
        inserted += flush()
    return inserted


# --- the catalogue ----------------------------------------------------------------------------


def _month_date(month: Month) -> date:
    return month.start.date()


def entry(conn: sa.Connection, month: Month) -> dict[str, Any] | None:
    a = measurement_archive.c
    row = conn.execute(sa.select(measurement_archive).where(a.month == _month_date(month)))
    found = row.mappings().first()
    return dict(found) if found is not None else None


def entries(conn: sa.Connection, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Catalogue rows, oldest month first."""
    a = measurement_archive.c
    stmt = sa.select(measurement_archive).order_by(a.month)
    if states is not None:
        stmt = stmt.where(a.state.in_(list(states)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def archived_paths(conn: sa.Connection, start: datetime, end: datetime) -> list[str]:
    """Files of the archived months overlapping [start, end), oldest first."""
    a = measurement_archive.c
    first = date(start.year, start.month, 1)
    last = (end - timedelta(microseconds=1)).date()
    stmt = (
        sa.select(a.path)
        .where(a.state == "archived", a.month >= first, a.month <= last)
        .order_by(a.month)
    )
    return list(conn.execute(stmt).scalars())


def save_entry(conn: sa.Connection, month: Month, values: dict[str, Any]) -> None:
    """Insert or update the month's catalogue row with `values`."""
    a = measurement_archive.c
    key = _month_date(month)
    done = conn.execute(measurement_archive.update().where(a.month == key).values(**values))
    if done.rowcount == 0:
        conn.execute(measurement_archive.insert().values(month=key, **values))


def now_utc() -> datetime:
    return datetime.now(UTC)
