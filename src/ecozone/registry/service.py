"""Registry use cases: import a registry file, export it, serve devices to the gateway,
and read the registry and the raw frames within the asker's scope.

Import reads the stored registry once, validates the whole file against the
rules and that snapshot, and writes only if nothing was wrong, all in one
transaction; each created or changed row gets an audit entry. Entities are
matched by name (zone, district), credit code (enterprise), code within
their enterprise (point) and point (device); import creates and updates,
never deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.measurements import store as measurements_store
from ecozone.registry import rules, secrets, store
from ecozone.registry.model import (
    DEFAULT_ZONE,
    DeviceInfo,
    ImportSummary,
    PointKind,
    RegistryDocument,
    RegistryError,
    RegistrySnapshot,
    UnknownEnterprise,
)
from ecozone.store.schema import device, district, enterprise, point, zone

_HIDDEN = "***"  # passwords never go into the audit log


def import_registry(
    engine: sa.Engine, data: Any, *, actor: str = "registry import"
) -> ImportSummary:
    """Create or update the zone, districts, enterprises, points and devices of `data`.

    `data` has the shape of a registry file (see docs/storage.md). All-or-
    nothing: every problem in the file, and every conflict with what is
    stored, is collected into one RegistryError, and then nothing is written.
    Importing the same data twice changes nothing the second time. Optional
    fields left out of the file are reset to their defaults on update, except
    device secrets: a password or SM4 key left out or masked stays as stored; a
    point listed without a device keeps the device it has.
    """
    document, errors, warnings = rules.parse_registry(data)
    # IMMEDIATE: on SQLite take the write lock before reading, so the snapshot
    # cannot go stale between validation and writing.
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        stored = store.load_snapshot(conn)
        errors += rules.check_against_registry(document, stored)
        if errors:
            raise RegistryError(errors)
        summary = ImportSummary(warnings=warnings)
        _apply(conn, document, stored, summary, actor)
    return summary


def _diff(row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if row[key] != value}


# Device columns sealed at rest (registry/secrets.py), by the purpose they are sealed for.
SECRET_COLUMNS = {"password": "device.password", "sm4_key": "device.sm4_key"}


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the audit log keeps them: secrets hidden, days as ISO text (JSON)."""

    def shown(key: str, value: Any) -> Any:
        if key in SECRET_COLUMNS:
            return _HIDDEN
        return value.isoformat() if isinstance(value, date) else value

    return {key: shown(key, value) for key, value in values.items()}


def _sealed(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with device secrets sealed for storage."""
    return {
        key: (
            secrets.seal(value, SECRET_COLUMNS[key])
            if key in SECRET_COLUMNS and value is not None
            else value
        )
        for key, value in values.items()
    }


def _opened(row: dict[str, Any]) -> dict[str, Any]:
    """A stored device row with its secrets opened (to compare with a file, or to export)."""
    return {
        key: (secrets.open_optional(value, SECRET_COLUMNS[key]) if key in SECRET_COLUMNS else value)
        for key, value in row.items()
    }


class _Writer:
    """Creates or updates rows, counting them and noting audit entries."""

    def __init__(self, conn: sa.Connection, summary: ImportSummary, actor: str) -> None:
        self.conn = conn
        self.summary = summary
        self.actor = actor
        self.audit: list[dict[str, Any]] = []

    def _note(self, action: str, entity: str, row_id: int, before: Any, after: Any) -> None:
        self.audit.append(
            {
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "entity_id": str(row_id),
                "before": before,
                "after": after,
            }
        )

    def put(
        self, table: sa.Table, row: dict[str, Any] | None, values: dict[str, Any],
        *, secret: bool = False,
    ) -> int:  # fmt: skip
        """Insert `values`, or update `row` to them; returns the row id.

        With `secret`, `row` holds opened secrets and what is written is sealed.
        """
        entity = table.name
        seal = _sealed if secret else dict
        if row is None:
            row_id = store.insert_row(self.conn, table, seal(values))
            self.summary.created[entity] += 1
            self._note("create", entity, row_id, None, _audited(values))
            return row_id
        changes = _diff(row, values)
        if changes:
            store.update_row(self.conn, table, row["id"], seal(changes))
            self.summary.updated[entity] += 1
            before = _audited({key: row[key] for key in changes})
            self._note("update", entity, row["id"], before, _audited(changes))
        else:
            self.summary.unchanged[entity] += 1
        return row["id"]


def _apply(
    conn: sa.Connection,
    document: RegistryDocument,
    stored: RegistrySnapshot,
    summary: ImportSummary,
    actor: str,
) -> None:
    writer = _Writer(conn, summary, actor)
    zone_row = None
    if document.zone in stored.zones:
        zone_row = {"id": stored.zones[document.zone], "name": document.zone}
    zone_id = writer.put(zone, zone_row, {"name": document.zone})

    district_ids = {name: row["id"] for name, row in stored.districts.items()}
    for name in document.districts:
        district_ids[name] = writer.put(
            district, stored.districts.get(name), {"zone_id": zone_id, "name": name}
        )

    devices: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
    for spec in document.enterprises:
        enterprise_id = writer.put(
            enterprise,
            stored.enterprises.get(spec.credit_code),
            {
                "credit_code": spec.credit_code,
                "credit_code_verified": spec.credit_code_verified,
                "name": spec.name,
                "district_id": district_ids[spec.district],
                "industry": spec.industry,
                "address": spec.address,
                "lon": spec.lon,
                "lat": spec.lat,
                "disclosed": spec.disclosed,
            },
        )
        for point_spec in spec.points:
            point_row = stored.points.get((spec.credit_code, point_spec.code))
            point_id = writer.put(
                point,
                point_row,
                {
                    "enterprise_id": enterprise_id,
                    "code": point_spec.code,
                    "name": point_spec.name,
                    "kind": point_spec.kind.value,
                    "reference_o2": point_spec.reference_o2,
                    "lon": point_spec.lon,
                    "lat": point_spec.lat,
                    "district_id": (
                        None if point_spec.district is None else district_ids[point_spec.district]
                    ),
                    "operating_from": point_spec.operating_from,
                },
            )
            if point_spec.device is not None:
                device_spec = point_spec.device
                existing = stored.devices.get(point_id) if point_row is not None else None
                values = {
                    "point_id": point_id,
                    "mn": device_spec.mn,
                    "password": device_spec.password,
                    "st": device_spec.st,
                    "lenient": device_spec.lenient,
                    "sm4_key": device_spec.sm4_key,
                    "encryption_required": device_spec.encryption_required,
                }
                if existing is not None:
                    existing = _opened(existing)
                    # Secrets the file leaves out (or masks) stay as stored.
                    if device_spec.password is None:
                        values["password"] = existing["password"]
                    if device_spec.keep_sm4_key:
                        values["sm4_key"] = existing["sm4_key"]
                devices.append((existing, values))

    # An MN may move between points in one file (even swap): free every MN that
    # changes first, so no intermediate state breaks its uniqueness.
    for existing, values in devices:
        if existing is not None and existing["mn"] != values["mn"]:
            store.update_row(conn, device, existing["id"], {"mn": f"~{existing['id']}"})
    for existing, values in devices:
        writer.put(device, existing, values, secret=True)
    store.insert_audit(conn, writer.audit)


def export_registry(
    engine: sa.Engine, zone_name: str | None = None, *, with_secrets: bool = False
) -> dict[str, Any]:
    """The stored registry of one zone in registry-file shape (import of it changes nothing).

    `zone_name` may be left out when the database holds at most one zone.
    Optional fields are written only when they differ from their defaults. Device
    passwords and SM4 keys are left out (import keeps the stored ones) unless
    `with_secrets`, for a full backup.
    """
    with engine.connect() as conn:
        zones = store.select_zones(conn)
        if zone_name is None:
            if len(zones) > 1:
                names = ", ".join(z["name"] for z in zones)
                raise RegistryError([f"the registry holds several zones: {names}"],
                                    heading="name the zone to export")  # fmt: skip
            if not zones:
                return {"zone": DEFAULT_ZONE, "districts": [], "enterprises": []}
            chosen = zones[0]
        else:
            chosen = next((z for z in zones if z["name"] == zone_name), None)
            if chosen is None:
                names = ", ".join(z["name"] for z in zones) or "none"
                raise RegistryError([f"no zone named {zone_name} (stored: {names})"],
                                    heading="cannot export")  # fmt: skip
        districts, enterprises, points, devices = store.select_zone_registry(conn, chosen["id"])

    district_names = {row["id"]: row["name"] for row in districts}
    points_by_enterprise: dict[int, list[dict[str, Any]]] = {}
    for row in points:
        entry = _export_point(row, devices.get(row["id"]), with_secrets)
        if row["district_id"] is not None:
            entry = {**entry, "district": district_names[row["district_id"]]}
        points_by_enterprise.setdefault(row["enterprise_id"], []).append(entry)
    return {
        "zone": chosen["name"],
        "districts": [row["name"] for row in districts],
        "enterprises": [
            _export_enterprise(row, points_by_enterprise.get(row["id"], [])) for row in enterprises
        ],
    }


def _optional(entry: dict[str, Any], row: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if row[key] is not None:
            entry[key] = row[key]


def _export_enterprise(row: dict[str, Any], points: list[dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {"credit_code": row["credit_code"]}
    if not row["credit_code_verified"]:
        entry["credit_code_verified"] = False
    entry["name"] = row["name"]
    entry["district"] = row["district"]
    _optional(entry, row, "industry", "address", "lon", "lat")
    if row["disclosed"]:
        entry["disclosed"] = True
    entry["points"] = points
    return entry


def _export_point(
    row: dict[str, Any], device_row: dict[str, Any] | None, with_secrets: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": row["code"], "name": row["name"], "kind": row["kind"]}
    _optional(entry, row, "reference_o2", "lon", "lat", "operating_from")
    if device_row is not None:
        opened = _opened(device_row) if with_secrets else device_row
        entry["device"] = {"mn": opened["mn"]}
        if with_secrets:
            entry["device"]["password"] = opened["password"]
        entry["device"]["st"] = opened["st"]
        if opened["lenient"]:
            entry["device"]["lenient"] = True
        if with_secrets and opened["sm4_key"] is not None:
            entry["device"]["sm4_key"] = opened["sm4_key"]
        if opened["encryption_required"]:
            entry["device"]["encryption_required"] = True
    return entry


def load_devices(conn: sa.Connection, mn: str | None = None) -> dict[str, DeviceInfo]:
    """Every registered device by MN (or only the one of `mn`, when registered), with
    what the gateway needs to accept and file its data.

    Secrets come out opened: the gateway compares passwords and decrypts SM4 in memory.
    """
    material = secrets.key_material()
    devices = {}
    for row in store.select_devices(conn, mn):
        key, previous = (
            secrets.open_optional(row[name], "device.sm4_key", material)
            for name in ("sm4_key", "sm4_previous_key")
        )
        devices[row["mn"]] = DeviceInfo(
            mn=row["mn"],
            point_id=row["point_id"],
            password=secrets.open_sealed(row["password"], "device.password", material),
            st=row["st"],
            lenient=row["lenient"],
            credit_code=row["credit_code"],
            point_code=row["point_code"],
            kind=PointKind(row["kind"]),
            reference_o2=row["reference_o2"],
            sm4_key=key.encode("ascii") if key is not None else None,
            sm4_previous_key=previous.encode("ascii") if previous is not None else None,
            sm4_key_changed_at=row["sm4_key_changed_at"],
            encryption_required=row["encryption_required"],
        )
    return devices


def set_device_password(engine: sa.Engine, mn: str, password: str, *, actor: str) -> None:
    """Give a device a new access password (rotation), sealed, with an audit entry.

    The device must be told the same password (CN 1072, set_password) by its
    operator or the platform; frames with the old one are refused from now on.
    """
    problem = rules.check_device_password(password)
    if problem:
        raise RegistryError([problem], heading=f"password of MN {mn} not changed")
    with store.writing(engine) as conn:
        row = store.select_device(conn, mn)
        if row is None:
            raise RegistryError([f"no device has MN {mn}"], heading="password not changed")
        store.update_row(conn, device, row["id"], _sealed({"password": password}))
        audit.record(
            conn, actor=actor, action="rotate_password", entity="device",
            entity_id=str(row["id"]), before={"mn": mn, "password": _HIDDEN},
            after={"mn": mn, "password": _HIDDEN},
        )  # fmt: skip


def replace_sm4_key(engine: sa.Engine, mn: str, new_key: str, *, at: datetime) -> None:
    """HJ 212-2025 CN 1014: the new key becomes current, the old one stays valid for the
    grace period after `at`; audited."""
    if problem := rules.check_sm4_key(new_key):
        raise RegistryError([problem], heading="SM4 key not changed")
    with store.writing(engine) as conn:
        _replace_sm4_key(conn, mn, new_key, at)


def _replace_sm4_key(conn: sa.Connection, mn: str, new_key: str, at: datetime) -> None:
    row = store.select_device(conn, mn)
    if row is None:
        raise RegistryError([f"no device has MN {mn}"], heading="SM4 key not changed")
    store.update_row(conn, device, row["id"], {
        "sm4_key": secrets.seal(new_key, "device.sm4_key"),
        "sm4_previous_key": row["sm4_key"],
        "sm4_key_changed_at": at,
    })  # fmt: skip
    audit.record(
        conn, actor="gateway", action="rotate_sm4_key", entity="device",
        entity_id=str(row["id"]), before={"mn": mn, "sm4_key": _HIDDEN},
        after={"mn": mn, "sm4_key": _HIDDEN, "changed_at": at},
    )  # fmt: skip


# --- reads within a scope (the API's registry lists and raw frames) ----------------------


def list_districts(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """Districts of the zone with the number of their enterprises `scope` may read."""
    with engine.connect() as conn:
        return store.list_districts(conn, scope)


def list_enterprises(
    engine: sa.Engine, scope: Scope, *, district: str | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.list_enterprises(conn, scope, district_name=district)


def get_enterprise(engine: sa.Engine, scope: Scope, credit_code: str) -> dict[str, Any]:
    """One enterprise with its points and devices; UnknownEnterprise also when `scope` may
    not read it, so its existence is not disclosed."""
    with engine.connect() as conn:
        found = store.get_enterprise(conn, scope, credit_code)
    if found is None:
        raise UnknownEnterprise(credit_code)
    return found


def list_points(
    engine: sa.Engine, scope: Scope, *, credit_code: str | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.list_points(conn, scope, credit_code=credit_code)


def list_frames(
    engine: sa.Engine,
    scope: Scope,
    *,
    mn: str | None = None,
    verdict: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest raw frames first, their bytes as escaped text (escape_bytes) with the
    device's password masked (rules.mask_frame_secrets)."""
    with engine.connect() as conn:
        frames = measurements_store.recent_frames(conn, scope, mn=mn, verdict=verdict, limit=limit)
    for frame in frames:
        frame["data"] = rules.mask_frame_secrets(escape_bytes(frame["data"]))
    return frames


_ESCAPES = {0x5C: "\\\\", 0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}


def escape_bytes(data: bytes) -> str:
    """Bytes as readable ASCII text: printable ASCII kept, `\\` `\\r` `\\n` `\\t` and
    every other byte written as an escape (\\xNN), so the text maps back to the bytes."""
    return "".join(
        _ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}")
        for byte in bytes(data)
    )
