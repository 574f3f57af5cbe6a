"""REST: permits, alerts and their closed loop, data marks, webhooks under /api/v1.

Thin: each endpoint checks the role with ecozone.accounts.deps and calls one use case with
the principal's username as actor and the principal's Scope. Errors are the package's
(ComplianceError 400, NotFoundError 404, ConflictError and TransitionError 409), mapped to
HTTP by the app's one handler. Something outside the scope answers 404 like something that
does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id, Offset
from ecozone.compliance import alerts, marks, permits, webhooks
from ecozone.compliance.model import AlertAction, NotFoundError

router = APIRouter(prefix="/api/v1", tags=["compliance"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Anyone = deps.CurrentPrincipal
Reader = Annotated[
    Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]
Staff = Annotated[Principal, Depends(deps.require_staff)]
Enterprise = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.ENTERPRISE))]
Admin = Annotated[Principal, Depends(deps.require_admin)]

AlertState = Literal["open", "dispatched", "feedback", "verified", "closed"]
AlertType = Literal[
    "exceedance",
    "offline",
    "constant_value",
    "device_fault",
    "long_maintenance",
    "hour_mismatch",
    "cap_warning",
    "permit_expired",
    "control_off",
    "unsynchronised",
    "control_idle",
    "limit_order",
    "analyser_silent",
    "waste_storage_age",
    "waste_over_capacity",
    "waste_balance",
    "waste_manifest_late",
    "waste_receipt_difference",
    "waste_declaration_due",
    "waste_declaration_late",
    "waste_route_deviation",
    "waste_long_stop",
    "allowance_shortfall",
    "eia_due",
    "eia_overdue",
    "night_construction",
    "dust_exceedance",
    "sewer_overflow",
]
MarkKind = Literal["shutdown", "maintenance", "calibration", "fault"]
CloseReason = Literal["resolved", "false_alarm"]
MarkState = Literal["pending", "accepted", "rejected", "revoked"]


# --- permits ---------------------------------------------------------------------------------


class PermitLimit(BaseModel):
    pollutant: str = Field(description="HJ 212-2017 pollutant code, e.g. a21026")
    limit: float = Field(
        description="Compared with the O2-converted value where the outlet "
        "has a reference O2, else with the mean"
    )
    unit: str
    basis: Literal["hour", "day"]
    standard: str | None = None
    annual_cap_t: float | None = Field(None, description="Permitted annual mass, t/a")


class PermitOutlet(BaseModel):
    code: str = Field(description="Outlet code, e.g. DA001")
    limits: list[PermitLimit]


class Permit(BaseModel):
    permit_no: str
    credit_code: str
    enterprise: str
    class_: Literal["key", "simplified", "registration"] = Field(alias="class")
    valid_from: str
    valid_to: str
    status: Literal["not_yet_valid", "valid", "renewal_due", "expired"] = Field(
        description="On today's date; renewal_due within 60 days of valid_to (条例 art. 14)"
    )
    outlets: list[PermitOutlet]


class PermitList(BaseModel):
    items: list[Permit]


class PermitWritten(BaseModel):
    permit: Permit
    warnings: list[str]


#: Fields a permit read carries that a write does not take.
_READ_ONLY = ("enterprise", "status")

PERMIT_EXAMPLE = {
    "permit_no": "91500000MA5U7AH918001P",
    "credit_code": "91500000MA5U7AH918",
    "class": "key",
    "valid_from": "2024-01-01",
    "valid_to": "2028-12-31",
    "outlets": [
        {
            "code": "DA001",
            "limits": [
                {
                    "pollutant": "a21026",
                    "limit": 100,
                    "unit": "mg/m3",
                    "basis": "hour",
                    "standard": "GB 13223-2011",
                    "annual_cap_t": 50,
                }
            ],
        }
    ],
}


def _permit_body(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: v for k, v in body.items() if k not in _READ_ONLY}
    return body


@router.get("/permits", response_model=PermitList, summary="排污许可证 Discharge permits")
def list_permits(
    engine: Engine,
    principal: Anyone,
    enterprise: Annotated[str | None, Query(description="Enterprise credit code")] = None,
) -> Any:
    """Permits of the enterprises the caller may see, with their limits and status today."""
    items = permits.list_permits(engine, credit_code=enterprise, scope=principal.scope)
    return {"items": items}


@router.get("/permits/{permit_no}", response_model=Permit, summary="One permit")
def get_permit(permit_no: str, engine: Engine, principal: Anyone) -> Any:
    return permits.get_permit(engine, permit_no, scope=principal.scope)


def _write_permit(
    engine: sa.Engine,
    principal: Principal,
    body: Any,
    *,
    permit_no: str | None,
    create_only: bool,
) -> dict[str, Any]:
    credit_code = body.get("credit_code") if isinstance(body, dict) else None
    if isinstance(credit_code, str) and not principal.scope.everything:
        deps.check_enterprise_access(engine, principal, credit_code.upper())
    if permit_no is not None and not principal.scope.everything:
        # A stored permit of an enterprise outside the scope answers as a missing one,
        # whatever credit code the body names (exactly as GET does).
        try:
            permits.get_permit(engine, permit_no)
        except NotFoundError:
            pass  # a new permit: the body's enterprise was checked above
        else:
            permits.get_permit(engine, permit_no, scope=principal.scope)
    stored, warnings = permits.put_permit(
        engine,
        _permit_body(body),
        actor=principal.username,
        permit_no=permit_no,
        create_only=create_only,
    )
    return {"permit": stored, "warnings": warnings}


@router.post(
    "/permits",
    response_model=PermitWritten,
    status_code=201,
    summary="Add a permit",
    responses={
        400: {"description": "Bad permit; every error named by its path"},
        409: {"description": "The permit number is stored already"},
    },
)
def create_permit(
    engine: Engine,
    principal: Staff,
    body: Annotated[dict[str, Any], Body(examples=[PERMIT_EXAMPLE])],
) -> Any:
    """A permit in the shape of one entry of a permit file; all checked before anything is
    written (unknown enterprise or outlet, bad dates, limits, basis...)."""
    return _write_permit(engine, principal, body, permit_no=None, create_only=True)


@router.put("/permits/{permit_no}", response_model=PermitWritten, summary="Add or replace a permit")
def replace_permit(
    permit_no: str,
    engine: Engine,
    principal: Staff,
    body: Annotated[dict[str, Any], Body(examples=[PERMIT_EXAMPLE])],
) -> Any:
    """Create the permit or replace it whole: its limits become exactly those given."""
    return _write_permit(engine, principal, body, permit_no=permit_no, create_only=False)


# --- alerts ----------------------------------------------------------------------------------


class AttachmentOut(BaseModel):
    name: str
    sha256: str = Field(description="SHA-256 of the content; download at ./attachments/{sha256}")
    media_type: str
    size: int


class AlertActionOut(BaseModel):
    at: str
    actor: str
    action: str
    comment: str | None
    cause: str | None
    measures: str | None
    deadline: str | None = Field(None, description="Dispatch and reminders: the deadline day")
    close_reason: CloseReason | None = None
    attachments: list[AttachmentOut] = []


class Alert(BaseModel):
    id: int
    type: AlertType
    state: AlertState
    credit_code: str
    enterprise: str
    mn: str | None
    point: str | None = Field(description="Outlet code")
    pollutant: str | None
    pollutant_name: str | None
    start: str = Field(description="Device time, ISO 8601 with +08:00")
    end: str | None = Field(description="null while the condition lasts")
    duration_h: float | None
    peak: float | None
    limit: float | None
    unit: str | None
    condition_key: str
    deadline: str | None = Field(
        None, description="Last day (China Standard Time) to answer, set by the dispatch"
    )
    close_reason: CloseReason | None = None
    detail: dict[str, Any]
    created_at: str
    updated_at: str
    actions: list[AlertActionOut] | None = None


class AlertList(BaseModel):
    items: list[Alert]
    limit: int
    offset: int
    next_offset: int | None


class ActionRequest(BaseModel):
    comment: str | None = Field(None, description="Needed to close an open alert and to reopen")


class DispatchRequest(ActionRequest):
    deadline_days: int | None = Field(
        None, ge=1, le=60, description="Working days to answer; the configured default if none"
    )


class SendBackRequest(ActionRequest):
    deadline_days: int | None = Field(
        None, ge=1, le=60, description="A new deadline in working days; none keeps the old one"
    )


class CloseRequest(ActionRequest):
    reason: CloseReason | None = Field(
        None, description="false_alarm needs a comment; default: resolved (false_alarm if open)"
    )


class FeedbackRequest(BaseModel):
    cause: str = Field(description="Cause the enterprise found")
    measures: str = Field(description="Measures taken")
    comment: str | None = None


@router.get(
    "/alerts",
    response_model=AlertList,
    summary="报警 Alerts, newest first",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV"}},
)
def list_alerts(
    engine: Engine,
    principal: Reader,
    state: Annotated[list[AlertState] | None, Query()] = None,
    type: Annotated[list[AlertType] | None, Query()] = None,
    enterprise: Annotated[str | None, Query(description="Enterprise credit code")] = None,
    mn: Annotated[str | None, Query(description="Device MN")] = None,
    pollutant: Annotated[str | None, Query()] = None,
    start: Annotated[str | None, Query(description="Alerts lasting into [start, end)")] = None,
    end: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[Offset, Query()] = 0,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    rows = alerts.list_alerts(
        engine,
        alerts.AlertFilter(
            state=state,
            type=type,
            credit_code=enterprise,
            mn=mn,
            pollutant=pollutant,
            start=start,
            end=end,
            limit=limit + 1,
            offset=offset,
            scope=principal.scope,
        ),
    )
    next_offset = offset + limit if len(rows) > limit else None
    rows = rows[:limit]
    if format == "csv":
        return Response(alerts.render_alerts(rows, "csv"), media_type="text/csv; charset=utf-8")
    return {"items": rows, "limit": limit, "offset": offset, "next_offset": next_offset}


@router.get("/alerts/{alert_id}", response_model=Alert, summary="One alert with its history")
def get_alert(alert_id: Id, engine: Engine, principal: Reader) -> Any:
    return alerts.get_alert(engine, alert_id, scope=principal.scope)


def _act(
    engine: sa.Engine, principal: Principal, alert_id: int, action: AlertAction, **fields: Any
) -> Any:
    return alerts.act(
        engine, alert_id, action, actor=principal.username, scope=principal.scope, **fields
    )


_ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such alert (or not yours)"},
    409: {"description": "The alert's state does not allow this step"},
}


def _supervisor_step(action: AlertAction, summary: str) -> None:
    """POST /alerts/{alert_id}/<action>: a supervisor's step, with an optional comment."""

    def step(alert_id: Id, engine: Engine, principal: Staff, body: ActionRequest) -> Any:
        return _act(engine, principal, alert_id, action, comment=body.comment)

    step.__name__ = step.__qualname__ = action.value  # the OpenAPI operation id
    router.post(
        f"/alerts/{{alert_id}}/{action.value}",
        response_model=Alert,
        responses=_ACTION_RESPONSES,
        summary=summary,
    )(step)


@router.post(
    "/alerts/{alert_id}/dispatch",
    response_model=Alert,
    responses=_ACTION_RESPONSES,
    summary="派单 Dispatch to the enterprise, with a deadline in working days",
)
def dispatch(alert_id: Id, engine: Engine, principal: Staff, body: DispatchRequest) -> Any:
    return _act(
        engine,
        principal,
        alert_id,
        AlertAction.DISPATCH,
        comment=body.comment,
        deadline_days=body.deadline_days,
        settings=config.desk_settings(),
    )


_supervisor_step(AlertAction.URGE, "催办 Urge the enterprise")


@router.post(
    "/alerts/{alert_id}/feedback",
    response_model=Alert,
    responses=_ACTION_RESPONSES,
    summary="反馈 The enterprise's answer",
)
def feedback(alert_id: Id, engine: Engine, principal: Enterprise, body: FeedbackRequest) -> Any:
    return _act(
        engine,
        principal,
        alert_id,
        AlertAction.FEEDBACK,
        cause=body.cause,
        measures=body.measures,
        comment=body.comment,
    )


@router.post(
    "/alerts/{alert_id}/feedback-with-files",
    response_model=Alert,
    responses={**_ACTION_RESPONSES, 400: {"description": "A file refused (type, size, name)"}},
    summary="反馈 The enterprise's answer with photos or PDF files (multipart)",
)
def feedback_with_files(
    alert_id: Id,
    engine: Engine,
    principal: Enterprise,
    cause: Annotated[str, Form()],
    measures: Annotated[str, Form()],
    comment: Annotated[str | None, Form()] = None,
    files: Annotated[list[UploadFile] | None, File(description="JPEG, PNG or PDF")] = None,
) -> Any:
    # a sync route, run off the event loop: the use case writes to the database
    attachments = [(f.filename or "", f.file.read()) for f in files or []]
    return _act(
        engine,
        principal,
        alert_id,
        AlertAction.FEEDBACK,
        cause=cause,
        measures=measures,
        comment=comment,
        attachments=attachments,
    )


@router.get(
    "/alerts/{alert_id}/attachments/{sha256}",
    responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}, "application/pdf": {}}},
        404: {"description": "No such alert or file (or not yours)"},
    },
    summary="A file attached to an alert's feedback",
)
def alert_attachment(alert_id: Id, sha256: str, engine: Engine, principal: Reader) -> Response:
    name, media_type, content = alerts.attachment(engine, alert_id, sha256, scope=principal.scope)
    return Response(content, media_type=media_type, headers=attachment_headers(name))


def attachment_headers(name: str) -> dict[str, str]:
    """Content-Disposition with the name as uploaded (RFC 6266/5987: UTF-8 names)."""
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.post(
    "/alerts/{alert_id}/send_back",
    response_model=Alert,
    responses=_ACTION_RESPONSES,
    summary="退回 Send the answer back (comment says why), optionally with a new deadline",
)
def send_back(alert_id: Id, engine: Engine, principal: Staff, body: SendBackRequest) -> Any:
    return _act(
        engine,
        principal,
        alert_id,
        AlertAction.SEND_BACK,
        comment=body.comment,
        deadline_days=body.deadline_days,
        settings=config.desk_settings(),
    )


_supervisor_step(AlertAction.VERIFY, "核实 Verify the answer")


@router.post(
    "/alerts/{alert_id}/close",
    response_model=Alert,
    responses=_ACTION_RESPONSES,
    summary="办结 Close, as resolved or as a false alarm (误报, with a comment)",
)
def close(alert_id: Id, engine: Engine, principal: Staff, body: CloseRequest) -> Any:
    return _act(
        engine, principal, alert_id, AlertAction.CLOSE, comment=body.comment, reason=body.reason
    )


_supervisor_step(AlertAction.REOPEN, "Reopen")


# --- data marks ------------------------------------------------------------------------------


class MarkOut(BaseModel):
    id: int
    credit_code: str
    mn: str | None
    point: str
    pollutant: str | None = Field(description="null: every pollutant of the point")
    kind: MarkKind
    start: str
    end: str
    reason: str
    declared_by: str
    declared_at: str
    revoked_at: str | None
    late: bool = Field(
        description="补报: declared more than ECOZONE_MARK_LATE_HOURS (default 0) after the "
        "marked range began"
    )
    late_by_h: float = Field(description="Hours between the range's start and the declaration")
    overlaps: list[int] = Field(description="Other live declarations for the same data")
    state: MarkState = Field(description="The review state, or revoked")
    review_state: Literal["pending", "accepted", "rejected"] = Field(
        description="A rejected mark excuses nothing: its data is judged as if unmarked"
    )
    review_comment: str | None
    reviewed_by: str | None
    reviewed_at: str | None


class MarkList(BaseModel):
    items: list[MarkOut]


class MarkRequest(BaseModel):
    mn: str = Field(description="Device MN of the point")
    kind: MarkKind
    start: str = Field(description="Device time (CST if no offset), ISO 8601")
    end: str
    reason: str
    pollutant: str | None = Field(None, description="Only this pollutant; default: all")


@router.get("/marks", response_model=MarkList, summary="数据标记 Data-marking declarations")
def list_marks(
    engine: Engine,
    principal: Reader,
    enterprise: Annotated[str | None, Query(description="Enterprise credit code")] = None,
    mn: Annotated[str | None, Query(description="Device MN")] = None,
    start: Annotated[str | None, Query()] = None,
    end: Annotated[str | None, Query()] = None,
    include_revoked: bool = True,
    kind: MarkKind | None = None,
    state: MarkState | None = None,
) -> Any:
    if mn is not None:
        deps.check_device_access(engine, principal, mn)
    items = marks.list_marks(
        engine,
        mn=mn,
        credit_code=enterprise,
        start=start,
        end=end,
        include_revoked=include_revoked,
        scope=principal.scope,
        kind=kind,
        state=state,
    )
    return {"items": items}


@router.post("/marks", response_model=MarkOut, status_code=201, summary="Declare a data mark")
def declare_mark(engine: Engine, principal: Enterprise, body: MarkRequest) -> Any:
    """An enterprise declares that a point's data over [start, end) was taken during a
    shutdown, maintenance, calibration or fault; kept for ever, audited, flagged when late."""
    deps.check_device_access(engine, principal, body.mn)
    return marks.declare_mark(
        engine,
        mn=body.mn,
        kind=body.kind,
        start=body.start,
        end=body.end,
        reason=body.reason,
        pollutant=body.pollutant,
        actor=principal.username,
    )


@router.post("/marks/{mark_id}/revoke", response_model=MarkOut, summary="Revoke a data mark")
def revoke_mark(mark_id: Id, engine: Engine, principal: Enterprise) -> Any:
    return marks.revoke_mark(engine, mark_id, actor=principal.username, scope=principal.scope)


class MarkReviewRequest(BaseModel):
    decision: Literal["accepted", "rejected"]
    comment: str | None = Field(None, description="Required when rejecting: why")


@router.post("/marks/{mark_id}/review", response_model=MarkOut, summary="审核 Review a data mark")
def review_mark(mark_id: Id, engine: Engine, principal: Staff, body: MarkReviewRequest) -> Any:
    """A supervisor accepts a declaration or rejects it with a comment; a rejected mark
    stays on record but no longer excuses its data (judged again at once)."""
    return marks.review_mark(
        engine,
        mark_id,
        decision=body.decision,
        comment=body.comment,
        actor=principal.username,
        scope=principal.scope,
    )


# --- webhooks --------------------------------------------------------------------------------


class WebhookOut(BaseModel):
    id: int
    url: str
    active: bool
    signed: bool = Field(description="A secret is set: deliveries carry X-Ecozone-Signature")
    pending: int
    delivered: int
    failed: int


class WebhookList(BaseModel):
    items: list[WebhookOut]


class WebhookRequest(BaseModel):
    url: str
    secret: str | None = Field(None, description="HMAC-SHA256 key; never shown again")


class WebhookPatch(BaseModel):
    active: bool


class DeliveryOut(BaseModel):
    id: int
    webhook_id: int
    alert_id: int
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: str | None
    delivered_at: str | None


class DeliveryList(BaseModel):
    items: list[DeliveryOut]


@router.get("/webhooks", response_model=WebhookList, summary="Webhooks receiving new alerts")
def list_webhooks(engine: Engine, principal: Admin) -> Any:
    return {"items": webhooks.list_webhooks(engine)}


@router.post("/webhooks", response_model=WebhookOut, status_code=201, summary="Add a webhook")
def add_webhook(engine: Engine, principal: Admin, body: WebhookRequest) -> Any:
    return webhooks.add_webhook(engine, body.url, secret=body.secret, actor=principal.username)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut, summary="Pause or resume")
def patch_webhook(webhook_id: Id, engine: Engine, principal: Admin, body: WebhookPatch) -> Any:
    return webhooks.set_webhook_active(engine, webhook_id, body.active, actor=principal.username)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=DeliveryList,
    summary="Deliveries of one webhook",
)
def list_deliveries(webhook_id: Id, engine: Engine, principal: Admin) -> Any:
    return {"items": webhooks.list_deliveries(engine, webhook_id=webhook_id)}
