"""Linkage queries over power_facility, power_meter, power_channel, power_link and power_order,
and the meter and analyser readings they need from measurement.

The only SQL of the power capability. Reads take the viewer's Scope; power data is
not disclosure data, so the public reads none of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.power.model import Facility, FacilityRole, LimitRequirement, LimitWindow, Meter
from ecozone.store.schema import (
    aggregate,
    alert,
    data_mark,
    device,
    enterprise,
    measurement,
    point,
    power_channel,
    power_facility,
    power_factor,
    power_link,
    power_meter,
    power_order,
    power_response,
    stored_file,
    weather_warning,
)

_METER_FIELDS = (
    "id",
    "facility_id",
    "code",
    "rated_kw",
    "rated_current_a",
    "voltage_v",
    "power_factor",
    "ct_ratio",
    "three_phase",
    "off_fraction",
    "low_fraction",
    "learned_off_kw",
    "learned_low_kw",
    "use_learned",
)


def _visible(scope: Scope) -> sa.ColumnElement[bool]:
    return sa.false() if scope.disclosed_only else scope_condition(scope)


def enterprise_by_code(
    conn: sa.Connection, credit_code: str, scope: Scope
) -> dict[str, Any] | None:
    """The enterprise with `credit_code` if `scope` may read its power data."""
    row = (
        conn.execute(
            sa.select(
                enterprise.c.id,
                enterprise.c.credit_code,
                enterprise.c.name,
                enterprise.c.district_id,
            ).where(enterprise.c.credit_code == credit_code, _visible(scope))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def enterprises_with_facilities(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises that have metered facilities, with their counts, visible to `scope`."""
    f = power_facility.c
    stmt = (
        sa.select(
            enterprise.c.id,
            enterprise.c.credit_code,
            enterprise.c.name,
            sa.func.count().filter(f.role == FacilityRole.PRODUCTION.value).label("production"),
            sa.func.count().filter(f.role == FacilityRole.CONTROL.value).label("control"),
        )
        .join(power_facility, f.enterprise_id == enterprise.c.id)
        .where(_visible(scope))
        .group_by(enterprise.c.id, enterprise.c.credit_code, enterprise.c.name)
        .order_by(enterprise.c.name)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def facilities(conn: sa.Connection, enterprise_ids: Iterable[int]) -> list[Facility]:
    """The facilities of the enterprises, with their meters and links, in code order."""
    ids = sorted(set(enterprise_ids))
    if not ids:
        return []
    f = power_facility.c
    rows = (
        conn.execute(
            sa.select(power_facility)
            .where(f.enterprise_id.in_(ids))
            .order_by(f.enterprise_id, f.code)
        )
        .mappings()
        .all()
    )
    facility_ids = [r["id"] for r in rows]
    meters: dict[int, list[Meter]] = defaultdict(list)
    links: dict[int, list[int]] = defaultdict(list)
    if facility_ids:
        stmt = (
            sa.select(*(power_meter.c[name] for name in _METER_FIELDS))
            .where(power_meter.c.facility_id.in_(facility_ids))
            .order_by(power_meter.c.code)
        )
        for m in conn.execute(stmt).mappings():
            meters[m["facility_id"]].append(Meter(**m))
        stmt = sa.select(power_link).where(power_link.c.control_id.in_(facility_ids))
        for link in conn.execute(stmt).mappings():
            links[link["control_id"]].append(link["production_id"])
    return [
        Facility(
            id=r["id"],
            enterprise_id=r["enterprise_id"],
            code=r["code"],
            name=r["name"],
            role=FacilityRole(r["role"]),
            kind=r["kind"],
            point_id=r["point_id"],
            normal_kw=r["normal_kw"],
            commissioned_on=r["commissioned_on"],
            evidence_sha256=r["evidence_sha256"],
            meters=tuple(meters[r["id"]]),
            serves=tuple(sorted(links[r["id"]])),
        )
        for r in rows
    ]


def channels(conn: sa.Connection, meter_ids: Sequence[int]) -> list[dict[str, Any]]:
    """meter_id, point_id, code, quantity and the uploading device's MN of each channel."""
    if not meter_ids:
        return []
    c = power_channel.c
    stmt = (
        sa.select(c.id, c.meter_id, c.point_id, c.code, c.quantity, device.c.mn)
        .outerjoin(device, device.c.point_id == c.point_id)
        .where(c.meter_id.in_(list(meter_ids)))
        .order_by(c.meter_id, c.quantity)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def orders(
    conn: sa.Connection, facility_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[LimitWindow]]:
    """Limit orders overlapping [start, end), per production facility."""
    out: dict[int, list[LimitWindow]] = defaultdict(list)
    if not facility_ids:
        return out
    o = power_order.c
    stmt = (
        sa.select(power_order)
        .where(o.facility_id.in_(list(facility_ids)), o.start < end, o.end > start)
        .order_by(o.start)
    )
    for r in conn.execute(stmt).mappings():
        out[r["facility_id"]].append(
            LimitWindow(
                r["start"], r["end"], LimitRequirement(r["requirement"]), r["quota_kw"], r["level"]
            )
        )
    return out


def readings(
    conn: sa.Connection, pairs: Iterable[tuple[int, str]], start: datetime, end: datetime
) -> dict[tuple[int, str], tuple[list[datetime], list[float]]]:
    """Real-time values (minute means where a device sends no real-time data) of each
    (point, code) over [start, end), in time order."""
    wanted = sorted(set(pairs))
    out: dict[tuple[int, str], tuple[list[datetime], list[float]]] = {}
    if not wanted:
        return out
    m = measurement.c
    value = sa.case((m.kind == "rtd", m.rtd), else_=m.avg)
    stmt = (
        sa.select(m.point_id, m.pollutant, m.kind, m.data_time, value.label("value"))
        .where(
            m.point_id.in_(sorted({p for p, _ in wanted})),
            m.pollutant.in_(sorted({c for _, c in wanted})),
            m.kind.in_(("rtd", "minute")),
            m.data_time >= start,
            m.data_time < end,
        )
        .order_by(m.point_id, m.pollutant, m.kind.desc(), m.data_time)  # rtd before minute
    )
    kinds: dict[tuple[int, str], str] = {}
    for r in conn.execute(stmt):
        key = (r.point_id, r.pollutant)
        if key not in set(wanted) or r.value is None:
            continue
        if kinds.setdefault(key, r.kind) != r.kind:
            continue  # real-time data present: minute means would repeat them
        times, values = out.setdefault(key, ([], []))
        times.append(r.data_time)
        values.append(float(r.value))
    return out


def analyser_series(
    conn: sa.Connection, point_id: int, start: datetime, end: datetime
) -> dict[str, tuple[list[datetime], list[float | None], list[str | None]]]:
    """Minute values and flags of each pollutant an outlet's analyser reported in the range."""
    m = measurement.c
    stmt = (
        sa.select(m.pollutant, m.data_time, m.avg, m.flag)
        .where(m.point_id == point_id, m.kind == "minute", m.data_time >= start, m.data_time < end)
        .order_by(m.pollutant, m.data_time)
    )
    out: dict[str, tuple[list[datetime], list[float | None], list[str | None]]] = {}
    for r in conn.execute(stmt):
        times, values, flags = out.setdefault(r.pollutant, ([], [], []))
        times.append(r.data_time)
        values.append(r.avg)
        flags.append(r.flag)
    return out


def excusing_marks(
    conn: sa.Connection, point_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Declared shutdown and maintenance windows (data marks neither revoked nor rejected)
    per point."""
    out: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if not point_ids:
        return out
    d = data_mark.c
    stmt = sa.select(d.point_id, d.start, d.end).where(
        d.point_id.in_(list(point_ids)),
        d.kind.in_(("shutdown", "maintenance")),
        d.revoked_at.is_(None),
        d.review_state != "rejected",  # a rejected declaration excuses nothing
        d.start < end,
        d.end > start,
    )
    for r in conn.execute(stmt):
        out[r.point_id].append((r.start, r.end))
    return out


def enterprises_at_points(conn: sa.Connection, point_ids: Sequence[int]) -> dict[str, set[int]]:
    """credit code -> the given points that carry its meters' channels or are its control
    facilities' outlets (whose data the linkage reads)."""
    f, c = power_facility.c, power_channel.c
    metered = (
        sa.select(enterprise.c.credit_code, c.point_id)
        .join(power_meter, power_meter.c.id == c.meter_id)
        .join(power_facility, f.id == power_meter.c.facility_id)
        .join(enterprise, enterprise.c.id == f.enterprise_id)
        .where(c.point_id.in_(list(point_ids)))
    )
    outlets = (
        sa.select(enterprise.c.credit_code, f.point_id)
        .join(enterprise, enterprise.c.id == f.enterprise_id)
        .where(f.point_id.in_(list(point_ids)))
    )
    out: dict[str, set[int]] = defaultdict(set)
    for code, point_id in [*conn.execute(metered), *conn.execute(outlets)]:
        out[code].add(point_id)
    return dict(out)


def points_of(conn: sa.Connection, enterprise_id: int) -> dict[str, int]:
    """The enterprise's point ids by code."""
    stmt = sa.select(point.c.code, point.c.id).where(point.c.enterprise_id == enterprise_id)
    return {r.code: r.id for r in conn.execute(stmt)}


def point_by_mn(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    """The point (id, enterprise, kind) whose device has the MN."""
    row = (
        conn.execute(
            sa.select(point.c.id, point.c.enterprise_id, point.c.kind)
            .join(device, device.c.point_id == point.c.id)
            .where(device.c.mn == mn)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def delete_configuration(conn: sa.Connection, enterprise_id: int) -> None:
    """Remove an enterprise's facilities, meters, channels, links and orders (before a
    replacement is written in the same transaction)."""
    ids = sa.select(power_facility.c.id).where(power_facility.c.enterprise_id == enterprise_id)
    meter_ids = sa.select(power_meter.c.id).where(power_meter.c.facility_id.in_(ids))
    conn.execute(power_channel.delete().where(power_channel.c.meter_id.in_(meter_ids)))
    conn.execute(power_factor.delete().where(power_factor.c.facility_id.in_(ids)))
    conn.execute(power_response.delete().where(power_response.c.facility_id.in_(ids)))
    conn.execute(power_meter.delete().where(power_meter.c.facility_id.in_(ids)))
    conn.execute(power_order.delete().where(power_order.c.facility_id.in_(ids)))
    conn.execute(
        power_link.delete().where(
            sa.or_(power_link.c.control_id.in_(ids), power_link.c.production_id.in_(ids))
        )
    )
    conn.execute(power_facility.delete().where(power_facility.c.enterprise_id == enterprise_id))


def insert(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> int:
    """Insert one row; its id."""
    return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def set_evidence(conn: sa.Connection, facility_id: int, sha256: str) -> None:
    conn.execute(
        power_facility.update()
        .where(power_facility.c.id == facility_id)
        .values(evidence_sha256=sha256)
    )


def stored_file_exists(conn: sa.Connection, sha256: str) -> bool:
    found = conn.execute(sa.select(stored_file.c.sha256).where(stored_file.c.sha256 == sha256))
    return found.first() is not None


def insert_factor(conn: sa.Connection, values: dict[str, Any]) -> None:
    conn.execute(power_factor.insert().values(**values))


def factors(conn: sa.Connection, facility_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Emission factors per facility, by pollutant."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if facility_ids:
        stmt = (
            sa.select(power_factor)
            .where(power_factor.c.facility_id.in_(list(facility_ids)))
            .order_by(power_factor.c.facility_id, power_factor.c.pollutant)
        )
        for r in conn.execute(stmt).mappings():
            out[r["facility_id"]].append({str(k): v for k, v in r.items()})  # plain-str keys
    return out


def insert_response(conn: sa.Connection, values: dict[str, Any]) -> None:
    conn.execute(power_response.insert().values(**values))


def responses(conn: sa.Connection, facility_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The emergency lists' rows of the facilities, by facility and level."""
    if not facility_ids:
        return []
    r = power_response.c
    stmt = sa.select(power_response).where(r.facility_id.in_(list(facility_ids)))
    rows = [{str(k): v for k, v in row.items()} for row in conn.execute(stmt).mappings()]
    order = {"yellow": 0, "orange": 1, "red": 2}
    return sorted(rows, key=lambda row: (row["facility_id"], order[row["level"]]))


def warnings_for(
    conn: sa.Connection, district_id: int | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Declared warnings overlapping [start, end) that apply to a district (zone-wide ones
    apply everywhere), oldest first."""
    w = weather_warning.c
    stmt = (
        sa.select(w.id, w.level, w.start, w.end, w.district_id)
        .where(w.start < end, w.end > start)
        .where(sa.or_(w.district_id.is_(None), w.district_id == district_id))
        .order_by(w.start, w.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def insert_link(conn: sa.Connection, control_id: int, production_id: int) -> None:
    conn.execute(power_link.insert().values(control_id=control_id, production_id=production_id))


def hourly_energy(
    conn: sa.Connection, channels: Sequence[dict[str, Any]], start: datetime, end: datetime
) -> dict[int, float]:
    """kWh per meter over [start, end) from the hourly means monitoring keeps: the sum of
    hourly mean power (kW × 1 h) for power channels, the counter's rise for energy ones."""
    out: dict[int, float] = defaultdict(float)
    a = aggregate.c
    for c in channels:
        if c["quantity"] not in ("power_kw", "energy_kwh"):
            continue
        where = (
            a.point_id == c["point_id"],
            a.pollutant == c["code"],
            a.kind == "hour",
            a.data_time >= start,
            a.data_time < end,
        )
        if c["quantity"] == "power_kw":
            stmt = sa.select(sa.func.sum(a.avg)).where(*where)
        else:
            stmt = sa.select(sa.func.max(a.max) - sa.func.min(a.min)).where(*where)
        value = conn.execute(stmt).scalar()
        if value is not None:
            out[c["meter_id"]] += float(value)
    return dict(out)


def update_meter(conn: sa.Connection, meter_id: int, values: dict[str, Any]) -> None:
    conn.execute(power_meter.update().where(power_meter.c.id == meter_id).values(**values))


def alerts_of(
    conn: sa.Connection, enterprise_id: int, types: Sequence[str], limit: int = 50
) -> list[dict[str, Any]]:
    """The enterprise's linkage alerts, newest first."""
    stmt = (
        sa.select(
            alert.c.id, alert.c.type, alert.c.start, alert.c.end, alert.c.state, alert.c.detail
        )
        .where(alert.c.enterprise_id == enterprise_id, alert.c.type.in_(list(types)))
        .order_by(alert.c.start.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]
