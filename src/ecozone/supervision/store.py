"""Every query of supervision: the pool, listings, target lists, campaigns, assignments.

Enterprise lists are filtered with `accounts.store.scope_condition`; campaigns and
inspectors belong to a district or to the whole zone, and a district supervisor's scope
keeps them to their district.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import OPEN_ALERT_STATES, PermitClass
from ecozone.store.schema import (
    alert,
    district,
    enterprise,
    inspection_assignment,
    inspection_campaign,
    inspector,
    inspector_conflict,
    permit,
    supervision_listing,
)


def _district_filter(column: sa.ColumnElement[Any], scope: Scope) -> sa.ColumnElement[bool]:
    """A district supervisor: their district's rows only; others: every row."""
    if scope.district_id is not None and not scope.everything:
        return column == scope.district_id
    return sa.true()


def district_id(conn: sa.Connection, name: str) -> int | None:
    return conn.execute(sa.select(district.c.id).where(district.c.name == name)).scalar()


def enterprise_by_code(conn: sa.Connection, credit_code: str, scope: Scope) -> dict | None:
    stmt = sa.select(enterprise.c.id, enterprise.c.name, enterprise.c.district_id).where(
        enterprise.c.credit_code == credit_code, scope_condition(scope)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


# --- the inspector pool ----------------------------------------------------------------


def insert_inspector(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(inspector.insert().values(**values).returning(inspector.c.id)).scalar_one()


def certificate_taken(conn: sa.Connection, certificate_no: str) -> bool:
    stmt = sa.select(inspector.c.id).where(inspector.c.certificate_no == certificate_no)
    return conn.execute(stmt).first() is not None


def inspector_row(conn: sa.Connection, inspector_id: int, scope: Scope) -> dict | None:
    stmt = sa.select(inspector).where(
        inspector.c.id == inspector_id, _district_filter(inspector.c.district_id, scope)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def insert_conflict(
    conn: sa.Connection, inspector_id: int, enterprise_id: int, reason: str
) -> bool:
    """False when the conflict was already declared."""
    c = inspector_conflict.c
    exists = conn.execute(
        sa.select(c.inspector_id).where(
            c.inspector_id == inspector_id, c.enterprise_id == enterprise_id
        )
    ).first()
    if exists:
        return False
    conn.execute(
        inspector_conflict.insert().values(
            inspector_id=inspector_id, enterprise_id=enterprise_id, reason=reason
        )
    )
    return True


def inspectors(conn: sa.Connection, scope: Scope, district_id: int | None = None) -> list[dict]:
    """The pool in `scope` with district names and declared conflicts; with `district_id`,
    those of that district and the zone-wide ones (a campaign's pool)."""
    i = inspector.c
    stmt = (
        sa.select(inspector, district.c.name.label("district"))
        .outerjoin(district, district.c.id == i.district_id)
        .where(_district_filter(i.district_id, scope))
        .order_by(i.id)
    )
    if district_id is not None:
        stmt = stmt.where(sa.or_(i.district_id == district_id, i.district_id.is_(None)))
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    conflicts: dict[int, list[dict]] = {}
    c = inspector_conflict.c
    stmt_c = (
        sa.select(
            c.inspector_id, c.enterprise_id, c.reason, enterprise.c.name, enterprise.c.credit_code
        )
        .join(enterprise, enterprise.c.id == c.enterprise_id)
        .order_by(c.inspector_id, c.enterprise_id)
    )
    for row in conn.execute(stmt_c).mappings():
        conflicts.setdefault(row["inspector_id"], []).append(dict(row))
    for row in rows:
        row["conflicts"] = conflicts.get(row["id"], [])
    return rows


# --- listings and target lists ---------------------------------------------------------


def insert_listing(conn: sa.Connection, values: dict[str, Any]) -> int:
    stmt = supervision_listing.insert().values(**values).returning(supervision_listing.c.id)
    return conn.execute(stmt).scalar_one()


def listings(conn: sa.Connection, scope: Scope, kind: str | None = None) -> list[dict]:
    s = supervision_listing.c
    stmt = (
        sa.select(supervision_listing, enterprise.c.name, enterprise.c.credit_code)
        .join(enterprise, enterprise.c.id == s.enterprise_id)
        .where(scope_condition(scope))
        .order_by(s.kind, enterprise.c.name, s.id)
    )
    if kind:
        stmt = stmt.where(s.kind == kind)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def targets(
    conn: sa.Connection, scope: Scope, day: date, district_id: int | None = None
) -> list[dict]:
    """Enterprises in scope (and district) on `day`: key-class permit, listings in force,
    open alerts; the raw material of the target lists and of a campaign's inputs."""
    e = enterprise.c
    stmt = (
        sa.select(e.id, e.credit_code, e.name, e.district_id, district.c.name.label("district"))
        .join(district, district.c.id == e.district_id)
        .where(scope_condition(scope))
        .order_by(e.id)
    )
    if district_id is not None:
        stmt = stmt.where(e.district_id == district_id)
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    p = permit.c
    key = set(
        conn.execute(
            sa.select(p.enterprise_id).where(
                p.management_class == PermitClass.KEY, p.valid_from <= day, p.valid_to >= day
            )
        ).scalars()
    )
    s = supervision_listing.c
    listed: dict[int, dict[str, str]] = {}
    in_force = sa.select(s.enterprise_id, s.kind, s.reason).where(
        s.valid_from <= day, sa.or_(s.valid_to.is_(None), s.valid_to >= day)
    )
    for row in conn.execute(in_force.order_by(s.id)).mappings():
        listed.setdefault(row["enterprise_id"], {})[row["kind"]] = row["reason"]
    a = alert.c
    open_alerts = dict(
        conn.execute(
            sa.select(a.enterprise_id, sa.func.count())
            .where(a.state.in_([str(x) for x in OPEN_ALERT_STATES]))
            .group_by(a.enterprise_id)
        ).all()
    )
    for row in rows:
        row["key_permit"] = row["id"] in key
        row["listed"] = listed.get(row["id"], {})
        row["open_alerts"] = open_alerts.get(row["id"], 0)
    return rows


def inspected_between(conn: sa.Connection, first: date, last: date) -> dict[int, list[date]]:
    """Planned dates of drawn inspections per enterprise within [first, last]."""
    a = inspection_assignment.c
    stmt = sa.select(a.enterprise_id, a.planned_date).where(
        a.planned_date >= first, a.planned_date <= last
    )
    found: dict[int, list[date]] = {}
    for enterprise_id, day in conn.execute(stmt):
        found.setdefault(enterprise_id, []).append(day)
    return found


def previous_teams(conn: sa.Connection, enterprise_ids: list[int]) -> dict[int, list[int]]:
    """Each enterprise's team in its latest drawn inspection."""
    a = inspection_assignment.c
    stmt = (
        sa.select(a.enterprise_id, a.inspector_ids)
        .where(a.enterprise_id.in_(enterprise_ids))
        .order_by(a.enterprise_id, a.planned_date, a.id)
    )
    return {eid: list(team) for eid, team in conn.execute(stmt)}


# --- campaigns ---------------------------------------------------------------------------

_CAMPAIGN = sa.select(inspection_campaign, district.c.name.label("district")).outerjoin(
    district, district.c.id == inspection_campaign.c.district_id
)


def insert_campaign(conn: sa.Connection, values: dict[str, Any]) -> int:
    stmt = inspection_campaign.insert().values(**values).returning(inspection_campaign.c.id)
    return conn.execute(stmt).scalar_one()


def campaign(
    conn: sa.Connection, campaign_id: int, scope: Scope, *, lock: bool = False
) -> dict | None:
    c = inspection_campaign.c
    stmt = _CAMPAIGN.where(c.id == campaign_id, _district_filter(c.district_id, scope))
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=inspection_campaign)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def campaigns(conn: sa.Connection, scope: Scope, *, drawn_only: bool = False) -> list[dict]:
    c = inspection_campaign.c
    stmt = _CAMPAIGN.where(_district_filter(c.district_id, scope)).order_by(
        c.period_start.desc(), c.id.desc()
    )
    if drawn_only:
        stmt = stmt.where(c.state == "drawn")
    return [dict(r) for r in conn.execute(stmt).mappings()]


def mark_drawn(conn: sa.Connection, campaign_id: int, values: dict[str, Any]) -> bool:
    """Set the result on a committed campaign; False when it was drawn already (the
    state condition makes a second draw lose even under concurrency)."""
    c = inspection_campaign.c
    done = conn.execute(
        inspection_campaign.update()
        .where(c.id == campaign_id, c.state == "committed")
        .values(state="drawn", **values)
    )
    return done.rowcount == 1


def insert_assignments(conn: sa.Connection, campaign_id: int, rows: list[dict]) -> None:
    if rows:
        conn.execute(
            inspection_assignment.insert(), [{**r, "campaign_id": campaign_id} for r in rows]
        )
