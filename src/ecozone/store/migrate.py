"""Bring a database to the schema of this release with Alembic, no alembic.ini needed.

The Alembic configuration is built in code with the migrations folder inside
the package, so `upgrade()` works the same from a checkout and from an
installed wheel. Revisions are written with `revision()` and hand-checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from ecozone.store.engine import make_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None  # revision found, None for an empty database
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic Config pointing at the package's migrations (and at `url`, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision this release ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(connectable: sa.Engine | sa.Connection) -> str | None:
    """The revision a database is at; None when it has never been upgraded."""
    if isinstance(connectable, sa.Engine):
        with connectable.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    return MigrationContext.configure(connectable).get_current_revision()


def upgrade(url: str | URL | None = None) -> None:
    """Bring the database at `url` (default: settings) to the newest revision.

    Idempotent: a database already there is left untouched.
    """
    upgrade_engine(make_engine(url), dispose=True)


def upgrade_engine(engine: sa.Engine, *, dispose: bool = False) -> UpgradeResult:
    """`upgrade` on an existing engine; says which revision it started from."""
    cfg = alembic_config()
    try:
        # IMMEDIATE: a second process upgrading the same SQLite file waits for
        # this one instead of failing; on PostgreSQL env.py takes a lock.
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            before = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()  # the read above must not hold a transaction open
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            after = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
    finally:
        if dispose:
            engine.dispose()
    assert after is not None
    return UpgradeResult(before=before, after=after)


def revision(message: str, url: str | URL | None = None, *, autogenerate: bool = True) -> None:
    """Write a new revision file comparing schema.py with the database at `url`.

    For maintainers: upgrade a scratch database first, then call this and
    read the generated file before committing it.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=autogenerate)
    finally:
        engine.dispose()


def check(url: str | URL | None = None) -> None:
    """Raise if schema.py and the database at `url` differ (a revision is missing)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.check(cfg)
    finally:
        engine.dispose()
