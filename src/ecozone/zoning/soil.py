"""Use cases of the construction-land soil risk control and remediation list (建设用地土壤
污染风险管控和修复名录, plan item 15; 土壤污染防治法 arts. 58-66): list a site, move its
status with a dated step, record a land-use change (flagged while the site is listed) and
attach documents (ecozone.files). Every change is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone import files
from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.textguard import check_optional, check_text
from ecozone.zoning import rules, store
from ecozone.zoning.model import SoilStatus, ZoningError, ZoningNotFound
from ecozone.zoning.service import parse_day


def read_number(value: Any, what: str, *, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ZoningError(f"{what} {value!r}: expected a number") from None
    if not low <= number <= high:
        raise ZoningError(f"{what} {number:g}: expected {low:g} to {high:g}")
    return number


def read_optional(value: Any, what: str, low: float, high: float) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    return read_number(value, what, low=low, high=high)


def read_text(text: Any, what: str, limit: int) -> str:
    value = check_text(str(text or "").strip(), what)
    if not value:
        raise ZoningError(f"{what}: required")
    if len(value) > limit:
        raise ZoningError(f"{what}: at most {limit} characters")
    return value


def parse_status(text: str) -> SoilStatus:
    try:
        return SoilStatus(text.strip())
    except ValueError:
        allowed = ", ".join(s.value for s in SoilStatus)
        raise ZoningError(f"status {text!r}: expected one of {allowed}") from None


def list_site(
    engine: sa.Engine, *, code: str, name: str, owner: str, area_m2: Any, pollutants: Any,
    land_use: str, listed_on: date | str, district: str | None = None,
    address: str | None = None, lon: Any = None, lat: Any = None, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Put a site on the list (status listed from `listed_on`)."""
    items = pollutants if isinstance(pollutants, list) else rules.split_items(pollutants)
    values = {
        "code": read_text(code, "code", 50), "name": read_text(name, "name", 200),
        "owner": read_text(owner, "owner", 200),
        "area_m2": read_number(area_m2, "area (m²)", low=0.01, high=1e9),
        "pollutants": [check_text(p, "pollutant")[:100] for p in items],
        "land_use": read_text(land_use, "land use", 100),
        "address": (check_optional(address, "address") or None),
        "lon": read_optional(lon, "longitude", -180, 180),
        "lat": read_optional(lat, "latitude", -90, 90),
    }  # fmt: skip
    if not values["pollutants"]:
        raise ZoningError("pollutants: name at least one")
    day = parse_day(listed_on, "listed on")
    with engine.begin() as conn:
        district_id = None
        if district:
            district_id = store.district_id(conn, district.strip())
            if district_id is None:
                raise ZoningError(f"district {district!r}: not a district of the zone")
        if store.site_by_code(conn, values["code"]) is not None:
            raise ZoningError(f"site {values['code']}: already on the list")
        made = store.insert_site(conn, {
            **values, "district_id": district_id, "status": SoilStatus.LISTED.value,
            "listed_on": day, "status_since": day, "created_by": actor,
        })  # fmt: skip
        store.insert_event(conn, {"site_id": made, "kind": "listed", "on_date": day,
                                  "after": SoilStatus.LISTED.value, "actor": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="soil_site", entity_id=str(made),
                     before=None, after={**values, "listed_on": day.isoformat()})  # fmt: skip
    return {"id": made, **values}


def sites(engine: sa.Engine, scope: Scope | None, status: str | None = None) -> list[dict]:
    if status:
        status = parse_status(status).value
    with engine.connect() as conn:
        return store.sites(conn, scope, status=status)


def site(engine: sa.Engine, scope: Scope | None, site_id: int) -> dict[str, Any]:
    """One site with its history; another district's answers like a missing one."""
    with engine.connect() as conn:
        found = store.sites(conn, scope, site_id)
        if not found:
            raise ZoningNotFound(f"no soil site with id {site_id}")
        return {
            **found[0],
            "events": store.events(conn, site_id),
            "next": [s.value for s in rules.SOIL_STEPS[SoilStatus(found[0]["status"])]],
        }


def move_status(
    engine: sa.Engine, scope: Scope | None, site_id: int, to: str, on_date: date | str,
    note: str = "", *, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Step a site to status `to` on `on_date` (not before its current status began), as
    rules.SOIL_STEPS allows."""
    target = parse_status(to)
    day = parse_day(on_date, "date")
    note = check_optional(note, "note", multiline=True) or ""
    with engine.begin() as conn:
        found = store.sites(conn, scope, site_id)
        if not found:
            raise ZoningNotFound(f"no soil site with id {site_id}")
        current = SoilStatus(found[0]["status"])
        rules.soil_step(current, target)
        if day < found[0]["status_since"]:
            raise ZoningError(f"date {day}: before the current status began "
                              f"({found[0]['status_since']})")  # fmt: skip
        store.update_site(conn, site_id, {"status": target.value, "status_since": day})
        store.insert_event(conn, {"site_id": site_id, "kind": "status", "on_date": day,
                                  "before": current.value, "after": target.value,
                                  "note": note[:1000] or None, "actor": actor})  # fmt: skip
        audit.record(conn, actor=actor, action="update", entity="soil_site",
                     entity_id=str(site_id), before={"status": current.value},
                     after={"status": target.value, "on_date": day.isoformat()})  # fmt: skip
    return site(engine, scope, site_id)


def change_land_use(
    engine: sa.Engine, scope: Scope | None, site_id: int, land_use: str, on_date: date | str,
    note: str = "", *, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Record a new land use; flagged when the site is still on the list (rules.
    land_use_flagged). Returns the event with its flag."""
    use = read_text(land_use, "land use", 100)
    day = parse_day(on_date, "date")
    note = check_optional(note, "note", multiline=True) or ""
    with engine.begin() as conn:
        found = store.sites(conn, scope, site_id)
        if not found:
            raise ZoningNotFound(f"no soil site with id {site_id}")
        before = found[0]["land_use"]
        if use == before:
            raise ZoningError(f"land use is already {use}")
        flagged = rules.land_use_flagged(SoilStatus(found[0]["status"]))
        store.update_site(conn, site_id, {"land_use": use})
        event = store.insert_event(conn, {
            "site_id": site_id, "kind": "land_use", "on_date": day, "before": before,
            "after": use, "flagged": flagged, "note": note[:1000] or None, "actor": actor,
        })  # fmt: skip
        audit.record(conn, actor=actor, action="update", entity="soil_site",
                     entity_id=str(site_id), before={"land_use": before},
                     after={"land_use": use, "flagged": flagged})  # fmt: skip
    return {"id": event, "flagged": flagged, "before": before, "after": use}


def attach_document(
    engine: sa.Engine, scope: Scope | None, site_id: int, filename: str, content: bytes,
    on_date: date | str, note: str = "", *, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Keep a document of the site (survey report, control plan, assessment) through
    ecozone.files: PDF or photo, checked before anything is stored."""
    upload = files.check_upload(filename, content)
    day = parse_day(on_date, "date")
    note = check_optional(note, "note", multiline=True) or ""
    with engine.begin() as conn:
        if not store.sites(conn, scope, site_id):
            raise ZoningNotFound(f"no soil site with id {site_id}")
        digest = files.save(conn, upload, content)
        event = store.insert_event(conn, {
            "site_id": site_id, "kind": "document", "on_date": day, "file_sha256": digest,
            "file_name": upload.name, "note": note[:1000] or None, "actor": actor,
        })  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="soil_site_document",
                     entity_id=str(event), before=None,
                     after={"site_id": site_id, "file": upload.name, "sha256": digest})  # fmt: skip
    return {"id": event, "sha256": digest, "name": upload.name}


def document(
    engine: sa.Engine, scope: Scope | None, site_id: int, sha256: str
) -> tuple[str, str, bytes]:
    """(name, media type, content) of a document of a site the scope may read."""
    with engine.connect() as conn:
        if not store.sites(conn, scope, site_id):
            raise ZoningNotFound(f"no soil site with id {site_id}")
        found = store.event_file(conn, site_id, sha256)
        if found is None:
            raise ZoningNotFound("no such document of this site")
        media, content = files.load(conn, sha256)
    return found["file_name"], media, content


def districts(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return store.districts(conn)
