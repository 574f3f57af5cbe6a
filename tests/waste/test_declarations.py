"""Declarations (HJ 1259-2022 申报): periods and deadlines worked by hand, filing one from the
ledger, and the due and late alerts, on the seeded ledger (tests.waste.data: GENERATOR made
9.0 t in 2025, so it is 登记 and owes the annual declaration only)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from tests.waste.data import GENERATOR, OTHER
from typer.testing import CliRunner

from ecozone import cli, config
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance.model import WorkCalendar
from ecozone.store.schema import alert, audit_log
from ecozone.waste import checks, declarations, rules, service
from ecozone.waste.model import DeclarationState, Period, WasteError, WasteSettings

S = WasteSettings()


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


# --- periods and deadlines ------------------------------------------------------------------


def test_the_annual_declaration_is_due_on_31_march_and_late_the_day_after():
    p = rules.declaration_period(Period.ANNUAL, "2025", S)
    assert (p.start, p.end, p.due) == (date(2025, 1, 1), date(2026, 1, 1), date(2026, 3, 31))
    assert rules.declaration_state(p, False, date(2026, 3, 20), S) is DeclarationState.OPEN
    # ten warning days: due from 21 March, still due on the deadline itself
    assert rules.declaration_state(p, False, date(2026, 3, 21), S) is DeclarationState.DUE
    assert rules.declaration_state(p, False, date(2026, 3, 31), S) is DeclarationState.DUE
    assert rules.declaration_state(p, False, date(2026, 4, 1), S) is DeclarationState.LATE
    assert rules.declaration_state(p, True, date(2026, 4, 1), S) is DeclarationState.FILED


def test_monthly_and_quarterly_deadlines_follow_the_settings():
    # default: the 15th of the month after the period
    dec = rules.declaration_period(Period.MONTHLY, "2025-12", S)
    assert (dec.start, dec.end, dec.due) == (date(2025, 12, 1), date(2026, 1, 1), date(2026, 1, 15))
    q4 = rules.declaration_period(Period.QUARTERLY, "2025-Q4", S)
    assert (q4.start, q4.end, q4.due) == (date(2025, 10, 1), date(2026, 1, 1), date(2026, 1, 15))
    q2 = rules.declaration_period(Period.QUARTERLY, "2026-Q2", WasteSettings(quarterly_due_day=20))
    assert (q2.start, q2.end, q2.due) == (date(2026, 4, 1), date(2026, 7, 1), date(2026, 7, 20))
    assert rules.declaration_state(dec, False, date(2026, 1, 16), S) is DeclarationState.LATE


def test_the_due_days_are_settings_of_a_day_that_every_month_has():
    found = config.waste_settings({"ECOZONE_WASTE_MONTHLY_DUE_DAY": "10"})
    assert rules.declaration_period(Period.MONTHLY, "2026-01", found).due == date(2026, 2, 10)
    with pytest.raises(WasteError, match="ECOZONE_WASTE_QUARTERLY_DUE_DAY"):
        config.waste_settings({"ECOZONE_WASTE_QUARTERLY_DUE_DAY": "31"})


def test_bad_labels_are_refused_naming_the_label():
    for period, label in ((Period.MONTHLY, "2025-13"), (Period.ANNUAL, "2025-Q1"),
                          (Period.QUARTERLY, "2025-Q5"), (Period.MONTHLY, "25-01")):  # fmt: skip
        with pytest.raises(WasteError, match=label):
            rules.declaration_period(period, label, S)


def test_the_latest_ended_periods_of_each_kind():
    day = date(2026, 2, 3)
    assert [p.label for p in rules.ended_periods(Period.MONTHLY, day, 3, S)] == [
        "2026-01", "2025-12", "2025-11"]  # fmt: skip
    assert [p.label for p in rules.ended_periods(Period.QUARTERLY, day, 2, S)] == [
        "2025-Q4", "2025-Q3"]  # fmt: skip
    assert [p.label for p in rules.ended_periods(Period.ANNUAL, day, 2, S)] == ["2025", "2024"]


# --- filing ----------------------------------------------------------------------------------


def test_filing_records_the_ledger_figures_and_is_immutable(waste):
    engine, _ids = waste
    made = declarations.file(engine, GENERATOR, "annual", "2025", actor="ent", settings=S,
                             now=cst("2026-03-02T10:00"))  # fmt: skip
    assert made["late"] is False and made["due"] == date(2026, 3, 31)
    rows = {r["code"]: r for r in made["rows"]}
    # tests.waste.data: 900-041-49 generated 2.5 + 3.0 + 1.5, out 4.0, transferred 4.0
    assert rows["900-041-49"]["generated"] == 7.0 and rows["900-041-49"]["transferred"] == 4.0
    assert rows["900-249-08"]["stored_out"] == 1.2 and rows["900-039-49"]["stored_in"] == 0.8
    with pytest.raises(WasteError, match="已经提交"):
        declarations.file(engine, GENERATOR, "annual", "2025", actor="ent", settings=S,
                          now=cst("2026-03-03T10:00"))  # fmt: skip
    # a later ledger record does not change what was filed
    service.record(engine, GENERATOR, kind="generated", at="2025-12-30T09:00", code="900-041-49",
                   quantity_t=1, actor="t")  # fmt: skip
    (kept,) = declarations.register(engine, GENERATOR, SYSTEM_SCOPE,
                                    date(2026, 3, 4), S)["filed"]  # fmt: skip
    assert {r["code"]: r for r in kept["rows"]}["900-041-49"]["generated"] == 7.0
    with engine.connect() as conn:
        logged = conn.execute(sa.select(audit_log.c.entity).where(
            audit_log.c.entity == "waste_declaration")).all()  # fmt: skip
    assert len(logged) == 1


def test_filing_is_refused_before_the_end_for_a_period_not_owed_and_marked_late(waste):
    engine, _ids = waste
    with pytest.raises(WasteError, match="尚未结束"):
        declarations.file(engine, GENERATOR, "annual", "2025", actor="ent", settings=S,
                          now=cst("2025-12-31T23:00"))  # fmt: skip
    # 登记: no quarterly declaration owed
    with pytest.raises(WasteError, match="不需要 quarterly"):
        declarations.file(engine, GENERATOR, "quarterly", "2025-Q4", actor="ent", settings=S,
                          now=cst("2026-01-05T10:00"))  # fmt: skip
    late = declarations.file(engine, GENERATOR, "annual", "2025", actor="ent", settings=S,
                             now=cst("2026-04-01T09:00"))  # fmt: skip
    assert late["late"] is True


def test_a_key_generator_owes_monthly_declarations(waste):
    engine, _ids = waste
    service.set_class(engine, GENERATOR, "key", "自行利用设施", actor="t")
    found = declarations.register(engine, GENERATOR, SYSTEM_SCOPE,
                                  date(2026, 1, 20), S)  # fmt: skip
    owed = {(o["period"], o["label"]): o["state"] for o in found["owed"]}
    # 2025-12 was due on 2026-01-15: late; the 2025 annual one is open until March
    assert owed[("monthly", "2025-12")] == "late"
    assert owed[("annual", "2025")] == "open"
    assert ("monthly", "2024-12") not in owed  # before the first ledger record (2025-01-10)
    assert not any(p == "quarterly" for p, _ in owed)


# --- alerts ----------------------------------------------------------------------------------


def _alerts(engine):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(alert).where(alert.c.type.like("waste_declaration%"))
            .order_by(alert.c.id)).mappings()]  # fmt: skip


def test_due_and_late_alerts_on_their_days(waste):
    engine, _ids = waste
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-03-20T12:00"))
    assert _alerts(engine) == []
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-03-21T12:00"))
    (due,) = _alerts(engine)
    assert due["type"] == "waste_declaration_due" and due["start"] == datetime(2026, 3, 21)
    assert due["detail"]["label"] == "2025" and due["detail"]["due"] == "2026-03-31"
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-04-01T12:00"))
    late = [a for a in _alerts(engine) if a["type"] == "waste_declaration_late"]
    assert len(late) == 1 and late[0]["start"] == datetime(2026, 4, 1)
    # OTHER has no ledger and owes nothing
    with engine.connect() as conn:
        other = conn.execute(sa.text("select id from enterprise where credit_code = :c"),
                             {"c": OTHER}).scalar_one()  # fmt: skip
    assert all(a["enterprise_id"] != other for a in _alerts(engine))


def test_a_filed_declaration_raises_no_alert(waste):
    engine, _ids = waste
    declarations.file(engine, GENERATOR, "annual", "2025", actor="ent", settings=S,
                      now=cst("2026-02-01T10:00"))  # fmt: skip
    checks.raise_alerts(engine, S, WorkCalendar(), now=cst("2026-04-02T12:00"))
    assert _alerts(engine) == []


def test_the_cli_files_a_declaration_and_lists_them(waste, monkeypatch):
    engine, _ids = waste
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    done = runner.invoke(cli.app, ["waste", "declare", "--actor", "cli", "--enterprise", GENERATOR,
                                   "--period", "annual", "--label", "2025"])  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = runner.invoke(cli.app, ["waste", "declarations", "--enterprise", GENERATOR,
                                    "--day", "2026-04-02"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert [f["label"] for f in found["filed"]] == ["2025"]
    assert {(o["label"], o["state"]) for o in found["owed"]} == {("2025", "filed")}
    again = runner.invoke(cli.app, ["waste", "declare", "--actor", "cli", "--enterprise",
                                    GENERATOR, "--period", "annual", "--label", "2025"])  # fmt: skip
    assert again.exit_code == 2 and "已经提交" in again.output
