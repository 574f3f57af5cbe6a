"""The ledger pages and the access matrix of the ledgers: an enterprise sees only its own
accounts and trades, staff their extent, the public only the market's aggregates."""

from __future__ import annotations

import re

import sqlalchemy as sa
from tests.trading.conftest import SETTINGS
from tests.trading.data import CHEM, GLASS, STEEL

from ecozone.accounts.model import Scope
from ecozone.store.schema import trading_line
from ecozone.trading import positions, service

STAFF = Scope(role="admin")


def _seed_trade(engine, ids):
    service.allocate(engine, STAFF, market="carbon", enterprise_id=ids["steel"], instrument=None,
                     vintage=2025, quantity="1000", reason="分配", actor="staff",
                     settings=SETTINGS)  # fmt: skip
    trade_id = service.offer(engine, None, seller_id=ids["steel"], buyer_credit_code=CHEM,
                             market="carbon", instrument=None, vintage=2025, quantity="100",
                             price="45.5", actor="steel")  # fmt: skip
    return trade_id


def test_an_enterprise_sees_its_own_ledger_and_not_anothers(ledger, client_as):
    engine, ids = ledger
    _seed_trade(engine, ids)
    steel = client_as("enterprise", enterprise_ids=frozenset({ids["steel"]}))
    page = steel.get(f"/trading/enterprises/{STEEL}")
    assert page.status_code == 200 and "示例钢铁" in page.text and "1000" in page.text
    assert steel.get(f"/trading/enterprises/{GLASS}").status_code == 404
    assert steel.get(f"/trading/enterprises/{CHEM}").status_code == 404
    api = steel.get("/api/v1/trading/accounts").json()
    assert {a["enterprise_id"] for a in api} == {ids["steel"]}
    assert steel.get("/api/v1/trading/accounts?system=true").json() == api  # not staff
    glass = client_as("enterprise", enterprise_ids=frozenset({ids["glass"]}))
    assert glass.get("/api/v1/trading/trades").json() == []
    assert "示例钢铁" not in glass.get("/trading").text
    assert glass.get(f"/api/v1/trading/positions/{ids['steel']}").status_code == 404


def test_a_district_supervisor_sees_the_district_only(ledger, client_as):
    engine, ids = ledger
    _seed_trade(engine, ids)
    gaoxin = client_as("supervisor", district_id=ids["gaoxin"])
    assert gaoxin.get("/api/v1/trading/trades").json() == []
    assert gaoxin.get(f"/trading/enterprises/{STEEL}").status_code == 404
    liangjiang = client_as("supervisor", district_id=ids["liangjiang"])
    assert len(liangjiang.get("/api/v1/trading/trades").json()) == 1
    assert liangjiang.get("/trading/admin").status_code == 200


def test_the_public_sees_the_market_aggregates_and_nothing_else(ledger, client_as):
    engine, ids = ledger
    trade_id = _seed_trade(engine, ids)
    for step in ("accept", "approve"):
        service.step(engine, None, trade_id, step, actor="x", settings=SETTINGS)
    public = client_as("public")
    market = public.get("/api/v1/trading/market/carbon").json()
    [month] = market["series"]
    assert (month["trades"], month["volume"], month["mean_price"]) == (1, "100.0000", "45.50")
    page = public.get("/trading/market")
    assert page.status_code == 200 and "示例钢铁" not in page.text and "示例化工" not in page.text
    discharge = public.get("/trading/market?market=discharge").text
    assert "1360" in discharge and "渝府办发〔2014〕178号" in discharge  # the base price, sourced
    assert public.get("/api/v1/trading/accounts").status_code == 401
    assert public.get("/api/v1/trading/trades").status_code == 401
    assert public.get("/trading").status_code == 303  # to the login page
    assert public.get("/trading/admin").status_code == 303
    coordinator = client_as("coordinator")
    assert coordinator.get("/api/v1/trading/trades").status_code == 403
    assert coordinator.get("/trading").status_code == 403


def test_the_offer_form_refuses_an_overdraft_in_chinese_and_keeps_what_was_typed(
    ledger, client_as
):
    engine, ids = ledger
    _seed_trade(engine, ids)
    steel = client_as("enterprise", enterprise_ids=frozenset({ids["steel"]}))
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(trading_line)).scalar()
    answer = steel.post("/trading/offers", data={
        "seller_id": str(ids["steel"]), "buyer_credit_code": GLASS, "market": "carbon",
        "instrument": "", "vintage": "2025", "quantity": "1000.5", "price": "40"})  # fmt: skip
    assert answer.status_code == 409 and "余额不足" in answer.text
    assert re.search(r'name="quantity" value="1000.5"', answer.text)
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(trading_line)).scalar()
    assert before == after
    ok = steel.post("/trading/offers", data={
        "seller_id": str(ids["steel"]), "buyer_credit_code": GLASS, "market": "carbon",
        "instrument": "", "vintage": "2025", "quantity": "10", "price": "40"})  # fmt: skip
    assert ok.status_code == 303 and ok.headers["location"] == "/trading?offered=1"


def test_staff_forms_post_and_enterprises_cannot_use_them(ledger, client_as):
    engine, ids = ledger
    staff = client_as("admin")
    answer = staff.post("/trading/admin/permit", data={"enterprise_id": str(ids["chem"]),
                                                       "vintage": "2026"})  # fmt: skip
    assert answer.status_code == 303
    held = {a.instrument: a.balance for a in positions.accounts(engine, None,
                                                                enterprise_id=ids["chem"])}  # fmt: skip
    assert held == {"w01018": 30, "w21003": 3}
    bad = staff.post("/trading/admin/allocate", data={"market": "carbon", "enterprise_id": "",
                                                      "vintage": "2025", "quantity": "abc",
                                                      "reason": "x"})  # fmt: skip
    assert bad.status_code == 400 and "不是数字" in bad.text
    chem = client_as("enterprise", enterprise_ids=frozenset({ids["chem"]}))
    assert chem.post("/trading/admin/expire").status_code == 403
    assert chem.post("/api/v1/trading/expiry").status_code == 403


def test_the_statement_and_the_market_table_download(ledger, client_as):
    engine, ids = ledger
    trade_id = _seed_trade(engine, ids)
    for step in ("accept", "approve"):
        service.step(engine, None, trade_id, step, actor="x", settings=SETTINGS)
    steel = client_as("enterprise", enterprise_ids=frozenset({ids["steel"]}))
    statement = steel.get(f"/trading/enterprises/{STEEL}?format=csv")
    assert statement.status_code == 200 and "-100" in statement.text and "+1000" in statement.text
    assert steel.get(f"/trading/enterprises/{CHEM}?format=csv").status_code == 404
    market = client_as("public").get("/trading/market?format=xlsx")
    assert market.status_code == 200 and market.content[:2] == b"PK"
