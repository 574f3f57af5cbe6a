"""The enforcement pages: the inspections desk (open triggers, overdue alerts, drawn
assignments, records), the field page of one inspection (usable on a phone: findings,
location and coordinates, photos and documents, violations, submission), the violation
page with its rectification follow-up and the decision beside the exemption check.

Forms call the use cases of supervision.inspections, as the API does; a refused form comes
back with the message and what was typed. Staff act; an enterprise reads its own
submitted records; the public sees only /inspections (views.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.api.params import Id
from ecozone.errors import EcozoneError
from ecozone.files import MAX_UPLOAD_BYTES
from ecozone.supervision import inspection_reads as reads
from ecozone.supervision import inspections as ins
from ecozone.supervision.enforcement import Harm, Outcome
from ecozone.supervision.inspection_texts import condition_text, met_text
from ecozone.supervision.model import SupervisionError
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
READERS = (*SUPERVISING_ROLES, "enterprise")
shell.add_menu(
    MenuEntry("nav.inspections", "/supervision/inspections", READERS, 44, "nav.group.supervision")
)
UPLOAD_MAX_FILES = 10


def _today() -> date:
    return local_time(shell.now()).date()


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    error = WebError(str(exc))
    error.status_code = exc.http_status
    return shell.error_page(request, principal, lang, error)


def _gone(exc: EcozoneError) -> bool:
    """A refusal that must read like a missing page (outside the scope, or missing)."""
    return exc.http_status == 404


# --- the desk ----------------------------------------------------------------------------------


@router.get("/supervision/inspections", response_class=HTMLResponse)
def desk_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (answer := shell.refused(request, principal, lang, READERS)) is not None:
        return answer
    notice = None
    if (opened := request.query_params.get("trigger")) and opened.isdigit():
        notice = t(lang, "insp.trigger_opened", id=opened)
    elif request.query_params.get("cancelled"):
        notice = t(lang, "insp.cancelled")
    return _desk(request, principal, lang, engine, notice=notice)


def _desk(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    found = reads.desk(engine, principal.scope, _today())
    for trig in found["triggers"]:
        trig["team_choices"] = reads.team_choices(engine, trig) if trig["inspection_id"] is None \
            else []  # fmt: skip
    return shell.render(
        request, principal, lang, "supervision/inspections.html", **found,
        staff=principal.scope.is_staff, sources=("complaint", "staff"), today=_today(), **extra,
    )  # fmt: skip


@router.post("/supervision/triggers", response_class=HTMLResponse)
def open_trigger(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    reason: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    alert_id: Annotated[str, Form()] = "",
) -> Response:
    if (answer := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return answer
    typed = {"reason": reason, "source": source, "credit_code": credit_code,
             "reference": reference, "alert_id": alert_id}  # fmt: skip
    try:
        made = ins.open_trigger(
            engine, reason=reason, source=source or None, credit_code=credit_code or None,
            reference=reference or None, alert_id=int(alert_id) if alert_id.isdigit() else None,
            actor=principal.username, scope=principal.scope,
        )  # fmt: skip
    except EcozoneError as exc:
        if _gone(exc):
            return _error(request, principal, lang, exc)
        return _desk(request, principal, lang, engine, trigger_error=str(exc), typed=typed,
                     status_code=400)  # fmt: skip
    return RedirectResponse(f"/supervision/inspections?trigger={made['id']}", status_code=303)


@router.post("/supervision/triggers/{trigger_id}/cancel", response_class=HTMLResponse)
def cancel_trigger(
    trigger_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    reason: Annotated[str, Form()] = "",
) -> Response:
    if (answer := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return answer
    try:
        ins.cancel_trigger(engine, trigger_id, reason=reason, actor=principal.username,
                           scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if _gone(exc):
            return _error(request, principal, lang, exc)
        return _desk(request, principal, lang, engine, error=str(exc), status_code=400)
    return RedirectResponse("/supervision/inspections?cancelled=1", status_code=303)


@router.post("/supervision/inspections", response_class=HTMLResponse)
def create_inspection(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    assignment_id: Annotated[str, Form()] = "",
    trigger_id: Annotated[str, Form()] = "",
    inspected_on: Annotated[str, Form()] = "",
    inspector_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if (answer := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return answer
    try:
        made = ins.create_inspection(
            engine, assignment_id=int(assignment_id) if assignment_id.isdigit() else None,
            trigger_id=int(trigger_id) if trigger_id.isdigit() else None,
            inspector_ids=[int(x) for x in inspector_ids or () if x.isdigit()],
            inspected_on=inspected_on or None, actor=principal.username,
            settings=config.supervision_settings(), scope=principal.scope,
        )  # fmt: skip
    except EcozoneError as exc:
        if _gone(exc):
            return _error(request, principal, lang, exc)
        return _desk(request, principal, lang, engine, error=str(exc), status_code=400)
    return RedirectResponse(f"/supervision/inspections/{made['id']}", status_code=303)


# --- the field page ------------------------------------------------------------------------------


@router.get("/supervision/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(
    inspection_id: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    if (answer := shell.refused(request, principal, lang, READERS)) is not None:
        return answer
    done = request.query_params.get("done")
    notice = None
    if done in ("saved", "submitted", "violation_added", "followed"):
        notice = t(lang, f"insp.{done}")
    elif done and done.startswith("uploaded"):
        notice = t(lang, "insp.uploaded", n=done.removeprefix("uploaded"))
    return _inspection(request, principal, lang, engine, inspection_id, notice=notice)


def _inspection(
    request: Request, principal: Any, lang: str, engine: Any, inspection_id: int, **extra: Any
) -> Response:
    try:
        found = reads.inspection_detail(engine, inspection_id, principal.scope, _today())
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    items = [(r.id, r.title) for r in ins.exemption_list().rules]
    editable = principal.scope.is_staff and found["state"] == "draft"
    return shell.render(
        request, principal, lang, "supervision/inspection.html", inspection=found,
        editable=editable, staff=principal.scope.is_staff, harms=tuple(Harm), items=items,
        status_code=extra.pop("status_code", 200), **extra,
    )  # fmt: skip


def _staff_on(request: Request, principal: Any, lang: str) -> Response | None:
    return shell.refused(request, principal, lang, SUPERVISING_ROLES)


def _back(inspection_id: int, done: str) -> Response:
    return RedirectResponse(f"/supervision/inspections/{inspection_id}?done={done}", 303)


def _refused_form(
    request: Request, principal: Any, lang: str, engine: Any, inspection_id: int,
    exc: EcozoneError, **typed: Any,
) -> Response:  # fmt: skip
    if _gone(exc):
        return _error(request, principal, lang, exc)
    return _inspection(request, principal, lang, engine, inspection_id, error=str(exc),
                       status_code=400, **typed)  # fmt: skip


@router.post("/supervision/inspections/{inspection_id}", response_class=HTMLResponse)
def save_inspection(
    inspection_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    findings: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    inspected_on: Annotated[str, Form()] = "",
    latitude: Annotated[str, Form()] = "",
    longitude: Annotated[str, Form()] = "",
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    typed = {"findings": findings, "location": location, "inspected_on": inspected_on,
             "latitude": latitude, "longitude": longitude}  # fmt: skip
    try:
        ins.update_inspection(engine, inspection_id, findings=findings, location=location,
                              inspected_on=inspected_on or None, latitude=latitude,
                              longitude=longitude, actor=principal.username,
                              scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _refused_form(request, principal, lang, engine, inspection_id, exc, typed=typed)
    return _back(inspection_id, "saved")


@router.post("/supervision/inspections/{inspection_id}/files", response_class=HTMLResponse)
async def upload_files(
    inspection_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    chosen = [f for f in files or () if f.filename]
    try:
        if len(chosen) > UPLOAD_MAX_FILES:
            raise SupervisionError(f"一次最多上传 {UPLOAD_MAX_FILES} 个文件")
        uploads = []
        for f in chosen:
            uploads.append((f.filename or "", await f.read(MAX_UPLOAD_BYTES + 1)))
        added = ins.add_files(engine, inspection_id, uploads, actor=principal.username,
                              scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _refused_form(request, principal, lang, engine, inspection_id, exc,
                             file_error=str(exc))  # fmt: skip
    return _back(inspection_id, f"uploaded{len(added)}")


@router.get("/supervision/inspections/{inspection_id}/files/{sha256}")
def download_file(
    inspection_id: Id, sha256: str, request: Request, principal: Viewer, lang: Lang,
    engine: Engine,
) -> Response:  # fmt: skip
    if (answer := shell.refused(request, principal, lang, READERS)) is not None:
        return answer
    try:
        name, media_type, content = ins.inspection_file(engine, inspection_id, sha256,
                                                        principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    disposition = f"inline; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": disposition,
                             "X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.post("/supervision/inspections/{inspection_id}/violations", response_class=HTMLResponse)
def add_violation(
    inspection_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    provision: Annotated[str, Form()] = "",
    item: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    harm: Annotated[str, Form()] = "",
    rectification_order: Annotated[str, Form()] = "",
    rectify_by: Annotated[str, Form()] = "",
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    typed = {"provision": provision, "item": item, "description": description, "harm": harm,
             "rectification_order": rectification_order, "rectify_by": rectify_by}  # fmt: skip
    try:
        ins.add_violation(engine, inspection_id, provision=provision, item=item or None,
                          description=description, harm=harm,
                          rectification_order=rectification_order or None,
                          rectify_by=rectify_by or None, actor=principal.username,
                          scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _refused_form(request, principal, lang, engine, inspection_id, exc,
                             violation_typed=typed, violation_error=str(exc))  # fmt: skip
    return _back(inspection_id, "violation_added")


@router.post("/supervision/inspections/{inspection_id}/submit", response_class=HTMLResponse)
def submit_inspection(
    inspection_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    public: Annotated[str, Form()] = "",
    public_summary: Annotated[str, Form()] = "",
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    try:
        ins.submit_inspection(engine, inspection_id, actor=principal.username, today=_today(),
                              settings=config.supervision_settings(), scope=principal.scope,
                              public=bool(public), public_summary=public_summary)  # fmt: skip
    except EcozoneError as exc:
        return _refused_form(request, principal, lang, engine, inspection_id, exc,
                             submit_error=str(exc))  # fmt: skip
    return _back(inspection_id, "submitted")


# --- one violation: follow-up and decision -------------------------------------------------------


@router.get("/supervision/violations/{violation_id}", response_class=HTMLResponse)
def violation_page(
    violation_id: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    done = request.query_params.get("done")
    notice = t(lang, f"insp.{done}") if done in ("decided", "followed") else None
    return _violation(request, principal, lang, engine, violation_id, notice=notice)


def _violation(
    request: Request, principal: Any, lang: str, engine: Any, violation_id: int, **extra: Any
) -> Response:
    try:
        found = reads.violation_detail(engine, violation_id, principal.scope, _today())
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    advice = found["suggestion"]
    for check in advice["checks"] if advice else ():
        for cond in check["conditions"]:
            cond["text"] = condition_text(lang, cond)
            cond["met_text"] = met_text(lang, cond["met"])
    rule = advice.get("rule_id") if advice else None
    headline = t(lang, f"insp.suggest.{advice['outcome']}", rule=rule or "") if advice else ""
    return shell.render(
        request, principal, lang, "supervision/violation.html", v=found["violation"],
        suggestion=advice, headline=headline, listed=found["list"], outcomes=tuple(Outcome),
        today=_today(), status_code=extra.pop("status_code", 200), **extra,
    )  # fmt: skip


@router.post("/supervision/violations/{violation_id}/rectification", response_class=HTMLResponse)
def follow_up(
    violation_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    step: Annotated[str, Form()] = "",
    order: Annotated[str, Form()] = "",
    rectify_by: Annotated[str, Form()] = "",
    rectified_on: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    try:
        if step == "order":
            ins.order_rectification(engine, violation_id, order=order, rectify_by=rectify_by,
                                    actor=principal.username, scope=principal.scope)  # fmt: skip
        else:
            ins.record_rectification(engine, violation_id, rectified_on=rectified_on, note=note,
                                     actor=principal.username, today=_today(),
                                     scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if _gone(exc):
            return _error(request, principal, lang, exc)
        return _violation(request, principal, lang, engine, violation_id, follow_error=str(exc),
                          status_code=400)  # fmt: skip
    return RedirectResponse(f"/supervision/violations/{violation_id}?done=followed", 303)


@router.post("/supervision/violations/{violation_id}/decision", response_class=HTMLResponse)
def decide(
    violation_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    outcome: Annotated[str, Form()] = "",
    amount_yuan: Annotated[str, Form()] = "",
    rule_id: Annotated[str, Form()] = "",
    explanation: Annotated[str, Form()] = "",
    decided_on: Annotated[str, Form()] = "",
    public: Annotated[str, Form()] = "",
) -> Response:
    if (answer := _staff_on(request, principal, lang)) is not None:
        return answer
    typed = {"outcome": outcome, "amount_yuan": amount_yuan, "rule_id": rule_id,
             "explanation": explanation, "decided_on": decided_on, "public": public}  # fmt: skip
    try:
        ins.decide(engine, violation_id, ins.DecisionInput(
            outcome=outcome, amount_yuan=amount_yuan or None,
            rule_id=rule_id if outcome == Outcome.EXEMPT else None, explanation=explanation,
            decided_on=decided_on, public=bool(public),
        ), actor=principal.username, today=_today(), scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if _gone(exc):
            return _error(request, principal, lang, exc)
        return _violation(request, principal, lang, engine, violation_id, decide_error=str(exc),
                          typed=typed, status_code=400)  # fmt: skip
    return RedirectResponse(f"/supervision/violations/{violation_id}?done=decided", 303)
