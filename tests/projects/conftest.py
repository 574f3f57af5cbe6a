"""A migrated database for the project tests: zone 测试园区 with 两江新区 (id 1) and 渝北区
(id 2); 重庆甲化工有限公司 (enterprise 1, 两江新区) is a registered builder with a user of
its own; 重庆乙材料有限公司 (enterprise 2, 渝北区) another enterprise. Credit codes carry
their GB 32100-2015 check character, so the registry takes them back on the handoff."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import district, enterprise, zone
from ecozone.web import auth

LIANGJIANG, YUBEI = "两江新区", "渝北区"


def code(n: int) -> str:
    first = f"91500000MA5U{n:05d}"
    return first + credit_code_check_char(first)


def seed(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(zone.insert().values(id=1, name="测试园区"))
        conn.execute(district.insert(), [{"id": 1, "zone_id": 1, "name": LIANGJIANG},
                                         {"id": 2, "zone_id": 1, "name": YUBEI}])  # fmt: skip
        # No explicit ids: PostgreSQL's sequence must stay ahead for the handoff's inserts.
        # Inserted one by one on a fresh database, they are enterprises 1 and 2.
        conn.execute(enterprise.insert().values(
            credit_code=code(1), name="重庆甲化工有限公司", district_id=1,
            industry="化学原料制造", lon=106.55, lat=29.70))  # fmt: skip
        conn.execute(enterprise.insert().values(
            credit_code=code(2), name="重庆乙材料有限公司", district_id=2))  # fmt: skip


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """Every database here is migrated first; a copy of the session's migrated template
    (tests/conftest.py) stands in for running the chain per test."""
    return migrated_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    upgrade_engine(engine)
    seed(engine)
    yield engine
    engine.dispose()


PRINCIPALS = {
    "admin": Principal(user_id=1, username="admin", role="admin"),
    "supervisor": Principal(user_id=2, username="cq", role="supervisor"),
    "district": Principal(user_id=3, username="lj", role="supervisor", district_id=1),
    "other_district": Principal(user_id=4, username="yb", role="supervisor", district_id=2),
    "enterprise": Principal(
        user_id=5, username="jia", role="enterprise", enterprise_ids=frozenset({1})
    ),
    "other_enterprise": Principal(
        user_id=6, username="yi", role="enterprise", enterprise_ids=frozenset({2})
    ),
    "coordinator": Principal(user_id=7, username="co", role="coordinator"),
    "public": PUBLIC,
}


def scope(name: str):
    return PRINCIPALS[name].scope


@pytest.fixture
def client_as(engine: sa.Engine) -> Iterator[Callable[[str], TestClient]]:
    from tests.web.conftest import web_app

    made: list[TestClient] = []

    def make(name: str) -> TestClient:
        app = web_app(engine)
        who = PRINCIPALS[name]
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
