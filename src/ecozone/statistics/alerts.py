"""Alert-handling statistics (报警处置统计): how many alerts in each state, of each type, per
enterprise, district and month, how long they waited for dispatch and for closing, and how
many the enterprises answered late.

Strategy: the store hands over one row per alert as column arrays (AlertFacts); every figure
is a NumPy reduction over those arrays, group by group (np.unique's inverse, then one sort), so
100 000 alerts cost a few array passes, never a Python loop over rows. Pure: no I/O, no clock.

Definitions (the desk's closed loop, compliance.model.AlertState):
- time to dispatch: from the platform raising the alert (created_at) to its first 派单;
- time to close: from raising to its last 办结, for alerts closed now (a reopened and
  reclosed alert counts its final close);
- overdue: a dispatched alert with a deadline whose enterprise answered (first feedback, or
  the close when it was closed unanswered) on a CST day after the deadline, or has not
  answered and `as_of` is past the deadline (compliance.rules.is_overdue for the open case);
  the overdue rate is overdue / alerts with a deadline.
Median and P90 interpolate linearly between closest ranks (k = 1 + (n - 1) p / 100, the same
rank rule as airquality.evaluation.rules.percentile; NumPy's default method).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

HOUR_S = 3600.0
EPOCH = date(1970, 1, 1)


def epoch_day(day: date) -> int:
    """A date as the facts hold days: days since 1970-01-01."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class AlertFacts:
    """One position per alert. Times are seconds since the epoch (NaN: never happened),
    days are CST dates as days since 1970-01-01 (NaN: none)."""

    type: np.ndarray  # object: AlertType values
    state: np.ndarray  # object: AlertState values
    enterprise: np.ndarray  # object: enterprise names
    district: np.ndarray  # object: district names
    month: np.ndarray  # object: "YYYY-MM" of the alert's start (device time)
    raised_s: np.ndarray
    dispatched_s: np.ndarray
    closed_s: np.ndarray
    deadline_day: np.ndarray
    answered_day: np.ndarray

    def __len__(self) -> int:
        return len(self.type)


@dataclass(frozen=True)
class Durations:
    """Hours of a set of alerts that went through a step: how many, median, P90, mean."""

    n: int
    median_h: float | None
    p90_h: float | None
    mean_h: float | None


@dataclass(frozen=True)
class GroupFigures:
    key: str
    count: int
    by_state: dict[str, int]
    to_dispatch: Durations
    to_close: Durations
    with_deadline: int
    overdue: int

    @property
    def overdue_rate(self) -> float | None:
        """Overdue alerts per 100 with a deadline; None when none had one."""
        return None if not self.with_deadline else 100.0 * self.overdue / self.with_deadline


@dataclass(frozen=True)
class AlertStatistics:
    total: GroupFigures
    by_type: tuple[GroupFigures, ...]
    by_enterprise: tuple[GroupFigures, ...]
    by_district: tuple[GroupFigures, ...]
    by_month: tuple[GroupFigures, ...]
    states: tuple[str, ...] = field(default=())


def empty_facts() -> AlertFacts:
    none = np.array([], dtype=object)
    nothing = np.array([], dtype=float)
    return AlertFacts(none, none, none, none, none, *(nothing,) * 5)


def durations(hours: np.ndarray) -> Durations:
    """Median, P90 and mean of the hours given; NaN (a step not taken) left out."""
    x = hours[~np.isnan(hours)]
    if not len(x):
        return Durations(0, None, None, None)
    median, p90 = np.percentile(x, [50, 90])
    return Durations(len(x), float(median), float(p90), float(x.mean()))


def overdue_mask(facts: AlertFacts, as_of: date) -> np.ndarray:
    """Alerts answered after their deadline day, or unanswered with `as_of` past it."""
    deadline = facts.deadline_day
    answered = facts.answered_day
    has = ~np.isnan(deadline)
    with np.errstate(invalid="ignore"):
        late_answer = ~np.isnan(answered) & (answered > deadline)
        still_open = np.isnan(answered) & (epoch_day(as_of) > deadline)
    return has & (late_answer | still_open)


@dataclass(frozen=True)
class _Steps:
    """What every group reads, computed once over all alerts: state codes, hours to dispatch
    and to close (NaN where the step was not taken), deadlines and the overdue mask."""

    states: tuple[str, ...]
    state_code: np.ndarray  # index into states; len(states) for a state not listed
    dispatch_h: np.ndarray
    close_h: np.ndarray
    has_deadline: np.ndarray
    overdue: np.ndarray


def _steps(facts: AlertFacts, as_of: date, states: Sequence[str]) -> _Steps:
    state = facts.state.astype(str)
    code = np.full(len(state), len(states))
    for i, name in enumerate(states):
        code[state == name] = i
    closed = state == "closed"
    return _Steps(
        tuple(states),
        code,
        (facts.dispatched_s - facts.raised_s) / HOUR_S,
        np.where(closed, (facts.closed_s - facts.raised_s) / HOUR_S, np.nan),
        ~np.isnan(facts.deadline_day),
        overdue_mask(facts, as_of),
    )


def _figures(key: str, steps: _Steps, index: np.ndarray) -> GroupFigures:
    counts = np.bincount(steps.state_code[index], minlength=len(steps.states) + 1)
    return GroupFigures(
        key=key,
        count=len(index),
        by_state={s: int(counts[i]) for i, s in enumerate(steps.states)},
        to_dispatch=durations(steps.dispatch_h[index]),
        to_close=durations(steps.close_h[index]),
        with_deadline=int(np.count_nonzero(steps.has_deadline[index])),
        overdue=int(np.count_nonzero(steps.overdue[index])),
    )


def grouped(keys: np.ndarray, steps: _Steps) -> tuple[GroupFigures, ...]:
    """Figures per distinct key (sorted): one stable sort splits the alerts into groups."""
    if not len(keys):
        return ()
    names, inverse = np.unique(keys.astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(1, len(names)))
    return tuple(
        _figures(str(name), steps, part)
        for name, part in zip(names, np.split(order, bounds), strict=True)
    )


def statistics(facts: AlertFacts, as_of: date, states: Sequence[str]) -> AlertStatistics:
    """Every figure of the alert-handling statistics over `facts`, overdue judged on `as_of`."""
    steps = _steps(facts, as_of, states)
    return AlertStatistics(
        total=_figures("", steps, np.arange(len(facts))),
        by_type=grouped(facts.type, steps),
        by_enterprise=grouped(facts.enterprise, steps),
        by_district=grouped(facts.district, steps),
        by_month=grouped(facts.month, steps),
        states=tuple(states),
    )


def figures_dict(g: GroupFigures) -> dict[str, object]:
    """A group's figures as JSON and table rows take them (hours rounded to 0.01)."""

    def hours(value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else round(value, 2)

    return {
        "key": g.key,
        "count": g.count,
        **{f"state_{s}": n for s, n in g.by_state.items()},
        "dispatched": g.to_dispatch.n,
        "dispatch_median_h": hours(g.to_dispatch.median_h),
        "dispatch_p90_h": hours(g.to_dispatch.p90_h),
        "dispatch_mean_h": hours(g.to_dispatch.mean_h),
        "closed": g.to_close.n,
        "close_median_h": hours(g.to_close.median_h),
        "close_p90_h": hours(g.to_close.p90_h),
        "close_mean_h": hours(g.to_close.mean_h),
        "with_deadline": g.with_deadline,
        "overdue": g.overdue,
        "overdue_rate": None if g.overdue_rate is None else round(g.overdue_rate, 1),
    }
