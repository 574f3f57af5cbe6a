"""Shared fixtures: database URLs for SQLite and a throwaway PostgreSQL database.

PostgreSQL tests take the server from ECOZONE_TEST_POSTGRES_URL, create a
database of their own and drop it afterwards; without the variable (or without
a reachable server) they are skipped with the reason. CI sets
ECOZONE_REQUIRE_ALL_TESTS=1, which turns any such skip into a failure.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

REQUIRE_ALL = os.environ.get("ECOZONE_REQUIRE_ALL_TESTS") == "1"
POSTGRES_URL = os.environ.get("ECOZONE_TEST_POSTGRES_URL", "")
# Markers whose tests must not be skipped when REQUIRE_ALL is set.
REQUIRED_MARKERS = ("postgres", "browser")


def _postgres_unavailable() -> str | None:
    if not POSTGRES_URL:
        return "ECOZONE_TEST_POSTGRES_URL is not set (no PostgreSQL server configured)"
    try:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, with the reason
        return f"PostgreSQL at ECOZONE_TEST_POSTGRES_URL is unreachable: {exc.__class__.__name__}"
    return None


_pg_reason: str | bool | None = False  # False: not checked yet


def postgres_skip_reason() -> str | None:
    global _pg_reason
    if _pg_reason is False:
        _pg_reason = _postgres_unavailable()
    return _pg_reason  # type: ignore[return-value]


def _create_database(admin: sa.Engine, prefix: str = "ecozone_test", template: str = "") -> str:
    """A new database's name on the server of `admin` (an AUTOCOMMIT engine)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    return name


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def postgres_database(prefix: str = "ecozone_test") -> Iterator[str]:
    """Name of a new, empty database on the test server, dropped on leaving; skips the test
    when there is no server."""
    reason = postgres_skip_reason()
    if reason:
        pytest.skip(reason)
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = _create_database(admin, prefix)
    try:
        yield name
    finally:
        _drop_database(admin, name)
        admin.dispose()


def postgres_database_url(name: str) -> str:
    """The test server's URL, naming database `name` (password kept)."""
    return sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database, dropped after the test."""
    with postgres_database() as name:
        yield postgres_database_url(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ecozone.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


# Migrated databases: the chain is run once per session into a template, and each test gets
# a copy (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), which holds
# exactly what a fresh upgrade leaves and costs milliseconds instead of a full migration.


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ecozone.store.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "ecozone.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str]:
    from ecozone.store.migrate import upgrade

    with postgres_database("ecozone_template") as name:
        # upgrade disposes its engine: no session stays on the template, as TEMPLATE requires
        upgrade(sa.engine.make_url(postgres_database_url(name)))
        yield name


@pytest.fixture
def migrated_sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    path = tmp_path / "ecozone.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


class _CopiesAhead:
    """Copies of a template database made ahead by a thread, handed out one per test.

    A CREATE DATABASE ... TEMPLATE spends most of its half second waiting for the copy to
    reach the disk, not on the CPU the tests need; made while the previous test runs, it
    costs the suite nothing. Each copy is used once and dropped after its test."""

    def __init__(self, template: str, ahead: int = 2) -> None:
        self.template = template
        self.admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        self.ready: queue.Queue[str | Exception] = queue.Queue(maxsize=ahead)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._make, name="test-db-copies", daemon=True)
        self.thread.start()

    def _make(self) -> None:
        while not self.stopping.is_set():
            try:
                name = _create_database(self.admin, template=self.template)
            except Exception as exc:  # handed to the test that waits, which fails with it
                self.ready.put(exc)
                self.stopping.wait(1.0)
                continue
            self.ready.put(name)

    def take(self) -> str:
        item = self.ready.get(timeout=120)
        if isinstance(item, Exception):
            raise item
        return item

    def drop(self, name: str) -> None:
        _drop_database(self.admin, name)

    def close(self) -> None:
        self.stopping.set()
        while self.thread.is_alive() or not self.ready.empty():
            try:
                item = self.ready.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, str):
                self.drop(item)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _postgres_copies(_postgres_template: str) -> Iterator[_CopiesAhead]:
    copies = _CopiesAhead(_postgres_template)
    yield copies
    copies.close()


@pytest.fixture
def migrated_postgres_url(_postgres_copies: _CopiesAhead) -> Iterator[str]:
    """URL of a fresh PostgreSQL database at the newest revision, dropped after the test."""
    name = _postgres_copies.take()
    try:
        yield postgres_database_url(name)
    finally:
        _postgres_copies.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_database_url(request: pytest.FixtureRequest) -> str:
    """Like `database_url`, but already at the newest revision (for tests of what the schema
    holds, not of the migrations themselves)."""
    if request.param == "sqlite":
        return request.getfixturevalue("migrated_sqlite_url")
    return request.getfixturevalue("migrated_postgres_url")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under REQUIRE_ALL, a skipped postgres/browser test fails the run."""
    outcome = yield
    report = outcome.get_result()
    if not REQUIRE_ALL or not report.skipped:
        return
    if any(item.get_closest_marker(m) for m in REQUIRED_MARKERS):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"required test was skipped under ECOZONE_REQUIRE_ALL_TESTS=1: {reason}"


@pytest.fixture(autouse=True)
def _device_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Device secrets are sealed with ECOZONE_SECRET_KEY; tests use a fixed one
    rather than generating secret.key in the working directory."""
    if not os.environ.get("ECOZONE_SECRET_KEY"):
        monkeypatch.setenv("ECOZONE_SECRET_KEY", "ecozone-test-suite-secret-key")


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """A command run in a test (`ecozone writer` calls logs.setup) points the root logger at
    the runner's stream; put it back, so later tests neither log to a closed stream nor see
    records at a level they did not ask for."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
