"""The alert desk's queries: the filtered list with counts per state, deadlines and close
reasons, feedback attachments, and the overdue alerts still owed a reminder today.

SQL of the alert desk only (store.py holds the rest of the package's); every list is
narrowed by `accounts.store.scope_condition(scope, own=True)`, so an enterprise reads
its own alerts and a district supervisor those of the district. Writes happen inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import AlertAction, AlertState
from ecozone.store.schema import (
    alert,
    alert_action,
    alert_attachment,
    device,
    district,
    enterprise,
    point,
    stored_file,
)


@dataclass(frozen=True)
class DeskQuery:
    """The desk's filters; every field narrows, None leaves it open. [start, end) keeps
    alerts whose span overlaps it (device time); `overdue_on` keeps dispatched alerts whose
    deadline passed before that day."""

    states: Sequence[str] | None = None
    types: Sequence[str] | None = None
    district_id: int | None = None
    credit_code: str | None = None
    point_id: int | None = None
    pollutant: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    overdue_on: date | None = None


def _conditions(query: DeskQuery, scope: Scope, *, with_state: bool = True) -> list[Any]:
    where: list[Any] = [scope_condition(scope, own=True)]
    if with_state and query.states:
        where.append(alert.c.state.in_(list(query.states)))
    if query.types:
        where.append(alert.c.type.in_(list(query.types)))
    if query.district_id is not None:
        where.append(enterprise.c.district_id == query.district_id)
    if query.credit_code:
        where.append(enterprise.c.credit_code == query.credit_code)
    if query.point_id is not None:
        where.append(alert.c.point_id == query.point_id)
    if query.pollutant:
        where.append(alert.c.pollutant == query.pollutant)
    if query.end is not None:
        where.append(alert.c.start < query.end)
    if query.start is not None:
        where.append(sa.or_(alert.c.end.is_(None), alert.c.end > query.start))
    if query.overdue_on is not None:
        where.append(alert.c.state == AlertState.DISPATCHED.value)
        where.append(alert.c.deadline < query.overdue_on)
    return where


_FROM = (
    alert.join(enterprise, enterprise.c.id == alert.c.enterprise_id)
    .join(district, district.c.id == enterprise.c.district_id)
    .outerjoin(point, point.c.id == alert.c.point_id)
    .outerjoin(device, device.c.point_id == alert.c.point_id)
)


def select_desk(
    conn: sa.Connection, query: DeskQuery, scope: Scope, *, limit: int, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of alerts (newest first) with point, MN, enterprise and district, and how
    many alerts the filters keep in all."""
    where = _conditions(query, scope)
    stmt = (
        sa.select(
            alert,
            point.c.code.label("point"),
            point.c.name.label("point_name"),
            device.c.mn,
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
            enterprise.c.district_id,
            district.c.name.label("district"),
        )
        .select_from(_FROM)
        .where(*where)
        .order_by(alert.c.start.desc(), alert.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(row) for row in conn.execute(stmt).mappings()]
    total = conn.execute(sa.select(sa.func.count()).select_from(_FROM).where(*where)).scalar_one()
    return rows, int(total)


def state_counts(conn: sa.Connection, query: DeskQuery, scope: Scope) -> dict[str, int]:
    """Alerts per state under every filter but the state itself (the tabs above the list)."""
    stmt = (
        sa.select(alert.c.state, sa.func.count())
        .select_from(_FROM)
        .where(*_conditions(query, scope, with_state=False))
        .group_by(alert.c.state)
    )
    return {state: int(n) for state, n in conn.execute(stmt)}


def filter_choices(conn: sa.Connection, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Districts, enterprises, points and alerted pollutants the viewer may pick in the
    filters."""
    owned = scope_condition(scope, own=True)
    districts = conn.execute(
        sa.select(district.c.id, district.c.name)
        .select_from(enterprise.join(district, district.c.id == enterprise.c.district_id))
        .where(owned)
        .distinct()
        .order_by(district.c.name)
    )
    enterprises = conn.execute(
        sa.select(enterprise.c.credit_code, enterprise.c.name)
        .where(owned)
        .order_by(enterprise.c.name)
    )
    points = conn.execute(
        sa.select(point.c.id, point.c.code, point.c.name, enterprise.c.name.label("enterprise"))
        .select_from(point.join(enterprise, enterprise.c.id == point.c.enterprise_id))
        .where(owned)
        .order_by(enterprise.c.name, point.c.code)
    )
    pollutants = conn.execute(
        sa.select(alert.c.pollutant)
        .select_from(alert.join(enterprise, enterprise.c.id == alert.c.enterprise_id))
        .where(owned, alert.c.pollutant.is_not(None))
        .distinct()
        .order_by(alert.c.pollutant)
    )
    return {
        "pollutants": list(pollutants.scalars()),
        "districts": [dict(r) for r in districts.mappings()],
        "enterprises": [dict(r) for r in enterprises.mappings()],
        "points": [dict(r) for r in points.mappings()],
    }


def set_alert_fields(conn: sa.Connection, alert_id: int, values: dict[str, Any]) -> None:
    """Deadline and close reason of an alert, beside its state."""
    conn.execute(alert.update().where(alert.c.id == alert_id).values(**values))


def insert_attachments(
    conn: sa.Connection, action_id: int, files: Sequence[tuple[str, str]]
) -> None:
    """Link stored files (sha256, name) to an alert action."""
    if files:
        conn.execute(
            alert_attachment.insert(),
            [{"alert_action_id": action_id, "sha256": h, "name": n} for h, n in files],
        )


def attachments_of(conn: sa.Connection, action_ids: Sequence[int]) -> dict[int, list[dict]]:
    """Attachments by action id, in upload order: sha256, name, media_type, size."""
    if not action_ids:
        return {}
    stmt = (
        sa.select(
            alert_attachment.c.alert_action_id,
            alert_attachment.c.sha256,
            alert_attachment.c.name,
            stored_file.c.media_type,
            stored_file.c.size,
        )
        .join(stored_file, stored_file.c.sha256 == alert_attachment.c.sha256)
        .where(alert_attachment.c.alert_action_id.in_(list(action_ids)))
        .order_by(alert_attachment.c.id)
    )
    out: dict[int, list[dict]] = {}
    for row in conn.execute(stmt).mappings():
        out.setdefault(row["alert_action_id"], []).append(dict(row))
    return out


def attachment_name(conn: sa.Connection, alert_id: int, sha256: str) -> str | None:
    """The name a file was attached to the alert under; None when not attached to it."""
    stmt = (
        sa.select(alert_attachment.c.name)
        .join(alert_action, alert_action.c.id == alert_attachment.c.alert_action_id)
        .where(alert_action.c.alert_id == alert_id, alert_attachment.c.sha256 == sha256)
        .limit(1)
    )
    return conn.execute(stmt).scalar()


def overdue_unreminded(
    conn: sa.Connection, today: date, day_start: datetime
) -> list[dict[str, Any]]:
    """Dispatched alerts whose deadline passed before `today` and that got no reminder
    since `day_start` (the instant today began, CST): id, state, deadline."""
    reminded = (
        sa.select(alert_action.c.id)
        .where(
            alert_action.c.alert_id == alert.c.id,
            alert_action.c.action == AlertAction.REMIND.value,
            alert_action.c.at >= day_start,
        )
        .exists()
    )
    stmt = (
        sa.select(alert.c.id, alert.c.state, alert.c.deadline)
        .where(
            alert.c.state == AlertState.DISPATCHED.value,
            alert.c.deadline < today,
            ~reminded,
        )
        .order_by(alert.c.id)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
