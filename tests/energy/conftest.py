"""A seeded energy database per test of this folder, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.energy.data import seed
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.web import auth


@pytest.fixture
def energy(migrated_database_url) -> Iterator[tuple[sa.Engine, dict[str, int]]]:
    # A copy of the session's migrated template on each engine (tests/conftest.py).
    engine, ids = seed(migrated_database_url)
    yield engine, ids
    engine.dispose()


def principal(role: str, ids: dict[str, int]) -> Principal:
    if role == "public":
        return PUBLIC
    if role == "enterprise":
        return Principal(user_id=4, username="enterprise", role="enterprise",
                         enterprise_ids=frozenset({ids["factory"]}))  # fmt: skip
    if role == "district-supervisor":
        return Principal(user_id=3, username="ds", role="supervisor",
                         district_id=ids["district_gx"])  # fmt: skip
    return Principal(user_id=1, username=role, role=role)


@pytest.fixture
def client_as(energy) -> Iterator[Callable[..., TestClient]]:
    made: list[TestClient] = []

    def make(role: str) -> TestClient:
        app = web_app(energy[0])
        who = principal(role, energy[1])
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
