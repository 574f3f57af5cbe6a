"""Reads behind the annual report: registry, permits, and a year of aggregates, grouped in SQL.

A year of hourly aggregates is never fetched row by row: counts, sums, means
and maxima come back grouped by outlet and pollutant (and flag), so the
database answers the same few queries whatever the number of hours. Only
small tables (permits, limits, alerts, declarations) are read as rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.hj212.codes import DataFlag
from ecozone.store.schema import (
    aggregate,
    alert,
    data_mark,
    device,
    district,
    enterprise,
    permit,
    permit_limit,
    point,
)

Window = tuple[datetime, datetime]


def _within(column: sa.ColumnElement[Any], windows: Sequence[Window]) -> sa.ColumnElement[bool]:
    """column in any of the half-open windows."""
    if not windows:
        return sa.false()
    return sa.or_(*(sa.and_(column >= start, column < end) for start, end in windows))


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _sum(value: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
    return sa.func.coalesce(sa.func.sum(value), 0.0)


def _hours_of_year(year_start: datetime, year_end: datetime, point_ids: Sequence[int]):
    return (
        aggregate.c.point_id.in_(point_ids),
        aggregate.c.kind == "hour",
        aggregate.c.data_time >= year_start,
        aggregate.c.data_time < year_end,
    )


def load_enterprise(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    stmt = (
        sa.select(
            enterprise.c.id,
            enterprise.c.credit_code,
            enterprise.c.name,
            enterprise.c.industry,
            enterprise.c.address,
            district.c.name.label("district"),
        )
        .join(district, district.c.id == enterprise.c.district_id)
        .where(enterprise.c.credit_code == credit_code)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def load_points(conn: sa.Connection, enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's outlets with their device (MN, ST, protocol), by outlet code."""
    stmt = (
        sa.select(
            point.c.id,
            point.c.code,
            point.c.name,
            point.c.kind,
            point.c.reference_o2,
            device.c.mn,
            device.c.st,
            device.c.protocol,
        )
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(point.c.enterprise_id == enterprise_id)
        .order_by(point.c.code)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def load_permits(
    conn: sa.Connection, enterprise_id: int, first_day: date, last_day: date
) -> list[dict[str, Any]]:
    """Permits of the enterprise valid on at least one day of [first_day, last_day]."""
    stmt = (
        sa.select(
            permit.c.id,
            permit.c.permit_no,
            permit.c.management_class,
            permit.c.valid_from,
            permit.c.valid_to,
        )
        .where(
            permit.c.enterprise_id == enterprise_id,
            permit.c.valid_from <= last_day,
            permit.c.valid_to >= first_day,
        )
        .order_by(permit.c.valid_from, permit.c.permit_no)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def load_limits(conn: sa.Connection, permit_ids: Sequence[int]) -> list[dict[str, Any]]:
    """permit_limit rows of the given permits, each with its permit's valid_from."""
    if not permit_ids:
        return []
    stmt = (
        sa.select(
            permit_limit.c.point_id,
            permit_limit.c.pollutant,
            permit_limit.c.limit_value,
            permit_limit.c.unit,
            permit_limit.c.basis,
            permit_limit.c.standard,
            permit_limit.c.annual_cap_t,
            permit.c.valid_from,
        )
        .join(permit, permit.c.id == permit_limit.c.permit_id)
        .where(permit_limit.c.permit_id.in_(permit_ids))
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


#: HJ 212-2017 Table 8 flags, each counted in a column of its own.
_FLAGS = tuple(flag.value for flag in DataFlag)


def hour_statistics(
    conn: sa.Connection,
    point_ids: Sequence[int],
    year_start: datetime,
    year_end: datetime,
    period: Sequence[Window],
) -> tuple[dict[tuple[int, str], dict[str, Any]], dict[tuple[int, str], dict[str | None, int]]]:
    """The year's hourly aggregates summed per outlet and pollutant, in one scan.

    Returns the figures by (point id, pollutant), and by the same key the hours
    of the monitoring `period` that have data but failed validity, by flag (a
    flag Table 8 does not list, or none, under None).
    An hour "has data" when any value went into it (sample_count > 0) or it is
    valid. hours_with_data and valid_hours count hours inside `period`;
    hours_outside_permit counts hours with data outside it. Means, maxima and
    emissions cover the whole year and valid hours only, except
    emission_kg_invalid (hours that failed validity, kept apart).

    Grouping by (outlet, pollutant) follows the table's key, so the scan needs
    no sort; the flags are counted in one column each rather than grouped.
    """
    if not point_ids:
        return {}, {}
    a = aggregate.c
    valid = a.valid == sa.true()
    has_data = sa.or_(a.sample_count > 0, valid)
    in_period = _within(a.data_time, period)
    gap = sa.and_(a.valid == sa.false(), a.sample_count > 0, in_period)
    flag = sa.func.upper(sa.func.trim(a.flag))
    stmt = (
        sa.select(
            a.point_id,
            a.pollutant,
            _count_if(sa.and_(has_data, in_period)).label("hours_with_data"),
            _count_if(sa.and_(valid, in_period)).label("valid_hours"),
            _count_if(sa.and_(has_data, sa.not_(in_period))).label("hours_outside_permit"),
            _count_if(sa.and_(valid, a.avg.is_not(None))).label("avg_count"),
            sa.func.avg(sa.case((valid, a.avg))).label("avg_mean"),
            sa.func.max(sa.case((valid, a.avg))).label("avg_max"),
            _count_if(sa.and_(valid, a.zs_avg.is_not(None))).label("zs_avg_count"),
            sa.func.avg(sa.case((valid, a.zs_avg))).label("zs_avg_mean"),
            sa.func.max(sa.case((valid, a.zs_avg))).label("zs_avg_max"),
            _sum(sa.case((valid, a.emission_kg))).label("emission_kg"),
            _sum(sa.case((sa.not_(valid), a.emission_kg))).label("emission_kg_invalid"),
            _count_if(sa.and_(valid, a.emission_kg.is_(None))).label(
                "valid_hours_without_emission"
            ),
            *(_count_if(sa.and_(gap, flag == f)).label(f"gap_{f}") for f in _FLAGS),
            _count_if(sa.and_(gap, sa.or_(a.flag.is_(None), flag.not_in(_FLAGS)))).label(
                "gap_other"
            ),
        )
        .where(*_hours_of_year(year_start, year_end, point_ids))
        .group_by(a.point_id, a.pollutant)
    )
    stats: dict[tuple[int, str], dict[str, Any]] = {}
    invalid_by_flag: dict[tuple[int, str], dict[str | None, int]] = {}
    for row in conn.execute(stmt).mappings():
        key = (row["point_id"], row["pollutant"])
        stats[key] = dict(row)
        counts: dict[str | None, int] = {f: row[f"gap_{f}"] for f in _FLAGS}
        counts[None] = row["gap_other"]
        invalid_by_flag[key] = {f: n for f, n in counts.items() if n}
    return stats, invalid_by_flag


def valid_hours_in_windows(
    conn: sa.Connection, windows: Mapping[tuple[int, str], Sequence[Window]]
) -> dict[tuple[int, str], int]:
    """Valid hours inside each (outlet, pollutant)'s own windows, counted in one query.

    One condition per window on the aggregate table's whole key (outlet, kind,
    pollutant, time range), so each is a range read of the key's index rather
    than a test of every row of the year.
    """
    a = aggregate.c
    conditions = [
        sa.and_(
            a.point_id == point_id,
            a.kind == "hour",
            a.pollutant == pollutant,
            a.data_time >= start,
            a.data_time < end,
        )
        for (point_id, pollutant), spans in windows.items()
        for start, end in spans
    ]
    if not conditions:
        return {}
    stmt = (
        sa.select(a.point_id, a.pollutant, sa.func.count().label("hours"))
        .where(sa.or_(*conditions), a.valid == sa.true())
        .group_by(a.point_id, a.pollutant)
    )
    return {(row.point_id, row.pollutant): row.hours for row in conn.execute(stmt)}


def _overlaps_year(
    start: sa.ColumnElement[Any],
    end: sa.ColumnElement[Any],
    year_start: datetime,
    year_end: datetime,
) -> sa.ColumnElement[bool]:
    return sa.and_(start < year_end, sa.or_(end.is_(None), end > year_start))


def exceedance_alerts(
    conn: sa.Connection, enterprise_id: int, year_start: datetime, year_end: datetime
) -> list[dict[str, Any]]:
    """Alerts of type 'exceedance' of the enterprise that touch the year, in time order."""
    stmt = (
        sa.select(
            alert.c.point_id,
            alert.c.pollutant,
            alert.c.start,
            alert.c.end,
            alert.c.peak,
            alert.c.limit_value,
            alert.c.state,
        )
        .where(
            alert.c.enterprise_id == enterprise_id,
            alert.c.type == "exceedance",
            _overlaps_year(alert.c.start, alert.c.end, year_start, year_end),
        )
        .order_by(alert.c.start, alert.c.point_id, alert.c.pollutant)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def alert_counts(
    conn: sa.Connection, enterprise_id: int, year_start: datetime, year_end: datetime
) -> list[dict[str, Any]]:
    """Alerts of every type that touch the year, counted by type and state."""
    stmt = (
        sa.select(alert.c.type, alert.c.state, sa.func.count().label("count"))
        .where(
            alert.c.enterprise_id == enterprise_id,
            _overlaps_year(alert.c.start, alert.c.end, year_start, year_end),
        )
        .group_by(alert.c.type, alert.c.state)
        .order_by(alert.c.type, alert.c.state)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def declarations(
    conn: sa.Connection, point_ids: Sequence[int], year_start: datetime, year_end: datetime
) -> list[dict[str, Any]]:
    """Data-marking declarations of the outlets touching the year, revoked ones included."""
    if not point_ids:
        return []
    m = data_mark.c
    stmt = (
        sa.select(
            m.point_id,
            m.pollutant,
            m.kind,
            m.start,
            m.end,
            m.reason,
            m.declared_by,
            m.declared_at,
            m.revoked_at,
        )
        .where(m.point_id.in_(point_ids), m.start < year_end, m.end > year_start)
        .order_by(m.start, m.point_id, m.id)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
