from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.measurements.data import seed

from ecozone.accounts import rules, service
from ecozone.store.engine import make_engine

# Argon2 at its lowest cost: these tests are about the routes, not password hashing.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "PASSWORD_HASHER", CHEAP_HASHER)


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


def admin_headers(engine: sa.Engine) -> dict[str, str]:
    """Authorization for an admin, who sees every enterprise and frame."""
    service.create_user(engine, "api-admin", "api-admin-pw", role="admin", actor="tests")
    issued = service.issue_api_token(engine, "api-admin", actor="tests")
    return {"Authorization": f"Bearer {issued.token}"}


@pytest.fixture
def admin(engine: sa.Engine) -> dict[str, str]:
    return admin_headers(engine)
