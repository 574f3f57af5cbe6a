"""Working-day deadlines, overdue judgement and the alert desk's transitions, worked by hand.

The holiday example is the 2025 National Day and Mid-Autumn break as the State Council's
notice set it: 1 to 8 October off, Sunday 28 September and Saturday 11 October worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ecozone import config
from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    ComplianceError,
    TransitionError,
    WorkCalendar,
)
from ecozone.compliance.rules import (
    add_working_days,
    deadline_for,
    is_overdue,
    is_working_day,
    next_state,
    parse_calendar,
    working_days_late,
)

WEEKENDS_ONLY = WorkCalendar()
NATIONAL_DAY_2025 = parse_calendar(
    {"holidays": ["2025-10-01..2025-10-08"], "workdays": ["2025-09-28", "2025-10-11"]}
)


def test_weekends_are_skipped_and_the_day_of_dispatch_is_not_counted():
    # Wednesday 2025-03-05 + 5 working days: Thu 6 (1), Fri 7 (2), Mon 10 (3), Tue 11 (4),
    # Wed 12 (5).
    assert add_working_days(date(2025, 3, 5), 5, WEEKENDS_ONLY) == date(2025, 3, 12)
    # Friday + 1 working day is the Monday after.
    assert add_working_days(date(2025, 3, 7), 1, WEEKENDS_ONLY) == date(2025, 3, 10)


def test_a_holiday_is_skipped_and_an_adjusted_weekend_workday_counts():
    # Dispatched Friday 2025-09-26 with 5 working days:
    #   Sat 27 off; Sun 28 adjusted workday (1); Mon 29 (2); Tue 30 (3);
    #   1-8 Oct holiday; Thu 9 (4); Fri 10 (5).
    assert add_working_days(date(2025, 9, 26), 5, NATIONAL_DAY_2025) == date(2025, 10, 10)
    # With weekends only: Mon 29 (1), Tue 30 (2), Wed 1 (3), Thu 2 (4), Fri 3 (5).
    assert add_working_days(date(2025, 9, 26), 5, WEEKENDS_ONLY) == date(2025, 10, 3)
    # Thursday 9 Oct + 2: Fri 10 (1), Sat 11 adjusted workday (2).
    assert add_working_days(date(2025, 10, 9), 2, NATIONAL_DAY_2025) == date(2025, 10, 11)
    assert is_working_day(date(2025, 9, 28), NATIONAL_DAY_2025)
    assert not is_working_day(date(2025, 10, 6), NATIONAL_DAY_2025)  # a Monday, but a holiday


def test_the_deadline_follows_the_china_standard_time_date_of_the_dispatch():
    # 2025-03-04 17:00 UTC is Wednesday 5 March 01:00 in Chongqing: counted from Wednesday.
    dispatched = datetime(2025, 3, 4, 17, 0, tzinfo=UTC)
    assert deadline_for(dispatched, 5, WEEKENDS_ONLY) == date(2025, 3, 12)


def test_only_a_dispatched_alert_past_its_deadline_day_is_overdue():
    deadline = date(2025, 3, 12)
    assert not is_overdue("dispatched", deadline, date(2025, 3, 12))  # the last day still counts
    assert is_overdue("dispatched", deadline, date(2025, 3, 13))
    assert not is_overdue("feedback", deadline, date(2025, 3, 20))  # answered: supervisor's turn
    assert not is_overdue("dispatched", None, date(2025, 3, 20))


def test_days_late_count_working_days_after_the_deadline():
    # Deadline Fri 3 Oct 2025 under the holiday calendar; on Sat 11 Oct: 4-8 holiday,
    # Thu 9 (1), Fri 10 (2), Sat 11 adjusted workday (3).
    assert working_days_late(date(2025, 10, 3), date(2025, 10, 11), NATIONAL_DAY_2025) == 3
    assert working_days_late(date(2025, 3, 12), date(2025, 3, 12), WEEKENDS_ONLY) == 0


def test_a_calendar_refuses_a_bad_date_and_a_day_that_is_both():
    with pytest.raises(ValueError, match="2025-13-01"):
        parse_calendar({"holidays": ["2025-13-01"]})
    with pytest.raises(ValueError, match="both a holiday and a workday"):
        parse_calendar({"holidays": ["2025-10-01"], "workdays": ["2025-10-01"]})
    with pytest.raises(ValueError, match="unknown key"):
        parse_calendar({"holiday": []})


def test_the_calendar_and_default_deadline_are_settings(tmp_path):
    path = tmp_path / "calendar.yaml"
    path.write_text("holidays:\n  - 2025-10-01..2025-10-08\nworkdays: [2025-09-28]\n", "utf-8")
    desk = config.desk_settings(
        {"ECOZONE_WORK_CALENDAR": str(path), "ECOZONE_ALERT_DEADLINE_DAYS": "3"}
    )
    assert desk.deadline_days == 3
    assert date(2025, 10, 8) in desk.calendar.holidays and len(desk.calendar.holidays) == 8
    assert desk.calendar.workdays == {date(2025, 9, 28)}
    assert config.desk_settings({}).calendar == WEEKENDS_ONLY
    with pytest.raises(ComplianceError, match="ECOZONE_ALERT_DEADLINE_DAYS"):
        config.desk_settings({"ECOZONE_ALERT_DEADLINE_DAYS": "0"})
    with pytest.raises(ComplianceError, match="ECOZONE_WORK_CALENDAR"):
        config.desk_settings({"ECOZONE_WORK_CALENDAR": str(tmp_path / "missing.yaml")})


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        ("dispatched", "urge", "dispatched"),
        ("dispatched", "remind", "dispatched"),
        ("feedback", "send_back", "dispatched"),
        ("verified", "close", "closed"),
    ],
)
def test_the_desk_steps_lead_where_the_table_says(state, action, target):
    assert next_state(state, action, comment="请尽快整改") == AlertState(target)


def test_forbidden_steps_are_refused_with_the_states_they_apply_to():
    with pytest.raises(TransitionError, match="urge applies to dispatched"):
        next_state("open", AlertAction.URGE)
    with pytest.raises(TransitionError, match="send_back applies to feedback"):
        next_state("dispatched", AlertAction.SEND_BACK, comment="不完整")
    with pytest.raises(TransitionError, match="send_back needs comment"):
        next_state("feedback", AlertAction.SEND_BACK)
    with pytest.raises(TransitionError, match="cannot close an alert that is dispatched"):
        next_state("dispatched", AlertAction.CLOSE, reason="resolved")
    with pytest.raises(TransitionError, match="cannot close an alert that is closed"):
        next_state("closed", AlertAction.CLOSE, reason="false_alarm", comment="误报")


def test_a_false_alarm_closes_from_any_open_stage_but_must_say_why():
    for state in ("open", "dispatched", "feedback", "verified"):
        assert next_state(state, "close", reason="false_alarm", comment="校准期间") == "closed"
    with pytest.raises(TransitionError, match="close needs comment"):
        next_state("dispatched", "close", reason="false_alarm")
