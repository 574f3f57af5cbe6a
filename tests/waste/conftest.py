"""A seeded waste database per test of this folder, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.waste.data import seed
from tests.web.conftest import ENGINES, database


@pytest.fixture(params=ENGINES)
def waste(request, tmp_path) -> Iterator[tuple[sa.Engine, dict[str, int]]]:
    with database(request.param, str(tmp_path)) as url:
        engine, ids = seed(url)
        yield engine, ids
        engine.dispose()
