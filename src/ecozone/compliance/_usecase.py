"""What every compliance use case shares: who acts, at which instant, in which transaction.

Each use case validates everything first and writes in one short transaction that takes
SQLite's write lock up front (BEGIN IMMEDIATE), so bad input changes nothing and two
writers never interleave; every change is audited with accounts.audit.record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.compliance.model import ComplianceError
from ecozone.times import as_instant, utc_now

#: Who the platform itself acts as when it changes an alert.
SYSTEM_ACTOR = "ecozone"
ACTOR_MAX = 100


def checked_actor(actor: str) -> str:
    """`actor` stripped; ComplianceError when missing or too long (every change says who)."""
    if not isinstance(actor, str) or not actor.strip():
        raise ComplianceError("actor: missing; every change records who made it")
    actor = actor.strip()
    if len(actor) > ACTOR_MAX:
        raise ComplianceError(f"actor: {len(actor)} characters; at most {ACTOR_MAX}")
    return actor


def instant(now: datetime | None) -> datetime:
    """An aware UTC instant: `now` (naive means China Standard Time), or the clock's."""
    return utc_now() if now is None else as_instant(now)


def write(engine: sa.Engine) -> sa.Connection:
    """A connection whose transactions take SQLite's write lock up front."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def audited(
    conn: sa.Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """One audit entry in the caller's transaction (DESIGN: every write is audited)."""
    audit.record(
        conn,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
