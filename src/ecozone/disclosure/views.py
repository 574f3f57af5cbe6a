"""The disclosure pages: the list of enterprises that must disclose with their annual and
temporary deadlines and the reports in scope (/disclosure, staff and enterprises), the
prepare and publish actions (enterprise users for their own enterprise, and admins), one
report with its PDF and xlsx, and the public pages of published reports (/disclosures, no
login). Forms call the same use cases as the CLI and the API.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.disclosure import render, service
from ecozone.errors import EcozoneError
from ecozone.times import cst_naive
from ecozone.web import shell
from ecozone.web.export import content_disposition
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
READERS = ("admin", "supervisor", "enterprise")
PREPARERS = ("admin", "enterprise")
EVERYONE = ("public", "admin", "supervisor", "enterprise", "coordinator", "bank")
GROUP = "nav.group.supervision"

shell.add_menu(
    MenuEntry("nav.disclosure", "/disclosure", READERS, 46, GROUP),
    MenuEntry("nav.disclosures", "/disclosures", EVERYONE, 47, GROUP),
)

add_texts(
    {
        "nav.disclosure": ("环境信息依法披露", "Environmental disclosure"),
        "nav.disclosures": ("企业环境信息披露公开", "Published disclosures"),
        "dis.title": ("企业环境信息依法披露", "Lawful environmental disclosure"),
        "dis.lead": (
            "依据《企业环境信息依法披露管理办法》（生态环境部令第24号）："
            "应披露企业于每年 3 月 15 日前披露上一年度报告；"
            "收到行政处罚等法律文书后 5 个工作日内披露临时报告。已发布的版本不再修改。",
            "Order 24: listed enterprises publish the annual report on the previous year by 15 "
            "March, and a temporary report within 5 working days of a penalty decision. "
            "Published versions never change.",
        ),
        "dis.year": ("报告年度", "Year reported"),
        "dis.show": ("查看", "Show"),
        "dis.list": ("应依法披露企业名单", "Enterprises that must disclose"),
        "dis.list_none": ("该年度没有应披露企业。", "No enterprise must disclose for the year."),
        "dis.reasons": ("纳入理由", "Why listed"),
        "dis.annual_due": ("年度报告截止", "Annual report due"),
        "dis.annual_state": ("年度报告", "Annual report"),
        "dis.temporary": ("临时报告（处罚决定 · 截止 · 状态）", "Temporary reports"),
        "dis.reason.key_discharger": ("重点排污单位", "Key discharger"),
        "dis.reason.penalised": ("受到较大数额罚款", "Heavily fined"),
        "dis.state.on_time": ("按时发布", "On time"),
        "dis.state.late": ("逾期发布", "Published late"),
        "dis.state.pending": ("待发布", "Pending"),
        "dis.state.overdue": ("已逾期未发布", "Overdue"),
        "dis.reports": ("披露报告", "Reports"),
        "dis.reports_none": ("尚无披露报告。", "No report yet."),
        "dis.kind": ("类型", "Kind"),
        "dis.kind.annual": ("年度报告", "Annual"),
        "dis.kind.temporary": ("临时报告", "Temporary"),
        "dis.version": ("版本", "Version"),
        "dis.report_state": ("状态", "State"),
        "dis.rstate.draft": ("草稿", "Draft"),
        "dis.rstate.published": ("已发布", "Published"),
        "dis.due_on": ("截止日期", "Due"),
        "dis.published_at": ("发布时间", "Published"),
        "dis.prepare": ("生成披露报告", "Prepare a report"),
        "dis.prepare_help": (
            "报告由平台已掌握的数据自动汇编：企业基本信息、排污许可、自动监测排放与自行监测、"
            "环保信用评价、行政处罚；危险废物、碳排放等平台尚未掌握的章节标注“尚未掌握”。",
            "Assembled from what the platform holds: basics, permits, monitored emissions and "
            "self-monitoring, credit, penalties; sections not yet held are marked so.",
        ),
        "dis.penalty_id": ("处罚决定编号（临时报告）", "Penalty decision id (temporary)"),
        "dis.statement": ("企业说明（可选）", "Statement (optional)"),
        "dis.prepared": (
            "报告草稿已生成，请核对后发布。",
            "Draft prepared: check it, then publish.",
        ),
        "dis.publish": ("发布", "Publish"),
        "dis.publish_confirm": (
            "确定发布？发布后报告向社会公开，且不能再修改。",
            "Publish? The report becomes public and can no longer be changed.",
        ),
        "dis.published": ("报告已发布，公众可查阅。", "Published; the public can read it."),
        "dis.download": ("下载", "Download"),
        "dis.public_title": ("企业环境信息依法披露报告", "Environmental disclosure reports"),
        "dis.public_none": ("暂无已发布的披露报告。", "No published report yet."),
        "dis.bad_year": ("年度“{value}”无效，请写四位数字", "Year '{value}': four digits"),
        "dis.bad_format": ("格式应为 pdf 或 xlsx", "Format: pdf or xlsx"),
    }
)


def _error(request: Request, principal: Any, lang: str, exc: Exception) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = getattr(exc, "http_status", 400)
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _today() -> date:
    return cst_naive(shell.now()).date()


def _year(lang: str, raw: str | None) -> int:
    if not raw:
        return _today().year - 1
    if not raw.strip().isdigit():
        raise WebError(t(lang, "dis.bad_year", value=raw))
    return int(raw)


def _when(value: Any) -> str:
    return cst_naive(value).strftime("%Y-%m-%d %H:%M") if value else ""


def reports_table(rows: list[dict[str, Any]], lang: str, base: str) -> Any:
    return shell.make_table(
        "disclosure-reports", lang,
        (("name", "col.enterprise"), ("kind_text", "dis.kind"), ("year", "dis.year"),
         ("version", "dis.version"), ("state_text", "dis.report_state"),
         ("due_on", "dis.due_on"), ("published", "dis.published_at")),
        [{**r, "kind_text": t(lang, f"dis.kind.{r['kind']}"),
          "state_text": t(lang, f"dis.rstate.{r['state']}"),
          "published": _when(r["published_at"]),
          "_href": {"name": f"{base}/{r['id']}"}} for r in rows],
    )  # fmt: skip


@router.get("/disclosure", response_class=HTMLResponse)
def disclosure_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    try:
        year = _year(lang, request.query_params.get("year"))
    except WebError as exc:
        return _error(request, principal, lang, exc)
    notice = t(lang, "dis.prepared") if request.query_params.get("prepared") else None
    return _overview(request, principal, lang, engine, year, notice=notice)


def _overview(
    request: Request, principal: Any, lang: str, engine: Any, year: int, **extra: Any
) -> Response:
    listed = service.obligations(engine, principal.scope, year, today=_today())
    table = shell.make_table(
        "disclosure-obligations", lang,
        (("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("reasons_text", "dis.reasons"), ("due", "dis.annual_due"),
         ("annual_text", "dis.annual_state"), ("temporary_text", "dis.temporary")),
        [{**x, "reasons_text": "、".join(t(lang, f"dis.reason.{r}") for r in x["reasons"]),
          "due": x["annual"]["due_on"], "annual_text": t(lang, f"dis.state.{x['annual']['state']}"),
          "_class": f"deadline-{x['annual']['state']}",
          "temporary_text": "；".join(
              f"{e['penalty_id']} · {e['due_on']} · {t(lang, 'dis.state.' + e['state'])}"
              for e in x["temporary"])} for x in listed],
    )  # fmt: skip
    reports = reports_table(service.reports(engine, principal.scope), lang, "/disclosure/reports")
    return shell.render(
        request, principal, lang, "disclosure/overview.html", table=table, reports=reports,
        year=year, can_prepare=principal.role in PREPARERS,
        enterprises=[{"credit_code": x["credit_code"], "name": x["name"]} for x in listed],
        **extra,
    )  # fmt: skip


@router.post("/disclosure/reports", response_class=HTMLResponse)
def prepare(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "annual",
    year: Annotated[str, Form()] = "",
    penalty_id: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, PREPARERS)) is not None:
        return refused
    try:
        made = service.prepare(engine, credit_code=credit_code, kind=kind, year=year or None,
                               penalty_id=penalty_id or None, statement=statement,
                               actor=principal.username, now=shell.now(),
                               scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        shown = int(year) if year.strip().isdigit() else _today().year - 1
        typed = {"credit_code": credit_code, "kind": kind, "year": year,
                 "penalty_id": penalty_id, "statement": statement}  # fmt: skip
        return _overview(request, principal, lang, engine, shown, error=str(exc), typed=typed)
    return RedirectResponse(f"/disclosure/reports/{made['id']}?prepared=1", status_code=303)


@router.get("/disclosure/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    notice = None
    if request.query_params.get("prepared"):
        notice = t(lang, "dis.prepared")
    elif request.query_params.get("published"):
        notice = t(lang, "dis.published")
    return _report(request, principal, lang, engine, report_id, notice=notice)


def _report(
    request: Request, principal: Any, lang: str, engine: Any, report_id: int, **extra: Any
) -> Response:
    try:
        found = service.report(engine, report_id, principal.scope)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    return shell.render(
        request, principal, lang, "disclosure/report.html", report=found,
        title=render.title(found), published=_when(found["published_at"]),
        base=f"/disclosure/reports/{report_id}",
        can_publish=principal.role in PREPARERS and found["state"] == "draft", **extra,
    )  # fmt: skip


@router.post("/disclosure/reports/{report_id}/publish", response_class=HTMLResponse)
def publish(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, PREPARERS)) is not None:
        return refused
    try:
        service.publish(engine, report_id, actor=principal.username, now=shell.now(),
                        scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        return _report(request, principal, lang, engine, report_id, error=str(exc))
    return RedirectResponse(f"/disclosure/reports/{report_id}?published=1", status_code=303)


def _file(found: dict[str, Any], fmt: str, lang: str) -> Response:
    if fmt == "pdf":
        body, media = render.render_pdf(found), "application/pdf"
    elif fmt == "xlsx":
        body = render.render_xlsx(found)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise WebError(t(lang, "dis.bad_format"))
    return Response(body, media_type=media, headers={
        "Content-Disposition": content_disposition(render.filename(found, fmt))})  # fmt: skip


@router.get("/disclosure/reports/{report_id}/file")
def report_file(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    try:
        found = service.report(engine, report_id, principal.scope)
        return _file(found, request.query_params.get("format", "pdf"), lang)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)


# --- the public side: published versions, no login ------------------------------------------


@router.get("/disclosures", response_class=HTMLResponse)
def public_list(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    table = reports_table(service.public_reports(engine), lang, "/disclosures")
    return shell.render(request, principal, lang, "disclosure/public.html", table=table)


@router.get("/disclosures/{report_id}", response_class=HTMLResponse)
def public_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int
) -> Response:
    try:
        found = service.public_report(engine, report_id)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    return shell.render(request, principal, lang, "disclosure/report.html", report=found,
                        title=render.title(found), published=_when(found["published_at"]),
                        base=f"/disclosures/{report_id}", can_publish=False)  # fmt: skip


@router.get("/disclosures/{report_id}/file")
def public_file(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int
) -> Response:
    try:
        found = service.public_report(engine, report_id)
        return _file(found, request.query_params.get("format", "pdf"), lang)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
