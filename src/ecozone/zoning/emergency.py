"""Use cases of emergency readiness (plan item 18: 强化油气输运、重化工储运站点等高环境风险
片区环境应急能力建设): risk sources with their hazardous substances, filed emergency plans
with their review date and drills, emergency resources, and the incident log linked to the
alert desk. Every change is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.store.schema import (
    emergency_drill,
    emergency_plan,
    emergency_resource,
    incident,
    incident_action,
    risk_source,
)
from ecozone.textguard import check_optional
from ecozone.zoning import rules, store
from ecozone.zoning.model import (
    EmergencySettings,
    IncidentState,
    ResourceKind,
    RiskLevel,
    SourceKind,
    StepRefused,
    ZoningError,
    ZoningNotFound,
)
from ecozone.zoning.service import parse_day
from ecozone.zoning.soil import read_number, read_optional, read_text


def _enum(enum: Any, text: str, what: str) -> Any:
    try:
        return enum(str(text).strip())
    except ValueError:
        raise ZoningError(f"{what} {text!r}: expected one of "
                          f"{', '.join(e.value for e in enum)}") from None  # fmt: skip


def parse_substances(text: Any) -> list[dict[str, Any]]:
    """Substances as 'name quantity_t' per line (or name:quantity), or a list of dicts."""
    if isinstance(text, list):
        lines = [f"{s['name']} {s['quantity_t']}" for s in text]
    else:
        lines = [ln for ln in str(text or "").replace("；", "\n").replace(";", "\n").splitlines()]
    found = []
    for line in (ln.strip().replace("：", " ").replace(":", " ") for ln in lines):
        if not line:
            continue
        name, _, amount = line.rpartition(" ")
        if not name.strip():
            raise ZoningError(f"substance {line!r}: write the name and the quantity in t")
        found.append({"name": read_text(name, "substance", 100),
                      "quantity_t": read_number(amount, f"quantity of {name.strip()} (t)",
                                            low=0, high=1e9)})  # fmt: skip
    if not found:
        raise ZoningError("hazardous substances: name at least one with its quantity in t")
    return found


def add_risk_source(
    engine: sa.Engine, *, name: str, kind: str, risk_level: str, substances: Any, lon: Any,
    lat: Any, credit_code: str | None = None, actor: str,
) -> dict[str, Any]:  # fmt: skip
    values = {
        "name": read_text(name, "name", 200), "kind": _enum(SourceKind, kind, "kind").value,
        "risk_level": _enum(RiskLevel, risk_level, "risk level").value,
        "substances": parse_substances(substances),
        "lon": read_number(lon, "longitude", low=-180, high=180),
        "lat": read_number(lat, "latitude", low=-90, high=90),
    }  # fmt: skip
    with engine.begin() as conn:
        enterprise_id = None
        if credit_code and credit_code.strip():
            enterprise_id = store.enterprise_id(conn, credit_code.strip())
            if enterprise_id is None:
                raise ZoningError(f"enterprise {credit_code.strip()}: not in the registry")
        made = store.insert(conn, risk_source, {**values, "enterprise_id": enterprise_id,
                                                "created_by": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="risk_source",
                     entity_id=str(made), before=None, after=values)  # fmt: skip
    return {"id": made, **values}


def risk_sources(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.risk_sources(conn)


def file_plan(
    engine: sa.Engine, *, title: str, filing_no: str, filed_on: date | str,
    risk_source_id: Any = None, valid_until: date | str | None = None,
    settings: EmergencySettings, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Record a filed (备案) plan; it is due for review `settings.review_years` after filing
    unless another date is given."""
    filed = parse_day(filed_on, "filed on")
    until = (parse_day(valid_until, "review date") if valid_until
             else rules.review_due(filed, settings.review_years))  # fmt: skip
    if until <= filed:
        raise ZoningError(f"review date {until}: must be after the filing date {filed}")
    values = {"title": read_text(title, "title", 200),
              "filing_no": read_text(filing_no, "filing number", 100),
              "filed_on": filed, "valid_until": until}  # fmt: skip
    with engine.begin() as conn:
        source = None
        if risk_source_id not in (None, ""):
            source = int(read_number(risk_source_id, "risk source", low=1, high=2**31))
            if not store.risk_sources(conn, source):
                raise ZoningError(f"risk source {source}: not found")
        made = store.insert(conn, emergency_plan, {**values, "risk_source_id": source,
                                                   "created_by": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="emergency_plan",
                     entity_id=str(made), before=None,
                     after={**values, "filed_on": filed.isoformat(),
                            "valid_until": until.isoformat()})  # fmt: skip
    return {"id": made, **values}


def plans(engine: sa.Engine, today: date, settings: EmergencySettings) -> list[dict[str, Any]]:
    """Every plan with its state on `today` (current, expiring, expired) and its drills."""
    with engine.connect() as conn:
        found = store.plans(conn)
        drills = store.drills(conn, [p["id"] for p in found])
    by_plan: dict[int, list[dict[str, Any]]] = {}
    for d in drills:
        by_plan.setdefault(d["plan_id"], []).append(d)
    return [{**p, "state": rules.plan_state(p["valid_until"], today,
                                            settings.expiring_days).value,
             "drills": by_plan.get(p["id"], [])} for p in found]  # fmt: skip


def record_drill(
    engine: sa.Engine, plan_id: int, *, held_on: date | str, scenario: str, participants: Any,
    findings: str = "", actor: str,
) -> dict[str, Any]:  # fmt: skip
    values = {"plan_id": plan_id, "held_on": parse_day(held_on, "drill date"),
              "scenario": read_text(scenario, "scenario", 300),
              "participants": int(read_number(participants, "participants", low=1, high=100000)),
              "findings": (check_optional(findings, "findings", multiline=True) or "")[:1000]
              or None}  # fmt: skip
    with engine.begin() as conn:
        plan = store.plans(conn, plan_id)
        if not plan:
            raise ZoningNotFound(f"no emergency plan with id {plan_id}")
        if values["held_on"] < plan[0]["filed_on"]:
            raise ZoningError(f"drill date {values['held_on']}: before the plan was filed "
                              f"({plan[0]['filed_on']})")  # fmt: skip
        made = store.insert(conn, emergency_drill, {**values, "created_by": actor})
        audit.record(conn, actor=actor, action="create", entity="emergency_drill",
                     entity_id=str(made), before=None,
                     after={**values, "held_on": values["held_on"].isoformat()})  # fmt: skip
    return {"id": made, **values}


def add_resource(
    engine: sa.Engine, *, kind: str, name: str, quantity: Any, unit: str, location: str,
    lon: Any, lat: Any, contact: str | None = None, actor: str,
) -> dict[str, Any]:  # fmt: skip
    values = {
        "kind": _enum(ResourceKind, kind, "kind").value, "name": read_text(name, "name", 200),
        "quantity": read_number(quantity, "quantity", low=0, high=1e12),
        "unit": read_text(unit, "unit", 20), "location": read_text(location, "location", 300),
        "lon": read_number(lon, "longitude", low=-180, high=180),
        "lat": read_number(lat, "latitude", low=-90, high=90),
        "contact": (check_optional(contact, "contact") or "")[:100] or None,
    }  # fmt: skip
    with engine.begin() as conn:
        made = store.insert(conn, emergency_resource, {**values, "created_by": actor})
        audit.record(conn, actor=actor, action="create", entity="emergency_resource",
                     entity_id=str(made), before=None, after=values)  # fmt: skip
    return {"id": made, **values}


def resources(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.resources(conn)


def _when(value: datetime | str, what: str) -> datetime:
    try:
        return times.parse_time(value, what)
    except ValueError as exc:
        raise ZoningError(str(exc)) from None


def open_incident(
    engine: sa.Engine, *, started_at: datetime | str, kind: str, location: str,
    lon: Any = None, lat: Any = None, risk_source_id: Any = None, alert_id: Any = None,
    actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Log an incident (start in CST), linked to a risk source and to an alert of the desk."""
    values = {
        "started_at": _when(started_at, "start"), "kind": read_text(kind, "type", 100),
        "location": read_text(location, "location", 300),
        "lon": read_optional(lon, "longitude", -180, 180),
        "lat": read_optional(lat, "latitude", -90, 90),
    }  # fmt: skip
    with engine.begin() as conn:
        source = alert = None
        if risk_source_id not in (None, ""):
            source = int(read_number(risk_source_id, "risk source", low=1, high=2**31))
            if not store.risk_sources(conn, source):
                raise ZoningError(f"risk source {source}: not found")
        if alert_id not in (None, ""):
            alert = int(read_number(alert_id, "alert", low=1, high=2**62))
            if not store.alert_exists(conn, alert):
                raise ZoningError(f"alert {alert}: not found")
        made = store.insert(conn, incident, {
            **values, "risk_source_id": source, "alert_id": alert,
            "state": IncidentState.OPEN.value, "created_by": actor,
        })  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="incident", entity_id=str(made),
                     before=None, after={**values, "started_at": values["started_at"].isoformat(),
                                         "alert_id": alert, "risk_source_id": source})  # fmt: skip
    return {"id": made, **values}


def incidents(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.incidents(conn)


def incident_of(engine: sa.Engine, incident_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = store.incidents(conn, incident_id)
        if not found:
            raise ZoningNotFound(f"no incident with id {incident_id}")
        return {**found[0], "actions": store.actions(conn, incident_id)}


def add_action(
    engine: sa.Engine, incident_id: int, *, at: datetime | str, text: str, actor: str
) -> dict[str, Any]:
    when = _when(at, "time")
    words = read_text(check_optional(text, "action", multiline=True), "action", 1000)
    with engine.begin() as conn:
        found = store.incidents(conn, incident_id)
        if not found:
            raise ZoningNotFound(f"no incident with id {incident_id}")
        if found[0]["state"] != IncidentState.OPEN.value:
            raise StepRefused(f"incident {incident_id} is closed; actions are recorded while open")
        if when < found[0]["started_at"]:
            raise ZoningError(f"time {when:%Y-%m-%d %H:%M}: before the incident started")
        made = store.insert(conn, incident_action, {"incident_id": incident_id, "at": when,
                                                    "text": words, "actor": actor})  # fmt: skip
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="incident_action",
            entity_id=str(made),
            before=None,
            after={"incident_id": incident_id, "at": when.isoformat(), "text": words},
        )
    return {"id": made, "at": when, "text": words}


def close_incident(
    engine: sa.Engine, incident_id: int, *, closed_at: datetime | str, closure: str, actor: str
) -> dict[str, Any]:
    """Close an open incident with the closure's time and summary (not before its start)."""
    when = _when(closed_at, "closing time")
    words = read_text(check_optional(closure, "closure", multiline=True), "closure", 1000)
    with engine.begin() as conn:
        found = store.incidents(conn, incident_id)
        if not found:
            raise ZoningNotFound(f"no incident with id {incident_id}")
        if found[0]["state"] != IncidentState.OPEN.value:
            raise StepRefused(f"incident {incident_id} is already closed")
        if when < found[0]["started_at"]:
            raise ZoningError(f"closing time {when:%Y-%m-%d %H:%M}: before the incident started")
        store.update_incident(conn, incident_id, {"state": IncidentState.CLOSED.value,
                                                  "closed_at": when, "closure": words})  # fmt: skip
        audit.record(conn, actor=actor, action="update", entity="incident",
                     entity_id=str(incident_id), before={"state": "open"},
                     after={"state": "closed", "closed_at": when.isoformat()})  # fmt: skip
    return incident_of(engine, incident_id)


def map_points(engine: sa.Engine) -> dict[str, Any]:
    """Risk sources and resources as GeoJSON points for the map."""
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
         "properties": {"layer": "risk_source", "name": s["name"], "level": s["risk_level"],
                        "kind": s["kind"]}}
        for s in risk_sources(engine)
    ] + [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {"layer": "resource", "name": r["name"], "kind": r["kind"],
                        "quantity": r["quantity"], "unit": r["unit"]}}
        for r in resources(engine)
    ]  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def today_cst() -> date:
    return times.cst_naive(times.utc_now()).date()
