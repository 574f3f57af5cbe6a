"""The stage machine and the approval clock, worked by hand (环境影响评价法 art. 22:
报告表 30 days; 民法典 art. 201 the day of acceptance not counted, art. 203 a last day on a
rest day moves to the next working day). 2026-03-06 is a Friday; 清明 2026 is 4–6 April."""

from __future__ import annotations

from datetime import date

import pytest

from ecozone.compliance.model import WorkCalendar
from ecozone.projects import rules
from ecozone.projects.model import (
    Category,
    ClockState,
    DayKind,
    Pause,
    PauseKind,
    ProjectError,
    ProjectSettings,
    Route,
    Stage,
    TransitionRefused,
)

QINGMING = WorkCalendar(holidays=frozenset({date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6)}))
FRIDAY = date(2026, 3, 6)
# Technical review from Tuesday 10 March; the clock runs again on Friday 20 March:
# 10..19 March, 10 days, are not counted.
REVIEW = Pause(PauseKind.TECHNICAL_REVIEW, date(2026, 3, 10), date(2026, 3, 20))
S = ProjectSettings()


def test_a_form_accepted_on_a_friday_with_a_review_pause_is_due_on_15_april() -> None:
    # Counted: 7, 8, 9 March (3 days); paused 10-19; from 20 March 27 more days:
    # 20..31 March is 12 (15 in all), 1..15 April is 15 (30 in all). 15 April is a Wednesday.
    due = rules.due_date(FRIDAY, 30, DayKind.CALENDAR, (REVIEW,), QINGMING)
    assert due == date(2026, 4, 15)


def test_the_30th_day_on_qingming_moves_to_the_next_working_day() -> None:
    # 6 March + 30 days = Sunday 5 April, in the 4-6 April holiday: the period ends Tuesday 7.
    assert rules.due_date(FRIDAY, 30, DayKind.CALENDAR, (), QINGMING) == date(2026, 4, 7)
    assert rules.due_date(FRIDAY, 30, DayKind.CALENDAR, (), QINGMING,
                          roll_to_working_day=False) == date(2026, 4, 5)  # fmt: skip


def test_in_working_days_the_friday_acceptance_counts_from_monday() -> None:
    # Working days from Monday 9 March: 9-13 (5), 16-20 (10), 23-27 (15), 30-31 (17),
    # 1-3 April (20), 6 April a holiday, 7-10 (24), 13-17 (29), Monday 20 April the 30th.
    assert rules.due_date(FRIDAY, 30, DayKind.WORKING, (), QINGMING) == date(2026, 4, 20)


def test_the_clock_stands_still_during_the_review_and_runs_after() -> None:
    open_review = Pause(PauseKind.TECHNICAL_REVIEW, date(2026, 3, 10))
    paused = rules.clock(Stage.TECHNICAL_REVIEW, Category.FORM, Route.NORMAL, False, FRIDAY,
                         None, (open_review,), date(2026, 3, 16), S, QINGMING)  # fmt: skip
    assert paused.state is ClockState.PAUSED and paused.due_on is None
    assert (paused.days_used, paused.days_left, paused.paused_days) == (3, 27, 7)
    running = rules.clock(Stage.PUBLIC_NOTICE, Category.FORM, Route.NORMAL, False, FRIDAY,
                          None, (REVIEW,), date(2026, 4, 1), S, QINGMING)  # fmt: skip
    # 1 April: 3 + 13 (20..1 April) = 16 days used; due 15 April, 14 days away.
    assert running.state is ClockState.RUNNING
    assert (running.due_on, running.days_used, running.days_left) == (date(2026, 4, 15), 16, 14)
    soon = rules.clock(Stage.PUBLIC_NOTICE, Category.FORM, Route.NORMAL, False, FRIDAY,
                       None, (REVIEW,), date(2026, 4, 10), S, QINGMING)  # fmt: skip
    assert soon.state is ClockState.DUE_SOON and soon.days_left == 5
    late = rules.clock(Stage.PUBLIC_NOTICE, Category.FORM, Route.NORMAL, False, FRIDAY,
                       None, (REVIEW,), date(2026, 4, 16), S, QINGMING)  # fmt: skip
    assert late.state is ClockState.OVERDUE and late.days_left == -1


def test_a_decision_on_the_due_day_meets_the_period_and_one_day_later_does_not() -> None:
    met = rules.clock(Stage.APPROVED, Category.FORM, Route.NORMAL, False, FRIDAY,
                      date(2026, 4, 15), (REVIEW,), date(2026, 6, 1), S, QINGMING)  # fmt: skip
    late = rules.clock(Stage.CONSTRUCTION, Category.FORM, Route.NORMAL, False, FRIDAY,
                       date(2026, 4, 16), (REVIEW,), date(2026, 6, 1), S, QINGMING)  # fmt: skip
    assert met.state is ClockState.MET and late.state is ClockState.LATE


def test_a_report_has_60_days_a_pledge_is_decided_on_acceptance_and_a_pilot_park_in_2() -> None:
    assert rules.limit_for(Category.REPORT, Route.NORMAL, False, S) == (
        60, DayKind.CALENDAR, rules.STATUTORY_BASIS)
    pledge = rules.clock(Stage.ACCEPTED, Category.FORM, Route.PLEDGE, False, FRIDAY, None, (),
                         FRIDAY, S, QINGMING)  # fmt: skip
    assert pledge.due_on == FRIDAY and pledge.limit_days == 0
    # Pilot park: 2 working days after Friday 6 March: Monday 9, Tuesday 10.
    pilot = rules.clock(Stage.ACCEPTED, Category.REPORT, Route.GREEN, True, FRIDAY, None, (),
                        FRIDAY, S, QINGMING)  # fmt: skip
    assert pilot.due_on == date(2026, 3, 10)
    assert rules.limit_for(Category.REGISTRATION, Route.NORMAL, False, S) is None
    filed = rules.clock(Stage.APPROVED, Category.REGISTRATION, Route.NORMAL, False, None,
                        FRIDAY, (), FRIDAY, S, QINGMING)  # fmt: skip
    assert filed.state is ClockState.NONE


def test_a_move_out_of_order_is_refused_naming_the_stage() -> None:
    with pytest.raises(TransitionRefused, match=r"“已受理”\(accepted\).*“已批复”\(approved\)"):
        rules.check_transition(Stage.ACCEPTED, Stage.APPROVED, Category.FORM, Route.NORMAL)
    with pytest.raises(TransitionRefused, match=r"“前期”\(planning\)"):
        rules.check_transition(Stage.PLANNING, Stage.OPERATION, Category.FORM, Route.NORMAL)
    with pytest.raises(TransitionRefused, match="已是最终阶段"):
        rules.check_transition(Stage.REFUSED, Stage.APPROVED, Category.FORM, Route.NORMAL)
    # A pledge is approved on acceptance; a 登记表 is filed on submission; exempt: build.
    rules.check_transition(Stage.ACCEPTED, Stage.APPROVED, Category.FORM, Route.PLEDGE)
    rules.check_transition(Stage.SUBMITTED, Stage.APPROVED, Category.REGISTRATION, Route.NORMAL)
    rules.check_transition(Stage.PLANNING, Stage.CONSTRUCTION, Category.EXEMPT, Route.EXEMPT)


def test_routes_that_do_not_fit_the_category_are_refused() -> None:
    with pytest.raises(ProjectError, match="告知承诺制只适用于报告表"):
        rules.check_route(Category.REPORT, Route.PLEDGE)
    with pytest.raises(ProjectError, match="豁免"):
        rules.check_route(Category.FORM, Route.EXEMPT)


def test_pledge_sampling_quarter_and_the_permit_term() -> None:
    assert rules.sampling_quarter(date(2026, 3, 31)) == "2026Q1"
    assert rules.sampling_quarter(date(2026, 10, 1)) == "2026Q4"
    assert rules.permit_valid_to(date(2026, 5, 1)) == date(2031, 4, 30)
    assert rules.permit_valid_to(date(2028, 2, 29)) == date(2033, 2, 27)
