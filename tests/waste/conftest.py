"""A seeded waste database per test of this folder, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.waste.data import seed


@pytest.fixture
def waste(migrated_database_url) -> Iterator[tuple[sa.Engine, dict[str, int]]]:
    # A copy of the session's migrated template on each engine (tests/conftest.py).
    engine, ids = seed(migrated_database_url)
    yield engine, ids
    engine.dispose()
