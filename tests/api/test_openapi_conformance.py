"""Schemathesis against /openapi.json: no route answers 5xx or a status its document omits.

A seeded SQLite database (tests.measurements.data) and an admin's bearer token,
so the routes get past the role gate and reach their own checks; examples
are few and derandomized so the run is bounded and repeatable. Logging out
would revoke the token the run needs, so that one operation is left out.
The schema is read at import from an app whose database is seeded later,
by the module's fixture (opening an engine does not touch the file).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from tests.api.conftest import CHEAP_HASHER, admin_headers
from tests.measurements.data import seed

from ecozone.accounts import rules
from ecozone.api import create_app
from ecozone.store.engine import make_engine

pytestmark = pytest.mark.slow

DATA_DIR = Path(tempfile.mkdtemp(prefix="ecozone-conformance-"))
URL = f"sqlite:///{DATA_DIR / 'ecozone.db'}"
ENGINE = make_engine(URL)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ENGINE)).exclude(
    path="/api/v1/auth/logout"
)


@pytest.fixture(scope="module")
def admin() -> Iterator[dict[str, str]]:
    seed(URL)
    hasher, rules.PASSWORD_HASHER = rules.PASSWORD_HASHER, CHEAP_HASHER
    try:
        yield admin_headers(ENGINE)
    finally:
        rules.PASSWORD_HASHER = hasher
        ENGINE.dispose()
        shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@hypothesis.settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_no_5xx_and_no_undocumented_status(case, admin):
    case.call_and_validate(headers=admin, checks=[not_a_server_error, status_code_conformance])
