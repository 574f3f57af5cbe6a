"""Pure compliance rules: exceedances, annual caps, data-quality signs, alert lifecycle,
data marks, webhook signing (permit files are read by permit_file).

No I/O. Series come in as parallel sequences (period starts, values, flags) sorted by time
and are judged with NumPy masks: every check is "find the maximal runs of consecutive
periods where a condition holds", so one run finder serves exceedances, constant values,
fault and maintenance flags, hour mismatches and unpermitted discharge alike. Times follow
ecozone.times: device times are naive China Standard Time, instants aware.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    CapStatus,
    CloseReason,
    ComplianceSettings,
    Event,
    Mark,
    MarkKind,
    MarkSettings,
    PermitStatus,
    TransitionError,
    WorkCalendar,
)
from ecozone.hj212 import codes
from ecozone.times import CHINA_STANDARD_TIME, cst_naive

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

#: The period a value of each HJ 212 data kind covers from its DataTime (2051 minute data,
#: 2061 hour data): a value tells about the point until its period ends.
DATA_PERIODS = {"minute": timedelta(minutes=1), "hour": HOUR}

#: Flow parameters (HJ 212-2017 App. B): a zero flow means the outlet is not discharging.
FLOW_CODES = frozenset({"a00000", "w00000"})


def format_local(value: datetime | None) -> str | None:
    """Device time as ISO 8601 with the +08:00 offset."""
    if value is None:
        return None
    return cst_naive(value).replace(tzinfo=CHINA_STANDARD_TIME).isoformat()


def floor_period(value: datetime, step: timedelta) -> datetime:
    """Start of the hour or the (CST) day holding `value`."""
    if step == DAY:
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value.replace(minute=0, second=0, microsecond=0)


# --- runs of consecutive periods -------------------------------------------------------------


def _times(times: Sequence[datetime] | np.ndarray) -> np.ndarray:
    """Period starts as datetime64[us] (an array of that type is taken as it is)."""
    if isinstance(times, np.ndarray) and times.dtype == np.dtype("datetime64[us]"):
        array = times
    elif len(times):
        array = np.array(times, dtype="datetime64[us]")
    else:
        array = np.array([], "datetime64[us]")
    if array.size > 1 and not bool(np.all(array[1:] > array[:-1])):
        raise ValueError("period starts must be strictly increasing")
    return array


def _floats(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float)
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _bools(values: Sequence[bool] | np.ndarray | None, size: int, default: bool) -> np.ndarray:
    if values is None:
        return np.full(size, default, dtype=bool)
    array = np.asarray(values, dtype=bool)
    if array.shape != (size,):
        raise ValueError(f"expected {size} flags, got {array.shape[0]}")
    return array


def _step(step: timedelta) -> np.timedelta64:
    return np.timedelta64(int(step / timedelta(microseconds=1)), "us")


def runs(
    times: Sequence[datetime] | np.ndarray, mask: Sequence[bool] | np.ndarray, step: timedelta
) -> list[np.ndarray]:
    """Maximal runs of consecutive periods where `mask` holds, as index arrays into `times`.

    Periods are consecutive when each starts `step` after the one before; a missing
    period, like a period where the mask fails, ends a run.
    """
    t = _times(times)
    return _runs(t, _bools(mask, t.size, False), step)


def _runs(t: np.ndarray, mask: np.ndarray, step: timedelta) -> list[np.ndarray]:
    index = np.flatnonzero(mask)
    if index.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(t[index]) != _step(step)) + 1
    return np.split(index, breaks)


def _event(
    t: np.ndarray,
    judged: np.ndarray,
    index: np.ndarray,
    step: timedelta,
    *,
    limit: float | None = None,
    peak: float | None = None,
    keep_values: bool = True,
) -> Event:
    starts = t[index].tolist()
    values = tuple((start, float(judged[i])) for start, i in zip(starts, index, strict=True))
    if not keep_values:
        return Event(start=starts[0], end=starts[-1] + step, peak=peak, limit=limit)
    if peak is None and values:
        finite = [v for _, v in values if math.isfinite(v)]
        peak = max(finite) if finite else None
    return Event(start=starts[0], end=starts[-1] + step, peak=peak, limit=limit, values=values)


def judged_values(
    avg: Sequence[float | None] | np.ndarray,
    zs_avg: Sequence[float | None] | np.ndarray,
    *,
    has_reference_o2: bool,
) -> Sequence[float | None] | np.ndarray:
    """The value compared with a limit: converted to the reference O2 where the point has one.

    Flue-gas limits (GB 13223-2011, GB 13271-2014 ...) apply to dry standard-state
    concentrations converted to the standard's reference O2 (HJ 75-2017; the conversion
    C_ref = C × (21 − O2_ref)/(21 − O2_meas)). An hour without a converted value (O2 missing
    or at its cap) is not judged. Points without a reference O2 (wastewater) use the mean.
    """
    return zs_avg if has_reference_o2 else avg


def marked(
    times: Sequence[datetime] | np.ndarray,
    step: timedelta,
    marks: Iterable[tuple[datetime, datetime]],
) -> np.ndarray:
    """Periods [t, t + step) that overlap a declared range [start, end).

    A period touched by a declaration at all is left out of judgement: data taken while an
    instrument is stopped, maintained, calibrated or faulty does not describe normal
    discharge, so the period's mean is not a sound basis for an exceedance. HJ 75-2017
    treats such periods as missing data (domain.md §2.3; the clause text is UNCONFIRMED);
    "touched at all" rather than "covered for most of the period" is the platform's choice,
    and every declaration stays visible to supervisors (late, overlapping) to check it.
    """
    t = _times(times)
    out = np.zeros(t.size, dtype=bool)
    delta = _step(step)
    for start, end in marks:
        s = np.datetime64(start, "us")
        e = np.datetime64(end, "us")
        out |= (t < e) & (t + delta > s)
    return out


def marks_applying(
    marks: Iterable[Mark], pollutant: str | None, kinds: Iterable[MarkKind] | None = None
) -> list[tuple[datetime, datetime]]:
    """Ranges of the live declarations that cover `pollutant` (a declaration without a
    pollutant covers them all), optionally of some kinds only. Revoked and rejected
    declarations excuse nothing (marks.review_mark)."""
    wanted = set(kinds) if kinds is not None else None
    return [
        (mark.start, mark.end)
        for mark in marks
        if not mark.revoked
        and not mark.rejected
        and (mark.pollutant is None or pollutant is None or mark.pollutant == pollutant)
        and (wanted is None or mark.kind in wanted)
    ]


def exceedances(
    times: Sequence[datetime] | np.ndarray,
    values: Sequence[float | None],
    limits: Sequence[float | None],
    *,
    step: timedelta,
    valid: Sequence[bool] | None = None,
    excluded: Sequence[bool] | np.ndarray | None = None,
) -> list[Event]:
    """Runs of consecutive periods whose value is above the limit, each one event.

    Only valid values count (HJ 212-2017 App. D: an hourly mean needs 45 valid minutes, a
    daily mean 20 valid hours), and periods covered by a data-marking declaration are left
    out (`excluded`). A value exceeds when it is greater than the limit (超过). `limits`
    gives each period's permitted limit (None where no permit applies); a run is split
    where the limit changes, so each event has one limit. The event's peak is its largest
    value and its duration the run's length (3 hours for 10:00, 11:00 and 12:00).
    """
    t = _times(times)
    v = _floats(values)
    lim = _floats(limits)
    ok = _bools(valid, t.size, True) & ~_bools(excluded, t.size, False)
    with np.errstate(invalid="ignore"):
        mask = ok & np.isfinite(v) & np.isfinite(lim) & (v > lim)
    events: list[Event] = []
    for run in _runs(t, mask, step):
        for part in np.split(run, np.flatnonzero(np.diff(lim[run]) != 0) + 1):
            events.append(_event(t, v, part, step, limit=float(lim[part[0]])))
    return events


def stopped(values: Sequence[float | None], flows: Sequence[float | None]) -> np.ndarray:
    """Periods when the outlet was not discharging: flow zero (or less), or, where no flow
    is measured, the value itself zero. A stopped outlet's analysers read flat lines that are
    no sign of tampering."""
    v = _floats(values)
    q = _floats(flows)
    with np.errstate(invalid="ignore"):
        return (q <= 0) | (np.isnan(q) & (v == 0))


def _close(a: np.ndarray, b: np.ndarray, tolerance: float) -> np.ndarray:
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.abs(a - b) <= tolerance + 1e-9 * scale


def constant_runs(
    times: Sequence[datetime] | np.ndarray,
    values: Sequence[float | None],
    *,
    min_periods: int,
    step: timedelta = HOUR,
    tolerance: float = 0.0,
    excluded: Sequence[bool] | np.ndarray | None = None,
) -> list[Event]:
    """Runs of at least `min_periods` consecutive periods with identical means.

    Real emissions vary from hour to hour; a value frozen for hours is a sign of a stuck
    analyser or of data being faked (篡改、伪造自动监测数据). Excluded periods (a stop, a
    declaration) break runs. Six hourly means of 35.2 in a row make one 6-hour event with
    peak 35.2.
    """
    t = _times(times)
    v = _floats(values)
    eligible = np.isfinite(v) & ~_bools(excluded, t.size, False)
    if t.size < 2:
        return []
    same = (
        eligible[:-1]
        & eligible[1:]
        & (np.diff(t) == _step(step))
        & _close(v[:-1], v[1:], tolerance)
    )
    events: list[Event] = []
    for edges in _true_runs(same):
        first, last = int(edges[0]), int(edges[-1]) + 1  # periods joined by the edges
        if last - first + 1 >= min_periods:
            index = np.arange(first, last + 1)
            events.append(_event(t, v, index, step, peak=float(v[first])))
    return events


def _true_runs(mask: np.ndarray) -> list[np.ndarray]:
    index = np.flatnonzero(mask)
    if index.size == 0:
        return []
    return np.split(index, np.flatnonzero(np.diff(index) != 1) + 1)


def flag_hours(flag_counts: Sequence[int], value_counts: Sequence[int]) -> np.ndarray:
    """Hours spent in a flag's state: more than half of the hour's values carry the flag.

    HJ 212-2017 App. D flags a flue-gas hour normal only when more than 75 % of its minutes
    are; which abnormal state an hour is in is not fixed there, so the majority decides.
    """
    flagged = np.asarray(flag_counts, dtype=np.int64)
    total = np.asarray(value_counts, dtype=np.int64)
    return 2 * flagged > total


def long_runs(
    times: Sequence[datetime] | np.ndarray,
    mask: Sequence[bool] | np.ndarray,
    *,
    min_periods: int,
    step: timedelta = HOUR,
) -> list[Event]:
    """Runs of consecutive periods where `mask` holds lasting at least `min_periods`.

    Fault flag D for 12 hours or more makes device_fault (with `min_periods` 12);
    maintenance flag M longer than 24 hours makes long_maintenance (`min_periods` 25).
    """
    t = _times(times)
    ones = np.ones(t.size)
    return [
        _event(t, ones, run, step, keep_values=False)
        for run in _runs(t, _bools(mask, t.size, False), step)
        if run.size >= min_periods
    ]


def hour_mismatch(
    ours: float | None, theirs: float | None, *, relative: float = 0.10, floor: float = 0.5
) -> bool:
    """True when the device's hourly value differs from the computed one beyond tolerance.

    Tolerance: `relative` of the computed value, but never less than `floor` (so values
    near zero are not flagged for noise). Computed 100, device 89: |100 − 89| = 11 > 10 → True.
    """
    if ours is None or theirs is None or not (math.isfinite(ours) and math.isfinite(theirs)):
        return False
    return abs(ours - theirs) > max(relative * abs(ours), floor)


def mismatches(
    times: Sequence[datetime] | np.ndarray,
    ours: Sequence[float | None],
    theirs: Sequence[float | None],
    *,
    relative: float,
    floor: float,
    valid: Sequence[bool] | None = None,
) -> list[Event]:
    """Runs of hours whose device value disagrees with the computed one (see hour_mismatch).

    Only hours with a valid computed value are compared. An event's peak is the largest
    absolute difference and its limit the tolerance at that hour.
    """
    t = _times(times)
    a = _floats(ours)
    b = _floats(theirs)
    tolerance = np.maximum(relative * np.abs(a), floor)
    diff = np.abs(a - b)
    with np.errstate(invalid="ignore"):
        mask = _bools(valid, t.size, True) & np.isfinite(diff) & (diff > tolerance)
    events = []
    for run in _runs(t, mask, HOUR):
        worst = int(run[np.argmax(diff[run])])
        events.append(
            _event(t, diff, run, HOUR, peak=float(diff[worst]), limit=float(tolerance[worst]))
        )
    return events


def permitted(
    times: Sequence[datetime] | np.ndarray, validity: Iterable[tuple[date, date]]
) -> np.ndarray:
    """Periods whose (CST) date lies within a permit's validity, both ends inclusive."""
    t = _times(times)
    days = t.astype("datetime64[D]")
    out = np.zeros(t.size, dtype=bool)
    for valid_from, valid_to in validity:
        out |= (days >= np.datetime64(valid_from, "D")) & (days <= np.datetime64(valid_to, "D"))
    return out


def unpermitted_discharge(
    times: Sequence[datetime] | np.ndarray,
    discharging: Sequence[bool] | np.ndarray,
    covered: Sequence[bool] | np.ndarray,
    *,
    step: timedelta = HOUR,
) -> list[Event]:
    """Runs of hours an outlet discharged outside every permit's validity.

    排污许可管理条例 art. 2: no discharge without a permit; art. 14: a permit is valid for
    its stated term, so discharge after valid_to (or before valid_from) is unpermitted.
    """
    t = _times(times)
    mask = _bools(discharging, t.size, False) & ~_bools(covered, t.size, False)
    ones = np.ones(t.size)
    return [_event(t, ones, run, step, keep_values=False) for run in _runs(t, mask, step)]


# --- annual caps -----------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def cap_status(
    emitted_kg: float,
    cap_t: float,
    *,
    year: int,
    as_of: datetime,
    settings: ComplianceSettings,
) -> CapStatus:
    """The year-to-date total against the permitted annual cap (许可排放量, 排污许可管理条例
    art. 13), with a projection to the year's end at the year-to-date rate.

    projected = emitted × (hours in the year) / (hours from 1 January to `as_of`).
    Levels: `exceeded` above the cap; `approaching` at `cap_actual_fraction` of it or more;
    `projected_over` when the projection passes `cap_projected_fraction` of it. Example:
    27.15 t by 1 July 2023 (181 of 365 days) projects 27.15 × 365 / 181 = 54.75 t, over a
    50 t cap although only 54.3 % of it is used.
    """
    first, following = year_bounds(year)
    as_of = min(max(as_of, first), following)
    emitted_t = emitted_kg / 1000.0
    elapsed = as_of - first
    projected = None
    if elapsed >= settings.cap_projection_min and elapsed > timedelta(0):
        projected = emitted_t * ((following - first) / elapsed)
    level = None
    if emitted_t > cap_t:
        level = "exceeded"
    elif emitted_t >= settings.cap_actual_fraction * cap_t:
        level = "approaching"
    elif projected is not None and projected > settings.cap_projected_fraction * cap_t:
        level = "projected_over"
    return CapStatus(
        year=year, emitted_t=emitted_t, cap_t=cap_t, as_of=as_of, projected_t=projected, level=level
    )


# --- alert lifecycle -------------------------------------------------------------------------

#: action -> (states it applies to, state it leads to). The closed loop bureaus run: an
#: alert is dispatched to the enterprise, answered with cause and measures, verified by the
#: supervisor and closed; a supervisor may close a false alarm at once (with a comment) and
#: may reopen an answered, verified or closed alert.
TRANSITIONS: Mapping[AlertAction, tuple[frozenset[AlertState], AlertState]] = {
    AlertAction.DISPATCH: (frozenset({AlertState.OPEN}), AlertState.DISPATCHED),
    AlertAction.URGE: (frozenset({AlertState.DISPATCHED}), AlertState.DISPATCHED),
    AlertAction.REMIND: (frozenset({AlertState.DISPATCHED}), AlertState.DISPATCHED),
    AlertAction.FEEDBACK: (frozenset({AlertState.DISPATCHED}), AlertState.FEEDBACK),
    AlertAction.SEND_BACK: (frozenset({AlertState.FEEDBACK}), AlertState.DISPATCHED),
    AlertAction.VERIFY: (frozenset({AlertState.FEEDBACK}), AlertState.VERIFIED),
    AlertAction.CLOSE: (frozenset({AlertState.VERIFIED, AlertState.OPEN}), AlertState.CLOSED),
    AlertAction.REOPEN: (
        frozenset({AlertState.FEEDBACK, AlertState.VERIFIED, AlertState.CLOSED}),
        AlertState.OPEN,
    ),
}
#: A false alarm (误报) may be closed at any point of the loop before it is closed.
FALSE_ALARM_CLOSES = frozenset(
    {AlertState.OPEN, AlertState.DISPATCHED, AlertState.FEEDBACK, AlertState.VERIFIED}
)


def next_state(
    state: AlertState | str,
    action: AlertAction | str,
    *,
    comment: str | None = None,
    cause: str | None = None,
    measures: str | None = None,
    reason: CloseReason | str | None = None,
) -> AlertState:
    """The state `action` leads to from `state`; TransitionError if it may not be taken.

    Feedback must say the cause found and the measures taken; closing an alert that was
    never dispatched or as a false alarm, sending an answer back and reopening must say
    why (comment).
    """
    state = AlertState(state)
    action = AlertAction(action)
    reason = CloseReason(reason) if reason is not None else None
    allowed, target = TRANSITIONS[action]
    if action is AlertAction.CLOSE and reason is CloseReason.FALSE_ALARM:
        allowed = FALSE_ALARM_CLOSES
    if state not in allowed:
        order = [s.value for s in AlertState if s in allowed]
        raise TransitionError(
            f"cannot {action.value} an alert that is {state.value}; "
            f"{action.value} applies to {' or '.join(order)} alerts"
        )
    if reason is not None and action is not AlertAction.CLOSE:
        raise TransitionError(f"a reason ({reason.value}) belongs to close, not {action.value}")
    missing = []
    if action is AlertAction.FEEDBACK:
        if not (cause and cause.strip()):
            missing.append("cause")
        if not (measures and measures.strip()):
            missing.append("measures")
    needs_comment = action in (AlertAction.REOPEN, AlertAction.SEND_BACK) or (
        action is AlertAction.CLOSE
        and (state is AlertState.OPEN or reason is CloseReason.FALSE_ALARM)
    )
    if needs_comment and not (comment and comment.strip()):
        missing.append("comment")
    if missing:
        what = " and ".join(missing)
        raise TransitionError(f"{action.value} needs {what}")
    return target


# --- deadlines in working days -------------------------------------------------------------


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """Monday to Friday unless a holiday; a weekend day the calendar makes a working day
    (调休) counts. The State Council's yearly notice decides both lists."""
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: date, days: int, calendar: WorkCalendar) -> date:
    """The `days`-th working day after `start`: a period counts from the next day, the day
    of the act not counted (民法典 art. 201), and a period in working days skips statutory
    holidays (as 行政许可法 art. 82 counts its own periods)."""
    if days < 1:
        raise ValueError(f"days: {days}; a deadline is at least 1 working day")
    day, counted = start, 0
    while counted < days:
        day += DAY
        if is_working_day(day, calendar):
            counted += 1
    return day


def deadline_for(dispatched_at: datetime, days: int, calendar: WorkCalendar) -> date:
    """Last day (China Standard Time, inclusive) to answer an alert dispatched at the
    instant `dispatched_at` with `days` working days."""
    return add_working_days(cst_naive(dispatched_at).date(), days, calendar)


def is_overdue(state: AlertState | str, deadline: date | None, today: date) -> bool:
    """A dispatched alert with no answer once its deadline day has passed (CST dates). An
    answered alert waits for the supervisor, not the enterprise, so it is not overdue."""
    return AlertState(state) is AlertState.DISPATCHED and deadline is not None and today > deadline


def working_days_late(deadline: date, today: date, calendar: WorkCalendar) -> int:
    """Working days from the day after `deadline` up to `today`, both ends counted."""
    late, day = 0, deadline
    while day < today:
        day += DAY
        late += is_working_day(day, calendar)
    return late


def parse_calendar(data: Mapping[str, Any] | None, source: str = "calendar") -> WorkCalendar:
    """A WorkCalendar from {holidays: [...], workdays: [...]}; items are dates (YYYY-MM-DD)
    or ranges "YYYY-MM-DD..YYYY-MM-DD" (both ends included). ValueError names a bad item."""
    data = data or {}
    unknown = sorted(set(data) - {"holidays", "workdays"})
    if unknown:
        raise ValueError(f"{source}: unknown key {', '.join(unknown)}; use holidays, workdays")
    lists: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
    for key, days in lists.items():
        for item in data.get(key) or []:
            days.update(_calendar_days(item, f"{source}: {key}"))
    both = sorted(lists["holidays"] & lists["workdays"])
    if both:
        raise ValueError(f"{source}: {both[0].isoformat()} is both a holiday and a workday")
    return WorkCalendar(frozenset(lists["holidays"]), frozenset(lists["workdays"]))


def _calendar_days(item: Any, where: str) -> list[date]:
    if isinstance(item, date) and not isinstance(item, datetime):
        return [item]
    text = str(item).strip()
    first, sep, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if sep else start
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a date YYYY-MM-DD or a range A..B") from None
    if end < start:
        raise ValueError(f"{where}: {text!r} ends before it starts")
    return [start + DAY * n for n in range((end - start).days + 1)]


# --- data marks ------------------------------------------------------------------------------

REASON_MAX = 2000


def check_mark(
    *, kind: str, start: datetime, end: datetime, reason: str | None, pollutant: str | None
) -> list[str]:
    """What is wrong with a declaration, field by field (empty when it can be stored)."""
    errors = []
    if kind not in [member.value for member in MarkKind]:
        errors.append(f"kind: {kind!r} is not {', '.join(MarkKind)}")
    if not end > start:
        errors.append(f"end: {format_local(end)} is not after start {format_local(start)}")
    if not (reason and reason.strip()):
        errors.append("reason: missing; say why the data is marked")
    elif len(reason) > REASON_MAX:
        errors.append(f"reason: {len(reason)} characters; at most {REASON_MAX}")
    if pollutant is not None and codes.pollutant(pollutant) is None:
        errors.append(f"pollutant: {pollutant!r} is not a pollutant code of HJ 212-2017")
    return errors


def is_late(mark: Mark, late_after: timedelta = timedelta(0)) -> bool:
    """Declared more than `late_after` after the marked range had begun (补报): the
    supervisor sees such marks."""
    return mark.declared_at is not None and mark_is_late(
        mark.start, mark.declared_at, late_after=late_after
    )


def mark_delay(start: datetime, declared_at: datetime) -> timedelta:
    """How long after the marked range began it was declared (zero when declared ahead).
    `start` is device time (naive CST), `declared_at` an aware instant."""
    return max(cst_naive(declared_at) - start, timedelta(0))


def mark_window_problems(
    start: datetime, end: datetime, declared_at: datetime, settings: MarkSettings
) -> list[tuple[str, str, dict[str, int]]]:
    """Where a declaration's range leaves the allowed span, as (field, problem, numbers):
    longer than `settings.longest`, beginning more than `back_limit` before the
    declaration or more than `ahead_limit` after it (MarkSettings; UNCONFIRMED numbers)."""
    now = cst_naive(declared_at)
    problems: list[tuple[str, str, dict[str, int]]] = []
    if end - start > settings.longest:
        problems.append(("end", "too_long", {"days": settings.longest.days}))
    if settings.back_limit is not None and start < now - settings.back_limit:
        problems.append(("start", "too_early", {"days": settings.back_limit.days}))
    if settings.ahead_limit is not None and start > now + settings.ahead_limit:
        problems.append(("start", "too_far_ahead", {"days": settings.ahead_limit.days}))
    return problems


_WINDOW_TEXTS = {
    "too_long": "the range is longer than {days} days; declare it in parts",
    "too_early": "begins more than {days} days before the declaration",
    "too_far_ahead": "begins more than {days} days after the declaration",
}


def check_mark_window(
    start: datetime, end: datetime, declared_at: datetime, settings: MarkSettings
) -> list[str]:
    """mark_window_problems as the use case's field-by-field messages."""
    return [
        f"{field}: {_WINDOW_TEXTS[problem].format(**numbers)}"
        for field, problem, numbers in mark_window_problems(start, end, declared_at, settings)
    ]


def overlapping(marks: Sequence[Mark]) -> dict[int, list[int]]:
    """For each live declaration, the other live ones of the same point whose time ranges
    and pollutants overlap it (a repeated declaration for the same data)."""
    live = sorted((m for m in marks if not m.revoked), key=lambda m: (m.point_id, m.start))
    out: dict[int, list[int]] = {m.id: [] for m in live}
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if b.point_id != a.point_id or b.start >= a.end:
                break  # sorted: every later one is another point's or starts later still
            if a.pollutant is None or b.pollutant is None or a.pollutant == b.pollutant:
                out[a.id].append(b.id)
                out[b.id].append(a.id)
    return out


# --- webhooks --------------------------------------------------------------------------------

SIGNATURE_HEADER = "X-Ecozone-Signature"


def signature(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the request body under the webhook's secret, as `sha256=<hex>`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempts: int, settings: ComplianceSettings) -> timedelta:
    """Wait after the `attempts`-th failure: base × 2^(attempts − 1), capped (60 s, 120 s,
    240 s, ... with the defaults)."""
    delay = settings.webhook_backoff_base * (2 ** max(attempts - 1, 0))
    return min(delay, settings.webhook_backoff_max)


# --- permit status, late declarations ------------------------------------------------------


#: 排污许可管理条例 (2021) Art. 14: apply to renew at least 60 days before the permit ends.
RENEWAL_NOTICE_DAYS = 60


def mark_is_late(
    start: datetime, declared_at: datetime, *, late_after: timedelta = timedelta(0)
) -> bool:
    """A data-marking declaration is late when it was made more than `late_after` after
    its period began (MarkSettings.late_after; 0 by default).

    Marks are meant to be declared ahead of time; a declaration made once the
    marked data already exists (事后标记) is allowed but must be looked at.
    `start` is device time (naive CST), `declared_at` an aware instant.
    """
    return cst_naive(declared_at) - start > late_after


def permit_status(
    valid_from: date, valid_to: date, today: date, *, notice_days: int = RENEWAL_NOTICE_DAYS
) -> PermitStatus:
    """Where a permit stands on `today`; renewal is due within `notice_days` of its last day
    (排污许可管理条例 Art. 14: apply 60 days before the permit ends)."""
    if today < valid_from:
        return PermitStatus.NOT_YET_VALID
    if today > valid_to:
        return PermitStatus.EXPIRED
    if (valid_to - today).days < notice_days:
        return PermitStatus.RENEWAL_DUE
    return PermitStatus.VALID
