"""Queries of air quality: the air stations, and their valid hourly means over a time range.

One rule picks a station's hourly value: the computed one (table `aggregate`, ecozone.monitoring)
decides where it exists, valid or not; where it does not yet, the device's own hourly value
(table `measurement`, kind hour) counts when its HJ 212 flag is a valid one. Both branches are
one UNION ALL, read in one round trip, through the (point_id, kind, ...) keys of both tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import point_district_id, point_scope_condition
from ecozone.airquality.model import Station
from ecozone.store.schema import aggregate, district, enterprise, measurement, point

AMBIENT_AIR = "ambient_air"


def _station_select() -> sa.Select:
    return (
        sa.select(
            point.c.id.label("point_id"),
            point.c.code,
            point.c.name,
            point.c.lon,
            point.c.lat,
            enterprise.c.id.label("enterprise_id"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
            district.c.name.label("district"),
        )
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(district, district.c.id == point_district_id(point))
        .where(point.c.kind == AMBIENT_AIR)
        .order_by(district.c.name, point.c.code, point.c.id)
    )


def stations(
    conn: sa.Connection,
    *,
    point_ids: Iterable[int] | None = None,
    enterprise_ids: Iterable[int] | None = None,
    scope: Scope | None = None,
) -> list[Station]:
    """Air stations (points of kind ambient_air), optionally only these points, those of these
    enterprises, those `scope` may read (a station in its own district, not its owner's);
    by district, then station code."""
    stmt = _station_select()
    if point_ids is not None:
        stmt = stmt.where(point.c.id.in_(list(point_ids)))
    if enterprise_ids is not None:
        stmt = stmt.where(enterprise.c.id.in_(list(enterprise_ids)))
    if scope is not None:
        stmt = stmt.where(point_scope_condition(scope, point))
    return [Station(**row) for row in conn.execute(stmt).mappings()]


def point_kind(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    """A point's kind and owning enterprise, to say why it is not a station."""
    stmt = sa.select(point.c.kind, point.c.enterprise_id).where(point.c.id == point_id)
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def _valid_hours(
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    valid_flags: Iterable[str],
    unflagged_is_normal: bool,
) -> sa.CompoundSelect:
    """(point_id, pollutant, data_time, avg) of the valid hourly means in [start, end)."""
    a, m = aggregate.c, measurement.c
    computed = sa.select(a.point_id, a.pollutant, a.data_time, a.avg).where(
        a.point_id.in_(list(point_ids)),
        a.kind == "hour",
        a.pollutant.in_(list(codes)),
        a.data_time >= start,
        a.data_time < end,
        a.valid,
        a.avg.is_not(None),
    )
    computed_exists = (
        sa.select(sa.literal(1))
        .where(
            a.point_id == m.point_id,
            a.kind == "hour",
            a.pollutant == m.pollutant,
            a.data_time == m.data_time,
        )
        .exists()
    )
    flag = sa.func.upper(
        sa.func.coalesce(
            sa.func.nullif(sa.func.trim(m.flag), ""), "N" if unflagged_is_normal else ""
        )
    )
    device = sa.select(m.point_id, m.pollutant, m.data_time, m.avg).where(
        m.point_id.in_(list(point_ids)),
        m.kind == "hour",
        m.pollutant.in_(list(codes)),
        m.data_time >= start,
        m.data_time < end,
        m.avg.is_not(None),
        flag.in_(sorted(valid_flags)),
        ~computed_exists,
    )
    return sa.union_all(computed, device)


def _hour_offset(
    dialect: str, column: sa.ColumnElement[Any], start: datetime
) -> sa.ColumnElement[int]:
    """Whole hours from `start` to `column`, computed by the database, so no row carries a
    datetime back to Python (parsing 2.6 M of them was most of a year's evaluation)."""
    if dialect == "sqlite":
        seconds = sa.func.strftime("%s", column) - sa.func.strftime("%s", sa.literal(start))
        return sa.cast(seconds, sa.Integer) / 3600
    seconds = sa.extract("epoch", column - sa.literal(start, sa.DateTime()))
    return sa.cast(sa.func.floor(seconds / 3600), sa.Integer)


def hourly_values(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    valid_flags: Iterable[str],
    unflagged_is_normal: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Valid hourly means of these points and pollutant codes with data_time in [start, end)
    (device time, naive China Standard Time), in no particular order, as four arrays: point
    id, index of the pollutant in `codes`, whole hours from `start`, value."""
    if not point_ids or not codes:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, np.empty(0)
    valid = _valid_hours(point_ids, codes, start, end, valid_flags, unflagged_is_normal).subquery()
    stmt = sa.select(
        valid.c.point_id,
        sa.case({code: index for index, code in enumerate(codes)}, value=valid.c.pollutant),
        _hour_offset(conn.dialect.name, valid.c.data_time, start),
        sa.cast(valid.c.avg, sa.Float),
    )
    # Plain numbers need no result processing: take the driver's tuples straight into NumPy
    # rather than building a SQLAlchemy Row per value.
    rows = conn.execute(stmt).cursor.fetchall()
    table = np.array(rows, dtype=float).reshape(-1, 4)
    as_int = table[:, :3].astype(np.int64)
    return as_int[:, 0], as_int[:, 1], as_int[:, 2], table[:, 3]


def latest_hours(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    since: datetime,
    until: datetime,
    *,
    valid_flags: Iterable[str],
    unflagged_is_normal: bool,
) -> dict[int, datetime]:
    """Per point, the newest hour in [since, until) with a valid hourly mean of any of `codes`."""
    if not point_ids or not codes:
        return {}
    valid = _valid_hours(point_ids, codes, since, until, valid_flags, unflagged_is_normal)
    sub = valid.subquery()
    stmt = sa.select(sub.c.point_id, sa.func.max(sub.c.data_time)).group_by(sub.c.point_id)
    return {pid: newest for pid, newest in conn.execute(stmt).all()}
