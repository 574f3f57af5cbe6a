"""Queries of enterprise credit: the year's facts (violations, decisions, exceedance and
overdue alerts, valid-data rates from the hourly aggregates), stored evaluations and
repairs. The only SQL for these tables; lists filter with the viewer's Scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    aggregate,
    alert,
    alert_action,
    credit_evaluation,
    credit_repair,
    enterprise,
    penalty_decision,
    point,
    violation,
)
from ecozone.times import cst_naive

e, ev = enterprise.c, credit_evaluation.c


def enterprises(conn: sa.Connection, scope: Scope, credit_code: str | None = None) -> list[dict]:
    """Enterprises the viewer may act on (`own`), one when `credit_code` is given."""
    stmt = sa.select(e.id, e.credit_code, e.name, e.district_id).where(
        scope_condition(scope, own=True)
    )
    if credit_code is not None:
        stmt = stmt.where(e.credit_code == credit_code)
    return [dict(r) for r in conn.execute(stmt.order_by(e.id)).mappings()]


def violations(conn: sa.Connection, enterprise_id: int, year: int) -> list[dict[str, Any]]:
    v = violation.c
    stmt = sa.select(v.id, v.found_on, v.provision, sa.func.coalesce(v.item, "").label("item"),
                     v.description, v.harm, v.state, v.rectify_by, v.rectified_on).where(
        v.enterprise_id == enterprise_id,
        v.found_on >= date(year, 1, 1), v.found_on <= date(year, 12, 31),
    )  # fmt: skip
    rows = [dict(r) for r in conn.execute(stmt.order_by(v.found_on, v.id)).mappings()]
    for row in rows:
        row["item"] = row["item"] or row["description"][:40]
    return rows


def penalties(conn: sa.Connection, enterprise_id: int, year: int) -> list[dict[str, Any]]:
    p = penalty_decision.c
    stmt = sa.select(p.id, p.violation_id, p.decided_on, p.outcome, p.amount_yuan,
                     p.published_on).where(
        p.enterprise_id == enterprise_id,
        p.decided_on >= date(year, 1, 1), p.decided_on <= date(year, 12, 31),
    )  # fmt: skip
    rows = [dict(r) for r in conn.execute(stmt.order_by(p.decided_on, p.id)).mappings()]
    for row in rows:
        row["amount_yuan"] = float(row["amount_yuan"]) if row["amount_yuan"] is not None else None
    return rows


def exceedances(conn: sa.Connection, enterprise_id: int, year: int) -> list[dict[str, Any]]:
    a = alert.c
    stmt = sa.select(a.id, a.start, a.pollutant).where(
        a.enterprise_id == enterprise_id, a.type == "exceedance",
        a.start >= datetime(year, 1, 1), a.start < datetime(year + 1, 1, 1),
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt.order_by(a.id)).mappings()]


def overdue_alerts(
    conn: sa.Connection, enterprise_id: int, year: int, as_of: date
) -> list[dict[str, Any]]:
    """Alerts with a desk deadline in the year that the enterprise answered after it, or
    had not answered by `as_of` (compliance.rules.is_overdue: the day after the deadline)."""
    a, act = alert.c, alert_action.c
    rows = conn.execute(
        sa.select(a.id, a.type, a.deadline, a.state).where(
            a.enterprise_id == enterprise_id, a.deadline.is_not(None),
            a.deadline >= date(year, 1, 1), a.deadline <= date(year, 12, 31),
        ).order_by(a.id)
    ).mappings().all()  # fmt: skip
    if not rows:
        return []
    answered: dict[int, datetime] = {}
    for alert_id, at in conn.execute(
        sa.select(act.alert_id, sa.func.min(act.at)).where(
            act.alert_id.in_([r["id"] for r in rows]), act.action == "feedback"
        ).group_by(act.alert_id)
    ):  # fmt: skip
        answered[alert_id] = at
    late = []
    for r in rows:
        at = answered.get(r["id"])
        day = cst_naive(at).date() if at is not None else None
        if (day is not None and day > r["deadline"]) or (
            day is None and as_of > r["deadline"] and r["state"] == "dispatched"
        ):
            late.append(dict(r))
    return late


def valid_rates(conn: sa.Connection, enterprise_id: int, year: int) -> list[dict[str, Any]]:
    """Per point and pollutant: valid hourly values over the hours from its first to its
    last hourly value in the year (the monitored span; HJ 212-2017 App. D counts)."""
    a, pt = aggregate.c, point.c
    stmt = (
        sa.select(pt.code, a.pollutant, sa.func.count().label("present"),
                  sa.func.sum(sa.case((a.valid.is_(True), 1), else_=0)).label("valid"),
                  sa.func.min(a.data_time).label("first"), sa.func.max(a.data_time).label("last"))
        .select_from(aggregate.join(point, pt.id == a.point_id))
        .where(pt.enterprise_id == enterprise_id, a.kind == "hour",
               a.data_time >= datetime(year, 1, 1), a.data_time < datetime(year + 1, 1, 1))
        .group_by(pt.code, a.pollutant)
        .order_by(pt.code, a.pollutant)
    )  # fmt: skip
    found = []
    for r in conn.execute(stmt).mappings():
        expected = int((r["last"] - r["first"]) / timedelta(hours=1)) + 1
        found.append({"point": r["code"], "pollutant": r["pollutant"],
                      "valid": int(r["valid"] or 0), "expected": expected,
                      "valid_rate": int(r["valid"] or 0) / expected})  # fmt: skip
    return found


def repairs(conn: sa.Connection, enterprise_id: int) -> dict[int, date]:
    r = credit_repair.c
    rows = conn.execute(
        sa.select(r.violation_id, r.repaired_on).where(r.enterprise_id == enterprise_id)
    )
    return {violation_id: day for violation_id, day in rows}


def violation_row(conn: sa.Connection, violation_id: int, scope: Scope) -> dict | None:
    v, p = violation.c, penalty_decision.c
    stmt = (
        sa.select(v.id, v.enterprise_id, v.found_on, v.harm, v.state, v.rectified_on,
                  sa.func.coalesce(v.item, v.description).label("item"),
                  p.published_on, p.decided_on, e.credit_code, e.name)
        .select_from(violation.join(enterprise, e.id == v.enterprise_id)
                     .outerjoin(penalty_decision, p.violation_id == v.id))
        .where(v.id == violation_id, scope_condition(scope, own=True))
    )  # fmt: skip
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def insert_repair(conn: sa.Connection, values: dict[str, Any]) -> int | None:
    if conn.execute(sa.select(credit_repair.c.id).where(
            credit_repair.c.violation_id == values["violation_id"])).first():  # fmt: skip
        return None
    return conn.execute(credit_repair.insert().values(**values)).inserted_primary_key[0]


def evaluation_rows(
    conn: sa.Connection, enterprise_id: int, year: int
) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        sa.select(credit_evaluation).where(ev.enterprise_id == enterprise_id, ev.year == year)
    ).mappings()
    return {r["scheme"]: dict(r) for r in rows}


def save_evaluation(conn: sa.Connection, values: dict[str, Any]) -> None:
    """Insert, or replace the enterprise's evaluation of that year and scheme."""
    key = (
        (ev.enterprise_id == values["enterprise_id"])
        & (ev.year == values["year"])
        & (ev.scheme == values["scheme"])
    )
    if conn.execute(credit_evaluation.update().where(key).values(**values)).rowcount == 0:
        conn.execute(credit_evaluation.insert().values(**values))


def evaluations(
    conn: sa.Connection, scope: Scope, year: int | None = None, *, own: bool = True
) -> list[dict[str, Any]]:
    """Stored evaluations in scope, both schemes side by side, one row per enterprise-year."""
    stmt = (
        sa.select(ev.enterprise_id, ev.year, ev.scheme, ev.score, ev.level, ev.vetoed,
                  ev.rule_version, ev.computed_at, e.credit_code, e.name)
        .select_from(credit_evaluation.join(enterprise, e.id == ev.enterprise_id))
        .where(scope_condition(scope, own=own))
        .order_by(ev.year.desc(), e.name, ev.scheme)
    )  # fmt: skip
    if year is not None:
        stmt = stmt.where(ev.year == year)
    merged: dict[tuple[int, int], dict[str, Any]] = {}
    for r in conn.execute(stmt).mappings():
        row = merged.setdefault((r["enterprise_id"], r["year"]), {
            "enterprise_id": r["enterprise_id"], "year": r["year"],
            "credit_code": r["credit_code"], "name": r["name"]})  # fmt: skip
        row[r["scheme"]] = {k: r[k] for k in ("score", "level", "vetoed", "rule_version",
                                              "computed_at")}  # fmt: skip
    return list(merged.values())


def latest_levels(
    conn: sa.Connection, enterprise_ids: Sequence[int], scheme: str, before_year: int
) -> dict[int, dict[str, Any]]:
    """Each enterprise's newest evaluation of a year before `before_year`: year and level."""
    if not enterprise_ids:
        return {}
    rows = conn.execute(
        sa.select(ev.enterprise_id, ev.year, ev.level).where(
            ev.enterprise_id.in_(list(enterprise_ids)), ev.scheme == scheme,
            ev.year < before_year,
        ).order_by(ev.enterprise_id, ev.year)
    )  # fmt: skip
    return {eid: {"year": y, "level": lv} for eid, y, lv in rows}


def all_enterprises(conn: sa.Connection, credit_code: str | None = None) -> list[dict]:
    """Every enterprise of the zone (the finance feed covers them all), or the one named."""
    from ecozone.store.schema import district

    stmt = (
        sa.select(e.id, e.credit_code, e.name, district.c.name.label("district"), e.industry)
        .select_from(enterprise.join(district, district.c.id == e.district_id))
        .order_by(e.name)
    )
    if credit_code is not None:
        stmt = stmt.where(e.credit_code == credit_code)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def exceedance_counts(
    conn: sa.Connection, enterprise_ids: Sequence[int], first_year: int
) -> dict[int, dict[int, int]]:
    """Exceedance alerts per enterprise and year (of their start, CST) since `first_year`."""
    if not enterprise_ids:
        return {}
    a = alert.c
    year = sa.extract("year", a.start)
    rows = conn.execute(
        sa.select(a.enterprise_id, year.label("year"), sa.func.count())
        .where(a.enterprise_id.in_(list(enterprise_ids)), a.type == "exceedance",
               a.start >= datetime(first_year, 1, 1))
        .group_by(a.enterprise_id, year)
    )  # fmt: skip
    out: dict[int, dict[int, int]] = {}
    for eid, y, n in rows:
        out.setdefault(eid, {})[int(y)] = int(n)
    return out


def decisions_since(
    conn: sa.Connection, enterprise_ids: Sequence[int], first: date
) -> list[dict[str, Any]]:
    """Penalty decisions since `first`, newest first, with their violation's provision."""
    if not enterprise_ids:
        return []
    p, v = penalty_decision.c, violation.c
    rows = conn.execute(
        sa.select(p.id, p.enterprise_id, p.decided_on, p.outcome, p.amount_yuan, v.provision)
        .select_from(penalty_decision.join(violation, v.id == p.violation_id))
        .where(p.enterprise_id.in_(list(enterprise_ids)), p.decided_on >= first)
        .order_by(p.decided_on.desc(), p.id.desc())
    ).mappings()  # fmt: skip
    return [{**r, "amount_yuan": float(r["amount_yuan"]) if r["amount_yuan"] is not None
             else None} for r in rows]  # fmt: skip
