"""Reads of the enforcement loop for pages and the API: the desk of triggers, open
assignments and inspections; one inspection with its files and violations; one violation
with its exemption check; an enterprise's story (trigger → inspection → violations →
decisions); the public results. All through the viewer's Scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.errors import NotFound
from ecozone.supervision import inspection_store as st
from ecozone.supervision import store as pool_store
from ecozone.supervision.inspections import (
    _suggest,
    exemption_list,
    rectification_overdue,
)


def _names(conn: sa.Connection) -> dict[int, str]:
    return {i["id"]: i["name"] for i in pool_store.inspectors(conn, SYSTEM_SCOPE)}


def _with_decisions(conn: sa.Connection, rows: list[dict], today: date) -> list[dict]:
    decided = st.decisions(conn, [v["id"] for v in rows])
    for v in rows:
        v["decision"] = decided.get(v["id"])
        v["overdue_days"] = rectification_overdue(v, today)
    return rows


def desk(engine: sa.Engine, scope: Scope, today: date) -> dict[str, Any]:
    """The inspections page: open triggers, overdue alerts not yet triggered and drawn
    assignments not yet inspected (staff), and the inspections in scope."""
    with engine.connect() as conn:
        names = _names(conn)
        found = st.inspections(conn, scope)
        counts: dict[int, int] = {}
        for v in st.violations(conn, scope, inspection_ids=[i["id"] for i in found]):
            counts[v["inspection_id"]] = counts.get(v["inspection_id"], 0) + 1
        for row in found:
            row["team"] = [names.get(x, str(x)) for x in row["inspector_ids"]]
            row["violations"] = counts.get(row["id"], 0)
        staff = scope.is_staff
        return {
            "inspections": found,
            "triggers": st.triggers(conn, scope, states=["open"]) if staff else [],
            "overdue_alerts": st.overdue_alerts(conn, scope, today) if staff else [],
            "assignments": [
                {**a, "team": [names.get(x, str(x)) for x in a["inspector_ids"]]}
                for a in st.open_assignments(conn, scope)
            ] if staff else [],
        }  # fmt: skip


def team_choices(engine: sa.Engine, trigger: dict[str, Any]) -> list[dict[str, Any]]:
    """The pool a triggered check's team is picked from, conflicted inspectors marked."""
    with engine.connect() as conn:
        pool = pool_store.inspectors(conn, SYSTEM_SCOPE, trigger["district_id"])
    return [{"id": i["id"], "name": i["name"], "unit": i["unit"],
             "conflicted": any(c["enterprise_id"] == trigger["enterprise_id"]
                               for c in i["conflicts"])}
            for i in pool if i["active"]]  # fmt: skip


def trigger(engine: sa.Engine, trigger_id: int, scope: Scope) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.trigger(conn, trigger_id, scope)
    if found is None:
        raise NotFound(f"触发记录：没有编号为 {trigger_id} 的记录")
    return found


def alert_for_trigger(engine: sa.Engine, alert_id: int, scope: Scope) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.alert_row(conn, alert_id, scope)
    if found is None:
        raise NotFound(f"报警：没有编号为 {alert_id} 的报警")
    return found


def inspection_detail(
    engine: sa.Engine, inspection_id: int, scope: Scope, today: date
) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.inspection_row(conn, inspection_id, scope)
        if found is None:
            raise NotFound(f"检查记录：没有编号为 {inspection_id} 的记录")
        names = _names(conn)
        found["team"] = [names.get(x, str(x)) for x in found["inspector_ids"]]
        found["files"] = st.files(conn, [inspection_id]).get(inspection_id, [])
        found["violations"] = _with_decisions(
            conn, st.violations(conn, scope, inspection_ids=[inspection_id]), today
        )
        found["trigger"] = (
            st.trigger(conn, found["trigger_id"], scope) if found["trigger_id"] else None
        )
        found["assignment"] = (
            st.assignment(conn, found["assignment_id"], scope) if found["assignment_id"] else None
        )
    return found  # fmt: skip


def violation_detail(
    engine: sa.Engine, violation_id: int, scope: Scope, today: date
) -> dict[str, Any]:
    """A violation with its inspection, decision, and the exemption check: the one stored
    with the decision once decided, else computed now."""
    with engine.connect() as conn:
        found = st.violation_row(conn, violation_id, scope)
        if found is None:
            raise NotFound(f"违法行为：没有编号为 {violation_id} 的记录")
        [found] = _with_decisions(conn, [found], today)
        suggestion = None if found["decision"] else _suggest(conn, found, today).to_dict()
    listed = exemption_list()
    return {
        "violation": found,
        "suggestion": found["decision"]["suggestion"] if found["decision"] else suggestion,
        "list": listed,
    }


def story(engine: sa.Engine, enterprise_id: int, scope: Scope, today: date) -> list[dict[str, Any]]:
    """The enterprise's enforcement file, newest first: each inspection with the trigger or
    assignment that caused it, its violations and their decisions; then open triggers not
    yet inspected."""
    with engine.connect() as conn:
        triggers = st.triggers(conn, scope, enterprise_id=enterprise_id) if scope.is_staff else []
        inspections = st.inspections(conn, scope, enterprise_id=enterprise_id)
        violations = _with_decisions(conn, st.violations(conn, scope, enterprise_id=enterprise_id),
                                     today)  # fmt: skip
        campaigns = {i["assignment_id"]: st.assignment(conn, i["assignment_id"], scope)
                     for i in inspections if i["assignment_id"]}  # fmt: skip
        if not scope.is_staff:  # an enterprise sees the triggers its inspections answered
            triggers = [t for i in inspections if i["trigger_id"]
                        if (t := st.trigger(conn, i["trigger_id"], scope))]  # fmt: skip
    by_trigger = {t["id"]: t for t in triggers}
    chains = []
    for i in inspections:
        chains.append({
            "inspection": i,
            "trigger": by_trigger.get(i["trigger_id"]),
            "assignment": campaigns.get(i["assignment_id"]),
            "violations": [v for v in violations if v["inspection_id"] == i["id"]],
        })  # fmt: skip
    waiting = [t for t in triggers if t["inspection_id"] is None]
    loose = [v for v in violations if v["inspection_id"] is None]
    return [{"kind": "inspection", **c} for c in chains] + [
        {"kind": "trigger", "trigger": t, "inspection": None, "assignment": None,
         "violations": []} for t in waiting
    ] + ([{"kind": "loose", "trigger": None, "inspection": None, "assignment": None,
           "violations": loose}] if loose else [])  # fmt: skip


def public_results(engine: sa.Engine) -> dict[str, list[dict[str, Any]]]:
    """一公开: inspection results and decisions marked public, and nothing else."""
    with engine.connect() as conn:
        return {"inspections": st.public_inspections(conn),
                "decisions": st.public_decisions(conn)}  # fmt: skip
