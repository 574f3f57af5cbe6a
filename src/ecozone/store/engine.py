"""Engines for the two supported databases, configured the same way everywhere.

One function, `make_engine`, turns a URL into a ready engine: PostgreSQL URLs
are pointed at the psycopg 3 driver; SQLite gets its file's folder, WAL mode,
an fsync per commit, foreign keys, a busy timeout, and real BEGINs (the
sqlite3 module's legacy transaction handling is switched off, see below).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

from ecozone import config

SqliteSynchronous = Literal["FULL", "NORMAL"]
_BEGIN_MODES = ("DEFERRED", "IMMEDIATE", "EXCLUSIVE")


def normalise_url(url: str | URL) -> URL:
    """Parse `url`; bare `postgresql://` and `postgres://` mean psycopg 3.

    SQLAlchemy's default PostgreSQL driver is psycopg2, which ecozone does not
    install; an explicit driver (`postgresql+psycopg2://`) is left alone.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: str | URL) -> str:
    """The URL as it is safe to print: the password replaced by ***."""
    return normalise_url(url).render_as_string(hide_password=True)


def make_engine(
    url: str | URL | None = None,
    *,
    sqlite_synchronous: SqliteSynchronous = "FULL",
    **kwargs: Any,
) -> sa.Engine:
    """An engine for `url` (default: `config.load().database_url`).

    SQLite durability. The gateway acknowledges a frame only after the commit
    that stored it has returned, so a commit must survive what can happen
    next. In WAL mode a commit appends to the -wal file with write(); from
    then on the data is in the operating system's page cache and survives a
    crash or kill of the process under any `synchronous` setting.
    `synchronous=NORMAL` fsyncs only at checkpoints, so a power loss or kernel
    crash can roll back the last transactions (the database stays
    consistent). The default `FULL` also fsyncs the WAL on every commit, so an
    acknowledged frame survives power loss too; batched commits keep the cost
    to one fsync per batch. Pass `sqlite_synchronous="NORMAL"` where losing
    the last second of data on power loss is acceptable.

    Transactions on SQLite. The sqlite3 module by default issues BEGIN only
    before INSERT/UPDATE/DELETE, so reads are outside the transaction and
    SAVEPOINTs misbehave. Here the module's handling is off and every
    SQLAlchemy transaction starts with BEGIN (DDL included, which makes
    migrations transactional). A connection can ask for
    `execution_options(sqlite_begin="IMMEDIATE")` to take the write lock up
    front, as read-then-write use cases should; other engines ignore it.

    Extra keyword arguments go to `sqlalchemy.create_engine`.
    """
    parsed = normalise_url(url if url is not None else config.load().database_url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, sqlite_synchronous, kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(parsed, **kwargs)


def is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in ("", ":memory:") or "mode=memory" in database


def _sqlite_engine(url: URL, synchronous: str, kwargs: dict[str, Any]) -> sa.Engine:
    synchronous = synchronous.upper()
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"sqlite_synchronous must be FULL or NORMAL, not {synchronous!r}")
    if not is_sqlite_memory(url) and not (url.database or "").startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Statements run in the driver's autocommit mode; SQLAlchemy's begin
        # event below opens every transaction itself. PRAGMAs must run outside
        # a transaction, which they are here.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")  # first: the WAL switch may wait too
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        mode = str(conn.get_execution_options().get("sqlite_begin", "DEFERRED")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"sqlite_begin must be one of {', '.join(_BEGIN_MODES)}, not {mode}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


#: Ids per IN (...) list, well below every engine's bind-parameter limit.
IN_LIST_SIZE = 200


def in_lists(values: Sequence[Any], size: int = IN_LIST_SIZE) -> Iterator[Sequence[Any]]:
    """`values` in slices short enough for one IN (...) list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
