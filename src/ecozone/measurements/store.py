"""Reads behind measurement queries: naming devices, enterprises and outlets as points.

A query names what it wants by MN, credit code and outlet code; these joins
turn the names into point ids (and back into labels for the output), so the
range read itself (ecozone.store.measurements) works on the table's key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.model import PointLabel
from ecozone.store.engine import in_lists
from ecozone.store.measurements import query_measurements
from ecozone.store.schema import MEASUREMENT_KINDS, device, enterprise, measurement, point


def resolve_points(
    conn: sa.Connection,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point_code: str | None = None,
) -> dict[int, PointLabel]:
    """Points matching every name given, by id; empty when none matches them all."""
    stmt = (
        sa.select(point.c.id, point.c.code, device.c.mn)
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(device, device.c.point_id == point.c.id)
    )
    if mn is not None:
        stmt = stmt.where(device.c.mn == mn)
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    if point_code is not None:
        stmt = stmt.where(point.c.code == point_code)
    return {row.id: PointLabel(code=row.code, mn=row.mn) for row in conn.execute(stmt)}


def point_labels(conn: sa.Connection, point_ids: Iterable[int]) -> dict[int, PointLabel]:
    """Outlet code and MN of the given points."""
    ids = sorted(set(point_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(point.c.id, point.c.code, device.c.mn)
        .select_from(point)
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(point.c.id.in_(ids))
    )
    return {row.id: PointLabel(code=row.code, mn=row.mn) for row in conn.execute(stmt)}


def enterprise_exists(conn: sa.Connection, credit_code: str) -> bool:
    stmt = sa.select(enterprise.c.id).where(enterprise.c.credit_code == credit_code)
    return conn.execute(stmt).first() is not None


def device_location(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    """Where the device with MN `mn` is installed: outlet code, credit code and name."""
    stmt = (
        sa.select(
            point.c.code.label("point"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
        )
        .select_from(device)
        .join(point, point.c.id == device.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(device.c.mn == mn)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def point_code_exists(conn: sa.Connection, point_code: str) -> bool:
    stmt = sa.select(point.c.id).where(point.c.code == point_code).limit(1)
    return conn.execute(stmt).first() is not None


def read_measurements(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int] | None,
    pollutant: str | None,
    kind: str,
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    offset: int,
) -> list[dict[str, Any]]:
    """Measurement rows in (data_time, pollutant, point) order; see query_measurements."""
    return query_measurements(
        conn,
        point_ids=point_ids,
        pollutant=pollutant,
        kind=kind,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )


# --- newest data of points, values at a time, series ---------------------------------------


def latest_data(conn: sa.Connection, point_ids: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """Per point, the data kind and data_time of its newest measurement (any kind).

    One index seek per point and kind on (point_id, kind, data_time).
    """
    m = measurement.c
    found: dict[int, tuple[str, datetime]] = {}
    for ids in in_lists(list(point_ids)):
        stmt = sa.select(
            point.c.id,
            *(
                sa.select(sa.func.max(m.data_time))
                .where(m.point_id == point.c.id, m.kind == kind)
                .scalar_subquery()
                .label(kind)
                for kind in MEASUREMENT_KINDS
            ),
        ).where(point.c.id.in_(ids))
        for row in conn.execute(stmt).mappings():
            times = [(row[kind], kind) for kind in MEASUREMENT_KINDS if row[kind] is not None]
            if times:
                newest, kind = max(times, key=lambda pair: pair[0])
                found[row["id"]] = (kind, newest)
    return found


def flags_at(
    conn: sa.Connection, keys: Sequence[tuple[int, str, datetime]]
) -> dict[int, list[str | None]]:
    """The flags of every pollutant at each (point_id, kind, data_time)."""
    m = measurement.c
    flags: dict[int, list[str | None]] = defaultdict(list)
    for part in in_lists(list(keys), 100):
        condition = sa.or_(
            *(sa.and_(m.point_id == p, m.kind == k, m.data_time == t) for p, k, t in part)
        )
        for point_id, flag in conn.execute(sa.select(m.point_id, m.flag).where(condition)):
            flags[point_id].append(flag)
    return flags


def values_at(
    conn: sa.Connection, point_id: int, kind: str, data_time: datetime
) -> list[dict[str, Any]]:
    """Every pollutant's values of one point at one data time."""
    m = measurement.c
    stmt = (
        sa.select(m.pollutant, m.rtd, m.avg, m.min, m.max, m.zs_rtd, m.zs_avg, m.flag, m.data_time)
        .where(m.point_id == point_id, m.kind == kind, m.data_time == data_time)
        .order_by(m.pollutant)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def point_pollutants(conn: sa.Connection, point_id: int, since: datetime) -> list[str]:
    """Pollutant codes a point sent at or after `since` (device time), in code order.

    Naming every data kind lets both engines range-scan (point_id, kind, data_time)
    per kind instead of reading the point's whole history.
    """
    m = measurement.c
    stmt = (
        sa.select(m.pollutant)
        .where(m.point_id == point_id, m.kind.in_(MEASUREMENT_KINDS), m.data_time >= since)
        .group_by(m.pollutant)
        .order_by(m.pollutant)
    )
    return list(conn.execute(stmt).scalars())


def series(
    conn: sa.Connection,
    point_id: int,
    kind: str,
    pollutant: str,
    start: datetime,
    end: datetime,
    *,
    limit: int = 20000,
) -> list[dict[str, Any]]:
    """One pollutant's values over [start, end): rtd/zs_rtd for real-time data, else avg/zs_avg."""
    m = measurement.c
    value, converted = (m.rtd, m.zs_rtd) if kind == "rtd" else (m.avg, m.zs_avg)
    stmt = (
        sa.select(m.data_time, value.label("value"), converted.label("zs_value"), m.flag)
        .where(
            m.point_id == point_id,
            m.kind == kind,
            m.pollutant == pollutant,
            m.data_time >= start,
            m.data_time < end,
        )
        .order_by(m.data_time)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]
