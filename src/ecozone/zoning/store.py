"""Queries of zoning and risk: layer versions and their features (WKB with a bounding box
for the point prefilter), the soil list and its events, and the emergency tables.

The soil list is filtered by district for a district supervisor (a site of no district is
zone-wide and shown to all staff); layers and emergency records are the zone's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.store.schema import (
    district,
    emergency_drill,
    emergency_plan,
    emergency_resource,
    enterprise,
    incident,
    incident_action,
    layer_feature,
    layer_version,
    risk_source,
    soil_site,
    soil_site_event,
)

# --- layers -------------------------------------------------------------------------------


def version_id(conn: sa.Connection, kind: str, valid_from: date) -> int | None:
    v = layer_version.c
    return conn.execute(sa.select(v.id).where(v.kind == kind, v.valid_from == valid_from)).scalar()


def insert_version(
    conn: sa.Connection,
    kind: str,
    valid_from: date,
    label: str,
    count: int,
    span: float,
    actor: str,
) -> int:
    return conn.execute(
        layer_version.insert().values(kind=kind, valid_from=valid_from, label=label,
                                      feature_count=count, max_span_deg=span,
                                      imported_by=actor)
        .returning(layer_version.c.id)
    ).scalar_one()  # fmt: skip


def insert_features(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Many features at once (one executemany per thousand)."""
    for start in range(0, len(rows), 1000):
        conn.execute(layer_feature.insert(), rows[start : start + 1000])


def in_force(conn: sa.Connection, kind: str, on_date: date) -> dict[str, Any] | None:
    """The version of `kind` in force on `on_date`: the newest valid_from on or before it."""
    v = layer_version.c
    row = conn.execute(
        sa.select(layer_version).where(v.kind == kind, v.valid_from <= on_date)
        .order_by(v.valid_from.desc()).limit(1)
    ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def all_in_force(conn: sa.Connection, kinds: list[str], on_date: date) -> dict[str, dict]:
    """The version of each of `kinds` in force on `on_date`, in one query: per kind the newest
    valid_from on or before it (versions are few; the layers' features are not read)."""
    v = layer_version.c
    rows = conn.execute(
        sa.select(v.id, v.kind, v.valid_from, v.label, v.max_span_deg)
        .where(v.kind.in_(kinds), v.valid_from <= on_date).order_by(v.valid_from.desc())
    ).mappings()  # fmt: skip
    found: dict[str, dict] = {}
    for row in rows:
        found.setdefault(row["kind"], dict(row))
    return found


def versions(conn: sa.Connection, kind: str | None = None) -> list[dict[str, Any]]:
    """Every version (of `kind`), newest first, with the sum of its polygons' areas."""
    v, f = layer_version.c, layer_feature.c
    area = (sa.select(sa.func.coalesce(sa.func.sum(f.area_m2), 0.0))
            .where(f.version_id == v.id).scalar_subquery())  # fmt: skip
    stmt = sa.select(layer_version, area.label("area_m2")).order_by(v.kind, v.valid_from.desc())
    if kind is not None:
        stmt = stmt.where(v.kind == kind)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def version(conn: sa.Connection, version_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(layer_version).where(layer_version.c.id == version_id)
    ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def features_near(
    conn: sa.Connection, versions: list[dict[str, Any]], lon: float, lat: float
) -> list[Any]:
    """Features of the versions whose bounding box holds the point (the exact test follows),
    with their version id. No feature is wider than its version's max_span_deg, so min_lon
    lies in [lon - span, lon]: a narrow range of the (version_id, min_lon) index instead of
    half of each layer."""
    if not versions:
        return []
    f = layer_feature.c
    span = max(v["max_span_deg"] for v in versions)
    stmt = sa.select(f.version_id, f.key, f.name, f.geometry, f.properties).where(
        f.version_id.in_([v["id"] for v in versions]), f.min_lon >= lon - span,
        f.min_lon <= lon, f.max_lon >= lon, f.min_lat <= lat, f.max_lat >= lat,
    ).order_by(f.key)  # fmt: skip
    return conn.execute(stmt).all()


def features(conn: sa.Connection, version_id: int) -> list[Any]:
    f = layer_feature.c
    stmt = sa.select(f.key, f.name, f.geometry, f.properties, f.area_m2).where(
        f.version_id == version_id
    ).order_by(f.key)  # fmt: skip
    return conn.execute(stmt).all()


# --- soil list ----------------------------------------------------------------------------


def _district_filter(stmt: Any, scope: Scope | None) -> Any:
    if scope is not None and scope.district_id is not None:
        stmt = stmt.where(sa.or_(soil_site.c.district_id == scope.district_id,
                                 soil_site.c.district_id.is_(None)))  # fmt: skip
    return stmt


def sites(
    conn: sa.Connection, scope: Scope | None, site_id: int | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Sites the scope may read, by code, with their district's name and whether a flagged
    land-use change is on record."""
    flagged = (sa.select(sa.func.count()).select_from(soil_site_event)
               .where(soil_site_event.c.site_id == soil_site.c.id, soil_site_event.c.flagged)
               .scalar_subquery())  # fmt: skip
    stmt = (
        sa.select(soil_site, district.c.name.label("district"), flagged.label("flags"))
        .select_from(soil_site.outerjoin(district, district.c.id == soil_site.c.district_id))
        .order_by(soil_site.c.code)
    )
    stmt = _district_filter(stmt, scope)
    if site_id is not None:
        stmt = stmt.where(soil_site.c.id == site_id)
    if status:
        stmt = stmt.where(soil_site.c.status == status)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def site_by_code(conn: sa.Connection, code: str) -> int | None:
    return conn.execute(sa.select(soil_site.c.id).where(soil_site.c.code == code)).scalar()


def insert_site(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(soil_site.insert().values(**values).returning(soil_site.c.id)).scalar_one()


def update_site(conn: sa.Connection, site_id: int, values: dict[str, Any]) -> None:
    conn.execute(soil_site.update().where(soil_site.c.id == site_id).values(**values))


def insert_event(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        soil_site_event.insert().values(**values).returning(soil_site_event.c.id)
    ).scalar_one()


def events(conn: sa.Connection, site_id: int) -> list[dict[str, Any]]:
    e = soil_site_event.c
    stmt = sa.select(soil_site_event).where(e.site_id == site_id).order_by(e.on_date, e.id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def event_file(conn: sa.Connection, site_id: int, sha256: str) -> dict[str, Any] | None:
    e = soil_site_event.c
    row = conn.execute(
        sa.select(e.file_sha256, e.file_name).where(e.site_id == site_id, e.file_sha256 == sha256)
    ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def district_id(conn: sa.Connection, name: str) -> int | None:
    return conn.execute(sa.select(district.c.id).where(district.c.name == name)).scalar()


def districts(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(district.c.name).order_by(district.c.id)).scalars())


# --- emergency ----------------------------------------------------------------------------


def insert(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> int:
    return conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def risk_sources(conn: sa.Connection, source_id: int | None = None) -> list[dict[str, Any]]:
    stmt = (
        sa.select(risk_source, enterprise.c.name.label("enterprise"),
                  enterprise.c.credit_code)
        .select_from(risk_source.outerjoin(enterprise,
                                           enterprise.c.id == risk_source.c.enterprise_id))
        .order_by(risk_source.c.name, risk_source.c.id)
    )  # fmt: skip
    if source_id is not None:
        stmt = stmt.where(risk_source.c.id == source_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def enterprise_id(conn: sa.Connection, credit_code: str) -> int | None:
    return conn.execute(
        sa.select(enterprise.c.id).where(enterprise.c.credit_code == credit_code)
    ).scalar()


def plans(conn: sa.Connection, plan_id: int | None = None) -> list[dict[str, Any]]:
    last_drill = (
        sa.select(sa.func.max(emergency_drill.c.held_on))
        .where(emergency_drill.c.plan_id == emergency_plan.c.id)
        .scalar_subquery()
    )
    stmt = (
        sa.select(emergency_plan, risk_source.c.name.label("risk_source"),
                  last_drill.label("last_drill"))
        .select_from(emergency_plan.outerjoin(
            risk_source, risk_source.c.id == emergency_plan.c.risk_source_id))
        .order_by(emergency_plan.c.valid_until, emergency_plan.c.id)
    )  # fmt: skip
    if plan_id is not None:
        stmt = stmt.where(emergency_plan.c.id == plan_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def drills(conn: sa.Connection, plan_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(emergency_drill).order_by(emergency_drill.c.held_on.desc())
    if plan_ids is not None:
        stmt = stmt.where(emergency_drill.c.plan_id.in_(list(plan_ids)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def resources(conn: sa.Connection) -> list[dict[str, Any]]:
    stmt = sa.select(emergency_resource).order_by(emergency_resource.c.kind,
                                                  emergency_resource.c.name)  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def incidents(conn: sa.Connection, incident_id: int | None = None) -> list[dict[str, Any]]:
    stmt = (
        sa.select(incident, risk_source.c.name.label("risk_source"))
        .select_from(incident.outerjoin(risk_source,
                                        risk_source.c.id == incident.c.risk_source_id))
        .order_by(incident.c.started_at.desc(), incident.c.id.desc())
    )  # fmt: skip
    if incident_id is not None:
        stmt = stmt.where(incident.c.id == incident_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def update_incident(conn: sa.Connection, incident_id: int, values: dict[str, Any]) -> None:
    conn.execute(incident.update().where(incident.c.id == incident_id).values(**values))


def actions(conn: sa.Connection, incident_id: int) -> list[dict[str, Any]]:
    a = incident_action.c
    stmt = sa.select(incident_action).where(a.incident_id == incident_id).order_by(a.at, a.id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def alert_exists(conn: sa.Connection, alert_id: int) -> bool:
    from ecozone.store.schema import alert

    return conn.execute(sa.select(alert.c.id).where(alert.c.id == alert_id)).first() is not None
