"""Reads of the ledgers and their compliance: accounts, statements, trades, each
enterprise's carbon and discharge-rights positions, shortfalls raised into the alert desk,
the market's price series and the base prices (versioned reference data).

Shortfalls become alerts of type allowance_shortfall through compliance's one path
(`compliance.evaluation.record_conditions`), one condition per enterprise, year and market,
so a repeated check updates the alert it raised instead of raising another.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml

from ecozone.accounts.model import Scope
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import AlertType, Condition
from ecozone.times import cst_naive
from ecozone.trading import rules, store
from ecozone.trading.model import (
    CARBON_INSTRUMENT,
    DISCHARGE_POLLUTANTS,
    Account,
    AccountKind,
    BasePrice,
    CarbonPosition,
    DischargePosition,
    LedgerNotFound,
    Market,
    TradingSettings,
)
from ecozone.trading.service import instant, instrument_of, market_of, today_of


def accounts(engine: sa.Engine, scope: Scope | None, *, market: str | None = None,
             enterprise_id: int | None = None) -> list[Account]:  # fmt: skip
    with engine.connect() as conn:
        return store.accounts(conn, scope, market=market, enterprise_id=enterprise_id)


def system_accounts(engine: sa.Engine, market: str | None = None) -> list[Account]:
    """The issuer, retirement and reserve accounts (staff read them)."""
    with engine.connect() as conn:
        return [a for a in store.accounts(conn, None, market=market)
                if a.kind is not AccountKind.ENTERPRISE]  # fmt: skip


def enterprises(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.enterprises(conn, scope)


def enterprise(engine: sa.Engine, scope: Scope | None, *, id: int | None = None,
               credit_code: str | None = None) -> dict[str, Any]:  # fmt: skip
    """An enterprise the scope owns, by id or credit code; like a missing one otherwise."""
    with engine.connect() as conn:
        row = store.enterprise_by(conn, id=id, credit_code=credit_code)
    if row is None or (scope is not None and not scope.owns(row["id"],
                                                            district_id=row["district_id"])):
        raise LedgerNotFound(f"企业：没有 {credit_code or id} 这家企业")  # fmt: skip
    return row


def journal(engine: sa.Engine, scope: Scope | None, *, enterprise_id: int | None = None,
            market: str | None = None, limit: int = 200) -> list[dict[str, Any]]:  # fmt: skip
    with engine.connect() as conn:
        return store.journal(conn, scope, enterprise_id=enterprise_id, market=market,
                             limit=limit)  # fmt: skip


def trades(engine: sa.Engine, scope: Scope | None, *, market: str | None = None,
           states: list[str] | None = None, enterprise_id: int | None = None
           ) -> list[dict[str, Any]]:  # fmt: skip
    with engine.connect() as conn:
        return store.trades(conn, scope, market=market, states=states,
                            enterprise_id=enterprise_id)  # fmt: skip


def trade(engine: sa.Engine, scope: Scope | None, trade_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = store.trade(conn, trade_id)
    if found is None or (scope is not None and not (
            scope.owns(found["seller_id"], district_id=found["seller_district_id"])
            or scope.owns(found["buyer_id"], district_id=found["buyer_district_id"]))):
        raise LedgerNotFound(f"交易：没有编号为 {trade_id} 的交易")  # fmt: skip
    return found


def verified(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.verified_all(conn, scope)


def unbalanced(engine: sa.Engine) -> list[int]:
    """Transactions whose lines do not sum to zero per unit (none, if the ledger is sound)."""
    with engine.connect() as conn:
        units = {a.id: a.unit for a in store.accounts(conn, None)}
        by_txn: dict[int, dict[Any, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for txn_id, account_id, quantity in store.all_lines(conn):
            by_txn[txn_id][units[account_id]] += quantity
    return [t for t, sums in by_txn.items() if any(v != 0 for v in sums.values())]


# --- positions ------------------------------------------------------------------------------


def carbon_positions(engine: sa.Engine, enterprise_id: int, settings: TradingSettings
                     ) -> list[CarbonPosition]:  # fmt: skip
    """Each verified year's position: verified, surrendered, usable holdings, deadline."""
    with engine.connect() as conn:
        figures = store.verified(conn, enterprise_id)
        held = {a.vintage: a.balance for a in store.accounts(
            conn, None, market=Market.CARBON.value, enterprise_id=enterprise_id)}  # fmt: skip
        return [rules.carbon_position(f["year"], Decimal(f["emissions_t"]),
                                      store.surrendered(conn, enterprise_id, f["year"]),
                                      held, settings)
                for f in figures]  # fmt: skip


def discharge_positions(engine: sa.Engine, enterprise_id: int, on: date
                        ) -> tuple[list[str], list[DischargePosition]]:  # fmt: skip
    """Rights valid on `on` against the permitted annual amounts of the permits valid then."""
    with engine.connect() as conn:
        numbers, limits = store.permit_limits(conn, enterprise_id, on)
        held: dict[str, Decimal] = defaultdict(Decimal)
        for a in store.accounts(conn, None, market=Market.DISCHARGE.value,
                                enterprise_id=enterprise_id):  # fmt: skip
            if a.vintage <= on.year and (a.expires_on is None or a.expires_on >= on):
                held[a.instrument] += a.balance
    return numbers, rules.discharge_positions(rules.permitted_amounts(limits), held)


def shortfall_conditions(engine: sa.Engine, settings: TradingSettings, today: date
                         ) -> list[tuple[int, Condition]]:  # fmt: skip
    """(enterprise id, condition) for each carbon year due within the warning window with a
    shortfall, and each discharge-rights pollutant held below its permitted amount today."""
    out: list[tuple[int, Condition]] = []
    with engine.connect() as conn:
        carbon = store.carbon_enterprises(conn)
        discharge = sorted({a.enterprise_id for a in store.accounts(
            conn, None, market=Market.DISCHARGE.value) if a.enterprise_id is not None})  # fmt: skip
    for enterprise_id in carbon:
        for p in carbon_positions(engine, enterprise_id, settings):
            if rules.shortfall_due(p, today, settings):
                out.append((enterprise_id, Condition(
                    type=AlertType.ALLOWANCE_SHORTFALL,
                    condition_key=f"trading:carbon:{enterprise_id}:{p.year}",
                    point_id=None, enterprise_id=enterprise_id,  # an account's, not a point's
                    pollutant=None, start=datetime(p.year + 1, 1, 1), end=None,
                    peak=float(p.shortfall_t), limit_value=float(p.outstanding_t),
                    detail={"market": "carbon", "year": p.year,
                            "verified_t": str(p.verified_t),
                            "surrendered_t": str(p.surrendered_t),
                            "usable_t": str(p.usable_t), "shortfall_t": str(p.shortfall_t),
                            "deadline": p.deadline.isoformat(),
                            "days_left": (p.deadline - today).days},
                )))  # fmt: skip
    for enterprise_id in discharge:
        numbers, positions = discharge_positions(engine, enterprise_id, today)
        for p in positions:
            if p.shortfall_t > 0:
                out.append((enterprise_id, Condition(
                    type=AlertType.ALLOWANCE_SHORTFALL,
                    condition_key=f"trading:discharge:{enterprise_id}:{p.pollutant}:{today.year}",
                    point_id=None, enterprise_id=enterprise_id,
                    pollutant=p.pollutant, start=datetime(today.year, 1, 1), end=None,
                    peak=float(p.shortfall_t), limit_value=float(p.permitted_t),
                    detail={"market": "discharge", "permits": numbers,
                            "permitted_t": str(p.permitted_t), "held_t": str(p.held_t),
                            "shortfall_t": str(p.shortfall_t), "on": today.isoformat()},
                )))  # fmt: skip
    return out


def raise_shortfalls(engine: sa.Engine, settings: TradingSettings,
                     now: datetime | None = None) -> set[int]:  # fmt: skip
    """Record the shortfalls as alerts in the alert desk; the ids created or changed."""
    at = instant(now)
    conditions = [c for _eid, c in shortfall_conditions(engine, settings, today_of(at))]
    # No point: each alert is its enterprise's (alert.point_id NULL).
    return record_conditions(engine, conditions, {}, at)


# --- the market -----------------------------------------------------------------------------


@cache
def base_prices() -> tuple[BasePrice, ...]:
    """Every edition of the reference prices in data/base_prices.yaml."""
    text = resources.files("ecozone.trading").joinpath("data/base_prices.yaml").read_text(
        encoding="utf-8")  # fmt: skip
    out = []
    for edition in yaml.safe_load(text)["editions"]:
        for code, value in edition["prices"].items():
            out.append(BasePrice(Market(edition["market"]), code, Decimal(str(value)),
                                 edition["valid_from"], edition["edition"], edition["source"]))
    return tuple(out)


def market_series(engine: sa.Engine, market: str, instrument: str | None, on: date
                  ) -> dict[str, Any]:  # fmt: skip
    """The settled trades of a market by month (trades, volume, value, weighted mean, low,
    high) and the base price in force on `on` for the instrument. No parties: aggregates."""
    m = Market(market)
    code = instrument or (CARBON_INSTRUMENT if m is Market.CARBON else None)
    with engine.connect() as conn:
        rows = store.settled_trades(conn, m.value, code)
    series = rules.price_series(
        (f"{cst_naive(r['decided_at']):%Y-%m}", Decimal(r["quantity"]), Decimal(r["price"]))
        for r in rows
    )
    codes = [CARBON_INSTRUMENT] if m is Market.CARBON else list(DISCHARGE_POLLUTANTS)
    bases = {c: rules.base_price(base_prices(), m, c, on) for c in codes}
    return {"market": m.value, "instrument": code, "series": series,
            "base_prices": {c: {"yuan_per_unit": str(b.yuan_per_unit), "edition": b.edition,
                                "source": b.source, "valid_from": b.valid_from.isoformat()}
                            for c, b in bases.items() if b is not None}}  # fmt: skip


def market_view(engine: sa.Engine, market: str, instrument: str | None,
                on: date | None = None) -> dict[str, Any]:  # fmt: skip
    """market_series as JSON (decimals as text), the instrument read by code or name."""
    m = market_of(market)
    code = instrument_of(m, instrument) if instrument or m is Market.CARBON else None
    found = market_series(engine, m.value, code, on or today_of(None))
    found["series"] = [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                       for row in found["series"]]  # fmt: skip
    return found


def position_out(engine: sa.Engine, scope: Scope | None, enterprise_id: int,
                 settings: TradingSettings, on: date | None = None) -> dict[str, Any]:  # fmt: skip
    """An enterprise's compliance as JSON: each verified carbon year, and each discharge
    pollutant's rights held against the permitted amount on `on` (default today)."""
    firm = enterprise(engine, scope, id=enterprise_id)
    day = on or today_of(None)
    numbers, discharge = discharge_positions(engine, enterprise_id, day)
    return {
        "enterprise": {"id": firm["id"], "name": firm["name"],
                       "credit_code": firm["credit_code"]},
        "carbon": [{"year": p.year, "verified_t": str(p.verified_t),
                    "surrendered_t": str(p.surrendered_t), "outstanding_t": str(p.outstanding_t),
                    "usable_t": str(p.usable_t), "shortfall_t": str(p.shortfall_t),
                    "deadline": p.deadline.isoformat()}
                   for p in carbon_positions(engine, enterprise_id, settings)],
        "discharge": {"on": day.isoformat(), "permits": numbers,
                      "pollutants": [{"pollutant": p.pollutant,
                                      "name": DISCHARGE_POLLUTANTS[p.pollutant],
                                      "permitted_t": str(p.permitted_t), "held_t": str(p.held_t),
                                      "shortfall_t": str(p.shortfall_t)} for p in discharge]},
    }  # fmt: skip
