"""Read models behind the start page and the registry list endpoints.

Plain Core selects returning dicts. List reads take the ids of the
enterprises the caller may see (ecozone.accounts.deps) and filter in SQL.
Device passwords are never selected, so no response can leak one. Figures
over the big tables stay cheap: the latest measurement is one index seek per
point and data kind, and frame counts read only the last hour through the
received_at index.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.store.schema import (
    MEASUREMENT_KINDS,
    device,
    district,
    enterprise,
    measurement,
    point,
    raw_frame,
    zone,
)

# Device columns that may be shown; the password is deliberately absent.
_DEVICE_COLUMNS = (
    device.c.mn,
    device.c.st,
    device.c.protocol,
    device.c.lenient,
    device.c.last_seen_at,
)
_POINT_FIELDS = ("code", "name", "kind", "reference_o2", "lon", "lat")


def zone_names(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.select(zone.c.name).order_by(zone.c.id)).scalars())


def registry_counts(conn: sa.Connection) -> dict[str, int]:
    """How many districts, enterprises, points and devices are registered."""
    count = sa.func.count()
    stmt = sa.select(
        sa.select(count).select_from(district).scalar_subquery().label("districts"),
        sa.select(count).select_from(enterprise).scalar_subquery().label("enterprises"),
        sa.select(count).select_from(point).scalar_subquery().label("points"),
        sa.select(count).select_from(device).scalar_subquery().label("devices"),
    )
    return dict(conn.execute(stmt).mappings().one())


def frame_counts_since(conn: sa.Connection, since: datetime) -> dict[str, int]:
    """Frames received at or after `since` (aware), by verdict; both verdicts always present."""
    stmt = (
        sa.select(raw_frame.c.verdict, sa.func.count())
        .where(raw_frame.c.received_at >= since)
        .group_by(raw_frame.c.verdict)
    )
    counts = {"accepted": 0, "rejected": 0}
    counts.update({verdict: n for verdict, n in conn.execute(stmt)})
    return counts


def latest_data_times(conn: sa.Connection) -> list[dict[str, Any]]:
    """Per point kind (flue_gas, ...): the newest data_time of each data kind, or None."""
    m = measurement.c
    per_point = sa.select(
        point.c.kind.label("point_kind"),
        *(
            sa.select(sa.func.max(m.data_time))
            .where(m.point_id == point.c.id, m.kind == kind)
            .scalar_subquery()
            .label(kind)
            for kind in MEASUREMENT_KINDS
        ),
    ).subquery()
    stmt = (
        sa.select(
            per_point.c.point_kind,
            *(sa.func.max(per_point.c[kind]).label(kind) for kind in MEASUREMENT_KINDS),
        )
        .group_by(per_point.c.point_kind)
        .order_by(per_point.c.point_kind)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def _only(stmt: sa.Select[Any], enterprise_ids: Collection[int] | None) -> sa.Select[Any]:
    """`stmt` limited to these enterprises; None leaves it as it is (all of them)."""
    if enterprise_ids is None:
        return stmt
    return stmt.where(enterprise.c.id.in_(sorted(enterprise_ids)))


def list_districts(
    conn: sa.Connection, *, enterprise_ids: Collection[int] | None = None
) -> list[dict[str, Any]]:
    """Every district; enterprise_count counts only `enterprise_ids` (None: all)."""
    enterprises = _only(
        sa.select(sa.func.count()).where(enterprise.c.district_id == district.c.id),
        enterprise_ids,
    ).scalar_subquery()
    stmt = (
        sa.select(
            district.c.name,
            zone.c.name.label("zone"),
            enterprises.label("enterprise_count"),
        )
        .select_from(district)
        .join(zone, zone.c.id == district.c.zone_id)
        .order_by(district.c.name)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def _enterprise_select() -> sa.Select[Any]:
    points = (
        sa.select(sa.func.count()).where(point.c.enterprise_id == enterprise.c.id).scalar_subquery()
    )
    return (
        sa.select(
            enterprise.c.credit_code,
            enterprise.c.credit_code_verified,
            enterprise.c.name,
            district.c.name.label("district"),
            enterprise.c.industry,
            enterprise.c.address,
            enterprise.c.lon,
            enterprise.c.lat,
            enterprise.c.disclosed,
            points.label("point_count"),
        )
        .select_from(enterprise)
        .join(district, district.c.id == enterprise.c.district_id)
    )


def list_enterprises(
    conn: sa.Connection,
    *,
    district_name: str | None = None,
    enterprise_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Enterprises by credit code, of one district if named, among `enterprise_ids` (None: all)."""
    stmt = _only(_enterprise_select().order_by(enterprise.c.credit_code), enterprise_ids)
    if district_name is not None:
        stmt = stmt.where(district.c.name == district_name)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def get_enterprise(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    """One enterprise with its points and each point's device (MN, never the password)."""
    stmt = (
        _enterprise_select()
        .add_columns(enterprise.c.id)
        .where(enterprise.c.credit_code == credit_code)
    )
    row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    found = dict(row)
    enterprise_id = found.pop("id")
    points = (
        sa.select(
            point.c.code,
            point.c.name,
            point.c.kind,
            point.c.reference_o2,
            point.c.lon,
            point.c.lat,
            device.c.id.label("device_id"),
            *_DEVICE_COLUMNS,
        )
        .select_from(point)
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(point.c.enterprise_id == enterprise_id)
        .order_by(point.c.code)
    )
    found["points"] = []
    for point_row in conn.execute(points).mappings():
        item = {
            name: point_row[name] for name in ("code", "name", "kind", "reference_o2", "lon", "lat")
        }
        item["device"] = (
            {column.name: point_row[column.name] for column in _DEVICE_COLUMNS}
            if point_row["device_id"] is not None
            else None
        )
        found["points"].append(item)
    return found


def list_points(
    conn: sa.Connection,
    *,
    credit_code: str | None = None,
    enterprise_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Monitoring points with enterprise, district and MN, of `enterprise_ids` (None: all)."""
    stmt = (
        sa.select(
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
            district.c.name.label("district"),
            point.c.code,
            point.c.name,
            point.c.kind,
            point.c.lon,
            point.c.lat,
            point.c.reference_o2,
            device.c.mn,
        )
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .join(district, district.c.id == enterprise.c.district_id)
        .outerjoin(device, device.c.point_id == point.c.id)
        .order_by(enterprise.c.credit_code, point.c.code)
    )
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    return [dict(row) for row in conn.execute(_only(stmt, enterprise_ids)).mappings()]


def recent_frames(
    conn: sa.Connection,
    *,
    mn: str | None = None,
    verdict: str | None = None,
    limit: int = 50,
    mns: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """The newest raw frames first, optionally of one MN and one verdict, among `mns`
    (None: every frame, unregistered MNs included)."""
    f = raw_frame.c
    stmt = (
        sa.select(f.id, f.received_at, f.peer, f.mn, f.cn, f.qn, f.verdict, f.reason, f.data)
        .order_by(f.received_at.desc(), f.id.desc())
        .limit(limit)
    )
    if mn is not None:
        stmt = stmt.where(f.mn == mn)
    if verdict is not None:
        stmt = stmt.where(f.verdict == verdict)
    if mns is not None:
        stmt = stmt.where(f.mn.in_(sorted(mns)))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def ping(conn: sa.Connection) -> None:
    """Raise unless the database answers and holds the schema."""
    conn.execute(sa.select(sa.func.count()).select_from(zone)).scalar_one()
