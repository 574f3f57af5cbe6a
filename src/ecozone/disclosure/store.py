"""Queries of disclosure: enterprises with what decides their obligation (key permits and
fines of a year), penalty decisions calling for temporary reports, and the reports. The
only SQL for disclosure_report; published rows are never updated here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    disclosure_report,
    district,
    enterprise,
    penalty_decision,
    permit,
    violation,
)

e, r, p = enterprise.c, disclosure_report.c, penalty_decision.c


def enterprises(
    conn: sa.Connection, scope: Scope, year: int, *, credit_code: str | None = None
) -> list[dict[str, Any]]:
    """Enterprises the viewer acts for, with a key permit valid in `year` and the fines of
    `year` (amounts in yuan)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    key = (
        sa.select(sa.literal(True)).where(
            permit.c.enterprise_id == e.id, permit.c.management_class == "key",
            permit.c.valid_from <= last, permit.c.valid_to >= first,
        ).exists()
    )  # fmt: skip
    stmt = (
        sa.select(e.id, e.credit_code, e.name, e.industry, e.address, district.c.name.label(
            "district"), key.label("key_permit"))
        .select_from(enterprise.join(district, district.c.id == e.district_id))
        .where(scope_condition(scope, own=True))
        .order_by(e.name)
    )  # fmt: skip
    if credit_code is not None:
        stmt = stmt.where(e.credit_code == credit_code)
    rows = [dict(x) for x in conn.execute(stmt).mappings()]
    fines: dict[int, list[float]] = {}
    if rows:
        for eid, amount in conn.execute(
            sa.select(p.enterprise_id, p.amount_yuan).where(
                p.enterprise_id.in_([x["id"] for x in rows]), p.outcome == "penalty",
                p.decided_on >= first, p.decided_on <= last,
            )
        ):  # fmt: skip
            fines.setdefault(eid, []).append(float(amount))
    for row in rows:
        row["fines"] = fines.get(row["id"], [])
    return rows


def decisions(
    conn: sa.Connection, enterprise_ids: list[int], outcomes: tuple[str, ...],
    first: date, last: date,
) -> list[dict[str, Any]]:  # fmt: skip
    """Penalty decisions of the enterprises decided in [first, last], with their violation."""
    if not enterprise_ids:
        return []
    v = violation.c
    stmt = (
        sa.select(p.id, p.enterprise_id, p.decided_on, p.outcome, p.amount_yuan, p.explanation,
                  v.found_on, v.provision, v.description, v.rectification_order)
        .select_from(penalty_decision.join(violation, v.id == p.violation_id))
        .where(p.enterprise_id.in_(enterprise_ids), p.outcome.in_(outcomes),
               p.decided_on >= first, p.decided_on <= last)
        .order_by(p.decided_on, p.id)
    )  # fmt: skip
    rows = [dict(x) for x in conn.execute(stmt).mappings()]
    for row in rows:
        row["amount_yuan"] = float(row["amount_yuan"]) if row["amount_yuan"] is not None else None
    return rows


def reports(
    conn: sa.Connection, scope: Scope | None, *, published_only: bool = False,
    enterprise_ids: list[int] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Reports in scope (None: every enterprise), newest first, without their content."""
    stmt = (
        sa.select(r.id, r.enterprise_id, r.kind, r.year, r.event, r.version, r.state, r.due_on,
                  r.prepared_by, r.prepared_at, r.published_by, r.published_at,
                  e.credit_code, e.name)
        .select_from(disclosure_report.join(enterprise, e.id == r.enterprise_id))
        .order_by(r.year.desc(), e.name, r.kind, r.event, r.version.desc())
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(scope_condition(scope, own=True))
    if published_only:
        stmt = stmt.where(r.state == "published")
    if enterprise_ids is not None:
        stmt = stmt.where(r.enterprise_id.in_(enterprise_ids))
    return [dict(x) for x in conn.execute(stmt).mappings()]


def report(
    conn: sa.Connection, report_id: int, scope: Scope | None, *, published_only: bool = False,
    lock: bool = False,
) -> dict[str, Any] | None:  # fmt: skip
    stmt = (
        sa.select(disclosure_report, e.credit_code, e.name)
        .select_from(disclosure_report.join(enterprise, e.id == r.enterprise_id))
        .where(r.id == report_id)
    )
    if scope is not None:
        stmt = stmt.where(scope_condition(scope, own=True))
    if published_only:
        stmt = stmt.where(r.state == "published")
    if lock:
        stmt = stmt.with_for_update(of=disclosure_report)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def versions(conn: sa.Connection, enterprise_id: int, kind: str, year: int, event: str) -> list:
    """(id, version, state) of every version of one report, oldest first."""
    return list(conn.execute(
        sa.select(r.id, r.version, r.state).where(
            r.enterprise_id == enterprise_id, r.kind == kind, r.year == year, r.event == event,
        ).order_by(r.version)
    ))  # fmt: skip


def insert_report(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(disclosure_report.insert().values(**values)).inserted_primary_key[0]


def update_draft(conn: sa.Connection, report_id: int, values: dict[str, Any]) -> bool:
    """Change a draft; a published report is never changed (False)."""
    done = conn.execute(
        disclosure_report.update().where(r.id == report_id, r.state == "draft").values(**values)
    )
    return done.rowcount == 1


def publish(conn: sa.Connection, report_id: int, by: str, at: Any) -> bool:
    done = conn.execute(
        disclosure_report.update().where(r.id == report_id, r.state == "draft")
        .values(state="published", published_by=by, published_at=at)
    )  # fmt: skip
    return done.rowcount == 1
