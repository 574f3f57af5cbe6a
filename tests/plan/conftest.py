from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ecozone.store.engine import make_engine


@pytest.fixture
def engine(migrated_database_url: str) -> Iterator[sa.Engine]:
    """A migrated, empty database (a copy of the session's template): SQLite, then
    PostgreSQL."""
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()
