"""build_annual_report on the hand-built year of tests.reports.data, SQLite and PostgreSQL.

Every expected figure is worked out here from the rows listed in data.py.
2024 is a leap year: 366 x 24 = 8784 expected hours under a permit valid all year.
`report` is that year's report, built once per engine (conftest.py).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.reports.data import (
    CHEMICAL,
    COD,
    MN_STACK,
    NOW,
    NOX,
    PERMIT_NO,
    PM,
    POWER,
    SO2,
    set_permit_validity,
)

from ecozone.reports import service
from ecozone.reports.model import (
    AlertCount,
    AnnualReport,
    EnterpriseNotFound,
    MonitoringMethod,
    PermitInfo,
    PollutantLine,
    YearOutOfRange,
)
from ecozone.store.engine import make_engine

HOURS_2024 = 366 * 24  # 8784


def build(engine: sa.Engine, credit_code: str = POWER, year: int = 2024) -> AnnualReport:
    return service.build_annual_report(engine, credit_code, year, now=NOW)


def line(report: AnnualReport, outlet: str, pollutant: str) -> PollutantLine:
    (section,) = [o for o in report.outlets if o.code == outlet]
    (found,) = [ln for ln in section.lines if ln.pollutant == pollutant]
    return found


def test_summary_names_the_enterprise_and_the_permit_valid_in_the_year(report: AnnualReport):
    assert (report.enterprise_name, report.credit_code, report.district) == (
        "重庆示例热电有限公司", POWER, "两江新区",
    )  # fmt: skip
    # The simplified permit that expired on 2023-12-31 does not touch 2024.
    assert report.permits == (PermitInfo(PERMIT_NO, "key", date(2024, 1, 1), date(2028, 12, 31)),)
    assert report.period == ((datetime(2024, 1, 1), datetime(2025, 1, 1)),)
    assert report.expected_hours == report.hours_in_year == HOURS_2024
    assert [o.code for o in report.outlets] == ["DA001", "DA002", "DW001"]


def test_outlet_with_a_device_is_automatic_and_one_without_is_manual(report: AnnualReport):
    outlets = {o.code: o for o in report.outlets}
    assert outlets["DA001"].method is MonitoringMethod.AUTOMATIC
    assert outlets["DA001"].mn == MN_STACK
    assert outlets["DA002"].method is MonitoringMethod.MANUAL
    # DA002 has a permit limit but no device: a line without capture figures.
    manual = line(report, "DA002", PM)
    assert (manual.expected_hours, manual.capture_rate, manual.valid_rate) == (None, None, None)
    assert manual.annual_cap_t == 1.0


def test_pollutant_lines_leave_out_flows_and_o2(report: AnnualReport):
    outlets = {o.code: [ln.pollutant for ln in o.lines] for o in report.outlets}
    assert outlets == {"DA001": [NOX, SO2], "DA002": [PM], "DW001": [COD]}


def test_capture_rate_is_hours_with_data_over_expected_hours(report: AnnualReport):
    so2 = line(report, "DA001", SO2)
    # Rows of 2024 with a sample: 3 valid on 10 Jan, M and C on 5 Mar, D and F on 1 Jun,
    # valid 1 Jul, B 8 Aug, N 9 Sep, valid 31 Dec = 11. The 1 Oct row has no sample; the
    # 2023, 2025 and 'day' rows are outside the count.
    assert so2.hours_with_data == 11
    assert so2.capture_rate == pytest.approx(11 / 8784)  # 0.125 %
    assert so2.valid_hours == 3 + 1 + 1  # 10 Jan x3, 1 Jul, 31 Dec
    assert so2.valid_rate == pytest.approx(5 / 8784)
    assert so2.hours_outside_permit == 0


def test_mean_and_max_are_of_converted_values_in_valid_hours(report: AnnualReport):
    so2 = line(report, "DA001", SO2)
    # DA001 has a reference O2: zs_avg of the valid hours 25, 40, 44, 30, 12 (not the
    # invalid 6 and 18, not 600 of 2023 or 500 of 2025, not 999 of the day row).
    assert so2.value_basis == "zs_avg"
    assert so2.value_count == 5
    assert so2.mean == pytest.approx((25 + 40 + 44 + 30 + 12) / 5)  # 30.2
    assert so2.max == 44
    nox = line(report, "DA001", NOX)
    assert (nox.mean, nox.max) == (pytest.approx((100 + 110) / 2), 110)
    # DW001 has no reference O2: the measured avg of the valid hours 40 and 60, not the
    # invalid 70.
    cod = line(report, "DW001", COD)
    assert cod.value_basis == "avg"
    assert (cod.mean, cod.max) == (pytest.approx((40 + 60) / 2), 60)


def test_exceedance_events_and_hours_come_from_exceedance_alerts(report: AnnualReport):
    so2, nox, cod = (line(report, "DA001", SO2), line(report, "DA001", NOX),
                     line(report, "DW001", COD))  # fmt: skip
    # SO2: 09:00-11:00 on 10 Jan = 2 hours. The 2022 event is another year's.
    assert (so2.exceedance_events, so2.exceedance_hours) == (1, 2)
    # NOx: 2023-12-31 22:00 to 2024-01-01 02:00, of which 00:00 and 01:00 are in 2024.
    assert (nox.exceedance_events, nox.exceedance_hours) == (1, 2)
    # COD: from 20 Nov 08:00, still open: to the year end = 16 + 10 x 24 + 31 x 24 = 1000.
    assert (cod.exceedance_events, cod.exceedance_hours) == (1, 16 + 240 + 744)
    (event,) = next(o for o in report.outlets if o.code == "DW001").events
    assert (event.start, event.end, event.peak, event.limit_value, event.state) == (
        datetime(2024, 11, 20, 8), None, 65, 50, "open",
    )  # fmt: skip
    assert (report.exceedance_events, report.exceedance_hours) == (3, 2 + 2 + 1000)


def test_emission_total_counts_valid_hours_against_the_annual_cap(report: AnnualReport):
    so2 = line(report, "DA001", SO2)
    # Valid hours: 1.5 + 2.0 + 2.5 + 1.0 kg (1 Jul has no emission: no flow known).
    assert so2.emission_kg == pytest.approx(1.5 + 2.0 + 2.5 + 1.0)  # 7.0 kg
    assert so2.emission_t == pytest.approx(0.007)
    assert so2.annual_cap_t == 10.0  # the current permit's, not the expired one's 50 t
    assert so2.cap_share == pytest.approx(0.007 / 10)  # 0.07 %
    assert so2.emission_kg_invalid == pytest.approx(0.3 + 0.2)  # M hour and N hour, apart
    assert so2.valid_hours_without_emission == 1
    totals = {t.pollutant: (t.emission_kg, t.annual_cap_t) for t in report.totals}
    assert totals == {
        NOX: (pytest.approx(4.0 + 5.0), 20.0),
        SO2: (pytest.approx(7.0), 10.0),
        PM: (0.0, 1.0),
        COD: (pytest.approx(0.8 + 1.2), 5.0),
    }


def test_gaps_are_counted_by_data_flag_and_missing_hours(report: AnnualReport):
    so2 = line(report, "DA001", SO2)
    flagged = {cause: hours for cause, hours in so2.gap_hours.items() if hours}
    # One hour each of F, M, C, D, B and N-but-too-few-values; 8784 - 11 hours without data.
    assert flagged == {"F": 1, "M": 1, "C": 1, "D": 1, "B": 1, "N": 1, "missing": 8784 - 11}
    assert so2.gap_total == 8784 - 5  # expected minus valid hours
    cod = line(report, "DW001", COD)
    assert {c: h for c, h in cod.gap_hours.items() if h} == {"D": 1, "missing": 8784 - 3}


def test_gaps_inside_declared_periods_are_told_apart(report: AnnualReport):
    so2 = line(report, "DA001", SO2)
    # Maintenance 5 Mar 13:30-16:00 (every pollutant): hours 13, 14, 15.
    # Fault 1 Jun 00:00-02:00 (SO2): hours 0, 1. Fault 31 Dec 22:00-01 Jan 02:00: 22, 23 of 2024.
    # The shutdown of 10 Jan was revoked and counts for nothing.
    assert so2.declared_hours == {"shutdown": 0, "maintenance": 3, "calibration": 0, "fault": 4}
    # Of those 7 hours only 31 Dec 23:00 is valid: 6 gap hours declared.
    assert so2.declared_gap_hours == 7 - 1
    assert so2.undeclared_gap_hours == (8784 - 5) - 6
    nox = line(report, "DA001", NOX)
    # Maintenance 3 hours plus calibration 1 Jan 00:30-00:45 (hour 0, which is valid).
    assert nox.declared_hours == {"shutdown": 0, "maintenance": 3, "calibration": 1, "fault": 0}
    assert nox.declared_gap_hours == 4 - 1
    cod = line(report, "DW001", COD)
    # Maintenance 1 Feb 12:00-14:00: hour 12 (flag D) and hour 13 (no data).
    assert (cod.declared_hours["maintenance"], cod.declared_gap_hours) == (2, 2)


def test_declarations_are_listed_with_late_and_revoked_ones_marked(report: AnnualReport):
    (stack,) = [o for o in report.outlets if o.code == "DA001"]
    listed = [(d.kind, d.pollutant, d.start, d.late, d.revoked) for d in stack.declarations]
    assert listed == [
        ("calibration", NOX, datetime(2024, 1, 1, 0, 30), True, False),  # declared 2 Jan
        ("shutdown", None, datetime(2024, 1, 10, 8), False, True),
        ("maintenance", None, datetime(2024, 3, 5, 13, 30), False, False),
        ("fault", SO2, datetime(2024, 6, 1, 0), True, False),  # declared 2 Jun
        ("fault", SO2, datetime(2024, 12, 31, 22), False, False),
    ]


def test_alerts_are_counted_by_type_and_state_for_the_year(report: AnnualReport):
    # The 2022 exceedance and the other enterprise's alert are left out.
    assert report.alert_counts == (
        AlertCount("exceedance", "closed", 1),
        AlertCount("exceedance", "dispatched", 1),
        AlertCount("exceedance", "open", 1),
        AlertCount("offline", "open", 1),
    )
    assert report.alerts_total == 4


def test_capture_rate_counts_only_the_permits_validity_within_the_year(seeded_url: str):
    set_permit_validity(seeded_url, date(2024, 7, 1), date(2029, 6, 30))
    engine = make_engine(seeded_url)
    try:
        report = build(engine)
    finally:
        engine.dispose()
    expected = 184 * 24  # 1 Jul to 31 Dec = 4416 hours
    assert report.expected_hours == expected
    so2 = line(report, "DA001", SO2)
    # In the period: 1 Jul (valid), 8 Aug (B), 9 Sep (N), 31 Dec (valid) = 4 with data.
    assert (so2.hours_with_data, so2.valid_hours, so2.hours_outside_permit) == (4, 2, 7)
    assert so2.capture_rate == pytest.approx(4 / 4416)
    assert {c: h for c, h in so2.gap_hours.items() if h} == {"B": 1, "N": 1, "missing": 4416 - 4}
    # Only the 31 Dec fault is inside the period: hours 22, 23, of which 23 is valid.
    assert (so2.declared_hours["fault"], so2.declared_gap_hours) == (2, 1)
    # Values and emissions still cover the whole year.
    assert (so2.mean, so2.emission_kg) == (pytest.approx(30.2), pytest.approx(7.0))


def test_enterprise_without_permit_is_expected_all_year_and_says_so(report_engine: sa.Engine):
    report = build(report_engine, CHEMICAL)
    assert report.permits == ()
    assert report.expected_hours == HOURS_2024
    assert any("No discharge permit" in note for note in report.notes)
    so2 = line(report, "DA001", SO2)
    assert (so2.hours_with_data, so2.mean, so2.annual_cap_t) == (1, 55, None)
    assert so2.cap_share is None


def test_unknown_enterprise_is_named_in_the_error(report_engine: sa.Engine):
    with pytest.raises(
        EnterpriseNotFound, match="no enterprise with credit code 91500000XXXXXXXXXX"
    ):
        build(report_engine, "91500000XXXXXXXXXX")


def test_a_future_year_is_refused_before_anything_is_read(report_engine: sa.Engine):
    with pytest.raises(YearOutOfRange, match="year 2026 is out of range"):
        build(report_engine, POWER, 2026)
