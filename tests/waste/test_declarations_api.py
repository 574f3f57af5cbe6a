"""The declarations' JSON API (/api/v1/waste/enterprises/{code}/declarations) over the seeded
ledger: the register with its filters, filing (the ledger's figures, immutable), one filed
declaration, scoped like the pages: another enterprise's answers 404, a supervisor reads and
does not file. GENERATOR is 登记 (9.0 t in 2025): it owes the annual declaration only."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.waste.data import GENERATOR, OTHER
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.store.schema import enterprise, waste_declaration
from ecozone.web import auth

URL = f"/api/v1/waste/enterprises/{GENERATOR}/declarations"


@pytest.fixture
def api_as(waste) -> Iterator[Callable[..., TestClient]]:
    engine = waste[0]
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
    clients: list[TestClient] = []

    def make(role: str, own: str | None = None) -> TestClient:
        app = web_app(engine)
        who = Principal(user_id=1, username=role, role=role,
                        enterprise_ids=frozenset({ids[own]}) if own else frozenset())  # fmt: skip
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _filed(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(waste_declaration)).scalar_one()


def test_the_register_filters_by_state_period_and_year(api_as):
    mine = api_as("enterprise", GENERATOR)
    # on 2026-04-02 the 2025 annual declaration (due 2026-03-31) is late
    found = mine.get(URL, params={"day": "2026-04-02"}).json()
    assert [(o["period"], o["label"], o["state"]) for o in found["owed"]] == [
        ("annual", "2025", "late")]
    assert mine.get(URL, params={"day": "2026-04-02", "state": "due"}).json()["owed"] == []
    assert mine.get(URL, params={"day": "2026-04-02", "period": "monthly"}).json()["owed"] == []
    assert mine.get(URL, params={"day": "2026-04-02", "year": 2024}).json()["owed"] == []
    bad = mine.get(URL, params={"state": "lost"})
    assert bad.status_code == 400 and "申报状态“lost”无效" in bad.text
    assert mine.get(URL, params={"period": "weekly"}).status_code == 400


def test_filing_through_the_api_records_the_ledger_once(api_as, waste):
    engine = waste[0]
    mine = api_as("enterprise", GENERATOR)
    made = mine.post(URL, json={"period": "annual", "label": "2025"})
    assert made.status_code == 201
    filed = made.json()
    # generated 900-041-49 in 2025: 2.5 + 3.0 + 1.5 = 7.0 t (tests.waste.data)
    assert {r["code"]: r for r in filed["rows"]}["900-041-49"]["generated"] == 7.0
    again = mine.post(URL, json={"period": "annual", "label": "2025"})
    assert again.status_code == 400 and "已经提交" in again.text
    assert _filed(engine) == 1
    one = mine.get(f"{URL}/{filed['id']}")
    assert one.status_code == 200 and one.json()["label"] == "2025"
    assert mine.get(f"{URL}/{filed['id'] + 100}").status_code == 404
    listed = mine.get(URL, params={"state": "filed"}).json()
    assert [d["id"] for d in listed["filed"]] == [filed["id"]]
    # a supervisor reads it, but filing is the enterprise's own act
    staff = api_as("supervisor")
    assert staff.get(f"{URL}/{filed['id']}").status_code == 200
    assert staff.post(URL, json={"period": "annual", "label": "2024"}).status_code == 403


def test_another_enterprise_gets_404(api_as, waste):
    engine = waste[0]
    other = api_as("enterprise", OTHER)
    assert other.get(URL).status_code == 404
    assert other.post(URL, json={"period": "annual", "label": "2025"}).status_code == 404
    assert _filed(engine) == 0
