"""The report's counting rules, worked by hand; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ecozone.reports import rules
from ecozone.reports.model import GAP_CAUSES, PermitLimit, YearOutOfRange


def test_leap_year_2024_has_8784_hours_and_2023_has_8760():
    assert rules.hours_in([rules.year_bounds(2024)]) == 366 * 24 == 8784
    assert rules.hours_in([rules.year_bounds(2023)]) == 365 * 24 == 8760


def test_monitoring_period_without_permit_is_the_whole_year():
    assert rules.monitoring_period(2024, []) == [(datetime(2024, 1, 1), datetime(2025, 1, 1))]


def test_monitoring_period_is_the_part_of_the_year_the_permit_was_valid():
    # Valid from 1 July 2024: July..December = 31+31+30+31+30+31 = 184 days = 4416 hours.
    period = rules.monitoring_period(2024, [(date(2024, 7, 1), date(2028, 12, 31))])
    assert period == [(datetime(2024, 7, 1), datetime(2025, 1, 1))]
    assert rules.hours_in(period) == 184 * 24 == 4416


def test_valid_to_is_the_last_valid_day_inclusive():
    # Valid until 31 March 2024: January..March = 31+29+31 = 91 days = 2184 hours.
    period = rules.monitoring_period(2024, [(date(2019, 1, 1), date(2024, 3, 31))])
    assert period == [(datetime(2024, 1, 1), datetime(2024, 4, 1))]
    assert rules.hours_in(period) == 91 * 24 == 2184


def test_renewed_permits_join_and_a_lapse_between_them_is_not_expected():
    # Old permit to 31 Jan, new one from 1 March: January (31 d) + March..December (306 d).
    period = rules.monitoring_period(
        2024, [(date(2019, 2, 1), date(2024, 1, 31)), (date(2024, 3, 1), date(2029, 2, 28))]
    )
    assert period == [
        (datetime(2024, 1, 1), datetime(2024, 2, 1)),
        (datetime(2024, 3, 1), datetime(2025, 1, 1)),
    ]
    assert rules.hours_in(period) == (31 + 306) * 24 == 8088


def test_a_declaration_declares_every_hour_it_touches():
    # 13:30 to 16:00 touches the hours starting 13:00, 14:00 and 15:00.
    windows = rules.declared_windows(
        [(datetime(2024, 3, 5, 13, 30), datetime(2024, 3, 5, 16, 0))], [rules.year_bounds(2024)]
    )
    assert windows == [(datetime(2024, 3, 5, 13), datetime(2024, 3, 5, 16))]
    assert rules.hours_in(windows) == 3


def test_overlapping_declarations_count_once_and_stop_at_the_period_end():
    marks = [
        (datetime(2024, 6, 1, 0), datetime(2024, 6, 1, 2)),  # hours 0, 1
        (datetime(2024, 6, 1, 1), datetime(2024, 6, 1, 3)),  # hours 1, 2: hour 1 again
        (datetime(2024, 12, 31, 22), datetime(2025, 1, 1, 2)),  # 22, 23 in 2024; 0, 1 in 2025
    ]
    windows = rules.declared_windows(marks, [rules.year_bounds(2024)])
    assert rules.hours_in(windows) == 3 + 2


def test_exceedance_event_end_is_exclusive():
    # The hours 09:00 and 10:00 exceeded: the event runs from 09:00 to 11:00.
    now = datetime(2025, 3, 1)
    assert (
        rules.exceedance_hours(datetime(2024, 1, 10, 9), datetime(2024, 1, 10, 11), 2024, now) == 2
    )


def test_exceedance_event_across_new_year_counts_only_its_hours_in_the_year():
    # 2023-12-31 22:00 to 2024-01-01 02:00: 2 hours in 2023, 2 in 2024.
    start, end, now = datetime(2023, 12, 31, 22), datetime(2024, 1, 1, 2), datetime(2025, 3, 1)
    assert rules.exceedance_hours(start, end, 2024, now) == 2
    assert rules.exceedance_hours(start, end, 2023, now) == 2


def test_ongoing_exceedance_runs_to_the_year_end_or_to_now():
    start = datetime(2024, 11, 20, 8)
    # Past year: to 2025-01-01 00:00 = 16 h (20 Nov) + 10 days (21..30 Nov) + 31 days (Dec).
    assert rules.exceedance_hours(start, None, 2024, datetime(2025, 3, 1)) == 16 + 240 + 744
    # Current year: to now, 2024-11-21 10:00 = 16 + 10 hours.
    assert rules.exceedance_hours(start, None, 2024, datetime(2024, 11, 21, 10)) == 26


def test_a_part_of_an_hour_counts_as_an_exceeding_hour():
    start, end = datetime(2024, 5, 1, 9), datetime(2024, 5, 1, 10, 20)
    assert rules.exceedance_hours(start, end, 2024, datetime(2025, 1, 1)) == 2


def test_gap_causes_add_up_to_expected_minus_valid_hours():
    # 8784 expected, 11 with data of which 5 valid: 6 invalid by flag, 8784 - 11 = 8773 missing.
    invalid = {"M": 1, "C": 1, "D": 1, "F": 1, "B": 1, "N": 1}
    gaps = rules.gap_hours(invalid, expected_hours=8784, hours_with_data=11)
    assert gaps["missing"] == 8773
    assert [gaps[c] for c in ("F", "M", "C", "D", "B", "N")] == [1] * 6
    assert sum(gaps.values()) == 8784 - 5
    assert list(gaps) == list(GAP_CAUSES)


def test_unknown_flags_and_no_flag_are_other_and_flags_are_case_blind():
    gaps = rules.gap_hours({None: 2, "X": 1, "d": 4}, expected_hours=10, hours_with_data=7)
    assert (gaps["other"], gaps["D"], gaps["missing"]) == (3, 4, 3)


def test_a_declaration_made_after_its_start_is_late():
    start = datetime(2024, 6, 1, 0)  # CST = 2024-05-31 16:00 UTC
    assert rules.is_late(datetime(2024, 5, 31, 16, 1, tzinfo=UTC), start)
    assert not rules.is_late(datetime(2024, 5, 31, 15, 59, tzinfo=UTC), start)


def test_the_latest_permit_states_the_limit_hourly_before_daily():
    rows = [
        {"valid_from": date(2019, 1, 1), "limit_value": 100.0, "unit": "mg/m3", "basis": "hour",
         "standard": "old", "annual_cap_t": 50.0},
        {"valid_from": date(2024, 1, 1), "limit_value": 28.0, "unit": "mg/m3", "basis": "day",
         "standard": "GB 13223-2011", "annual_cap_t": 10.0},
        {"valid_from": date(2024, 1, 1), "limit_value": 35.0, "unit": "mg/m3", "basis": "hour",
         "standard": "GB 13223-2011", "annual_cap_t": None},
    ]  # fmt: skip
    limit, cap = rules.choose_limit(rows)
    assert limit == PermitLimit(35.0, "mg/m3", "hour", "GB 13223-2011")
    assert cap == 10.0
    assert rules.choose_limit([]) == (None, None)


def test_converted_value_is_judged_where_the_outlet_has_a_reference_o2():
    assert rules.value_basis(6.0) == "zs_avg"
    assert rules.value_basis(0.0) == "zs_avg"
    assert rules.value_basis(None) == "avg"


def test_flows_and_o2_get_no_report_line():
    assert rules.is_reported_pollutant("a21026")
    assert rules.is_reported_pollutant("w01018")
    assert rules.is_reported_pollutant("x99999")  # unknown code: shown, not hidden
    assert not rules.is_reported_pollutant("a00000")  # flue-gas flow
    assert not rules.is_reported_pollutant("w00000")  # wastewater flow
    assert not rules.is_reported_pollutant("a19001")  # O2


@pytest.mark.parametrize("year", [1999, 2026])
def test_year_before_2000_or_after_the_current_one_is_refused(year: int):
    with pytest.raises(YearOutOfRange, match=f"year {year} is out of range.*2000 to 2025"):
        rules.check_year(year, date(2025, 3, 1))


def test_current_year_is_reported_to_date():
    rules.check_year(2025, date(2025, 3, 1))
    rules.check_year(2000, date(2025, 3, 1))


def test_capture_rate_is_none_where_nothing_was_expected():
    assert rules.rate(11, 8784) == 11 / 8784
    assert rules.rate(0, None) is None


def test_a_year_not_yet_over_expects_only_its_complete_hours_so_far():
    # 2026-03-10 14:35 CST: Jan 31 d + Feb 28 d + 9 d of March = 68 d = 1632 h, plus 14 h
    # of 10 March (00:00 to 14:00; the hour 14:00-15:00 is not over) = 1646 h.
    period = rules.monitoring_period(2026, [], until=datetime(2026, 3, 10, 14, 35))
    assert period == [(datetime(2026, 1, 1), datetime(2026, 3, 10, 14, 0))]
    assert rules.hours_in(period) == 68 * 24 + 14 == 1646
    # a permit valid from 1 March counts from then: 9 d + 14 h = 230 h
    with_permit = rules.monitoring_period(
        2026, [(date(2026, 3, 1), date(2031, 2, 28))], until=datetime(2026, 3, 10, 14, 35)
    )
    assert rules.hours_in(with_permit) == 9 * 24 + 14
    # a finished year is whole whatever `until` says
    assert rules.hours_in(rules.monitoring_period(2024, [], until=datetime(2026, 3, 10))) == 8784
