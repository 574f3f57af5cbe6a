"""The registry's pages: one file per enterprise (一企一档), the enterprise portal, and the
list of enterprises a viewer may see (企业档案, searched and filtered, exported).

The enterprise file composes each capability's section (outlets and their live
state from monitoring, permits, limits, alerts and marks from compliance,
report links from reports); sections that are the enterprise's own business
(alerts, marks, reports) are shown only inside the viewer's own scope.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.accounts.model import SYSTEM_SCOPE, Principal
from ecozone.compliance import store as compliance_store
from ecozone.compliance import views as compliance_views
from ecozone.compliance.model import FEEDBACK_STATES, OPEN_ALERT_STATES, AlertState
from ecozone.monitoring import views as monitoring_views
from ecozone.registry import store
from ecozone.registry.rules import enterprise_matches
from ecozone.reports.views import report_links
from ecozone.supervision import inspection_reads, inspection_texts  # noqa: F401 (its texts)
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, NotFound, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

ENTERPRISE_TABLES = ("outlets", "permits", "limits", "alerts", "data-marks")
Format = Literal["json", "csv", "xlsx"]
PageFormat = Literal["html", "csv", "xlsx"]

router = APIRouter(include_in_schema=False)
shell.add_menu(
    MenuEntry("nav.portal", "/portal", ("enterprise",), 0),
    MenuEntry("nav.enterprises", "/enterprises", SUPERVISING_ROLES, 30, "nav.group.enterprises"),
)


def _enterprise(conn: sa.Connection, principal: Principal, credit_code: str) -> dict[str, Any]:
    row = store.enterprise_by_code(conn, credit_code)
    if row is not None:
        row = {**row, "enterprise_id": row["id"]}
    return shell.require_visible(principal, row, f"enterprise {credit_code}")


def enterprise_file(
    engine: sa.Engine, principal: Principal, credit_code: str, now: datetime, lang: str
) -> dict[str, Any]:
    """One file per enterprise (一企一档): registry, permits, outlets, compliance, alerts, marks."""
    now_local = local_time(now)
    year_start = now_local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as conn:
        ent = _enterprise(conn, principal, credit_code)
        internal = principal.scope.owns(ent["id"], district_id=ent["district_id"])
        points = monitoring_views.live_points(
            conn, store.points_in_scope(conn, SYSTEM_SCOPE, enterprise_id=ent["id"]), now
        )
        latest = monitoring_views.latest_summaries(conn, points, lang)
        permits = compliance_store.permits(conn, [ent["id"]])
        limits = (
            compliance_store.limits(conn, permit_ids=[p["id"] for p in permits]) if permits else []
        )
        state_counts = compliance_store.alert_state_counts(conn, ent["id"])
        exceedances = compliance_store.exceedance_count(conn, ent["id"], year_start)
        alerts: list[dict[str, Any]] = []
        actions: dict[int, list[dict[str, Any]]] = {}
        marks: list[dict[str, Any]] = []
        if internal:
            alerts, actions = compliance_views.alerts_with_actions(
                conn, ent["id"], SYSTEM_SCOPE, limit=200
            )
            marks = compliance_store.marks(conn, ent["id"])
    permit_table, permit_rows = compliance_views.permits_table(permits, now_local.date(), lang)
    story = (
        inspection_reads.story(engine, ent["id"], principal.scope, now_local.date())
        if internal
        else []
    )
    return {
        "enterprise": ent,
        "internal": internal,
        "enforcement": story,
        "permits": permit_table,
        "permit_rows": permit_rows,
        "limits": compliance_views.limits_table(limits, lang),
        "outlets": monitoring_views.outlets_table(points, lang, latest),
        "points": points,
        "summary": {
            "year": now_local.year,
            "exceedances": exceedances,
            "alerts_by_state": [
                {"state": s, "label": t(lang, f"alert_state.{s}"), "count": state_counts.get(s, 0)}
                for s in AlertState
            ],
            "open_alerts": sum(state_counts.get(s, 0) for s in OPEN_ALERT_STATES),
            "state_counts": Counter(p["state"].value for p in points),
        },
        "alerts": compliance_views.enterprise_alerts_table(alerts, actions, lang),
        "marks": compliance_views.marks_table(marks, lang),
        "reports": report_links(ent["credit_code"], now) if internal else [],
    }


def enterprise_table(
    engine: sa.Engine, principal: Principal, credit_code: str, name: str, now: datetime, lang: str
) -> Table:
    """One table of the enterprise file, by name (for export)."""
    page = enterprise_file(engine, principal, credit_code, now, lang)
    tables = {
        "permits": page["permits"],
        "limits": page["limits"],
        "outlets": page["outlets"],
        "alerts": page["alerts"],
        "data-marks": page["marks"],
    }
    if name not in tables or (name in ("alerts", "data-marks") and not page["internal"]):
        raise NotFound(f"no table {name!r} on this enterprise's file")
    return tables[name]


def enterprises_table(engine: sa.Engine, principal: Principal, lang: str) -> Table:
    """Enterprises the viewer may list (for the public: those that disclose their data)."""
    with engine.connect() as conn:
        enterprises = store.enterprises_in_scope(conn, principal.scope)
    rows = [
        {
            "name": e["name"],
            "credit_code": e["credit_code"],
            "district": e["district"],
            "industry": e["industry"],
            "_href": {"name": f"/enterprises/{e['credit_code']}"},
        }
        for e in enterprises
    ]
    columns = (
        ("name", "col.enterprise"),
        ("credit_code", "col.credit_code"),
        ("district", "col.district"),
        ("industry", "col.industry"),
    )
    return shell.make_table("enterprises", lang, columns, rows)


def enterprise_list(
    engine: sa.Engine, principal: Principal, lang: str, filters: dict[str, str]
) -> dict[str, Any]:
    """The enterprises the viewer may list that match the search (`q`) and the district and
    industry filters, and the choices those filters offer."""
    every = enterprises_table(engine, principal, lang)
    rows = [
        r
        for r in every.rows
        if enterprise_matches(r["name"], r["credit_code"], filters["q"])
        and filters["district"] in ("", r["district"])
        and filters["industry"] in ("", r["industry"] or "")
    ]
    return {
        "table": Table(name=every.name, columns=every.columns, rows=tuple(rows)),
        "total": len(every.rows),
        "choices": {
            "district": sorted({r["district"] for r in every.rows}),
            "industry": sorted({r["industry"] for r in every.rows if r["industry"]}),
        },
    }


def portal_items(
    engine: sa.Engine, principal: Principal, now: datetime, lang: str
) -> list[dict[str, Any]]:
    """The enterprise user's own enterprises, each with points, latest data, open alerts,
    permits and report links."""
    if principal.role != "enterprise":
        raise WebError("the portal is for enterprise accounts")
    today = local_time(now).date()
    result = []
    with engine.connect() as conn:
        for ent in store.enterprises_in_scope(conn, principal.scope, ids=principal.enterprise_ids):
            points = monitoring_views.live_points(
                conn, store.points_in_scope(conn, principal.scope, enterprise_id=ent["id"]), now
            )
            latest = monitoring_views.latest_summaries(conn, points, lang)
            alerts, actions = compliance_views.alerts_with_actions(
                conn, ent["id"], principal.scope, limit=100
            )
            permit_table, permit_rows = compliance_views.permits_table(
                compliance_store.permits(conn, [ent["id"]]), today, lang
            )
            result.append(
                {
                    "enterprise": ent,
                    "outlets": monitoring_views.outlets_table(points, lang, latest),
                    "alerts": compliance_views.enterprise_alerts_table(alerts, actions, lang),
                    "feedback_ids": {a["id"] for a in alerts if a["state"] in FEEDBACK_STATES},
                    "permits": permit_table,
                    "permit_rows": permit_rows,
                    "reports": report_links(ent["credit_code"], now),
                }
            )
    return result


@router.get("/enterprises/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    credit_code: str, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    try:
        page = enterprise_file(engine, principal, credit_code, shell.now(), lang)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return shell.render(request, principal, lang, "registry/enterprise.html", **page)


@router.get("/enterprises", response_class=HTMLResponse)
def enterprises_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    q: str = "",
    district: str = "",
    industry: str = "",
    format: PageFormat = "html",
) -> Response:
    """企业档案: the enterprises in the viewer's scope, each opening its file; an enterprise
    account has its portal instead."""
    if principal.role == "enterprise":
        return RedirectResponse("/portal", status_code=303)
    answer = shell.refused(request, principal, lang, SUPERVISING_ROLES)
    if answer is not None:
        return answer
    filters = {"q": q.strip(), "district": district.strip(), "industry": industry.strip()}
    page = enterprise_list(engine, principal, lang, filters)
    if format != "html":
        return shell.respond(page["table"], format, lang, "enterprises")
    return shell.render(
        request, principal, lang, "registry/enterprises.html", filters=filters,
        export_url=shell.list_url("/enterprises", filters), **page,
    )  # fmt: skip


@router.get("/portal", response_class=HTMLResponse)
def portal_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    try:
        redirect = shell.gate(request, principal, ("enterprise",))
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    notice = None
    saved = request.query_params.get("saved")
    if saved and saved.isdigit():
        notice = t(lang, "feedback.saved", alert_id=saved)
    enterprises = portal_items(engine, principal, shell.now(), lang)
    return shell.render(
        request, principal, lang, "registry/portal.html", enterprises=enterprises, notice=notice
    )


@router.get("/web/api/public/enterprises")
def enterprises_json(
    principal: Viewer, lang: Lang, engine: Engine, format: Format = "json"
) -> Response:
    return shell.respond(enterprises_table(engine, principal, lang), format, lang, "enterprises")


@router.get("/web/api/enterprises/{credit_code}/tables/{name}")
def enterprise_table_json(
    credit_code: str,
    name: str,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    format: Format = "json",
) -> Response:
    """A table of the enterprise file: outlets, permits, limits, alerts, data-marks."""
    try:
        if name not in ENTERPRISE_TABLES:
            raise NotFound(f"no table {name!r} on an enterprise file")
        table = enterprise_table(engine, principal, credit_code, name, shell.now(), lang)
    except WebError as exc:
        return shell.json_error(exc)
    return shell.respond(table, format, lang, f"{credit_code}-{name}")


add_texts({
    "nav.enterprises": ("一企一档", "Enterprise files"),
    "enterprises.title": ("企业档案", "Enterprises"),
    "enterprises.lead": (
        "辖区内的排污单位；点击企业名称进入一企一档：登记信息、许可证、排放口、报警与数据标记。",
        "The discharging units in your scope; open one for its file: registry, permits, "
        "outlets, alerts and data marks.",
    ),
    "enterprises.count": ("共 {shown} 家企业（全部 {total} 家）", "{shown} of {total} enterprises"),
    "enterprises.empty": ("没有符合条件的企业。", "No enterprise matches."),
})  # fmt: skip
