"""The waste checks raised into the alert desk, on the seeded ledger (tests.waste.data)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from tests.waste.data import GENERATOR

from ecozone.compliance.model import WorkCalendar
from ecozone.store.schema import alert
from ecozone.waste import checks, manifests, service
from ecozone.waste.model import WasteSettings

S = WasteSettings()


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def _alerts(engine):
    """The alerts raised, but for the declaration ones (tests/waste/test_declarations.py)."""
    stmt = sa.select(alert).where(alert.c.type.not_like("waste_declaration%")).order_by(alert.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def test_the_storage_age_alert_is_raised_on_its_day_and_merges_after(waste):
    engine, _ids = waste
    # the 900-041-49 lot of 2025-03-20 reaches day 330 on 2026-02-13
    assert checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-02-12T12:00")) == set()
    (made,) = checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-02-13T12:00"))
    (raised,) = _alerts(engine)
    assert (raised["id"], raised["type"], raised["point_id"]) == (made, "waste_storage_age", None)
    assert raised["start"] == datetime(2026, 2, 13) and raised["peak"] == 330
    assert raised["detail"]["code"] == "900-041-49" and raised["detail"]["state"] == "approaching"
    # past the year (day 366) the same alert carries on; no second one
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-03-21T12:00"))
    assert len(_alerts(engine)) == 1


def test_over_capacity_a_broken_balance_and_a_late_manifest(waste):
    engine, ids = waste
    # 25 t into the 20 t store with no generation behind it: over capacity, and unbalanced
    service.record(engine, GENERATOR, kind="stored_in", at="2025-12-20T09:00", code="900-041-49",
                   quantity_t=25, facility="WF01", actor="t")  # fmt: skip
    made = manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-249-08",
                           quantity_t=0.5, settings=S, actor="t", now=cst("2025-12-22T09:00"))
    manifests.act(engine, made["id"], "dispatch", settings=S, calendar=WorkCalendar(), actor="t",
                  vehicle_plate="渝A1", driver="张三", now=cst("2025-12-22T10:00"))  # fmt: skip
    manifests.act(engine, made["id"], "transit", settings=S, calendar=WorkCalendar(), actor="t",
                  now=cst("2025-12-22T11:00"))  # fmt: skip
    # handed over Monday 2025-12-22: due Monday 29 (23, 24, 25, 26, 29); late on the 30th
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2025-12-29T12:00"))
    types = {a["type"] for a in _alerts(engine)}
    assert "waste_manifest_late" not in types
    assert {"waste_over_capacity", "waste_balance"} <= types
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2025-12-30T12:00"))
    late = [a for a in _alerts(engine) if a["type"] == "waste_manifest_late"]
    assert len(late) == 1 and late[0]["detail"]["due"] == "2025-12-29"
    balance = next(a for a in _alerts(engine) if a["type"] == "waste_balance")
    # 2025: generated 9.0 = stock change (34.0 in − 5.2 out) + transferred (5.2 + 0.5) → gap −25.5
    assert balance["peak"] == -25.5


def test_the_desk_lists_and_opens_a_waste_alert(waste):
    from fastapi.testclient import TestClient
    from tests.web.conftest import web_app

    from ecozone.accounts import deps
    from ecozone.accounts.model import Principal
    from ecozone.web import auth

    engine, _ids = waste
    (made,) = checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-02-13T12:00"))
    app = web_app(engine)
    who = Principal(user_id=1, username="supervisor", role="supervisor")
    app.dependency_overrides[auth.current_principal] = lambda: who
    app.dependency_overrides[deps.current_principal] = lambda: who
    with TestClient(app) as client:
        listed = client.get("/alerts")
        assert listed.status_code == 200 and "危废贮存临近或超过一年" in listed.text
        assert client.get(f"/alerts/{made}").status_code == 200
