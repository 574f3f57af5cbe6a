"""Reports on the pages: where an enterprise's annual self-monitoring reports are downloaded,
and the list of those reports for every enterprise in the viewer's scope (统计报表).

The list reads the enterprises through the registry with the viewer's Scope; the links
go to the report API, which checks the same scope again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone.accounts.model import Principal
from ecozone.registry import store as registry_store
from ecozone.registry.rules import enterprise_matches
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import add_texts
from ecozone.web.model import SUPERVISING_ROLES
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

REPORT_FORMATS = ("html", "pdf", "xlsx")
REPORT_ROLES = (*SUPERVISING_ROLES, "enterprise")

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.reports", "/reports", REPORT_ROLES, 50, "nav.group.statistics"))


def report_links(credit_code: str, now: datetime) -> list[dict[str, Any]]:
    """Annual self-monitoring reports of the current year (to date) and the two before it,
    in each format."""
    year = local_time(now).year
    return [
        {
            "year": y,
            "to_date": y == year,
            "formats": {
                fmt: f"/api/v1/reports/annual/{credit_code}/{y}.{fmt}" for fmt in REPORT_FORMATS
            },
        }
        for y in (year, year - 1, year - 2)
    ]


def report_list(
    engine: sa.Engine, principal: Principal, now: datetime, query: str
) -> dict[str, Any]:
    """Per enterprise the viewer may read and the search (`query`: part of its name or credit
    code) finds, its report links; the years the columns stand for."""
    with engine.connect() as conn:
        enterprises = registry_store.enterprises_in_scope(conn, principal.scope)
    rows = [
        {"enterprise": e, "reports": report_links(e["credit_code"], now)}
        for e in enterprises
        if enterprise_matches(e["name"], e["credit_code"], query)
    ]
    year = local_time(now).year
    return {"rows": rows, "total": len(enterprises), "years": [year, year - 1, year - 2]}


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, q: str = ""
) -> Response:
    """统计报表: the annual self-monitoring reports of each enterprise in scope."""
    answer = shell.refused(request, principal, lang, REPORT_ROLES)
    if answer is not None:
        return answer
    page = report_list(engine, principal, shell.now(), q.strip())
    return shell.render(
        request, principal, lang, "reports/reports.html", filters={"q": q.strip()}, **page
    )


add_texts({
    "nav.reports": ("自行监测年度报告", "Annual self-monitoring reports"),
    "reports.title": ("统计报表", "Statistics and reports"),
    "reports.lead": (
        "各企业自行监测年度报告（由在线监测小时、日数据统计生成），可下载网页、PDF 与 Excel 版；"
        "本年度为截至今日的统计。",
        "Each enterprise's annual self-monitoring report, computed from its hourly and daily "
        "values, as a web page, PDF or Excel; this year's counts up to today.",
    ),
    "reports.to_date": ("{year} 年度（截至今日）", "{year} (to date)"),
    "reports.count": ("共 {shown} 家企业（全部 {total} 家）", "{shown} of {total} enterprises"),
    "reports.empty": ("没有符合条件的企业。", "No enterprise matches."),
})  # fmt: skip
