"""`ecozone trading accounts|journal|allocate|allocate-permit|offer|step|verified|surrender|
expire|reverse|check|market|verify`: the ledgers from the command line.

Thin over trading.service and trading.positions; the command line acts as the platform
(every enterprise) and records --actor. Bad input goes to stderr with exit status 2
(cli_support), a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import typer

from ecozone import config
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.trading import positions, service

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Carbon-allowance and discharge-rights ledgers (double entry).")  # fmt: skip

Market = Annotated[str, typer.Option("--market", metavar="carbon|discharge")]
Enterprise = Annotated[str, typer.Option("--enterprise", metavar="CREDIT_CODE")]
Instrument = Annotated[str | None, typer.Option("--instrument",
                                                metavar="CQEA|COD|NH3-N|SO2|NOx")]  # fmt: skip
Vintage = Annotated[int, typer.Option("--vintage", metavar="YEAR")]
Quantity = Annotated[str, typer.Option("--quantity", metavar="DECIMAL")]
Reason = Annotated[str, typer.Option("--reason")]


def _echo(value: Any) -> None:
    def plain(v: Any) -> str:
        return str(v) if isinstance(v, Decimal) else v.isoformat()

    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=plain))


def _enterprise_id(engine: Any, credit_code: str) -> int:
    return service.enterprise_by_code(engine, credit_code)["id"]


@app.command("accounts")
def accounts(market: Annotated[str | None, typer.Option("--market")] = None,
             system: Annotated[bool, typer.Option("--system")] = False) -> None:  # fmt: skip
    """Accounts with their balances (enterprise accounts, or --system ones)."""
    from ecozone.trading.api import account_out

    with open_engine() as engine:
        found = (positions.system_accounts(engine, market) if system
                 else [a for a in positions.accounts(engine, None, market=market)
                       if a.enterprise_id is not None])  # fmt: skip
    _echo([account_out(a) for a in found])


@app.command("journal")
def journal(enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
            limit: Annotated[int, typer.Option("--limit")] = 50) -> None:  # fmt: skip
    """Journal lines of enterprise accounts, newest first."""
    with open_engine() as engine:
        eid = _enterprise_id(engine, enterprise) if enterprise else None
        _echo(positions.journal(engine, None, enterprise_id=eid, limit=limit))


@app.command("allocate")
def allocate(actor: Actor, market: Market, vintage: Vintage, quantity: Quantity, reason: Reason,
             enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
             instrument: Instrument = None,
             from_reserve: Annotated[bool, typer.Option("--from-reserve")] = False,
             ) -> None:  # fmt: skip
    """Allocate units to an enterprise (without --enterprise: fund the market reserve)."""
    with open_engine(require_current=True) as engine:
        eid = _enterprise_id(engine, enterprise) if enterprise else None
        txn = service.allocate(engine, None, market=market, enterprise_id=eid,
                               instrument=instrument, vintage=vintage, quantity=quantity,
                               reason=reason, actor=actor, settings=config.trading_settings(),
                               from_reserve=from_reserve)  # fmt: skip
    typer.echo(f"posted transaction {txn}")


@app.command("allocate-permit")
def allocate_permit(actor: Actor, enterprise: Enterprise, vintage: Vintage) -> None:
    """Initial discharge rights of a vintage from the enterprise's permit."""
    with open_engine(require_current=True) as engine:
        txn = service.allocate_from_permit(engine, None,
                                           enterprise_id=_enterprise_id(engine, enterprise),
                                           vintage=vintage, actor=actor,
                                           settings=config.trading_settings())  # fmt: skip
    typer.echo(f"posted transaction {txn}")


@app.command("offer")
def offer(actor: Actor, market: Market, vintage: Vintage, quantity: Quantity,
          seller: Annotated[str, typer.Option("--seller", metavar="CREDIT_CODE")],
          buyer: Annotated[str, typer.Option("--buyer", metavar="CREDIT_CODE")],
          price: Annotated[str, typer.Option("--price", metavar="YUAN")],
          instrument: Instrument = None) -> None:  # fmt: skip
    """Record a seller's offer to a buyer."""
    with open_engine(require_current=True) as engine:
        trade_id = service.offer(engine, None, seller_id=_enterprise_id(engine, seller),
                                 buyer_credit_code=buyer, market=market, instrument=instrument,
                                 vintage=vintage, quantity=quantity, price=price,
                                 actor=actor)  # fmt: skip
    typer.echo(f"trade {trade_id} offered")


@app.command("step")
def step(actor: Actor, trade_id: Annotated[int, typer.Option("--trade", metavar="N")],
         action: Annotated[str, typer.Option("--action",
                                             metavar="accept|decline|withdraw|approve|reject")],
         note: Annotated[str, typer.Option("--note")] = "") -> None:  # fmt: skip
    """One step of a trade."""
    with open_engine(require_current=True) as engine:
        done = service.step(engine, None, trade_id, action, actor=actor, note=note,
                            settings=config.trading_settings())  # fmt: skip
    typer.echo(f"trade {trade_id}: {done['state']}")


@app.command("verified")
def verified(actor: Actor, enterprise: Enterprise,
             year: Annotated[int, typer.Option("--year")],
             emissions: Annotated[str, typer.Option("--emissions-t", metavar="DECIMAL")],
             verifier: Annotated[str, typer.Option("--verifier")],
             verified_on: Annotated[str, typer.Option("--verified-on",
                                                      metavar="YYYY-MM-DD")]) -> None:  # fmt: skip
    """Enter an enterprise's verified emissions of a year (tCO2e)."""
    with open_engine(require_current=True) as engine:
        service.record_verified(engine, None, enterprise_id=_enterprise_id(engine, enterprise),
                                year=year, emissions_t=emissions, verifier=verifier,
                                verified_on=verified_on, actor=actor)  # fmt: skip
    typer.echo(f"verified emissions {year}: {emissions} tCO2e")


@app.command("surrender")
def surrender(actor: Actor, enterprise: Enterprise, vintage: Vintage, quantity: Quantity,
              year: Annotated[int, typer.Option("--year", metavar="COMPLIANCE_YEAR")],
              ) -> None:  # fmt: skip
    """Surrender carbon allowances for a compliance year."""
    with open_engine(require_current=True) as engine:
        txn = service.surrender(engine, None, enterprise_id=_enterprise_id(engine, enterprise),
                                year=year, vintage=vintage, quantity=quantity, actor=actor,
                                settings=config.trading_settings())  # fmt: skip
    typer.echo(f"posted transaction {txn}")


@app.command("expire")
def expire(actor: Actor) -> None:
    """Retire holdings past their validity."""
    with open_engine(require_current=True) as engine:
        posted = service.expire(engine, None, actor=actor)
    typer.echo(f"posted {len(posted)} expiry transaction(s)")


@app.command("reverse")
def reverse(actor: Actor, txn_id: Annotated[int, typer.Option("--txn", metavar="N")],
            reason: Reason) -> None:  # fmt: skip
    """Reverse a posted transaction (the journal itself is never changed)."""
    with open_engine(require_current=True) as engine:
        txn = service.reverse(engine, None, txn_id, reason=reason, actor=actor)
    typer.echo(f"posted reversal {txn}")


@app.command("check")
def check() -> None:
    """Raise carbon and discharge-rights shortfalls as alerts."""
    with open_engine(require_current=True) as engine:
        changed = positions.raise_shortfalls(engine, config.trading_settings())
    typer.echo(f"{len(changed)} alert(s) raised or updated")


@app.command("market")
def market(market: Market, instrument: Instrument = None) -> None:
    """Monthly trades, volume and prices of settled trades, with the base price."""
    with open_engine() as engine:
        _echo(positions.market_view(engine, market, instrument))


@app.command("verify")
def verify() -> None:
    """Check that every transaction sums to zero per unit; exit 1 if one does not."""
    with open_engine() as engine:
        bad = positions.unbalanced(engine)
    if bad:
        fail(f"unbalanced transactions: {bad}", 1)
    typer.echo("every transaction sums to zero per unit")
