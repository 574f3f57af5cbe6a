"""Waste use cases over the seeded 2025 ledger (tests.waste.data, worked by hand there), on
SQLite and PostgreSQL: stock and age, the balance, the class, refused records, the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.waste.data import GENERATOR, OTHER
from typer.testing import CliRunner

from ecozone import cli
from ecozone.accounts.model import Scope
from ecozone.errors import Invalid, NotFound
from ecozone.store.schema import audit_log, waste_entry
from ecozone.waste import service
from ecozone.waste.model import WasteSettings

S = WasteSettings()
ADMIN = Scope(role="admin")


def _count(engine, table=waste_entry):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_years_ledger_balances_by_hand(waste):
    engine, _ids = waste
    b = service.balance(engine, GENERATOR, datetime(2025, 1, 1), datetime(2026, 1, 1), ADMIN, S)
    # generated 9.0 = stock change (9.0 in − 5.2 out) + transferred 5.2
    assert (b["generated"], b["stock_change"], b["transferred"]) == (9.0, 3.8, 5.2)
    assert (b["utilised"], b["disposed"], b["gap"], b["balanced"]) == (0.0, 0.0, 0.0, True)


def test_stock_by_facility_and_code_and_its_age_come_from_the_ledger(waste):
    engine, _ids = waste
    found = service.waste_file(engine, GENERATOR, ADMIN, date(2025, 12, 31), S)
    stock = {s["code"]: s for s in found["stock"]}
    assert set(stock) == {"900-041-49", "900-039-49"}  # 900-249-08 all transferred
    assert stock["900-041-49"]["held_t"] == pytest.approx(3.0)
    assert stock["900-041-49"]["oldest"] == datetime(2025, 3, 20, 10)
    assert stock["900-041-49"]["age_days"] == 286  # day 365 − day 79
    assert stock["900-039-49"]["held_t"] == pytest.approx(0.8)
    assert stock["900-039-49"]["age_days"] == 183  # day 365 − day 182 (07-01)
    (wf01,) = found["facilities"]
    assert wf01["held_t"] == pytest.approx(3.8) and not wf01["over_capacity"]
    # 9.0 t in 2025: under 10 t a year, 登记管理, annual declaration only
    assert found["class"]["class"] == "registered" and found["class"]["periods"] == ["annual"]


def test_the_storage_age_warning_arrives_on_its_day(waste):
    engine, _ids = waste
    before = service.waste_file(engine, GENERATOR, ADMIN, date(2026, 2, 12), S)
    on = service.waste_file(engine, GENERATOR, ADMIN, date(2026, 2, 13), S)
    state = {s["code"]: s["age_state"] for s in before["stock"]}
    assert state["900-041-49"] == "fine"
    assert {s["code"]: s["age_state"] for s in on["stock"]}["900-041-49"] == "approaching"
    over = service.waste_file(engine, GENERATOR, ADMIN, date(2026, 3, 21), S)
    assert {s["code"]: s["age_state"] for s in over["stock"]}["900-041-49"] == "over"


def test_an_unlicensed_receiver_is_refused_naming_why_and_nothing_is_stored(waste):
    engine, ids = waste
    before = _count(engine)
    with pytest.raises(Invalid, match="未核准经营 900-052-31（HW31）"):
        service.record(engine, GENERATOR, kind="transferred", at="2025-12-01T09:00",
                       code="900-052-31", quantity_t=0.5, handler_id=ids["LICENSED"],
                       actor="t")  # fmt: skip
    # LICENSED took 5.2 t in 2025 of its 50: 45 more is over
    with pytest.raises(Invalid, match=r"本年已接收 5\.2 t，再转移 45 t 将超出"):
        service.record(
            engine,
            GENERATOR,
            kind="transferred",
            at="2025-12-01T09:00",
            code="900-041-49",
            quantity_t=45,
            handler_id=ids["LICENSED"],
            actor="t",
        )
    assert _count(engine) == before
    made = service.record(engine, GENERATOR, kind="transferred", at="2025-12-01T09:00",
                          code="900-052-31", quantity_t=0.5, handler_id=ids["BATTERIES"],
                          actor="t")  # fmt: skip
    assert made["name"] == "废铅蓄电池" and made["edition"] == "2025"


def test_taking_out_more_than_in_storage_and_a_wrong_name_are_refused(waste):
    engine, _ids = waste
    before = _count(engine)
    with pytest.raises(Invalid, match=r"库存只有 0\.8 t"):
        service.record(
            engine,
            GENERATOR,
            kind="stored_out",
            at="2025-12-01T09:00",
            code="900-039-49",
            quantity_t=1.0,
            facility="WF01",
            actor="t",
        )
    with pytest.raises(Invalid, match="名称是“废铅蓄电池”"):
        service.record(
            engine,
            GENERATOR,
            kind="generated",
            at="2025-12-01T09:00",
            code="900-052-31",
            name="废矿物油",
            quantity_t=1.0,
            actor="t",
        )
    with pytest.raises(Invalid, match="贮存设施"):
        service.record(
            engine,
            GENERATOR,
            kind="stored_in",
            at="2025-12-01T09:00",
            code="900-039-49",
            quantity_t=1.0,
            facility="WF09",
            actor="t",
        )
    assert _count(engine) == before


def test_a_record_of_2024_is_checked_against_the_2021_edition(waste):
    engine, _ids = waste
    made = service.record(engine, GENERATOR, kind="generated", at="2024-12-31T09:00",
                          code="900-041-49", quantity_t=0.1, actor="t")  # fmt: skip
    assert made["edition"] == "2021"


def test_another_enterprises_waste_answers_like_a_missing_one(waste):
    engine, _ids = waste
    theirs = Scope(role="enterprise", enterprise_ids=frozenset({999}))
    with pytest.raises(NotFound):
        service.waste_file(engine, GENERATOR, theirs, date(2025, 12, 31), S)
    with pytest.raises(NotFound):
        service.record(engine, GENERATOR, kind="generated", at="2025-12-01", code="900-041-49",
                       quantity_t=1, actor="t", scope=theirs)  # fmt: skip
    with pytest.raises(NotFound):
        service.waste_file(engine, GENERATOR, Scope(role="public"), date(2025, 12, 31), S)


def test_the_class_follows_the_ledger_and_a_bureaus_override_wins(waste):
    engine, _ids = waste
    # own disposal makes OTHER 重点 whatever its tonnes
    service.add_facility(engine, OTHER, code="P1", name="贮存点", kind="spot", capacity_t=1,
                         actor="t")  # fmt: skip
    service.record(engine, OTHER, kind="disposed", at="2025-06-01", code="900-041-49",
                   quantity_t=0.2, actor="t")  # fmt: skip
    rows = {e["credit_code"]: e for e in service.enterprises(engine, ADMIN, 2025, S)}
    assert rows[OTHER]["class"] == "key" and rows[OTHER]["periods"] == ["monthly", "annual"]
    service.set_class(engine, GENERATOR, "simplified", "园区统一管理", actor="t")
    rows = {e["credit_code"]: e for e in service.enterprises(engine, ADMIN, 2025, S)}
    assert (rows[GENERATOR]["computed"], rows[GENERATOR]["class"]) == ("registered", "simplified")
    with engine.connect() as conn:
        entities = set(conn.execute(sa.select(audit_log.c.entity)).scalars())
    assert {"waste_entry", "waste_facility", "waste_handler", "waste_generator"} <= entities


def test_the_overview_and_the_declaration(waste):
    engine, _ids = waste
    found = service.overview(engine, ADMIN, 2025)
    gen = {(g["district"], g["hw"]): g["quantity_t"] for g in found["generation"]}
    # HW49: 2.5 + 3.0 + 0.8 + 1.5 = 7.8; HW08: 1.2
    assert gen == {("两江新区", "49"): pytest.approx(7.8), ("两江新区", "08"): pytest.approx(1.2)}
    assert service.sankey(found["flows"])["links"] == [
        {"source": "示例电子厂", "target": "示例危废处置中心", "value": 5.2}
    ]
    rows = {r["code"]: r for r in service.declaration(engine, GENERATOR, 2025, ADMIN)["rows"]}
    assert rows["900-041-49"]["generated"] == pytest.approx(7.0)
    assert rows["900-041-49"]["transferred"] == pytest.approx(4.0)


def test_the_cli_records_and_reads_the_stock(waste, monkeypatch):
    engine, _ids = waste
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    done = runner.invoke(cli.app, ["waste", "record", "--actor", "cli", "--enterprise", GENERATOR,
                                   "--kind", "generated", "--at", "2025-12-02T08:00",
                                   "--code", "900-039-49", "--quantity", "0.3"])  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = runner.invoke(cli.app, ["waste", "stock", "--enterprise", GENERATOR,
                                    "--day", "2025-12-31"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    rows = {r["code"]: r for r in json.loads(shown.output)}
    assert rows["900-041-49"]["age_days"] == 286
    bad = runner.invoke(cli.app, ["waste", "check", "--code", "900-041-49", "--name", "废矿物油"])
    assert bad.exit_code == 2 and "名称是" in bad.output
