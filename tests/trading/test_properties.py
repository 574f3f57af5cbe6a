"""Properties of the ledger over random operation sequences (hypothesis) and under
concurrent approvals on PostgreSQL: every transaction sums to zero per unit, and no
enterprise account is ever below zero, whatever was tried and refused."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.trading.conftest import SETTINGS
from tests.trading.data import CHEM, GLASS, STEEL, seed
from tests.web.conftest import database

from ecozone.accounts.model import Scope
from ecozone.errors import EcozoneError
from ecozone.store.schema import trading_line
from ecozone.trading import positions, service
from ecozone.trading.model import AccountKind, Overdraft

STAFF = Scope(role="admin")
FIRMS = ("steel", "chem", "glass")
CODES = {"steel": STEEL, "chem": CHEM, "glass": GLASS}


@pytest.fixture(scope="module")
def sqlite_ledger(tmp_path_factory) -> Iterator[tuple[sa.Engine, dict[str, int]]]:
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('ledger')}/ecozone.db")
    yield engine, ids
    engine.dispose()


quantity = st.decimals(min_value=D("0.0001"), max_value=D("500"), places=4)
operation = st.one_of(
    st.tuples(st.just("allocate"), st.sampled_from(FIRMS), st.sampled_from([2024, 2025]),
              quantity),
    st.tuples(st.just("trade"), st.sampled_from(FIRMS), st.sampled_from(FIRMS),
              st.sampled_from([2024, 2025]), quantity),
    st.tuples(st.just("reverse"), st.integers(min_value=1, max_value=60)),
    st.tuples(st.just("permit"), st.sampled_from(FIRMS), st.sampled_from([2024, 2026])),
)  # fmt: skip


def _apply(engine: sa.Engine, ids: dict[str, int], op: tuple) -> None:
    kind = op[0]
    if kind == "allocate":
        _, firm, vintage, qty = op
        service.allocate(engine, STAFF, market="carbon", enterprise_id=ids[firm],
                         instrument=None, vintage=vintage, quantity=qty, reason="分配",
                         actor="p", settings=SETTINGS)  # fmt: skip
    elif kind == "trade":
        _, seller, buyer, vintage, qty = op
        trade_id = service.offer(engine, None, seller_id=ids[seller],
                                 buyer_credit_code=CODES[buyer], market="carbon",
                                 instrument=None, vintage=vintage, quantity=qty, price="10",
                                 actor="p")  # fmt: skip
        for step in ("accept", "approve"):
            service.step(engine, None, trade_id, step, actor="p", settings=SETTINGS)
    elif kind == "reverse":
        service.reverse(engine, STAFF, op[1], reason="冲正", actor="p")
    else:
        _, firm, vintage = op
        service.allocate_from_permit(engine, STAFF, enterprise_id=ids[firm], vintage=vintage,
                                     actor="p", settings=SETTINGS)  # fmt: skip


def _assert_sound(engine: sa.Engine) -> None:
    assert positions.unbalanced(engine) == []
    for account in positions.accounts(engine, None):
        if account.kind is AccountKind.ENTERPRISE:
            assert account.balance >= 0, account
    with engine.connect() as conn:  # the whole journal sums to zero as well
        assert conn.execute(sa.select(sa.func.sum(trading_line.c.quantity))).scalar() in (0, None)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=8))
def test_every_transaction_sums_to_zero_and_no_enterprise_goes_negative(sqlite_ledger, ops):
    engine, ids = sqlite_ledger
    for op in ops:
        with contextlib.suppress(EcozoneError):  # a refusal must have posted nothing
            _apply(engine, ids, op)
        _assert_sound(engine)


@pytest.mark.postgres
def test_concurrent_approvals_on_postgresql_cannot_overdraw(tmp_path):
    """Ten approved-at-once sales of 20 from a balance of 100: exactly five settle."""
    with database("postgres", str(tmp_path)) as url:
        engine, ids = seed(url)
        try:
            service.allocate(engine, STAFF, market="carbon", enterprise_id=ids["steel"],
                             instrument=None, vintage=2025, quantity="100", reason="分配",
                             actor="staff", settings=SETTINGS)  # fmt: skip
            trades = []
            for i in range(10):
                buyer = ("chem", "glass")[i % 2]
                trade_id = service.offer(engine, None, seller_id=ids["steel"],
                                         buyer_credit_code=CODES[buyer], market="carbon",
                                         instrument=None, vintage=2025, quantity="20",
                                         price="50", actor="steel")  # fmt: skip
                service.step(engine, None, trade_id, "accept", actor=buyer, settings=SETTINGS)
                trades.append(trade_id)
            barrier = threading.Barrier(len(trades))
            outcomes: list[str] = []

            def approve(trade_id: int) -> None:
                barrier.wait()
                try:
                    service.step(engine, STAFF, trade_id, "approve", actor="staff",
                                 settings=SETTINGS)  # fmt: skip
                    outcomes.append("approved")
                except Overdraft:
                    outcomes.append("refused")

            threads = [threading.Thread(target=approve, args=(t,)) for t in trades]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["approved"] * 5 + ["refused"] * 5
            held = {a.enterprise_id: a.balance for a in positions.accounts(engine, None)}
            assert held[ids["steel"]] == 0
            assert held[ids["chem"]] + held[ids["glass"]] == D("100")
            _assert_sound(engine)
        finally:
            engine.dispose()
