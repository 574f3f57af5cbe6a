"""A migrated database with two districts: in 两江新区 three key dischargers (key permits)
and five general units, one of them with two open alerts; in 渝北区 two general units;
an inspector pool of four in 两江新区 and one zone-wide."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecozone.accounts.model import PUBLIC, Principal
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import alert, district, enterprise, permit, zone
from ecozone.supervision import service
from ecozone.supervision.model import SupervisionSettings

SETTINGS = SupervisionSettings()
LIANGJIANG, YUBEI = "两江新区", "渝北区"
NOW = datetime(2026, 10, 1, tzinfo=UTC)


def code(n: int) -> str:
    return f"91500000TEST{n:06d}"


def seed(engine: sa.Engine) -> None:
    """The zone of this module's docstring, on a migrated database."""
    with engine.begin() as conn:
        conn.execute(zone.insert().values(id=1, name="测试园区"))
        conn.execute(district.insert(), [{"id": 1, "zone_id": 1, "name": LIANGJIANG},
                                         {"id": 2, "zone_id": 1, "name": YUBEI}])  # fmt: skip
        conn.execute(enterprise.insert(), [
            {"id": n, "credit_code": code(n), "name": f"企业{n:02d}",
             "district_id": 1 if n <= 8 else 2}
            for n in range(1, 11)
        ])  # fmt: skip
        conn.execute(permit.insert(), [
            {"permit_no": f"P{n}", "enterprise_id": n, "management_class": "key",
             "valid_from": date(2025, 1, 1), "valid_to": date(2030, 12, 31)}
            for n in (1, 2, 3)
        ])  # fmt: skip
        conn.execute(alert.insert(), [
            {"type": "offline", "enterprise_id": 4, "start": datetime(2026, 9, 1, h),
             "state": "open", "condition_key": f"t:{h}"}
            for h in (1, 2)
        ])  # fmt: skip
    for n in range(1, 5):
        service.add_inspector(engine, name=f"检查员{n}", unit="两江新区执法支队",
                              certificate_no=f"LJ{n:03d}", district=LIANGJIANG, actor="t")  # fmt: skip
    service.add_inspector(engine, name="市级检查员", unit="市执法总队", certificate_no="CQ001",
                          actor="t")  # fmt: skip


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
    "district": Principal(user_id=2, username="lj", role="supervisor", district_id=1),
    "other_district": Principal(user_id=3, username="yb", role="supervisor", district_id=2),
    "enterprise": Principal(
        user_id=4, username="e", role="enterprise", enterprise_ids=frozenset({1})
    ),
    "public": PUBLIC,
}


@pytest.fixture
def client_as(engine: sa.Engine) -> Iterator[Callable[[str], TestClient]]:
    from ecozone.api.app import create_app
    from ecozone.web import auth

    made = []

    def make(role: str) -> TestClient:
        app = create_app(engine)
        app.dependency_overrides[auth.current_principal] = lambda: PRINCIPALS[role]
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
