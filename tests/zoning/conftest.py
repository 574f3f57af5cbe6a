"""A migrated zoning database per test, on SQLite and on PostgreSQL, and page clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.conftest import ENGINES, web_app
from tests.zoning.data import seed

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.web import auth


@pytest.fixture(params=ENGINES)
def engine(request) -> Iterator[sa.Engine]:
    # a copy of the migrated template (tests/conftest.py): seed's upgrade finds it at head
    made = seed(request.getfixturevalue(f"migrated_{request.param}_url"))
    yield made
    made.dispose()


@pytest.fixture
def client_as(engine) -> Iterator[Callable[..., TestClient]]:
    made: list[TestClient] = []

    def make(role: str, district_id: int | None = None) -> TestClient:
        app = web_app(engine)
        who = (PUBLIC if role == "public"
               else Principal(user_id=1, username=role, role=role, district_id=district_id))
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
