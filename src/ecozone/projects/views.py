"""The project pages: the list with its filters and exports, the Gantt-style schedule with
deadlines and the monthly report, the new-project form, and a project's page with its
clock, stage actions (confirmed), pauses, the pledge sampling and its history.

Forms call the same use cases as the API and the CLI; a refused form comes back with the
message in Chinese and what was typed. The bureau (admin, supervisor; a district supervisor
its district) runs the clock; a builder (enterprise) sees, creates and submits its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.projects import report, service
from ecozone.projects.model import (
    CLOCK_STAGES,
    Category,
    Clock,
    PauseKind,
    Project,
    Route,
    SamplingOutcome,
    Stage,
)
from ecozone.projects.texts import TEXTS
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer
from ecozone.zoning import service as zoning_service
from ecozone.zoning.model import LocationCheck

router = APIRouter(include_in_schema=False)
GROUP = "nav.group.projects"
#: Who uses the project pages: the bureau, and builders for their own projects.
PROJECT_ROLES = (*SUPERVISING_ROLES, "enterprise")

shell.add_menu(
    MenuEntry("nav.projects", "/projects", PROJECT_ROLES, 60, GROUP),
    MenuEntry("nav.project_schedule", "/projects/schedule", PROJECT_ROLES, 61, GROUP),
)
add_texts(TEXTS)

# --- the zoning check ---------------------------------------------------------------------


def zoning_check(engine: sa.Engine, found: Project, on_date: date) -> LocationCheck | None:
    """What the zoning layers in force on `on_date` say of the project's point and industry
    (三线一单, plan item 1), or None when the project has no point."""
    if found.lon is None or found.lat is None:
        return None
    with engine.connect() as conn:
        return zoning_service.check_location(conn, found.lon, found.lat, found.industry, on_date)


# --- helpers -----------------------------------------------------------------------------


def _settings() -> tuple[Any, Any]:
    return config.projects_settings(), config.desk_settings().calendar


def _gate(request: Request, principal: Any, lang: str, roles: tuple[str, ...] = PROJECT_ROLES
          ) -> Response | None:  # fmt: skip
    return shell.refused(request, principal, lang, roles)


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _clock_text(lang: str, clock: Clock) -> str:
    text = t(lang, f"clock.{clock.state.value}")
    if clock.days_left is not None and clock.state.value in ("running", "due_soon"):
        text += t(lang, "prj.days_left", days=clock.days_left)
    elif clock.days_left is not None and clock.state.value == "overdue":
        text += t(lang, "prj.days_over", days=-clock.days_left)
    return text


def _row(lang: str, p: Project, clock: Clock) -> dict[str, Any]:
    return {
        "name": p.name, "builder_name": p.builder_name, "district": p.district,
        "industry": p.industry, "category": t(lang, f"category.{p.category.value}"),
        "route": t(lang, f"route.{p.route.value}"), "major": t(lang, "yes") if p.major else "",
        "stage": t(lang, f"stage.{p.stage.value}"), "accepted_on": p.accepted_on,
        "due_on": clock.due_on, "clock": _clock_text(lang, clock),
        "_href": {"name": f"/projects/{p.id}"}, "_class": f"clock-{clock.state.value}",
    }  # fmt: skip


COLUMNS = (("name", "prj.name"), ("builder_name", "prj.builder"), ("district", "col.district"),
           ("category", "prj.category"), ("route", "prj.route"), ("major", "prj.major"),
           ("stage", "prj.stage"), ("accepted_on", "prj.accepted_on"),
           ("due_on", "prj.due_on"), ("clock", "prj.clock"))  # fmt: skip


# --- the list --------------------------------------------------------------------------------


@router.get("/projects", response_class=HTMLResponse)
def list_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    stage = request.query_params.get("stage") or None
    major = request.query_params.get("major") == "1"
    fmt = request.query_params.get("format", "html")
    settings, calendar = _settings()
    today = service.today()
    try:
        chosen = service.projects(engine, principal.scope, stage=stage, major=major or None)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    table = shell.make_table("eia-projects", lang, COLUMNS, (
        _row(lang, p, service.clock_of(p, today, settings, calendar)) for p in chosen))  # fmt: skip
    if fmt != "html":
        return shell.respond(table, fmt, lang, f"eia-projects-{today}")
    bureau = principal.role in SUPERVISING_ROLES
    sampling = None
    if bureau:
        sampling = shell.make_table("eia-sampling", lang, (
            ("name", "prj.name"), ("builder_name", "prj.builder"), ("quarter", "prj.quarter"),
            ("decided_on", "prj.decided_on"), ("outcome", "prj.sampling_outcome"),
            ("note", "prj.sampling_note")), [
            {**s, "outcome": t(lang, f"sampling.{s['outcome']}"),
             "_href": {"name": f"/projects/{s['project_id']}"}}
            for s in service.sampling_list(engine, principal.scope)])  # fmt: skip
    return shell.render(
        request, principal, lang, "projects/list.html", table=table, stages=tuple(Stage),
        chosen_stage=stage or "", major=major, bureau=bureau, sampling=sampling,
        export_url=shell.list_url("/projects", {"stage": stage or "",
                                                "major": "1" if major else ""}),
        notice=(t(lang, "prj.checked", **_counts(request))
                if request.query_params.get("checked") else None),
    )  # fmt: skip


def _counts(request: Request) -> dict[str, str]:
    return {"raised": request.query_params.get("raised", "0"),
            "unregistered": request.query_params.get("unregistered", "0")}  # fmt: skip


@router.post("/projects/check", response_class=HTMLResponse)
def check_deadlines(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := _gate(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    settings, calendar = _settings()
    found = service.check_deadlines(engine, service.today(), settings, calendar)
    return RedirectResponse(
        f"/projects?checked=1&raised={len(found['raised'])}"
        f"&unregistered={len(found['unregistered_builders'])}", status_code=303)  # fmt: skip


# --- the new-project form ---------------------------------------------------------------------


FIELDS = ("name", "enterprise", "builder_name", "credit_code", "district", "industry",
          "category", "route", "major", "pilot_park", "investment_wan_yuan", "lon", "lat",
          "polygon", "outlets")  # fmt: skip


def _new(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    from ecozone.projects import store

    with engine.connect() as conn:
        enterprises = store.enterprises(conn, principal.scope)
        districts = store.districts(conn, principal.scope)
    return shell.render(
        request, principal, lang, "projects/new.html", enterprises=enterprises,
        districts=districts, categories=tuple(Category), routes=tuple(Route),
        builder_only=principal.role == "enterprise",
        typed=extra.pop("typed", None) or {"category": "form", "route": "normal"}, **extra,
    )  # fmt: skip


@router.get("/projects/new", response_class=HTMLResponse)
def new_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _gate(request, principal, lang) or _new(request, principal, lang, engine)


@router.post("/projects", response_class=HTMLResponse)
async def create(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    form = await request.form()
    typed = {k: str(form.get(k, "")) for k in FIELDS}
    data: dict[str, Any] = {**typed, "major": bool(form.get("major")),
                            "pilot_park": bool(form.get("pilot_park"))}  # fmt: skip
    try:
        made = service.create_project(engine, principal.scope, data, actor=principal.username)
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        return _new(request, principal, lang, engine, error=str(exc), typed=typed)
    return RedirectResponse(f"/projects/{made.id}?done=created", status_code=303)


# --- the schedule and the monthly report -----------------------------------------------------


def gantt(pairs: list[tuple[Project, Clock]], today: date) -> dict[str, Any]:
    """Bars of the schedule: each project from submission (or acceptance) to its due day or
    decision, its pauses, and today's line, as percentages of the window they share."""
    shown = [(p, c) for p, c in pairs if p.submitted_on or p.accepted_on]
    if not shown:
        return {"rows": [], "ticks": []}
    start = min((p.submitted_on or p.accepted_on) for p, _c in shown)  # type: ignore[type-var]
    ends = [d for p, c in shown for d in (c.due_on, p.decided_on) if d is not None]
    end = max([*ends, today]) + timedelta(days=3)
    span = (end - start).days or 1

    def at(day: date) -> float:
        return round(100 * (day - start).days / span, 2)

    rows = []
    for p, c in shown:
        first = p.submitted_on or p.accepted_on
        assert first is not None
        last = p.decided_on or c.due_on or today
        rows.append({
            "project": p, "clock": c, "left": at(first), "width": max(at(last) - at(first), 0.6),
            "accepted": at(p.accepted_on) if p.accepted_on else None,
            "due": at(c.due_on) if c.due_on else None,
            "pauses": [{"left": at(x.start), "width": max(at(x.end or today) - at(x.start), 0.4)}
                       for x in p.pauses],
        })  # fmt: skip
    ticks, day = [], start.replace(day=1)
    while day <= end:
        if day >= start:
            ticks.append({"left": at(day), "label": f"{day:%Y-%m}"})
        day = (day + timedelta(days=32)).replace(day=1)
    return {"rows": rows, "ticks": ticks, "today": at(today), "start": start, "end": end}


@router.get("/projects/schedule", response_class=HTMLResponse)
def schedule_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    settings, calendar = _settings()
    today = service.today()
    major = request.query_params.get("major") == "1"
    pairs = service.schedule(engine, principal.scope, today, settings, calendar,
                             major=major or None)  # fmt: skip
    pairs.sort(key=lambda pc: (pc[1].due_on or date.max, pc[0].id))
    return shell.render(request, principal, lang, "projects/schedule.html",
                        chart=gantt(pairs, today), today=today, major=major,
                        month=f"{today:%Y-%m}")  # fmt: skip


@router.get("/projects/report")
def monthly_report(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    month = request.query_params.get("month", "")
    fmt = request.query_params.get("format", "xlsx")
    try:
        first = date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        return _error(request, principal, lang, WebError(t(lang, "prj.bad_month", value=month)))
    if fmt not in ("xlsx", "csv", "pdf"):
        return _error(request, principal, lang, WebError(t(lang, "prj.bad_format", value=fmt)))
    settings, calendar = _settings()
    rows = report.monthly_rows(engine, principal.scope, first, settings, calendar)
    title = t(lang, "prj.report_title", year=first.year, month=first.month)
    table = shell.make_table("eia-monthly", lang, [(k, f"rpt.{k}") for k, _h in report.COLUMNS],
                             rows)  # fmt: skip
    if fmt == "pdf":
        document = export.PdfDocument(
            title=title, sections=((t(lang, "prj.report"), table),), lang=lang,
            footer=f"{title} · {shell.now():%Y-%m-%d %H:%M} UTC", lead=t(lang, "prj.lead"),
            facts=((t(lang, "prj.month"), f"{first:%Y-%m}"), (t(lang, "prj.count"), len(rows))),
        )  # fmt: skip
        return export.pdf_response(document, title)
    return shell.respond(table, fmt, lang, title)


# --- one project -----------------------------------------------------------------------------


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, project_id: int
) -> Response:
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    done = request.query_params.get("done")
    notice = t(lang, f"prj.done.{done}", default="") or None if done else None
    return _project(request, principal, lang, engine, project_id, notice=notice)


def _project(
    request: Request, principal: Any, lang: str, engine: Any, project_id: int, **extra: Any
) -> Response:
    settings, calendar = _settings()
    today = service.today()
    try:
        found = service.project(engine, principal.scope, project_id)
        history = service.history(engine, principal.scope, project_id)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    clock = service.clock_of(found, today, settings, calendar)
    moves = shell.make_table("eia-transitions", lang, (
        ("on_date", "prj.on_date"), ("move", "prj.move"), ("reason", "prj.reason"),
        ("actor", "prj.actor"), ("at", "prj.at")), [
        {**m, "move": (t(lang, f"stage.{m['from_stage']}") + " → " if m["from_stage"] else "")
         + t(lang, f"stage.{m['to_stage']}")} for m in history["transitions"]])  # fmt: skip
    pauses = shell.make_table("eia-pauses", lang, (
        ("kind", "prj.pause_kind"), ("start", "prj.pause_start"), ("end", "prj.pause_end"),
        ("reason", "prj.reason")), [
        {**p, "kind": t(lang, f"pause.{p['kind']}")} for p in history["pauses"]])  # fmt: skip
    opened = next((p for p in history["pauses"] if p["end"] is None), None)
    bureau = principal.role in SUPERVISING_ROLES
    return shell.render(
        request, principal, lang, "projects/project.html", project=found, clock=clock,
        clock_text=_clock_text(lang, clock), moves=moves, pauses=pauses, today=today,
        next_stages=service.next_stages(found, principal.scope), bureau=bureau,
        can_pause=bureau and found.stage in CLOCK_STAGES and opened is None,
        can_resume=bureau and opened is not None and opened["kind"] != "technical_review",
        pause_kinds=(PauseKind.HEARING, PauseKind.EXPERT_REVIEW),
        sampling=history["sampling"], outcomes=(SamplingOutcome.CONFORMING,
                                                SamplingOutcome.NONCONFORMING),
        zoning=zoning_check(engine, found, today), **extra,
    )  # fmt: skip


def _act(
    request: Request, principal: Any, lang: str, engine: Any, project_id: int,
    action: Callable[[], Any], done: str, roles: tuple[str, ...] = PROJECT_ROLES,
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang, roles)) is not None:
        return refused
    try:
        action()
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        return _project(request, principal, lang, engine, project_id, error=str(exc))
    return RedirectResponse(f"/projects/{project_id}?done={done}", status_code=303)


@router.post("/projects/{project_id}/transition", response_class=HTMLResponse)
def transition(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, project_id: int,
    to: Annotated[str, Form()] = "", on_date: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, project_id, lambda: service.transition(
        engine, principal.scope, project_id, to, on_date=on_date, reason=reason,
        actor=principal.username), "moved")  # fmt: skip


@router.post("/projects/{project_id}/pause", response_class=HTMLResponse)
def pause(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, project_id: int,
    kind: Annotated[str, Form()] = "", start: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, project_id, lambda: service.pause(
        engine, principal.scope, project_id, kind, start=start, reason=reason,
        actor=principal.username), "paused", SUPERVISING_ROLES)  # fmt: skip


@router.post("/projects/{project_id}/resume", response_class=HTMLResponse)
def resume(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, project_id: int,
    end: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, project_id, lambda: service.resume(
        engine, principal.scope, project_id, end=end, actor=principal.username), "resumed",
        SUPERVISING_ROLES)  # fmt: skip


@router.post("/projects/{project_id}/sampling", response_class=HTMLResponse)
def sampling(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, project_id: int,
    outcome: Annotated[str, Form()] = "", checked_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    return _act(request, principal, lang, engine, project_id, lambda: service.record_sampling(
        engine, principal.scope, project_id, outcome, checked_on=checked_on, note=note,
        actor=principal.username), "sampled", SUPERVISING_ROLES)  # fmt: skip
