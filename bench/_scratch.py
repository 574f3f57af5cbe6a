"""A scratch database for a benchmark: an SQLite file in a folder, or a PostgreSQL database
made on the server of ECOZONE_TEST_POSTGRES_URL (default: the local one) and dropped after."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_database(kind: str, folder: str | None = None) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgres") for the block."""
    if kind == "sqlite":
        yield f"sqlite:///{folder or tempfile.mkdtemp()}/bench-{uuid.uuid4().hex[:6]}.db"
        return
    base = os.environ.get("ECOZONE_TEST_POSTGRES_URL", POSTGRES_URL)
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
