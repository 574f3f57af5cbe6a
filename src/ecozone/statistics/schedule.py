"""The statistical reports' registry and calendar: which kinds of report exist (a name, its
title and the function that produces its tables), the periods they cover (a month, a year)
and which periods are due on a day.

Other statistics register their own kind with `register`; the schedule
(schedule_service.run_due, called by the pipeline's register checks) generates every
registered kind for every due period once. Pure apart from the registry itself: no I/O, no
clock, no settings read here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ecozone.errors import Invalid

if TYPE_CHECKING:  # importing ecozone.web here would load every page module first
    from ecozone.web.model import Table


class ReportError(Invalid):
    """Bad input to the statistical reports; the message names what is wrong."""


@dataclass(frozen=True)
class Period:
    """The days [start, end) a report covers: a calendar month ("2026-11") or year ("2026")."""

    kind: str  # "month" | "year"
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class ReportContent:
    """What a report holds: key figures and tables under headings (rendered to xlsx and PDF)."""

    facts: Sequence[tuple[str, Any]]
    sections: Sequence[tuple[str, Table]]
    notes: Sequence[str] = ()


#: A producer: (engine, scope, period, lang) -> ReportContent, reading only what scope may.
Producer = Callable[..., ReportContent]


@dataclass(frozen=True)
class ReportKind:
    name: str  # the registry key, in URLs and the report table (a-z, _)
    title_zh: str
    title_en: str
    produce: Producer

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en


_KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    """Add a report kind; registering the same name again replaces it (a reload)."""
    if not kind.name or not all(c.islower() or c == "_" for c in kind.name):
        raise ValueError(f"report kind name {kind.name!r}: lower-case letters and _ only")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[ReportKind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


def kind_of(name: str) -> ReportKind:
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise ReportError(f"unknown report kind {name!r}; known: {known}") from None


def month_period(year: int, month: int) -> Period:
    if not 2000 <= year <= 2100 or not 1 <= month <= 12:
        raise ReportError(f"month {year}-{month:02d} is out of range (2000-01..2100-12)")
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period("month", f"{year}-{month:02d}", date(year, month, 1), following)


def year_period(year: int) -> Period:
    if not 2000 <= year <= 2100:
        raise ReportError(f"year {year} is out of range 2000..2100")
    return Period("year", str(year), date(year, 1, 1), date(year + 1, 1, 1))


def parse_period(text: str) -> Period:
    """'2026-11' as that month, '2026' as that year; ReportError naming the bad text."""
    raw = (text or "").strip()
    parts = raw.split("-")
    if len(parts) == 1 and len(raw) == 4 and raw.isdigit():
        return year_period(int(raw))
    if len(parts) == 2 and len(parts[0]) == 4 and all(p.isdigit() for p in parts) and parts[1]:
        return month_period(int(parts[0]), int(parts[1]))
    raise ReportError(f"period {text!r}: expected a month YYYY-MM or a year YYYY")


def due_periods(today: date, month_day: int = 1) -> list[Period]:
    """The periods whose report is due on `today` (CST): the previous month from the
    `month_day`-th day of the following month on, and the previous year from `month_day`
    January on. A platform that was down on the day catches up later; the caller skips the
    periods already generated, so each is generated once."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    due = []
    if today.day >= month_day:
        due.append(month_period(last_month.year, last_month.month))
    if today.month > 1 or today.day >= month_day:
        due.append(year_period(today.year - 1))
    return due


def scope_key(district_id: int | None) -> str:
    """How a report's scope is stored: the whole zone, or one district's own."""
    return "zone" if district_id is None else f"district:{district_id}"
