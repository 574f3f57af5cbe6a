"""Ledger use cases on SQLite and PostgreSQL: allocation from permits, trades with their
three consents, the no-overdraft rule with the journal unchanged, surrender, expiry,
reversal, the append-only journal, and shortfalls raised into the alert desk."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from tests.trading.conftest import SETTINGS

from ecozone.accounts.model import Scope
from ecozone.errors import Forbidden, NotFound
from ecozone.store.schema import alert, audit_log, trading_line, trading_txn
from ecozone.trading import positions, service
from ecozone.trading.model import Market, Overdraft, StateError, TradingError

STAFF = Scope(role="admin")
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def enterprise_scope(*ids: int) -> Scope:
    return Scope(role="enterprise", enterprise_ids=frozenset(ids))


def journal_rows(engine):
    with engine.connect() as conn:
        txns = conn.execute(sa.select(trading_txn).order_by(trading_txn.c.id)).all()
        lines = conn.execute(sa.select(trading_line).order_by(trading_line.c.id)).all()
    return txns, lines


def balance(engine, enterprise_id, market="carbon", instrument="CQEA", vintage=2025):
    for a in positions.accounts(engine, None, market=market, enterprise_id=enterprise_id):
        if a.instrument == instrument and a.vintage == vintage:
            return a.balance
    return D(0)


def allocate_carbon(engine, enterprise_id, quantity, vintage=2025):
    return service.allocate(engine, STAFF, market="carbon", enterprise_id=enterprise_id,
                            instrument=None, vintage=vintage, quantity=quantity,
                            reason="2025 年度配额分配", actor="staff", settings=SETTINGS,
                            now=NOW)  # fmt: skip


def offer(engine, ids, quantity, price="50", seller="steel", buyer="chem"):
    from tests.trading.data import CHEM, GLASS, STEEL

    codes = {"steel": STEEL, "chem": CHEM, "glass": GLASS}
    return service.offer(engine, enterprise_scope(ids[seller]), seller_id=ids[seller],
                         buyer_credit_code=codes[buyer], market="carbon", instrument=None,
                         vintage=2025, quantity=quantity, price=price, actor=f"{seller}-user",
                         now=NOW)  # fmt: skip


def step(engine, scope, trade_id, what, actor="someone"):
    return service.step(engine, scope, trade_id, what, actor=actor, settings=SETTINGS, now=NOW)


def test_discharge_rights_are_allocated_from_the_permits_annual_amounts(ledger):
    engine, ids = ledger
    service.allocate_from_permit(engine, STAFF, enterprise_id=ids["steel"], vintage=2026,
                                 actor="staff", settings=SETTINGS, now=NOW)  # fmt: skip
    held = {a.instrument: (a.balance, a.expires_on)
            for a in positions.accounts(engine, None, market="discharge",
                                        enterprise_id=ids["steel"])}  # fmt: skip
    # COD 60, NH3-N 6, SO2 20 (DA001) + 12.5 (DA002) = 32.5, NOx 40; valid 2026–2030.
    end = date(2030, 12, 31)
    assert held == {"w01018": (D("60"), end), "w21003": (D("6"), end),
                    "a21026": (D("32.5"), end), "a21002": (D("40"), end)}  # fmt: skip
    with pytest.raises(StateError, match="已初始分配"):
        service.allocate_from_permit(engine, STAFF, enterprise_id=ids["steel"], vintage=2026,
                                     actor="staff", settings=SETTINGS)  # fmt: skip
    with pytest.raises(TradingError, match="排污许可证"):  # no permit valid on 2031-01-01
        service.allocate_from_permit(engine, STAFF, enterprise_id=ids["steel"], vintage=2031,
                                     actor="staff", settings=SETTINGS)  # fmt: skip
    _numbers, pos = positions.discharge_positions(engine, ids["steel"], date(2026, 6, 1))
    assert {p.pollutant: p.shortfall_t for p in pos} == dict.fromkeys(held, D(0))


def test_offer_accept_approve_moves_the_units_and_records_who_when_why(ledger):
    engine, ids = ledger
    allocate_carbon(engine, ids["steel"], "1000")
    trade_id = offer(engine, ids, "250.5", price="48.30")
    step(engine, enterprise_scope(ids["chem"]), trade_id, "accept", "chem-user")
    done = step(engine, Scope(role="supervisor", district_id=ids["liangjiang"]), trade_id,
                "approve", "district-supervisor")  # fmt: skip
    assert done["state"] == "approved"
    assert balance(engine, ids["steel"]) == D("749.5")
    assert balance(engine, ids["chem"]) == D("250.5")
    [entry] = [t for t in positions.journal(engine, None, enterprise_id=ids["chem"])]
    assert entry["kind"] == "trade" and entry["actor"] == "district-supervisor"
    assert entry["trade_id"] == trade_id and "48.30" in entry["reason"]
    assert positions.unbalanced(engine) == []
    with engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert {"offer", "accept", "approve", "trade", "allocation"} <= actions


def test_a_sale_below_zero_is_refused_and_the_journal_is_unchanged(ledger):
    engine, ids = ledger
    allocate_carbon(engine, ids["steel"], "1000")
    first, second = offer(engine, ids, "600"), offer(engine, ids, "500")
    for trade_id in (first, second):
        step(engine, enterprise_scope(ids["chem"]), trade_id, "accept")
    step(engine, STAFF, first, "approve")
    before = journal_rows(engine)
    with pytest.raises(Overdraft, match=r"余额不足.*余额 400\.0000"):
        step(engine, STAFF, second, "approve")  # 400 left, 500 asked
    assert journal_rows(engine) == before
    assert positions.trade(engine, None, second)["state"] == "accepted"
    assert balance(engine, ids["steel"]) == D("400")
    # An offer beyond what the seller holds now is refused at once.
    with pytest.raises(Overdraft):
        offer(engine, ids, "400.0001")


def test_each_party_takes_only_its_own_step(ledger):
    engine, ids = ledger
    allocate_carbon(engine, ids["steel"], "100")
    trade_id = offer(engine, ids, "10")
    with pytest.raises(Forbidden):
        step(engine, enterprise_scope(ids["steel"]), trade_id, "accept")  # the seller
    with pytest.raises(NotFound):
        step(engine, enterprise_scope(ids["glass"]), trade_id, "accept")  # a stranger
    with pytest.raises(Forbidden):
        step(engine, enterprise_scope(ids["chem"]), trade_id, "approve")
    with pytest.raises(StateError):
        step(engine, STAFF, trade_id, "approve")  # not accepted yet
    gaoxin = Scope(role="supervisor", district_id=ids["gaoxin"])
    with pytest.raises(NotFound):
        step(engine, gaoxin, trade_id, "reject")  # another district's trade
    step(engine, enterprise_scope(ids["steel"]), trade_id, "withdraw")
    assert positions.trade(engine, None, trade_id)["state"] == "withdrawn"
    assert balance(engine, ids["steel"]) == D("100")


def test_surrender_against_verified_emissions_and_the_shortfall_alert(ledger):
    engine, ids = ledger
    steel = ids["steel"]
    allocate_carbon(engine, steel, "100", vintage=2024)
    allocate_carbon(engine, steel, "1000", vintage=2025)
    allocate_carbon(engine, steel, "5000", vintage=2026)
    with pytest.raises(StateError, match="核查排放量"):
        service.surrender(engine, STAFF, enterprise_id=steel, year=2025, vintage=2025,
                          quantity="10", actor="staff", settings=SETTINGS)  # fmt: skip
    service.record_verified(engine, STAFF, enterprise_id=steel, year=2025, emissions_t="1200",
                            verifier="重庆某核查机构", verified_on="2026-04-30",
                            actor="staff")  # fmt: skip
    with pytest.raises(TradingError, match="预借"):
        service.surrender(engine, STAFF, enterprise_id=steel, year=2025, vintage=2026,
                          quantity="10", actor="staff", settings=SETTINGS)  # fmt: skip
    service.surrender(engine, STAFF, enterprise_id=steel, year=2025, vintage=2025,
                      quantity="1000", actor="staff", settings=SETTINGS, now=NOW)  # fmt: skip
    with pytest.raises(TradingError, match="尚需清缴 200"):
        service.surrender(engine, STAFF, enterprise_id=steel, year=2025, vintage=2024,
                          quantity="201", actor="staff", settings=SETTINGS)  # fmt: skip
    [p] = positions.carbon_positions(engine, steel, SETTINGS)
    # 1200 verified − 1000 surrendered = 200 owed; usable: 100 (2024) + 0 (2025) → short 100.
    assert (p.outstanding_t, p.usable_t, p.shortfall_t) == (D("200"), D("100"), D("100"))
    # Before the warning window (deadline 2026-12-31, 60 days) nothing is raised.
    assert positions.raise_shortfalls(engine, SETTINGS, datetime(2026, 6, 1, tzinfo=UTC)) == set()
    raised = positions.raise_shortfalls(engine, SETTINGS, datetime(2026, 11, 2, tzinfo=UTC))
    again = positions.raise_shortfalls(engine, SETTINGS, datetime(2026, 11, 3, tzinfo=UTC))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(alert).where(alert.c.type == "allowance_shortfall")).all()
    assert len(rows) == 1 and raised == {rows[0].id} and again <= raised
    assert rows[0].enterprise_id == steel and rows[0].point_id is None
    assert rows[0].detail["shortfall_t"] == "100.0000" and rows[0].detail["deadline"] == "2026-12-31"


def test_a_pollutant_sold_below_the_permitted_amount_is_a_shortfall(ledger):
    engine, ids = ledger
    for firm in ("steel", "chem"):
        service.allocate_from_permit(engine, STAFF, enterprise_id=ids[firm], vintage=2026,
                                     actor="staff", settings=SETTINGS, now=NOW)  # fmt: skip
    from tests.trading.data import CHEM

    trade_id = service.offer(engine, None, seller_id=ids["steel"], buyer_credit_code=CHEM,
                             market="discharge", instrument="COD", vintage=2026, quantity="15",
                             price="1360", actor="steel-user")  # fmt: skip
    step(engine, None, trade_id, "accept")
    step(engine, None, trade_id, "approve")
    _numbers, pos = positions.discharge_positions(engine, ids["steel"], date(2026, 6, 1))
    # COD: 60 permitted, 60 − 15 = 45 held → 15 short.
    assert {p.pollutant: p.shortfall_t for p in pos}["w01018"] == D("15")
    conditions = positions.shortfall_conditions(engine, SETTINGS, date(2026, 6, 1))
    assert [(e, c.pollutant, c.peak) for e, c in conditions] == [(ids["steel"], "w01018", 15.0)]


def test_expired_rights_are_retired(ledger):
    engine, ids = ledger
    service.allocate(engine, STAFF, market="discharge", enterprise_id=ids["glass"],
                     instrument="SO2", vintage=2020, quantity="10", reason="2020 年度分配",
                     actor="staff", settings=SETTINGS, now=NOW)  # fmt: skip
    # 2020 + 5 years: valid to 2024-12-31.
    assert service.expire(engine, STAFF, actor="staff",
                          now=datetime(2024, 12, 31, 12, tzinfo=UTC)) == []  # fmt: skip
    [_txn] = service.expire(engine, STAFF, actor="staff", now=datetime(2025, 1, 1, tzinfo=UTC))
    assert balance(engine, ids["glass"], "discharge", "a21026", 2020) == 0
    retired = [a for a in positions.system_accounts(engine, "discharge")
               if a.kind == "retirement"]  # fmt: skip
    assert [(a.instrument, a.balance) for a in retired] == [("a21026", D("10"))]


def test_a_reversal_corrects_without_changing_the_journal(ledger):
    engine, ids = ledger
    txn = allocate_carbon(engine, ids["steel"], "300")
    before_txns, before_lines = journal_rows(engine)
    service.reverse(engine, STAFF, txn, reason="分配数量录入错误", actor="staff")
    txns, lines = journal_rows(engine)
    assert txns[: len(before_txns)] == before_txns and lines[: len(before_lines)] == before_lines
    assert balance(engine, ids["steel"]) == 0 and txns[-1].reverses_id == txn
    with pytest.raises(StateError, match="已冲正"):
        service.reverse(engine, STAFF, txn, reason="again", actor="staff")
    # A reversal that would overdraw the enterprise is refused like any movement.
    second = allocate_carbon(engine, ids["steel"], "50")
    trade_id = offer(engine, ids, "50")
    step(engine, None, trade_id, "accept")
    step(engine, None, trade_id, "approve")
    with pytest.raises(Overdraft):
        service.reverse(engine, STAFF, second, reason="x", actor="staff")


def test_the_database_refuses_to_change_or_delete_journal_rows(ledger):
    engine, ids = ledger
    allocate_carbon(engine, ids["steel"], "10")
    for statement in (sa.update(trading_line).values(quantity=D("999")),
                      sa.delete(trading_line), sa.update(trading_txn).values(reason="x"),
                      sa.delete(trading_txn)):  # fmt: skip
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    assert balance(engine, ids["steel"]) == D("10")


def test_bad_input_names_what_is_wrong_and_posts_nothing(ledger):
    engine, ids = ledger
    before = journal_rows(engine)
    cases = [
        dict(market="gold"), dict(quantity=0.5), dict(quantity="-3"), dict(vintage="20x5"),
        dict(reason=""), dict(instrument="PM2.5", market="discharge"),
    ]
    for case in cases:
        args = dict(market="carbon", enterprise_id=ids["steel"], instrument=None,
                    vintage=2025, quantity="5", reason="r", actor="staff") | case  # fmt: skip
        with pytest.raises(TradingError):
            service.allocate(engine, STAFF, settings=SETTINGS, **args)
    with pytest.raises(Forbidden):
        service.allocate(engine, enterprise_scope(ids["steel"]), market="carbon",
                         enterprise_id=ids["steel"], instrument=None, vintage=2025,
                         quantity="5", reason="r", actor="x", settings=SETTINGS)  # fmt: skip
    assert journal_rows(engine) == before
    assert Market("carbon") is Market.CARBON


def test_large_quantities_stay_exact_to_the_last_place(ledger):
    """SQLite has no exact decimal type; 1,234,567,890,123.4567 t through a float would come
    back as ...3.4568. Both engines keep every digit and sum exactly."""
    engine, ids = ledger
    allocate_carbon(engine, ids["steel"], "1234567890123.4567")
    trade_id = offer(engine, ids, "0.0001", price="99999999.99")
    step(engine, None, trade_id, "accept")
    step(engine, None, trade_id, "approve")
    assert balance(engine, ids["steel"]) == D("1234567890123.4566")
    assert balance(engine, ids["chem"]) == D("0.0001")
    assert positions.trade(engine, None, trade_id)["price"] == D("99999999.99")
    assert positions.unbalanced(engine) == []
