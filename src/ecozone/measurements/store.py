"""Reads behind measurement queries: naming devices, enterprises and outlets as points.

A query names what it wants by MN, credit code and outlet code; these joins
turn the names into point ids (and back into labels for the output), so the
range read itself (ecozone.store.measurements) works on the table's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.model import PointLabel
from ecozone.store.measurements import query_measurements
from ecozone.store.schema import device, enterprise, point


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
