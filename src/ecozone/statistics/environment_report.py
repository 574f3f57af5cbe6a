"""Environmental-quality statistics as the page, its exports, the API and the stored report
show them: air (days by AQI level, 优良天数比例, period means per station, district and the
zone, by month) and surface water (sections by GB 3838 class, the share meeting their target);
registered as the report kind "environment_quality".

Air: one read of the stations' valid hourly means (airquality.service.hourly_grids), HJ 633
daily indicators and daily AQI per station, a district's days the mean of its stations'
(airquality.evaluation.rules.area_daily), exactly as the HJ 663 evaluation page does.
Water: waterquality.service.evaluate_period for each month and the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.accounts.model import Scope
from ecozone.airquality import rules as aqi_rules
from ecozone.airquality import service as aqi_service
from ecozone.airquality import store as aqi_store
from ecozone.airquality.evaluation import rules as evaluation_rules
from ecozone.airquality.model import AqiSettings, Pollutant, ReportKind
from ecozone.statistics import environment
from ecozone.statistics.schedule import Period, ReportContent, register
from ecozone.statistics.schedule import ReportKind as Kind
from ecozone.waterquality import service as water_service
from ecozone.waterquality.model import WaterSettings
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import Column, Table


@dataclass(frozen=True)
class AirRow:
    level: str  # "zone" | "district" | "station"
    name: str
    district: str
    period: str
    figures: dict[str, Any]
    point_id: int | None = None


def air_statistics(
    engine: sa.Engine, scope: Scope, period: Period, settings: AqiSettings | None = None
) -> list[AirRow]:
    """Rows for the zone (the stations `scope` may read), each district and each station,
    for every month of the period and the whole period."""
    settings = settings if settings is not None else config.airquality_settings()
    n_days = (period.end - period.start).days
    days = [period.start + timedelta(days=i) for i in range(n_days)]
    begin = datetime(period.start.year, period.start.month, period.start.day)
    with engine.connect() as conn:
        stations = aqi_store.stations(conn, scope=scope)
        grids = aqi_service.hourly_grids(
            conn, [s.point_id for s in stations], begin, n_days * 24, settings
        )
    slices = environment.month_slices(days, period.label)
    dailies = {
        s.point_id: aqi_rules.daily_indicators(grids[s.point_id], settings) for s in stations
    }

    def rows(level: str, name: str, district: str, daily: Any, pid: int | None) -> list[AirRow]:
        reports = aqi_rules.reports(ReportKind.DAY, daily, settings)
        return [
            AirRow(level, name, district, s.label, environment.air_row(e), pid)
            for s, e in environment.air_slices(days, daily, reports, slices)
        ]

    out: list[AirRow] = []
    if stations:
        zone = evaluation_rules.area_daily(list(dailies.values()))
        out += rows("zone", "", "", zone, None)
    by_district: dict[str, list[int]] = {}
    for s in stations:
        by_district.setdefault(s.district or "", []).append(s.point_id)
    for name, members in sorted(by_district.items()):
        daily = evaluation_rules.area_daily([dailies[p] for p in members])
        out += rows("district", name, name, daily, None)
    for s in stations:
        out += rows(
            "station", f"{s.code} {s.name}", s.district or "", dailies[s.point_id], s.point_id
        )
    return out


@dataclass(frozen=True)
class WaterRow:
    level: str  # "zone" | "district" | "section"
    name: str
    district: str
    period: str
    figures: dict[str, Any]


def water_statistics(
    engine: sa.Engine, scope: Scope, period: Period, settings: WaterSettings | None = None
) -> list[WaterRow]:
    """Sections by class and against their target for the zone and each district, per month
    and for the whole period; and each section's class."""
    settings = settings if settings is not None else config.waterquality_settings()
    chosen = water_service.sections(engine, scope)
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days)]
    out: list[WaterRow] = []
    if not chosen:
        return out
    for s in environment.month_slices(days, period.label):
        first, stop = days[s.start], days[s.end - 1] + timedelta(days=1)
        pairs = water_service.evaluate_period(engine, chosen, first, stop, settings)
        judged = [(section.target_class, e) for section, e in pairs]
        out.append(
            WaterRow(
                "zone", "", "", s.label, environment.water_row(environment.water_summary(judged))
            )
        )
        districts = sorted({section.district or "" for section, _e in pairs})
        for name in districts:
            mine = [(sec.target_class, e) for sec, e in pairs if (sec.district or "") == name]
            out.append(
                WaterRow(
                    "district",
                    name,
                    name,
                    s.label,
                    environment.water_row(environment.water_summary(mine)),
                )
            )
        for section, e in pairs:
            out.append(
                WaterRow(
                    "section",
                    f"{section.code} {section.name}",
                    section.district or "",
                    s.label,
                    {
                        "class": e.water_class.label if e.water_class else None,
                        "target": section.target_class.label,
                        "meets": None
                        if e.water_class is None
                        else e.water_class <= section.target_class,
                    },
                )
            )
    return out


_POLLUTANTS = tuple(evaluation_rules.ITEMS)
_AIR_COLUMNS = (
    ("valid_days", "statrep.col.valid_days"),
    *((f"level_{n}", f"statrep.col.level_{n}") for n in range(1, 7)),
    ("good_days", "statrep.col.good_days"),
    ("good_rate", "statrep.col.good_rate"),
)
_WATER_COLUMNS = (
    ("sections", "statrep.col.sections"),
    ("evaluated", "statrep.col.evaluated"),
    *((f"class_{c}", f"statrep.col.class_{c}") for c in range(1, 7)),
    ("good_iii", "statrep.col.good_iii"),
    ("meeting_target", "statrep.col.meeting_target"),
    ("meeting_rate", "statrep.col.meeting_rate"),
)


def _level(level: str, lang: str) -> str:
    return t(lang, f"statrep.level.{level}")


def air_table(rows: list[AirRow], lang: str) -> Table:
    columns = (
        Column("level", t(lang, "statrep.col.level")),
        Column("name", t(lang, "statrep.col.name")),
        Column("district", t(lang, "col.district")),
        Column("period", t(lang, "statrep.col.period")),
        *(Column(k, t(lang, h)) for k, h in _AIR_COLUMNS),
        *(
            Column(f"{p}_mean", f"{p} {t(lang, 'statrep.col.mean')} ({p.unit})")
            for p in _POLLUTANTS
        ),
        Column("O3_p90", f"O3 P90 ({Pollutant.O3.unit})"),
    )
    body = []
    for r in rows:
        row = {
            "level": _level(r.level, lang),
            "name": r.name or t(lang, "statrep.level.zone"),
            "district": r.district,
            "period": r.period,
            **r.figures,
        }
        if r.point_id is not None:
            row["_href"] = {"name": f"/airquality/stations/{r.point_id}"}
        body.append(row)
    return Table("environment-air", columns, tuple(body))


def water_table(rows: list[WaterRow], lang: str) -> Table:
    columns = (
        Column("level", t(lang, "statrep.col.level")),
        Column("name", t(lang, "statrep.col.name")),
        Column("district", t(lang, "col.district")),
        Column("period", t(lang, "statrep.col.period")),
        *(Column(k, t(lang, h)) for k, h in _WATER_COLUMNS),
    )
    body = [
        {
            "level": _level(r.level, lang),
            "name": r.name or t(lang, "statrep.level.zone"),
            "district": r.district,
            "period": r.period,
            **r.figures,
        }
        for r in rows
        if r.level != "section"
    ]
    return Table("environment-water", columns, tuple(body))


def sections_table(rows: list[WaterRow], lang: str) -> Table:
    columns = (
        Column("name", t(lang, "statrep.col.section")),
        Column("district", t(lang, "col.district")),
        Column("period", t(lang, "statrep.col.period")),
        Column("class", t(lang, "statrep.col.class")),
        Column("target", t(lang, "statrep.col.target")),
        Column("meets", t(lang, "statrep.col.meets")),
    )
    body = [
        {"name": r.name, "district": r.district, "period": r.period, **r.figures}
        for r in rows
        if r.level == "section"
    ]
    return Table("environment-sections", columns, tuple(body))


def zone_facts(air: list[AirRow], water: list[WaterRow], period: Period, lang: str) -> list:
    facts: list[tuple[str, Any]] = []
    whole = [r for r in air if r.level == "zone" and r.period == period.label]
    if whole:
        f = whole[0].figures
        facts += [
            (t(lang, "statrep.col.good_rate"), f["good_rate"]),
            (t(lang, "statrep.col.good_days"), f"{f['good_days']} / {f['valid_days']}"),
            (f"PM2.5 {t(lang, 'statrep.col.mean')} (µg/m3)", f.get("PM2.5_mean")),
        ]
    water_zone = [r for r in water if r.level == "zone" and r.period == period.label]
    if water_zone:
        f = water_zone[0].figures
        facts += [
            (t(lang, "statrep.col.meeting_rate"), f["meeting_rate"]),
            (t(lang, "statrep.col.good_iii"), f"{f['good_iii']} / {f['evaluated']}"),
        ]
    return facts


def produce(engine: sa.Engine, scope: Scope, period: Period, lang: str) -> ReportContent:
    air = air_statistics(engine, scope, period)
    water = water_statistics(engine, scope, period)
    return ReportContent(
        zone_facts(air, water, period, lang),
        [
            (t(lang, "statrep.env.air"), air_table(air, lang)),
            (t(lang, "statrep.env.water"), water_table(water, lang)),
            (t(lang, "statrep.env.sections"), sections_table(water, lang)),
        ],
        (t(lang, "statrep.env.note"),),
    )


register(Kind("environment_quality", "环境质量统计", "Environmental quality", produce))


def as_dict(air: list[AirRow], water: list[WaterRow], period: Period) -> dict[str, Any]:
    return {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "air": [
            {
                "level": r.level,
                "name": r.name,
                "district": r.district,
                "period": r.period,
                "point_id": r.point_id,
                **r.figures,
            }
            for r in air
        ],
        "water": [
            {
                "level": r.level,
                "name": r.name,
                "district": r.district,
                "period": r.period,
                **r.figures,
            }
            for r in water
        ],
    }


def default_period(today: date) -> str:
    """The month shown when none is asked for: the last whole month."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


add_texts(
    {
        "statrep.env.title": ("环境质量统计", "Environmental-quality statistics"),
        "statrep.env.lead": (
            "环境空气：按 HJ 633 日 AQI 统计各级别天数与优良天数比例（有效天数中 AQI≤100 的比例），"
            "各污染物时段均值（日均值的均值，O3 为日最大 8 小时平均），按全区、区县、站点与月份；"
            "地表水：按 GB 3838 各类别断面数"
            "与达到目标类别的断面比例。",
            "Air: days by HJ 633 daily AQI level and the share of good days "
            "(AQI ≤ 100 among the "
            "valid days), each pollutant's period mean "
            "(of daily means; O3 of the daily maximum 8-h "
            "means) for the zone, districts, stations and months; "
            "surface water: sections by GB 3838 "
            "class and the share meeting their target class.",
        ),
        "statrep.env.air": ("环境空气质量", "Ambient air"),
        "statrep.env.water": ("地表水断面类别", "Surface-water sections by class"),
        "statrep.env.sections": ("各断面水质类别", "Each section's class"),
        "statrep.env.note": (
            "空气：有效小时均值，区县为所辖站点逐日均值；浓度 µg/m3，CO 为 mg/m3。"
            "水：各参数时段均值"
            "定类（GB 3838-2002，环办〔2011〕22号）。",
            "Air: valid hourly means; a district is the daily mean of its stations; "
            "µg/m3, CO mg/m3. "
            "Water: class of each parameter's period mean (GB 3838-2002).",
        ),
        "statrep.level.zone": ("全区", "Zone"),
        "statrep.level.district": ("区县", "District"),
        "statrep.level.station": ("站点", "Station"),
        "statrep.level.section": ("断面", "Section"),
        "statrep.col.level": ("层级", "Level"),
        "statrep.col.name": ("名称", "Name"),
        "statrep.col.period": ("时段", "Period"),
        "statrep.col.valid_days": ("有效天数", "Valid days"),
        "statrep.col.good_days": ("优良天数", "Good days"),
        "statrep.col.good_rate": ("优良天数比例 %", "Good days %"),
        "statrep.col.level_1": ("优", "Excellent"),
        "statrep.col.level_2": ("良", "Good"),
        "statrep.col.level_3": ("轻度污染", "Lightly polluted"),
        "statrep.col.level_4": ("中度污染", "Moderately polluted"),
        "statrep.col.level_5": ("重度污染", "Heavily polluted"),
        "statrep.col.level_6": ("严重污染", "Severely polluted"),
        "statrep.col.mean": ("均值", "mean"),
        "statrep.col.sections": ("断面数", "Sections"),
        "statrep.col.evaluated": ("有评价断面", "Evaluated"),
        "statrep.col.class_1": ("Ⅰ类", "Class I"),
        "statrep.col.class_2": ("Ⅱ类", "Class II"),
        "statrep.col.class_3": ("Ⅲ类", "Class III"),
        "statrep.col.class_4": ("Ⅳ类", "Class IV"),
        "statrep.col.class_5": ("Ⅴ类", "Class V"),
        "statrep.col.class_6": ("劣Ⅴ类", "Worse than V"),
        "statrep.col.good_iii": ("Ⅰ～Ⅲ类断面", "Class I-III"),
        "statrep.col.meeting_target": ("达到目标断面", "Meeting target"),
        "statrep.col.meeting_rate": ("达标断面比例 %", "Meeting target %"),
        "statrep.col.section": ("断面", "Section"),
        "statrep.col.class": ("水质类别", "Class"),
        "statrep.col.target": ("目标类别", "Target"),
        "statrep.col.meets": ("达标", "Meets target"),
    }
)
