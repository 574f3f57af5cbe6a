"""Queries of noise, dust and overflows: the only SQL for sites, approvals, stations, monitors,
rules, inspections, honking captures and overflow events, and their reads of measurements.

Lists filter with accounts.store (a point by where it stands, a site by its builder's
enterprise); None for a scope means everything (the CLI and the periodic checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import point_district_id, point_scope_condition, scope_condition
from ecozone.quality.model import (
    ConstructionSite,
    DustBasis,
    DustRule,
    NightApproval,
    NoiseStation,
    SewerMonitor,
    SewerRole,
    SitePhase,
    ZoneClass,
)
from ecozone.store.schema import (
    construction_site,
    district,
    dust_inspection,
    dust_monitor,
    dust_rule,
    enterprise,
    honking_event,
    measurement,
    night_approval,
    noise_station,
    overflow_event,
    point,
    sewer_monitor,
)

# --- sites -----------------------------------------------------------------------------------


def sites(
    conn: sa.Connection, scope: Scope | None, site_id: int | None = None
) -> list[ConstructionSite]:
    """Construction sites whose builder the scope may read, by district then code."""
    s = construction_site.c
    stmt = (
        sa.select(
            s.id,
            s.code,
            s.project,
            s.builder,
            s.enterprise_id,
            enterprise.c.name.label("enterprise"),
            district.c.name.label("district"),
            s.area_m2,
            s.phase,
        )
        .select_from(construction_site)
        .join(enterprise, enterprise.c.id == s.enterprise_id)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .order_by(district.c.name, s.code)
    )
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    if site_id is not None:
        stmt = stmt.where(s.id == site_id)
    return [
        ConstructionSite(**{**row, "phase": SitePhase(row["phase"])})
        for row in conn.execute(stmt).mappings()
    ]


def site_code_taken(conn: sa.Connection, code: str) -> bool:
    stmt = sa.select(construction_site.c.id).where(construction_site.c.code == code)
    return conn.execute(stmt).first() is not None


def insert_site(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(construction_site).values(**values)).inserted_primary_key[0])  # type: ignore[index]


def enterprises(conn: sa.Connection, scope: Scope | None) -> list[dict[str, Any]]:
    """id, credit code and name of the enterprises the scope may read (builders to pick)."""
    e = enterprise.c
    stmt = sa.select(e.id, e.credit_code, e.name).order_by(e.name)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    return [dict(r) for r in conn.execute(stmt).mappings()]


# --- points of the three kinds ---------------------------------------------------------------


def point_row(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    """id, code, kind and enterprise of a point."""
    p = point.c
    stmt = sa.select(p.id, p.code, p.name, p.kind, p.enterprise_id).where(p.id == point_id)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def points_of_kind(conn: sa.Connection, scope: Scope | None, kind: str) -> list[dict[str, Any]]:
    """Points of one kind the scope may read, with their configuration state left aside."""
    p = point.c
    stmt = (
        sa.select(p.id, p.code, p.name, enterprise.c.name.label("enterprise"))
        .select_from(point)
        .join(enterprise, enterprise.c.id == p.enterprise_id)
        .where(p.kind == kind)
        .order_by(p.code)
    )
    if scope is not None:
        stmt = stmt.where(point_scope_condition(scope, point))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _point_select(*extra: Any) -> sa.Select[Any]:
    return (
        sa.select(
            point.c.id.label("point_id"),
            point.c.code,
            point.c.name,
            point.c.enterprise_id,
            enterprise.c.name.label("enterprise"),
            district.c.name.label("district"),
            *extra,
        )
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(district, district.c.id == point_district_id(point))
    )


def noise_stations(
    conn: sa.Connection, scope: Scope | None, point_id: int | None = None
) -> list[NoiseStation]:
    """Configured noise stations the scope may read, zone stations first, by code."""
    n = noise_station.c
    stmt = (
        _point_select(n.zone_class, n.site_id, construction_site.c.project.label("site"))
        .join(noise_station, n.point_id == point.c.id)
        .outerjoin(construction_site, construction_site.c.id == n.site_id)
        .order_by(n.site_id.is_not(None), point.c.code)
    )
    if scope is not None:
        stmt = stmt.where(point_scope_condition(scope, point))
    if point_id is not None:
        stmt = stmt.where(point.c.id == point_id)
    return [
        NoiseStation(
            **{
                **row,
                "zone_class": ZoneClass(row["zone_class"])
                if row["zone_class"] is not None
                else None,
            }
        )
        for row in conn.execute(stmt).mappings()
    ]


def save_noise_station(
    conn: sa.Connection, point_id: int, zone_class: str | None, site_id: int | None
) -> None:
    conn.execute(sa.delete(noise_station).where(noise_station.c.point_id == point_id))
    conn.execute(
        sa.insert(noise_station).values(point_id=point_id, zone_class=zone_class, site_id=site_id)
    )


def dust_monitors(conn: sa.Connection, scope: Scope | None) -> list[dict[str, Any]]:
    """Dust monitors with their site and the district their point stands in."""
    stmt = (
        _point_select(
            dust_monitor.c.site_id,
            construction_site.c.code.label("site_code"),
            construction_site.c.project.label("site"),
            point_district_id(point).label("district_id"),
        )
        .join(dust_monitor, dust_monitor.c.point_id == point.c.id)
        .join(construction_site, construction_site.c.id == dust_monitor.c.site_id)
        .order_by(construction_site.c.code, point.c.code)
    )
    if scope is not None:
        stmt = stmt.where(point_scope_condition(scope, point))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def save_dust_monitor(conn: sa.Connection, point_id: int, site_id: int) -> None:
    conn.execute(sa.delete(dust_monitor).where(dust_monitor.c.point_id == point_id))
    conn.execute(sa.insert(dust_monitor).values(point_id=point_id, site_id=site_id))


def sewer_monitors(
    conn: sa.Connection, scope: Scope | None, point_id: int | None = None
) -> list[SewerMonitor]:
    m = sewer_monitor.c
    stmt = (
        _point_select(m.role, m.crest_m, m.weir_width_m, m.rain_point_id)
        .join(sewer_monitor, m.point_id == point.c.id)
        .order_by(point.c.code)
    )
    if scope is not None:
        stmt = stmt.where(point_scope_condition(scope, point))
    if point_id is not None:
        stmt = stmt.where(point.c.id == point_id)
    return [
        SewerMonitor(**{**row, "role": SewerRole(row["role"])})
        for row in conn.execute(stmt).mappings()
    ]


def save_sewer_monitor(conn: sa.Connection, point_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.delete(sewer_monitor).where(sewer_monitor.c.point_id == point_id))
    conn.execute(sa.insert(sewer_monitor).values(point_id=point_id, **values))


def ambient_points(conn: sa.Connection, district_id: int) -> list[int]:
    """Ambient-air stations standing in a district: the dust rules' background."""
    stmt = (
        sa.select(point.c.id)
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(point.c.kind == "ambient_air", point_district_id(point) == district_id)
    )
    return list(conn.execute(stmt).scalars())


# --- approvals -------------------------------------------------------------------------------


def _approval(row: Any) -> NightApproval:
    return NightApproval(
        row.id,
        row.site_id,
        row.permit_no,
        row.first_day,
        row.last_day,
        time.fromisoformat(row.start_time),
        time.fromisoformat(row.end_time),
        row.reason,
    )


def approvals(
    conn: sa.Connection, site_ids: Sequence[int], since: date | None = None
) -> list[NightApproval]:
    """Approvals of the sites (those still running on or after `since`), newest first."""
    if not site_ids:
        return []
    a = night_approval.c
    stmt = sa.select(night_approval).where(a.site_id.in_(list(site_ids)))
    if since is not None:
        stmt = stmt.where(a.last_day >= since)
    return [_approval(r) for r in conn.execute(stmt.order_by(a.first_day.desc(), a.id.desc()))]


def insert_approval(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(night_approval).values(**values)).inserted_primary_key[0])  # type: ignore[index]


# --- dust rules and inspections -----------------------------------------------------------


def dust_rules(conn: sa.Connection) -> list[DustRule]:
    r = dust_rule.c
    rows = conn.execute(sa.select(dust_rule).order_by(r.code, r.version)).all()
    return [
        DustRule(
            x.id,
            x.code,
            x.version,
            x.metric,
            x.window_min,
            DustBasis(x.basis),
            x.limit_value,
            x.allowed_per_day,
            x.action,
            x.effective_from,
        )
        for x in rows
    ]


def insert_rule(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(dust_rule).values(**values)).inserted_primary_key[0])  # type: ignore[index]


def inspections(conn: sa.Connection, site_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not site_ids:
        return []
    i = dust_inspection.c
    stmt = (
        sa.select(dust_inspection)
        .where(i.site_id.in_(list(site_ids)))
        .order_by(i.inspected_on.desc(), i.id.desc())
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def insert_inspection(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(dust_inspection).values(**values)).inserted_primary_key[0])  # type: ignore[index]


# --- honking ---------------------------------------------------------------------------------


def honking(conn: sa.Connection, limit: int = 500) -> list[dict[str, Any]]:
    h = honking_event.c
    stmt = sa.select(h.id, h.captured_at, h.location, h.plate, h.level_db, h.lon, h.lat)
    stmt = stmt.order_by(h.captured_at.desc(), h.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def honking_exists(conn: sa.Connection, captured_at: datetime, location: str, plate: str) -> bool:
    h = honking_event.c
    stmt = sa.select(h.id).where(
        h.captured_at == captured_at, h.location == location, h.plate == plate
    )
    return conn.execute(stmt).first() is not None


def insert_honking(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(sa.insert(honking_event), rows)


# --- overflow events -------------------------------------------------------------------------


def overflow_events(
    conn: sa.Connection, point_ids: Sequence[int], since: datetime | None = None
) -> list[dict[str, Any]]:
    if not point_ids:
        return []
    o = overflow_event.c
    stmt = sa.select(overflow_event).where(o.point_id.in_(list(point_ids)))
    if since is not None:
        stmt = stmt.where(o.end >= since)
    return [dict(r) for r in conn.execute(stmt.order_by(o.start.desc(), o.id.desc())).mappings()]


def save_overflow(conn: sa.Connection, values: dict[str, Any]) -> None:
    """Insert an event, or replace the one of the same monitor and start (it grew)."""
    o = overflow_event.c
    conn.execute(
        sa.delete(overflow_event).where(
            o.point_id == values["point_id"], o.start == values["start"]
        )
    )
    conn.execute(sa.insert(overflow_event).values(**values))


# --- measurements ----------------------------------------------------------------------------


def values(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    kinds: Sequence[str] = ("minute", "hour"),
) -> list[tuple[int, str, str, datetime, float]]:
    """(point_id, kind, code, time, value) of minute and hour data in [start, end): the
    period value (avg), as HJ 212 sends it for these kinds (noise's -Data is stored there)."""
    if not point_ids:
        return []
    m = measurement.c
    stmt = (
        sa.select(m.point_id, m.kind, m.pollutant, m.data_time, m.avg)
        .where(
            m.point_id.in_(list(point_ids)),
            m.kind.in_(list(kinds)),
            m.pollutant.in_(list(codes)),
            m.data_time >= start,
            m.data_time < end,
            m.avg.is_not(None),
        )
        .order_by(m.point_id, m.data_time)
    )
    return [tuple(r) for r in conn.execute(stmt).all()]  # type: ignore[misc]


def latest_time(conn: sa.Connection, point_ids: Sequence[int]) -> datetime | None:
    if not point_ids:
        return None
    m = measurement.c
    stmt = sa.select(sa.func.max(m.data_time)).where(
        m.point_id.in_(list(point_ids)), m.kind.in_(("minute", "hour"))
    )
    return conn.execute(stmt).scalar()
