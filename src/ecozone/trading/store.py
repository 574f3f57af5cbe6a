"""Queries of the ledgers: accounts and their derived balances, the append-only journal,
trades, verified emissions and the permit amounts discharge rights come from.

Balances are never stored: an account's balance is the sum of its journal lines. Writers
lock the accounts they post to (`lock_accounts`: SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the caller's BEGIN IMMEDIATE already serialises writers). There is no UPDATE or
DELETE of the journal here, and the database refuses both (migration 0025). Lists filter
with accounts.store.scope_condition (own=True: a ledger is its enterprise's own business).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    enterprise,
    permit,
    permit_limit,
    trading_account,
    trading_line,
    trading_trade,
    trading_txn,
    trading_verified,
)
from ecozone.trading.model import Account, AccountKind, Line, Market, Transaction, TxnKind

A, L, T, TR, V = (trading_account.c, trading_line.c, trading_txn.c, trading_trade.c,
                  trading_verified.c)  # fmt: skip


def account_key(market: str, kind: str, enterprise_id: int | None, instrument: str,
                vintage: int) -> str:  # fmt: skip
    return f"{market}:{kind}:{enterprise_id if enterprise_id is not None else '-'}:" \
           f"{instrument}:{vintage}"  # fmt: skip


# --- enterprises ------------------------------------------------------------------------------


def enterprises(conn: sa.Connection, scope: Scope | None) -> list[dict[str, Any]]:
    """id, name, credit code and district of the enterprises the scope owns (all for None)."""
    e = enterprise.c
    stmt = sa.select(e.id, e.name, e.credit_code, e.district_id).order_by(e.name, e.id)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope, own=True))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def enterprise_by(conn: sa.Connection, *, id: int | None = None,
                  credit_code: str | None = None) -> dict[str, Any] | None:  # fmt: skip
    e = enterprise.c
    stmt = sa.select(e.id, e.name, e.credit_code, e.district_id)
    stmt = stmt.where(e.id == id) if id is not None else stmt.where(e.credit_code == credit_code)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


# --- accounts and balances -----------------------------------------------------------------


def ensure_account(conn: sa.Connection, market: str, kind: str, enterprise_id: int | None,
                   instrument: str, vintage: int, expires_on: date | None) -> int:  # fmt: skip
    """The id of the account holding this unit for this owner, opened if missing (two
    writers opening it at once both get the one row)."""
    key = account_key(market, kind, enterprise_id, instrument, vintage)
    values = {"key": key, "market": market, "kind": kind, "enterprise_id": enterprise_id,
              "instrument": instrument, "vintage": vintage, "expires_on": expires_on}  # fmt: skip
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(trading_account).values(**values).on_conflict_do_nothing())
    return conn.execute(sa.select(A.id).where(A.key == key)).scalar_one()


def lock_accounts(conn: sa.Connection, ids: Iterable[int]) -> None:
    """Hold the accounts until the transaction ends, in id order so two posters never
    deadlock. On SQLite BEGIN IMMEDIATE has taken the database's write lock already."""
    if conn.dialect.name == "postgresql":
        wanted = sorted(set(ids))
        conn.execute(sa.select(A.id).where(A.id.in_(wanted)).order_by(A.id).with_for_update())


def balances(conn: sa.Connection, ids: Iterable[int]) -> dict[int, Decimal]:
    """Each account's balance: the sum of its journal lines (0 when it has none)."""
    wanted = sorted(set(ids))
    rows = conn.execute(
        sa.select(L.account_id, sa.func.sum(L.quantity))
        .where(L.account_id.in_(wanted)).group_by(L.account_id)
    ).all()  # fmt: skip
    found = {account_id: Decimal(total) for account_id, total in rows}
    return {i: found.get(i, Decimal(0)) for i in wanted}


def _balance_subquery(ids: Sequence[int] | None, enterprise_id: int | None) -> sa.Subquery:
    """Sums of the lines of the accounts asked for only (the (account_id, txn_id) index
    serves it), not of the whole journal."""
    stmt = sa.select(L.account_id, sa.func.sum(L.quantity).label("balance"))
    if ids is not None:
        stmt = stmt.where(L.account_id.in_(list(ids)))
    if enterprise_id is not None:
        stmt = stmt.where(L.account_id.in_(sa.select(A.id).where(A.enterprise_id == enterprise_id)))
    return stmt.group_by(L.account_id).subquery()


def accounts(
    conn: sa.Connection,
    scope: Scope | None,
    *,
    market: str | None = None,
    enterprise_id: int | None = None,
    kind: str | None = None,
    ids: Sequence[int] | None = None,
) -> list[Account]:
    """Accounts with their balances; enterprise accounts only within the scope's own
    enterprises, system accounts only for a scope of None (staff read them through it)."""
    bal = _balance_subquery(ids, enterprise_id)
    stmt = (
        sa.select(A.id, A.market, A.kind, A.enterprise_id, A.instrument, A.vintage,
                  A.expires_on, enterprise.c.name.label("enterprise"),
                  sa.func.coalesce(bal.c.balance, 0).label("balance"))
        .select_from(trading_account)
        .outerjoin(enterprise, enterprise.c.id == A.enterprise_id)
        .outerjoin(bal, bal.c.account_id == A.id)
        .order_by(A.market, enterprise.c.name, A.instrument, A.vintage, A.kind, A.id)
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(A.enterprise_id.is_not(None), scope_condition(scope, own=True))
    if market is not None:
        stmt = stmt.where(A.market == market)
    if enterprise_id is not None:
        stmt = stmt.where(A.enterprise_id == enterprise_id)
    if kind is not None:
        stmt = stmt.where(A.kind == kind)
    if ids is not None:
        stmt = stmt.where(A.id.in_(list(ids)))
    return [_account(r) for r in conn.execute(stmt).mappings()]


def _account(r: Any) -> Account:
    return Account(
        id=r["id"], market=Market(r["market"]), kind=AccountKind(r["kind"]),
        enterprise_id=r["enterprise_id"], instrument=r["instrument"], vintage=r["vintage"],
        expires_on=r["expires_on"], enterprise=r["enterprise"], balance=Decimal(r["balance"]),
    )  # fmt: skip


def expired_holdings(conn: sa.Connection, today: date) -> list[Account]:
    """Enterprise accounts past their last valid day that still hold units."""
    return [a for a in accounts(conn, None, kind=AccountKind.ENTERPRISE.value)
            if a.expires_on is not None and a.expires_on < today and a.balance > 0]  # fmt: skip


# --- the journal -------------------------------------------------------------------------


def insert_txn(conn: sa.Connection, values: dict[str, Any], lines: Sequence[Line]) -> int:
    """Append one transaction and its lines; returns its id."""
    txn_id = conn.execute(sa.insert(trading_txn).values(**values).returning(T.id)).scalar_one()
    conn.execute(sa.insert(trading_line), [
        {"txn_id": txn_id, "account_id": line.account_id, "quantity": line.quantity}
        for line in lines
    ])  # fmt: skip
    return txn_id


def transaction(conn: sa.Connection, txn_id: int) -> Transaction | None:
    row = conn.execute(sa.select(trading_txn).where(T.id == txn_id)).mappings().first()
    if row is None:
        return None
    lines = conn.execute(
        sa.select(L.account_id, L.quantity).where(L.txn_id == txn_id).order_by(L.id)
    ).all()
    return Transaction(
        id=row["id"], kind=TxnKind(row["kind"]), market=Market(row["market"]), at=row["at"],
        actor=row["actor"], reason=row["reason"],
        lines=tuple(Line(a, Decimal(q)) for a, q in lines), reverses_id=row["reverses_id"],
        trade_id=row["trade_id"], compliance_year=row["compliance_year"],
    )  # fmt: skip


def reversed_ids(conn: sa.Connection, txn_ids: Sequence[int]) -> set[int]:
    if not txn_ids:
        return set()
    stmt = sa.select(T.reverses_id).where(T.reverses_id.in_(list(txn_ids)))
    return set(conn.execute(stmt).scalars())


def journal(
    conn: sa.Connection,
    scope: Scope | None,
    *,
    enterprise_id: int | None = None,
    market: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The journal lines of enterprise accounts (newest first) with their transaction's
    who, when and why: one row per line, what an enterprise's statement shows."""
    stmt = (
        sa.select(T.id.label("txn_id"), T.kind, T.market, T.at, T.actor, T.reason,
                  T.reverses_id, T.trade_id, T.compliance_year, L.quantity,
                  A.id.label("account_id"), A.instrument, A.vintage,
                  enterprise.c.id.label("enterprise_id"), enterprise.c.name.label("enterprise"))
        .select_from(trading_line)
        .join(trading_txn, T.id == L.txn_id)
        .join(trading_account, A.id == L.account_id)
        .join(enterprise, enterprise.c.id == A.enterprise_id)
        .order_by(T.at.desc(), T.id.desc(), L.id)
        .limit(limit).offset(offset)
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(scope_condition(scope, own=True))
    if enterprise_id is not None:
        stmt = stmt.where(A.enterprise_id == enterprise_id)
    if market is not None:
        stmt = stmt.where(T.market == market)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def all_lines(conn: sa.Connection) -> list[tuple[int, int, Decimal]]:
    """(txn_id, account_id, quantity) of the whole journal, in order (for checks)."""
    stmt = sa.select(L.txn_id, L.account_id, L.quantity).order_by(L.txn_id, L.id)
    return [(t, a, Decimal(q)) for t, a, q in conn.execute(stmt).all()]


def surrendered(conn: sa.Connection, enterprise_id: int, year: int) -> Decimal:
    """Allowances surrendered for compliance year `year` (net of reversed surrenders)."""
    total = conn.execute(
        sa.select(sa.func.sum(L.quantity))
        .select_from(trading_line.join(trading_txn, T.id == L.txn_id)
                     .join(trading_account, A.id == L.account_id))
        .where(A.enterprise_id == enterprise_id, A.market == Market.CARBON.value,
               T.compliance_year == year,
               T.kind.in_([TxnKind.SURRENDER.value, TxnKind.REVERSAL.value]))
    ).scalar()  # fmt: skip
    return -Decimal(total or 0)


def allocated(conn: sa.Connection, market: str, enterprise_id: int, vintage: int) -> bool:
    """Whether the enterprise already had an allocation of this market's vintage."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(trading_line.join(trading_txn, T.id == L.txn_id)
                     .join(trading_account, A.id == L.account_id))
        .where(T.kind == TxnKind.ALLOCATION.value, T.market == market,
               A.enterprise_id == enterprise_id, A.vintage == vintage,
               T.id.not_in(sa.select(T.reverses_id).where(T.reverses_id.is_not(None))))
    )  # fmt: skip
    return conn.execute(stmt).scalar_one() > 0


def counts(conn: sa.Connection) -> dict[str, int]:
    """Rows of the journal tables (what tests compare before and after a refusal)."""
    return {name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in (("txn", trading_txn), ("line", trading_line))}  # fmt: skip


# --- trades ----------------------------------------------------------------------------------


def insert_trade(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(sa.insert(trading_trade).values(**values).returning(TR.id)).scalar_one()


def update_trade(conn: sa.Connection, trade_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.update(trading_trade).where(TR.id == trade_id).values(**values))


def trade(conn: sa.Connection, trade_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
    stmt = _trades_select().where(TR.id == trade_id)
    if for_update and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=trading_trade)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def _trades_select() -> sa.Select[Any]:
    seller, buyer = enterprise.alias("seller"), enterprise.alias("buyer")
    return (
        sa.select(trading_trade, seller.c.name.label("seller"), buyer.c.name.label("buyer"),
                  seller.c.district_id.label("seller_district_id"),
                  buyer.c.district_id.label("buyer_district_id"), T.id.label("txn_id"))
        .select_from(trading_trade)
        .join(seller, seller.c.id == TR.seller_id)
        .join(buyer, buyer.c.id == TR.buyer_id)
        .outerjoin(trading_txn, T.trade_id == TR.id)
    )  # fmt: skip


def trades(
    conn: sa.Connection,
    scope: Scope | None,
    *,
    market: str | None = None,
    states: Sequence[str] | None = None,
    enterprise_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Trades newest first where the scope owns the seller or the buyer (all for None)."""
    stmt = _trades_select().order_by(TR.offered_at.desc(), TR.id.desc()).limit(limit)
    if scope is not None:
        seller, buyer = enterprise.alias("s2"), enterprise.alias("b2")
        mine = sa.or_(
            TR.seller_id.in_(sa.select(seller.c.id).where(scope_condition(scope, own=True,
                                                                          table=seller))),
            TR.buyer_id.in_(sa.select(buyer.c.id).where(scope_condition(scope, own=True,
                                                                        table=buyer))),
        )  # fmt: skip
        stmt = stmt.where(mine)
    if market is not None:
        stmt = stmt.where(TR.market == market)
    if states:
        stmt = stmt.where(TR.state.in_(list(states)))
    if enterprise_id is not None:
        stmt = stmt.where(sa.or_(TR.seller_id == enterprise_id, TR.buyer_id == enterprise_id))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def settled_trades(conn: sa.Connection, market: str,
                   instrument: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Approved trades of a market, oldest first: when settled, what, how much, at what price
    (no parties: what the market view aggregates)."""
    stmt = (
        sa.select(TR.decided_at, TR.instrument, TR.vintage, TR.quantity, TR.price)
        .where(TR.market == market, TR.state == "approved")
        .order_by(TR.decided_at, TR.id)
    )  # fmt: skip
    if instrument:
        stmt = stmt.where(TR.instrument == instrument)
    return [dict(r) for r in conn.execute(stmt).mappings()]


# --- verified emissions and permits ---------------------------------------------------------


def verified(conn: sa.Connection, enterprise_id: int, year: int | None = None
             ) -> list[dict[str, Any]]:  # fmt: skip
    stmt = sa.select(trading_verified).where(V.enterprise_id == enterprise_id).order_by(V.year)
    if year is not None:
        stmt = stmt.where(V.year == year)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def verified_all(conn: sa.Connection, scope: Scope | None) -> list[dict[str, Any]]:
    stmt = (
        sa.select(trading_verified, enterprise.c.name.label("enterprise"))
        .join(enterprise, enterprise.c.id == V.enterprise_id)
        .order_by(V.year.desc(), enterprise.c.name)
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(scope_condition(scope, own=True))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def save_verified(conn: sa.Connection, values: dict[str, Any]) -> dict[str, Any] | None:
    """Insert or replace the verified figure of (enterprise, year); returns the one before."""
    before = verified(conn, values["enterprise_id"], values["year"])
    if before:
        conn.execute(sa.update(trading_verified).where(V.id == before[0]["id"]).values(**values))
    else:
        conn.execute(sa.insert(trading_verified).values(**values))
    return before[0] if before else None


def permit_limits(conn: sa.Connection, enterprise_id: int, on: date
                  ) -> tuple[list[str], list[tuple[str, float | None]]]:  # fmt: skip
    """The permit numbers valid on `on` and their (pollutant, annual cap t/a) limits."""
    p, pl = permit.c, permit_limit.c
    permits = conn.execute(
        sa.select(p.id, p.permit_no).where(p.enterprise_id == enterprise_id,
                                           p.valid_from <= on, p.valid_to >= on)
    ).all()  # fmt: skip
    if not permits:
        return [], []
    rows = conn.execute(
        sa.select(pl.pollutant, pl.annual_cap_t).where(pl.permit_id.in_([i for i, _ in permits]))
    ).all()
    return [no for _, no in permits], [(code, cap) for code, cap in rows]


def carbon_enterprises(conn: sa.Connection) -> list[int]:
    """Enterprises with carbon accounts or verified emissions (the compliance check's list)."""
    with_accounts = sa.select(A.enterprise_id).where(
        A.market == Market.CARBON.value, A.enterprise_id.is_not(None))
    with_verified = sa.select(V.enterprise_id)
    return sorted(set(conn.execute(sa.union(with_accounts, with_verified)).scalars()))


def latest_at(conn: sa.Connection) -> datetime | None:
    return conn.execute(sa.select(sa.func.max(T.at))).scalar()
