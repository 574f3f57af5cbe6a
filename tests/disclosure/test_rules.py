"""Disclosure deadlines and obligations by hand (生态环境部令第24号; data/order24.yaml:
annual by 15 March of the next year, temporary within 5 working days, fines ≥ 100000)."""

from __future__ import annotations

from datetime import date

import pytest

from ecozone.compliance.model import WorkCalendar
from ecozone.disclosure import rules
from ecozone.disclosure.model import DeadlineState, DisclosureError, Obligation
from ecozone.disclosure.service import load_rules

RULES = load_rules()
WEEKENDS = WorkCalendar()


def test_the_annual_report_on_2025_is_due_on_15_march_2026():
    assert rules.annual_due(RULES, 2025) == date(2026, 3, 15)
    assert rules.annual_due(RULES, 2027) == date(2028, 3, 15)


def test_a_temporary_report_skips_the_weekend():
    # decided Thursday 2025-04-17: Fri 18 (1), Mon 21 (2), Tue 22 (3), Wed 23 (4), Thu 24 (5)
    assert rules.temporary_due(RULES, date(2025, 4, 17), WEEKENDS) == date(2025, 4, 24)
    # decided Friday 2025-04-18: Mon 21 … Fri 25
    assert rules.temporary_due(RULES, date(2025, 4, 18), WEEKENDS) == date(2025, 4, 25)


def test_a_temporary_report_skips_holidays_and_counts_a_moved_working_saturday():
    national_day = WorkCalendar(
        holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
        workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
    )
    # decided Tue 2025-09-30: Oct 1–8 off; Thu 9 (1), Fri 10 (2), Sat 11 调休 (3), Mon 13 (4),
    # Tue 14 (5)
    assert rules.temporary_due(RULES, date(2025, 9, 30), national_day) == date(2025, 10, 14)


def test_the_due_day_itself_is_on_time():
    due = date(2026, 3, 15)
    assert rules.deadline_state(due, date(2026, 3, 15), date(2026, 4, 1)) is DeadlineState.ON_TIME
    assert rules.deadline_state(due, date(2026, 3, 16), date(2026, 4, 1)) is DeadlineState.LATE
    assert rules.deadline_state(due, None, date(2026, 3, 15)) is DeadlineState.PENDING
    assert rules.deadline_state(due, None, date(2026, 3, 16)) is DeadlineState.OVERDUE


def test_key_dischargers_and_fines_from_100000_must_disclose():
    assert rules.obligations(RULES, key_permit=True, fines_yuan=[]) == [Obligation.KEY_DISCHARGER]
    assert rules.obligations(RULES, key_permit=False, fines_yuan=[99999.99]) == []
    assert rules.obligations(RULES, key_permit=False, fines_yuan=[5000, 100000]) == [
        Obligation.PENALISED]  # fmt: skip


def test_a_rule_file_without_the_annual_date_is_refused():
    with pytest.raises(DisclosureError, match="annual_due"):
        rules.parse_rules({"version": "x", "title": "t", "source": "s"})


def test_the_shipped_rules_carry_version_and_source():
    assert RULES.version == "order-24/1" and "生态环境部令第24号" in RULES.source
    assert RULES.temporary_working_days == 5
