"""Noise, construction dust and sewer overflows as plain data, with no I/O.

A noise station is a point of kind noise: either in a GB 3096-2008 functional zone (its class
gives the limits) or on the boundary of a construction site (GB 12523-2011). A construction
site is registered with its builder (an enterprise of the registry), carries dust monitors
(points of kind dust) and night-construction approvals. Sewer monitors are points of kind
sewer that measure overflow flow or the level at an overflow weir.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from ecozone.errors import Invalid, NotFound


class QualityError(Invalid):
    """Bad input to a noise, dust or overflow use case. `key` and `values` name the message
    for the pages (`quality.err.<key>`); str() is the English text for the API and CLI."""

    def __init__(self, key: str, text: str, **values: Any) -> None:
        super().__init__(text)
        self.key = key
        self.values = values


class QualityNotFound(NotFound):
    """No such station, site, approval or monitor that the caller may see."""


class ZoneClass(StrEnum):
    """GB 3096-2008 §4 acoustic functional zones."""

    C0 = "0"  # 康复疗养区
    C1 = "1"  # 居住、医疗卫生、文化教育、科研设计、行政办公
    C2 = "2"  # 商业金融、集市贸易, or mixed
    C3 = "3"  # 工业生产、仓储物流
    C4A = "4a"  # 高速公路、一级二级公路、城市主次干路、城市轨道交通（地面段）、内河航道两侧
    C4B = "4b"  # 铁路干线两侧


class Period(StrEnum):
    DAY = "day"  # 昼间
    NIGHT = "night"  # 夜间


class SitePhase(StrEnum):
    """Stages of a building site, as the dust rules of comparable provinces tell them apart
    (domain-2.md §10.4: Shaanxi DB61/1078-2017 differs for earthwork and structure)."""

    DEMOLITION = "demolition"  # 拆除
    EARTHWORK = "earthwork"  # 土石方
    FOUNDATION = "foundation"  # 基础
    STRUCTURE = "structure"  # 主体结构
    FINISHING = "finishing"  # 装饰装修
    COMPLETED = "completed"  # 竣工


class DustBasis(StrEnum):
    """What a dust rule's limit applies to (domain-2.md §10.4)."""

    ABSOLUTE = "absolute"  # the site's own mean
    BACKGROUND = "background"  # the site's mean minus the district's ambient mean (Shandong)


class SewerRole(StrEnum):
    OVERFLOW = "overflow"  # a flow meter on the overflow pipe (溢流口流量)
    LEVEL = "level"  # a level gauge upstream of an overflow weir (液位)


class VolumeMethod(StrEnum):
    """How an overflow's volume was estimated; stated with every event."""

    FLOW = "flow"  # Σ measured flow × interval
    WEIR = "weir"  # rectangular sharp-crested weir, Q = 2/3·Cd·b·√(2g)·h^1.5
    NONE = "none"  # a level gauge without weir width: no volume


@dataclass(frozen=True)
class NoiseLimits:
    """Leq limits in dB(A) and the allowed excess of a night Lmax (sudden noise)."""

    day: float
    night: float
    sudden_margin: float

    @property
    def night_lmax(self) -> float:
        return self.night + self.sudden_margin


@dataclass(frozen=True)
class NoiseStation:
    point_id: int
    code: str
    name: str
    enterprise_id: int
    enterprise: str
    district: str | None
    zone_class: ZoneClass | None  # None on a construction boundary
    site_id: int | None  # the construction site whose boundary it stands on
    site: str | None = None


@dataclass(frozen=True)
class HourLevel:
    """One hour of noise: its energy-mean Leq, the greatest Lmax, how many values."""

    start: datetime
    leq: float
    lmax: float | None
    count: int


@dataclass(frozen=True)
class PeriodLevel:
    """A day (06-22) or a night (22-06, dated by the evening it begins)."""

    day: date
    period: Period
    leq: float
    lmax: float | None
    hours: int
    limit: float
    lmax_limit: float | None  # nights only

    @property
    def delta(self) -> float:
        """ΔL = Leq − limit: noise is judged by the difference, never a multiple."""
        return self.leq - self.limit

    @property
    def exceeds(self) -> bool:
        return self.leq > self.limit

    @property
    def sudden(self) -> bool:
        """The night's Lmax is over the night limit + the sudden-noise margin."""
        return self.lmax_limit is not None and self.lmax is not None and self.lmax > self.lmax_limit


@dataclass(frozen=True)
class ConstructionSite:
    id: int
    code: str
    project: str
    builder: str
    enterprise_id: int
    enterprise: str
    district: str | None
    area_m2: float
    phase: SitePhase


@dataclass(frozen=True)
class NightApproval:
    """夜间施工许可: night work at a site on the days first..last during start..end
    (an end at or before the start runs past midnight)."""

    id: int
    site_id: int
    permit_no: str
    first_day: date
    last_day: date
    start: time
    end: time
    reason: str = ""


@dataclass(frozen=True)
class NightFinding:
    """Consecutive night hours of construction noise not covered by an approval."""

    start: datetime
    end: datetime
    peak_leq: float
    limit: float


@dataclass(frozen=True)
class DustRule:
    """One version of a dust rule (data, not code: domain-2.md §10.4 is UNCONFIRMED)."""

    id: int
    code: str
    version: int
    metric: str  # a34002 PM10 or a34001 TSP (HJ 212-2017 Table B.2)
    window_min: int
    basis: DustBasis
    limit: float  # µg/m3
    allowed_per_day: int
    action: str
    effective_from: date


@dataclass(frozen=True)
class DustExceedance:
    """One window over the rule's limit at a site's monitor."""

    start: datetime
    value: float
    background: float | None
    judged: float  # value, or value − background

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass(frozen=True)
class DustDay:
    """A day's exceedances of one rule at one monitor, and whether they break it."""

    day: date
    exceedances: tuple[DustExceedance, ...]
    allowed: int

    @property
    def breached(self) -> bool:
        return len(self.exceedances) > self.allowed

    @property
    def peak(self) -> float:
        return max(e.judged for e in self.exceedances)


@dataclass(frozen=True)
class SewerMonitor:
    point_id: int
    code: str
    name: str
    enterprise_id: int
    enterprise: str
    district: str | None
    role: SewerRole
    crest_m: float | None  # weir crest above the gauge datum
    weir_width_m: float | None
    rain_point_id: int | None


@dataclass(frozen=True)
class OverflowEvent:
    start: datetime
    end: datetime
    peak: float
    volume_m3: float | None
    method: VolumeMethod
    rainfall_mm: float | None = None

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class QualitySettings:
    """What the references mark (R) or UNCONFIRMED, as settings (config.quality_settings):
    the day starts at 06:00 and the night at 22:00 (GB 3096-2008 §3.7, a county may move
    them), the night Lmax margin of GB 3096-2008 §5.4 (15 dB) and of GB 12523-2011 (15 dB,
    (R)), GB 12523-2011 boundary limits 70/55, the weir coefficient Cd, and the overflow flow
    below which a meter counts as dry."""

    day_start_hour: int = 6
    night_start_hour: int = 22
    sudden_margin_db: float = 15.0
    construction_day_db: float = 70.0
    construction_night_db: float = 55.0
    construction_sudden_margin_db: float = 15.0
    weir_cd: float = 0.62
    overflow_min_l_per_s: float = 0.5
    flow_code: str = "w00000"  # 污水流量, L/s (HJ 212-2017 Table B.1)
    level_code: str = "w90001"  # level at the weir, m: no HJ 212-2017 code, UNCONFIRMED
    rain_code: str = "w90002"  # rainfall per interval, mm: no HJ 212-2017 code, UNCONFIRMED
