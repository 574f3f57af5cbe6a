"""Databases holding the hand-built year of tests.reports.data, on SQLite and PostgreSQL.

Making a report writes nothing, so the read-only tests share one seeded database
per engine for the session (`report_engine`) and one report built from it
(`report`); a test that changes data takes a fresh database (`seeded_url`, from
the shared `database_url` fixture).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.conftest import postgres_database, postgres_database_url
from tests.reports.data import NOW, POWER, seed

from ecozone.reports import service
from ecozone.reports.model import AnnualReport
from ecozone.store.engine import make_engine


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url


@pytest.fixture
def seeded_url(database_url: str) -> str:
    """A fresh migrated database (SQLite, then PostgreSQL) holding the year of data.py."""
    seed(database_url)
    return database_url


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def report_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One seeded database per engine, shared by the tests that only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('reports') / 'ecozone.db'}"
        seed(url)
        yield url
        return
    with postgres_database() as name:
        url = postgres_database_url(name)
        seed(url)
        yield url


@pytest.fixture(scope="session")
def report_engine(report_db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(report_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def report(report_engine: sa.Engine) -> AnnualReport:
    """The 2024 report of 重庆示例热电有限公司, made on 2025-03-01."""
    return service.build_annual_report(report_engine, POWER, 2024, now=NOW)
