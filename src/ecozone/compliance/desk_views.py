"""The alert desk (报警处置): the list with filters, counts per state, overdue marks, paging
and export; one alert with its evidence chart, history and the steps the viewer may take.

Every step goes through `alerts.act`, the use case the REST API calls, so the page
moves an alert only as the transition table allows; what a viewer may do is read off
that table and the role. Reads take the viewer's Scope (another enterprise's alert
answers 404 like a missing one). Figures are named per alert type, so a device-vs-computed
difference never sits in a concentration column.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.accounts.model import Principal
from ecozone.api.params import Id
from ecozone.compliance import alerts, desk_store, rules, store
from ecozone.compliance.api import attachment_headers
from ecozone.compliance.desk_texts import TEXTS, error_text
from ecozone.compliance.model import AlertAction, AlertState, AlertType, DeskSettings
from ecozone.errors import EcozoneError, NotFound
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import add_texts, format_number, pollutant_name, pollutant_unit, t
from ecozone.web.model import WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
add_texts(TEXTS)

DESK_ROLES = ("admin", "supervisor", "enterprise")
STAFF = ("admin", "supervisor")
PER_PAGE = 50
EXPORT_MAX = 10_000
shell.add_menu(MenuEntry("nav.alert_desk", "/alerts", DESK_ROLES, 5, "nav.group.alerts"))

#: The supervisor's steps on the page, in the order their buttons show.
STAFF_STEPS = (
    AlertAction.DISPATCH,
    AlertAction.URGE,
    AlertAction.SEND_BACK,
    AlertAction.VERIFY,
    AlertAction.CLOSE,
    AlertAction.REOPEN,
)
PAGE_STEPS = frozenset({*STAFF_STEPS, "false_alarm", "feedback"})


def _settings() -> DeskSettings:
    return config.desk_settings()


def _today() -> date:
    return local_time(shell.now()).date()


# --- figures, named per alert type -------------------------------------------------------


def _worst_mismatch(detail: dict[str, Any]) -> dict[str, Any] | None:
    hours = detail.get("hours") if isinstance(detail.get("hours"), list) else []
    return max(hours, key=lambda h: abs(h["device"] - h["computed"]), default=None)


#: Alerts of the emission–electricity linkage (ecozone.power findings A–E).
LINKAGE_TYPES = frozenset({
    AlertType.CONTROL_OFF, AlertType.UNSYNCHRONISED, AlertType.CONTROL_IDLE,
    AlertType.LIMIT_ORDER, AlertType.ANALYSER_SILENT,
})  # fmt: skip


def figures(a: dict[str, Any], lang: str) -> dict[str, Any]:
    """The alert's numbers under their own names: concentrations for an exceedance, device
    and computed hourly values for a mismatch, durations for the rest."""
    detail = a.get("detail") or {}
    unit = detail.get("unit") or (pollutant_unit(a["pollutant"]) if a["pollutant"] else "")
    out: dict[str, Any] = {"unit": unit}
    if a["type"] == AlertType.EXCEEDANCE:
        out["peak"], out["limit"] = a["peak"], a["limit_value"]
        if a["peak"] is not None and a["limit_value"]:
            out["multiple"] = a["peak"] / a["limit_value"]
        text = t(
            lang,
            "desk.fig.exceedance_text",
            peak=_num(a["peak"]),
            limit=_num(a["limit_value"]),
            unit=unit,
        )
    elif a["type"] == AlertType.HOUR_MISMATCH:
        worst = _worst_mismatch(detail)
        if worst is not None:
            out["device"], out["computed"] = worst["device"], worst["computed"]
            out["mismatch_hour"] = worst["data_time"][:16].replace("T", " ")
        out["difference"], out["tolerance"] = a["peak"], a["limit_value"]
        text = t(
            lang,
            "desk.fig.mismatch_text",
            device=_num(out.get("device")),
            computed=_num(out.get("computed")),
            difference=_num(a["peak"]),
            tolerance=_num(a["limit_value"]),
        )
    elif a["type"] in LINKAGE_TYPES:  # ecozone.power: facilities, durations, loads
        loads = detail.get("production_kw") or {}
        out.update(
            facility=detail.get("facility"),
            facility_name=detail.get("facility_name"),
            production="、".join(detail.get("production") or []) or None,
            production_kw="、".join(f"{k} {_num(v)}" for k, v in loads.items()) or None,
            control_kw=detail.get("control_kw"),
            minutes=detail.get("minutes"),
            rule=detail.get("rule"),
        )
        text = t(
            lang,
            "desk.fig.power_text",
            facility=f"{out['facility']} {out['facility_name'] or ''}".strip(),
            minutes=_num(out["minutes"]),
            load=out["production_kw"] or "—",
        )
    elif a["type"] == AlertType.CAP_WARNING:
        out["emitted_t"], out["cap_t"] = a["peak"], a["limit_value"]
        text = t(lang, "desk.fig.cap_text", emitted=_num(a["peak"]), cap=_num(a["limit_value"]))
    else:
        end = a["end"] or local_time(shell.now()).replace(tzinfo=None)
        out["hours"] = max(0.0, (end - a["start"]) / timedelta(hours=1))
        text = t(lang, "desk.fig.hours_text", hours=f"{out['hours']:.1f}")
    out["text"] = text
    return out


def _num(value: float | None) -> str:
    return "—" if value is None else format_number(float(value))


# --- the list ----------------------------------------------------------------------------

_PAGE_COLUMNS = (
    ("id", "col.alert_id"),
    ("start", "col.start"),
    ("enterprise", "col.enterprise"),
    ("point", "col.point"),
    ("type", "col.alert_type"),
    ("pollutant", "col.pollutant"),
    ("figures", "desk.col.figures"),
    ("state", "col.state"),
    ("deadline", "desk.col.deadline"),
    ("overdue", "desk.col.overdue"),
)
_EXPORT_COLUMNS = (
    ("id", "col.alert_id"),
    ("type", "col.alert_type"),
    ("state", "col.state"),
    ("district", "col.district"),
    ("enterprise", "col.enterprise"),
    ("credit_code", "col.credit_code"),
    ("point", "col.point"),
    ("pollutant", "col.pollutant"),
    ("start", "col.start"),
    ("end", "col.end"),
    ("peak", "desk.fig.peak"),
    ("limit", "desk.fig.limit"),
    ("device", "desk.fig.device"),
    ("computed", "desk.fig.computed"),
    ("difference", "desk.fig.difference"),
    ("tolerance", "desk.fig.tolerance"),
    ("unit", "col.unit"),
    ("deadline", "desk.col.deadline"),
    ("overdue", "desk.col.overdue"),
    ("close_reason", "desk.col.close_reason"),
)


def desk_row(a: dict[str, Any], lang: str, today: date, desk: DeskSettings) -> dict[str, Any]:
    fig = figures(a, lang)
    overdue = rules.is_overdue(a["state"], a["deadline"], today)
    late = rules.working_days_late(a["deadline"], today, desk.calendar) if overdue else 0
    return {
        **{
            k: fig.get(k)
            for k in ("peak", "limit", "device", "computed", "difference", "tolerance", "unit")
        },
        "id": a["id"],
        "start": a["start"],
        "end": a["end"],
        "district": a["district"],
        "enterprise": a["enterprise"],
        "credit_code": a["credit_code"],
        "point": f"{a['point']} {a['point_name']}" if a["point"] else "",
        "type": t(lang, f"alert.{a['type']}", default=a["type"]),
        "pollutant": pollutant_name(a["pollutant"], lang) if a["pollutant"] else "",
        "figures": fig["text"],
        "state": t(lang, f"alert_state.{a['state']}"),
        "deadline": a["deadline"],
        "overdue": t(lang, "desk.overdue_days", n=late) if overdue else "",
        "close_reason": t(lang, f"close_reason.{a['close_reason']}") if a["close_reason"] else "",
        "_href": {"id": f"/alerts/{a['id']}", "type": f"/alerts/{a['id']}"},
        "_class": f"alert-{a['state']} type-{a['type']}" + (" overdue" if overdue else ""),
    }


def _parse_filters(params: dict[str, str], today: date) -> tuple[desk_store.DeskQuery, list]:
    """The query string as a DeskQuery; what cannot be read is named (and ignored)."""
    problems: list[str] = []

    def number(name: str) -> int | None:
        raw = params.get(name) or ""
        if not raw:
            return None
        if raw.isdigit():
            return int(raw)
        problems.append(name)
        return None

    def day(name: str) -> date | None:
        raw = params.get(name) or ""
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(name)
            return None

    state = params.get("state") or None
    if state not in (None, "overdue", *AlertState):
        problems.append("state")
        state = None
    kind = params.get("type") or None
    if kind not in (None, *AlertType):
        problems.append("type")
        kind = None
    start, end = day("start"), day("end")
    query = desk_store.DeskQuery(
        states=[state] if state and state != "overdue" else None,
        types=[kind] if kind else None,
        district_id=number("district"),
        credit_code=params.get("enterprise") or None,
        point_id=number("point"),
        pollutant=params.get("pollutant") or None,
        start=datetime.combine(start, datetime.min.time()) if start else None,
        end=datetime.combine(end, datetime.min.time()) + timedelta(days=1) if end else None,
        overdue_on=today if state == "overdue" else None,
    )
    return query, problems


def _page_url(params: dict[str, str], **changes: Any) -> str:
    merged = {**params, **{k: str(v) for k, v in changes.items()}}
    kept = {k: v for k, v in merged.items() if v not in ("", "None") and k != "format"}
    return "/alerts" + (f"?{urlencode(kept)}" if kept else "")


@router.get("/alerts", response_class=HTMLResponse)
def desk_list(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    format: Annotated[str | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    try:
        redirect = shell.gate(request, principal, DESK_ROLES)
        if redirect is not None:
            return redirect
        params = {k: v for k, v in request.query_params.items() if k not in ("lang", "page")}
        today, desk = _today(), _settings()
        query, problems = _parse_filters(params, today)
        scope = principal.scope
        with engine.connect() as conn:
            if format is not None:
                rows, _ = desk_store.select_desk(conn, query, scope, limit=EXPORT_MAX)
                table = shell.make_table(
                    "alerts", lang, _EXPORT_COLUMNS, [desk_row(a, lang, today, desk) for a in rows]
                )
                return shell.respond(table, format, lang, "alerts")
            rows, total = desk_store.select_desk(
                conn, query, scope, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
            )
            counts = desk_store.state_counts(conn, query, scope)
            overdue_query = desk_store.DeskQuery(
                **{**query.__dict__, "states": None, "overdue_on": today}
            )
            _, overdue = desk_store.select_desk(conn, overdue_query, scope, limit=1)
            choices = desk_store.filter_choices(conn, scope)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    except EcozoneError as exc:
        return shell.error_page(request, principal, lang, WebError(str(exc)))
    table = shell.make_table(
        "alerts", lang, _PAGE_COLUMNS, [desk_row(a, lang, today, desk) for a in rows]
    )
    pages = max(1, -(-total // PER_PAGE))
    current = params.get("state") or ""
    tabs = [{"key": "", "label": t(lang, "desk.all"), "count": sum(counts.values())}]
    tabs += [
        {
            "key": s.value,
            "label": t(lang, f"alert_state.{s.value}"),
            "count": counts.get(s.value, 0),
        }
        for s in AlertState
    ]
    tabs.append({"key": "overdue", "label": t(lang, "desk.overdue"), "count": overdue})
    for tab in tabs:
        tab["href"] = _page_url(params, state=tab["key"])
        tab["current"] = tab["key"] == current
    return shell.render(
        request,
        principal,
        lang,
        "compliance/desk_list.html",
        table=table,
        tabs=tabs,
        filters=params,
        problems=problems,
        choices=choices,
        types=[x.value for x in AlertType],
        pollutant_label=lambda code: pollutant_name(code, lang),
        total=total,
        page=page,
        pages=pages,
        prev_href=_page_url(params, page=page - 1) if page > 1 else None,
        next_href=_page_url(params, page=page + 1) if page < pages else None,
        export_url=_page_url(params),
    )


# --- one alert -----------------------------------------------------------------------------


def allowed_steps(principal: Principal, state: str) -> list[str]:
    """The steps the viewer's role may take on an alert in `state`, read off the table."""
    state = AlertState(state)
    if principal.role == "enterprise":
        return ["feedback"] if state in rules.TRANSITIONS[AlertAction.FEEDBACK][0] else []
    if principal.role not in STAFF:
        return []
    steps = [a.value for a in STAFF_STEPS if state in rules.TRANSITIONS[a][0]]
    if state in rules.FALSE_ALARM_CLOSES:
        steps.append("false_alarm")
    return steps


def _evidence(conn: sa.Connection, a: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """The series around the alert with what it was judged against: the judged values and
    the limit line for an exceedance, device and computed hourly values for a mismatch."""
    if a["point_id"] is None or a["pollutant"] is None:
        return None
    detail = a.get("detail") or {}
    kind = "day" if detail.get("basis") == "day" else "hour"
    margin = timedelta(days=7) if kind == "day" else timedelta(hours=12)
    end = a["end"] or a["start"] + (timedelta(days=1) if kind == "day" else timedelta(hours=1))
    rows = store.read_aggregates(
        conn, a["point_id"], kind, a["start"] - margin, end + margin, [a["pollutant"]]
    )
    name = pollutant_name(a["pollutant"], lang)

    def points(pick: int) -> list[list[Any]]:
        return [[r[1].isoformat(), r[pick]] for r in rows if r[pick] is not None]

    if a["type"] == AlertType.HOUR_MISMATCH:
        series = [
            {"name": t(lang, "desk.fig.computed"), "points": points(2)},
            {"name": t(lang, "desk.fig.device"), "points": points(5)},
        ]
        limit = None
    else:
        converted = bool(detail.get("converted_to_reference_o2"))
        label = t(lang, "chart.converted" if converted else "chart.measured")
        series = [{"name": f"{name} {label}", "points": points(3 if converted else 2)}]
        limit = a["limit_value"] if a["type"] == AlertType.EXCEEDANCE else None
    return {
        "title": f"{name} · {t(lang, 'desk.kind.' + kind)}",
        "unit": detail.get("unit") or pollutant_unit(a["pollutant"]),
        "series": series,
        "limit": limit,
        "limit_label": t(lang, "desk.fig.limit") + (f" {_num(limit)}" if limit else ""),
        "span": [a["start"].isoformat(), end.isoformat()],
    }


def _history(actions: list[dict[str, Any]], alert_id: int, lang: str) -> list[dict[str, Any]]:
    out = []
    for h in actions:
        entry = {**h, "label": t(lang, f"action.{h['action']}", default=h["action"])}
        entry["at"] = datetime.fromisoformat(h["at"])
        if h["close_reason"]:
            entry["reason_label"] = t(lang, f"close_reason.{h['close_reason']}")
        for f in h["attachments"]:
            f["href"] = f"/alerts/{alert_id}/attachments/{f['sha256']}"
        out.append(entry)
    return out


def _detail_page(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    alert_id: Id,
    *,
    status_code: int = 200,
    form_error: dict[str, Any] | None = None,
    notice: str | None = None,
) -> Response:
    found = alerts.get_alert(engine, alert_id, scope=principal.scope)
    with engine.connect() as conn:
        [row] = store.select_alerts(conn, alert_ids=[alert_id], scope=principal.scope)
        evidence = _evidence(conn, row, lang)
    today, desk = _today(), _settings()
    overdue = rules.is_overdue(row["state"], row["deadline"], today)
    fig = figures(row, lang)
    return shell.render(
        request,
        principal,
        lang,
        "compliance/desk_detail.html",
        status_code=status_code,
        page_data={"evidence": evidence},
        page_evidence=evidence,
        alert=found,
        row=row,
        fig=fig,
        type_label=t(lang, f"alert.{row['type']}", default=row["type"]),
        state_label=t(lang, f"alert_state.{row['state']}"),
        pollutant=pollutant_name(row["pollutant"], lang) if row["pollutant"] else None,
        overdue_days=rules.working_days_late(row["deadline"], today, desk.calendar)
        if overdue
        else None,
        history=_history(found["actions"], alert_id, lang),
        steps=allowed_steps(principal, row["state"]),
        default_days=desk.deadline_days,
        max_days=desk.max_deadline_days,
        form_error=form_error,
        notice=notice,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def desk_detail(
    alert_id: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    try:
        redirect = shell.gate(request, principal, DESK_ROLES)
        if redirect is not None:
            return redirect
        done = request.query_params.get("done")
        notice = t(lang, f"desk.done.{done}") if done in PAGE_STEPS else None
        return _detail_page(request, principal, lang, engine, alert_id, notice=notice)
    except NotFound:
        return shell.error_page(request, principal, lang, shell.NotFound(f"no alert {alert_id}"))
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)


def _step(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    alert_id: Id,
    roles: tuple[str, ...],
    step: str,
    typed: dict[str, Any],
    **fields: Any,
) -> Response:
    """Take one step through alerts.act; on a refusal show the detail page again with the
    reason in the viewer's language beside the form, keeping what was typed."""
    try:
        redirect = shell.gate(request, principal, roles)
        if redirect is not None:
            return redirect
        if step not in allowed_steps(principal, _state_of(engine, principal, alert_id)):
            raise _Refused(t(lang, "desk.error.not_now"))
        action = AlertAction.CLOSE if step == "false_alarm" else AlertAction(step)
        alerts.act(
            engine,
            alert_id,
            action,
            actor=principal.username,
            scope=principal.scope,
            settings=_settings(),
            **fields,
        )
    except NotFound:
        return shell.error_page(request, principal, lang, shell.NotFound(f"no alert {alert_id}"))
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    except (EcozoneError, _Refused) as exc:
        message = str(exc) if isinstance(exc, _Refused) else error_text(exc, lang)
        error = {"step": step, "message": message, "typed": typed}
        return _detail_page(
            request, principal, lang, engine, alert_id, status_code=400, form_error=error
        )
    return RedirectResponse(f"/alerts/{alert_id}?done={step}#history", status_code=303)


class _Refused(Exception):
    """A step the page does not offer the viewer at this moment."""


def _state_of(engine: sa.Engine, principal: Principal, alert_id: int) -> str:
    with engine.connect() as conn:
        rows = store.select_alerts(conn, alert_ids=[alert_id], scope=principal.scope)
    if not rows:
        raise NotFound(f"no alert {alert_id}")
    return rows[0]["state"]


@router.post("/alerts/{alert_id}/action", response_class=HTMLResponse)
def desk_action(
    alert_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    action: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    deadline_days: Annotated[str, Form()] = "",
) -> Response:
    """A supervisor's step: dispatch (deadline), urge, send back, verify, close, false
    alarm, reopen."""
    fields: dict[str, Any] = {"comment": comment.strip() or None}
    if action in ("dispatch", "send_back"):
        days = deadline_days.strip()
        fields["deadline_days"] = int(days) if days.isdigit() else (0 if days else None)
    if action == "false_alarm":
        fields["reason"] = "false_alarm"
    elif action == "close":
        fields["reason"] = "resolved"
    typed = {"comment": comment, "deadline_days": deadline_days}
    return _step(request, principal, lang, engine, alert_id, STAFF, action, typed, **fields)


@router.post("/alerts/{alert_id}/feedback", response_class=HTMLResponse)
def desk_feedback(
    alert_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    cause: Annotated[str, Form()] = "",
    measures: Annotated[str, Form()] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """The enterprise's answer: cause, measures and photos or PDF files."""
    attachments = []
    for upload in files or []:
        content = upload.file.read()  # a sync route: FastAPI runs it off the event loop
        if upload.filename or content:  # an empty file input sends an empty part
            attachments.append((upload.filename or "", content))
    typed = {"cause": cause, "measures": measures}
    return _step(
        request,
        principal,
        lang,
        engine,
        alert_id,
        ("enterprise",),
        "feedback",
        typed,
        cause=cause.strip(),
        measures=measures.strip(),
        attachments=attachments,
    )


@router.get("/alerts/{alert_id}/attachments/{sha256}")
def desk_attachment(
    alert_id: Id, sha256: str, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    """A file attached to an alert the viewer may read; 404 otherwise, as for a missing one."""
    try:
        redirect = shell.gate(request, principal, DESK_ROLES)
        if redirect is not None:
            return redirect
        name, media_type, content = alerts.attachment(
            engine, alert_id, sha256, scope=principal.scope
        )
    except NotFound:
        return shell.error_page(request, principal, lang, shell.NotFound("no such file"))
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return Response(content, media_type=media_type, headers=attachment_headers(name))
