"""The ledger pages for enterprises and staff: accounts and trades (/trading) with the
seller's offer form and each party's step (accept, decline, withdraw; staff approve or
reject), one enterprise's ledger -- holdings, compliance and its journal (/trading/
enterprises/{credit_code}) -- and the public market view (/trading/market, ECharts).

Every action is a form with a confirmation dialog (static/web/js/trading.js) calling the
same use cases as the API and the CLI; a refused form comes back with the message in
Chinese. An enterprise sees only its own accounts and the trades it is party to.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.trading import positions, service
from ecozone.trading.model import DISCHARGE_POLLUTANTS, TradeState, TradeStep
from ecozone.trading.rules import steps_from
from ecozone.trading.texts import instrument_name, market_name, qty, unit_of
from ecozone.web import shell
from ecozone.web.i18n import show, t
from ecozone.web.model import WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
GROUP = "nav.group.energy"
MEMBERS = ("admin", "supervisor", "enterprise")
EVERYONE = ("public", "admin", "supervisor", "enterprise", "coordinator")
STEPS = tuple(TradeStep)

shell.add_menu(
    MenuEntry("nav.trading", "/trading", MEMBERS, 70, GROUP),
    MenuEntry("nav.trading_market", "/trading/market", EVERYONE, 72, GROUP),
)


def error_page(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def trade_rows(found: list[dict[str, Any]], principal: Any, lang: str) -> list[dict[str, Any]]:
    """Trades as the pages list them, each with the steps this viewer may take."""
    scope = principal.scope
    rows = []
    for tr in found:
        mine_seller = scope.owns(tr["seller_id"], district_id=tr["seller_district_id"])
        mine_buyer = scope.owns(tr["buyer_id"], district_id=tr["buyer_district_id"])
        allowed = []
        for step in steps_from(TradeState(tr["state"])):
            if scope.is_staff:
                ok = step in (TradeStep.APPROVE, TradeStep.REJECT) and mine_seller and mine_buyer
                ok = ok and not (step is TradeStep.REJECT and tr["state"] == "offered")
            elif step in (TradeStep.ACCEPT, TradeStep.DECLINE):
                ok = mine_buyer
            else:
                ok = step is TradeStep.WITHDRAW and mine_seller
            if ok:
                allowed.append(step.value)
        rows.append({
            **tr, "market_text": market_name(tr["market"], lang),
            "instrument_text": instrument_name(tr["market"], tr["instrument"], lang),
            "quantity_text": f"{qty(tr['quantity'])} {unit_of(tr['market'])}",
            "price_text": f"{tr['price']:.2f}",
            "amount_text": f"{tr['quantity'] * tr['price']:.2f}",
            "state_text": t(lang, f"trading.state.{tr['state']}"),
            "offered_text": show(tr["offered_at"], lang), "steps": allowed,
        })  # fmt: skip
    return rows


# --- accounts and trades ---------------------------------------------------------------------


@router.get("/trading", response_class=HTMLResponse)
def trading_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, MEMBERS)) is not None:
        return refused
    done = request.query_params.get("done", "")
    notice = t(lang, f"trading.done.{done}") if done in STEPS else None
    if request.query_params.get("offered"):
        notice = t(lang, "trading.offered")
    return _trading(request, principal, lang, engine, notice=notice)


def _trading(request: Request, principal: Any, lang: str, engine: Any, *,
             status_code: int = 200, **extra: Any) -> Response:  # fmt: skip
    scope = principal.scope
    firms = positions.enterprises(engine, scope)
    held = positions.accounts(engine, scope)
    counts: dict[int, int] = {}
    for a in held:
        counts[a.enterprise_id or 0] = counts.get(a.enterprise_id or 0, 0) + 1
    rows = trade_rows(positions.trades(engine, scope), principal, lang)
    return shell.render(
        request, principal, lang, "trading/trading.html", status_code=status_code,
        firms=[{**f, "accounts": counts.get(f["id"], 0)} for f in firms
               if counts.get(f["id"]) or principal.role == "enterprise"],
        trades=rows, pollutants=DISCHARGE_POLLUTANTS,
        may_offer=principal.role == "enterprise", typed=extra.pop("typed", {}), **extra,
    )  # fmt: skip


@router.post("/trading/offers", response_class=HTMLResponse)
def offer(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    seller_id: Annotated[str, Form()] = "", buyer_credit_code: Annotated[str, Form()] = "",
    market: Annotated[str, Form()] = "", instrument: Annotated[str, Form()] = "",
    vintage: Annotated[str, Form()] = "", quantity: Annotated[str, Form()] = "",
    price: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, ("enterprise",))) is not None:
        return refused
    typed = {"seller_id": seller_id, "buyer_credit_code": buyer_credit_code, "market": market,
             "instrument": instrument, "vintage": vintage, "quantity": quantity,
             "price": price, "note": note}  # fmt: skip
    try:
        if not seller_id.isdigit():
            raise WebError("卖方：请选择本企业")
        # Another's enterprise answers like a missing one: the not-found page.
        positions.enterprise(engine, principal.scope, id=int(seller_id))
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    try:
        service.offer(engine, principal.scope, seller_id=int(seller_id),
                      buyer_credit_code=buyer_credit_code, market=market,
                      instrument=instrument or None, vintage=vintage, quantity=quantity,
                      price=price, note=note, actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _trading(request, principal, lang, engine, error=str(exc), typed=typed,
                        status_code=exc.http_status)  # fmt: skip
    return RedirectResponse("/trading?offered=1", status_code=303)


@router.post("/trading/trades/{trade_id}/{step}", response_class=HTMLResponse)
def trade_step(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, trade_id: int, step: str,
    note: Annotated[str, Form()] = "", back: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, MEMBERS)) is not None:
        return refused
    target = back if re.fullmatch(r"/trading(/[A-Za-z0-9/_-]*)?", back) else "/trading"
    try:
        service.step(engine, principal.scope, trade_id, step, actor=principal.username,
                     note=note, settings=config.trading_settings())  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return error_page(request, principal, lang, exc)
        return _trading(request, principal, lang, engine, error=str(exc),
                        status_code=exc.http_status)  # fmt: skip
    return RedirectResponse(f"{target}?done={step}", status_code=303)


# --- one enterprise's ledger -----------------------------------------------------------------


@router.get("/trading/enterprises/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str
) -> Response:
    if (refused := shell.refused(request, principal, lang, MEMBERS)) is not None:
        return refused
    try:
        firm = positions.enterprise(engine, principal.scope, credit_code=credit_code)
        position = positions.position_out(engine, principal.scope, firm["id"],
                                          config.trading_settings())  # fmt: skip
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    holdings = shell.make_table(
        "trading-holdings", lang,
        (("market", "trading.market"), ("instrument", "trading.instrument"),
         ("vintage", "trading.vintage"), ("balance", "trading.balance"),
         ("unit", "trading.unit"), ("expires_on", "trading.expires")),
        [{"market": market_name(a.market, lang),
          "instrument": instrument_name(a.market, a.instrument, lang), "vintage": a.vintage,
          "balance": qty(a.balance), "unit": unit_of(a.market), "expires_on": a.expires_on}
         for a in positions.accounts(engine, principal.scope, enterprise_id=firm["id"])],
    )  # fmt: skip
    journal = shell.make_table(
        "trading-journal", lang,
        (("txn_id", "trading.txn"), ("at", "trading.at"), ("kind", "trading.kind"),
         ("instrument", "trading.instrument"), ("vintage", "trading.vintage"),
         ("change", "trading.change"), ("actor", "trading.actor"),
         ("reason", "trading.reason")),
        [{**r, "kind": t(lang, f"trading.kind.{r['kind']}"),
          "instrument": instrument_name(r["market"], r["instrument"], lang),
          "change": ("+" if r["quantity"] > 0 else "") + qty(r["quantity"])}
         for r in positions.journal(engine, principal.scope, enterprise_id=firm["id"])],
    )  # fmt: skip
    carbon = shell.make_table(
        "trading-carbon", lang,
        (("year", "trading.year"), ("verified_t", "trading.verified"),
         ("surrendered_t", "trading.surrendered"), ("outstanding_t", "trading.outstanding"),
         ("usable_t", "trading.usable"), ("shortfall_t", "trading.shortfall"),
         ("deadline", "trading.deadline")),
        [{**p, **{k: qty(p[k]) for k in ("verified_t", "surrendered_t", "outstanding_t",
                                          "usable_t", "shortfall_t")},
          "_class": "shortfall" if float(p["shortfall_t"]) else ""}
         for p in position["carbon"]],
    )  # fmt: skip
    discharge = shell.make_table(
        "trading-discharge", lang,
        (("name", "trading.pollutant"), ("permitted_t", "trading.permitted"),
         ("held_t", "trading.held"), ("shortfall_t", "trading.shortfall")),
        [{**p, **{k: qty(p[k]) for k in ("permitted_t", "held_t", "shortfall_t")},
          "_class": "shortfall" if float(p["shortfall_t"]) else ""}
         for p in position["discharge"]["pollutants"]],
    )  # fmt: skip
    fmt = request.query_params.get("format", "html")
    if fmt in ("csv", "xlsx", "json"):  # the statement as a file
        return shell.respond(journal, fmt, lang, f"journal-{firm['credit_code']}")
    rows = trade_rows(positions.trades(engine, principal.scope, enterprise_id=firm["id"]),
                      principal, lang)  # fmt: skip
    return shell.render(request, principal, lang, "trading/enterprise.html", firm=firm,
                        export_url=f"/trading/enterprises/{firm['credit_code']}",
                        holdings=holdings, journal=journal, carbon=carbon, discharge=discharge,
                        position=position, trades=rows)  # fmt: skip


# --- the market view -------------------------------------------------------------------------


@router.get("/trading/market", response_class=HTMLResponse)
def market_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """Public: monthly aggregates of settled trades without their parties, as the exchanges
    publish prices and volumes; holdings and trades by name stay with their owners."""
    chosen = request.query_params.get("market") or "carbon"
    instrument = request.query_params.get("instrument") or None
    try:
        view = positions.market_view(engine, chosen, instrument)
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    unit = unit_of(view["market"])
    table = shell.make_table(
        "trading-market", lang,
        (("period", "trading.period"), ("trades", "trading.count"),
         ("volume", "trading.volume"), ("value", "trading.value"),
         ("mean_price", "trading.mean_price"), ("low", "trading.low"),
         ("high", "trading.high")),
        [{**r, "volume": f"{qty(r['volume'])} {unit}",
          **{k: f"{Decimal(r[k]):.2f}" for k in ("value", "mean_price", "low", "high")}}
         for r in view["series"]],
    )  # fmt: skip
    fmt = request.query_params.get("format", "html")
    if fmt in ("csv", "xlsx", "json"):
        return shell.respond(table, fmt, lang, f"market-{view['market']}")
    bases = [{"instrument": instrument_name(view["market"], code, lang), **b}
             for code, b in view["base_prices"].items()]  # fmt: skip
    chart = {"periods": [r["period"] for r in view["series"]],
             "volume": [float(r["volume"]) for r in view["series"]],
             "mean_price": [float(r["mean_price"]) for r in view["series"]],
             "unit": unit, "volume_label": t(lang, "trading.volume"),
             "price_label": t(lang, "trading.mean_price")}  # fmt: skip
    return shell.render(request, principal, lang, "trading/market.html", table=table,
                        view=view, bases=bases, chosen=view["market"],
                        export_url=shell.list_url("/trading/market", {
                            "market": view["market"], "instrument": view["instrument"] or ""}),
                        instrument=view["instrument"] or "", pollutants=DISCHARGE_POLLUTANTS,
                        page_data={"market_chart": chart})  # fmt: skip
