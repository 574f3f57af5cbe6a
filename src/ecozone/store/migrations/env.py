"""Alembic environment: runs revisions against ecozone.store.schema.metadata.

Started by ecozone.store.migrate, which passes an open connection in
`config.attributes["connection"]`; with none, one is made from the
`sqlalchemy.url` option. The whole upgrade is one transaction on both
engines (ecozone's SQLite engine issues real BEGINs, so its DDL is
transactional too), and concurrent upgrades queue behind a lock.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import context

from ecozone.store.engine import make_engine
from ecozone.store.schema import LocalDateTime, UtcDateTime, metadata

# Any constant: PostgreSQL advisory lock key that serialises concurrent upgrades.
_UPGRADE_LOCK = 212_2017


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render ecozone's datetime decorators as the plain types they store."""
    if type_ == "type" and isinstance(obj, UtcDateTime | LocalDateTime):
        return f"sa.DateTime(timezone={obj.impl.timezone})"
    return False


# Monthly partitions of the measurement table (PostgreSQL; ecozone.archive) are made and
# dropped at run time, not declared in schema.py: the comparison leaves them out.
_PARTITION = re.compile(r"^measurement_(p\d{6}|default)$")


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    return not (type_ == "table" and name is not None and _PARTITION.match(name))


def _run(connection: sa.Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.dbapi_connection if is_sqlite else None
    if raw is not None:
        # Batch migrations rebuild tables (copy, drop, rename); foreign keys must be
        # off meanwhile, and the PRAGMA only takes effect outside a transaction.
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=is_sqlite,
            transactional_ddl=True,
            compare_type=True,
            render_item=_render_item,
            include_name=_include_name,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
            context.run_migrations()
            if raw is not None:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows violating foreign keys: {broken[:5]}")
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("ecozone migrations run against a database; offline (--sql) mode is not used")
run_migrations_online()
