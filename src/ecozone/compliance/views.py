"""Compliance's pages: alert tables (dashboard panels, a point's, an enterprise's with their
handling), permits, limits and data marks as the enterprise file shows them, the permit
register of every permit in scope (排污许可) and the enterprise's feedback on a dispatched
alert.

Reads go through compliance.store with the viewer's Scope; the feedback form
calls `alerts.feedback`, the same use case as the REST API and the CLI, so an
alert moves only through the transition table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.accounts.model import SYSTEM_SCOPE, Principal
from ecozone.api.params import Id
from ecozone.compliance import rules, store
from ecozone.compliance.alerts import feedback
from ecozone.compliance.model import (
    FEEDBACK_STATES,
    OPEN_ALERT_STATES,
    ComplianceError,
    PermitStatus,
)
from ecozone.registry import store as registry_store
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import add_texts, pollutant_name, t
from ecozone.web.model import SUPERVISING_ROLES, FeedbackError, NotFound, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

FEEDBACK_MAX_CHARS = 2000
PERMIT_ROLES = (*SUPERVISING_ROLES, "enterprise")
PageFormat = Literal["html", "csv", "xlsx"]

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.permits", "/permits", PERMIT_ROLES, 40, "nav.group.permits"))

_ALERT_COLUMNS = (
    ("start", "col.start"),
    ("enterprise", "col.enterprise"),
    ("point", "col.point"),
    ("type", "col.alert_type"),
    ("pollutant", "col.pollutant"),
    ("state", "col.state"),
    ("district", "col.district"),
)


def _alert_rows(alerts: Iterable[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in alerts:
        # the alert's own page on the desk, from its number and its type
        desk = f"/alerts/{a['id']}"
        href = {"enterprise": f"/enterprises/{a['credit_code']}", "id": desk, "type": desk}
        if a["point_id"] is not None:
            href["point"] = f"/points/{a['point_id']}"
        rows.append(
            {
                "id": a["id"],
                "start": a["start"],
                "end": a["end"],
                "district": a["district"],
                "enterprise": a["enterprise"],
                "point": f"{a['point']} {a['point_name']}" if a["point"] else "",
                "type": t(lang, f"alert.{a['type']}", default=a["type"]),
                "pollutant": pollutant_name(a["pollutant"], lang) if a["pollutant"] else "",
                "peak": a["peak"],
                "limit_value": a["limit_value"],
                "multiple": (
                    a["peak"] / a["limit_value"]
                    if a["peak"] is not None and a["limit_value"]
                    else None
                ),
                "state": t(lang, f"alert_state.{a['state']}"),
                "_href": href,
                "_class": f"alert-{a['state']}",
            }
        )
    return rows


def open_alerts_table(engine: sa.Engine, principal: Principal, now: datetime, lang: str) -> Table:
    """Alerts not yet verified or closed, newest first."""
    with engine.connect() as conn:
        alerts = store.select_alerts(
            conn, scope=principal.scope, states=OPEN_ALERT_STATES, limit=200
        )
    return shell.make_table("open-alerts", lang, _ALERT_COLUMNS, _alert_rows(alerts, lang))


def today_exceedances_table(
    engine: sa.Engine, principal: Principal, now: datetime, lang: str
) -> Table:
    """Exceedance alerts that started today (China Standard Time), in any state."""
    midnight = local_time(now).replace(hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as conn:
        alerts = store.select_alerts(
            conn, scope=principal.scope, types=("exceedance",), since=midnight, limit=500
        )
    columns = (
        ("start", "col.start"),
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("multiple", "col.multiple"),
        ("state", "col.state"),
        ("enterprise", "col.enterprise"),
        ("end", "col.end"),
    )
    return shell.make_table("today-exceedances", lang, columns, _alert_rows(alerts, lang))


def point_alerts_table(engine: sa.Engine, principal: Principal, point_id: int, lang: str) -> Table:
    """Alerts of a point, for viewers whose own business the point is (not the public)."""
    with engine.connect() as conn:
        row = shell.require_visible(
            principal, registry_store.get_point(conn, point_id), f"point {point_id}"
        )
        if not principal.scope.owns(row["enterprise_id"], district_id=row["district_id"]):
            raise NotFound(f"no alerts of point {point_id} here")
        alerts = store.select_alerts(conn, scope=SYSTEM_SCOPE, point_ids=[row["id"]], limit=500)
    columns = (
        ("start", "col.start"),
        ("end", "col.end"),
        ("type", "col.alert_type"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("state", "col.state"),
    )
    return shell.make_table("point-alerts", lang, columns, _alert_rows(alerts, lang))


def alerts_with_actions(
    conn: sa.Connection, enterprise_id: int, scope: Any, *, limit: int
) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """An enterprise's alerts, newest first, and each one's handling history, oldest first."""
    alerts = store.select_alerts(conn, scope=scope, enterprise_ids=[enterprise_id], limit=limit)
    actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in store.select_actions(conn, [a["id"] for a in alerts]):
        actions[action["alert_id"]].append(action)
    return alerts, actions


def enterprise_alerts_table(
    alerts: Sequence[dict[str, Any]], actions: dict[int, list[dict[str, Any]]], lang: str
) -> Table:
    rows = []
    for a, row in zip(alerts, _alert_rows(alerts, lang), strict=True):
        history = actions.get(a["id"], [])
        last = history[-1] if history else None
        row["last_action"] = (
            f"{t(lang, 'action.' + last['action'], default=last['action'])} · {last['actor']}"
            if last
            else ""
        )
        row["handling"] = [
            {
                "at": h["at"],
                "actor": h["actor"],
                "action": t(lang, f"action.{h['action']}", default=h["action"]),
                "comment": h["comment"] or "",
                "cause": h["cause"] or "",
                "measures": h["measures"] or "",
            }
            for h in history
        ]
        rows.append(row)
    columns = (
        ("id", "col.alert_id"),
        ("start", "col.start"),
        ("end", "col.end"),
        ("point", "col.point"),
        ("type", "col.alert_type"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("state", "col.state"),
        ("last_action", "col.last_action"),
    )
    return shell.make_table("alerts", lang, columns, rows)


def limits_table(limits: Sequence[dict[str, Any]], lang: str) -> Table:
    rows = [
        {
            "permit_no": lim["permit_no"],
            "point": f"{lim['point_code']} {lim['point_name']}",
            "pollutant": pollutant_name(lim["pollutant"], lang),
            "limit_value": lim["limit_value"],
            "unit": lim["unit"],
            "basis": t(lang, f"basis.{lim['basis']}"),
            "standard": lim["standard"] or "",
            "annual_cap_t": lim["annual_cap_t"],
        }
        for lim in limits
    ]
    columns = (
        ("permit_no", "col.permit_no"),
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("limit_value", "col.limit_value"),
        ("unit", "col.unit"),
        ("basis", "col.basis"),
        ("standard", "col.standard"),
        ("annual_cap_t", "col.annual_cap_t"),
    )
    return shell.make_table("limits", lang, columns, rows)


def permits_table(
    permits: Sequence[dict[str, Any]], today: date, lang: str
) -> tuple[Table, list[dict[str, Any]]]:
    rows = []
    for p in permits:
        status = rules.permit_status(p["valid_from"], p["valid_to"], today)
        rows.append(
            {
                "permit_no": p["permit_no"],
                "management_class": t(lang, f"permit_class.{p['management_class']}"),
                "valid_from": p["valid_from"],
                "valid_to": p["valid_to"],
                "status": t(lang, f"permit_status.{status.value}"),
                "_class": f"permit-{status.value}",
                "_status": status.value,
            }
        )
    columns = (
        ("permit_no", "col.permit_no"),
        ("management_class", "col.management_class"),
        ("valid_from", "col.valid_from"),
        ("valid_to", "col.valid_to"),
        ("status", "col.permit_status"),
    )
    return shell.make_table("permits", lang, columns, rows), rows


def permit_register(
    engine: sa.Engine, principal: Principal, today: date, lang: str, filters: dict[str, str]
) -> dict[str, Any]:
    """排污许可: the permits of the enterprises the viewer may read, each with where it stands
    on `today` (rules.permit_status), filtered by status and district."""
    with engine.connect() as conn:
        permits = store.permits(conn, scope=principal.scope)
        districts = {
            e["id"]: e["district"]
            for e in registry_store.enterprises_in_scope(conn, principal.scope)
        }
    rows = []
    for p in permits:
        status = rules.permit_status(p["valid_from"], p["valid_to"], today)
        district = districts.get(p["enterprise_id"], "")
        if filters["status"] not in ("", status.value) or filters["district"] not in (
            "",
            district,
        ):
            continue
        rows.append(
            {
                "permit_no": p["permit_no"],
                "enterprise": p["enterprise"],
                "credit_code": p["credit_code"],
                "district": district,
                "management_class": t(lang, f"permit_class.{p['management_class']}"),
                "valid_from": p["valid_from"],
                "valid_to": p["valid_to"],
                "status": t(lang, f"permit_status.{status.value}"),
                "_href": {"enterprise": f"/enterprises/{p['credit_code']}"},
                "_class": f"permit-{status.value}",
            }
        )
    columns = (
        ("permit_no", "col.permit_no"),
        ("enterprise", "col.enterprise"),
        ("credit_code", "col.credit_code"),
        ("district", "col.district"),
        ("management_class", "col.management_class"),
        ("valid_from", "col.valid_from"),
        ("valid_to", "col.valid_to"),
        ("status", "col.permit_status"),
    )
    return {
        "table": shell.make_table("permit-register", lang, columns, rows),
        "total": len(permits),
        "choices": {
            "status": [(s.value, t(lang, f"permit_status.{s.value}")) for s in PermitStatus],
            "district": sorted(set(districts.values())),
        },
    }


def marks_table(marks: Sequence[dict[str, Any]], lang: str) -> Table:
    rows = []
    for m in marks:
        late = rules.mark_is_late(m["start"], m["declared_at"])
        rows.append(
            {
                "point": f"{m['point']} {m['point_name']}",
                "pollutant": pollutant_name(m["pollutant"], lang)
                if m["pollutant"]
                else t(lang, "marks.all_pollutants"),
                "kind": t(lang, f"mark.{m['kind']}", default=m["kind"]),
                "start": m["start"],
                "end": m["end"],
                "reason": m["reason"],
                "declared_by": m["declared_by"],
                "declared_at": m["declared_at"],
                "late": t(lang, "marks.late") if late else "",
                "revoked_at": m["revoked_at"],
                "_class": " ".join(
                    c for c, on in (("late", late), ("revoked", m["revoked_at"])) if on
                ),
            }
        )
    columns = (
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("kind", "col.mark_kind"),
        ("start", "col.start"),
        ("end", "col.end"),
        ("reason", "col.reason"),
        ("declared_by", "col.declared_by"),
        ("declared_at", "col.declared_at"),
        ("late", "col.late"),
        ("revoked_at", "col.revoked_at"),
    )
    return shell.make_table("data-marks", lang, columns, rows)


# --- the enterprise's feedback ---------------------------------------------------------


def _clean_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise FeedbackError(f"{field} is empty; describe it in a few words")
    if len(text) > FEEDBACK_MAX_CHARS:
        raise FeedbackError(
            f"{field} is {len(text)} characters long; at most {FEEDBACK_MAX_CHARS} are allowed"
        )
    return text


def submit_feedback(
    engine: sa.Engine,
    principal: Principal,
    alert_id: Id,
    *,
    cause: str | None,
    measures: str | None,
) -> None:
    """An enterprise's feedback on one of its alerts: the cause found and the measures taken.

    Refused, with nothing stored, when a field is empty or too long, the alert
    is not dispatched to it, or it is not this principal's (404 as if missing).
    """
    cause_text = _clean_text(cause, "cause")
    measures_text = _clean_text(measures, "measures")
    if principal.role != "enterprise":
        raise WebError("feedback on an alert is given by the enterprise's own account")
    with engine.connect() as conn:
        found = store.select_alerts(conn, alert_ids=[alert_id])
    found_row = shell.require_visible(principal, found[0] if found else None, f"alert {alert_id}")
    if found_row["state"] not in FEEDBACK_STATES:
        raise FeedbackError(
            f"alert {alert_id} is {found_row['state']}; feedback is taken once it is dispatched "
            "and until it is answered"
        )
    try:
        feedback(engine, alert_id, principal.username, cause=cause_text, measures=measures_text)
    except ComplianceError as exc:
        raise FeedbackError(str(exc)) from exc


@router.get("/permits", response_class=HTMLResponse)
def permits_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    status: str = "",
    district: str = "",
    format: PageFormat = "html",
) -> Response:
    answer = shell.refused(request, principal, lang, PERMIT_ROLES)
    if answer is not None:
        return answer
    filters = {"status": status.strip(), "district": district.strip()}
    today = local_time(shell.now()).date()
    page = permit_register(engine, principal, today, lang, filters)
    if format != "html":
        return shell.respond(page["table"], format, lang, "permits")
    return shell.render(
        request, principal, lang, "compliance/permits.html", filters=filters,
        export_url=shell.list_url("/permits", filters),
        notice_days=rules.RENEWAL_NOTICE_DAYS, **page,
    )  # fmt: skip


@router.post("/portal/alerts/{alert_id}/feedback", response_class=HTMLResponse)
def portal_feedback(
    alert_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    cause: Annotated[str, Form()] = "",
    measures: Annotated[str, Form()] = "",
) -> Response:
    """The enterprise's feedback on one of its alerts; back to the portal with a notice."""
    from ecozone.registry import views as registry_views  # the portal is the registry's page

    try:
        redirect = shell.gate(request, principal, ("enterprise",))
        if redirect is not None:
            return redirect
        submit_feedback(engine, principal, alert_id, cause=cause, measures=measures)
    except FeedbackError as exc:
        enterprises = registry_views.portal_items(engine, principal, shell.now(), lang)
        return shell.render(
            request,
            principal,
            lang,
            "registry/portal.html",
            status_code=400,
            enterprises=enterprises,
            feedback_error={"alert_id": alert_id, "message": str(exc)},
        )
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return RedirectResponse(f"/portal?saved={alert_id}#alert-{alert_id}", status_code=303)


add_texts({
    "nav.permits": ("排污许可证", "Discharge permits"),
    "permits.title": ("排污许可", "Discharge permits"),
    "permits.lead": (
        "辖区内企业的排污许可证及其状态；有效期止前 {days} 日内为临期，"
        "需申请延续（排污许可管理条例第十四条）。",
        "The discharge permits of the enterprises in your scope and where each stands; renewal "
        "is due within {days} days of its last day (Permit Regulation Art. 14).",
    ),
    "permits.count": ("共 {shown} 张许可证（全部 {total} 张）", "{shown} of {total} permits"),
    "permits.empty": ("没有符合条件的许可证。", "No permit matches."),
    "file.permit-register": ("排污许可证台账", "permit-register"),
})  # fmt: skip
