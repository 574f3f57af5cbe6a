"""The administrator's archive page (系统管理 › 数据归档): the archived months with their files,
the live months that may be archived, and the two actions, each behind a confirmation.

Both actions call the same use cases as `ecozone archive month|restore` (service.py), as
the signed-in admin; a refusal comes back on the page in the viewer's language.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.archive import service, store
from ecozone.archive.model import ArchiveError
from ecozone.archive.rules import Month
from ecozone.times import cst_naive, utc_now
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.shell import Engine, Lang, MenuEntry, Principal

ADMIN_ONLY = ("admin",)
router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.admin.archive", "/admin/archive", ADMIN_ONLY, 74, "nav.group.admin"))

FormText = Annotated[str, Form()]


def _live_months(engine: sa.Engine) -> list[Month]:
    """Months held live before the current one: those an admin may archive by hand."""
    this = Month.of(cst_naive(utc_now()))
    with engine.connect() as conn:
        return [m for m in store.months_held(conn) if m < this]


def _page(
    request: Request, principal: Any, lang: str, engine: sa.Engine, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    notice = None
    for name in ("archived", "restored", "nothing"):
        month = request.query_params.get(name)
        if month:
            notice = t(lang, f"archive.notice.{name}", month=month)
    months = service.catalogue(engine)
    return shell.render(
        request, principal, lang, "archive/archive.html", status_code=status_code,
        months=months, live=_live_months(engine), notice=notice, error=error,
        live_months=config.load().archive_live_months,
    )  # fmt: skip


@router.get("/admin/archive", response_class=HTMLResponse)
def archive_page(request: Request, principal: Principal, lang: Lang, engine: Engine) -> Response:
    refused = shell.refused(request, principal, lang, ADMIN_ONLY)
    if refused is not None:
        return refused
    return _page(request, principal, lang, engine)


def _act(
    request: Request, principal: Any, lang: str, engine: sa.Engine, month: str, confirm: str,
    action: str,
) -> Response:  # fmt: skip
    refused = shell.refused(request, principal, lang, ADMIN_ONLY)
    if refused is not None:
        return refused
    try:
        chosen = Month.parse(month)
    except ValueError:
        return _page(request, principal, lang, engine, status_code=400,
                     error=t(lang, "archive.error.month", month=month))  # fmt: skip
    if confirm != "yes":
        return _page(request, principal, lang, engine, status_code=400,
                     error=t(lang, "archive.error.confirm"))  # fmt: skip
    try:
        if action == "archive":
            result = service.archive_month(engine, chosen, actor=principal.username)
            done = "archived" if result is not None else "nothing"
        else:
            service.restore_month(engine, chosen, actor=principal.username)
            done = "restored"
    except ArchiveError as exc:
        return _page(request, principal, lang, engine, status_code=409,
                     error=t(lang, "archive.error.refused", detail=str(exc)))  # fmt: skip
    return RedirectResponse(f"/admin/archive?{done}={chosen}", status_code=303)


@router.post("/admin/archive/{month}/archive", response_class=HTMLResponse)
def archive_action(
    month: str, request: Request, principal: Principal, lang: Lang, engine: Engine,
    confirm: FormText = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, month, confirm, "archive")


@router.post("/admin/archive/{month}/restore", response_class=HTMLResponse)
def restore_action(
    month: str, request: Request, principal: Principal, lang: Lang, engine: Engine,
    confirm: FormText = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, month, confirm, "restore")


add_texts({
    "nav.admin.archive": ("数据归档", "Data archive"),
    "archive.title": ("监测数据归档", "Measurement archive"),
    "archive.lead": (
        "早于保留期的月份导出为 Parquet 文件（zstd 压缩，行数与校验和核对一致后）再从数据库移除；"
        "历史数据查询和统计照常读取已归档月份。",
        "Months past the retention are exported to Parquet (zstd), verified by row count and "
        "checksum, then removed from the database; the history query and statistics still "
        "read archived months.",
    ),
    "archive.retention": ("在线保留 {months} 个月（ECOZONE_ARCHIVE_LIVE_MONTHS）",
                          "{months} months kept live (ECOZONE_ARCHIVE_LIVE_MONTHS)"),
    "archive.retention.none": ("未设置保留期：只在此处或命令行手动归档",
                               "No retention set: months are archived by hand only"),
    "archive.catalogue": ("归档目录", "Archive catalogue"),
    "archive.live": ("在线月份", "Live months"),
    "archive.col.month": ("月份", "Month"),
    "archive.col.state": ("状态", "State"),
    "archive.col.rows": ("行数", "Rows"),
    "archive.col.size": ("文件大小", "File size"),
    "archive.col.checksum": ("校验和", "Checksum"),
    "archive.col.path": ("文件", "File"),
    "archive.col.archived_at": ("归档时间", "Archived"),
    "archive.col.actions": ("操作", "Actions"),
    "archive.state.exported": ("已导出（数据仍在库）", "Exported (rows still live)"),
    "archive.state.archived": ("已归档", "Archived"),
    "archive.state.restored": ("已恢复", "Restored"),
    "archive.none": ("尚无归档月份", "No month archived yet"),
    "archive.live.none": ("没有可归档的在线月份", "No live month to archive"),
    "archive.confirm": ("确认", "Confirm"),
    "archive.do.archive": ("归档", "Archive"),
    "archive.do.restore": ("恢复到数据库", "Restore"),
    "archive.notice.archived": ("{month} 已归档", "{month} archived"),
    "archive.notice.restored": ("{month} 已恢复到数据库", "{month} restored"),
    "archive.notice.nothing": ("{month} 没有在线数据可归档", "{month}: nothing live to archive"),
    "archive.error.confirm": ("请先勾选“确认”", "Tick Confirm first"),
    "archive.error.month": ("月份“{month}”无效，应为 YYYY-MM", "Month \"{month}\" is not YYYY-MM"),
    "archive.error.refused": ("操作未执行：{detail}", "Not done: {detail}"),
})  # fmt: skip
