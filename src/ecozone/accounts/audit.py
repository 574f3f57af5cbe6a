"""The audit trail: who changed what, when, with the values before and after (table audit_log).

Use cases call `record` inside the transaction of the change, so an entry
exists exactly when the change does. As a safety net the ASGI middleware
`AuditWrites` adds a plain entry (actor, HTTP method, route, status) for
every successful non-GET /api/v1 request whose route recorded nothing
richer; the two meet through a per-request holder in a context variable,
which FastAPI's thread pool shares with the endpoint's thread.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecozone.accounts import store
from ecozone.accounts.model import PUBLIC_USERNAME, AuditEntry

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Column widths of audit_log (store/schema.py).
_ACTOR_MAX, _ACTION_MAX, _ENTITY_MAX, _ENTITY_ID_MAX = 100, 32, 64, 64


@dataclass
class RequestAudit:
    """What one HTTP request has done so far, for the middleware to read at its end."""

    actor: str = PUBLIC_USERNAME
    recorded: int = 0  # entries written by `record` during the request


_current: ContextVar[RequestAudit | None] = ContextVar("ecozone_request_audit", default=None)


def current_request() -> RequestAudit | None:
    """The holder of the HTTP request being served, or None outside one (CLI, jobs)."""
    return _current.get()


def record(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    """Append one audit entry in the caller's transaction; returns its id.

    `action` is a verb (create, update, delete, login, ...), `entity` a table
    or domain object name, `before`/`after` the changed fields as JSON-able
    values (secrets replaced by a marker). Too-long texts are cut to the
    column widths rather than failing the change they describe.
    """
    entry_id = store.insert_audit(
        conn,
        {
            "at": datetime.now(UTC),
            "actor": actor[:_ACTOR_MAX],
            "action": action[:_ACTION_MAX],
            "entity": entity[:_ENTITY_MAX],
            "entity_id": entity_id[:_ENTITY_ID_MAX] if entity_id is not None else None,
            "before": _jsonable(before),
            "after": _jsonable(after),
        },
    )
    holder = _current.get()
    if holder is not None:
        holder.recorded += 1
    return entry_id


def _jsonable(value: Any) -> Any:
    """Dates and times as ISO 8601 text, containers recursively; JSON columns need it."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_jsonable(v) for v in items]
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # date, time
        return value.isoformat()
    return value


def entries(
    engine: sa.Engine,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries newest first; every filter given must match (since <= at < until)."""
    with engine.connect() as conn:
        rows = store.select_audit(
            conn, actor=actor, action=action, entity=entity, entity_id=entity_id,
            since=since, until=until, limit=limit, offset=offset,
        )  # fmt: skip
    return [AuditEntry(**row) for row in rows]


class AuditWrites:
    """ASGI middleware: an audit entry for each successful write under /api/v1.

    Successful means a 2xx or 3xx status; a refused request changed nothing.
    The entry is action = the HTTP method, entity = the route template
    (/api/v1/users/{username}), entity_id = the path parameters, after =
    {"path", "status"}, actor = the principal that current_principal resolved.
    It is written after the response, in its own transaction, and only when
    the route did not call `record` itself. The engine is the app's
    (app.state.engine).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method", "GET") in READ_METHODS
            or not scope.get("path", "").startswith(API_PREFIX + "/")
        ):
            await self.app(scope, receive, send)
            return
        holder = RequestAudit()
        reset = _current.set(holder)
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            _current.reset(reset)
        if status < 400 and holder.recorded == 0:
            try:
                await run_in_threadpool(self._write, scope, holder, status)
            except Exception:  # the response has gone; losing the entry must be visible
                log.exception("audit entry for %s %s not written", scope["method"], scope["path"])

    @staticmethod
    def _write(scope: Scope, holder: RequestAudit, status: int) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or scope["path"]
        params = scope.get("path_params") or {}
        entity_id = "/".join(str(v) for v in params.values()) or None
        engine: sa.Engine = scope["app"].state.engine
        with engine.begin() as conn:
            record(
                conn,
                actor=holder.actor,
                action=scope["method"],
                entity=template,
                entity_id=entity_id,
                before=None,
                after={"path": scope["path"], "status": status},
            )


def audit_writes(app: ASGIApp) -> AuditWrites:
    """The middleware as a factory: `app.add_middleware(audit_writes)`."""
    return AuditWrites(app)
