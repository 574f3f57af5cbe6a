from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.measurements.data import seed

from ecozone.store.engine import make_engine


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url


@pytest.fixture
def seeded_url(database_url: str) -> str:
    """A migrated database (SQLite, then PostgreSQL) holding tests.measurements.data."""
    seed(database_url)
    return database_url


@pytest.fixture
def engine(seeded_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(seeded_url)
    yield engine
    engine.dispose()
