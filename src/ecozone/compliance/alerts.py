"""Alerts: list, read and export them, and the closed loop people run on them.

Dispatch (with a deadline in working days), urge, feedback (with attachments), send back,
verify, close (resolved or false alarm) and reopen are one use case (`act`) over one step
(`transition`), which takes rules.TRANSITIONS and records who acted; evaluation reopens
alerts and the timer reminds of overdue ones through the same step. Reads take the
viewer's Scope: an alert outside it answers like a missing one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import files
from ecozone.accounts.model import Scope
from ecozone.compliance import desk_store, rules, store
from ecozone.compliance._usecase import SYSTEM_ACTOR, audited, checked_actor, instant, write
from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    AlertType,
    CloseReason,
    ComplianceError,
    DeskSettings,
    NotFoundError,
    TransitionError,
)
from ecozone.compliance.rules import HOUR, format_local
from ecozone.hj212 import codes
from ecozone.store.schema import alert_action
from ecozone.textguard import UnstorableText, check_optional
from ecozone.times import CHINA_STANDARD_TIME, cst_naive, parse_time

#: Files one feedback may carry.
MAX_ATTACHMENTS = 5

#: Columns of an alert listing as CSV, in order.
ALERT_COLUMNS = (
    "id",
    "type",
    "state",
    "credit_code",
    "mn",
    "point",
    "pollutant",
    "start",
    "end",
    "duration_h",
    "peak",
    "limit",
    "unit",
)
FORMATS = ("json", "csv")


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts to list; every field narrows, None leaves it open."""

    state: str | list[str] | None = None
    type: str | list[str] | None = None
    mn: str | None = None
    credit_code: str | None = None
    point_id: int | None = None
    pollutant: str | None = None
    start: datetime | str | None = None  # alerts lasting into [start, end)
    end: datetime | str | None = None
    limit: int | None = None
    offset: int = 0
    # Only the alerts of enterprises this scope may read; None: every enterprise.
    scope: Scope | None = None


def _choices(value: str | list[str] | None, allowed: type, name: str) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    known = [member.value for member in allowed]
    bad = [item for item in items if item not in known]
    if bad:
        raise ComplianceError(
            f"{name}: {', '.join(map(repr, bad))} is not one of {', '.join(known)}"
        )
    return items


def list_alerts(
    engine: sa.Engine, filters: AlertFilter | Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Alerts, newest first, each a dict: id, type, state, credit_code, enterprise, mn,
    point, pollutant, pollutant_name, start, end, duration_h, peak, limit, unit, detail ..."""
    if filters is None:
        filters = AlertFilter()
    elif isinstance(filters, Mapping):
        unknown = set(filters) - set(AlertFilter.__dataclass_fields__)
        if unknown:
            raise ComplianceError(f"unknown alert filter {', '.join(sorted(unknown))}")
        filters = AlertFilter(**filters)
    states = _choices(filters.state, AlertState, "state")
    types = _choices(filters.type, AlertType, "type")
    start = parse_time(filters.start, "start") if filters.start is not None else None
    end = parse_time(filters.end, "end") if filters.end is not None else None
    if filters.limit is not None and filters.limit < 1:
        raise ComplianceError(f"limit: must be at least 1, not {filters.limit}")
    if filters.offset < 0:
        raise ComplianceError(f"offset: must not be negative, not {filters.offset}")
    with engine.connect() as conn:
        rows = store.select_alerts(
            conn,
            states=states,
            types=types,
            point_ids=[filters.point_id] if filters.point_id is not None else None,
            mn=filters.mn,
            credit_code=filters.credit_code,
            pollutant=filters.pollutant,
            start=start,
            end=end,
            limit=filters.limit,
            offset=filters.offset,
            scope=filters.scope,
        )
    return [alert_out(row) for row in rows]


def render_alerts(rows: list[dict[str, Any]], fmt: str) -> str:
    """Alerts as JSON (every field, detail included) or CSV (ALERT_COLUMNS), ending with a
    newline."""
    if fmt not in FORMATS:
        raise ComplianceError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALERT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in ALERT_COLUMNS])
    return buffer.getvalue()


def get_alert(engine: sa.Engine, alert_id: int, *, scope: Scope | None = None) -> dict[str, Any]:
    """One alert with its actions (who did what, when, with which comment); NotFoundError
    when it is not stored or outside `scope` (alike)."""
    with engine.connect() as conn:
        rows = store.select_alerts(conn, alert_ids=[alert_id], scope=scope)
        if not rows:
            raise NotFoundError(f"no alert {alert_id}")
        actions = store.select_actions(conn, [alert_id])
        attached = desk_store.attachments_of(conn, [a["id"] for a in actions])
    out = alert_out(rows[0])
    out["actions"] = [
        {
            "at": a["at"].isoformat(),
            "actor": a["actor"],
            "action": a["action"],
            "comment": a["comment"],
            "cause": a["cause"],
            "measures": a["measures"],
            "deadline": a["deadline"].isoformat() if a["deadline"] else None,
            "close_reason": a["close_reason"],
            "attachments": [
                {
                    "name": f["name"],
                    "sha256": f["sha256"],
                    "media_type": f["media_type"],
                    "size": f["size"],
                }
                for f in attached.get(a["id"], [])
            ],
        }
        for a in actions
    ]
    return out


def alert_out(row: Mapping[str, Any]) -> dict[str, Any]:
    pollutant = codes.pollutant(row["pollutant"]) if row["pollutant"] else None
    detail = row["detail"] or {}
    end = row["end"]
    return {
        "id": row["id"],
        "type": row["type"],
        "state": row["state"],
        "credit_code": row["credit_code"],
        "enterprise": row["enterprise"],
        "mn": row["mn"],
        "point": row["point"],
        "pollutant": row["pollutant"],
        "pollutant_name": pollutant.name if pollutant is not None else None,
        "start": format_local(row["start"]),
        "end": format_local(end),
        "duration_h": (end - row["start"]) / HOUR if end is not None else None,
        "peak": row["peak"],
        "limit": row["limit_value"],
        "unit": detail.get("unit") or (pollutant.unit if pollutant is not None else None),
        "condition_key": row["condition_key"],
        "deadline": row["deadline"].isoformat() if row.get("deadline") else None,
        "close_reason": row.get("close_reason"),
        "detail": detail,
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def act(
    engine: sa.Engine,
    alert_id: int,
    action: AlertAction | str,
    *,
    actor: str,
    comment: str | None = None,
    cause: str | None = None,
    measures: str | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
    deadline_days: int | None = None,
    reason: CloseReason | str | None = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    settings: DeskSettings | None = None,
) -> dict[str, Any]:
    """Take one step of the alert's lifecycle and record who took it, when and why; an
    alert outside `scope` answers NotFoundError like a missing one.

    A dispatch sets the deadline `deadline_days` working days ahead (settings' default
    when None); a send-back may set a new one (None keeps the deadline it had); a close
    says its `reason`; feedback may carry `attachments` (name, content), each checked by
    ecozone.files and kept by its SHA-256."""
    actor = checked_actor(actor)
    try:
        action = AlertAction(action)
    except ValueError:
        known = ", ".join(AlertAction)
        raise ComplianceError(f"action: {action!r} is not one of {known}") from None
    try:
        comment, cause, measures = (
            check_optional(comment, "comment", multiline=True),
            check_optional(cause, "cause", multiline=True),
            check_optional(measures, "measures", multiline=True),
        )
    except UnstorableText as exc:
        raise ComplianceError(str(exc)) from None
    try:
        reason = CloseReason(reason) if reason else None
    except ValueError:
        known = ", ".join(CloseReason)
        raise ComplianceError(f"reason: {reason!r} is not one of {known}") from None
    settings = settings or DeskSettings()
    at = instant(now)
    deadline = None
    resets = (AlertAction.DISPATCH, AlertAction.SEND_BACK)
    if deadline_days is not None and action not in resets:
        raise ComplianceError(
            f"deadline_days: a deadline belongs to dispatch or send_back, not {action}"
        )
    if action is AlertAction.DISPATCH or deadline_days is not None:
        days = settings.deadline_days if deadline_days is None else deadline_days
        if not 1 <= days <= settings.max_deadline_days:
            raise ComplianceError(
                f"deadline_days: {days}; 1 to {settings.max_deadline_days} working days"
            )
        deadline = rules.deadline_for(at, days, settings.calendar)
    uploads = _checked_uploads(action, attachments)
    with write(engine) as conn, conn.begin():
        rows = store.select_alerts(conn, alert_ids=[alert_id], scope=scope)
        if not rows:
            raise NotFoundError(f"no alert {alert_id}")
        transition(
            conn,
            alert_id,
            rows[0]["state"],
            action,
            actor=actor,
            at=at,
            comment=comment,
            cause=cause,
            measures=measures,
            deadline=deadline,
            reason=reason,
            attachments=uploads,
        )
    return get_alert(engine, alert_id)


def _checked_uploads(
    action: AlertAction, attachments: Sequence[tuple[str, bytes]]
) -> list[tuple[files.Upload, bytes]]:
    """Every attachment checked before anything is written (a refused one stores nothing)."""
    if not attachments:
        return []
    if action is not AlertAction.FEEDBACK:
        raise ComplianceError(f"attachments: they go with feedback, not {action}")
    if len(attachments) > MAX_ATTACHMENTS:
        raise ComplianceError(
            f"attachments: {len(attachments)} files; at most {MAX_ATTACHMENTS} per feedback"
        )
    return [(files.check_upload(name, content), content) for name, content in attachments]


def transition(
    conn: sa.Connection,
    alert_id: int,
    state: AlertState | str,
    action: AlertAction,
    *,
    actor: str,
    at: datetime,
    comment: str | None = None,
    cause: str | None = None,
    measures: str | None = None,
    deadline: date | None = None,
    reason: CloseReason | None = None,
    attachments: Sequence[tuple[files.Upload, bytes]] = (),
) -> AlertState:
    """Move an alert from `state` as rules.TRANSITIONS allows `action`, in the caller's
    transaction: the one way an alert's state changes, whether a person or the platform
    (SYSTEM_ACTOR) acts. Records the step as an alert action (with its deadline, close
    reason and attachments) and in the audit log; returns the new state. TransitionError
    when the table refuses it or the alert moved meanwhile."""
    state = AlertState(state)
    if action is AlertAction.CLOSE and reason is None:
        # Closing what was never dispatched is calling it a false alarm.
        reason = CloseReason.FALSE_ALARM if state is AlertState.OPEN else CloseReason.RESOLVED
    try:
        target = rules.next_state(
            state, action, comment=comment, cause=cause, measures=measures, reason=reason
        )
    except TransitionError as exc:
        raise TransitionError(f"alert {alert_id}: {exc}") from None
    if not store.set_alert_state(conn, alert_id, state.value, target.value, at):
        raise TransitionError(f"alert {alert_id} changed meanwhile; read it again and retry")
    fields = {}
    if action is AlertAction.DISPATCH or (action is AlertAction.SEND_BACK and deadline):
        fields["deadline"] = deadline
    elif action in (AlertAction.CLOSE, AlertAction.REOPEN):
        fields["close_reason"] = reason.value if reason is not None else None
    if fields:
        desk_store.set_alert_fields(conn, alert_id, fields)
    step = {
        "comment": comment,
        "cause": cause,
        "measures": measures,
        "deadline": deadline,
        "close_reason": reason.value if reason is not None else None,
    }
    action_id = store.insert_row(
        conn,
        alert_action,
        {"alert_id": alert_id, "at": at, "actor": actor, "action": action.value, **step},
    )
    kept = [(files.save(conn, upload, content), upload.name) for upload, content in attachments]
    desk_store.insert_attachments(conn, action_id, kept)
    after = {k: v for k, v in step.items() if v is not None}
    if deadline is not None:
        after["deadline"] = deadline.isoformat()
    if kept:
        after["attachments"] = [{"sha256": h, "name": n} for h, n in kept]
    audited(
        conn,
        actor,
        action.value,
        "alert",
        alert_id,
        {"state": state.value},
        {"state": target.value, **after},
    )
    return target


def unacted(
    conn: sa.Connection, types: Sequence[str], keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Open alerts of these types (and condition keys) nobody has acted on, locked for the
    caller, who may close them (transition) when their condition is gone."""
    return store.unacted_alerts(conn, types, keys)


def remind_overdue(
    engine: sa.Engine, now: datetime | None = None, settings: DeskSettings | None = None
) -> list[int]:
    """The timer's check: each dispatched alert past its deadline gets one reminder action
    a day (China Standard Time), by the platform; returns the ids reminded."""
    settings = settings or DeskSettings()
    at = instant(now)
    today = cst_naive(at).date()
    day_start = datetime.combine(today, datetime.min.time(), CHINA_STANDARD_TIME)
    reminded = []
    with write(engine) as conn, conn.begin():
        for row in desk_store.overdue_unreminded(conn, today, day_start):
            late = rules.working_days_late(row["deadline"], today, settings.calendar)
            transition(
                conn,
                row["id"],
                row["state"],
                AlertAction.REMIND,
                actor=SYSTEM_ACTOR,
                at=at,
                comment=f"overdue: the deadline was {row['deadline'].isoformat()}; "
                f"{late} working day(s) late",
                deadline=row["deadline"],
            )
            reminded.append(row["id"])
    return reminded


StepUseCase = Callable[..., dict[str, Any]]


def _supervisor_step(action: AlertAction, doc: str) -> StepUseCase:
    """The use case of one supervisor's step: (engine, alert_id, actor, *, comment, now)."""

    def step(
        engine: sa.Engine,
        alert_id: int,
        actor: str,
        *,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        return act(engine, alert_id, action, actor=actor, comment=comment, now=now)

    step.__name__ = step.__qualname__ = action.value
    step.__doc__ = doc
    return step


dispatch = _supervisor_step(
    AlertAction.DISPATCH, "A supervisor sends an open alert to its enterprise (派单)."
)
verify = _supervisor_step(
    AlertAction.VERIFY, "A supervisor confirms the enterprise's answer (核实)."
)
close = _supervisor_step(
    AlertAction.CLOSE,
    "A supervisor closes a verified alert, or an open one as a false alarm (with comment).",
)
reopen = _supervisor_step(
    AlertAction.REOPEN,
    "A supervisor sends an answered, verified or closed alert back to open, saying why.",
)


def feedback(
    engine: sa.Engine,
    alert_id: int,
    actor: str,
    *,
    cause: str,
    measures: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The enterprise answers a dispatched alert with the cause found and measures taken."""
    return act(
        engine,
        alert_id,
        AlertAction.FEEDBACK,
        actor=actor,
        cause=cause,
        measures=measures,
        comment=comment,
        now=now,
    )


urge = _supervisor_step(
    AlertAction.URGE, "A supervisor presses a dispatched alert (催办); the deadline stays."
)
send_back = _supervisor_step(
    AlertAction.SEND_BACK,
    "A supervisor sends an answer back (退回), saying why; the enterprise answers again.",
)


def attachment(
    engine: sa.Engine, alert_id: int, sha256: str, *, scope: Scope | None = None
) -> tuple[str, str, bytes]:
    """(name, media type, content) of a file attached to an alert the viewer may read;
    NotFoundError for an alert outside `scope` or a file not attached to it (alike)."""
    with engine.connect() as conn:
        if not store.select_alerts(conn, alert_ids=[alert_id], scope=scope):
            raise NotFoundError(f"no alert {alert_id}")
        name = desk_store.attachment_name(conn, alert_id, sha256)
        if name is None:
            raise NotFoundError(f"alert {alert_id} has no attachment {sha256[:12]}")
        media_type, content = files.load(conn, sha256)
    return name, media_type, content
