"""A project reaching operation becomes a monitored enterprise: the registry gets its
enterprise (when the builder was not registered) and its outlets as points, and compliance
a permit skeleton for the outlets, so monitoring starts from the approval.

Through the registry's and compliance's own use cases (`import_registry`, `put_permit`), so
the registry's checks and audit apply. Both are idempotent: running the handoff again (a
refused transition retried) changes nothing the second time; a stored permit is kept.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.compliance import permits
from ecozone.compliance.model import ConflictError, PermitClass
from ecozone.projects import rules, store
from ecozone.projects.model import Category, Project
from ecozone.registry import service as registry
from ecozone.store.schema import district, zone

#: The management class the skeleton permit starts with until the bureau sets the real one
#: on the permit page: a 报告书 project is usually 重点管理, a 报告表 简化管理, the rest 登记管理.
SKELETON_CLASS = {
    Category.REPORT: PermitClass.KEY,
    Category.FORM: PermitClass.SIMPLIFIED,
    Category.REGISTRATION: PermitClass.REGISTRATION,
    Category.EXEMPT: PermitClass.REGISTRATION,
}


def _zone_and_district(engine: sa.Engine, district_id: int) -> tuple[str, str]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(zone.c.name.label("zone"), district.c.name)
            .join(zone, zone.c.id == district.c.zone_id)
            .where(district.c.id == district_id)
        ).one()
    return row.zone, row.name


def enterprise_entry(engine: sa.Engine, found: Project) -> tuple[str, dict[str, Any]]:
    """The builder's registry entry after the handoff: as stored (when registered) with the
    project's outlets added, or a new one from the project."""
    zone_name, district_name = _zone_and_district(engine, found.district_id)
    stored = registry.export_registry(engine, zone_name)
    entry = next((e for e in stored["enterprises"] if e["credit_code"] == found.credit_code),
                 None)  # fmt: skip
    if entry is None:
        entry = {"credit_code": found.credit_code, "name": found.builder_name,
                 "district": district_name, "industry": found.industry,
                 "lon": found.lon, "lat": found.lat, "points": []}  # fmt: skip
    have = {p["code"] for p in entry["points"]}
    for outlet in found.outlets:
        if outlet.code in have:
            continue
        point: dict[str, Any] = {"code": outlet.code, "name": outlet.name, "kind": outlet.kind}
        if outlet.lon is not None and outlet.lat is not None:
            point |= {"lon": outlet.lon, "lat": outlet.lat}
        entry["points"].append(point)
    return zone_name, entry


def permit_no(credit_code: str) -> str:
    """The skeleton's number: credit code + 001 + P, the form national permit numbers take
    for an enterprise's first permit."""
    return f"{credit_code}001P"


def to_registry(engine: sa.Engine, found: Project, on: date, *, actor: str) -> int:
    """Register the builder and its outlets, and give it a permit skeleton of those outlets
    valid from `on` for the five years of 排污许可管理条例 art. 14 (no limits yet: the bureau
    enters them); a project without outlets gets none. Returns the enterprise id."""
    zone_name, entry = enterprise_entry(engine, found)
    registry.import_registry(
        engine, {"zone": zone_name, "districts": [entry["district"]], "enterprises": [entry]},
        actor=actor,
    )  # fmt: skip
    if not found.outlets:
        # Nothing to monitor yet: the bureau issues the permit when outlets are known.
        return _enterprise_id(engine, found.credit_code)
    data = {
        "permit_no": permit_no(found.credit_code), "credit_code": found.credit_code,
        "class": SKELETON_CLASS[found.category].value, "valid_from": on.isoformat(),
        "valid_to": rules.permit_valid_to(on).isoformat(),
        "outlets": [{"code": o.code, "limits": []} for o in found.outlets],
    }  # fmt: skip
    # A permit with this number stored already (an earlier run) is kept as it is.
    with contextlib.suppress(ConflictError):
        permits.put_permit(engine, data, actor=actor, create_only=True)
    return _enterprise_id(engine, found.credit_code)


def _enterprise_id(engine: sa.Engine, credit_code: str) -> int:
    with engine.connect() as conn:
        made = store.enterprise_by_code(conn, credit_code)
    assert made is not None, credit_code  # import_registry has just written it
    return int(made["id"])
