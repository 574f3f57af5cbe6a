"""The audit log page: who did what and when, filtered by actor, action, entity, target and
period, a page at a time, and exported to CSV or xlsx.

Reads through the same query as GET /api/v1/audit (audit.entries). Days are China
Standard Time calendar days, both ends included; paging asks for one row more than
it shows to know whether a next page exists, so no count is needed.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone.accounts import audit
from ecozone.accounts.model import AuditEntry
from ecozone.accounts.views import admin_gate
from ecozone.times import CHINA_STANDARD_TIME
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import Table
from ecozone.web.shell import Engine, Lang
from ecozone.web.shell import Principal as Viewer

PAGE_SIZE = 50
#: An export holds at most this many entries (newest first); narrow the filters for more.
EXPORT_MAX_ROWS = 10_000
FILTERS = ("actor", "action", "entity", "target", "since", "until")
Format = Literal["html", "csv", "xlsx"]

router = APIRouter(include_in_schema=False)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def period(since: str, until: str, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The instants [since 00:00, the day after until 00:00) in CST, and per-field errors."""
    bounds: dict[str, Any] = {"since": None, "until": None}
    errors = {}
    for name, text, shift in (("since", since, 0), ("until", until, 1)):
        if not text.strip():
            continue
        day = _day(text)
        if day is None:
            errors[name] = t(lang, "audit.error.date", value=text)
            continue
        midnight = datetime.combine(day + timedelta(days=shift), time(), CHINA_STANDARD_TIME)
        bounds[name] = midnight
    if not errors and bounds["since"] and bounds["until"] and bounds["until"] <= bounds["since"]:
        errors["until"] = t(lang, "audit.error.order")
    return bounds, errors


def _changes(values: dict[str, Any] | None) -> str:
    if not values:
        return ""
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def audit_table(entries: list[AuditEntry], lang: str) -> Table:
    rows = [
        {"at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
         "entity_id": e.entity_id, "before": _changes(e.before), "after": _changes(e.after)}
        for e in entries
    ]  # fmt: skip
    columns = (
        ("at", "audit.col.at"),
        ("actor", "audit.col.actor"),
        ("action", "audit.col.action"),
        ("entity", "audit.col.entity"),
        ("entity_id", "audit.col.target"),
        ("before", "audit.col.before"),
        ("after", "audit.col.after"),
    )
    return shell.make_table("audit-log", lang, columns, rows)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    actor: str = "",
    action: str = "",
    entity: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    page: int = 1,
    format: Format = "html",
) -> Response:
    refused = admin_gate(request, principal, lang)
    if refused is not None:
        return refused
    typed = {"actor": actor, "action": action, "entity": entity, "target": target,
             "since": since, "until": until}  # fmt: skip
    bounds, errors = period(since, until, lang)
    page = max(page, 1)
    entries: list[AuditEntry] = []
    if not errors:
        limit, offset = (
            (EXPORT_MAX_ROWS, 0) if format != "html" else (PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        )
        entries = audit.entries(
            engine, actor=actor.strip() or None, action=action.strip() or None,
            entity=entity.strip() or None, entity_id=target.strip() or None,
            since=bounds["since"], until=bounds["until"], limit=limit, offset=offset,
        )  # fmt: skip
    if format != "html" and not errors:
        return shell.respond(audit_table(entries, lang), format, lang, "audit-log")
    given = {k: v for k, v in typed.items() if v}
    query = urlencode(given)
    return shell.render(
        request, principal, lang, "accounts/audit.html", status_code=400 if errors else 200,
        table=audit_table(entries[:PAGE_SIZE], lang), filters=typed, errors=errors, page=page,
        previous=f"?{urlencode({**given, 'page': page - 1})}" if page > 1 else None,
        next=f"?{urlencode({**given, 'page': page + 1})}" if len(entries) > PAGE_SIZE else None,
        export_url=f"/admin/audit?{query}" if query else "/admin/audit",
        export_max=EXPORT_MAX_ROWS,
    )  # fmt: skip


add_texts({
    "audit.title": ("审计日志", "Audit log"),
    "audit.lead": ("谁在何时做了什么，以及修改前后的值；时间为北京时间。",
                   "Who did what and when, with the values before and after; times in CST."),
    "audit.col.at": ("时间", "Time"),
    "audit.col.actor": ("操作人", "Actor"),
    "audit.col.action": ("操作", "Action"),
    "audit.col.entity": ("对象类型", "Entity"),
    "audit.col.target": ("对象", "Target"),
    "audit.col.before": ("修改前", "Before"),
    "audit.col.after": ("修改后", "After"),
    "audit.filter.since": ("起始日期", "From (day)"),
    "audit.filter.until": ("截止日期（含）", "To (day, included)"),
    "audit.filter.action_hint": ("如 create、update、login、approve", "e.g. create, update, login"),
    "audit.filter.entity_hint": ("如 user_account、auth_token、device",
                                 "e.g. user_account, auth_token, device"),
    "audit.page": ("第 {page} 页", "Page {page}"),
    "audit.previous": ("上一页", "Previous"),
    "audit.next": ("下一页", "Next"),
    "audit.empty": ("没有符合条件的记录。", "No entries match."),
    "audit.error.date": ("日期“{value}”格式不对，应为 2026-03-01 这样的年-月-日。",
                         "The date '{value}' is not a day such as 2026-03-01."),
    "audit.error.order": ("截止日期不能早于起始日期。", "The last day is before the first."),
    "audit.export_note": ("导出最多 {n} 条（按当前筛选条件，最新在前）。",
                          "Exports hold at most {n} entries (current filters, newest first)."),
})  # fmt: skip
