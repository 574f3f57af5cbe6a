"""Fixtures of the web tests: a seeded zone, the app with the web router, a principal per role.

Reading tests share one seeded database per engine for the whole run (`zone`:
SQLite, then PostgreSQL); tests that write get a fresh one (`fresh_zone`).
Page tests stand a principal in for the session (FastAPI dependency override
of accounts' `current_principal`); the login tests use the real accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import postgres_database, postgres_database_url
from tests.web.data import seed

from ecozone import web
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.api.app import create_app
from ecozone.store.schema import district
from ecozone.web import auth

Zone = tuple[sa.Engine, dict[str, int]]
ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def database(kind: str, folder: str) -> Iterator[str]:
    """URL of an empty database of `kind`, dropped afterwards (PostgreSQL)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/ecozone.db"
        return
    with postgres_database() as name:
        yield postgres_database_url(name)


def seeded_zone(url: str) -> Zone:
    engine, ids = seed(url)
    with engine.connect() as conn:
        ids["district_lj"] = conn.execute(
            sa.select(district.c.id).where(district.c.name == "两江新区")
        ).scalar_one()
    return engine, ids


@pytest.fixture(scope="session", params=ENGINES)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Zone]:
    """The test zone of tests.web.data, shared by the reading tests."""
    with database(request.param, str(tmp_path_factory.mktemp("zone"))) as url:
        engine, ids = seeded_zone(url)
        yield engine, ids
        engine.dispose()


@pytest.fixture
def fresh_zone(migrated_database_url: str) -> Iterator[Zone]:
    """The test zone in a database of the test's own, for tests that write."""
    engine, ids = seeded_zone(migrated_database_url)
    yield engine, ids
    engine.dispose()


def web_app(engine: sa.Engine, *, refresh_s: float = web.DEFAULT_REFRESH_S) -> FastAPI:
    """The application as served (create_app installs the web pages), refreshing faster."""
    app = create_app(engine)
    app.state.web_refresh_ms = int(refresh_s * 1000)
    return app


def principals(ids: dict[str, int]) -> dict[str, Principal]:
    return {
        "admin": Principal(user_id=1, username="admin", role="admin"),
        "supervisor": Principal(user_id=2, username="supervisor", role="supervisor"),
        "district-supervisor": Principal(
            user_id=3,
            username="district-supervisor",
            role="supervisor",
            district_id=ids["district_lj"],
        ),
        "enterprise": Principal(
            user_id=4,
            username="enterprise",
            role="enterprise",
            enterprise_ids=frozenset({ids["power"]}),
        ),
        "coordinator": Principal(user_id=5, username="coordinator", role="coordinator"),
        "public": PUBLIC,
    }


@contextmanager
def clients_for(engine: sa.Engine, ids: dict[str, int]) -> Iterator[Callable[[str], TestClient]]:
    made: list[TestClient] = []
    everyone = principals(ids)

    def make(role: str) -> TestClient:
        app = web_app(engine)
        app.dependency_overrides[auth.current_principal] = lambda: everyone[role]
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    try:
        yield make
    finally:
        for client in made:
            client.__exit__(None, None, None)


@pytest.fixture
def engine(zone: Zone) -> sa.Engine:
    return zone[0]


@pytest.fixture
def ids(zone: Zone) -> dict[str, int]:
    return zone[1]


@pytest.fixture
def client_as(zone: Zone) -> Iterator[Callable[[str], TestClient]]:
    """client_as("enterprise"): a client whose every request is made as that principal."""
    with clients_for(*zone) as make:
        yield make


@pytest.fixture
def fresh_client_as(fresh_zone: Zone) -> Iterator[Callable[[str], TestClient]]:
    with clients_for(*fresh_zone) as make:
        yield make
