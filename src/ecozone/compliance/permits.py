"""Discharge permits: import a permit file, put one permit, list and read them.

A permit file is validated whole (permit_file) and against the registry before anything
is written, in one write transaction; permits are matched by number and an imported
permit's limits become exactly those listed, every change audited with before and after.
Reads take the viewer's Scope: a permit outside it answers like a missing one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance import permit_file, rules, store
from ecozone.compliance._usecase import audited, checked_actor, write
from ecozone.compliance.model import (
    ComplianceError,
    ConflictError,
    ImportSummary,
    NotFoundError,
    PermitSpec,
)
from ecozone.store.schema import permit, permit_limit
from ecozone.times import local_time, utc_now


def _iso(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def import_permits(engine: sa.Engine, data: Any, *, actor: str = "permit import") -> ImportSummary:
    """Create or update the permits of a permit file (`{"permits": [...]}`), all or nothing.

    Every problem in the file, and every conflict with the registry (unknown credit code,
    unknown outlet, a permit number stored for another enterprise), is collected into one
    ComplianceError naming each by its path, and then nothing is written. Permits are
    matched by number; an imported permit's limits become exactly those listed. Importing
    the same file twice changes nothing the second time.
    """
    actor = checked_actor(actor)
    specs, errors, warnings = permit_file.parse_permits(data)
    with write(engine) as conn, conn.begin():
        summary = _store_permits(conn, specs, errors, warnings, actor)
    return summary


def put_permit(
    engine: sa.Engine,
    data: Any,
    *,
    actor: str,
    permit_no: str | None = None,
    create_only: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """Create or replace one permit given in the shape of a permit file entry.

    `permit_no`, when given (a URL path), must match the data's. `create_only` refuses a
    permit number that is stored already (ConflictError). Returns the stored permit and
    the warnings.
    """
    actor = checked_actor(actor)
    spec, errors, warnings = permit_file.parse_permit(data)
    if spec is not None and permit_no is not None and spec.permit_no != permit_no.upper():
        errors.append(f"permit.permit_no: {spec.permit_no} differs from {permit_no} in the URL")
    specs = [spec] if spec is not None else []
    with write(engine) as conn, conn.begin():
        if create_only and spec is not None and spec.permit_no in store.stored_permits(conn):
            raise ConflictError(f"permit {spec.permit_no} exists already; use PUT to replace it")
        summary = _store_permits(conn, specs, errors, warnings, actor)
    assert spec is not None
    return get_permit(engine, spec.permit_no), summary.warnings


def _store_permits(
    conn: sa.Connection,
    specs: list[PermitSpec],
    errors: list[str],
    warnings: list[str],
    actor: str,
) -> ImportSummary:
    enterprises = store.enterprise_ids(conn)
    outlets = store.outlets(conn)
    stored = store.stored_permits(conn)
    more_errors, more_warnings = permit_file.check_against_registry(
        specs,
        enterprises=enterprises,
        outlets={
            cc: {code: kind for code, (_, kind) in by_code.items()}
            for cc, by_code in outlets.items()
        },
        stored_permits={no: row["credit_code"] for no, row in stored.items()},
    )
    errors = errors + more_errors
    if errors:
        count = len(errors)
        raise ComplianceError(
            errors,
            heading=f"permits not stored, {count} error{'s' if count != 1 else ''};"
            " nothing was written",
        )
    summary = ImportSummary(warnings=warnings + more_warnings)
    for spec in specs:
        _write_permit(conn, spec, stored.get(spec.permit_no), enterprises, outlets, summary, actor)
    return summary


def _write_permit(
    conn: sa.Connection,
    spec: PermitSpec,
    row: dict[str, Any] | None,
    enterprises: Mapping[str, int],
    outlets: Mapping[str, Mapping[str, tuple[int, str]]],
    summary: ImportSummary,
    actor: str,
) -> None:
    values = {
        "permit_no": spec.permit_no,
        "enterprise_id": enterprises[spec.credit_code],
        "management_class": spec.management_class.value,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
    }
    changed_fields: dict[str, Any] = {}
    if row is None:
        permit_id = store.insert_row(conn, permit, values)
    else:
        permit_id = row["id"]
        changed_fields = {k: v for k, v in values.items() if row[k] != v}
        if changed_fields:
            store.update_row(conn, permit, permit_id, changed_fields)

    by_code = outlets.get(spec.credit_code, {})  # an enterprise may have no outlets yet
    wanted: dict[tuple[int, str, str], dict[str, Any]] = {}
    codes_by_point: dict[int, str] = {}
    for outlet in spec.outlets:
        point_id = by_code[outlet.code][0]
        codes_by_point[point_id] = outlet.code
        for limit in outlet.limits:
            wanted[(point_id, limit.pollutant, limit.basis.value)] = {
                "limit_value": limit.limit_value,
                "unit": limit.unit,
                "standard": limit.standard,
                "annual_cap_t": limit.annual_cap_t,
            }
    existing = {
        (r["point_id"], r["pollutant"], r["basis"]): r
        for r in (store.limits(conn, permit_ids=[permit_id]) if row is not None else [])
    }
    removed = [r["id"] for key, r in existing.items() if key not in wanted]
    store.delete_limits(conn, removed)
    written = 0
    for key, limit_values in wanted.items():
        old = existing.get(key)
        if old is None:
            point_id, pollutant, basis = key
            store.insert_row(
                conn,
                permit_limit,
                {
                    "permit_id": permit_id,
                    "point_id": point_id,
                    "pollutant": pollutant,
                    "basis": basis,
                    **limit_values,
                },
            )
            written += 1
        else:
            diff = {k: v for k, v in limit_values.items() if old[k] != v}
            if diff:
                store.update_row(conn, permit_limit, old["id"], diff)
                written += 1
    summary.limits_written += written
    summary.limits_removed += len(removed)

    def limits_audit(limits: Iterable[tuple[tuple[int, str, str], dict[str, Any]]]) -> list:
        return sorted(
            [
                {
                    "outlet": codes_by_point.get(k[0], k[0]),
                    "pollutant": k[1],
                    "basis": k[2],
                    **{f: v[f] for f in ("limit_value", "unit", "standard", "annual_cap_t")},
                }
                for k, v in limits
            ],
            key=lambda item: (str(item["outlet"]), item["pollutant"], item["basis"]),
        )

    after = {k: _iso(v) for k, v in values.items()} | {"limits": limits_audit(wanted.items())}
    if row is None:
        summary.created.append(spec.permit_no)
        audited(conn, actor, "create", "permit", spec.permit_no, None, after)
    elif changed_fields or written or removed:
        summary.updated.append(spec.permit_no)
        before = {k: _iso(row[k]) for k in values} | {"limits": limits_audit(existing.items())}
        audited(conn, actor, "update", "permit", spec.permit_no, before, after)
    else:
        summary.unchanged.append(spec.permit_no)


def list_permits(
    engine: sa.Engine,
    *,
    credit_code: str | None = None,
    today: date | None = None,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Stored permits in the shape of a permit file entry, with enterprise name and status
    (of the enterprises `scope` may read, when given)."""
    return _read(engine, today, credit_code=credit_code, scope=scope)


def get_permit(
    engine: sa.Engine, permit_no: str, *, today: date | None = None, scope: Scope | None = None
) -> dict[str, Any]:
    """One permit; NotFoundError when it is not stored or outside `scope` (alike)."""
    found = _read(engine, today, permit_no=permit_no.upper(), scope=scope)
    if not found:
        raise NotFoundError(f"no permit {permit_no}")
    return found[0]


def _read(engine: sa.Engine, today: date | None, **filters: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store.permits(conn, **filters)
        limits = store.limits(conn, permit_ids=[row["id"] for row in rows]) if rows else []
    return _permits_out(rows, limits, today)


def _permits_out(
    rows: list[dict[str, Any]], limits: list[dict[str, Any]], today: date | None
) -> list[dict[str, Any]]:
    today = today or local_time(utc_now()).date()
    by_permit: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for limit in limits:
        by_permit[limit["permit_id"]].setdefault(limit["point_code"], []).append(
            {
                "pollutant": limit["pollutant"],
                "limit": limit["limit_value"],
                "unit": limit["unit"],
                "basis": limit["basis"],
                "standard": limit["standard"],
                "annual_cap_t": limit["annual_cap_t"],
            }
        )
    return [
        {
            "permit_no": row["permit_no"],
            "credit_code": row["credit_code"],
            "enterprise": row["enterprise"],
            "class": row["management_class"],
            "valid_from": row["valid_from"].isoformat(),
            "valid_to": row["valid_to"].isoformat(),
            "status": rules.permit_status(row["valid_from"], row["valid_to"], today).value,
            "outlets": [
                {"code": code, "limits": items} for code, items in by_permit[row["id"]].items()
            ],
        }
        for row in rows
    ]
