"""Plain data of compliance: permits and their limits, alerts, data marks, settings.

Frozen dataclasses and enums only, and the package's one exception family
(`ComplianceError` and its kinds). Nothing here touches the database; the
rules and the service pass these between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from ecozone.errors import Conflict, Invalid, NotFound


class PermitClass(StrEnum):
    """Management class of a discharge permit (排污许可管理条例 art. 2; the classification
    catalogue of 2019 adds registration, 登记管理, for the smallest dischargers)."""

    KEY = "key"  # 重点管理
    SIMPLIFIED = "simplified"  # 简化管理
    REGISTRATION = "registration"  # 登记管理


class LimitBasis(StrEnum):
    """Averaging period a concentration limit is judged on."""

    HOUR = "hour"
    DAY = "day"

    @property
    def step(self) -> timedelta:
        return timedelta(hours=1) if self is LimitBasis.HOUR else timedelta(days=1)


class AlertType(StrEnum):
    EXCEEDANCE = "exceedance"  # 超标
    OFFLINE = "offline"  # 数据缺失 / 离线
    CONSTANT_VALUE = "constant_value"  # 数据恒值
    DEVICE_FAULT = "device_fault"  # 仪器故障 (flag D)
    LONG_MAINTENANCE = "long_maintenance"  # 维护超时 (flag M)
    HOUR_MISMATCH = "hour_mismatch"  # 设备小时值与平台计算值不符
    CAP_WARNING = "cap_warning"  # 年许可排放量预警
    PERMIT_EXPIRED = "permit_expired"  # 无证 / 证过期排放
    # Emission–electricity linkage (ecozone.power, domain-2.md §1.4 types A–D, and E)
    CONTROL_OFF = "control_off"  # 生产运行而治污设施停运
    UNSYNCHRONISED = "unsynchronised"  # 治污设施与生产设施启停不同步
    CONTROL_IDLE = "control_idle"  # 治污设施空转 / 低负荷
    LIMIT_ORDER = "limit_order"  # 停限产 / 错峰期间违规生产
    ANALYSER_SILENT = "analyser_silent"  # 生产运行而在线监测无数据 / 停运 / 恒值
    # Hazardous waste (ecozone.waste.checks, domain-2.md §3)
    WASTE_STORAGE_AGE = "waste_storage_age"  # 贮存临近或超过一年
    WASTE_OVER_CAPACITY = "waste_over_capacity"  # 库存超过贮存能力
    WASTE_BALANCE = "waste_balance"  # 物料衡算不平衡
    WASTE_MANIFEST_LATE = "waste_manifest_late"  # 联单未按期确认接收
    WASTE_RECEIPT_DIFFERENCE = "waste_receipt_difference"  # 接收量与转移量差异过大
    WASTE_DECLARATION_DUE = "waste_declaration_due"  # 危废申报临近截止
    WASTE_DECLARATION_LATE = "waste_declaration_late"  # 危废申报逾期未报
    WASTE_ROUTE_DEVIATION = "waste_route_deviation"  # 危废运输车辆偏离申报路线
    WASTE_LONG_STOP = "waste_long_stop"  # 危废运输车辆途中异常停留
    ALLOWANCE_SHORTFALL = "allowance_shortfall"  # 配额清缴缺口 / 排污权不足 (ecozone.trading)
    # EIA approval clock (ecozone.projects, domain-2.md §12)
    EIA_DUE = "eia_due"  # 环评审批临近时限
    EIA_OVERDUE = "eia_overdue"  # 环评审批超时限
    # Environmental quality (ecozone.quality)
    NIGHT_CONSTRUCTION = "night_construction"  # 无夜间施工许可的夜间施工噪声
    DUST_EXCEEDANCE = "dust_exceedance"  # 工地扬尘超标
    SEWER_OVERFLOW = "sewer_overflow"  # 排水管网溢流


class AlertState(StrEnum):
    """Where an alert stands in the bureau's closed loop (闭环管理)."""

    OPEN = "open"  # raised, not yet handled
    DISPATCHED = "dispatched"  # sent to the enterprise by a supervisor (派单)
    FEEDBACK = "feedback"  # the enterprise answered: cause and measures (反馈)
    VERIFIED = "verified"  # a supervisor checked the answer (核实)
    CLOSED = "closed"  # done (办结)


#: States still waiting for someone: raised, dispatched, answered by the enterprise;
#: verified and closed are settled by the supervisor.
OPEN_ALERT_STATES = (AlertState.OPEN, AlertState.DISPATCHED, AlertState.FEEDBACK)
#: The state in which it is the enterprise's turn: dispatched to it, waiting for the cause
#: and the measures taken.
FEEDBACK_STATES = (AlertState.DISPATCHED,)


class AlertAction(StrEnum):
    DISPATCH = "dispatch"  # 派单, with a deadline in working days
    URGE = "urge"  # 催办: a supervisor presses a dispatched alert; the state stays
    FEEDBACK = "feedback"
    SEND_BACK = "send_back"  # 退回: the answer does not do; the enterprise answers again
    VERIFY = "verify"
    CLOSE = "close"
    REOPEN = "reopen"
    REMIND = "remind"  # the platform notes once a day that a dispatched alert is overdue


class CloseReason(StrEnum):
    """Why a supervisor closed an alert (办结 / 误报)."""

    RESOLVED = "resolved"  # handled: cause found, measures taken and verified
    FALSE_ALARM = "false_alarm"  # 误报: no real condition (a device fault, a test); say why


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday, except `holidays`, plus the weekend
    days in `workdays` (调休: the State Council's yearly holiday notice moves working days
    onto weekends, so the dates are a setting, ECOZONE_WORK_CALENDAR, never constants)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class DeskSettings:
    """The alert desk's settings: the working-day calendar and the deadline a dispatch gets
    when the supervisor does not name one (ECOZONE_ALERT_DEADLINE_DAYS). No rule found in
    the references fixes that number; 5 working days is common practice, UNCONFIRMED."""

    calendar: WorkCalendar = WorkCalendar()
    deadline_days: int = 5
    max_deadline_days: int = 60


class MarkKind(StrEnum):
    """What an enterprise declares about a period of its monitoring data (数据标记)."""

    SHUTDOWN = "shutdown"  # 停产 / 停运
    MAINTENANCE = "maintenance"  # 维护
    CALIBRATION = "calibration"  # 校准
    FAULT = "fault"  # 故障


class MarkReview(StrEnum):
    """Where a supervisor's review of a declaration stands (审核). A rejected declaration
    stays on record but excuses nothing: its data is judged as if it were unmarked."""

    PENDING = "pending"  # 待审核
    ACCEPTED = "accepted"  # 审核通过
    REJECTED = "rejected"  # 审核不通过


@dataclass(frozen=True)
class MarkSettings:
    """When a declaration counts as late (补报) and which ranges one may cover. No standard
    or Chongqing rule on declaration deadlines was found, so every number is UNCONFIRMED
    and a setting (config.mark_settings, ECOZONE_MARK_*)."""

    # Declared more than this after the marked range began: late, shown as 补报 with the
    # delay. 0: anything declared once the range had begun (事后标记).
    late_after: timedelta = timedelta(0)
    # Longest range one declaration may cover; a year catches typos in the year while
    # leaving room for a seasonal shutdown.
    longest: timedelta = timedelta(days=366)
    # How far before the declaration its range may begin, and how far ahead of it; None:
    # no limit.
    back_limit: timedelta | None = None
    ahead_limit: timedelta | None = None


class ComplianceError(Invalid):
    """A request the compliance package refused; `errors` lists every problem, each by
    where it is (a file path such as permits[0].outlets[1].code, or a field name)."""

    def __init__(self, errors: list[str] | str, *, heading: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        self.heading = heading
        if heading is None and len(self.errors) == 1:
            message = self.errors[0]
        else:
            lines = [f"  {error}" for error in self.errors]
            message = "\n".join([(heading or "refused") + ":", *lines])
        super().__init__(message)


class NotFoundError(ComplianceError, NotFound):
    """The request names a permit, alert, mark, webhook, point or device that is not stored."""


class TransitionError(ComplianceError, Conflict):
    """An alert action that its current state does not allow."""


class ConflictError(ComplianceError, Conflict):
    """The request would create something that exists already (a permit number, a URL)."""


@dataclass(frozen=True)
class ComplianceSettings:
    """Thresholds of the checks. Where no standard fixes a number, the default says which
    practice it follows; every one can be changed per call."""

    # No minute or hour data for this long makes a point offline. Common platform practice
    # (provincial monitoring centres ask for a report after 2 h without data); UNCONFIRMED.
    offline_after: timedelta = timedelta(hours=2)
    # Identical hourly means for this many consecutive hours: a sign of a stuck or
    # tampered analyser. Platform practice; no standard fixes the number.
    constant_hours: int = 6
    # Absolute difference below which two hourly means count as identical; 0 means equal
    # up to floating-point noise.
    constant_tolerance: float = 0.0
    # Pollutant codes exempt from the constant-value check (e.g. a parameter set by hand).
    constant_exempt: frozenset[str] = frozenset()
    # Hours of fault flag D before a device_fault alert. Chongqing's draft rules for key
    # dischargers (2020) ask a fault to be reported within 12 h; UNCONFIRMED in force.
    fault_hours: int = 12
    # Maintenance flag M for longer than this many hours raises long_maintenance.
    # Platform practice; UNCONFIRMED.
    maintenance_hours: int = 24
    # A device's hourly value disagrees with the computed one when the difference is more
    # than this fraction of the computed value and more than the absolute floor (in the
    # pollutant's unit).
    mismatch_relative: float = 0.10
    mismatch_floor: float = 0.5
    # Annual cap: warn when the year-to-date total reaches this fraction of the cap, or when
    # the projection to the year's end passes this fraction of it.
    cap_actual_fraction: float = 0.8
    cap_projected_fraction: float = 1.0
    # No projection before this much of the year has data: a few days' rate says little.
    cap_projection_min: timedelta = timedelta(days=30)
    # Webhook retries: the n-th failed attempt waits base * 2**(n-1), at most `max`; after
    # `webhook_max_attempts` attempts the delivery is given up.
    webhook_backoff_base: timedelta = timedelta(seconds=60)
    webhook_backoff_max: timedelta = timedelta(hours=6)
    webhook_max_attempts: int = 10
    # A delivery being posted is leased for this long, so a second worker does not post it too.
    webhook_lease: timedelta = timedelta(minutes=2)


DEFAULT_SETTINGS = ComplianceSettings()


# --- permits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitSpec:
    """One permitted concentration limit of an outlet, as a permit file gives it."""

    path: str  # permits[0].outlets[1].limits[2], for messages
    pollutant: str
    limit_value: float
    unit: str
    basis: LimitBasis
    standard: str | None = None
    annual_cap_t: float | None = None


@dataclass(frozen=True)
class OutletSpec:
    path: str
    code: str
    limits: tuple[LimitSpec, ...] = ()


@dataclass(frozen=True)
class PermitSpec:
    """A discharge permit as a permit file (or an API request) gives it."""

    path: str
    permit_no: str
    credit_code: str
    management_class: PermitClass
    valid_from: date
    valid_to: date
    outlets: tuple[OutletSpec, ...] = ()


@dataclass
class ImportSummary:
    """What a permit import did, and warnings that did not stop it."""

    created: list[str] = field(default_factory=list)  # permit numbers
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    limits_written: int = 0
    limits_removed: int = 0
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        def names(items: list[str]) -> str:
            return f"{len(items)}" + (f" ({', '.join(items)})" if items else "")

        lines = [
            f"permits created: {names(self.created)}",
            f"permits updated: {names(self.updated)}",
            f"permits unchanged: {names(self.unchanged)}",
            f"limits written: {self.limits_written}, removed: {self.limits_removed}",
        ]
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class Limit:
    """A stored permit limit with the validity of its permit (dates, China Standard Time)."""

    permit_no: str
    point_id: int
    pollutant: str
    limit_value: float
    unit: str
    basis: LimitBasis
    standard: str | None
    annual_cap_t: float | None
    valid_from: date
    valid_to: date


# --- data marks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A data-marking declaration; `start`/`end` are device time (CST), `end` exclusive."""

    id: int
    point_id: int
    pollutant: str | None  # None: every pollutant of the point
    kind: MarkKind
    start: datetime
    end: datetime
    declared_at: datetime | None = None  # an instant, aware
    revoked: bool = False
    rejected: bool = False  # a supervisor rejected it: it excuses nothing


# --- conditions found by the rules -----------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A run of consecutive periods that meet a condition: [start, end) in device time.

    `values` holds (period start, value judged) for every period of the run; `peak` is the
    largest of them and `limit` what they were compared with, where that applies.
    """

    start: datetime
    end: datetime
    peak: float | None = None
    limit: float | None = None
    values: tuple[tuple[datetime, float], ...] = ()

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def duration_h(self) -> float:
        return self.duration / timedelta(hours=1)


@dataclass(frozen=True)
class CapStatus:
    """Where an outlet's annual total stands against its permitted cap."""

    year: int
    emitted_t: float
    cap_t: float
    as_of: datetime  # end of the last hour with data (device time)
    projected_t: float | None  # None until enough of the year has data
    level: str | None  # exceeded / approaching / projected_over, None: no warning

    @property
    def fraction(self) -> float:
        return self.emitted_t / self.cap_t


@dataclass(frozen=True)
class Condition:
    """One alert's worth of finding, ready to be matched with stored alerts. A point's
    finding names the point (its enterprise follows from it); a finding on an enterprise's
    register (a waste ledger, an allowance account, an EIA clock) has no point and names the
    enterprise."""

    type: AlertType
    condition_key: str
    point_id: int | None
    pollutant: str | None
    start: datetime
    end: datetime | None
    peak: float | None = None
    limit_value: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    enterprise_id: int | None = None


class PermitStatus(StrEnum):
    """Where a discharge permit stands on a given day (see rules.permit_status)."""

    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    RENEWAL_DUE = "renewal_due"
    EXPIRED = "expired"
