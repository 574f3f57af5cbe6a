"""Plain data of emission–electricity linkage: meters, operating states, findings, settings.

Frozen dataclasses and enums only. The thresholds of states and findings
follow the recommended model of domain-2.md §1.4: no standard fixes their
numbers (the MEE guide "排污单位用电监控技术指南" is a consultation draft), so
every figure here is a default that a deployment or a meter overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from ecozone.errors import Invalid


class PowerError(Invalid):
    """A meter, threshold or series that the linkage rules cannot use; the message says why."""


class FacilityRole(StrEnum):
    """What a metered facility does (分表计电: production and control are metered apart)."""

    PRODUCTION = "production"  # 产污设施 / 生产线
    CONTROL = "control"  # 治污设施: desulphurisation, denitrification, dust, VOCs, wastewater


class Quantity(StrEnum):
    """What a meter channel measures (domain-2.md §1.1: current, voltage, power, energy)."""

    POWER = "power_kw"
    CURRENT = "current_a"
    ENERGY = "energy_kwh"  # a running counter
    VOLTAGE = "voltage_v"


class OperatingState(StrEnum):
    """A meter's state in one interval (domain-2.md §1.4)."""

    OFF = "off"  # 停运
    IDLE = "idle"  # 空转 / 低负荷
    RUNNING = "running"  # 运行
    ABNORMAL = "abnormal"  # 数据异常: see AbnormalCause


class AbnormalCause(StrEnum):
    NO_DATA = "no_data"  # nothing received for longer than the allowed gap
    CONSTANT = "constant"  # the same non-zero value for too long: a frozen meter
    COUNTER_BACKWARDS = "counter_backwards"  # the energy counter decreased


class FindingType(StrEnum):
    """The linkage warnings; A–D after the four types of the MEE draft (domain-2.md §1.4,
    rule texts UNCONFIRMED), E for an analyser that goes quiet while production runs."""

    CONTROL_OFF = "control_off"  # A 生产运行而治污停运
    UNSYNCHRONISED = "unsynchronised"  # B 启停不同步
    CONTROL_IDLE = "control_idle"  # C 治污空转/低负荷
    LIMIT_ORDER = "limit_order"  # D 停限产/错峰违规
    ANALYSER_SILENT = "analyser_silent"  # E 在线监测无数据/停运/恒值而生产运行


class LimitRequirement(StrEnum):
    """What an emergency or staggered-production order asks of a production facility."""

    STOP = "stop"  # 停产
    LIMIT = "limit"  # 限产: power (or energy) at most the quota


class WarningLevel(StrEnum):
    """Heavy-pollution weather warning levels (重污染天气预警), mildest first; an enterprise's
    emergency emission-reduction list (应急减排清单) says per level what each facility does."""

    YELLOW = "yellow"  # 黄色 (III)
    ORANGE = "orange"  # 橙色 (II)
    RED = "red"  # 红色 (I)

    @property
    def rank(self) -> int:
        return tuple(WarningLevel).index(self)


@dataclass(frozen=True)
class Response:
    """What one production facility must do at one warning level."""

    level: WarningLevel
    requirement: LimitRequirement
    quota_kw: float | None = None


@dataclass(frozen=True)
class WeatherWarning:
    """A declared heavy-pollution warning: its level and period."""

    level: WarningLevel
    start: datetime
    end: datetime


@dataclass(frozen=True)
class StateThresholds:
    """How power becomes a state (domain-2.md §1.4, all UNCONFIRMED defaults).

    Fractions are of the reference power: the calibrated normal running power
    when known, else the rated power. `confirm_slots` is t_confirm in grid
    intervals: a new state counts only once it has lasted that long.
    """

    reference_kw: float
    off_fraction: float = 0.08
    low_fraction: float = 0.30
    confirm_slots: int = 3
    max_gap_slots: int = 5  # longer gaps are "no data"; shorter ones keep the last state
    constant_slots: int = 120  # a non-zero value unchanged this long is a frozen meter

    def __post_init__(self) -> None:
        if not self.reference_kw > 0:
            raise PowerError(f"reference power must be above 0 kW, got {self.reference_kw}")
        if not 0 <= self.off_fraction < self.low_fraction <= 1:
            raise PowerError(
                f"thresholds must satisfy 0 ≤ off ({self.off_fraction}) < low "
                f"({self.low_fraction}) ≤ 1"
            )
        if self.confirm_slots < 1 or self.max_gap_slots < 0 or self.constant_slots < 2:
            raise PowerError("confirm, gap and constant spans must be positive")

    @property
    def off_kw(self) -> float:
        return self.off_fraction * self.reference_kw

    @property
    def low_kw(self) -> float:
        return self.low_fraction * self.reference_kw


@dataclass(frozen=True)
class LearnedThresholds:
    """Off and low levels learned from a meter's own power distribution, shown to people
    beside the configured ones and usable as an override."""

    off_kw: float
    low_kw: float
    centres_kw: tuple[float, ...]  # the clusters found, lowest first
    samples: int


@dataclass(frozen=True)
class LinkageSettings:
    """Durations of the finding rules, in grid intervals (domain-2.md §1.4: T1–T3 UNCONFIRMED)."""

    control_off_slots: int = 5  # T1
    start_delay_slots: int = 10  # T2: control may start this late after production
    stop_tolerance_slots: int = 5  # control may stop this early before production does
    control_idle_slots: int = 10  # T3
    limit_order_slots: int = 5
    analyser_silent_slots: int = 10

    def __post_init__(self) -> None:
        if min(vars(self).values()) < 1:
            raise PowerError("every finding duration must be at least one interval")


@dataclass(frozen=True)
class StateRun:
    """A stretch of one state; `rule` says which rule produced it, for the page and the alert."""

    state: OperatingState
    start: datetime
    end: datetime  # exclusive
    rule: str
    cause: AbnormalCause | None = None


@dataclass(frozen=True)
class LimitWindow:
    """An emergency production-limit or staggered-production order for one facility."""

    start: datetime
    end: datetime
    requirement: LimitRequirement
    quota_kw: float | None = None  # for LIMIT: the highest power allowed
    level: str = ""  # the heavy-pollution alert level or order that set it


@dataclass(frozen=True)
class Finding:
    """One linkage warning with the evidence a supervisor checks it by."""

    type: FindingType
    start: datetime
    end: datetime  # exclusive
    control: str | None  # the control facility's key, when one is involved
    production: tuple[str, ...]  # the production facilities running meanwhile
    rule: str  # the rule and the duration that fired, in words
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Grid:
    """The common time axis of a linkage evaluation: `slots` intervals of `step` from `start`."""

    start: datetime
    step: timedelta
    slots: int

    def __post_init__(self) -> None:
        if self.step <= timedelta(0) or self.slots < 0:
            raise PowerError("a grid needs a positive step and a non-negative length")

    def time(self, slot: int) -> datetime:
        return self.start + self.step * slot


@dataclass(frozen=True)
class PowerSettings:
    """The deployment's linkage settings (config.power_settings reads ECOZONE_POWER_*).

    Every figure is UNCONFIRMED (domain-2.md §1.4): the defaults follow the common vendor
    practice quoted there (θ_off ≈ 5–10 %, θ_low ≈ 30 %, t_confirm a few minutes) and a
    meter's own values override them."""

    grid_seconds: int = 60
    off_fraction: float = 0.08
    low_fraction: float = 0.30
    confirm_slots: int = 3
    max_gap_slots: int = 5
    constant_slots: int = 120
    control_off_slots: int = 5
    start_delay_slots: int = 5
    stop_tolerance_slots: int = 5
    control_idle_slots: int = 8
    limit_order_slots: int = 5
    analyser_silent_slots: int = 10
    analyser_flat_slots: int = 30
    analyser_near_zero: float = 0.0
    lookback_slots: int = 60  # read this much before a period, so its first state is known

    def __post_init__(self) -> None:
        if self.grid_seconds < 1 or self.lookback_slots < 0:
            raise PowerError("the grid step must be at least a second")
        self.linkage  # noqa: B018 - validates the durations now, not at the first evaluation

    @property
    def linkage(self) -> LinkageSettings:
        return LinkageSettings(
            control_off_slots=self.control_off_slots,
            start_delay_slots=self.start_delay_slots,
            stop_tolerance_slots=self.stop_tolerance_slots,
            control_idle_slots=self.control_idle_slots,
            limit_order_slots=self.limit_order_slots,
            analyser_silent_slots=self.analyser_silent_slots,
        )


@dataclass(frozen=True)
class Meter:
    """A meter as configured: its ratings, wiring and per-meter threshold overrides."""

    id: int
    facility_id: int
    code: str
    rated_kw: float | None
    rated_current_a: float | None
    voltage_v: float = 380.0
    power_factor: float = 0.85
    ct_ratio: float = 1.0
    three_phase: bool = True
    off_fraction: float | None = None
    low_fraction: float | None = None
    learned_off_kw: float | None = None
    learned_low_kw: float | None = None
    use_learned: bool = False

    @property
    def rated_power_kw(self) -> float:
        """Rated power, or the power of the rated current at the meter's voltage and cos φ."""
        if self.rated_kw:
            return self.rated_kw
        factor = 3**0.5 if self.three_phase else 1.0
        return factor * self.voltage_v * (self.rated_current_a or 0) * self.power_factor / 1000


@dataclass(frozen=True)
class Facility:
    """A production or control facility of an enterprise, with its meters."""

    id: int
    enterprise_id: int
    code: str
    name: str
    role: FacilityRole
    kind: str
    point_id: int | None = None
    normal_kw: float | None = None
    meters: tuple[Meter, ...] = ()
    commissioned_on: date | None = None
    evidence_sha256: str | None = None  # commissioning evidence, a stored file
    serves: tuple[int, ...] = ()  # for a control facility: the production facilities it serves
