"""The plan's progress rules as pure functions: periods, latest status, overdue, off-track.

Reports are plain ProgressReport values and "today" is an argument, so every rule can be
worked by hand. Reporting cadence (default quarterly, `ECOZONE_PLAN_CADENCE`):
- Each unit the plan names for a measure, and each district that carries it, reports on
  it once per period of the cadence; a period's report is due by the period's last day.
  "The current period" of the overdue rule is therefore the latest period that has
  ended (`period_due`): on 2026-10-01 under the quarterly cadence that is 2026-Q3.
- A report covers that period when its own period ends on or after the period's start
  (a report on the period itself, on a month or the year within it, or on a later one).
- A measure is overdue for a unit or district whose latest report is not `done` and
  either (a) the due date last given in its reports has passed, or (b) no report covers
  the period due. A `done` report ends the obligation. Periods ending before the plan
  was issued (2021-12-15) are never due.
- Off-track: the latest status is `off_track` or `at_risk`, or the latest reported value
  of one of the measure's indicators fails its comparison (a relative target is judged
  against the reference value of the same report, else the latest one reported for the
  measure). Values before the target year are judged against the target as well: a
  coordinator wants to see the gap early.
"Latest" orders reports by the end of their period, then by when they were reported.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ecozone.plan.model import (
    STATUS_LABELS,
    Cadence,
    Comparison,
    Indicator,
    Period,
    PeriodKind,
    Plan,
    Problem,
    ProgressReport,
    Status,
)

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

PERIOD_FORMATS = "YYYY (2026), YYYY-Qn (2026-Q3) or YYYY-MM (2026-11)"
PERIOD_FORMATS_ZH = "年（2026）、季度（2026-Q3）或月（2026-11）"

#: Statuses that make a measure off-track for the unit or district reporting them.
TROUBLED = (Status.OFF_TRACK, Status.AT_RISK)

_CADENCE_KIND = {
    Cadence.MONTHLY: PeriodKind.MONTH,
    Cadence.QUARTERLY: PeriodKind.QUARTER,
    Cadence.YEARLY: PeriodKind.YEAR,
}


# --- periods ---------------------------------------------------------------------------


def parse_period(label: str) -> Period:
    """The period `label` names; ValueError says which formats are accepted."""
    text = label.strip() if isinstance(label, str) else ""
    if m := _YEAR.match(text):
        year = int(m[1])
        return _checked(Period(text, PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31)))
    if m := _QUARTER.match(text):
        return quarter(int(m[1]), int(m[2]))
    if (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        return month(int(m[1]), int(m[2]))
    raise ValueError(f"period {label!r} is not one of {PERIOD_FORMATS}")


def _checked(period: Period) -> Period:
    if period.start.year < 2000:
        raise ValueError(f"period {period.label!r} is before 2000")
    return period


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    return _checked(
        Period(f"{year}-Q{number}", PeriodKind.QUARTER, start, _month_end(year, 3 * number))
    )


def month(year: int, number: int) -> Period:
    return _checked(
        Period(
            f"{year}-{number:02d}",
            PeriodKind.MONTH,
            date(year, number, 1),
            _month_end(year, number),
        )
    )


def _month_end(year: int, number: int) -> date:
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def period_containing(day: date, cadence: Cadence) -> Period:
    """The period of the cadence that `day` falls in."""
    kind = _CADENCE_KIND[Cadence(cadence)]
    if kind is PeriodKind.YEAR:
        return parse_period(str(day.year))
    if kind is PeriodKind.QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    return month(day.year, day.month)


def period_due(today: date, cadence: Cadence) -> Period:
    """The latest period of the cadence that has ended before `today`: its report is due."""
    current = period_containing(today, cadence)
    return period_containing(date.fromordinal(current.start.toordinal() - 1), cadence)


# --- latest reports --------------------------------------------------------------------


def report_order(report: ProgressReport) -> tuple[date, datetime, int]:
    """Sort key of "latest": end of the report's period, then reported_at, then id."""
    return (parse_period(report.period).end, report.reported_at, report.id or 0)


def latest(reports: Iterable[ProgressReport]) -> ProgressReport | None:
    return max(reports, key=report_order, default=None)


def latest_by_unit(reports: Iterable[ProgressReport]) -> dict[tuple[int, str], ProgressReport]:
    """The latest report of each (measure, unit), whichever district it was made for."""
    return {key: latest(group) for key, group in _by_unit(reports).items()}  # type: ignore[misc]


def latest_by_district(reports: Iterable[ProgressReport]) -> dict[tuple[int, str], ProgressReport]:
    """The latest report of each (measure, district); city-wide reports have no district."""
    return {key: latest(group) for key, group in _by_district(reports).items()}  # type: ignore[misc]


def _by_unit(reports: Iterable[ProgressReport]) -> dict[tuple[int, str], list[ProgressReport]]:
    groups: dict[tuple[int, str], list[ProgressReport]] = defaultdict(list)
    for report in reports:
        groups[(report.measure, report.unit)].append(report)
    return groups


def _by_district(reports: Iterable[ProgressReport]) -> dict[tuple[int, str], list[ProgressReport]]:
    groups: dict[tuple[int, str], list[ProgressReport]] = defaultdict(list)
    for report in reports:
        if report.district is not None:
            groups[(report.measure, report.district)].append(report)
    return groups


# --- overdue ---------------------------------------------------------------------------


def effective_due_date(reports: Iterable[ProgressReport]) -> date | None:
    """The due date given by the latest report that gives one: it stands until replaced."""
    dated = [report for report in reports if report.due_date is not None]
    chosen = latest(dated)
    return chosen.due_date if chosen is not None else None


def overdue_reasons(
    reports: Sequence[ProgressReport], *, today: date, cadence: Cadence, issued: date
) -> list[str]:
    """Why one unit's (or district's) reports on one measure are overdue; [] if they are not.

    `reports` are all of that unit's (or district's) reports on the measure; `issued` is
    the plan's date of issue, before which no period is due.
    """
    last = latest(reports)
    if last is not None and last.status is Status.DONE:
        return []
    status = last.status.value if last is not None else "not reported"
    reasons = []
    due = effective_due_date(reports)
    if due is not None and due < today:
        reasons.append(f"due date {due.isoformat()} has passed and the latest status is {status}")
    period = period_due(today, cadence)
    if period.end >= issued and not any(
        parse_period(r.period).end >= period.start for r in reports
    ):
        since = f"latest report is for {last.period}" if last is not None else "no report yet"
        reasons.append(
            f"no report for {period.label} ({Cadence(cadence).value} reports are due by the end "
            f"of each {period.kind.value}; {since})"
        )
    return reasons


# --- indicators and off-track ----------------------------------------------------------


def compare(value: float, comparison: Comparison, target: float) -> bool:
    """Whether `value` meets `comparison target`; equality allows for float rounding."""
    if comparison is Comparison.AT_LEAST:
        return value >= target or math.isclose(value, target)
    if comparison is Comparison.AT_MOST:
        return value <= target or math.isclose(value, target)
    if comparison is Comparison.ABOVE:
        return value > target
    if comparison is Comparison.BELOW:
        return value < target
    return math.isclose(value, target)


@dataclass(frozen=True)
class IndicatorJudgement:
    indicator: str
    value: float
    period: str
    target: float | None  # the number compared against (the reference value if relative)
    met: bool | None  # None: a relative target whose reference value is unknown


def judge_indicator(
    indicator: Indicator, value: float, *, period: str, reference: float | None = None
) -> IndicatorJudgement:
    """`value` against the indicator's target, or against `reference` for a relative one."""
    if indicator.comparison is None:
        raise ValueError(f"indicator {indicator.code} is tracked only and has no target")
    target = indicator.target if indicator.relative_to is None else reference
    met = None if target is None else compare(value, indicator.comparison, target)
    return IndicatorJudgement(indicator.code, value, period, target, met)


def latest_values(reports: Iterable[ProgressReport]) -> dict[str, tuple[float, str]]:
    """Each indicator's value in the latest report that gives it, with that report's period."""
    values: dict[str, tuple[float, str]] = {}
    for report in sorted(reports, key=report_order):
        for code, value in report.indicators.items():
            values[code] = (value, report.period)
    return values


def judge_indicators(
    plan: Plan,
    measure: int,
    reports: Sequence[ProgressReport],
    *,
    references: Mapping[str, float] | None = None,
) -> list[IndicatorJudgement]:
    """The measure's targets judged on the latest values in `reports`.

    A relative target takes its reference value from the report that gave the value,
    else from `references` (the latest reference values reported for the measure).
    """
    references = references or {}
    judgements = []
    ordered = sorted(reports, key=report_order)
    for indicator in plan.indicators_of(measure):
        if indicator.comparison is None:
            continue
        carrying = [r for r in ordered if indicator.code in r.indicators]
        if not carrying:
            continue
        report = carrying[-1]
        reference = None
        if indicator.relative_to is not None:
            reference = report.indicators.get(indicator.relative_to)
            if reference is None:
                reference = references.get(indicator.relative_to)
        judgements.append(
            judge_indicator(
                indicator,
                report.indicators[indicator.code],
                period=report.period,
                reference=reference,
            )
        )
    return judgements


def off_track_reasons(
    plan: Plan,
    measure: int,
    reports: Sequence[ProgressReport],
    *,
    references: Mapping[str, float] | None = None,
) -> list[str]:
    """Why one unit's (or district's) reports on one measure are off-track; [] if not."""
    reasons = []
    last = latest(reports)
    if last is not None and last.status in TROUBLED:
        reasons.append(f"latest status is {last.status.value} ({last.period})")
    for judgement in judge_indicators(plan, measure, reports, references=references):
        if judgement.met is False:
            indicator = plan.indicator(judgement.indicator)
            target = _number(judgement.target)
            against = f"{target} {indicator.unit}"
            if indicator.relative_to:
                against = f"{indicator.relative_to} = {against}"
            reasons.append(
                f"{indicator.code} = {_number(judgement.value)} {indicator.unit} in "
                f"{judgement.period} fails {indicator.comparison.value} {against}"  # type: ignore[union-attr]
            )
    return reasons


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- the plan as a whole ---------------------------------------------------------------


@dataclass(frozen=True)
class PairState:
    """Where one unit or district stands on one measure."""

    measure: int
    column: str  # unit or district name
    responsible: bool  # named for the measure (a unit) or carrying it (a district)
    latest: ProgressReport | None
    overdue: list[str]
    off_track: list[str]


def reference_values(plan: Plan, reports: Iterable[ProgressReport]) -> dict[int, dict[str, float]]:
    """Per measure, the latest value of each reference (tracked) indicator, by any unit."""
    by_measure: dict[int, list[ProgressReport]] = defaultdict(list)
    for report in reports:
        by_measure[report.measure].append(report)
    out: dict[int, dict[str, float]] = {}
    for number, group in by_measure.items():
        values = latest_values(group)
        out[number] = {
            i.code: values[i.code][0]
            for i in plan.indicators_of(number)
            if i.comparison is None and i.code in values
        }
    return out


def pair_states(
    plan: Plan,
    reports: Sequence[ProgressReport],
    *,
    by: str,
    today: date,
    cadence: Cadence,
) -> list[PairState]:
    """Every (measure, unit) when `by` is 'unit', every (measure, district) when 'district'.

    Columns are the plan's units (or districts) in the plan's order; a unit not named for
    a measure is not responsible for it and is never overdue or off-track on it.
    """
    if by == "unit":
        groups, columns = _by_unit(reports), plan.unit_names
    elif by == "district":
        groups, columns = _by_district(reports), plan.district_names
    else:
        raise ValueError(f"by must be 'unit' or 'district', not {by!r}")
    references = reference_values(plan, reports)
    states = []
    for measure in plan.measures:
        responsible_for = measure.units if by == "unit" else measure.districts
        for column in columns:
            group = groups.get((measure.number, column), [])
            responsible = column in responsible_for
            states.append(
                PairState(
                    measure=measure.number,
                    column=column,
                    responsible=responsible,
                    latest=latest(group),
                    overdue=overdue_reasons(
                        group, today=today, cadence=cadence, issued=plan.document.issued
                    )
                    if responsible
                    else [],
                    off_track=off_track_reasons(
                        plan, measure.number, group, references=references.get(measure.number)
                    )
                    if responsible
                    else [],
                )
            )
    return states


def overdue_measures(
    plan: Plan, reports: Sequence[ProgressReport], *, today: date, cadence: Cadence
) -> list[int]:
    """Measures overdue for at least one of their units or districts."""
    numbers = {
        state.measure
        for by in ("unit", "district")
        for state in pair_states(plan, reports, by=by, today=today, cadence=cadence)
        if state.overdue
    }
    return sorted(numbers)


def off_track_measures(plan: Plan, reports: Sequence[ProgressReport]) -> list[int]:
    """Measures off-track for at least one unit or district that reports on them."""
    references = reference_values(plan, reports)
    numbers = {
        number
        for groups in (_by_unit(reports), _by_district(reports))
        for (number, _), group in groups.items()
        if off_track_reasons(plan, number, group, references=references.get(number))
    }
    return sorted(numbers)


# --- checking a new report -------------------------------------------------------------


@dataclass(frozen=True)
class ProgressDraft:
    """A progress report that passed `check_progress`, ready to store."""

    measure: int
    unit: str
    district: str | None
    period: str
    status: Status
    narrative: str | None
    evidence: str | None
    indicators: dict[str, float]
    due_date: date | None


def check_progress(
    plan: Plan,
    *,
    measure: Any,
    unit: Any,
    district: Any = None,
    period: Any,
    status: Any,
    narrative: Any = None,
    evidence: Any = None,
    indicators: Mapping[str, Any] | None = None,
    due_date: Any = None,
    today: date,
) -> tuple[ProgressDraft | None, list[Problem]]:
    """A report as given (API, CLI or form strings) checked against the plan: (draft, [])
    or (None, [Problem(field, English, Chinese), ...]) naming every problem at once."""
    errors: list[Problem] = []
    number = _measure_number(measure, errors, plan)
    the_measure = plan.measure(number) if number is not None else None

    unit_name = _text(unit)
    if unit_name is None:
        errors.append(
            Problem(
                "unit",
                "a unit is required (the unit reporting, as the plan names it)",
                "请选择责任单位",
            )
        )
    elif unit_name not in plan.unit_names:
        errors.append(
            Problem(
                "unit",
                f"{unit_name!r} is not a unit the plan names",
                f"“{unit_name}”不是方案列出的责任单位",
            )
        )
    elif the_measure is not None and unit_name not in the_measure.units:
        units = "、".join(the_measure.units)
        errors.append(
            Problem(
                "unit",
                f"{unit_name} is not named for measure {number}; its units are {units}",
                f"{unit_name}不是第{number}项任务的责任单位；该任务的单位为{units}",
            )
        )

    district_name = _text(district)
    if district_name is not None:
        if district_name not in plan.district_names:
            names = "、".join(plan.district_names)
            errors.append(
                Problem(
                    "district",
                    f"{district_name!r} is not one of the plan's districts ({names})",
                    f"“{district_name}”不是方案的实施区域（{names}）",
                )
            )
        elif the_measure is not None and district_name not in the_measure.districts:
            errors.append(
                Problem(
                    "district",
                    f"{district_name} does not carry measure {number}",
                    f"{district_name}不承担第{number}项任务",
                )
            )

    period_label = _text(period)
    if period_label is None:
        errors.append(
            Problem(
                "period",
                f"a period is required: {PERIOD_FORMATS}",
                f"请填写报告期：{PERIOD_FORMATS_ZH}",
            )
        )
    else:
        try:
            parsed = parse_period(period_label)
        except ValueError as exc:
            errors.append(
                Problem(
                    "period", str(exc), f"报告期“{period_label}”格式不对，应为{PERIOD_FORMATS_ZH}"
                )
            )
        else:
            period_label = parsed.label
            if parsed.start > today:
                errors.append(
                    Problem(
                        "period",
                        f"period {parsed.label} has not begun (today is {today.isoformat()})",
                        f"报告期{parsed.label}尚未开始（今天是{today.isoformat()}）",
                    )
                )
            elif parsed.end < plan.document.issued:
                issued = plan.document.issued.isoformat()
                errors.append(
                    Problem(
                        "period",
                        f"period {parsed.label} ended before the plan was issued on {issued}",
                        f"报告期{parsed.label}在方案印发（{issued}）之前已结束",
                    )
                )

    status_value = None
    try:
        status_value = Status(_text(status))
    except ValueError:
        codes = ", ".join(s.value for s in Status)
        words = "、".join(STATUS_LABELS[s.value] for s in Status)
        errors.append(
            Problem(
                "status",
                f"{status!r} is not a status; one of {codes}",
                f"请选择推进状态（{words}）",
            )
        )

    due = None
    if due_date is not None and due_date != "":
        if isinstance(due_date, date) and not isinstance(due_date, datetime):
            due = due_date
        else:
            try:
                due = date.fromisoformat(str(due_date).strip())
            except ValueError:
                errors.append(
                    Problem(
                        "due_date",
                        f"{due_date!r} is not a date YYYY-MM-DD",
                        f"完成时限“{due_date}”不是日期（年-月-日）",
                    )
                )

    values = _indicator_values(plan, number, indicators or {}, errors)
    if errors:
        return None, errors
    assert number is not None and unit_name is not None and period_label is not None
    assert status_value is not None
    return (
        ProgressDraft(
            measure=number,
            unit=unit_name,
            district=district_name,
            period=period_label,
            status=status_value,
            narrative=_text(narrative),
            evidence=_text(evidence),
            indicators=values,
            due_date=due,
        ),
        [],
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _measure_number(value: Any, errors: list[Problem], plan: Plan) -> int | None:
    count = len(plan.measures)
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        errors.append(
            Problem(
                "measure",
                f"{value!r} is not a measure number 1..{count}",
                f"任务编号“{value}”应为 1..{count} 的整数",
            )
        )
        return None
    if not 1 <= number <= count:
        errors.append(
            Problem(
                "measure",
                f"no measure {number}; the plan's measures are numbered 1..{count}",
                f"方案没有第{number}项任务（共{count}项）",
            )
        )
        return None
    return number


def _indicator_values(
    plan: Plan, number: int | None, raw: Mapping[str, Any], errors: list[Problem]
) -> dict[str, float]:
    """Reported values by code; a value left empty (a form's blank field) is not reported."""
    values: dict[str, float] = {}
    own = {i.code: i for i in plan.indicators_of(number)} if number is not None else {}
    for code, raw_value in raw.items():
        field = f"indicators.{code}"
        if isinstance(raw_value, str) and not raw_value.strip():
            continue
        indicator = next((i for i in plan.indicators if i.code == code), None)
        if indicator is None:
            known = ", ".join(own) or "none"
            errors.append(
                Problem(
                    field,
                    f"unknown indicator {code!r}; measure {number} has: {known}",
                    f"方案没有指标“{code}”",
                )
            )
            continue
        name = f"指标“{indicator.name}”"
        if number is not None and indicator.measure != number:
            errors.append(
                Problem(
                    field,
                    f"{code} belongs to measure {indicator.measure}, not {number}",
                    f"{name}属于第{indicator.measure}项任务，不属于第{number}项",
                )
            )
            continue
        try:
            if isinstance(raw_value, bool):
                raise ValueError
            value = float(raw_value)
        except (TypeError, ValueError):
            errors.append(
                Problem(
                    field,
                    f"{raw_value!r} is not a number",
                    f"{name}的值“{raw_value}”不是数字（单位：{indicator.unit}）",
                )
            )
            continue
        if not math.isfinite(value):
            errors.append(
                Problem(
                    field,
                    f"{raw_value!r} is not a finite number",
                    f"{name}的值“{raw_value}”不是有限的数",
                )
            )
            continue
        unit = indicator.unit
        if indicator.minimum is not None and value < indicator.minimum:
            low = _number(indicator.minimum)
            errors.append(
                Problem(
                    field,
                    f"{_number(value)} is below {low} {unit}",
                    f"{name}的值{_number(value)}低于下限{low} {unit}",
                )
            )
            continue
        if indicator.maximum is not None and value > indicator.maximum:
            high = _number(indicator.maximum)
            errors.append(
                Problem(
                    field,
                    f"{_number(value)} is above {high} {unit}",
                    f"{name}的值{_number(value)}高于上限{high} {unit}",
                )
            )
            continue
        values[code] = value
    return values
