"""Ambient air on its own pages: 环境空气质量 (the stations on the zone map coloured by their
AQI level, and their latest reports) and one station's page (hourly AQI with each pollutant's
IAQI over the last days, daily AQI over the last month, the daily reports as a table and a
file). Figures come from airquality.service (HJ 633); the colours are HJ 633-2012 Annex A's.
Ambient data is disclosed: every role may open these pages, the Scope picks the stations."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ecozone.accounts.model import Principal
from ecozone.airquality import service
from ecozone.airquality.model import AirQualityError, Level, Pollutant, ReportKind, StationAqi
from ecozone.airquality.views import AMBIENT_LOOKBACK, ambient_table
from ecozone.api.params import Id
from ecozone.times import local_time
from ecozone.web import rules as web_rules
from ecozone.web import shell
from ecozone.web.dashboard import ZONE_CENTRE, district_centres
from ecozone.web.i18n import add_texts
from ecozone.web.model import Column, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

#: Everyone, signed in or not: no gate on these pages, the Scope alone picks the stations.
AIR_ROLES = ("admin", "supervisor", "enterprise", "coordinator", "public")
#: The station page's windows: hours of hourly AQI, days of daily AQI (defaults and bounds).
HOURS_SHOWN, MOST_HOURS = 72, 744
DAYS_SHOWN, MOST_DAYS = 31, 366

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.air", "/airquality", AIR_ROLES, 26, "nav.group.quality"))


def _level_text(report: StationAqi, lang: str) -> str | None:
    level = report.aqi.level
    if level is None:
        return None
    return f"{level.level_zh} {level.category_zh}" if lang == "zh" else level.category_en


def station_position(station: Any) -> tuple[float, float, bool]:
    """Where a station is drawn: its own coordinates, else near its district's centre
    (approximate, the same placement as the dashboard's map)."""
    if station.lon is not None and station.lat is not None:
        return station.lon, station.lat, False
    centre = district_centres().get(station.district or "", ZONE_CENTRE)
    lon, lat = web_rules.schematic_position(centre, station.point_id)
    return lon, lat, True


def map_stations(engine: Any, principal: Principal, now: datetime, lang: str) -> dict[str, Any]:
    """Every air station the viewer may see with its latest real-time AQI, level and colour."""
    reports = service.latest_aqi(engine, scope=principal.scope, now=now, lookback=AMBIENT_LOOKBACK)
    stations = []
    for report in reports:
        s, level = report.station, report.aqi.level
        lon, lat, approximate = station_position(s)
        stations.append({
            "id": s.point_id, "code": s.code, "name": s.name, "district": s.district,
            "lon": lon, "lat": lat, "approximate": approximate,
            "aqi": report.aqi.aqi, "level": int(level) if level is not None else None,
            "colour": level.colour if level is not None else None,
            "category": _level_text(report, lang),
            "primary": "、".join(str(p) for p in report.aqi.primary_pollutants),
            "hour": report.data_time.strftime("%Y-%m-%d %H:00") if report.data_time else None,
            "href": f"/airquality/stations/{s.point_id}",
        })  # fmt: skip
    return {"stations": stations}


@router.get("/airquality", response_class=HTMLResponse)
def air_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """环境空气质量: the stations on the map and their latest hourly AQI."""
    return shell.render(
        request, principal, lang, "airquality/air.html",
        table=ambient_table(engine, principal, shell.now(), lang), levels=list(Level),
    )  # fmt: skip


@router.get("/web/api/airquality/map")
def air_map(principal: Viewer, lang: Lang, engine: Engine) -> JSONResponse:
    """The stations of the air page's map, as JSON."""
    return JSONResponse(map_stations(engine, principal, shell.now(), lang))


def _series(reports: list[StationAqi]) -> dict[str, Any]:
    """A chart's data: per report its time, AQI, level colour and each pollutant's IAQI (the
    worst of its indicators in that report)."""
    times, aqi, colours = [], [], []
    iaqi: dict[str, list[int | None]] = {str(p): [] for p in Pollutant}
    for report in reports:
        times.append(report.data_time.strftime("%Y-%m-%d %H:%M") if report.data_time else None)
        aqi.append(report.aqi.aqi)
        colours.append(report.aqi.level.colour if report.aqi.level is not None else None)
        worst: dict[str, int] = {}
        for entry in report.aqi.sub_indices:
            if entry.iaqi is not None:
                key = str(entry.pollutant)
                worst[key] = max(worst.get(key, 0), entry.iaqi)
        for key, values in iaqi.items():
            values.append(worst.get(key))
    return {"times": times, "aqi": aqi, "colours": colours, "iaqi": iaqi}


def daily_table(reports: list[StationAqi], lang: str) -> Table:
    """The daily reports, newest first: AQI, level, primary pollutant, then per indicator its
    concentration and IAQI."""
    rows = []
    indicators: list[str] = []
    for report in reversed(reports):
        level = report.aqi.level
        row: dict[str, Any] = {
            "day": report.data_time.date() if report.data_time else None,
            "aqi": report.aqi.aqi,
            "aqi_category": _level_text(report, lang),
            "primary_pollutant": "、".join(str(p) for p in report.aqi.primary_pollutants) or None,
            "_class": f"aqi-level-{int(level)}" if level is not None else "",
        }
        for entry in report.aqi.sub_indices:
            key = str(entry.indicator)
            if key not in indicators:
                indicators.append(key)
            row[key] = entry.concentration
            row[f"{key}_iaqi"] = entry.iaqi
        rows.append(row)
    table = shell.make_table("air-days", lang, [
        ("day", "col.day"), ("aqi", "col.aqi"), ("aqi_category", "col.aqi_category"),
        ("primary_pollutant", "col.primary_pollutant"),
    ], rows)  # fmt: skip
    extra = tuple(
        column
        for key in indicators
        for column in (Column(key, key), Column(f"{key}_iaqi", f"{key} IAQI"))
    )
    return Table(table.name, table.columns + extra, table.rows)


@router.get("/airquality/stations/{point_id}", response_class=HTMLResponse)
def station_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: Id,
    hours: int = Query(HOURS_SHOWN, ge=24, le=MOST_HOURS),
    days: int = Query(DAYS_SHOWN, ge=1, le=MOST_DAYS),
    format: Literal["html", "csv", "xlsx"] = "html",
) -> Response:
    """One station: hourly AQI and IAQI for the last `hours`, daily AQI for the last `days`."""
    now = shell.now()
    today = local_time(now).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    this_hour = local_time(now).replace(minute=0, second=0, microsecond=0, tzinfo=None)
    try:
        station = service.get_station(engine, point_id, scope=principal.scope)
        hourly = service.station_aqi(
            engine, point_id, this_hour - timedelta(hours=hours), this_hour, ReportKind.HOUR,
            scope=principal.scope, now=now,
        )  # fmt: skip
        daily = service.station_aqi(
            engine, point_id, today - timedelta(days=days), today, ReportKind.DAY,
            scope=principal.scope, now=now,
        )  # fmt: skip
    except AirQualityError as exc:
        error = WebError(str(exc))
        error.status_code = exc.http_status
        return shell.error_page(request, principal, lang, error)
    table = daily_table(daily, lang)
    if format != "html":
        return shell.respond(table, format, lang, f"air-{station.code}-{days}d")
    latest = next((r for r in reversed(hourly) if r.aqi.aqi is not None), None)
    return shell.render(
        request, principal, lang, "airquality/station.html",
        station=station, latest=latest, latest_level=_level_text(latest, lang) if latest else None,
        hours=hours, days=days, table=table,
        charts={"hourly": _series(hourly), "daily": _series(daily)},
        export_url=shell.list_url(f"/airquality/stations/{point_id}",
                                  {"hours": str(hours), "days": str(days)}),
    )  # fmt: skip


add_texts({
    "nav.air": ("环境空气质量", "Ambient air quality"),
    "air.title": ("环境空气质量", "Ambient air quality"),
    "air.lead": (
        "各空气站最新一小时的空气质量指数（HJ 633），地图按 AQI 级别着色；"
        "点击站点查看逐时与逐日 AQI。",
        "Each air station's latest hourly AQI (HJ 633), the map coloured by AQI level; open a "
        "station for its hourly and daily AQI.",
    ),
    "air.map": ("空气站分布", "Air stations"),
    "air.map.aria": ("空气站地图，按 AQI 级别着色",
                     "Map of the air stations coloured by AQI level"),
    "air.no_aqi": ("暂无有效 AQI", "No valid AQI"),
    "air.table": ("各站最新 AQI", "Latest AQI by station"),
    "air.station.title": ("空气站 {name}", "Air station {name}"),
    "air.station.latest": ("最新小时 AQI", "Latest hourly AQI"),
    "air.station.hourly": ("逐时 AQI 与分指数（近 {hours} 小时）",
                           "Hourly AQI and sub-indices (last {hours} hours)"),
    "air.station.daily": ("逐日 AQI（近 {days} 天）", "Daily AQI (last {days} days)"),
    "air.station.days_table": ("日报", "Daily reports"),
    "air.station.window": ("时段", "Window"),
    "air.station.hours": ("小时数", "Hours"),
    "air.station.days": ("天数", "Days"),
    "air.station.show": ("查看", "Show"),
    "air.station.none": ("该时段没有日报。", "No daily report in this window."),
    "air.station.legend": ("AQI 级别（HJ 633-2012 附录 A 颜色）",
                           "AQI levels (HJ 633-2012 Annex A colours)"),
    "file.air-days": ("空气质量日报", "Daily AQI"),
})  # fmt: skip
