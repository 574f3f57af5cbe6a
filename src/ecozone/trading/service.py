"""Use cases of the ledgers: open accounts, post allocations, trades, surrenders, expiries
and reversals, each in one short transaction that locks the accounts it touches, checks the
double entry and the no-overdraft rule on the locked balances, appends to the journal and
audits the change. Bad input is refused before anything is written.

Who may do what: staff (admin, supervisor; a district supervisor within the district)
allocate, approve, surrender, enter verified emissions, expire and reverse; an enterprise
offers its own units and accepts offers made to it. Another enterprise's account or trade
answers like a missing one. `scope=None` is the platform itself (CLI, demo, timers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ecozone import textguard
from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.errors import Forbidden
from ecozone.times import as_instant, cst_naive, utc_now
from ecozone.trading import rules, store
from ecozone.trading.model import (
    CARBON_INSTRUMENT,
    DISCHARGE_POLLUTANTS,
    UNITS,
    AccountKind,
    LedgerNotFound,
    Line,
    Market,
    Overdraft,
    StateError,
    TradeState,
    TradeStep,
    TradingError,
    TradingSettings,
    TxnKind,
)

ACTOR_MAX = 100
REASON_MAX = 500


def writer(engine: sa.Engine) -> sa.Connection:
    """A connection whose transactions take SQLite's write lock up front (BEGIN IMMEDIATE),
    so two posters never interleave there; PostgreSQL locks rows (store.lock_accounts)."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def instant(now: datetime | None) -> datetime:
    return utc_now() if now is None else as_instant(now)


def today_of(now: datetime | None) -> date:
    """The day in China Standard Time of `now` (default: the clock's)."""
    return cst_naive(instant(now)).date()


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise TradingError(f"{field}：不能为空")
    if len(text) > limit:
        raise TradingError(f"{field}：{len(text)} 个字符，最多 {limit} 个")
    return textguard.check_text(text, field, multiline=True)


def _actor(actor: str) -> str:
    return _text(actor, "操作人", ACTOR_MAX)


def market_of(value: str | Market) -> Market:
    try:
        return Market(str(value).strip())
    except ValueError:
        raise TradingError(
            f"市场：{value!r} 无效，应为 carbon（碳排放权）或 discharge（排污权）"
        ) from None


def instrument_of(market: Market, value: str | None) -> str:
    """CQEA for carbon; for discharge rights one of COD, NH3-N, SO2, NOx by code or name."""
    if market is Market.CARBON:
        if value not in (None, "", CARBON_INSTRUMENT):
            raise TradingError(f"品种：碳市场只有 {CARBON_INSTRUMENT}（重庆碳排放配额）")
        return CARBON_INSTRUMENT
    text = (value or "").strip()
    by_name = {name.upper(): code for code, name in DISCHARGE_POLLUTANTS.items()}
    code = text if text in DISCHARGE_POLLUTANTS else by_name.get(text.upper())
    if code is None:
        raise TradingError(f"污染物：{value!r} 无效，应为 COD、NH3-N、SO2 或 NOx")
    return code


def vintage_of(value: int | str) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise TradingError(f"年度：{value!r} 无效，应为 2000–2100 的年份")
    return int(text)


def _staff(scope: Scope | None) -> None:
    if scope is not None and not scope.is_staff:
        raise Forbidden("只有监管人员可以执行此操作")


def _enterprise(conn: sa.Connection, scope: Scope | None, enterprise_id: int) -> dict[str, Any]:
    """The enterprise if the scope owns it; LedgerNotFound otherwise, like a missing one."""
    row = store.enterprise_by(conn, id=enterprise_id)
    if row is None or (scope is not None and not scope.owns(row["id"],
                                                            district_id=row["district_id"])):
        raise LedgerNotFound(f"企业：没有编号为 {enterprise_id} 的企业")  # fmt: skip
    return row


def enterprise_by_code(engine: sa.Engine, credit_code: str) -> dict[str, Any]:
    """Any enterprise by its credit code (a counterparty is named by it); NotFound if none."""
    with engine.connect() as conn:
        row = store.enterprise_by(conn, credit_code=(credit_code or "").strip().upper())
    if row is None:
        raise LedgerNotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
    return row


# --- posting: the one write path of the journal ---------------------------------------------


def post(
    conn: sa.Connection,
    *,
    kind: TxnKind,
    market: Market,
    lines: Sequence[Line],
    actor: str,
    reason: str,
    at: datetime,
    trade_id: int | None = None,
    reverses_id: int | None = None,
    compliance_year: int | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one balanced transaction in the caller's transaction: lock its accounts, check
    the double entry and that no enterprise account goes below zero on the locked balances,
    insert, audit. Overdraft (nothing written) when an enterprise balance would be negative."""
    ids = [line.account_id for line in lines]
    store.lock_accounts(conn, ids)
    found = {a.id: a for a in store.accounts(conn, None, ids=ids)}
    rules.check_balanced(lines, {i: a.unit for i, a in found.items()})
    over = rules.overdrawn(
        {i: a.balance for i, a in found.items()}, lines,
        [i for i, a in found.items() if a.kind is AccountKind.ENTERPRISE],
    )  # fmt: skip
    if over:
        account_id, after = next(iter(over.items()))
        a = found[account_id]
        raise Overdraft(
            f"余额不足：{a.enterprise} 的 {label(a.market, a.instrument)} {a.vintage} 年度账户"
            f"余额 {a.balance}，本笔需 {a.balance - after}，将成为 {after}；已拒绝，未记账"
        )
    txn_id = store.insert_txn(conn, {
        "kind": kind.value, "market": market.value, "at": at, "actor": actor, "reason": reason,
        "trade_id": trade_id, "reverses_id": reverses_id, "compliance_year": compliance_year,
        "detail": detail,
    }, lines)  # fmt: skip
    audit.record(
        conn, actor=actor, action=kind.value, entity="trading_txn", entity_id=str(txn_id),
        before=None,
        after={"market": market.value, "reason": reason, "trade_id": trade_id,
               "reverses_id": reverses_id, "compliance_year": compliance_year,
               "lines": [{"account_id": x.account_id, "quantity": str(x.quantity)}
                         for x in lines]},
    )  # fmt: skip
    return txn_id


def label(market: Market | str, instrument: str) -> str:
    if Market(market) is Market.CARBON:
        return "碳排放配额"
    return f"排污权 {DISCHARGE_POLLUTANTS.get(instrument, instrument)}"


def _system(conn: sa.Connection, market: Market, kind: AccountKind, instrument: str,
            vintage: int, expires_on: date | None = None) -> int:  # fmt: skip
    return store.ensure_account(conn, market.value, kind.value, None, instrument, vintage,
                                expires_on)  # fmt: skip


def _own_account(conn: sa.Connection, market: Market, enterprise_id: int, instrument: str,
                 vintage: int, settings: TradingSettings) -> int:  # fmt: skip
    expires = (rules.discharge_expiry(vintage, settings.discharge_validity_years)
               if market is Market.DISCHARGE else None)  # fmt: skip
    return store.ensure_account(conn, market.value, AccountKind.ENTERPRISE.value, enterprise_id,
                                instrument, vintage, expires)  # fmt: skip


# --- allocation ------------------------------------------------------------------------------


def allocate(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    market: str,
    enterprise_id: int | None,
    instrument: str | None,
    vintage: int | str,
    quantity: object,
    reason: str,
    actor: str,
    settings: TradingSettings,
    from_reserve: bool = False,
    now: datetime | None = None,
) -> int:
    """Staff allocate `quantity` of a vintage to an enterprise (初始分配), from the issuer
    account or from the market reserve; with `enterprise_id` None, the issuer funds the
    reserve. Carbon allowances are allocated this way; discharge rights come from the
    permit (allocate_from_permit) or, for new units' bids, from the reserve."""
    _staff(scope)
    m = market_of(market)
    code, year = instrument_of(m, instrument), vintage_of(vintage)
    qty = rules.amount(quantity, f"数量（{UNITS[m]}）")
    why, who = _text(reason, "事由", REASON_MAX), _actor(actor)
    if enterprise_id is None and from_reserve:
        raise TradingError("储备账户不能向自己分配")
    with writer(engine) as conn, conn.begin():
        expires = (rules.discharge_expiry(year, settings.discharge_validity_years)
                   if m is Market.DISCHARGE else None)  # fmt: skip
        source = _system(conn, m, AccountKind.RESERVE if from_reserve else AccountKind.ISSUER,
                         code, year, expires)  # fmt: skip
        if enterprise_id is None:
            target = _system(conn, m, AccountKind.RESERVE, code, year, expires)
        else:
            _enterprise(conn, scope, enterprise_id)
            target = _own_account(conn, m, enterprise_id, code, year, settings)
        reserve = store.accounts(conn, None, ids=[source])[0]
        if from_reserve and reserve.balance < qty:
            raise Overdraft(f"市场储备不足：{label(m, code)} {year} 年度储备余额 "
                            f"{reserve.balance}，需 {qty}；已拒绝，未记账")  # fmt: skip
        return post(conn, kind=TxnKind.ALLOCATION, market=m,
                    lines=rules.transfer(source, target, qty), actor=who, reason=why,
                    at=instant(now))  # fmt: skip


def allocate_from_permit(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    enterprise_id: int,
    vintage: int | str,
    actor: str,
    settings: TradingSettings,
    now: datetime | None = None,
) -> int:
    """Initial discharge rights of a vintage from the permit valid on 1 January of it: each
    of COD, NH3-N, SO2 and NOx at its permitted annual amount (the sum of the outlets' annual
    caps, t/a; 排污权 is confirmed through the permit, domain-2.md §11), valid 5 years
    (a setting). One transaction with a pair of lines per pollutant. Once per vintage."""
    _staff(scope)
    year, who = vintage_of(vintage), _actor(actor)
    with writer(engine) as conn, conn.begin():
        firm = _enterprise(conn, scope, enterprise_id)
        numbers, limits = store.permit_limits(conn, enterprise_id, date(year, 1, 1))
        amounts = rules.permitted_amounts(limits)
        if not amounts:
            raise TradingError(f"{firm['name']}：{year}-01-01 没有有效的排污许可证载明"
                               "化学需氧量、氨氮、二氧化硫或氮氧化物的年许可排放量")  # fmt: skip
        if store.allocated(conn, Market.DISCHARGE.value, enterprise_id, year):
            raise StateError(f"{firm['name']}：{year} 年度的排污权已初始分配")
        expires = rules.discharge_expiry(year, settings.discharge_validity_years)
        lines: list[Line] = []
        for code, qty in amounts.items():
            source = _system(conn, Market.DISCHARGE, AccountKind.ISSUER, code, year, expires)
            target = _own_account(conn, Market.DISCHARGE, enterprise_id, code, year, settings)
            lines += rules.transfer(source, target, qty)
        why = f"按排污许可证 {'、'.join(numbers)} 初始分配 {year} 年度排污权"
        detail = {"permits": numbers, "amounts": {c: str(q) for c, q in amounts.items()}}
        return post(conn, kind=TxnKind.ALLOCATION, market=Market.DISCHARGE, lines=lines,
                    actor=who, reason=why, at=instant(now), detail=detail)


# --- trades: the seller offers, the buyer accepts, staff approve -----------------------------


def offer(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    seller_id: int,
    buyer_credit_code: str,
    market: str,
    instrument: str | None,
    vintage: int | str,
    quantity: object,
    price: object,
    note: str = "",
    actor: str,
    now: datetime | None = None,
) -> int:
    """The seller's offer to a named buyer (协议转让) at a price; refused when the seller does
    not hold that much now (approval checks again, on the locked balance)."""
    m = market_of(market)
    code, year = instrument_of(m, instrument), vintage_of(vintage)
    qty, unit_price = rules.amount(quantity, f"数量（{UNITS[m]}）"), rules.price(price)
    text, who = _text(note, "附言", REASON_MAX, required=False), _actor(actor)
    buyer = enterprise_by_code(engine, buyer_credit_code)
    with writer(engine) as conn, conn.begin():
        seller = _enterprise(conn, scope, seller_id)
        if buyer["id"] == seller["id"]:
            raise TradingError("买方不能是卖方自己")
        held = [a for a in store.accounts(conn, None, market=m.value, enterprise_id=seller_id)
                if a.instrument == code and a.vintage == year]  # fmt: skip
        balance = held[0].balance if held else Decimal(0)
        if balance < qty:
            raise Overdraft(f"余额不足：{seller['name']} 的 {label(m, code)} {year} 年度账户余额 "
                            f"{balance}，不能出让 {qty}")  # fmt: skip
        values = {"market": m.value, "instrument": code, "vintage": year, "seller_id": seller_id,
                  "buyer_id": buyer["id"], "quantity": qty, "price": unit_price,
                  "state": TradeState.OFFERED.value, "note": text, "offered_by": who,
                  "offered_at": instant(now)}  # fmt: skip
        trade_id = store.insert_trade(conn, values)
        audit.record(conn, actor=who, action="offer", entity="trading_trade",
                     entity_id=str(trade_id), before=None,
                     after={k: str(v) for k, v in values.items()})  # fmt: skip
        return trade_id


def step(
    engine: sa.Engine,
    scope: Scope | None,
    trade_id: int,
    what: TradeStep | str,
    *,
    actor: str,
    settings: TradingSettings,
    note: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """One step of a trade: the buyer accepts or declines, the seller withdraws, staff
    approve (posting the transfer) or reject. Who may take which step is checked here."""
    try:
        action = TradeStep(what)
    except ValueError:
        raise TradingError(f"操作：{what!r} 无效") from None
    who, text, at = _actor(actor), _text(note, "意见", REASON_MAX, required=False), instant(now)
    with writer(engine) as conn, conn.begin():
        _may_take(scope, action)  # the role first, as every route answers
        found = store.trade(conn, trade_id, for_update=True)
        if found is None or not _may_see(scope, found):
            raise LedgerNotFound(f"交易：没有编号为 {trade_id} 的交易")
        _may_step(scope, found, action)
        state = rules.next_state(TradeState(found["state"]), action)
        values: dict[str, Any] = {"state": state.value}
        if action is TradeStep.ACCEPT:
            values |= {"accepted_by": who, "accepted_at": at}
        else:
            values |= {"decided_by": who, "decided_at": at, "decision": text or None}
        if action is TradeStep.APPROVE:
            m = Market(found["market"])
            source = _own_account(conn, m, found["seller_id"], found["instrument"],
                                  found["vintage"], settings)  # fmt: skip
            target = _own_account(conn, m, found["buyer_id"], found["instrument"],
                                  found["vintage"], settings)  # fmt: skip
            post(conn, kind=TxnKind.TRADE, market=m,
                 lines=rules.transfer(source, target, Decimal(found["quantity"])), actor=who,
                 reason=f"交易 {trade_id}：{found['seller']} 出让给 {found['buyer']}，"
                        f"单价 {found['price']} 元" + (f"（{text}）" if text else ""),
                 at=at, trade_id=trade_id,
                 detail={"price": str(found["price"])})  # fmt: skip
        store.update_trade(conn, trade_id, values)
        audit.record(conn, actor=who, action=action.value, entity="trading_trade",
                     entity_id=str(trade_id), before={"state": found["state"]},
                     after={"state": state.value, "note": text})  # fmt: skip
        return {**found, **values}


def _owns(scope: Scope | None, enterprise_id: int, district_id: int | None) -> bool:
    return scope is None or scope.owns(enterprise_id, district_id=district_id)


def _may_see(scope: Scope | None, t: dict[str, Any]) -> bool:
    return _owns(scope, t["seller_id"], t["seller_district_id"]) or _owns(
        scope, t["buyer_id"], t["buyer_district_id"])  # fmt: skip


def _may_take(scope: Scope | None, action: TradeStep) -> None:
    """Staff approve and reject; only the parties (enterprises) accept, decline, withdraw."""
    if scope is None:
        return
    if action in (TradeStep.APPROVE, TradeStep.REJECT):
        _staff(scope)
    elif scope.is_staff or scope.role != "enterprise":
        raise Forbidden("买方确认或拒绝、卖方撤回报价，由交易一方办理")


def _may_step(scope: Scope | None, t: dict[str, Any], action: TradeStep) -> None:
    if scope is None:
        return
    if action in (TradeStep.APPROVE, TradeStep.REJECT):
        if not (_owns(scope, t["seller_id"], t["seller_district_id"])
                and _owns(scope, t["buyer_id"], t["buyer_district_id"])):  # fmt: skip
            raise Forbidden("跨区县的交易由市级监管人员审核")
        return
    party = "buyer" if action in (TradeStep.ACCEPT, TradeStep.DECLINE) else "seller"
    if not _owns(scope, t[f"{party}_id"], t[f"{party}_district_id"]):
        raise Forbidden("买方确认或拒绝，卖方撤回：只能由交易一方办理" if party == "buyer"
                        else "只有卖方可以撤回报价")  # fmt: skip


# --- surrender, expiry, reversal, verified emissions -----------------------------------------


def record_verified(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    enterprise_id: int,
    year: int | str,
    emissions_t: object,
    verifier: str,
    verified_on: date | str,
    actor: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Staff enter an enterprise's verified emissions of a year (核查排放量, tCO2e) with the
    verifier and the verification date; a second entry replaces the first, audited."""
    _staff(scope)
    y, who = vintage_of(year), _actor(actor)
    figure = Decimal(0) if str(emissions_t).strip() in ("0", "0.0") else rules.amount(
        emissions_t, "核查排放量（tCO2e）")  # fmt: skip
    by = _text(verifier, "核查机构", 200)
    try:
        day = verified_on if isinstance(verified_on, date) else date.fromisoformat(
            str(verified_on).strip())  # fmt: skip
    except ValueError:
        raise TradingError(f"核查日期：{verified_on!r} 不是日期（YYYY-MM-DD）") from None
    if day.year <= y:
        raise TradingError(f"核查日期：{day} 应在 {y} 年度结束之后")
    values = {"enterprise_id": enterprise_id, "year": y, "emissions_t": figure, "verifier": by,
              "verified_on": day, "entered_by": who, "entered_at": instant(now)}  # fmt: skip
    with writer(engine) as conn, conn.begin():
        _enterprise(conn, scope, enterprise_id)
        before = store.save_verified(conn, values)
        audit.record(conn, actor=who, action="update" if before else "create",
                     entity="trading_verified", entity_id=f"{enterprise_id}:{y}",
                     before={"emissions_t": str(before["emissions_t"]),
                             "verifier": before["verifier"]} if before else None,
                     after={"emissions_t": str(figure), "verifier": by,
                            "verified_on": day.isoformat()})  # fmt: skip
    return values


def surrender(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    enterprise_id: int,
    year: int | str,
    vintage: int | str,
    quantity: object,
    actor: str,
    reason: str = "",
    settings: TradingSettings,
    now: datetime | None = None,
) -> int:
    """Surrender (清缴) carbon allowances of a vintage up to the compliance year into the
    retirement account, against that year's verified emissions; refused without a verified
    figure, beyond what remains owed, from a later vintage, or beyond the balance."""
    _staff(scope)
    y, v, who = vintage_of(year), vintage_of(vintage), _actor(actor)
    qty = rules.amount(quantity, "清缴数量（tCO2e）")
    if not rules.usable_for(v, y):
        raise TradingError(f"{v} 年度配额不能用于清缴 {y} 年度排放（不得预借）")
    with writer(engine) as conn, conn.begin():
        firm = _enterprise(conn, scope, enterprise_id)
        figures = store.verified(conn, enterprise_id, y)
        if not figures:
            raise StateError(f"{firm['name']}：尚未录入 {y} 年度核查排放量，不能清缴")
        owed = Decimal(figures[0]["emissions_t"]) - store.surrendered(conn, enterprise_id, y)
        if qty > owed:
            raise TradingError(f"{firm['name']}：{y} 年度尚需清缴 {max(owed, Decimal(0))} tCO2e，"
                               f"不能清缴 {qty}")  # fmt: skip
        source = _own_account(conn, Market.CARBON, enterprise_id, CARBON_INSTRUMENT, v, settings)
        target = _system(conn, Market.CARBON, AccountKind.RETIREMENT, CARBON_INSTRUMENT, v)
        why = _text(reason, "事由", REASON_MAX, required=False) or f"清缴 {y} 年度排放"
        return post(conn, kind=TxnKind.SURRENDER, market=Market.CARBON,
                    lines=rules.transfer(source, target, qty), actor=who, reason=why,
                    at=instant(now), compliance_year=y)  # fmt: skip


def expire(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    actor: str,
    now: datetime | None = None,
) -> list[int]:
    """Retire what enterprise accounts still hold after their last valid day (到期注销), one
    transaction per account; the ids of the transactions posted."""
    _staff(scope)
    who, at = _actor(actor), instant(now)
    today = today_of(at)
    posted = []
    with writer(engine) as conn, conn.begin():
        for a in store.expired_holdings(conn, today):
            if scope is not None and not _owns_account(conn, scope, a.enterprise_id):
                continue
            target = _system(conn, a.market, AccountKind.RETIREMENT, a.instrument, a.vintage,
                             a.expires_on)  # fmt: skip
            posted.append(post(conn, kind=TxnKind.EXPIRY, market=a.market,
                               lines=rules.transfer(a.id, target, a.balance), actor=who,
                               reason=f"{label(a.market, a.instrument)} {a.vintage} 年度"
                                      f"有效期至 {a.expires_on}，到期注销", at=at))  # fmt: skip
    return posted


def _owns_account(conn: sa.Connection, scope: Scope, enterprise_id: int | None) -> bool:
    if enterprise_id is None:
        return scope.everything
    row = store.enterprise_by(conn, id=enterprise_id)
    return row is not None and scope.owns(row["id"], district_id=row["district_id"])


def reverse(
    engine: sa.Engine,
    scope: Scope | None,
    txn_id: int,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> int:
    """Correct a posted transaction with its reversing entry (冲正): the same lines negated,
    refused when it would overdraw an account, and once only; reversals are not reversed
    (post the movement again instead)."""
    _staff(scope)
    why, who = _text(reason, "冲正事由", REASON_MAX), _actor(actor)
    with writer(engine) as conn, conn.begin():
        original = store.transaction(conn, txn_id)
        if original is None:
            raise LedgerNotFound(f"分录：没有编号为 {txn_id} 的交易")
        touched = store.accounts(conn, None, ids=[x.account_id for x in original.lines])
        firms = [a.enterprise_id for a in touched if a.enterprise_id is not None]
        if scope is not None and not (all(_owns_account(conn, scope, e) for e in firms)
                                      if firms else scope.everything):  # fmt: skip
            raise LedgerNotFound(f"分录：没有编号为 {txn_id} 的交易")
        if original.kind is TxnKind.REVERSAL:
            raise StateError(f"交易 {txn_id} 本身是冲正，不能再冲正")
        if store.reversed_ids(conn, [txn_id]):
            raise StateError(f"交易 {txn_id} 已冲正")
        return post(conn, kind=TxnKind.REVERSAL, market=original.market,
                    lines=rules.reversal(original.lines), actor=who,
                    reason=f"冲正交易 {txn_id}：{why}", at=instant(now), reverses_id=txn_id,
                    compliance_year=original.compliance_year)  # fmt: skip
