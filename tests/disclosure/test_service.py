"""Disclosure on a stored zone (SQLite and PostgreSQL): who must disclose, deadlines, a
report assembled from what the platform holds, publication that freezes a version, the
public reading published versions only, files."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from tests.supervision.conftest import PRINCIPALS, code
from tests.supervision.credit_data import add_decision, add_hours, add_violation

from ecozone.disclosure import render, service
from ecozone.disclosure.model import NOT_HELD, DisclosureError
from ecozone.errors import Conflict, NotFound
from ecozone.store.schema import audit_log, disclosure_report
from ecozone.supervision import credit

NOW = datetime(2026, 10, 1, 2, tzinfo=UTC)  # 10:00 CST
TODAY = date(2026, 10, 1)


@pytest.fixture
def penalty(engine: sa.Engine) -> int:
    v = add_violation(engine, 1, "minor", date(2025, 4, 10), due=date(2025, 5, 10),
                      done=date(2025, 5, 5))  # fmt: skip
    found = add_decision(engine, v, 1, "penalty", 8000, date(2025, 4, 17))
    add_hours(engine, 1, "DA001", datetime(2025, 6, 1), [True] * 10)
    # enterprise 9 (渝北区, no key permit) fined 120000: listed for 2025 as penalised
    big = add_violation(engine, 9, "serious", date(2025, 8, 1))
    add_decision(engine, big, 9, "penalty", 120000, date(2025, 8, 15))
    credit.compute_year(engine, 2025, today=TODAY, actor="admin")
    return found


def test_the_list_holds_key_dischargers_and_the_heavily_fined(
    engine: sa.Engine, penalty: int
) -> None:
    listed = service.obligations(engine, PRINCIPALS["admin"].scope, 2025, today=TODAY)
    assert {x["credit_code"]: x["reasons"] for x in listed} == {
        code(1): ["key_discharger"], code(2): ["key_discharger"], code(3): ["key_discharger"],
        code(9): ["penalised"]}  # fmt: skip
    first = next(x for x in listed if x["credit_code"] == code(1))
    assert first["annual"] == {"due_on": date(2026, 3, 15), "published_on": None,
                               "state": "overdue"}  # fmt: skip
    # decided Thursday 2025-04-17: due the 5th working day, Thursday 2025-04-24
    assert first["temporary"][0]["due_on"] == date(2025, 4, 24)
    assert first["temporary"][0]["state"] == "overdue"
    mine = service.obligations(engine, PRINCIPALS["enterprise"].scope, 2025, today=TODAY)
    assert [x["credit_code"] for x in mine] == [code(1)]


def test_the_annual_report_is_assembled_from_what_the_platform_holds(
    engine: sa.Engine, penalty: int
) -> None:
    made = service.prepare(engine, credit_code=code(1), kind="annual", year=2025,
                           statement="本年度已完成整改。", actor="e", now=NOW,
                           scope=PRINCIPALS["enterprise"].scope)  # fmt: skip
    found = service.report(engine, made["id"], PRINCIPALS["enterprise"].scope)
    c = found["content"]
    assert (found["state"], found["version"], found["due_on"]) == ("draft", 1, date(2026, 3, 15))
    assert c["basics"]["credit_code"] == code(1)
    assert c["management"]["permits"][0]["permit_no"] == "P1"
    assert c["management"]["credit"]["chongqing"]["level"] == "good"  # 100 - 5 + 1 - 3 = 93
    assert c["penalties"][0]["amount_yuan"] == 8000
    assert c["emissions"]["outlets"][0]["code"] == "DA001"
    for section in ("hazardous_waste", "carbon", "emergency"):
        assert c[section] == NOT_HELD
    assert c["rules"]["version"] == "order-24/1"


def test_a_published_version_never_changes_and_preparing_again_starts_the_next(
    engine: sa.Engine, penalty: int
) -> None:
    scope = PRINCIPALS["enterprise"].scope
    first = service.prepare(engine, credit_code=code(1), kind="annual", year=2025, actor="e",
                            now=NOW, scope=scope)  # fmt: skip
    again = service.prepare(engine, credit_code=code(1), kind="annual", year=2025,
                            statement="补充说明", actor="e", now=NOW, scope=scope)  # fmt: skip
    assert again["id"] == first["id"] and again["version"] == 1  # the open draft refreshed
    service.publish(engine, first["id"], actor="e", now=NOW, scope=scope)
    published = service.public_report(engine, first["id"])
    with pytest.raises(Conflict):
        service.publish(engine, first["id"], actor="e", now=NOW, scope=scope)
    second = service.prepare(engine, credit_code=code(1), kind="annual", year=2025,
                             statement="更正", actor="e", now=NOW, scope=scope)  # fmt: skip
    assert (second["version"], second["id"] != first["id"]) == (2, True)
    assert service.public_report(engine, first["id"]) == published
    assert [r["id"] for r in service.public_reports(engine)] == [first["id"]]
    with pytest.raises(NotFound):
        service.public_report(engine, second["id"])  # a draft is not public
    listed = service.obligations(engine, PRINCIPALS["admin"].scope, 2025, today=TODAY)
    state = next(x for x in listed if x["credit_code"] == code(1))["annual"]
    assert (state["published_on"], state["state"]) == (TODAY, "late")  # after 2026-03-15
    with engine.connect() as conn:
        actions = conn.execute(sa.select(audit_log.c.action).where(
            audit_log.c.entity == "disclosure_report")).scalars().all()  # fmt: skip
    assert actions == ["prepare", "prepare", "publish", "prepare"]


def test_a_temporary_report_follows_a_penalty_decision(engine: sa.Engine, penalty: int) -> None:
    made = service.prepare(engine, credit_code=code(1), kind="temporary", penalty_id=penalty,
                           actor="e", now=NOW, scope=PRINCIPALS["enterprise"].scope)  # fmt: skip
    assert (made["year"], made["due_on"]) == (2025, date(2025, 4, 24))
    found = service.report(engine, made["id"], PRINCIPALS["admin"].scope)
    assert found["event"] == f"penalty:{penalty}"
    assert found["content"]["event"]["amount_yuan"] == 8000


def test_bad_requests_are_named_and_change_nothing(engine: sa.Engine, penalty: int) -> None:
    scope = PRINCIPALS["enterprise"].scope
    with pytest.raises(DisclosureError, match="年度：2026"):
        service.prepare(engine, credit_code=code(1), kind="annual", year=2026, actor="e",
                        now=NOW, scope=scope)  # fmt: skip
    with pytest.raises(NotFound):  # someone else's enterprise answers like a missing one
        service.prepare(engine, credit_code=code(2), kind="annual", year=2025, actor="e",
                        now=NOW, scope=scope)  # fmt: skip
    with pytest.raises(NotFound):
        service.prepare(engine, credit_code=code(1), kind="temporary", penalty_id=9999,
                        actor="e", now=NOW, scope=scope)  # fmt: skip
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(disclosure_report)).scalar() == 0


def test_the_report_renders_as_pdf_and_xlsx(engine: sa.Engine, penalty: int) -> None:
    made = service.prepare(engine, credit_code=code(1), kind="annual", year=2025, actor="e",
                           now=NOW)  # fmt: skip
    found = service.report(engine, made["id"], PRINCIPALS["admin"].scope)
    assert render.render_pdf(found).startswith(b"%PDF")
    book = zipfile.ZipFile(io.BytesIO(render.render_xlsx(found)))
    assert "xl/workbook.xml" in book.namelist()
    assert "尚未掌握" in book.read("xl/workbook.xml").decode()


def test_the_annual_report_carries_the_waste_ledger_and_the_carbon_account(
    engine: sa.Engine,
) -> None:
    # The ledger: 2.5 t of 900-041-49 (HW49) generated in June. The energy account:
    # 100,000 kWh of purchased electricity x 0.5703 tCO2/MWh (the carbon market's reporting
    # factor from 2022, energy/data/factors.yaml) = 57.03 t CO2, all of it scope 2.
    from ecozone.accounts.model import SYSTEM_SCOPE
    from ecozone.energy import service as energy
    from ecozone.waste import service as waste

    waste.record(engine, code(1), kind="generated", at="2025-06-01T09:00", code="900-041-49",
                 quantity_t="2.5", actor="t")  # fmt: skip
    energy.record_month(engine, SYSTEM_SCOPE, code(1), "2025-06", {"electricity": "100000"},
                        actor="t")  # fmt: skip
    made = service.prepare(engine, credit_code=code(1), kind="annual", year=2025, actor="e",
                           now=NOW, scope=PRINCIPALS["enterprise"].scope)  # fmt: skip
    c = service.report(engine, made["id"], PRINCIPALS["enterprise"].scope)["content"]
    [line] = c["hazardous_waste"]
    assert (line["code"], line["category"], line["generated"]) == ("900-041-49", "HW49", 2.5)
    assert c["carbon"]["total_t"] == pytest.approx(57.03)
    assert (c["carbon"]["scope1_t"], c["carbon"]["scope2_t"]) == (0, pytest.approx(57.03))
    assert c["emergency"] == NOT_HELD
    found = service.report(engine, made["id"], PRINCIPALS["enterprise"].scope)
    html = render.render_html(found)
    assert 'data-section="hazardous-waste"' in html and "900-041-49" in html
    assert 'data-section="carbon"' in html
    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(render.render_xlsx(found)))
    assert {"危险废物", "碳排放"} <= set(sheets.sheetnames)
    assert sheets["危险废物"]["A2"].value == "900-041-49"
