"""The progress rules by hand: periods, latest status, overdue, off-track, checking a report.

No database: reports are built here. The quarterly cadence is the default; "today" is
always given, so each expectation can be worked out on a calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ecozone.plan import rules
from ecozone.plan.model import Cadence, Comparison, ProgressReport, Status
from ecozone.plan.service import load_plan

ISSUED = date(2021, 12, 15)  # 渝环〔2021〕154号 is dated 2021-12-15
Q = Cadence.QUARTERLY


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def report(
    period: str,
    status: str = "on_track",
    *,
    measure: int = 10,
    unit: str = "市住房城乡建委",
    district: str | None = None,
    due: date | None = None,
    at: str = "2026-10-02T08:00",
    indicators: dict[str, float] | None = None,
    id: int = 1,
) -> ProgressReport:
    return ProgressReport(
        id=id,
        measure=measure,
        unit=unit,
        district=district,
        period=period,
        status=Status(status),
        narrative=None,
        evidence=None,
        indicators=indicators or {},
        due_date=due,
        reported_by="test",
        reported_at=datetime.fromisoformat(at).replace(tzinfo=UTC),
    )


# --- periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),  # 2026 is not a leap year
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),  # 2028 is
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_period_runs_from_its_first_to_its_last_day(label, start, end):
    period = rules.parse_period(label)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("label", ["2026-Q5", "2026-Q0", "2026-13", "2026-00", "26-Q1", "2026Q3",
                                   "2026-H1", "", "Q3-2026"])  # fmt: skip
def test_a_malformed_period_is_refused_naming_the_formats(label):
    with pytest.raises(ValueError, match=r"is not one of YYYY \(2026\), YYYY-Qn"):
        rules.parse_period(label)


@pytest.mark.parametrize(
    ("today", "cadence", "due"),
    [
        (date(2026, 10, 1), Q, "2026-Q3"),  # Q3 ended yesterday
        (date(2026, 9, 30), Q, "2026-Q2"),  # Q3's last day: its report is not yet late
        (date(2027, 1, 1), Q, "2026-Q4"),
        (date(2026, 3, 1), Cadence.MONTHLY, "2026-02"),
        (date(2026, 6, 30), Cadence.YEARLY, "2025"),
    ],
)
def test_the_period_due_is_the_latest_that_has_ended(today, cadence, due):
    assert rules.period_due(today, cadence).label == due


# --- latest ----------------------------------------------------------------------------


def test_latest_is_the_latest_period_not_the_latest_filed():
    # A correction to Q2 filed in November does not hide the Q3 report filed in October.
    q3 = report("2026-Q3", "on_track", at="2026-10-02T08:00", id=1)
    q2_late = report("2026-Q2", "off_track", at="2026-11-20T08:00", id=2)
    assert rules.latest([q3, q2_late]) is q3


def test_of_two_reports_on_one_period_the_later_filed_wins():
    first = report("2026-Q3", "on_track", at="2026-10-02T08:00", id=1)
    second = report("2026-Q3", "at_risk", at="2026-10-09T08:00", id=2)
    assert rules.latest([second, first]) is second


def test_latest_per_unit_spans_districts_and_per_district_skips_city_wide_reports():
    city = report("2026-Q2", "on_track", id=1)
    liangjiang = report("2026-Q3", "at_risk", district="两江新区", id=2)
    by_unit = rules.latest_by_unit([city, liangjiang])
    by_district = rules.latest_by_district([city, liangjiang])
    assert by_unit == {(10, "市住房城乡建委"): liangjiang}
    assert by_district == {(10, "两江新区"): liangjiang}


# --- overdue ---------------------------------------------------------------------------


def overdue(reports, today):
    return rules.overdue_reasons(reports, today=today, cadence=Q, issued=ISSUED)


def test_no_report_for_the_quarter_just_ended_is_overdue():
    assert overdue([], date(2026, 10, 5)) == [
        "no report for 2026-Q3 (quarterly reports are due by the end of each quarter; "
        "no report yet)"
    ]


def test_a_report_on_the_quarter_just_ended_is_not_overdue():
    assert overdue([report("2026-Q3")], date(2026, 10, 5)) == []


def test_it_falls_overdue_when_the_next_quarter_ends_without_a_report():
    # Q3 reported; on 2027-01-01 Q4 has ended and nothing covers it.
    assert overdue([report("2026-Q3")], date(2027, 1, 1)) == [
        "no report for 2026-Q4 (quarterly reports are due by the end of each quarter; "
        "latest report is for 2026-Q3)"
    ]


def test_a_monthly_or_yearly_report_inside_the_quarter_covers_it():
    assert overdue([report("2026-08")], date(2026, 10, 5)) == []
    assert overdue([report("2026")], date(2026, 10, 5)) == []


def test_a_due_date_passed_without_done_is_overdue_even_when_reported():
    reports = [report("2026-Q3", "on_track", due=date(2026, 9, 30))]
    assert overdue(reports, date(2026, 10, 5)) == [
        "due date 2026-09-30 has passed and the latest status is on_track"
    ]


def test_the_due_date_stands_until_a_later_report_replaces_it():
    # Q2 set the deadline 2026-09-30; Q3 says nothing of it, so it still applies.
    reports = [
        report("2026-Q2", due=date(2026, 9, 30), at="2026-07-01T08:00", id=1),
        report("2026-Q3", at="2026-10-02T08:00", id=2),
    ]
    assert overdue(reports, date(2026, 10, 5)) == [
        "due date 2026-09-30 has passed and the latest status is on_track"
    ]
    reports.append(report("2026-Q3", due=date(2026, 12, 31), at="2026-10-03T08:00", id=3))
    assert overdue(reports, date(2026, 10, 5)) == []


def test_done_ends_the_obligation():
    reports = [report("2026-Q1", "done", due=date(2026, 3, 31))]
    assert overdue(reports, date(2027, 6, 1)) == []


def test_nothing_was_due_before_the_plan_was_issued():
    # On 2021-12-20 the period due is 2021-Q3, which ended before 2021-12-15.
    assert overdue([], date(2021, 12, 20)) == []
    assert overdue([], date(2022, 1, 1)) != []  # 2021-Q4 ended after the issue date


# --- indicators and off-track ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "comparison", "target", "met"),
    [
        (70.0, Comparison.AT_LEAST, 70.0, True),
        (69.99, Comparison.AT_LEAST, 70.0, False),
        (0.1 + 0.2, Comparison.AT_MOST, 0.3, True),  # 0.30000000000000004
        (3.0, Comparison.ABOVE, 3.0, False),
        (2.0, Comparison.BELOW, 3.0, True),
        (100.0, Comparison.EQUAL, 100.0, True),
    ],
)
def test_compare(value, comparison, target, met):
    assert rules.compare(value, comparison, target) is met


def test_green_building_materials_at_65_percent_fail_the_70_percent_target(plan):
    reports = [report("2026-Q3", indicators={"green_building_material_share": 65.0})]
    assert rules.off_track_reasons(plan, 10, reports) == [
        "green_building_material_share = 65 % in 2026-Q3 fails >= 70 %"
    ]
    passing = [report("2026-Q3", indicators={"green_building_material_share": 70.0})]
    assert rules.off_track_reasons(plan, 10, passing) == []


def test_the_latest_value_of_an_indicator_is_judged():
    # 65 % in Q2, 72 % in Q3: the gap is closed.
    plan = load_plan()
    reports = [
        report("2026-Q2", indicators={"green_building_material_share": 65.0}, id=1),
        report("2026-Q3", indicators={"green_building_material_share": 72.0}, id=2),
    ]
    assert rules.off_track_reasons(plan, 10, reports) == []


def test_energy_intensity_decline_below_the_gdp_one_is_off_track(plan):
    # Industrial energy intensity fell 2.0 %, GDP energy intensity 2.5 %: 2.0 < 2.5.
    reports = [
        report(
            "2026",
            measure=1,
            unit="市发展改革委",
            indicators={
                "industrial_energy_intensity_decline": 2.0,
                "gdp_energy_intensity_decline": 2.5,
            },
        )
    ]
    assert rules.off_track_reasons(plan, 1, reports) == [
        "industrial_energy_intensity_decline = 2 % in 2026 fails "
        ">= gdp_energy_intensity_decline = 2.5 %"
    ]


def test_a_relative_target_takes_the_reference_reported_elsewhere(plan):
    own = [report("2026", measure=1, unit="市发展改革委",
                  indicators={"industrial_energy_intensity_decline": 3.1})]  # fmt: skip
    assert (
        rules.off_track_reasons(plan, 1, own, references={"gdp_energy_intensity_decline": 2.5})
        == []
    )  # 3.1 >= 2.5
    judgements = rules.judge_indicators(plan, 1, own)  # no reference known anywhere
    assert [(j.indicator, j.met) for j in judgements] == [
        ("industrial_energy_intensity_decline", None)
    ]
    assert rules.off_track_reasons(plan, 1, own) == []


def test_at_risk_and_off_track_statuses_are_off_track(plan):
    assert rules.off_track_reasons(plan, 10, [report("2026-Q3", "at_risk")]) == [
        "latest status is at_risk (2026-Q3)"
    ]
    assert rules.off_track_reasons(plan, 10, [report("2026-Q3", "not_started")]) == []


def test_measures_overdue_and_off_track_over_the_whole_plan(plan):
    # Every unit and district of measure 10 (one unit, nine districts) reports Q3 on track,
    # except 渝中区, which reports at risk: 10 is off-track but not overdue; all else overdue.
    reports = [report("2026-Q3", id=1)] + [
        report("2026-Q3", "at_risk" if d == "渝中区" else "on_track", district=d, id=i)
        for i, d in enumerate(plan.district_names, start=2)
    ]
    today = date(2026, 10, 5)
    overdue_numbers = rules.overdue_measures(plan, reports, today=today, cadence=Q)
    assert overdue_numbers == [n for n in range(1, 24) if n != 10]
    assert rules.off_track_measures(plan, reports) == [10]


# --- checking a new report -------------------------------------------------------------


def check(plan, **fields):
    given = {"measure": 10, "unit": "市住房城乡建委", "period": "2026-Q3", "status": "on_track"}
    given.update(fields)
    return rules.check_progress(plan, today=date(2026, 10, 5), **given)


def test_a_good_report_becomes_a_draft(plan):
    draft, errors = check(plan, district="两江新区", due_date="2026-12-31",
                          indicators={"green_building_material_share": "72.5"})  # fmt: skip
    assert errors == []
    assert draft.indicators == {"green_building_material_share": 72.5}
    assert draft.due_date == date(2026, 12, 31)
    assert draft.status is Status.ON_TRACK


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"measure": 24}, "measure", "no measure 24; the plan's measures are numbered 1..23"),
        ({"measure": "ten"}, "measure", "'ten' is not a measure number 1..23"),
        ({"unit": "市生态环境局"}, "unit", "市生态环境局 is not named for measure 10; its units are 市住房城乡建委"),
        ({"unit": "市发改委"}, "unit", "'市发改委' is not a unit the plan names"),
        ({"district": "万州区"}, "district", "'万州区' is not one of the plan's districts"),
        ({"status": "late"}, "status", "'late' is not a status; one of not_started, on_track"),
        ({"period": "2026-Q5"}, "period", "period '2026-Q5' is not one of"),
        ({"period": "2027-Q1"}, "period", "period 2027-Q1 has not begun (today is 2026-10-05)"),
        ({"period": "2021-Q3"}, "period", "period 2021-Q3 ended before the plan was issued on 2021-12-15"),
        ({"due_date": "31/12/2026"}, "due_date", "'31/12/2026' is not a date YYYY-MM-DD"),
        ({"indicators": {"discharge_permit_coverage": 100}}, "indicators.discharge_permit_coverage",
         "discharge_permit_coverage belongs to measure 17, not 10"),
        ({"indicators": {"green_building_material_share": 101}},
         "indicators.green_building_material_share", "101 is above 100 %"),
        ({"indicators": {"green_building_material_share": float("nan")}},
         "indicators.green_building_material_share", "is not a finite number"),
        ({"indicators": {"green": 1}}, "indicators.green",
         "unknown indicator 'green'; measure 10 has: public_building_green_star_level, "
         "green_building_material_share"),
    ],
)  # fmt: skip
def test_a_bad_report_names_the_field_and_the_problem(plan, fields, field, message):
    draft, errors = check(plan, **fields)
    assert draft is None
    assert len(errors) == 1
    assert errors[0][0] == field
    assert message in errors[0][1]


def test_every_problem_is_reported_at_once(plan):
    draft, errors = check(plan, unit="", status="", period="soon", district="万州区")
    assert draft is None
    assert [problem.field for problem in errors] == ["unit", "district", "period", "status"]
    assert [problem.zh for problem in errors] == [
        "请选择责任单位",
        "“万州区”不是方案的实施区域（渝中区、江北区、沙坪坝区、九龙坡区、南岸区、北碚区、渝北区、"
        "两江新区、重庆高新区）",
        "报告期“soon”格式不对，应为年（2026）、季度（2026-Q3）或月（2026-11）",
        "请选择推进状态（未启动、按计划推进、存在风险、滞后、已完成）",
    ]
