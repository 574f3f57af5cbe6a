from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    engine = make_engine(database_url)
    upgrade_engine(engine)
    yield engine
    engine.dispose()
