"""The statistical-report pages under 统计报表: alert-handling statistics, environmental-quality
statistics (each with xlsx and PDF of all its tables), the generated monthly and annual reports
(list, download, generate on demand, subscribe), and the viewer's notifications.

Each page calls the same producer the schedule stores and the API answers with, over the
viewer's Scope: an enterprise reads its own alerts, a district supervisor the district's.
Generated reports are the staff's: a district supervisor generates and reads the district's
own, admins and city-wide supervisors the zone's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.accounts.model import Principal
from ecozone.errors import Invalid
from ecozone.statistics import alerts_report, environment_report, schedule, schedule_service
from ecozone.statistics.schedule import Period, ReportContent, ReportError
from ecozone.times import local_time
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import NotFound
from ecozone.web.shell import Engine, HeaderCount, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

READERS = ("admin", "supervisor", "enterprise")
STAFF = ("admin", "supervisor")
LOGGED_IN = ("admin", "supervisor", "enterprise", "coordinator", "bank")
PageFormat = Literal["html", "xlsx", "pdf"]

shell.add_menu(
    MenuEntry(
        "nav.statrep.alerts", "/statistics/alert-handling", READERS, 60, "nav.group.statistics"
    ),
    MenuEntry(
        "nav.statrep.environment", "/statistics/environment", READERS, 61, "nav.group.statistics"
    ),
    MenuEntry("nav.statrep.reports", "/statistics/reports", STAFF, 62, "nav.group.statistics"),
)


def _today() -> date:
    return local_time(shell.now()).date()


def unread_count(engine: sa.Engine, principal: Principal) -> HeaderCount:
    return HeaderCount(
        "statrep.notifications",
        schedule_service.unread(engine, principal.username),
        "/statistics/notifications",
    )


shell.add_header_count(unread_count)


def chosen_period(text: str, today: date) -> Period:
    """The period asked for, default this month."""
    return schedule.parse_period(text.strip() or f"{today:%Y-%m}")


def _content_page(
    request: Request,
    principal: Principal,
    lang: str,
    name: str,
    period_text: str,
    fmt: str,
    build: Any,
) -> Response:
    """A statistics page: the period form, key figures and tables; ?format=xlsx|pdf all of
    its tables as one workbook or one PDF."""
    today = _today()
    error, content, period = None, ReportContent((), ()), None
    try:
        period = chosen_period(period_text, today)
        content = build(period, today)
    except Invalid as exc:
        error = t(lang, "statrep.bad", reason=str(exc))
    title = t(lang, {"alerts": "statrep.alerts.title", "environment": "statrep.env.title"}[name])
    if period is not None and error is None and fmt in ("xlsx", "pdf"):
        full = f"{title}_{period.label}"
        if fmt == "pdf":
            return export.pdf_response(
                schedule_service.document(full, content, lang, shell.now()), full
            )
        return Response(
            schedule_service.to_xlsx(full, content),
            media_type=schedule_service.MEDIA["xlsx"],
            headers={"Content-Disposition": export.content_disposition(f"{full}.xlsx")},
        )
    path = request.url.path
    return shell.render(
        request,
        principal,
        lang,
        f"statistics/{name}.html",
        title=title,
        error=error,
        period=period.label if period else period_text,
        content=content,
        export_url=shell.list_url(path, {"period": period.label if period else ""}),
        status_code=400 if error else 200,
    )


@router.get("/statistics/alert-handling", response_class=HTMLResponse)
def alert_handling_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    period: str = "",
    format: PageFormat = "html",
) -> Response:
    """报警处置统计 of the alerts raised in a month or year, in the viewer's scope."""
    if (refusal := shell.refused(request, principal, lang, READERS)) is not None:
        return refusal

    def build(chosen: Period, today: date) -> ReportContent:
        as_of = min(today, chosen.end - timedelta(days=1))
        result = alerts_report.alert_statistics(engine, principal.scope, chosen, as_of)
        return ReportContent(
            alerts_report.facts(result, lang),
            alerts_report.tables(result, lang),
            (t(lang, "statrep.alerts.note"),),
        )

    return _content_page(request, principal, lang, "alerts", period, format, build)


@router.get("/statistics/environment", response_class=HTMLResponse)
def environment_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    period: str = "",
    format: PageFormat = "html",
) -> Response:
    """环境质量统计: air (AQI days, 优良天数比例, means) and surface water (classes, targets)."""
    if (refusal := shell.refused(request, principal, lang, READERS)) is not None:
        return refusal

    def build(chosen: Period, today: date) -> ReportContent:
        return environment_report.produce(engine, principal.scope, chosen, lang)

    return _content_page(request, principal, lang, "environment", period, format, build)


# --- generated reports -------------------------------------------------------------------


def _district(principal: Principal) -> int | None:
    return principal.scope.district_id if not principal.scope.everything else None


@router.get("/statistics/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    done: str = "",
    error: str = "",
) -> Response:
    """统计报告: the generated reports to download, generation on demand, subscriptions."""
    if (refusal := shell.refused(request, principal, lang, STAFF)) is not None:
        return refusal
    kinds = schedule_service.load_kinds()
    titles = {k.name: k.title(lang) for k in kinds}
    rows = schedule_service.reports(engine, principal.scope)
    for row in rows:
        row["kind_title"] = titles.get(row["kind"], row["kind"])
    today = _today()
    last_month = today.replace(day=1) - timedelta(days=1)
    return shell.render(
        request,
        principal,
        lang,
        "statistics/schedule_reports.html",
        reports=rows,
        kinds=kinds,
        subscribed=schedule_service.subscriptions(engine, principal.username),
        default_period=f"{last_month:%Y-%m}",
        notice=t(lang, f"statrep.done.{done}", default="") or None if done else None,
        error=error or None,
    )


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse(f"/statistics/reports?{urlencode(params)}", status_code=303)


@router.post("/statistics/reports")
def generate_report(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    kind: str = Form(""),
    period: str = Form(""),
) -> Response:
    """Generate a report now (once per kind, period and scope; a second time shows the
    stored one); subscribers are notified."""
    if (refusal := shell.refused(request, principal, lang, STAFF)) is not None:
        return refusal
    try:
        chosen = schedule.parse_period(period)
        if chosen.end > _today():
            raise ReportError(f"period {chosen.label} is not over yet; a report covers a whole one")
        _rid, fresh = schedule_service.generate(
            engine,
            kind,
            chosen,
            district_id=_district(principal),
            actor=principal.username,
            settings=config.statistics_report_settings(),
        )
    except Invalid as exc:
        return _back(error=t(lang, "statrep.bad", reason=str(exc)))
    return _back(done="generated" if fresh else "exists")


@router.get("/statistics/reports/{report_id}/{fmt}")
def download_report(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, report_id: int, fmt: str
) -> Response:
    """A generated report's xlsx or PDF as it was generated."""
    if (refusal := shell.refused(request, principal, lang, STAFF)) is not None:
        return refusal
    try:
        found = schedule_service.report_file(engine, principal.scope, report_id, fmt)
    except ReportError:
        found = None
    if found is None:
        return shell.error_page(request, principal, lang, NotFound("no such report"))
    return Response(
        bytes(found["content"]),
        media_type=schedule_service.MEDIA[fmt],
        headers={"Content-Disposition": export.content_disposition(f"{found['title']}.{fmt}")},
    )


@router.post("/statistics/subscriptions")
def change_subscription(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    kind: str = Form(""),
    action: str = Form("subscribe"),
    email: str = Form(""),
) -> Response:
    """Subscribe to (or unsubscribe from) a report kind: notified when one is generated."""
    if (refusal := shell.refused(request, principal, lang, STAFF)) is not None:
        return refusal
    try:
        if action == "subscribe":
            schedule_service.subscribe(engine, principal.username, kind, email)
        elif action == "unsubscribe":
            schedule_service.unsubscribe(engine, principal.username, kind)
        else:
            raise ReportError(f"action {action!r}: expected subscribe or unsubscribe")
    except Invalid as exc:
        return _back(error=t(lang, "statrep.bad", reason=str(exc)))
    return _back(done=f"{action}d")


@router.get("/statistics/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """The viewer's notifications, newest first."""
    if (refusal := shell.refused(request, principal, lang, LOGGED_IN)) is not None:
        return refusal
    return shell.render(
        request,
        principal,
        lang,
        "statistics/schedule_notifications.html",
        notifications=schedule_service.notifications(engine, principal.username),
    )


@router.post("/statistics/notifications/read")
def read_notifications(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """Mark every notification of the viewer read."""
    if (refusal := shell.refused(request, principal, lang, LOGGED_IN)) is not None:
        return refusal
    schedule_service.mark_read(engine, principal.username)
    return RedirectResponse("/statistics/notifications", status_code=303)


add_texts(
    {
        "nav.statrep.alerts": ("报警处置统计", "Alert-handling statistics"),
        "nav.statrep.environment": ("环境质量统计", "Environmental-quality statistics"),
        "nav.statrep.reports": ("统计报告", "Statistical reports"),
        "statrep.notifications": ("通知", "Notifications"),
        "statrep.period": (
            "统计时段（月 YYYY-MM 或年 YYYY）",
            "Period (month YYYY-MM or year YYYY)",
        ),
        "statrep.show": ("统计", "Show"),
        "statrep.facts": ("主要指标", "Key figures"),
        "statrep.bad": ("无法统计：{reason}", "Cannot do that: {reason}"),
        "statrep.empty": ("没有数据。", "No data."),
        "statrep.reports.title": ("统计报告", "Statistical reports"),
        "statrep.reports.lead": (
            "月报于次月、年报于次年由平台按计划自动生成并留存，每个时段只生成一次；也可立即生成。订阅"
            "后，报告生成时会在页首“通知”中提醒（配置邮件服务器时并发送邮件）。",
            "Monthly and annual reports are generated on schedule after their period ends and "
            "kept, each period once; staff may generate one now. Subscribers are notified in the "
            "header (and by e-mail when a mail server is configured).",
        ),
        "statrep.reports.list": ("已生成的报告", "Generated reports"),
        "statrep.reports.none": ("尚无已生成的报告。", "No report generated yet."),
        "statrep.reports.generate": ("立即生成报告", "Generate a report now"),
        "statrep.reports.generate_button": ("生成", "Generate"),
        "statrep.reports.generate_confirm": (
            "生成后该时段的报告即留存且不再重新生成，确定生成？",
            "Once generated, the period's report is kept and not generated again. Generate?",
        ),
        "statrep.reports.subscriptions": ("订阅", "Subscriptions"),
        "statrep.reports.email": ("邮箱（可选）", "E-mail (optional)"),
        "statrep.reports.subscribe": ("订阅", "Subscribe"),
        "statrep.reports.unsubscribe": ("取消订阅", "Unsubscribe"),
        "statrep.reports.unsubscribe_confirm": ("确定取消订阅？", "Unsubscribe?"),
        "statrep.reports.subscribed": ("已订阅", "Subscribed"),
        "statrep.reports.not_subscribed": ("未订阅", "Not subscribed"),
        "statrep.col.kind": ("报告类型", "Kind"),
        "statrep.col.title": ("报告", "Report"),
        "statrep.col.scope": ("范围", "Scope"),
        "statrep.col.generated_at": ("生成时间", "Generated"),
        "statrep.col.generated_by": ("生成者", "By"),
        "statrep.col.download": ("下载", "Download"),
        "statrep.scope.zone": ("全区", "Whole zone"),
        "statrep.scope.district": ("本区县", "District"),
        "statrep.by_schedule": ("计划任务", "Schedule"),
        "statrep.done.generated": (
            "报告已生成，订阅者已收到通知。",
            "Report generated; subscribers notified.",
        ),
        "statrep.done.exists": (
            "该时段的报告已生成过，未重复生成。",
            "That period's report exists already; not generated again.",
        ),
        "statrep.done.subscribed": ("已订阅。", "Subscribed."),
        "statrep.done.unsubscribed": ("已取消订阅。", "Unsubscribed."),
        "statrep.notifications.title": ("通知", "Notifications"),
        "statrep.notifications.none": ("没有通知。", "No notifications."),
        "statrep.notifications.read_all": ("全部标为已读", "Mark all read"),
        "statrep.notifications.unread": ("未读", "Unread"),
    }
)
