"""Every query of the enforcement loop: triggers, inspections and their files, violations,
penalty decisions, the enterprise's story and the public results.

Rows are reached through their enterprise, filtered with `scope_condition(scope, own=True)`:
staff see their district's (or every) enterprise, an enterprise user its own, and the
public nothing here (the public results are their own queries, of what is marked public).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import OPEN_ALERT_STATES, AlertState
from ecozone.store.schema import (
    alert,
    enterprise,
    inspection,
    inspection_assignment,
    inspection_campaign,
    inspection_file,
    inspection_trigger,
    penalty_decision,
    stored_file,
    violation,
)

E = enterprise.c
_OWN = {"enterprise": E.name, "credit_code": E.credit_code, "district_id": E.district_id}


def _own(scope: Scope) -> sa.ColumnElement[bool]:
    return scope_condition(scope, own=True)


def _one(conn: sa.Connection, stmt: sa.Select) -> dict[str, Any] | None:
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def _labelled() -> list[sa.ColumnElement[Any]]:
    return [column.label(name) for name, column in _OWN.items()]


def enterprise_row(conn: sa.Connection, scope: Scope, *, enterprise_id: int | None = None,
                   credit_code: str | None = None) -> dict[str, Any] | None:  # fmt: skip
    stmt = sa.select(E.id, E.name, E.credit_code, E.district_id).where(_own(scope))
    if enterprise_id is not None:
        stmt = stmt.where(E.id == enterprise_id)
    if credit_code is not None:
        stmt = stmt.where(E.credit_code == credit_code)
    return _one(conn, stmt)


# --- triggers ------------------------------------------------------------------------------


def alert_row(conn: sa.Connection, alert_id: int, scope: Scope) -> dict[str, Any] | None:
    a = alert.c
    stmt = (
        sa.select(a.id, a.type, a.state, a.deadline, a.start, a.enterprise_id, *_labelled())
        .join(enterprise, E.id == a.enterprise_id)
        .where(a.id == alert_id, _own(scope))
    )
    return _one(conn, stmt)


def open_trigger_of_alert(conn: sa.Connection, alert_id: int) -> int | None:
    t = inspection_trigger.c
    stmt = sa.select(t.id).where(t.alert_id == alert_id, t.state == "open")
    return conn.execute(stmt).scalar()


def insert_trigger(conn: sa.Connection, values: dict[str, Any]) -> int:
    stmt = inspection_trigger.insert().values(**values).returning(inspection_trigger.c.id)
    return conn.execute(stmt).scalar_one()


_TRIGGER = (
    sa.select(inspection_trigger, alert.c.type.label("alert_type"), *_labelled())
    .join(enterprise, E.id == inspection_trigger.c.enterprise_id)
    .outerjoin(alert, alert.c.id == inspection_trigger.c.alert_id)
)


def trigger(conn: sa.Connection, trigger_id: int, scope: Scope) -> dict[str, Any] | None:
    return _one(conn, _TRIGGER.where(inspection_trigger.c.id == trigger_id, _own(scope)))


def triggers(
    conn: sa.Connection, scope: Scope, *, states: Iterable[str] | None = None,
    enterprise_id: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    t = inspection_trigger.c
    stmt = _TRIGGER.where(_own(scope)).order_by(t.created_at.desc(), t.id.desc())
    if states is not None:
        stmt = stmt.where(t.state.in_(list(states)))
    if enterprise_id is not None:
        stmt = stmt.where(t.enterprise_id == enterprise_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def update_trigger(conn: sa.Connection, trigger_id: int, where_state: str, **values: Any) -> bool:
    t = inspection_trigger.c
    done = conn.execute(
        inspection_trigger.update().where(t.id == trigger_id, t.state == where_state)
        .values(**values)
    )  # fmt: skip
    return done.rowcount == 1


def open_trigger_enterprises(conn: sa.Connection, district_id: int | None) -> set[int]:
    """Enterprises with an open trigger (in the district): always in the next draw."""
    t = inspection_trigger.c
    stmt = (
        sa.select(t.enterprise_id).join(enterprise, E.id == t.enterprise_id)
        .where(t.state == "open")
    )  # fmt: skip
    if district_id is not None:
        stmt = stmt.where(E.district_id == district_id)
    return set(conn.execute(stmt).scalars())


def overdue_alerts(conn: sa.Connection, scope: Scope, today: date) -> list[dict[str, Any]]:
    """Dispatched alerts past their deadline (the desk's overdue ones) with no open trigger."""
    a, t = alert.c, inspection_trigger.c
    triggered = sa.select(t.id).where(t.alert_id == a.id, t.state == "open").exists()
    stmt = (
        sa.select(a.id, a.type, a.deadline, a.start, a.enterprise_id, *_labelled())
        .join(enterprise, E.id == a.enterprise_id)
        .where(a.state == AlertState.DISPATCHED.value, a.deadline < today, ~triggered,
               _own(scope))
        .order_by(a.deadline, a.id)
        .limit(200)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def is_unresolved(state: str) -> bool:
    return state in {str(s) for s in OPEN_ALERT_STATES}


# --- assignments and inspections -------------------------------------------------------------


def assignment(conn: sa.Connection, assignment_id: int, scope: Scope) -> dict[str, Any] | None:
    a, c = inspection_assignment.c, inspection_campaign.c
    stmt = (
        sa.select(inspection_assignment, c.name.label("campaign"), *_labelled())
        .join(inspection_campaign, c.id == a.campaign_id)
        .join(enterprise, E.id == a.enterprise_id)
        .where(a.id == assignment_id, _own(scope))
    )
    return _one(conn, stmt)


def open_assignments(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Drawn inspections with no inspection record yet."""
    a, c, i = inspection_assignment.c, inspection_campaign.c, inspection.c
    recorded = sa.select(i.id).where(i.assignment_id == a.id).exists()
    stmt = (
        sa.select(inspection_assignment, c.name.label("campaign"), *_labelled())
        .join(inspection_campaign, c.id == a.campaign_id)
        .join(enterprise, E.id == a.enterprise_id)
        .where(~recorded, _own(scope))
        .order_by(a.planned_date, a.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def insert_inspection(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        inspection.insert().values(**values).returning(inspection.c.id)
    ).scalar_one()


def _inspections(scope: Scope) -> sa.Select:
    stmt = (
        sa.select(inspection, *_labelled())
        .join(enterprise, E.id == inspection.c.enterprise_id)
        .where(_own(scope))
    )
    if not scope.is_staff:  # an enterprise reads its submitted inspections, never drafts
        stmt = stmt.where(inspection.c.state == "submitted")
    return stmt


def inspection_row(
    conn: sa.Connection, inspection_id: int, scope: Scope, *, lock: bool = False
) -> dict[str, Any] | None:
    stmt = _inspections(scope).where(inspection.c.id == inspection_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=inspection)
    return _one(conn, stmt)


def inspections(
    conn: sa.Connection, scope: Scope, *, enterprise_id: int | None = None
) -> list[dict[str, Any]]:
    i = inspection.c
    stmt = _inspections(scope).order_by(i.inspected_on.desc(), i.id.desc())
    if enterprise_id is not None:
        stmt = stmt.where(i.enterprise_id == enterprise_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def update_inspection(
    conn: sa.Connection, inspection_id: int, values: dict[str, Any], *, state: str = "draft"
) -> bool:
    i = inspection.c
    done = conn.execute(
        inspection.update().where(i.id == inspection_id, i.state == state).values(**values)
    )
    return done.rowcount == 1


def insert_file(conn: sa.Connection, values: dict[str, Any]) -> bool:
    """False when the same content is attached to the inspection already."""
    f = inspection_file.c
    exists = conn.execute(
        sa.select(f.sha256).where(
            f.inspection_id == values["inspection_id"], f.sha256 == values["sha256"]
        )
    ).first()
    if exists:
        return False
    conn.execute(inspection_file.insert().values(**values))
    return True


def files(conn: sa.Connection, inspection_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    f = inspection_file.c
    stmt = (
        sa.select(inspection_file, stored_file.c.media_type, stored_file.c.size)
        .join(stored_file, stored_file.c.sha256 == f.sha256)
        .where(f.inspection_id.in_(list(inspection_ids)))
        .order_by(f.added_at, f.name)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(stmt).mappings():
        found.setdefault(row["inspection_id"], []).append(dict(row))
    return found


def file_name(conn: sa.Connection, inspection_id: int, sha256: str) -> str | None:
    f = inspection_file.c
    stmt = sa.select(f.name).where(f.inspection_id == inspection_id, f.sha256 == sha256)
    return conn.execute(stmt).scalar()


# --- violations and decisions ------------------------------------------------------------------


def insert_violation(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(violation.insert().values(**values).returning(violation.c.id)).scalar_one()


def _violations(scope: Scope) -> sa.Select:
    v, i = violation.c, inspection.c
    stmt = (
        sa.select(violation, i.state.label("inspection_state"), *_labelled())
        .join(enterprise, E.id == v.enterprise_id)
        .outerjoin(inspection, i.id == v.inspection_id)
        .where(_own(scope))
    )
    if not scope.is_staff:
        stmt = stmt.where(sa.or_(v.inspection_id.is_(None), i.state == "submitted"))
    return stmt


def violation_row(conn: sa.Connection, violation_id: int, scope: Scope) -> dict[str, Any] | None:
    return _one(conn, _violations(scope).where(violation.c.id == violation_id))


def violations(
    conn: sa.Connection, scope: Scope, *, inspection_ids: Iterable[int] | None = None,
    enterprise_id: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    v = violation.c
    stmt = _violations(scope).order_by(v.found_on, v.id)
    if inspection_ids is not None:
        stmt = stmt.where(v.inspection_id.in_(list(inspection_ids)))
    if enterprise_id is not None:
        stmt = stmt.where(v.enterprise_id == enterprise_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def prior_violations(conn: sa.Connection, enterprise_id: int) -> list[dict[str, Any]]:
    """Every recorded violation of the enterprise (draft inspections' too: a finding is a
    finding), for the first-violation condition."""
    v = violation.c
    stmt = sa.select(v.id, v.found_on, v.provision, v.item).where(v.enterprise_id == enterprise_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def update_violation(
    conn: sa.Connection, violation_id: int, states: Iterable[str], values: dict[str, Any]
) -> bool:
    v = violation.c
    done = conn.execute(
        violation.update().where(v.id == violation_id, v.state.in_(list(states))).values(**values)
    )
    return done.rowcount == 1


def insert_decision(conn: sa.Connection, values: dict[str, Any]) -> int:
    stmt = penalty_decision.insert().values(**values).returning(penalty_decision.c.id)
    return conn.execute(stmt).scalar_one()


def decisions(conn: sa.Connection, violation_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    d = penalty_decision.c
    stmt = sa.select(penalty_decision).where(d.violation_id.in_(list(violation_ids)))
    return {r["violation_id"]: dict(r) for r in conn.execute(stmt).mappings()}


# --- the public side -----------------------------------------------------------------------------


def public_inspections(conn: sa.Connection) -> list[dict[str, Any]]:
    """Submitted inspections marked public: enterprise, date, the published summary and the
    number of violations found; nothing else."""
    i, v = inspection.c, violation.c
    found = (
        sa.select(sa.func.count()).select_from(violation).where(v.inspection_id == i.id)
        .scalar_subquery()
    )  # fmt: skip
    stmt = (
        sa.select(i.id, i.inspected_on, i.public_summary, i.published_on, E.name, E.credit_code,
                  found.label("violations"))
        .join(enterprise, E.id == i.enterprise_id)
        .where(i.state == "submitted", i.public.is_(True))
        .order_by(i.inspected_on.desc(), i.id.desc())
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def public_decisions(conn: sa.Connection) -> list[dict[str, Any]]:
    """Decisions marked public: enterprise, date, provision, outcome, amount, the rule cited
    and the explanation."""
    d, v = penalty_decision.c, violation.c
    stmt = (
        sa.select(d.id, d.decided_on, d.outcome, d.amount_yuan, d.exemption_rule, d.explanation,
                  d.published_on, v.provision, E.name, E.credit_code)
        .join(violation, v.id == d.violation_id)
        .join(enterprise, E.id == d.enterprise_id)
        .where(d.public.is_(True))
        .order_by(d.decided_on.desc(), d.id.desc())
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]
