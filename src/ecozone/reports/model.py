"""The annual self-monitoring report as plain data, and the errors of the reports package.

An AnnualReport holds every figure already computed, so the HTML, PDF and
xlsx renderings only lay them out and cannot disagree with each other.
Times of data (hours, alerts, declarations) are device time, naive China
Standard Time, as HJ 212 transmits them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from ecozone.errors import Invalid, NotFound

#: Output formats of a report, with their media types and file suffixes.
FORMATS = ("html", "pdf", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: Gap causes of an hour without valid data: the HJ 212-2017 Table 8 flags of the
#: stored hour, "N" for an hour flagged normal that still failed validity (too few
#: values), "other" for a flag Table 8 does not list or none, and "missing" for an
#: expected hour with no data at all. Order is the order of the report's columns.
GAP_CAUSES = ("F", "M", "C", "D", "B", "T", "S", "N", "other", "missing")
GAP_CAUSE_NAMES = {
    "F": ("停运", "stopped"),
    "M": ("维护", "maintenance"),
    "C": ("校准", "calibration"),
    "D": ("故障", "fault"),
    "B": ("通讯异常", "comm failure"),
    "T": ("超量程", "over range"),
    "S": ("手工设定值", "set value"),
    "N": ("有效数据不足", "too few values"),
    "other": ("其他标记", "other flag"),
    "missing": ("无数据", "no data"),
}

#: Kinds of data-marking declarations (table data_mark), in column order.
MARK_KINDS = ("shutdown", "maintenance", "calibration", "fault")
MARK_KIND_NAMES = {
    "shutdown": ("停产", "shutdown"),
    "maintenance": ("维护", "maintenance"),
    "calibration": ("校准", "calibration"),
    "fault": ("故障", "fault"),
}

#: Discharge-permit management classes (排污许可分类管理).
PERMIT_CLASS_NAMES = {
    "key": ("重点管理", "key"),
    "simplified": ("简化管理", "simplified"),
    "registration": ("登记管理", "registration"),
}


class ReportError(Invalid):
    """A report that cannot be made as asked; the message says why."""


class EnterpriseNotFound(ReportError, NotFound):
    """No enterprise has the credit code asked for."""


class YearOutOfRange(ReportError):
    """The year asked for is before the platform's data or after the current year."""


class MonitoringMethod(StrEnum):
    """How an outlet is monitored: by an HJ 212 device on the platform, or by hand."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


@dataclass(frozen=True)
class PermitInfo:
    permit_no: str
    management_class: str  # key / simplified / registration
    valid_from: date
    valid_to: date  # last day of validity, inclusive


@dataclass(frozen=True)
class PermitLimit:
    """The concentration limit a pollutant line is judged against, as the permit states it."""

    limit_value: float
    unit: str
    basis: str  # hour / day
    standard: str | None


@dataclass(frozen=True)
class ExceedanceEvent:
    """One alert of type 'exceedance'; `hours` counts only its part inside the year."""

    point_code: str
    pollutant: str
    start: datetime
    end: datetime | None  # None: still going on when the report was made
    hours: int
    peak: float | None
    limit_value: float | None
    state: str


@dataclass(frozen=True)
class Declaration:
    """One data-marking declaration (自动监测数据标记) touching the year."""

    point_code: str
    pollutant: str | None  # None: every pollutant of the outlet
    kind: str
    start: datetime
    end: datetime
    reason: str
    declared_by: str
    declared_at: datetime  # aware, UTC
    revoked: bool
    late: bool  # declared after the marked period had begun


@dataclass(frozen=True)
class PollutantLine:
    """The year of one pollutant at one outlet.

    Hour counts (`expected_hours` ... `gap_hours`, declared hours) cover the
    monitoring period: the year, or the part of it a discharge permit was valid.
    Values, emissions and exceedances cover the whole calendar year: what was
    discharged is reported whether or not a permit covered it. None means the
    figure does not apply (a manual outlet, no valid hour, no cap).
    """

    pollutant: str
    name: str
    unit: str
    limit: PermitLimit | None
    annual_cap_t: float | None
    value_basis: str  # "zs_avg" (converted to the reference O2) or "avg"
    expected_hours: int | None
    hours_with_data: int
    capture_rate: float | None
    valid_hours: int
    valid_rate: float | None
    hours_outside_permit: int
    value_count: int  # valid hours with a value of `value_basis`: the n of the mean
    mean: float | None
    max: float | None
    exceedance_events: int
    exceedance_hours: int
    emission_kg: float  # valid hours only
    emission_kg_invalid: float  # hours that failed validity, shown apart, not in the total
    valid_hours_without_emission: int
    gap_hours: dict[str, int]  # GAP_CAUSES -> hours
    declared_hours: dict[str, int]  # MARK_KINDS -> hours of the monitoring period
    declared_gap_hours: int  # gap hours inside a declared period
    undeclared_gap_hours: int

    @property
    def emission_t(self) -> float:
        return self.emission_kg / 1000.0

    @property
    def cap_share(self) -> float | None:
        """Emission over the permitted annual cap, as a fraction."""
        if self.annual_cap_t is None:
            return None
        return self.emission_t / self.annual_cap_t

    @property
    def gap_total(self) -> int:
        return sum(self.gap_hours.values())


@dataclass(frozen=True)
class OutletSection:
    """One outlet (monitoring point) of the enterprise and its pollutant lines."""

    code: str
    name: str
    kind: str
    reference_o2: float | None
    method: MonitoringMethod
    mn: str | None
    st: str | None
    protocol: str | None
    lines: tuple[PollutantLine, ...]
    events: tuple[ExceedanceEvent, ...]
    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class PollutantTotal:
    """One pollutant summed over the enterprise's outlets, against the sum of their caps."""

    pollutant: str
    name: str
    emission_kg: float
    annual_cap_t: float | None  # None: no outlet has a cap for it

    @property
    def emission_t(self) -> float:
        return self.emission_kg / 1000.0

    @property
    def cap_share(self) -> float | None:
        if self.annual_cap_t is None:
            return None
        return self.emission_t / self.annual_cap_t


@dataclass(frozen=True)
class AlertCount:
    type: str
    state: str
    count: int


@dataclass(frozen=True)
class AnnualReport:
    """年度自行监测报告: one enterprise, one calendar year (plan measure 18)."""

    credit_code: str
    enterprise_name: str
    district: str
    industry: str | None
    address: str | None
    year: int
    #: Monitoring period: half-open [start, end) device-time ranges within the year.
    period: tuple[tuple[datetime, datetime], ...]
    expected_hours: int
    hours_in_year: int
    permits: tuple[PermitInfo, ...]
    outlets: tuple[OutletSection, ...]
    totals: tuple[PollutantTotal, ...]
    alert_counts: tuple[AlertCount, ...]
    generated_at: datetime  # aware
    notes: tuple[str, ...] = field(default=())

    @property
    def exceedance_events(self) -> int:
        return sum(len(outlet.events) for outlet in self.outlets)

    @property
    def exceedance_hours(self) -> int:
        return sum(event.hours for outlet in self.outlets for event in outlet.events)

    @property
    def alerts_total(self) -> int:
        return sum(count.count for count in self.alert_counts)

    @property
    def filename_stem(self) -> str:
        return f"{self.credit_code}-{self.year}"
