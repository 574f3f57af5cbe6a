"""The EIA stage machine and the approval clock, as pure functions over plain data.

The clock counts from the day after acceptance (民法典 art. 201), skips the days of
technical review, hearings and expert review (domain-2.md §12), counts calendar or working
days as the settings say, and moves a last day that is a rest day to the next working day
(民法典 art. 203). Working days come from the one work calendar (compliance.rules).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from ecozone.compliance.model import WorkCalendar
from ecozone.compliance.rules import is_working_day
from ecozone.projects.model import (
    CLOCK_STAGES,
    Category,
    Clock,
    ClockState,
    DayKind,
    Pause,
    ProjectError,
    ProjectSettings,
    Route,
    Stage,
    TransitionRefused,
    stage_name,
)

#: 环境影响评价法 (2018) art. 22: the approval authority decides within 60 days of receiving
#: a 报告书 and 30 days of a 报告表; a 登记表 is filed (备案), not approved.
STATUTORY_DAYS = {Category.REPORT: 60, Category.FORM: 30}
STATUTORY_BASIS = "环境影响评价法 第二十二条"

#: Where each stage may go next. A 登记表 or a 告知承诺 报告表 is decided on acceptance
#: (filing; Chongqing 2023 批准书 on acceptance); an exempt project goes to construction.
NEXT: dict[Stage, tuple[Stage, ...]] = {
    Stage.PLANNING: (Stage.SUBMITTED, Stage.CONSTRUCTION),
    Stage.SUBMITTED: (Stage.ACCEPTED, Stage.APPROVED, Stage.REFUSED),
    Stage.ACCEPTED: (Stage.TECHNICAL_REVIEW, Stage.PUBLIC_NOTICE, Stage.APPROVED, Stage.REFUSED),
    Stage.TECHNICAL_REVIEW: (Stage.PUBLIC_NOTICE, Stage.REFUSED),
    Stage.PUBLIC_NOTICE: (Stage.APPROVED, Stage.REFUSED),
    Stage.APPROVED: (Stage.CONSTRUCTION,),
    Stage.REFUSED: (),
    Stage.CONSTRUCTION: (Stage.ACCEPTANCE,),
    Stage.ACCEPTANCE: (Stage.PERMIT,),
    Stage.PERMIT: (Stage.OPERATION,),
    Stage.OPERATION: (),
}

#: The only move a builder makes; every other move is the bureau's.
BUILDER_MOVES = frozenset({(Stage.PLANNING, Stage.SUBMITTED)})


def check_route(category: Category, route: Route) -> None:
    """Which routes a category may take: exempt only with the exempt category (正面清单);
    告知承诺 only for a 报告表 (Chongqing 2023 conditions, domain-2.md §12)."""
    if (category is Category.EXEMPT) != (route is Route.EXEMPT):
        raise ProjectError(
            f"审批方式 {route.value} 与环评类别 {category.value} 不符：豁免类项目走豁免方式，"
            "且只有它走豁免方式"
        )
    if route is Route.PLEDGE and category is not Category.FORM:
        raise ProjectError(f"告知承诺制只适用于报告表（form）项目，不适用于 {category.value}")


def allowed_next(stage: Stage, category: Category, route: Route) -> tuple[Stage, ...]:
    """The stages a project may move to from `stage`, given its category and route."""
    found = NEXT[stage]
    if stage is Stage.PLANNING:
        return (Stage.CONSTRUCTION,) if category is Category.EXEMPT else (Stage.SUBMITTED,)
    if stage is Stage.SUBMITTED:
        if category is Category.REGISTRATION:
            return (Stage.APPROVED,)  # 备案: filed on submission
        return (Stage.ACCEPTED,)
    if stage is Stage.ACCEPTED and route is not Route.PLEDGE:
        return tuple(s for s in found if s is not Stage.APPROVED)
    return found


def check_transition(stage: Stage, target: Stage, category: Category, route: Route) -> None:
    """Refuse a move out of order, naming the stage the project is in."""
    allowed = allowed_next(stage, category, route)
    if target not in allowed:
        names = "、".join(stage_name(s) for s in allowed) or "无（已是最终阶段）"
        raise TransitionRefused(
            f"项目处于{stage_name(stage)}阶段，不能转到{stage_name(target)}；"
            f"下一阶段只能是：{names}"
        )


def limit_for(
    category: Category, route: Route, pilot_park: bool, settings: ProjectSettings
) -> tuple[int, DayKind, str] | None:
    """The period a decision must come within: (days, day kind, basis), or None when the
    project has no approval clock (filing only, exempt)."""
    if category not in STATUTORY_DAYS:
        return None
    if pilot_park:
        return settings.pilot_days, DayKind.WORKING, "试点园区 豁免环评审批+排污许可衔接 承诺时限"
    if route is Route.PLEDGE:
        return settings.pledge_days, DayKind.WORKING, "告知承诺制 承诺时限"
    return STATUTORY_DAYS[category], DayKind(settings.day_kind), STATUTORY_BASIS


def _paused(day: date, pauses: Iterable[Pause]) -> bool:
    return any(p.start <= day and (p.end is None or day < p.end) for p in pauses)


def _counts(day: date, kind: DayKind, pauses: tuple[Pause, ...], calendar: WorkCalendar) -> bool:
    if _paused(day, pauses):
        return False
    return kind is DayKind.CALENDAR or is_working_day(day, calendar)


def due_date(
    accepted_on: date,
    days: int,
    kind: DayKind,
    pauses: tuple[Pause, ...],
    calendar: WorkCalendar,
    *,
    roll_to_working_day: bool = True,
) -> date:
    """The last day of a period of `days` counted from the day after `accepted_on`, paused
    days not counted; every pause must have ended. 0 days: decided on acceptance."""
    if any(p.end is None for p in pauses):
        raise ProjectError("审批计时暂停中：暂停结束前没有届满日")
    day, counted = accepted_on, 0
    while counted < days:
        day += timedelta(days=1)
        counted += _counts(day, kind, pauses, calendar)
    if roll_to_working_day and days > 0:
        while not is_working_day(day, calendar):
            day += timedelta(days=1)
    return day


def clock(
    stage: Stage,
    category: Category,
    route: Route,
    pilot_park: bool,
    accepted_on: date | None,
    decided_on: date | None,
    pauses: tuple[Pause, ...],
    as_of: date,
    settings: ProjectSettings,
    calendar: WorkCalendar,
) -> Clock:
    """Where the approval period stands on `as_of` (or stood at the decision)."""
    limit = limit_for(category, route, pilot_park, settings)
    if limit is None or accepted_on is None:
        return Clock(ClockState.NONE)
    days, kind, basis = limit
    end = decided_on if stage not in CLOCK_STAGES and decided_on is not None else as_of
    stopped = tuple(p for p in pauses if p.start <= end)
    paused_days = sum(
        1 for n in range((end - accepted_on).days)
        if _paused(accepted_on + timedelta(days=n + 1), stopped)
    )  # fmt: skip
    used = sum(
        1 for n in range((end - accepted_on).days)
        if _counts(accepted_on + timedelta(days=n + 1), kind, stopped, calendar)
    )  # fmt: skip
    base = {"limit_days": days, "day_kind": kind, "basis": basis, "started_on": accepted_on,
            "days_used": used, "paused_days": paused_days}  # fmt: skip
    if any(p.end is None for p in stopped) and stage in CLOCK_STAGES:
        return Clock(ClockState.PAUSED, days_left=max(days - used, 0), **base)
    closed = tuple(Pause(p.kind, p.start, p.end or end) for p in stopped)
    due = due_date(accepted_on, days, kind, closed, calendar,
                   roll_to_working_day=settings.roll_to_working_day)  # fmt: skip
    if stage not in CLOCK_STAGES:
        state = ClockState.MET if end <= due else ClockState.LATE
        return Clock(state, due_on=due, days_left=None, **base)
    left = (due - as_of).days
    if left < 0:
        state = ClockState.OVERDUE
    elif left <= settings.due_soon_days:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.RUNNING
    return Clock(state, due_on=due, days_left=left, **base)


def sampling_quarter(approved_on: date) -> str:
    """The quarter whose post-approval sampling check takes a pledge-based approval: the
    quarter of its approval (Chongqing: committed files checked by quarterly sampling)."""
    return f"{approved_on.year}Q{(approved_on.month - 1) // 3 + 1}"


def permit_valid_to(valid_from: date) -> date:
    """排污许可管理条例 (2021) art. 14: five years; the last day is the day before the
    fifth anniversary (29 Feb moves to 28 Feb)."""
    try:
        anniversary = valid_from.replace(year=valid_from.year + 5)
    except ValueError:
        anniversary = valid_from.replace(year=valid_from.year + 5, day=28)
    return anniversary - timedelta(days=1)
