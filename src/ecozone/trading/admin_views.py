"""The staff pages of the ledgers (/trading/admin): trades awaiting approval, allocation
(carbon by staff, discharge rights from the permit, the market reserve), verified emissions,
surrender, expiry, reversal and the compliance check that raises shortfalls as alerts.

Every form asks to confirm (static/web/js/trading.js) and calls the same use cases as the
API and the CLI; a refused form comes back with the message in Chinese and what was typed.
Admins and supervisors, a district supervisor within the district.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.trading import positions, service
from ecozone.trading.model import DISCHARGE_POLLUTANTS
from ecozone.trading.texts import instrument_name, market_name, qty, unit_of
from ecozone.trading.views import GROUP, trade_rows
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
ACTIONS = ("allocate", "permit", "verified", "surrender", "reverse", "expire", "check")

shell.add_menu(MenuEntry("nav.trading_admin", "/trading/admin", SUPERVISING_ROLES, 71, GROUP))

add_texts(
    {
        "tradm.title": ("配额分配、交易审核与清缴", "Allocation, approval and surrender"),
        "tradm.lead": (
            "碳排放配额由监管部门分配；排污权按排污许可证载明的年许可排放量初始分配，有效期 5 年。"
            "清缴以录入的核查排放量为准。所有操作记入只增不改的分录并留痕。",
            "Carbon allowances are allocated by staff; discharge rights from the permit's "
            "permitted annual amounts, valid 5 years. Surrenders are checked against the "
            "verified emissions entered here. Every action is journalled and audited.",
        ),
        "tradm.pending": ("待审核交易", "Trades awaiting approval"),
        "tradm.allocate": ("分配配额 / 储备", "Allocate (or fund the reserve)"),
        "tradm.to_reserve": ("（存入市场储备）", "(to the market reserve)"),
        "tradm.from_reserve": ("从市场储备分配", "From the market reserve"),
        "tradm.permit": ("按排污许可证初始分配排污权", "Discharge rights from the permit"),
        "tradm.verified": ("录入核查排放量", "Enter verified emissions"),
        "tradm.verifier": ("核查机构", "Verifier"),
        "tradm.verified_on": ("核查日期", "Verified on"),
        "tradm.surrender": ("配额清缴", "Surrender allowances"),
        "tradm.reverse": ("冲正一笔交易", "Reverse a transaction"),
        "tradm.expire": ("到期注销", "Retire expired holdings"),
        "tradm.check": ("检查缺口并报警", "Check shortfalls and raise alerts"),
        "tradm.submit": ("提交", "Submit"),
        "tradm.system": ("系统账户", "System accounts"),
        "tradm.verified_list": ("核查排放量", "Verified emissions"),
        "tradm.recent": ("最近分录", "Recent journal lines"),
        "tradm.account_kind": ("账户", "Account"),
        "tradm.confirm.allocate": ("确认分配？记账后不可修改，只能冲正。",
                                   "Allocate? Posted entries are only ever reversed."),
        "tradm.confirm.permit": ("确认按许可证初始分配该年度排污权？",
                                 "Allocate this vintage's rights from the permit?"),
        "tradm.confirm.verified": ("确认录入核查排放量？", "Enter this verified figure?"),
        "tradm.confirm.surrender": ("确认清缴？配额转入注销账户，不可修改，只能冲正。",
                                    "Surrender? The allowances go to retirement."),
        "tradm.confirm.reverse": ("确认冲正？将按原分录反向记账。",
                                  "Reverse? The lines are posted again, negated."),
        "tradm.confirm.expire": ("确认注销所有已过有效期的持有量？",
                                 "Retire every holding past its validity?"),
        "tradm.confirm.check": ("确认检查履约缺口并向报警处置推送？",
                                "Check shortfalls and raise them as alerts?"),
        "tradm.done.allocate": ("已分配并记账。", "Allocated and posted."),
        "tradm.done.permit": ("已按许可证初始分配排污权。", "Rights allocated from the permit."),
        "tradm.done.verified": ("核查排放量已录入。", "Verified emissions entered."),
        "tradm.done.surrender": ("已清缴并记账。", "Surrendered and posted."),
        "tradm.done.reverse": ("已冲正。", "Reversed."),
        "tradm.done.expire": ("到期注销已完成（{n} 笔）。", "Expired holdings retired ({n})."),
        "tradm.done.check": ("履约检查完成，{n} 条报警新增或更新。",
                             "Check done; {n} alert(s) raised or updated."),
        "tradm.txn_id": ("交易号", "Transaction"),
        "tradm.year": ("履约年度", "Compliance year"),
        "tradm.emissions": ("核查排放量（tCO2e）", "Verified emissions (tCO2e)"),
        "tradm.entered_by": ("录入人", "Entered by"),
    }
)


@router.get("/trading/admin", response_class=HTMLResponse)
def admin_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    done, n = request.query_params.get("done", ""), request.query_params.get("n", "0")
    notice = t(lang, f"tradm.done.{done}", n=n) if done in ACTIONS else None
    if done in ("approve", "reject"):
        notice = t(lang, f"trading.done.{done}")
    return _admin(request, principal, lang, engine, notice=notice)


def _admin(request: Request, principal: Any, lang: str, engine: Any, *,
           status_code: int = 200, **extra: Any) -> Response:  # fmt: skip
    scope = principal.scope
    pending = trade_rows(positions.trades(engine, scope, states=["accepted", "offered"]),
                         principal, lang)  # fmt: skip
    system = shell.make_table(
        "trading-system", lang,
        (("market", "trading.market"), ("kind", "tradm.account_kind"),
         ("instrument", "trading.instrument"), ("vintage", "trading.vintage"),
         ("balance", "trading.balance"), ("unit", "trading.unit")),
        [{"market": market_name(a.market, lang),
          "kind": t(lang, f"trading.account_kind.{a.kind.value}"),
          "instrument": instrument_name(a.market, a.instrument, lang), "vintage": a.vintage,
          "balance": qty(a.balance), "unit": unit_of(a.market)}
         for a in (positions.system_accounts(engine) if scope.everything else [])],
    )  # fmt: skip
    verified = shell.make_table(
        "trading-verified", lang,
        (("enterprise", "col.enterprise"), ("year", "tradm.year"),
         ("emissions_t", "tradm.emissions"), ("verifier", "tradm.verifier"),
         ("verified_on", "tradm.verified_on"), ("entered_by", "tradm.entered_by")),
        [{**v, "emissions_t": qty(v["emissions_t"])} for v in positions.verified(engine, scope)],
    )  # fmt: skip
    recent = shell.make_table(
        "trading-recent", lang,
        (("txn_id", "trading.txn"), ("at", "trading.at"), ("enterprise", "col.enterprise"),
         ("kind", "trading.kind"), ("instrument", "trading.instrument"),
         ("vintage", "trading.vintage"), ("change", "trading.change"),
         ("actor", "trading.actor"), ("reason", "trading.reason")),
        [{**r, "kind": t(lang, f"trading.kind.{r['kind']}"),
          "instrument": instrument_name(r["market"], r["instrument"], lang),
          "change": ("+" if r["quantity"] > 0 else "") + qty(r["quantity"]),
          "_href": {"enterprise": f"/trading/enterprises/{r['credit_code']}"}}
         for r in _with_codes(engine, scope)],
    )  # fmt: skip
    return shell.render(
        request, principal, lang, "trading/admin.html", status_code=status_code,
        pending=pending, system=system, verified=verified, recent=recent,
        firms=positions.enterprises(engine, scope), pollutants=DISCHARGE_POLLUTANTS,
        typed=extra.pop("typed", {}), form=extra.pop("form", None), **extra,
    )  # fmt: skip


def _with_codes(engine: Any, scope: Any) -> list[dict[str, Any]]:
    codes = {f["id"]: f["credit_code"] for f in positions.enterprises(engine, scope)}
    return [{**r, "credit_code": codes.get(r["enterprise_id"], "")}
            for r in positions.journal(engine, scope, limit=50)]  # fmt: skip


def _id(text: str, field: str) -> int:
    if not text.strip().isdigit():
        raise WebError(f"{field}：请选择")
    return int(text)


@router.post("/trading/admin/{action}", response_class=HTMLResponse)
async def admin_action(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, action: str,
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    if action not in ACTIONS:
        return shell.status_page(request, 404)
    typed = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    try:
        n = _run(engine, principal, action, typed)
    except EcozoneError as exc:
        if exc.http_status == 404:  # another's enterprise or entry: like a missing one
            error = WebError(str(exc))
            error.status_code = 404
            return shell.error_page(request, principal, lang, error)
        return _admin(request, principal, lang, engine, error=str(exc), typed=typed,
                      form=action, status_code=exc.http_status)  # fmt: skip
    return RedirectResponse(f"/trading/admin?done={action}&n={n}", status_code=303)


def _run(engine: Any, principal: Any, action: str, f: dict[str, str]) -> int:
    """One staff action from its form's fields; how many rows it made (for the notice)."""
    scope, actor, settings = principal.scope, principal.username, config.trading_settings()
    get = f.get
    if action == "allocate":
        target = get("enterprise_id", "")
        service.allocate(engine, scope, market=get("market", ""),
                         enterprise_id=_id(target, "企业") if target else None,
                         instrument=get("instrument") or None, vintage=get("vintage", ""),
                         quantity=get("quantity", ""), reason=get("reason", ""), actor=actor,
                         settings=settings, from_reserve=bool(get("from_reserve")))  # fmt: skip
    elif action == "permit":
        service.allocate_from_permit(engine, scope, enterprise_id=_id(get("enterprise_id", ""),
                                                                      "企业"),
                                     vintage=get("vintage", ""), actor=actor,
                                     settings=settings)  # fmt: skip
    elif action == "verified":
        service.record_verified(engine, scope, enterprise_id=_id(get("enterprise_id", ""), "企业"),
                                year=get("year", ""), emissions_t=get("emissions_t", ""),
                                verifier=get("verifier", ""), verified_on=get("verified_on", ""),
                                actor=actor)  # fmt: skip
    elif action == "surrender":
        service.surrender(engine, scope, enterprise_id=_id(get("enterprise_id", ""), "企业"),
                          year=get("year", ""), vintage=get("vintage", ""),
                          quantity=get("quantity", ""), reason=get("reason", ""), actor=actor,
                          settings=settings)  # fmt: skip
    elif action == "reverse":
        service.reverse(engine, scope, _id(get("txn_id", ""), "交易号"),
                        reason=get("reason", ""), actor=actor)  # fmt: skip
    elif action == "expire":
        return len(service.expire(engine, scope, actor=actor))
    else:
        return len(positions.raise_shortfalls(engine, settings))
    return 1
