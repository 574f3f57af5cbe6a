"""The registry's queries over the zone, district, enterprise, point, device and audit_log tables.

The only module of the package with SQL. Registries are small (thousands of
rows), so import reads load whole tables into plain dicts and writes go row
by row inside the caller's transaction. The list reads behind the API take
the caller's Scope and filter in SQL (accounts.store.scope_condition);
device passwords are never selected there, so no response can leak one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import point_district_id, point_scope_condition, scope_condition
from ecozone.registry.model import RegistrySnapshot
from ecozone.store.schema import (
    audit_log,
    device,
    district,
    enterprise,
    pending_device,
    point,
    zone,
)


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that reads then writes; on SQLite it takes the write lock at BEGIN
    (IMMEDIATE), so it waits for the gateway's writer instead of failing as locked."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        yield conn


def load_snapshot(conn: sa.Connection) -> RegistrySnapshot:
    """The whole stored registry, keyed by the names a registry file uses."""
    snapshot = RegistrySnapshot()
    snapshot.zones = {row.name: row.id for row in conn.execute(sa.select(zone.c.id, zone.c.name))}
    snapshot.districts = {
        row["name"]: dict(row) for row in conn.execute(sa.select(district)).mappings()
    }
    enterprises_by_id: dict[int, str] = {}
    for row in conn.execute(sa.select(enterprise)).mappings():
        snapshot.enterprises[row["credit_code"]] = dict(row)
        enterprises_by_id[row["id"]] = row["credit_code"]
    for row in conn.execute(sa.select(point)).mappings():
        snapshot.points[(enterprises_by_id[row["enterprise_id"]], row["code"])] = dict(row)
    snapshot.devices = {
        row["point_id"]: dict(row) for row in conn.execute(sa.select(device)).mappings()
    }
    return snapshot


def insert_row(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> int:
    """Insert one row and return its id."""
    return conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def update_row(conn: sa.Connection, table: sa.Table, row_id: int, values: dict[str, Any]) -> None:
    conn.execute(table.update().where(table.c.id == row_id).values(**values))


def insert_audit(conn: sa.Connection, entries: list[dict[str, Any]]) -> None:
    """Append audit entries: actor, action, entity, entity_id, before, after."""
    if entries:
        conn.execute(audit_log.insert(), entries)


def select_zones(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(sa.select(zone).order_by(zone.c.id)).mappings()]


def select_zone_registry(
    conn: sa.Connection, zone_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[int, dict]]:
    """Districts, enterprises, points and devices (by point id) of one zone, in id order."""
    districts = [
        dict(row)
        for row in conn.execute(
            sa.select(district).where(district.c.zone_id == zone_id).order_by(district.c.id)
        ).mappings()
    ]
    enterprises = [
        dict(row)
        for row in conn.execute(
            sa.select(enterprise, district.c.name.label("district"))
            .join(district, enterprise.c.district_id == district.c.id)
            .where(district.c.zone_id == zone_id)
            .order_by(enterprise.c.id)
        ).mappings()
    ]
    points = [
        dict(row)
        for row in conn.execute(
            sa.select(point)
            .join(enterprise, point.c.enterprise_id == enterprise.c.id)
            .join(district, enterprise.c.district_id == district.c.id)
            .where(district.c.zone_id == zone_id)
            .order_by(point.c.id)
        ).mappings()
    ]
    devices = {
        row["point_id"]: dict(row)
        for row in conn.execute(
            sa.select(device).where(device.c.point_id.in_([p["id"] for p in points]))
        ).mappings()
    }
    return districts, enterprises, points, devices


def select_devices(conn: sa.Connection, mn: str | None = None) -> list[dict[str, Any]]:
    """Every device (or the one of `mn`) with its point and enterprise, as the gateway
    needs them."""
    stmt = (
        sa.select(
            device.c.mn,
            device.c.point_id,
            device.c.password,
            device.c.st,
            device.c.lenient,
            device.c.sm4_key,
            device.c.sm4_previous_key,
            device.c.sm4_key_changed_at,
            device.c.encryption_required,
            enterprise.c.credit_code,
            point.c.code.label("point_code"),
            point.c.kind,
            point.c.reference_o2,
        )
        .join(point, device.c.point_id == point.c.id)
        .join(enterprise, point.c.enterprise_id == enterprise.c.id)
        .order_by(device.c.mn)
    )
    if mn is not None:
        stmt = stmt.where(device.c.mn == mn)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def select_device(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(device).where(device.c.mn == mn)).mappings().first()
    return dict(row) if row is not None else None


def record_device_seen(
    conn: sa.Connection, mn: str, *, seen_at: datetime, protocol: str | None = None
) -> bool:
    """Note that a device was heard from (and which HJ 212 edition it spoke).

    Returns False when no device has this MN. Runs in the caller's transaction.
    """
    values: dict[str, Any] = {"last_seen_at": seen_at}
    if protocol is not None:
        values["protocol"] = protocol
    result = conn.execute(device.update().where(device.c.mn == mn).values(**values))
    return result.rowcount > 0


def select_pending(conn: sa.Connection, logger_sn: str | None = None) -> list[dict[str, Any]]:
    """Pending devices (loggers that sent CN 1001), oldest first; one when `logger_sn` is given."""
    stmt = sa.select(pending_device).order_by(pending_device.c.id)
    if logger_sn is not None:
        stmt = stmt.where(pending_device.c.logger_sn == logger_sn)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def select_point_with_device(
    conn: sa.Connection, credit_code: str, point_code: str
) -> dict[str, Any] | None:
    """A point by its enterprise's credit code and its code, with its device's MN (or None)."""
    stmt = (
        sa.select(point.c.id, point.c.kind, device.c.mn)
        .join(enterprise, point.c.enterprise_id == enterprise.c.id)
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(enterprise.c.credit_code == credit_code, point.c.code == point_code)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


# --- read models of the pages: points, enterprises, districts in a scope -------------------


def _point_select() -> sa.Select:
    return (
        sa.select(
            point.c.id,
            point.c.code,
            point.c.name,
            point.c.kind,
            point.c.reference_o2,
            point.c.lon,
            point.c.lat,
            enterprise.c.id.label("enterprise_id"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise_name"),
            enterprise.c.lon.label("enterprise_lon"),
            enterprise.c.lat.label("enterprise_lat"),
            enterprise.c.disclosed,
            district.c.id.label("district_id"),
            district.c.name.label("district"),
            enterprise.c.district_id.label("enterprise_district_id"),
            device.c.mn,
            device.c.st,
            device.c.protocol,
            device.c.last_seen_at,
        )
        .select_from(
            point.join(enterprise, point.c.enterprise_id == enterprise.c.id)
            .join(district, point_district_id(point) == district.c.id)
            .outerjoin(device, device.c.point_id == point.c.id)
        )
        .order_by(district.c.name, enterprise.c.credit_code, point.c.code)
    )


def points_in_scope(
    conn: sa.Connection, scope: Scope, *, enterprise_id: int | None = None
) -> list[dict[str, Any]]:
    """Monitoring points the scope may list, with their enterprise, district and device."""
    stmt = _point_select().where(point_scope_condition(scope, point))
    if enterprise_id is not None:
        stmt = stmt.where(enterprise.c.id == enterprise_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def get_point(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    row = conn.execute(_point_select().where(point.c.id == point_id)).mappings().first()
    return dict(row) if row is not None else None


def enterprise_by_code(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    stmt = (
        sa.select(enterprise, district.c.name.label("district"))
        .join(district, enterprise.c.district_id == district.c.id)
        .where(enterprise.c.credit_code == credit_code)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def mn_taken(conn: sa.Connection, mn: str) -> bool:
    return conn.execute(sa.select(device.c.id).where(device.c.mn == mn)).first() is not None


def enterprises_in_scope(
    conn: sa.Connection, scope: Scope, *, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(enterprise, district.c.name.label("district"))
        .join(district, enterprise.c.district_id == district.c.id)
        .where(scope_condition(scope))
        .order_by(district.c.name, enterprise.c.name)
    )
    if ids is not None:
        stmt = stmt.where(enterprise.c.id.in_(sorted(ids)))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def districts_in_scope(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Districts a viewer sees on rankings: one for a district's supervisor, else all."""
    stmt = sa.select(district.c.id, district.c.name).order_by(district.c.name)
    if not scope.everything and scope.district_id is not None:
        stmt = stmt.where(district.c.id == scope.district_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- reads for the API and the status page ---------------------------------------------

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


def ping(conn: sa.Connection) -> None:
    """Raise unless the database answers and holds the schema."""
    conn.execute(sa.select(sa.func.count()).select_from(zone)).scalar_one()


def list_districts(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Every district; enterprise_count counts only the enterprises `scope` may read."""
    enterprises = (
        sa.select(sa.func.count())
        .where(enterprise.c.district_id == district.c.id, scope_condition(scope))
        .scalar_subquery()
    )
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


def _enterprise_select(scope: Scope) -> sa.Select[Any]:
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
        .where(scope_condition(scope))
    )


def list_enterprises(
    conn: sa.Connection, scope: Scope, *, district_name: str | None = None
) -> list[dict[str, Any]]:
    """Enterprises `scope` may read by credit code, of one district if named."""
    stmt = _enterprise_select(scope).order_by(enterprise.c.credit_code)
    if district_name is not None:
        stmt = stmt.where(district.c.name == district_name)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def get_enterprise(conn: sa.Connection, scope: Scope, credit_code: str) -> dict[str, Any] | None:
    """One enterprise with its points and each point's device (MN, never the password);
    None when there is none with this credit code or `scope` may not read it."""
    stmt = (
        _enterprise_select(scope)
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
            *(point.c[name] for name in _POINT_FIELDS),
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
        item = {name: point_row[name] for name in _POINT_FIELDS}
        item["device"] = (
            {column.name: point_row[column.name] for column in _DEVICE_COLUMNS}
            if point_row["device_id"] is not None
            else None
        )
        found["points"].append(item)
    return found


def list_points(
    conn: sa.Connection, scope: Scope, *, credit_code: str | None = None
) -> list[dict[str, Any]]:
    """Monitoring points `scope` may read, with enterprise, district and MN."""
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
        .join(district, district.c.id == point_district_id(point))
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(point_scope_condition(scope, point))
        .order_by(enterprise.c.credit_code, point.c.code)
    )
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    return [dict(row) for row in conn.execute(stmt).mappings()]
