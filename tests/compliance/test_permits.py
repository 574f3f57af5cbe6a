"""Permit import and the permit use cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import date

import pytest
import sqlalchemy as sa
from tests.compliance.conftest import CREDIT_CODE, permit_file

from ecozone.compliance import (
    ComplianceError,
    ConflictError,
)
from ecozone.compliance.permits import get_permit, import_permits, list_permits, put_permit
from ecozone.store.schema import audit_log, permit, permit_limit

PERMIT_NO = "91500000MA5U7AH918001P"


def snapshot(engine: sa.Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        permits = conn.execute(
            sa.select(
                permit.c.permit_no,
                permit.c.valid_from,
                permit.c.valid_to,
                permit.c.management_class,
            ).order_by(permit.c.permit_no)
        ).all()
        limits = conn.execute(
            sa.select(
                permit_limit.c.point_id,
                permit_limit.c.pollutant,
                permit_limit.c.basis,
                permit_limit.c.limit_value,
                permit_limit.c.annual_cap_t,
            ).order_by(permit_limit.c.point_id, permit_limit.c.pollutant)
        ).all()
    return permits, limits


def test_permit_import_is_idempotent_and_replaces_the_limit_list(engine):
    first = import_permits(engine, permit_file(), actor="tester")
    assert first.created == [PERMIT_NO]
    assert first.limits_written == 2  # SO2 at DA001, COD at DW001
    before = snapshot(engine)

    second = import_permits(engine, permit_file(), actor="tester")
    assert (second.created, second.updated, second.unchanged) == ([], [], [PERMIT_NO])
    assert second.limits_written == 0
    assert snapshot(engine) == before

    # the file now lists one changed limit and drops COD: the permit's limits become exactly that
    changed = permit_file(
        stack_limits=[{"pollutant": "a21026", "limit": 35, "unit": "mg/m3", "basis": "hour"}],
        water_limits=[],
    )
    third = import_permits(engine, changed, actor="tester")
    assert third.updated == [PERMIT_NO]
    assert (third.limits_written, third.limits_removed) == (1, 1)
    _, limits = snapshot(engine)
    assert [(lim.pollutant, lim.limit_value, lim.annual_cap_t) for lim in limits] == [
        ("a21026", 35.0, None)
    ]
    with engine.connect() as conn:
        entries = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.entity == "permit")
            .order_by(audit_log.c.id)
        ).all()
    assert entries == [("create", "tester"), ("update", "tester")]

    import_permits(engine, permit_file(), actor="tester")
    [listed] = list_permits(engine, credit_code=CREDIT_CODE, today=date(2025, 6, 1))
    assert listed == get_permit(engine, PERMIT_NO, today=date(2025, 6, 1))
    assert (listed["class"], listed["status"], listed["enterprise"]) == (
        "key",
        "valid",
        "重庆示例热电有限公司",
    )
    assert listed["outlets"][0] == {
        "code": "DA001",
        "limits": [
            {
                "pollutant": "a21026",
                "limit": 100.0,
                "unit": "mg/m3",
                "basis": "hour",
                "standard": "GB 13223-2011",
                "annual_cap_t": 50.0,
            }
        ],
    }
    assert get_permit(engine, PERMIT_NO, today=date(2029, 1, 1))["status"] == "expired"


def test_a_bad_permit_changes_nothing_and_every_bad_entry_is_named(engine):
    import_permits(engine, permit_file(), actor="tester")
    before = snapshot(engine)
    data = permit_file(
        stack_limits=[
            {"pollutant": "a21026", "limit": 80, "unit": "mg/m3", "basis": "hour"},
            {"pollutant": "a21002", "limit": 100, "unit": "mg/m3", "basis": "hour"},
            {"pollutant": "a34013", "limit": 10, "unit": "mg/m3", "basis": "week"},
        ]
    )
    data["permits"][0]["outlets"].append({"code": "DA009", "limits": []})
    with pytest.raises(ComplianceError) as info:
        import_permits(engine, data, actor="tester")
    assert str(info.value).startswith("permits not stored, 2 errors; nothing was written:")
    assert info.value.errors == [
        "permits[0].outlets[0].limits[2].basis: 'week' is not hour or day",
        "permits[0].outlets[2].code: enterprise 91500000MA5U7AH918 has no outlet DA009 in the "
        "registry (its outlets: DA001, DW001)",
    ]
    assert snapshot(engine) == before  # the good change (limit 80) was not written either

    unknown = permit_file(permit_no="91500000MA5U7AH9XX001P")
    unknown["permits"][0]["credit_code"] = "91500000MA5U7AH9XX"
    with pytest.raises(ComplianceError) as info:
        import_permits(engine, unknown, actor="tester")
    assert info.value.errors == [
        "permits[0].credit_code: no enterprise with credit code 91500000MA5U7AH9XX in the registry"
    ]
    assert snapshot(engine) == before

    entry = copy.deepcopy(permit_file()["permits"][0])
    with pytest.raises(ConflictError, match=f"permit {PERMIT_NO} exists already"):
        put_permit(engine, entry, actor="api", create_only=True)
    with pytest.raises(ComplianceError, match="differs from 91500000MA5U7AH918002P in the URL"):
        put_permit(engine, entry, actor="api", permit_no="91500000MA5U7AH918002P")
    with pytest.raises(ComplianceError, match="actor: missing"):
        import_permits(engine, permit_file(), actor=" ")
    assert snapshot(engine) == before

    entry["valid_to"] = "2027-12-31"
    stored, warnings = put_permit(engine, entry, actor="api", permit_no=PERMIT_NO)
    assert stored["valid_to"] == "2027-12-31" and warnings == []


def test_a_permit_without_outlets_for_an_enterprise_without_points_is_stored(engine):
    # A project reaching operation may register its enterprise before any outlet exists.
    from ecozone.registry import import_registry

    import_registry(engine, {"districts": ["两江新区"], "enterprises": [{
        "credit_code": "91500000MA5U7AH93E", "name": "无排口企业", "district": "两江新区"}]})  # fmt: skip
    entry = {"permit_no": "91500000MA5U7AH93E001P", "credit_code": "91500000MA5U7AH93E",
             "class": "simplified", "valid_from": "2026-01-01", "valid_to": "2030-12-31",
             "outlets": []}  # fmt: skip
    stored, _warnings = put_permit(engine, entry, actor="api")
    assert stored["permit_no"] == "91500000MA5U7AH93E001P"
    assert stored["outlets"] == []
