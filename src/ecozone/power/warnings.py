"""Heavy-pollution weather warnings (重污染天气预警): declared by supervisors, read by the
linkage evaluation, which turns each into limit windows through the enterprises'
emergency emission-reduction lists (finding D).

A warning is zone-wide or one district's; a district supervisor declares only for their
own district. Every declaration is audited. The levels and what each asks of a facility
come from the enterprises' lists, not from here (domain-2.md §1.4 type D).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.errors import Forbidden
from ecozone.power.model import PowerError, WarningLevel
from ecozone.registry import store as registry_store
from ecozone.store.schema import district, weather_warning
from ecozone.textguard import check_optional
from ecozone.times import parse_time

NOTE_MAX = 500


def declare(
    engine: sa.Engine,
    *,
    level: str,
    start: datetime | str,
    end: datetime | str,
    district_name: str | None = None,
    note: str | None = None,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Record a warning of `level` over [start, end) (device time, CST) for a district or,
    without one, the whole zone; the stored warning."""
    if level not in tuple(WarningLevel):
        raise PowerError(f"level: {level!r}; one of {', '.join(WarningLevel)}")
    begins, ends = parse_time(start, "start"), parse_time(end, "end")
    if not begins < ends:
        raise PowerError("start must be before end")
    note = check_optional(note.strip() if note else None, "note", multiline=True)
    if note is not None and len(note) > NOTE_MAX:
        raise PowerError(f"note: {len(note)} characters; at most {NOTE_MAX}")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        district_id = None
        if district_name:
            district_id = conn.execute(
                sa.select(district.c.id).where(district.c.name == district_name)
            ).scalar()
            if district_id is None:
                raise PowerError(f"district: no district named {district_name!r}")
        if scope.district_id is not None and district_id != scope.district_id:
            raise Forbidden("a district supervisor declares warnings for their own district only")
        values = {
            "level": level,
            "start": begins,
            "end": ends,
            "district_id": district_id,
            "note": note or None,
            "declared_by": actor,
        }
        warning_id = conn.execute(
            weather_warning.insert().values(**values).returning(weather_warning.c.id)
        ).scalar_one()
        audit.record(
            conn,
            actor=actor,
            action="declare",
            entity="weather_warning",
            entity_id=str(warning_id),
            before=None,
            after={**values, "start": begins.isoformat(), "end": ends.isoformat()},
        )
    return {"id": warning_id, **values, "district": district_name}


def recent(engine: sa.Engine, *, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """Warnings that end after `since`, newest first, with their district's name."""
    w = weather_warning.c
    stmt = (
        sa.select(weather_warning, district.c.name.label("district"))
        .outerjoin(district, district.c.id == w.district_id)
        .where(w.end > since)
        .order_by(w.start.desc(), w.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def districts(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """The districts a viewer may declare a warning for (a district supervisor: their own)."""
    with engine.connect() as conn:
        return registry_store.districts_in_scope(conn, scope)
