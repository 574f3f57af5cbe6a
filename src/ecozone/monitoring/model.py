"""Plain data of monitoring: settings of the validity rules, summaries and capture rates.

Frozen dataclasses only; `MonitoringError` is the one exception the package raises. Every
threshold the standards leave open is a named field of `MonitoringSettings`, with the source
it follows beside it, so a deployment can change it without touching the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from ecozone.errors import Invalid

#: HJ 212-2017 §6.6.1 (MinInterval): the minute-data intervals a device may be set to, minutes.
MINUTE_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)

#: Codes the aggregation treats specially (HJ 212-2017 App. B).
O2_CODE = "a19001"  # 氧气含量, % by volume, dry
FLUE_GAS_FLOW_CODE = "a00000"  # 废气 flow; App. B prints m3/s
WASTEWATER_FLOW_CODE = "w00000"  # 污水 flow; App. B prints L/s

#: Aggregate kinds, as in the `aggregate` table.
HOUR = "hour"
DAY = "day"

#: Query-row columns of computed values (`ecozone query --source computed`), in output order.
COMPUTED_KEY_COLUMNS = ("mn", "point", "pollutant", "kind", "data_time")
COMPUTED_VALUE_COLUMNS = (
    "avg", "min", "max", "cou", "zs_avg", "zs_min", "zs_max",
    "valid", "valid_count", "sample_count", "emission_kg", "flag", "device_avg",
)  # fmt: skip
COMPUTED_OUTPUT_COLUMNS = COMPUTED_KEY_COLUMNS + COMPUTED_VALUE_COLUMNS


class MonitoringError(Invalid):
    """A request monitoring cannot carry out as asked; the message names what is wrong."""


@dataclass(frozen=True)
class MonitoringSettings:
    """Thresholds of the validity and conversion rules.

    Each default names its source; UNCONFIRMED ones follow the platform's reading where no
    clause text was available (see /work/shared/reference/domain.md §2-3).
    """

    # Share of the expected minute values an hour needs. HJ 212-2017 App. D eq. (24): 45 <= k
    # for 1-minute data, i.e. 45/60; for longer intervals the same share of the values the
    # interval gives (10-minute data: ceil(0.75 x 6) = 5 of 6).
    gas_hour_min_share: float = 0.75
    # Valid minute values a wastewater hour needs. HJ 212-2017 App. D eq. (16): 1 <= m <= 6.
    # HJ 356-2019 §7 may ask for more: UNCONFIRMED.
    water_hour_min_valid: int = 1
    # Valid hours a flue-gas day needs. HJ 212-2017 App. D eq. (25): 20 <= m.
    gas_day_min_hours: int = 20
    # Valid hours a wastewater day needs. App. D eq. (17) only says 1 <= h; 20 follows the
    # flue-gas rule until HJ 356-2019 §7 is read: UNCONFIRMED.
    water_day_min_hours: int = 20
    # Share of normal inputs that makes a flue-gas period normal ('N', else 'D').
    # HJ 212-2017 App. C.16/C.17 notes: "75%以上的正常值"; 以上 includes the number itself.
    gas_normal_share: float = 0.75
    # No reference-O2 conversion when the measured O2 is at or above this, % (the factor
    # 1/(21 - O2) explodes near 21 %). The standard's own cap is UNCONFIRMED (domain.md §2.1).
    o2_cap: float = 19.0
    # T (value above the measuring range) still counts as a valid value: the reading is at
    # least that high, and dropping it would hide exceedances. UNCONFIRMED (HJ 75-2017).
    over_range_is_valid: bool = True
    # A value sent without a flag counts as 'N' (HJ/T 212-2005 devices often send none).
    unflagged_is_normal: bool = True
    # HJ 212 MinInterval (minutes) of the devices, and per point where it differs.
    minute_interval: int = 1
    minute_intervals: Mapping[int, int] = field(default_factory=dict)
    # Units devices send where they differ from App. B's default: pollutant code -> unit,
    # e.g. {"a00000": "m3/h", "a21026": "ppm"}; per point in `point_units`.
    units: Mapping[str, str] = field(default_factory=dict)
    point_units: Mapping[int, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("gas_hour_min_share", "gas_normal_share"):
            share = getattr(self, name)
            if not 0 < share <= 1:
                raise MonitoringError(f"{name} must be in (0, 1], not {share}")
        for name in ("water_hour_min_valid", "gas_day_min_hours", "water_day_min_hours"):
            count = getattr(self, name)
            if not 1 <= count <= (60 if name == "water_hour_min_valid" else 24):
                raise MonitoringError(f"{name} out of range: {count}")
        if not 0 < self.o2_cap < 21:
            raise MonitoringError(f"o2_cap must be between 0 and 21 %, not {self.o2_cap}")
        for point_id, interval in {None: self.minute_interval, **self.minute_intervals}.items():
            if interval not in MINUTE_INTERVALS:
                where = "" if point_id is None else f" of point {point_id}"
                raise MonitoringError(
                    f"minute interval{where} {interval} is not an HJ 212 MinInterval; "
                    f"expected one of {', '.join(map(str, MINUTE_INTERVALS))} minutes"
                )
        object.__setattr__(self, "minute_intervals", MappingProxyType(dict(self.minute_intervals)))
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(
            self,
            "point_units",
            MappingProxyType({k: MappingProxyType(dict(v)) for k, v in self.point_units.items()}),
        )

    def interval_of(self, point_id: int) -> int:
        return self.minute_intervals.get(point_id, self.minute_interval)

    def unit_of(self, point_id: int, pollutant: str) -> str | None:
        """The unit the point's device sends `pollutant` in; None means App. B's default."""
        point_units = self.point_units.get(point_id)
        if point_units is not None and pollutant in point_units:
            return point_units[pollutant]
        return self.units.get(pollutant)


Span = tuple[int, datetime, datetime]  # (point_id, start, end): a half-open period of a point


@dataclass(frozen=True)
class RecomputeSummary:
    """What a recomputation wrote: counts, and the periods whose values were rewritten.

    `hour_ranges` and `day_ranges` are (point_id, start, end), half-open, device time, with
    adjacent periods of a point merged; limits are to be evaluated again over them.
    """

    hours_written: int = 0
    days_written: int = 0
    hour_ranges: tuple[Span, ...] = ()
    day_ranges: tuple[Span, ...] = ()

    @property
    def ranges(self) -> tuple[Span, ...]:
        """Every period touched: the day ranges cover the hour ranges."""
        return self.day_ranges


@dataclass(frozen=True)
class CaptureRate:
    """Data capture and valid-data rates of one pollutant of a point over a period.

    capture_rate = present / expected, valid_rate = valid / expected, where `expected` counts
    the hours (or days) of the period and `present` those with any value.
    """

    pollutant: str
    basis: str  # "hour" or "day"
    expected: int
    present: int
    valid: int
    capture_rate: float
    valid_rate: float


@dataclass(frozen=True)
class Total:
    """What a point discharged of one pollutant over whole days: emitted mass (sum of the
    daily masses, HJ 212-2017 App. D eq. (11)/(34)) and, for a flow, the volume (eq. (4)/(32))."""

    pollutant: str
    emission_kg: float | None
    emission_days: int
    volume_m3: float | None
    valid_days: int


class LiveState(StrEnum):
    """State of a monitoring point on the map, from its latest data (see rules.live_state)."""

    NORMAL = "normal"
    EXCEEDING = "exceeding"
    OFFLINE = "offline"
    FAULT = "fault"
