"""A query's result as an Arrow table, column by column, with no Python object per value.

PostgreSQL: ADBC's libpq driver (adbc-driver-postgresql) runs the query as
`COPY (...) TO STDOUT (FORMAT BINARY)` and decodes the stream into Arrow
arrays in C. Its connections are opened once per database URL and kept in a
small pool (opening one costs ~0.2 s); they run in autocommit, so a read sees
what is committed, as a fresh SQLAlchemy connection would. The query text
must carry its values as literals (COPY takes no parameters): callers build
it from ints, known names and `literal()` strings only.

SQLite: the sqlite3 driver's tuples go straight into Arrow arrays of the
schema given, transposed in C (zip), without SQLAlchemy's row processing.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

_POOL: dict[str, list[Any]] = {}
_POOL_LOCK = threading.Lock()
#: Idle connections kept per database; more than this are closed after use.
POOL_SIZE = 4
#: Session settings of a read connection. No JIT: compiling a read's plan costs ~90 ms,
#: a third of a zone-wide day's read, and PostgreSQL compiles whenever the estimate passes
#: jit_above_cost, as that read's does. (A larger work_mem was tried and left out: the
#: in-memory quicksort of that day was slower than the external merge it replaced.)
READ_SESSION = ("SET jit = off",)


def literal(value: str) -> str:
    """`value` as an SQL string literal (standard-conforming strings: quotes doubled)."""
    if "\x00" in value:
        raise ValueError("a text value holds a NUL character")
    return "'" + value.replace("'", "''") + "'"


def time_literal(value: datetime) -> str:
    """A naive datetime as the text both engines compare stored device times with."""
    return literal(value.replace(tzinfo=None).isoformat(" ", "microseconds"))


def _libpq_url(engine: sa.Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextmanager
def _adbc(engine: sa.Engine) -> Iterator[Any]:
    import adbc_driver_postgresql.dbapi as adbc_pg  # imported on first use: ~0.5 s

    key = _libpq_url(engine)
    with _POOL_LOCK:
        idle = _POOL.setdefault(key, [])
        conn = idle.pop() if idle else None
    if conn is None:
        conn = adbc_pg.connect(key, autocommit=True)
        with conn.cursor() as cur:
            for statement in READ_SESSION:
                cur.execute(statement)
    try:
        yield conn
    except Exception:
        conn.close()  # a failed connection (e.g. its database dropped) is not reused
        raise
    with _POOL_LOCK:
        if len(_POOL[key]) < POOL_SIZE:
            _POOL[key].append(conn)
            conn = None
    if conn is not None:
        conn.close()


def _postgres(engine: sa.Engine, sql: str, schema: pa.Schema) -> pa.Table:
    for attempt in (1, 2):
        try:
            with _adbc(engine) as conn, conn.cursor() as cur:
                cur.execute(sql)
                found = cur.fetch_arrow_table()
            break
        except Exception as exc:  # a pooled connection may have been closed by the server
            import adbc_driver_manager

            if attempt == 2 or not isinstance(exc, adbc_driver_manager.OperationalError):
                raise
    columns = [found.column(i).cast(field.type) for i, field in enumerate(schema)]
    return pa.Table.from_arrays(columns, schema=schema)


def _sqlite(engine: sa.Engine, sql: str, schema: pa.Schema) -> pa.Table:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql).cursor.fetchall()
    if not rows:
        return schema.empty_table()
    values = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [
            pa.array(v, type=_sqlite_type(f.type)).cast(f.type)
            for v, f in zip(values, schema, strict=True)
        ],
        schema=schema,
    )


def _sqlite_type(wanted: pa.DataType) -> pa.DataType:
    # SQLite hands back times as integer microseconds and booleans as 0/1 (see the callers'
    # SQL); they are read as integers and cast.
    if pa.types.is_timestamp(wanted):
        return pa.int64()
    if pa.types.is_boolean(wanted):
        return pa.int8()
    return wanted


def fetch_table(engine: sa.Engine, sql: str, schema: pa.Schema) -> pa.Table:
    """The rows of `sql` (literal values only, no parameters) as a table of `schema`, whose
    fields are the query's columns in order. On SQLite a timestamp column must come back as
    integer microseconds and a boolean as 0/1."""
    if engine.dialect.name == "postgresql":
        return _postgres(engine, sql, schema)
    if engine.dialect.name == "sqlite":
        return _sqlite(engine, sql, schema)
    raise ValueError(f"no columnar read for database {engine.dialect.name!r}")


def close_pool() -> None:
    """Close every pooled PostgreSQL connection (tests dropping their database, shutdown)."""
    with _POOL_LOCK:
        conns = [c for idle in _POOL.values() for c in idle]
        _POOL.clear()
    for conn in conns:
        conn.close()


atexit.register(close_pool)
