"""The ledger's rules as pure functions: exact quantities, balanced transactions, no
overdraft, validity and expiry, compliance positions, the trade's steps and price series.

Double entry (复式记账): every transaction has at least two lines and, for each unit
(market, instrument, vintage), its lines sum to exactly zero, so units are only ever moved,
never made or lost; the issuer account's negative balance is what was issued. Enterprise
accounts may never go below zero. No I/O, no clock, no settings read here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from ecozone.trading.model import (
    DISCHARGE_POLLUTANTS,
    PRICE_PLACES,
    QUANTITY_PLACES,
    BasePrice,
    CarbonPosition,
    DischargePosition,
    Line,
    Market,
    StateError,
    TradeState,
    TradeStep,
    TradingError,
    TradingSettings,
    Unit,
)

#: Largest quantity or price one entry may carry (the columns hold 14 digits before the point).
MAX_AMOUNT = Decimal("1e13")


def amount(value: object, what: str, places: Decimal = QUANTITY_PLACES) -> Decimal:
    """`value` as an exact positive Decimal with at most `places` decimals; floats are
    refused (0.1 is not exactly a tenth), text and integers are read exactly."""
    if isinstance(value, (float, bool)):
        raise TradingError(f"{what}：请以文本给出精确小数，不接受浮点数（{value!r}）")
    try:
        number = Decimal(str(value).strip().replace(",", "")) if not isinstance(
            value, Decimal) else value  # fmt: skip
    except (InvalidOperation, ValueError):
        raise TradingError(f"{what}：{value!r} 不是数字") from None
    if not number.is_finite():
        raise TradingError(f"{what}：{value!r} 不是有限数")
    if number <= 0:
        raise TradingError(f"{what}：{number} 必须大于 0")
    if number >= MAX_AMOUNT:
        raise TradingError(f"{what}：{number} 过大")
    if number != number.quantize(places):
        raise TradingError(f"{what}：{number} 的小数超过 {-places.as_tuple().exponent} 位")
    return number.quantize(places)


def price(value: object) -> Decimal:
    """A unit price in yuan, to the fen (0.01 ¥)."""
    return amount(value, "单价（元）", PRICE_PLACES)


def check_balanced(lines: Iterable[Line], units: Mapping[int, Unit]) -> None:
    """Refuse a transaction that is not double entry: fewer than two lines, a zero line, an
    account twice, or lines of a unit not summing to zero."""
    lines = list(lines)
    if len(lines) < 2:
        raise TradingError("复式记账：一笔交易至少有两行分录")
    if len({line.account_id for line in lines}) != len(lines):
        raise TradingError("同一账户在一笔交易中出现两次")
    sums: dict[Unit, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.quantity == 0:
            raise TradingError(f"账户 {line.account_id}：数量为 0 的分录无意义")
        sums[units[line.account_id]] += line.quantity
    for unit, total in sums.items():
        if total != 0:
            raise TradingError(
                f"{unit.market}/{unit.instrument}/{unit.vintage}："
                f"分录合计 {total}，不为 0（借贷不平衡）"
            )


def overdrawn(
    balances: Mapping[int, Decimal], lines: Iterable[Line], guarded: Iterable[int]
) -> dict[int, Decimal]:
    """The guarded (enterprise) accounts the lines would take below zero, with the balance
    they would have; empty when the transaction may be posted."""
    guarded = set(guarded)
    after = {line.account_id: balances.get(line.account_id, Decimal(0)) + line.quantity
             for line in lines if line.account_id in guarded}  # fmt: skip
    return {account_id: value for account_id, value in after.items() if value < 0}


def transfer(source: int, target: int, quantity: Decimal) -> tuple[Line, Line]:
    """The two sides of moving `quantity` of one unit from `source` to `target`."""
    return Line(source, -quantity), Line(target, quantity)


def reversal(lines: Iterable[Line]) -> tuple[Line, ...]:
    """The correcting entry of a posted transaction: every line negated (冲正)."""
    return tuple(Line(line.account_id, -line.quantity) for line in lines)


def discharge_expiry(vintage: int, validity_years: int) -> date:
    """Last day a discharge right issued in `vintage` is valid: the end of its fifth year
    for the 5-year validity of domain-2.md §11 (暂行办法 art. 12, (C); a setting)."""
    if validity_years < 1:
        raise TradingError(f"有效期 {validity_years} 年：至少 1 年")
    return date(vintage + validity_years - 1, 12, 31)


def permitted_amounts(limits: Iterable[tuple[str, float | None]]) -> dict[str, Decimal]:
    """The permitted annual amount (许可排放量, t/a) of each discharge-rights pollutant: the
    sum of the permit's annual caps over its outlets (排污权 is confirmed through the permit,
    domain-2.md §11). Caps are read through their decimal text, so 20.0 is exactly 20."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for pollutant, cap in limits:
        if pollutant in DISCHARGE_POLLUTANTS and cap is not None and cap > 0:
            totals[pollutant] += Decimal(repr(cap)).quantize(QUANTITY_PLACES)
    return {code: totals[code] for code in DISCHARGE_POLLUTANTS if code in totals}


def surrender_deadline(year: int, settings: TradingSettings) -> date:
    """Last day to surrender allowances for compliance year `year`: a day of the next year
    (the Chongqing date is UNCONFIRMED, so it is the setting's month and day)."""
    return date(year + 1, settings.surrender_month, settings.surrender_day)


def usable_for(vintage: int, year: int) -> bool:
    """Allowances of a vintage may be surrendered for its own or a later year (banking);
    borrowing from a later vintage is not allowed."""
    return vintage <= year


def carbon_position(
    year: int,
    verified_t: Decimal | None,
    surrendered_t: Decimal,
    holdings: Mapping[int, Decimal],
    settings: TradingSettings,
) -> CarbonPosition:
    """Verified emissions of `year` against what was surrendered for it and the allowances
    held of vintages usable for it (`holdings`: vintage -> balance)."""
    usable = sum((q for v, q in holdings.items() if usable_for(v, year) and q > 0), Decimal(0))
    return CarbonPosition(year, verified_t, surrendered_t, usable,
                          surrender_deadline(year, settings))  # fmt: skip


def shortfall_due(position: CarbonPosition, today: date, settings: TradingSettings) -> bool:
    """Whether a shortfall is to be raised on `today`: there is one, and the deadline is at
    most `warn_days` ahead (or already passed, still unsurrendered)."""
    return position.shortfall_t > 0 and (position.deadline - today).days <= settings.warn_days


def discharge_positions(
    permitted: Mapping[str, Decimal], held: Mapping[str, Decimal]
) -> list[DischargePosition]:
    """Each permitted pollutant's rights held (valid on the day) against its permitted
    annual amount; a pollutant held but not permitted is listed with 0 permitted."""
    codes = [c for c in DISCHARGE_POLLUTANTS if c in permitted or c in held]
    return [DischargePosition(c, permitted.get(c, Decimal(0)), held.get(c, Decimal(0)))
            for c in codes]  # fmt: skip


_STEPS: dict[tuple[TradeState, TradeStep], TradeState] = {
    (TradeState.OFFERED, TradeStep.ACCEPT): TradeState.ACCEPTED,
    (TradeState.OFFERED, TradeStep.DECLINE): TradeState.DECLINED,
    (TradeState.OFFERED, TradeStep.WITHDRAW): TradeState.WITHDRAWN,
    (TradeState.ACCEPTED, TradeStep.WITHDRAW): TradeState.WITHDRAWN,
    (TradeState.ACCEPTED, TradeStep.APPROVE): TradeState.APPROVED,
    (TradeState.ACCEPTED, TradeStep.REJECT): TradeState.REJECTED,
    (TradeState.OFFERED, TradeStep.REJECT): TradeState.REJECTED,
}


def next_state(state: TradeState, step: TradeStep) -> TradeState:
    """The trade's state after `step`; StateError when the step does not apply."""
    try:
        return _STEPS[(state, step)]
    except KeyError:
        raise StateError(f"交易状态为 {state}，不能执行 {step}") from None


def steps_from(state: TradeState) -> tuple[TradeStep, ...]:
    return tuple(step for (s, step) in _STEPS if s is state)


def base_price(
    prices: Iterable[BasePrice], market: Market, instrument: str, on: date
) -> BasePrice | None:
    """The reference price in force on `on`: the newest edition valid from that day or
    before (reference data chosen by date, never a constant)."""
    chosen = [p for p in prices if (p.market, p.instrument) == (market, instrument)
              and p.valid_from <= on]  # fmt: skip
    return max(chosen, key=lambda p: p.valid_from, default=None)


def price_series(trades: Iterable[tuple[str, Decimal, Decimal]]) -> list[dict[str, object]]:
    """Per period (e.g. 'YYYY-MM'): trades, volume, value, volume-weighted mean price, low
    and high, from (period, quantity, price) of the settled trades, periods in order."""
    groups: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for period, quantity, unit_price in trades:
        groups[period].append((quantity, unit_price))
    out = []
    for period in sorted(groups):
        rows = groups[period]
        volume = sum((q for q, _ in rows), Decimal(0))
        value = sum((q * p for q, p in rows), Decimal(0))
        out.append({
            "period": period, "trades": len(rows), "volume": volume,
            "value": value.quantize(PRICE_PLACES),
            "mean_price": (value / volume).quantize(PRICE_PLACES),
            "low": min(p for _, p in rows), "high": max(p for _, p in rows),
        })  # fmt: skip
    return out
