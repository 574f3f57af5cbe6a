"""Queries of water quality: the sections (table water_section joined to its point) and the
valid daily means of their parameters (table aggregate, kind day, from ecozone.monitoring).

Lists filter with accounts.store.scope_condition; None for a scope means every section.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import aggregate, district, enterprise, point, water_section
from ecozone.waterquality.model import Body, Section, WaterClass

SURFACE_WATER = "surface_water"


def sections(
    conn: sa.Connection, scope: Scope | None, point_id: int | None = None
) -> list[Section]:
    """Configured sections the scope may read (all for None), by district then code."""
    stmt = (
        sa.select(
            point.c.id.label("point_id"), point.c.code, point.c.name,
            enterprise.c.id.label("enterprise_id"), enterprise.c.name.label("enterprise"),
            district.c.name.label("district"), water_section.c.body,
            water_section.c.target_class,
        )
        .select_from(water_section)
        .join(point, point.c.id == water_section.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .order_by(district.c.name, point.c.code, point.c.id)
    )  # fmt: skip
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    if point_id is not None:
        stmt = stmt.where(point.c.id == point_id)
    return [
        Section(**{**row, "body": Body(row["body"]),
                   "target_class": WaterClass(row["target_class"])})
        for row in conn.execute(stmt).mappings()
    ]  # fmt: skip


def surface_point(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    """id, code and kind of a point, and its section's settings if it has them."""
    stmt = (
        sa.select(point.c.id, point.c.code, point.c.kind, water_section.c.body,
                  water_section.c.target_class)
        .select_from(point)
        .outerjoin(water_section, water_section.c.point_id == point.c.id)
        .where(point.c.id == point_id)
    )  # fmt: skip
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def point_by_code(conn: sa.Connection, code: str) -> list[int]:
    """Ids of the surface-water points with this code (codes repeat across enterprises)."""
    stmt = sa.select(point.c.id).where(point.c.code == code, point.c.kind == SURFACE_WATER)
    return list(conn.execute(stmt).scalars())


def save_section(conn: sa.Connection, point_id: int, body: str, target_class: int) -> None:
    """Insert or replace the section settings of a point."""
    conn.execute(sa.delete(water_section).where(water_section.c.point_id == point_id))
    conn.execute(
        sa.insert(water_section).values(point_id=point_id, body=body, target_class=target_class)
    )


def daily_means(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
) -> list[tuple[int, str, datetime, float]]:
    """(point_id, code, day, mean) of the valid daily aggregates with day in [start, end)."""
    if not point_ids:
        return []
    a = aggregate.c
    stmt = (
        sa.select(a.point_id, a.pollutant, a.data_time, a.avg)
        .where(a.point_id.in_(list(point_ids)), a.kind == "day",
               a.pollutant.in_(list(codes)), a.data_time >= start, a.data_time < end,
               a.valid, a.avg.is_not(None))
        .order_by(a.point_id, a.data_time)
    )  # fmt: skip
    return [tuple(row) for row in conn.execute(stmt).all()]  # type: ignore[misc]


def latest_day(conn: sa.Connection, point_ids: Sequence[int]) -> datetime | None:
    """The newest day with a valid daily aggregate at any of the points."""
    if not point_ids:
        return None
    a = aggregate.c
    stmt = sa.select(sa.func.max(a.data_time)).where(
        a.point_id.in_(list(point_ids)), a.kind == "day", a.valid
    )
    return conn.execute(stmt).scalar()
