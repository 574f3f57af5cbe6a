from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from tests.accounts.data import seed
from tests.conftest import postgres_database, postgres_database_url

from ecozone.accounts import rules
from ecozone.api import create_app
from ecozone.store.engine import make_engine
from ecozone.store.schema import (
    audit_log,
    auth_token,
    login_attempt,
    user_account,
    user_enterprise,
)

# Argon2 at its lowest cost, so tests that log in many times stay fast; the hashing
# tests choose their own parameters.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "PASSWORD_HASHER", CHEAP_HASHER)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One database per engine for this whole package, seeded once (tests.accounts.data).

    Like tests/conftest.py's `database_url` (SQLite, then a fresh PostgreSQL
    database dropped afterwards), but shared: creating, migrating and dropping a
    PostgreSQL database per test costs seconds, and these tests change only the
    account tables, which `engine` empties before each test.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'ecozone.db'}"
        seed(url)
        yield url
        return
    with postgres_database() as name:
        url = postgres_database_url(name)
        seed(url)
        yield url


@pytest.fixture
def engine(seeded_url: str) -> Iterator[sa.Engine]:
    """The seeded database with no users, tokens, login attempts or audit entries, on SQLite
    and PostgreSQL."""
    engine = make_engine(seeded_url)
    with engine.begin() as conn:
        for table in (auth_token, user_enterprise, user_account, audit_log, login_attempt):
            conn.execute(table.delete())
    yield engine
    engine.dispose()


def build_app(engine: sa.Engine) -> FastAPI:
    """The application as served: create_app mounts the accounts router and the audit middleware."""
    return create_app(engine)


@pytest.fixture
def app(engine: sa.Engine) -> FastAPI:
    return build_app(engine)
