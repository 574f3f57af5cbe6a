"""Use cases shared by noise and dust: the construction-site registry, the checks of form
input, and the alerts raised into the alert desk through compliance's one path.

Every change is audited; a refused input raises QualityError naming the field, and nothing is
written. `noise`, `dust` and `sewer` hold the use cases of each capability.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import Condition
from ecozone.quality import store
from ecozone.quality.model import ConstructionSite, QualityError, QualityNotFound, SitePhase
from ecozone.textguard import UnstorableText, check_text
from ecozone.times import as_instant, utc_now


def text(value: str | None, field: str, *, required: bool = True, most: int = 200) -> str:
    """A stripped, storable text field; empty only when not required."""
    value = (value or "").strip()
    if required and not value:
        raise QualityError("required", f"{field}: required", field=field)
    if len(value) > most:
        raise QualityError(
            "too_long", f"{field}: at most {most} characters", field=field, most=most
        )
    try:
        return check_text(value, field)
    except UnstorableText as exc:
        raise QualityError("bad_text", str(exc), field=field) from None


def number(
    value: Any, field: str, *, positive: bool = False, optional: bool = False
) -> float | None:
    """A finite number (positive when asked); None for an empty optional field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise QualityError("required", f"{field}: required", field=field)
    try:
        found = float(value)
    except (TypeError, ValueError):
        raise QualityError(
            "bad_number", f"{field}: {value!r} is not a number", field=field, value=value
        ) from None
    if not math.isfinite(found) or (positive and found <= 0):
        raise QualityError(
            "not_positive",
            f"{field}: must be a positive number, not {value!r}",
            field=field,
            value=value,
        )
    return found


def day(value: date | str | None, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise QualityError(
            "bad_date", f"{field}: {value!r} is not a date YYYY-MM-DD", field=field, value=value
        ) from None


def clock(value: time | str | None, field: str) -> time:
    if isinstance(value, time):
        return value
    raw = (value or "").strip()
    try:
        if len(raw) != 5:
            raise ValueError(raw)
        return time.fromisoformat(raw)
    except ValueError:
        raise QualityError(
            "bad_time", f"{field}: {value!r} is not a time HH:MM", field=field, value=value
        ) from None


# --- construction sites ----------------------------------------------------------------------


def register_site(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    enterprise_id: int | str,
    code: str,
    project: str,
    builder: str,
    area_m2: float | str,
    phase: str,
    actor: str,
) -> ConstructionSite:
    """Add a construction site under an enterprise the scope may read; audited."""
    values = {
        "code": text(code, "code", most=32),
        "project": text(project, "project"),
        "builder": text(builder, "builder"),
        "area_m2": number(area_m2, "area_m2", positive=True),
    }
    try:
        values["phase"] = SitePhase(phase).value
    except ValueError:
        raise QualityError(
            "bad_phase", f"phase {phase!r}: expected one of " + ", ".join(SitePhase), value=phase
        ) from None
    try:
        owner = int(enterprise_id)
    except (TypeError, ValueError):
        raise QualityError("required", "enterprise_id: required", field="enterprise_id") from None
    with engine.begin() as conn:
        if owner not in {e["id"] for e in store.enterprises(conn, scope)}:
            raise QualityNotFound(f"no enterprise with id {owner}")
        if store.site_code_taken(conn, values["code"]):
            raise QualityError(
                "site_taken", f"a site with code {values['code']} exists", code=values["code"]
            )
        site_id = store.insert_site(conn, {**values, "enterprise_id": owner})
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="construction_site",
            entity_id=str(site_id),
            before=None,
            after={**values, "enterprise_id": owner},
        )
        return store.sites(conn, None, site_id)[0]


def sites(engine: sa.Engine, scope: Scope | None) -> list[ConstructionSite]:
    with engine.connect() as conn:
        return store.sites(conn, scope)


def site(engine: sa.Engine, scope: Scope | None, site_id: int) -> ConstructionSite:
    """One site the scope may read; another's answers like a missing one."""
    with engine.connect() as conn:
        found = store.sites(conn, scope, site_id)
    if not found:
        raise QualityNotFound(f"no construction site with id {site_id}")
    return found[0]


def points(engine: sa.Engine, scope: Scope | None, kind: str) -> list[dict[str, Any]]:
    """Points of a kind the scope may read: the choices of a configuration form."""
    with engine.connect() as conn:
        return store.points_of_kind(conn, scope, kind)


def enterprises(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.enterprises(conn, scope)


def site_dict(s: ConstructionSite) -> dict[str, Any]:
    return {**asdict(s), "phase": s.phase.value}


def point_of_kind(
    conn: sa.Connection, point_id: int, kind: str, scope: Scope | None = None
) -> dict[str, Any]:
    """The point, of `kind`; one the scope may not read answers like a missing one."""
    found = store.point_row(conn, point_id)
    visible = scope is None or point_id in {
        p["id"] for p in store.points_of_kind(conn, scope, kind)
    }
    if found is None or (not visible and found["kind"] == kind):
        raise QualityNotFound(f"no point with id {point_id}")
    if found["kind"] != kind:
        raise QualityError(
            "wrong_kind",
            f"point {found['code']} is of kind {found['kind']}, not {kind}",
            code=found["code"],
            kind=kind,
        )
    return found


def raise_alerts(
    engine: sa.Engine,
    conditions: list[Condition],
    owners: Mapping[int, int],
    now: datetime | None = None,
) -> set[int]:
    """Into the alert desk (compliance.evaluation.record_conditions): the point's owner is the
    enterprise the alert goes to; a condition already raised is merged, not repeated."""
    points = {pid: {"enterprise_id": owner} for pid, owner in owners.items()}
    return record_conditions(
        engine, conditions, points, utc_now() if now is None else as_instant(now)
    )
