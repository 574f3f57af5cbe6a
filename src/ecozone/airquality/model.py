"""Plain data of air quality: pollutants, indicators, AQI levels, results and settings.

Enums carry the standard's own words (HJ 633-2012 Table 1 and Annex A) in Chinese and English,
so the API, the CLI and the pages name things alike. Every choice the standards leave open is a
field of `AqiSettings`, with the source it follows beside it. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType

from ecozone.errors import Invalid, NotFound


class AirQualityError(Invalid):
    """A request air quality cannot answer as asked; the message names what is wrong."""


class StationNotFound(AirQualityError, NotFound):
    """No air station with that id, or not one the caller may see."""


class Pollutant(StrEnum):
    """The six basic items of GB 3095-2012 Table 1, in HJ 633-2012 Table 1's column order."""

    name_zh: str
    name_en: str
    unit: str  # of the HJ 633 breakpoints
    code: str  # HJ 212 pollutant code of ambient stations
    decimals: int  # of a reported concentration

    def __new__(
        cls, value: str, name_zh: str, name_en: str, unit: str, code: str, decimals: int
    ) -> Pollutant:
        member = str.__new__(cls, value)
        member._value_ = value
        member.name_zh = name_zh
        member.name_en = name_en
        member.unit = unit
        member.code = code
        member.decimals = decimals
        return member

    # Codes: HJ 212-2017 App. B.2; O3 is absent there and is sent as a05024 (HJ 524-2009).
    # Decimals: integers, CO to 0.1 mg/m3 (domain.md §1.2, UNCONFIRMED for the 2012 text).
    SO2 = ("SO2", "二氧化硫", "sulphur dioxide", "µg/m3", "a21026", 0)
    NO2 = ("NO2", "二氧化氮", "nitrogen dioxide", "µg/m3", "a21004", 0)
    PM10 = ("PM10", "颗粒物（粒径小于等于10μm）", "PM10", "µg/m3", "a34002", 0)
    CO = ("CO", "一氧化碳", "carbon monoxide", "mg/m3", "a21005", 1)
    O3 = ("O3", "臭氧", "ozone", "µg/m3", "a05024", 0)
    PM2_5 = ("PM2.5", "颗粒物（粒径小于等于2.5μm）", "PM2.5", "µg/m3", "a34004", 0)


#: Pollutant by its HJ 212 code.
POLLUTANT_BY_CODE: Mapping[str, Pollutant] = MappingProxyType({p.code: p for p in Pollutant})


class Indicator(StrEnum):
    """A pollutant over an averaging time: one indicator (指标) of the daily or real-time report.

    The ten columns of HJ 633-2012 Table 1, plus the 1-h PM10 and PM2.5 means of the real-time
    report (HJ 633-2012 §5.2 lists them; Table 1 has no 1-h column for PM, see
    `rules.breakpoint_column`).
    """

    pollutant: Pollutant
    hours: int

    def __new__(cls, value: str, pollutant: Pollutant, hours: int) -> Indicator:
        member = str.__new__(cls, value)
        member._value_ = value
        member.pollutant = pollutant
        member.hours = hours
        return member

    SO2_24H = ("SO2_24h", Pollutant.SO2, 24)
    SO2_1H = ("SO2_1h", Pollutant.SO2, 1)
    NO2_24H = ("NO2_24h", Pollutant.NO2, 24)
    NO2_1H = ("NO2_1h", Pollutant.NO2, 1)
    PM10_24H = ("PM10_24h", Pollutant.PM10, 24)
    PM10_1H = ("PM10_1h", Pollutant.PM10, 1)
    CO_24H = ("CO_24h", Pollutant.CO, 24)
    CO_1H = ("CO_1h", Pollutant.CO, 1)
    O3_1H = ("O3_1h", Pollutant.O3, 1)
    O3_8H = ("O3_8h", Pollutant.O3, 8)
    PM2_5_24H = ("PM2.5_24h", Pollutant.PM2_5, 24)
    PM2_5_1H = ("PM2.5_1h", Pollutant.PM2_5, 1)


class Level(IntEnum):
    """AQI levels of HJ 633-2012 Table 2 with the categories and colours of Annex A.

    RGB values as caiyunapp/aqi-hub reads Annex A (domain.md §1.3); English category names as
    China's national monitoring centre publishes them.
    """

    upper: int  # highest AQI of the level (10**9 for the open top level VI)
    level_zh: str
    category_zh: str
    category_en: str
    colour_zh: str
    colour_en: str
    colour: str  # #RRGGBB

    def __new__(
        cls,
        value: int,
        upper: int,
        level_zh: str,
        category_zh: str,
        category_en: str,
        colour_zh: str,
        colour_en: str,
        colour: str,
    ) -> Level:
        member = int.__new__(cls, value)
        member._value_ = value
        member.upper = upper
        member.level_zh = level_zh
        member.category_zh = category_zh
        member.category_en = category_en
        member.colour_zh = colour_zh
        member.colour_en = colour_en
        member.colour = colour
        return member

    I = (1, 50, "一级", "优", "Excellent", "绿色", "green", "#00E400")  # noqa: E741
    II = (2, 100, "二级", "良", "Good", "黄色", "yellow", "#FFFF00")
    III = (3, 150, "三级", "轻度污染", "Lightly polluted", "橙色", "orange", "#FF7E00")
    IV = (4, 200, "四级", "中度污染", "Moderately polluted", "红色", "red", "#FF0000")
    V = (5, 300, "五级", "重度污染", "Heavily polluted", "紫色", "purple", "#99004C")
    VI = (6, 10**9, "六级", "严重污染", "Severely polluted", "褐红色", "maroon", "#7E0023")


class ReportKind(StrEnum):
    """HJ 633-2012 §5: the real-time report (实时报, per hour) and the daily report (日报)."""

    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True)
class SubIndex:
    """One indicator of a report: its concentration (HJ 633 unit, rounded) and IAQI.

    `iaqi` is None when the indicator does not enter the AQI (a real-time 24-h PM mean, say),
    when its concentration is missing or too thin (`note` says which), or when a Table 1 note
    moves the pollutant's IAQI to another averaging time.
    """

    indicator: Indicator
    concentration: float | None
    iaqi: int | None
    note: str | None = None

    @property
    def pollutant(self) -> Pollutant:
        return self.indicator.pollutant


@dataclass(frozen=True)
class Aqi:
    """One report of one station: the AQI, its level, primary and exceeding pollutants."""

    aqi: int | None
    level: Level | None
    primary_pollutants: tuple[Pollutant, ...]
    primary_indicators: tuple[Indicator, ...]
    exceeding_pollutants: tuple[Pollutant, ...]
    sub_indices: tuple[SubIndex, ...]
    missing: tuple[Indicator, ...]  # indicators that should enter the AQI but have no value

    def sub_index(self, indicator: Indicator) -> SubIndex | None:
        for entry in self.sub_indices:
            if entry.indicator is indicator:
                return entry
        return None


@dataclass(frozen=True)
class Station:
    """An air station: a point of kind ambient_air, with its owner and district."""

    point_id: int
    code: str
    name: str
    enterprise_id: int
    credit_code: str
    enterprise: str
    district: str | None
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class StationAqi:
    """A station's report for one hour (start of the hour, device time, China Standard Time)
    or one day (00:00); `data_time` None and `aqi.aqi` None when it has no recent data."""

    station: Station
    kind: ReportKind
    data_time: datetime | None
    aqi: Aqi
    edition: str


@dataclass(frozen=True)
class Edition:
    """One edition of the breakpoints of HJ 633 Table 1.

    `breakpoints`: per Table 1 column, the concentrations at IAQI 0, 50, 100, 150, 200, 300,
    400, 500 (shorter where Table 1 stops: SO2 1-h at 200, O3 8-h at 300).
    `o3_8h_above_top`: what an O3 8-h mean above its top breakpoint does: "use_1h" (2012,
    Table 1 note 3: report the 1-h IAQI instead) or "cap" (IAQI of the top breakpoint).
    """

    key: str
    name: str
    effective: date
    breakpoints: Mapping[Indicator, tuple[float, ...]]
    o3_8h_above_top: str
    confirmed: bool
    source: str


#: IAQI at each breakpoint of HJ 633-2012 Table 1 (first column).
IAQI_STEPS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

IAQI_ROUNDINGS = ("ceil", "round", "floor")
PM_HOURLY_BASES = ("1h", "24h")


@dataclass(frozen=True)
class AqiSettings:
    """Choices the standards leave open, each with the source it follows.

    edition            "2012": HJ 633-2012 (default). "2026": the revision public code calls
                       HJ 633-2026 (PM rows changed), UNCONFIRMED against MEE (domain.md §1.4).
    iaqi_rounding      "ceil": IAQI rounded up to an integer, as public code written against
                       the 2026 edition says ("向上进位取整数"); the 2012 clause is UNCONFIRMED
                       (domain.md §1.2). "round" (half up) and "floor" are what other code does.
    pm_hourly_basis    Which PM concentration the real-time AQI uses, against Table 1's 24-h
                       column: "1h" (default) the hour's mean, as the national platform does
                       since 2014-01-01 (MEE, reported by CNA 2014-01-01: particulate AQI "由
                       过去的24小时滑动数据平均值改为即时数值") and municipal platforms show
                       (IAQI beside the 1-h PM values only); "24h" the 24-h moving mean.
    hourly_o3_8h       Whether the O3 8-h moving mean enters the real-time AQI. HJ 633-2012
                       §5.2 lists it among the nine real-time indicators; municipal platforms
                       give it no IAQI in the real-time report, so off by default.
    min_hours_24h      Valid hours a 24-h mean needs: GB 3095-2012 Table 4 (20 per natural
                       day; domain.md §1.6, UNCONFIRMED); used for 24-h moving means too.
    min_hours_8h       Valid hours an 8-h mean needs: GB 3095-2012 Table 4 (6 of 8).
    min_windows_o3_8h  Valid 8-h means the O3 daily maximum needs of the day's 17
                       (HJ 663-2013, 14; domain.md §1.6, UNCONFIRMED).
    min_hours_o3_1h_day  Valid hours the O3 daily maximum 1-h value needs (20, the 24-h
                       rule; the clause is UNCONFIRMED).
    units              Unit of the stored values per HJ 212 code where it is not HJ 212-2017
                       App. B's default (PM ng/m3, gases mg/m3), e.g. {"a34004": "µg/m3"}.
    valid_flags        HJ 212 flags (Table 8) of a device's hourly value that count: N, and T
                       (at least that high), as ecozone.monitoring counts them.
    unflagged_is_normal  A device hourly value without a flag counts as N.
    """

    edition: str = "2012"
    iaqi_rounding: str = "ceil"
    pm_hourly_basis: str = "1h"
    hourly_o3_8h: bool = False
    min_hours_24h: int = 20
    min_hours_8h: int = 6
    min_windows_o3_8h: int = 14
    min_hours_o3_1h_day: int = 20
    units: Mapping[str, str] = field(default_factory=dict)
    valid_flags: frozenset[str] = frozenset({"N", "T"})
    unflagged_is_normal: bool = True

    def __post_init__(self) -> None:
        from ecozone.airquality.rules import EDITIONS, unit_factor  # rules import this module

        if self.edition not in EDITIONS:
            raise AirQualityError(
                f"unknown edition {self.edition!r}; expected one of {', '.join(EDITIONS)}"
            )
        if self.iaqi_rounding not in IAQI_ROUNDINGS:
            raise AirQualityError(
                f"unknown IAQI rounding {self.iaqi_rounding!r}; "
                f"expected one of {', '.join(IAQI_ROUNDINGS)}"
            )
        if self.pm_hourly_basis not in PM_HOURLY_BASES:
            raise AirQualityError(
                f"unknown PM hourly basis {self.pm_hourly_basis!r}; "
                f"expected one of {', '.join(PM_HOURLY_BASES)}"
            )
        for name, top in (
            ("min_hours_24h", 24),
            ("min_hours_8h", 8),
            ("min_windows_o3_8h", 17),
            ("min_hours_o3_1h_day", 24),
        ):
            count = getattr(self, name)
            if not 1 <= count <= top:
                raise AirQualityError(f"{name} must be between 1 and {top}, not {count}")
        for code, unit in self.units.items():
            pollutant = POLLUTANT_BY_CODE.get(code)
            if pollutant is None:
                raise AirQualityError(
                    f"units: {code!r} is not an AQI pollutant code; expected one of "
                    f"{', '.join(POLLUTANT_BY_CODE)}"
                )
            unit_factor(unit, pollutant.unit)
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(
            self, "valid_flags", frozenset(f.strip().upper() for f in self.valid_flags)
        )
