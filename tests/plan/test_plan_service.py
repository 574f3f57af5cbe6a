"""Recording progress and reading it back as matrix, measure detail and overview, on SQLite
and PostgreSQL. Today is 2026-10-05 throughout, so under the quarterly cadence the
period due is 2026-Q3 (it ended on 2026-09-30)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from ecozone.plan import service
from ecozone.plan.model import ProgressError, ProgressReport, Status
from ecozone.store.schema import audit_log, plan_progress

TODAY = date(2026, 10, 5)
CELL_KEYS = {"status", "period", "reported_at", "overdue", "responsible"}


def record(engine, at: str = "2026-10-02T08:00", **fields):
    given = {"measure": 10, "unit": "市住房城乡建委", "period": "2026-Q3", "status": "on_track",
             "actor": "coordinator-a"}  # fmt: skip
    given.update(fields)
    now = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return service.record_progress(engine, today=TODAY, now=now, **given)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_report_is_stored_and_audited(engine):
    stored = record(
        engine,
        district="两江新区",
        narrative="绿色建材应用核算制度已执行",
        evidence="https://example.invalid/report.pdf",
        indicators={"green_building_material_share": 72.5},
        due_date="2026-12-31",
    )
    [read] = service.list_progress(engine)
    assert read == stored
    assert read.indicators == {"green_building_material_share": 72.5}
    assert read.due_date == date(2026, 12, 31)
    assert read.reported_at == datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    with engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log)).mappings().one()
    assert (entry["actor"], entry["action"], entry["entity"], entry["entity_id"]) == (
        "coordinator-a", "create", "plan_progress", str(stored.id),
    )  # fmt: skip
    assert entry["after"]["unit"] == "市住房城乡建委"
    assert entry["after"]["indicators"] == {"green_building_material_share": 72.5}


def test_a_refused_report_stores_nothing(engine):
    record(engine)
    with pytest.raises(ProgressError) as caught:
        record(engine, unit="市生态环境局", status="late")
    message = str(caught.value)
    assert message.startswith("progress report not recorded, 2 errors; nothing was stored:")
    assert "unit: 市生态环境局 is not named for measure 10" in message
    assert "status: 'late' is not a status" in message
    assert count(engine, plan_progress) == 1
    assert count(engine, audit_log) == 1


def test_an_empty_actor_is_refused_before_the_database_is_touched():
    unused = sa.create_engine("sqlite://")
    with pytest.raises(ProgressError, match="reported_by: the reporting actor"):
        record(unused, actor="  ")


def a_few_reports(engine):
    """Four reports; what each makes of its cells is worked out in the tests below."""
    # measure 10, its one unit, Q3 reported on time: on track, not overdue
    record(engine, at="2026-10-02T08:00")
    # measure 1, lead unit 市发展改革委, last reported for Q2: Q3 is missing, overdue
    record(engine, measure=1, unit="市发展改革委", period="2026-Q2", at="2026-07-03T08:00")
    # measure 1, 市生态环境局 for 两江新区, done: never overdue again
    record(engine, measure=1, unit="市生态环境局", district="两江新区", status="done",
           at="2026-09-15T08:00")  # fmt: skip
    # measure 20, co-operating unit 重庆证监局, off track with its deadline passed
    record(engine, measure=20, unit="重庆证监局", status="off_track", due_date="2026-09-30",
           at="2026-10-03T08:00")  # fmt: skip


def test_matrix_and_overview_for_a_few_reports(engine):
    a_few_reports(engine)
    data = service.matrix(engine, "unit", today=TODAY, cadence="quarterly")
    assert data["by"] == "unit"
    assert len(data["columns"]) == 23 and data["columns"][:3] == [
        "市发展改革委",
        "市生态环境局",
        "市商务委",
    ]
    assert [row["number"] for row in data["rows"]] == list(range(1, 24))
    rows = {row["number"]: row for row in data["rows"]}
    assert all(set(cell) == CELL_KEYS for row in data["rows"] for cell in row["cells"].values())
    assert all(set(row["cells"]) == set(data["columns"]) for row in data["rows"])

    assert rows[10]["cells"]["市住房城乡建委"] == {
        "status": "on_track", "period": "2026-Q3",
        "reported_at": "2026-10-02T08:00:00+00:00", "overdue": False, "responsible": True,
    }  # fmt: skip
    assert rows[1]["cells"]["市发展改革委"] == {
        "status": "on_track", "period": "2026-Q2",
        "reported_at": "2026-07-03T08:00:00+00:00", "overdue": True, "responsible": True,
    }  # fmt: skip
    assert rows[1]["cells"]["市生态环境局"]["status"] == "done"
    assert rows[1]["cells"]["市生态环境局"]["overdue"] is False
    assert rows[20]["cells"]["重庆证监局"]["status"] == "off_track"
    assert rows[20]["cells"]["重庆证监局"]["overdue"] is True  # due 2026-09-30 passed
    # 市商务委 is named for measure 1 and has not reported Q3: overdue, no status
    assert rows[1]["cells"]["市商务委"] == {
        "status": "none", "period": None, "reported_at": None, "overdue": True, "responsible": True,
    }  # fmt: skip
    # 市生态环境局 is not named for measure 10: never overdue there
    assert rows[10]["cells"]["市生态环境局"] == {
        "status": "none", "period": None, "reported_at": None, "overdue": False,
        "responsible": False,
    }  # fmt: skip

    data = service.matrix(engine, "district", today=TODAY, cadence="quarterly")
    assert data["columns"] == ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区",
                               "渝北区", "两江新区", "重庆高新区"]  # fmt: skip
    rows = {row["number"]: row for row in data["rows"]}
    assert rows[1]["cells"]["两江新区"]["status"] == "done"
    assert rows[1]["cells"]["两江新区"]["overdue"] is False
    # city-wide reports carry no district: every other district cell is unreported, overdue
    assert rows[10]["cells"]["两江新区"] == {
        "status": "none", "period": None, "reported_at": None, "overdue": True, "responsible": True,
    }  # fmt: skip
    overdue = sum(cell["overdue"] for row in data["rows"] for cell in row["cells"].values())
    assert overdue == 23 * 9 - 1

    text = service.matrix_csv(service.matrix(engine, "unit", today=TODAY, cadence="quarterly"))
    lines = text.splitlines()
    assert lines[0].startswith("number,title,市发展改革委,市生态环境局,市商务委,")
    row_1 = lines[1].split(",")
    assert row_1[:5] == ["1", "生态优先准入、分区管控与能耗双控", "on_track 2026-Q2 overdue",
                         "done 2026-Q3", "none overdue"]  # fmt: skip
    row_10 = lines[10].split(",")
    assert row_10[2] == ""  # 市发展改革委 is not named for measure 10

    view = service.overview(engine, today=TODAY, cadence="quarterly")
    assert view["period_due"] == "2026-Q3"
    assert view["overdue_measures"] == list(range(1, 24))  # no measure has every district
    assert view["off_track_measures"] == [20]
    [securities] = [item for item in view["items"] if item.get("unit") == "重庆证监局"]
    assert securities["off_track"] == ["latest status is off_track (2026-Q3)"]
    assert securities["overdue"] == [
        "due date 2026-09-30 has passed and the latest status is off_track"
    ]


def test_a_monthly_cadence_makes_october_due_in_november(monkeypatch):
    # The Q3 report covers nothing after 2026-09-30: monthly, October is due on 2026-11-05.
    q3 = ProgressReport(
        id=1, measure=10, unit="市住房城乡建委", district=None, period="2026-Q3",
        status=Status.ON_TRACK, narrative=None, evidence=None, indicators={}, due_date=None,
        reported_by="coordinator-a", reported_at=datetime(2026, 10, 2, tzinfo=UTC),
    )  # fmt: skip
    november = date(2026, 11, 5)
    monkeypatch.setenv(service.CADENCE_ENV, "monthly")
    data = service.matrix(None, "unit", today=november, reports=[q3])
    assert data["rows"][9]["cells"]["市住房城乡建委"]["overdue"] is True
    monkeypatch.delenv(service.CADENCE_ENV)  # the default: quarterly
    data = service.matrix(None, "unit", today=november, reports=[q3])
    assert data["rows"][9]["cells"]["市住房城乡建委"]["overdue"] is False


def test_an_unknown_cadence_names_the_variable(monkeypatch):
    monkeypatch.setenv(service.CADENCE_ENV, "weekly")
    with pytest.raises(ValueError, match="ECOZONE_PLAN_CADENCE='weekly' is not a reporting"):
        service.reporting_cadence()


def test_measure_detail_has_history_latest_first_and_flags(engine):
    record(engine, period="2026-Q2", status="on_track",
           indicators={"green_building_material_share": 66.0}, at="2026-07-02T08:00")  # fmt: skip
    record(engine, period="2026-Q3", status="at_risk",
           indicators={"green_building_material_share": 68.0}, at="2026-10-02T08:00")  # fmt: skip
    detail = service.measure_detail(engine, 10, today=TODAY, cadence="quarterly")
    assert [r["period"] for r in detail["progress"]] == ["2026-Q3", "2026-Q2"]
    assert detail["lead_units"] == ["市住房城乡建委"]
    assert detail["period_due"] == "2026-Q3"
    assert [i["code"] for i in detail["indicators"]] == [
        "public_building_green_star_level", "green_building_material_share",
    ]  # fmt: skip
    assert detail["off_track"] == [
        {
            "unit": "市住房城乡建委",
            "reasons": [
                "latest status is at_risk (2026-Q3)",
                "green_building_material_share = 68 % in 2026-Q3 fails >= 70 %",
            ],
        }
    ]
    # the unit reported Q3; the nine districts did not
    assert [flag.get("district") for flag in detail["overdue"]] == list(
        service.load_plan().district_names
    )
