"""The credit pages: every enterprise's yearly credit under the Chongqing scheme and the
national four colours with the compute action (/supervision/credit), and one
enterprise-year's breakdown, every factor with the fact that caused it and its points, with
the credit-repair form (/supervision/credit/{credit_code}/{year}). Staff only, a district
supervisor their district; forms call the same use cases as the CLI.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.errors import EcozoneError
from ecozone.supervision import credit
from ecozone.times import CHINA_STANDARD_TIME, utc_now
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

EVERYONE = ("public", "admin", "supervisor", "enterprise", "coordinator", "bank")

shell.add_menu(
    MenuEntry("nav.credit", "/supervision/credit", SUPERVISING_ROLES, 45,
              "nav.group.supervision"),
    MenuEntry("nav.credit_public", "/credit", EVERYONE, 49, "nav.group.supervision"),
)  # fmt: skip

add_texts(
    {
        "nav.credit": ("企业环境信用", "Environmental credit"),
        "nav.credit_public": ("企业环境信用评价结果", "Credit results"),
        "credit.public_title": ("企业环境信用评价结果公开", "Enterprise credit results"),
        "credit.public_lead": (
            "按《重庆市企业环境信用评价办法》（渝环规〔2021〕7号）和全国四色等级公开各企业的年度信用等级。",
            "Each enterprise's yearly credit level under the Chongqing scheme and the "
            "national four colours.",
        ),
        "credit.public_none": ("暂无公开的信用评价结果。", "No credit result published yet."),
        "credit.title": ("企业环境信用评价", "Enterprise environmental credit"),
        "credit.lead": (
            "按《重庆市企业环境信用评价办法》（渝环规〔2021〕7号，基础分 100 分，诚信 100–108、"
            "良好 80–99、警示 60–79、不良 0–59）和全国四色等级（环发〔2013〕150号）逐年评价；"
            "每项扣分、加分均列出所依据的事实。评分规则以数据文件发布，结果记录所用规则版本。",
            "Scored each year under the Chongqing scheme (渝环规〔2021〕7号: base 100; honest "
            "100–108, good 80–99, warning 60–79, poor 0–59) and the national four colours "
            "(环发〔2013〕150号); every deduction and bonus lists the fact behind it. The rules "
            "ship as data files; each result keeps the rule version it used.",
        ),
        "credit.none": ("该年度尚无信用评价，请先计算。", "No evaluation for the year yet."),
        "credit.year": ("年度", "Year"),
        "credit.show": ("查看", "Show"),
        "credit.compute": ("计算 / 重新计算信用评价", "Compute / recompute credit"),
        "credit.compute_help": (
            "统一社会信用代码留空则计算本人管辖范围内的全部企业。重新计算会替换该年度结果，原结果保留在审计日志中。",
            "Leave the credit code blank for every enterprise in your scope. Recomputing "
            "replaces the year's results; the audit log keeps the earlier ones.",
        ),
        "credit.compute_confirm": (
            "确定计算该年度信用评价？已有结果将被替换（审计日志保留原结果）。",
            "Compute the year's credit? Existing results are replaced (the audit log keeps them).",
        ),
        "credit.computed": ("已计算 {count} 家企业的信用评价。", "Credit computed for {count}."),
        "credit.chongqing": ("重庆市评价", "Chongqing"),
        "credit.national": ("全国四色", "National"),
        "credit.score": ("得分", "Score"),
        "credit.level": ("等级", "Level"),
        "credit.rule_version": ("规则版本", "Rule version"),
        "credit.computed_at": ("计算时间", "Computed"),
        "credit.factor": ("评价因素", "Factor"),
        "credit.fact": ("依据事实", "Fact"),
        "credit.points": ("分值", "Points"),
        "credit.base": ("基础分", "Base"),
        "credit.vetoed": ("一票否决", "One-vote veto"),
        "credit.source": ("规则来源", "Source"),
        "credit.as_of": ("评价截止日", "As of"),
        "credit.stale": (
            "该结果按规则版本 {stored} 计算，现行版本为 {current}，请重新计算。",
            "Computed under rule version {stored}; the current one is {current}: recompute.",
        ),
        "credit.violations": ("本年度违法行为与信用修复", "Violations of the year and repair"),
        "credit.no_violations": ("本年度无违法行为记录。", "No violation recorded this year."),
        "credit.repair": ("信用修复", "Credit repair"),
        "credit.repaired_on": ("修复日期", "Repaired on"),
        "credit.reason": ("修复理由", "Reason"),
        "credit.record_repair": ("登记信用修复", "Record the repair"),
        "credit.repaired": (
            "信用修复已登记，已重新计算该年度信用。",
            "Repair recorded; the year's credit was recomputed.",
        ),
        "credit.harm": ("危害后果", "Harm"),
        "credit.state": ("状态", "State"),
        "credit.found_on": ("发现日期", "Found"),
        "credit.item": ("违法事项", "Violation"),
        "credit.provision": ("违反条款", "Provision"),
        "harm.none": ("未造成危害", "No harm"),
        "harm.minor": ("危害轻微", "Minor"),
        "harm.serious": ("危害严重", "Serious"),
        "violation.state.open": ("待处理", "Open"),
        "violation.state.rectifying": ("整改中", "Rectifying"),
        "violation.state.rectified": ("已整改", "Rectified"),
        "violation.state.closed": ("已办结", "Closed"),
        "factor.violation": ("环境违法行为", "Violation"),
        "factor.penalty": ("行政处罚", "Penalty"),
        "factor.exceedance": ("超标排放", "Exceedances"),
        "factor.data_quality": ("自动监测数据质量", "Data quality"),
        "factor.alert_overdue": ("报警处置逾期", "Overdue alerts"),
        "factor.rectification": ("整改情况", "Rectification"),
        "factor.clean_year": ("全年守法（加分）", "Clean year (bonus)"),
        "factor.repair": ("信用修复", "Credit repair"),
        "factor.veto": ("一票否决", "Veto"),
        "credit.bad_year": ("年度“{value}”无效，请写四位数字", "Year '{value}': four digits"),
    }
)


def _today() -> date:
    return utc_now().astimezone(CHINA_STANDARD_TIME).date()


def _year(lang: str, raw: str | None) -> int:
    if not raw:
        return _today().year - 1
    if not raw.strip().isdigit():
        raise WebError(t(lang, "credit.bad_year", value=raw))
    return int(raw)


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _cell(row: dict[str, Any], scheme: str, key: str) -> Any:
    return row.get(scheme, {}).get(key)


@router.get("/supervision/credit", response_class=HTMLResponse)
def credit_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        year = _year(lang, request.query_params.get("year"))
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    notice = None
    if (count := request.query_params.get("computed")) is not None:
        notice = t(lang, "credit.computed", count=count)
    return _list(request, principal, lang, engine, year, notice=notice)


def _list(
    request: Request, principal: Any, lang: str, engine: Any, year: int, **extra: Any
) -> Response:
    rows = [
        {"name": r["name"], "credit_code": r["credit_code"],
         "cq_score": _cell(r, "chongqing", "score"),
         "cq_level": _cell(r, "chongqing", "level_name"),
         "nat_score": _cell(r, "national", "score"),
         "nat_level": _cell(r, "national", "level_name"),
         "version": _cell(r, "chongqing", "rule_version"),
         "_href": {"name": f"/supervision/credit/{quote(r['credit_code'])}/{year}"},
         "_class": f"credit-{_cell(r, 'chongqing', 'colour')}"}
        for r in credit.evaluations(engine, principal.scope, year)
    ]  # fmt: skip
    table = shell.make_table(
        "credit-evaluations", lang,
        (("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("cq_score", "credit.score"), ("cq_level", "credit.chongqing"),
         ("nat_score", "credit.score"), ("nat_level", "credit.national"),
         ("version", "credit.rule_version")),
        rows,
    )  # fmt: skip
    return shell.render(request, principal, lang, "supervision/credit_list.html", table=table,
                        year=year, this_year=_today().year, **extra)  # fmt: skip


@router.post("/supervision/credit/compute", response_class=HTMLResponse)
def compute(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    year: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        done = credit.compute_year(engine, year, today=_today(), actor=principal.username,
                                   scope=principal.scope,
                                   credit_code=credit_code.strip() or None)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        shown = int(year) if year.strip().isdigit() else _today().year - 1
        return _list(request, principal, lang, engine, shown, error=str(exc),
                     typed={"year": year, "credit_code": credit_code})  # fmt: skip
    return RedirectResponse(
        f"/supervision/credit?year={int(year)}&computed={len(done)}", status_code=303
    )


@router.get("/supervision/credit/{credit_code}/{year}", response_class=HTMLResponse)
def breakdown_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str, year: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    notice = t(lang, "credit.repaired") if request.query_params.get("repaired") else None
    return _breakdown(request, principal, lang, engine, credit_code, year, notice=notice)


def _breakdown(
    request: Request, principal: Any, lang: str, engine: Any, credit_code: str, year: int,
    **extra: Any,
) -> Response:  # fmt: skip
    try:
        found = credit.breakdown(engine, principal.scope, credit_code, year)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    schemes = []
    for s in found["schemes"]:
        table = shell.make_table(
            f"credit-factors-{s['scheme']}", lang,
            (("factor", "credit.factor"), ("fact", "credit.fact"), ("points", "credit.points")),
            [{"factor": t(lang, f"factor.{f['kind']}"), "fact": f["fact"],
              "points": f"{f['points']:+g}"} for f in s["factors"]],
        )  # fmt: skip
        schemes.append({**s, "table": table})
    violations = shell.make_table(
        "credit-violations", lang,
        (("id", "col.code"), ("found_on", "credit.found_on"), ("item", "credit.item"),
         ("provision", "credit.provision"), ("harm_text", "credit.harm"),
         ("state_text", "credit.state"), ("repaired_on", "credit.repaired_on")),
        [{**v, "harm_text": t(lang, f"harm.{v['harm']}"),
          "state_text": t(lang, f"violation.state.{v['state']}")} for v in found["violations"]],
    )  # fmt: skip
    return shell.render(request, principal, lang, "supervision/credit_detail.html",
                        found=found, schemes=schemes, violations=violations,
                        repairable=[v for v in found["violations"] if not v["repaired_on"]],
                        today=_today().isoformat(), **extra)  # fmt: skip


@router.post("/supervision/credit/repairs", response_class=HTMLResponse)
def repair(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    violation_id: Annotated[str, Form()] = "",
    repaired_on: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        made = credit.record_repair(engine, int(violation_id or 0), repaired_on=repaired_on,
                                    reason=reason, actor=principal.username,
                                    scope=principal.scope)  # fmt: skip
        credit.compute_year(engine, made["year"], today=_today(), actor=principal.username,
                            scope=principal.scope, credit_code=made["credit_code"])  # fmt: skip
    except (EcozoneError, ValueError) as exc:
        if not (credit_code and year.isdigit()) or getattr(exc, "http_status", 400) == 404:
            return _error(request, principal, lang, exc if isinstance(exc, EcozoneError)
                          else WebError(str(exc)))  # fmt: skip
        typed = {"violation_id": violation_id, "repaired_on": repaired_on, "reason": reason}
        return _breakdown(request, principal, lang, engine, credit_code, int(year),
                          error=str(exc), typed=typed)  # fmt: skip
    target = f"/supervision/credit/{quote(made['credit_code'])}/{made['year']}?repaired=1"
    return RedirectResponse(target, status_code=303)


@router.get("/credit", response_class=HTMLResponse)
def public_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """The published levels, for anyone: no score, no factor."""
    try:
        wanted = request.query_params.get("year")
        year, rows = credit.public_levels(engine, _year(lang, wanted) if wanted else None)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    table = shell.make_table(
        "credit-public", lang,
        (("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("cq_level", "credit.chongqing"), ("nat_level", "credit.national")),
        [{**r, "cq_level": _cell(r, "chongqing", "level_name"),
          "nat_level": _cell(r, "national", "level_name"),
          "_class": f"credit-{_cell(r, 'chongqing', 'colour')}"} for r in rows],
    )  # fmt: skip
    return shell.render(request, principal, lang, "supervision/credit_public.html",
                        table=table, year=year)  # fmt: skip
