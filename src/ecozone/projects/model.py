"""EIA projects and their approval clock: plain data, no I/O.

A project carries its EIA category under the classification list (分类管理名录), the route
it takes (normal, 告知承诺, exempt, green channel) and its stage; each move between stages
is a Transition with who, when and why. The clock's settings are what domain-2.md §12 marks
(C): the day kind, the committed days of pledges and pilot parks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ecozone.errors import Conflict, Invalid, NotFound


class ProjectError(Invalid):
    """Bad input to a project use case; the message says what is wrong."""


class ProjectNotFound(NotFound):
    """No project with this id that the caller may see."""


class TransitionRefused(Conflict):
    """The move is not allowed from the project's stage; the message names the stage."""


class Category(StrEnum):
    """The EIA document the classification list asks for (环境影响评价法 art. 16)."""

    REPORT = "report"  # 环境影响报告书
    FORM = "form"  # 环境影响报告表
    REGISTRATION = "registration"  # 环境影响登记表: filing (备案) only
    EXEMPT = "exempt"  # 不纳入环评管理 / 正面清单豁免


class Route(StrEnum):
    NORMAL = "normal"  # 常规审批
    PLEDGE = "pledge"  # 告知承诺制
    EXEMPT = "exempt"  # 豁免 (正面清单)
    GREEN = "green"  # 绿色通道 (重大项目)


class Stage(StrEnum):
    PLANNING = "planning"  # 前期
    SUBMITTED = "submitted"  # 已报批
    ACCEPTED = "accepted"  # 已受理: the clock starts
    TECHNICAL_REVIEW = "technical_review"  # 技术评估: the clock stops
    PUBLIC_NOTICE = "public_notice"  # 拟审批公示
    APPROVED = "approved"  # 已批复 (or filed, for a 登记表)
    REFUSED = "refused"  # 不予批准
    CONSTRUCTION = "construction"  # 施工建设
    ACCEPTANCE = "acceptance"  # 三同时 竣工环保验收
    PERMIT = "permit"  # 排污许可
    OPERATION = "operation"  # 投入运行


#: The stages as the bureau names them, for messages (pages translate through i18n).
STAGE_NAMES = {
    Stage.PLANNING: "前期", Stage.SUBMITTED: "已报批", Stage.ACCEPTED: "已受理",
    Stage.TECHNICAL_REVIEW: "技术评估", Stage.PUBLIC_NOTICE: "拟审批公示",
    Stage.APPROVED: "已批复", Stage.REFUSED: "不予批准", Stage.CONSTRUCTION: "施工建设",
    Stage.ACCEPTANCE: "三同时验收", Stage.PERMIT: "排污许可", Stage.OPERATION: "投入运行",
}  # fmt: skip


def stage_name(stage: Stage) -> str:
    """“已受理”(accepted): the Chinese name with the code the API uses."""
    return f"“{STAGE_NAMES[stage]}”({stage.value})"


#: Stages in which the approval clock runs (or stands paused).
CLOCK_STAGES = (Stage.ACCEPTED, Stage.TECHNICAL_REVIEW, Stage.PUBLIC_NOTICE)
#: Stages after a decision.
DECIDED_STAGES = (Stage.APPROVED, Stage.REFUSED, Stage.CONSTRUCTION, Stage.ACCEPTANCE,
                  Stage.PERMIT, Stage.OPERATION)  # fmt: skip


class PauseKind(StrEnum):
    """What stops the clock (domain-2.md §12: technical review, hearings and expert review
    are excluded from the approval period)."""

    TECHNICAL_REVIEW = "technical_review"  # 技术评估
    HEARING = "hearing"  # 听证
    EXPERT_REVIEW = "expert_review"  # 专家评审


class DayKind(StrEnum):
    CALENDAR = "calendar"  # 日 (环境影响评价法 art. 22)
    WORKING = "working"  # 工作日


class ClockState(StrEnum):
    NONE = "none"  # no clock: planning, filing only, exempt
    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET = "met"  # decided on or before the due day
    LATE = "late"  # decided after the due day


class SamplingOutcome(StrEnum):
    """The quarterly post-approval check of a pledge-based approval (告知承诺 事后抽查)."""

    PENDING = "pending"  # flagged, not yet checked
    CONFORMING = "conforming"  # 承诺属实
    NONCONFORMING = "nonconforming"  # 承诺不实: the approval is to be revoked


@dataclass(frozen=True)
class Pause:
    """Days the clock stands still: from `start` (inclusive) to `end` (exclusive, the day it
    runs again); `end` None while it lasts."""

    kind: PauseKind
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Outlet:
    """An outlet the project will have, which becomes a registry point at operation."""

    code: str
    name: str
    kind: str  # registry PointKind: flue_gas or wastewater
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Clock:
    """Where the approval period stands on `as_of`."""

    state: ClockState
    limit_days: int | None = None
    day_kind: DayKind | None = None
    basis: str = ""  # which rule set the limit, e.g. 环境影响评价法 art. 22
    started_on: date | None = None
    due_on: date | None = None
    days_used: int = 0
    days_left: int | None = None
    paused_days: int = 0


@dataclass(frozen=True)
class Transition:
    project_id: int
    from_stage: Stage | None
    to_stage: Stage
    on_date: date
    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    builder_name: str
    credit_code: str
    enterprise_id: int | None
    district_id: int
    district: str
    industry: str
    category: Category
    route: Route
    major: bool
    pilot_park: bool
    investment_wan_yuan: float | None
    lon: float
    lat: float
    polygon: dict[str, Any] | None
    outlets: tuple[Outlet, ...]
    stage: Stage
    submitted_on: date | None
    accepted_on: date | None
    decided_on: date | None
    created_at: datetime
    pauses: tuple[Pause, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ProjectSettings:
    """domain-2.md §12, (C) or local practice, hence settings (ECOZONE_PROJECTS_<FIELD>):

    - day_kind: the law says 日 (calendar days); pages quoting 工作日 exist;
    - roll_to_working_day: a period whose last day is a rest day ends on the next working
      day (民法典 art. 203);
    - pledge_days: 告知承诺 报告表: the 批准书 is issued on acceptance (Chongqing 2023), 0;
    - pilot_days: pilot parks' 豁免环评审批 + 排污许可衔接 decision, 2 working days (2025);
    - due_soon_days: days before the due day when the alert desk is told.
    """

    day_kind: str = DayKind.CALENDAR.value
    roll_to_working_day: bool = True
    pledge_days: int = 0
    pilot_days: int = 2
    due_soon_days: int = 5
