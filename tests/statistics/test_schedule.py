"""The scheduled statistical reports: each registered kind generated once per period, only
subscribers who may read a report notified, the stored xlsx and PDF read back, and the
pages' downloads and forms."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from tests.accounts.conftest import CHEAP_HASHER
from tests.statistics.alerts_data import seed_alerts
from tests.web.conftest import clients_for, seeded_zone

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.model import Scope
from ecozone.statistics import schedule, schedule_service
from ecozone.store.schema import district, notification, statistics_report


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sa.Engine, dict]]:
    engine, ids = seeded_zone(f"sqlite:///{tmp_path_factory.mktemp('sched')}/ecozone.db")
    seed_alerts(engine, ids)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_rules, "PASSWORD_HASHER", CHEAP_HASHER)
        for name, role, district in (("boss", "admin", None), ("city", "supervisor", None),
                                     ("lj", "supervisor", "两江新区"),
                                     ("gx", "supervisor", "重庆高新区")):  # fmt: skip
            accounts.create_user(engine, name, f"{name}-password-1", role=role, actor="tests",
                                 district=district)  # fmt: skip
    schedule_service.subscribe(engine, "boss", "alert_handling")
    schedule_service.subscribe(engine, "gx", "alert_handling")  # may not read zone reports
    yield engine, ids
    engine.dispose()


def _count(engine: sa.Engine, table: sa.Table, **where: object) -> int:
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).select_from(table)
        for k, v in where.items():
            stmt = stmt.where(table.c[k] == v)
        return conn.execute(stmt).scalar_one()


def test_the_due_periods_are_last_month_and_last_year():
    assert [p.label for p in schedule.due_periods(date(2025, 4, 2))] == ["2025-03", "2024"]
    assert [p.label for p in schedule.due_periods(date(2025, 4, 2), month_day=5)] == ["2024"]
    assert [p.label for p in schedule.due_periods(date(2025, 1, 3), month_day=5)] == []
    assert [p.label for p in schedule.due_periods(date(2025, 1, 5), month_day=5)] == [
        "2024-12", "2024"]  # fmt: skip


def test_the_schedule_generates_each_period_once_and_notifies_subscribers_only(zone):
    engine, _ids = zone
    made = schedule_service.run_due(engine, date(2025, 4, 2))
    kinds = len(schedule_service.load_kinds())
    assert len(made) == 2 * kinds  # 2025-03 and 2024 of every kind
    assert schedule_service.run_due(engine, date(2025, 4, 20)) == []  # a re-run adds nothing
    assert _count(engine, statistics_report) == 2 * kinds
    # boss subscribed to alert handling: the March and the 2024 report; city did not
    # subscribe; gx subscribed but reads its district only, not the zone's reports
    assert _count(engine, notification, username="boss") == 2
    assert _count(engine, notification, username="city") == 0
    assert _count(engine, notification, username="gx") == 0
    assert schedule_service.unread(engine, "boss") == 2
    rid, fresh = schedule_service.generate(engine, "alert_handling", schedule.month_period(2025, 3))
    assert (rid in made, fresh) == (True, False)


def test_a_district_report_notifies_its_district_and_city_wide_subscribers(zone):
    engine, _ids = zone
    with engine.connect() as conn:
        gx = conn.execute(sa.select(district.c.id).where(district.c.name == "重庆高新区")).scalar_one()
    _rid, fresh = schedule_service.generate(engine, "alert_handling",
                                            schedule.month_period(2025, 2), district_id=gx)  # fmt: skip
    assert fresh
    assert _count(engine, notification, username="gx") == 1
    assert _count(engine, notification, username="boss") == 3
    district_reports = schedule_service.reports(engine, Scope(role="supervisor", district_id=gx))
    assert [r["period"] for r in district_reports] == ["2025-02"]


def test_the_stored_xlsx_and_pdf_read_back(zone, tmp_path):
    engine, _ids = zone
    rid, _ = schedule_service.generate(engine, "alert_handling", schedule.month_period(2025, 3))
    stored = schedule_service.report_file(engine, Scope(role="admin"), rid, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(stored["content"]))
    first = book.worksheets[0]
    assert first["A1"].value == "报警处置统计月报（2025-03）"
    states = {row[0]: row[1] for row in book["各状态报警数"].iter_rows(min_row=2, values_only=True)}
    assert states == {"待处理": 1, "已派发": 2, "已反馈": 0, "已核实": 0, "已办结": 3}
    by_type = list(book["按报警类型"].iter_rows(values_only=True))
    heading = by_type[0]
    exceedance = dict(zip(heading, by_type[1], strict=True))
    assert exceedance["类型"] == "超标"
    assert exceedance["派单用时中位数 h"] == 1.5
    assert exceedance["逾期率 %"] == 50.0
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    pdf = schedule_service.report_file(engine, Scope(role="admin"), rid, "pdf")["content"]
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "报警处置统计月报" in text
    assert "按报警类型" in text


def test_pages_export_download_generate_and_subscribe(zone):
    engine, ids = zone
    schedule_service.generate(engine, "alert_handling", schedule.month_period(2025, 3))
    with clients_for(engine, ids) as client_as:
        admin = client_as("admin")
        page = admin.get("/statistics/alert-handling", params={"period": "2025-03"})
        assert page.status_code == 200
        assert "报警处置统计" in page.text
        xlsx = admin.get("/statistics/alert-handling", params={"period": "2025-03",
                                                               "format": "xlsx"})  # fmt: skip
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert "按区县" in book.sheetnames
        pdf = admin.get("/statistics/environment", params={"period": "2025-03", "format": "pdf"})
        assert pdf.content.startswith(b"%PDF-")
        bad = admin.get("/statistics/alert-handling", params={"period": "2025-13"})
        assert bad.status_code == 400 and "2025-13" in bad.text
        listed = admin.get("/statistics/reports")
        assert "报警处置统计月报（2025-03）" in listed.text
        again = admin.post("/statistics/reports", data={"kind": "alert_handling",
                                                        "period": "2025-03"})  # fmt: skip
        assert again.headers["location"].endswith("done=exists")
        future = admin.post("/statistics/reports", data={"kind": "alert_handling",
                                                         "period": "2099-01"})  # fmt: skip
        assert "error=" in future.headers["location"]
        enterprise = client_as("enterprise")
        assert enterprise.get("/statistics/reports").status_code == 403
        own = enterprise.get("/api/v1/statistics/alert-handling", params={"period": "2025-03"})
        air = admin.get("/api/v1/statistics/environment").json()["air"]
        stations = [r for r in air if r["level"] == "station"]
        assert [r["name"] for r in stations][:1] == ["AQ-LJ01 礼嘉空气站"]
        assert {r["level"] for r in air} == {"zone", "district", "station"}
        assert own.status_code == 200
        assert own.json()["total"]["count"] == 3  # A1, A2, A5: POWER's own
