"""Disclosure rules, pure: the rule file checked, who must disclose, the due days of the
annual report (15 March of the next year) and of a temporary report (5 working days after
the legal document), and where a report stands against its due day.

生态环境部令第24号 art. 8 (who), art. 12 (annual contents), art. 17 (temporary reports);
domain-2.md §9. Working days come from the platform's work calendar
(compliance.rules.add_working_days: the day of the act not counted, holidays skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ecozone.compliance.model import WorkCalendar
from ecozone.compliance.rules import add_working_days
from ecozone.disclosure.model import (
    DeadlineState,
    DisclosureError,
    DisclosureRules,
    Obligation,
)


def parse_rules(data: Any, source: str = "disclosure rules") -> DisclosureRules:
    """The rule set of a data file; DisclosureError names the first thing wrong."""
    if not isinstance(data, Mapping):
        raise DisclosureError(f"{source}: not a mapping")
    try:
        due = data["annual_due"]
        date(2001, int(due["month"]), int(due["day"]))  # a real day in a common year
        days = int(data["temporary_working_days"])
        obligations = data["obligations"]
        fine = float(obligations[Obligation.PENALISED]["fine_from_yuan"])
        missing = [o for o in Obligation if o not in obligations]
        if missing or days < 1:
            raise ValueError(f"obligations {missing} missing or working days {days} < 1")
        return DisclosureRules(
            version=str(data["version"]), title=str(data["title"]),
            source=" ".join(str(data["source"]).split()),
            annual_due_month=int(due["month"]), annual_due_day=int(due["day"]),
            temporary_working_days=days, obligations=obligations, fine_from_yuan=fine,
            temporary_outcomes=tuple(data["temporary_outcomes"]),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise DisclosureError(f"{source}: {exc.__class__.__name__}: {exc}") from None


def obligations(
    rules: DisclosureRules, *, key_permit: bool, fines_yuan: Iterable[float]
) -> list[Obligation]:
    """Why the enterprise must disclose for the year: a key-class permit valid in it
    (重点排污单位), or a fine of the year at or above the rule's amount (art. 8, (R))."""
    found = []
    if key_permit:
        found.append(Obligation.KEY_DISCHARGER)
    if any(f >= rules.fine_from_yuan for f in fines_yuan):
        found.append(Obligation.PENALISED)
    return found


def annual_due(rules: DisclosureRules, year: int) -> date:
    """The last day to publish the annual report on `year`: 15 March of the next year."""
    return date(year + 1, rules.annual_due_month, rules.annual_due_day)


def temporary_due(rules: DisclosureRules, received_on: date, calendar: WorkCalendar) -> date:
    """The last day to publish a temporary report: the 5th working day after the day the
    legal document (a penalty decision) was received, that day not counted."""
    return add_working_days(received_on, rules.temporary_working_days, calendar)


def deadline_state(due: date, published_on: date | None, today: date) -> DeadlineState:
    """Published by the due day (CST dates, the due day included), after it, or not yet."""
    if published_on is not None:
        return DeadlineState.ON_TIME if published_on <= due else DeadlineState.LATE
    return DeadlineState.OVERDUE if today > due else DeadlineState.PENDING
