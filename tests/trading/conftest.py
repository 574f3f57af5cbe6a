"""A seeded ledger database per test of this folder, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.trading.data import seed
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.trading.model import TradingSettings
from ecozone.web import auth

SETTINGS = TradingSettings()


@pytest.fixture
def ledger(migrated_database_url) -> Iterator[tuple[sa.Engine, dict[str, int]]]:
    # A copy of the session's migrated template on each engine (tests/conftest.py).
    engine, ids = seed(migrated_database_url)
    yield engine, ids
    engine.dispose()


def principal(role: str, *, district_id: int | None = None,
              enterprise_ids: frozenset[int] = frozenset()) -> Principal:  # fmt: skip
    if role == "public":
        return PUBLIC
    return Principal(user_id=1, username=f"{role}-user", role=role, district_id=district_id,
                     enterprise_ids=enterprise_ids)  # fmt: skip


@pytest.fixture
def client_as(ledger) -> Iterator[Callable[..., TestClient]]:
    made: list[TestClient] = []

    def make(role: str, **kwargs) -> TestClient:
        app = web_app(ledger[0])
        who = principal(role, **kwargs)
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
