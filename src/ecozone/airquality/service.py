"""Use cases of air quality: the latest real-time report of every station, a station's hourly
or daily reports over a range, and their JSON and CSV forms.

Strategy: read the stations' valid hourly means once (store.hourly_values), lay them on a dense
hourly grid per station and pollutant in HJ 633 units (NaN where no valid value), and hand whole
arrays to the rules: moving and daily means, then IAQI and AQI for every hour or day at once.
Hours are labelled by their start, device time, China Standard Time (HJ 212 DataTime); a
real-time report reads the 23 hours before its first hour for the 24-h moving means.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone import config, times
from ecozone.accounts.model import Scope
from ecozone.airquality import rules, store
from ecozone.airquality.model import (
    AirQualityError,
    Aqi,
    AqiSettings,
    Indicator,
    Pollutant,
    ReportKind,
    Station,
    StationAqi,
    StationNotFound,
)
from ecozone.times import CHINA_STANDARD_TIME, cst_naive

#: A station whose newest valid hourly mean is older than this has no latest report.
LATEST_LOOKBACK = timedelta(days=2)
#: Longest ranges one request may ask for: a quarter of hours, two years of days.
MAX_HOURS = 24 * 93
MAX_DAYS = 732
#: Ranges asked for without bounds: the last 24 whole hours, the last 30 whole days.
DEFAULT_HOURS = 24
DEFAULT_DAYS = 30

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
FORMATS = ("json", "csv")


# --- time ---------------------------------------------------------------------------------------


def now_local(now: datetime | None = None) -> datetime:
    """`now` (an aware instant, default the clock) as naive China Standard Time."""
    instant = now if now is not None else datetime.now(UTC)
    if instant.tzinfo is None:
        raise AirQualityError(f"naive datetime {instant.isoformat()} given for now; add tzinfo")
    return cst_naive(instant)


def parse_time(value: datetime | str | None, name: str) -> datetime | None:
    """`value` as naive China Standard Time (ecozone.times); None stays None."""
    try:
        return times.parse_optional_time(value, name)
    except times.TimeError as exc:
        raise AirQualityError(str(exc)) from None


def _ceil(value: datetime, step: timedelta) -> datetime:
    floor = _floor(value, step)
    return floor if floor == value else floor + step


def _floor(value: datetime, step: timedelta) -> datetime:
    if step == DAY:
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value.replace(minute=0, second=0, microsecond=0)


def report_range(
    kind: ReportKind | str,
    start: datetime | str | None,
    end: datetime | str | None,
    now: datetime | None = None,
) -> tuple[ReportKind, datetime, int]:
    """The reports [start, end) asks for: hours (or days) whose start lies in the range, as the
    first one and their number. Without bounds: the last 24 whole hours or 30 whole days
    before `now`; with one bound, that many from or up to it."""
    try:
        kind = ReportKind(kind)
    except ValueError:
        raise AirQualityError(f"unknown report kind {kind!r}; expected hour or day") from None
    step, default, most = (
        (HOUR, DEFAULT_HOURS, MAX_HOURS)
        if kind is ReportKind.HOUR
        else (DAY, DEFAULT_DAYS, MAX_DAYS)
    )
    first, stop = parse_time(start, "start"), parse_time(end, "end")
    if first is None and stop is None:
        stop = _floor(now_local(now), step)
    if first is None:
        assert stop is not None
        first = _ceil(stop, step) - default * step
    if stop is None:
        stop = _ceil(first, step) + default * step
    if first >= stop:
        raise AirQualityError(f"start {first.isoformat()} is not before end {stop.isoformat()}")
    first = _ceil(first, step)
    count = 0 if first >= stop else -((first - stop) // step)
    if count > most:
        unit = "hours" if kind is ReportKind.HOUR else "days"
        raise AirQualityError(
            f"{count} {unit} asked for from {first.isoformat()} to {stop.isoformat()}; "
            f"at most {most} {unit} per request"
        )
    return kind, first, count


# --- reading the grid ---------------------------------------------------------------------------


def _grids(
    conn: sa.Connection,
    station_ids: Sequence[int],
    start: datetime,
    hours: int,
    settings: AqiSettings,
) -> dict[int, dict[Pollutant, np.ndarray]]:
    """Per station and pollutant, `hours` valid hourly means from `start` in HJ 633 units."""
    grids = {pid: {p: np.full(hours, np.nan) for p in Pollutant} for pid in station_ids}
    if not station_ids or hours <= 0:
        return grids
    codes = [p.code for p in Pollutant]
    end = start + hours * HOUR
    pids, code_index, index, values = store.hourly_values(
        conn,
        station_ids,
        codes,
        start,
        end,
        valid_flags=settings.valid_flags,
        unflagged_is_normal=settings.unflagged_is_normal,
    )
    for position, p in enumerate(Pollutant):
        of_code = code_index == position
        if not of_code.any():
            continue
        unit = rules.sent_unit(p.code, settings)
        converted = rules.to_standard_unit(p, values[of_code], unit)
        code_pids, code_hours = pids[of_code], index[of_code]
        for pid in np.unique(code_pids):
            mine = code_pids == pid
            grids[int(pid)][p][code_hours[mine]] = converted[mine]
    return grids


def hourly_grids(
    conn: sa.Connection,
    station_ids: Sequence[int],
    start: datetime,
    hours: int,
    settings: AqiSettings,
) -> dict[int, dict[Pollutant, np.ndarray]]:
    """Per station and pollutant, `hours` valid hourly means from `start` (HJ 633 units,
    NaN where none), for the evaluation."""
    return _grids(conn, station_ids, start, hours, settings)


# --- use cases ----------------------------------------------------------------------------------


def _settings(settings: AqiSettings | None) -> AqiSettings:
    return settings if settings is not None else config.airquality_settings()


def latest_aqi(
    engine: sa.Engine,
    *,
    enterprise_ids: Iterable[int] | None = None,
    point_ids: Iterable[int] | None = None,
    scope: Scope | None = None,
    now: datetime | None = None,
    settings: AqiSettings | None = None,
    lookback: timedelta = LATEST_LOOKBACK,
) -> list[StationAqi]:
    """Every air station's real-time report for its newest whole hour with a valid hourly mean
    within `lookback` (2 days) before `now`; a station without one is listed with no AQI. The
    hour under way is not reported: HJ 633-2012 §5.2 publishes an hour once it has ended.
    Only the stations of `enterprise_ids` and among `point_ids`, where given (None: all)."""
    settings = _settings(settings)
    until = _floor(now_local(now), HOUR)
    since = _floor(until - lookback, HOUR)
    codes = [p.code for p in Pollutant]
    first, grids = until, {}
    with engine.connect() as conn:
        found = store.stations(
            conn, point_ids=point_ids, enterprise_ids=enterprise_ids, scope=scope
        )
        ids = [s.point_id for s in found]
        newest = store.latest_hours(
            conn,
            ids,
            codes,
            since,
            until,
            valid_flags=settings.valid_flags,
            unflagged_is_normal=settings.unflagged_is_normal,
        )
        if newest:
            first = min(newest.values()) - rules.HISTORY_HOURS * HOUR
            span = int((max(newest.values()) - first) // HOUR) + 1
            grids = _grids(conn, list(newest), first, span, settings)
    edition = rules.edition_of(settings).name
    out = []
    for station in found:
        hour = newest.get(station.point_id)
        if hour is None:
            empty = {p: np.full(rules.HISTORY_HOURS + 1, np.nan) for p in Pollutant}
            aqi = _hourly(empty, settings)[0]
            out.append(StationAqi(station, ReportKind.HOUR, None, aqi, edition))
            continue
        stop = int((hour - first) // HOUR) + 1
        window = {
            p: grid[stop - rules.HISTORY_HOURS - 1 : stop]
            for p, grid in grids[station.point_id].items()
        }
        aqi = _hourly(window, settings)[0]
        out.append(StationAqi(station, ReportKind.HOUR, hour, aqi, edition))
    return out


def _hourly(grid: dict[Pollutant, np.ndarray], settings: AqiSettings) -> list[Aqi]:
    return rules.reports(ReportKind.HOUR, rules.hourly_indicators(grid, settings), settings)


def _daily(grid: dict[Pollutant, np.ndarray], settings: AqiSettings) -> list[Aqi]:
    return rules.reports(ReportKind.DAY, rules.daily_indicators(grid, settings), settings)


def get_station(
    engine: sa.Engine,
    point_id: int,
    *,
    enterprise_ids: Iterable[int] | None = None,
    scope: Scope | None = None,
) -> Station:
    """The air station with this point id, if the caller may see it (`enterprise_ids` or
    `scope`, None: all); StationNotFound otherwise, the same outside the scope as for none."""
    with engine.connect() as conn:
        found = store.stations(
            conn, point_ids=[point_id], enterprise_ids=enterprise_ids, scope=scope
        )
        if found:
            return found[0]
        other = store.point_kind(conn, point_id)
    visible = (scope is None or scope.everything) and (
        enterprise_ids is None
        or (other is not None and other["enterprise_id"] in set(enterprise_ids))
    )
    if other is not None and visible:
        raise StationNotFound(
            f"point {point_id} is a {other['kind']} point, not an air station (ambient_air)"
        )
    raise StationNotFound(f"no air station with point id {point_id}")


def station_aqi(
    engine: sa.Engine,
    point_id: int,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    kind: ReportKind | str = ReportKind.HOUR,
    *,
    enterprise_ids: Iterable[int] | None = None,
    scope: Scope | None = None,
    now: datetime | None = None,
    settings: AqiSettings | None = None,
) -> list[StationAqi]:
    """A station's real-time reports for each hour, or daily reports for each day, whose start
    lies in [start, end) (device time, CST), in time order; see `report_range` for defaults.
    Hours or days without a valid value are listed with no AQI."""
    settings = _settings(settings)
    kind, first, count = report_range(kind, start, end, now)
    station = get_station(engine, point_id, enterprise_ids=enterprise_ids, scope=scope)
    edition = rules.edition_of(settings).name
    if count == 0:
        return []
    with engine.connect() as conn:
        if kind is ReportKind.HOUR:
            read_from = first - rules.HISTORY_HOURS * HOUR
            grid = _grids(conn, [point_id], read_from, count + rules.HISTORY_HOURS, settings)
            aqis = _hourly(grid[point_id], settings)
        else:
            grid = _grids(conn, [point_id], first, count * 24, settings)
            aqis = _daily(grid[point_id], settings)
    step = HOUR if kind is ReportKind.HOUR else DAY
    return [StationAqi(station, kind, first + k * step, aqi, edition) for k, aqi in enumerate(aqis)]


# --- output -------------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=CHINA_STANDARD_TIME).isoformat()


def as_dict(report: StationAqi) -> dict[str, Any]:
    """A report as the API and `ecozone airquality --format json` give it."""
    s, a = report.station, report.aqi
    level = a.level
    return {
        "point_id": s.point_id,
        "station": s.code,
        "name": s.name,
        "enterprise": s.enterprise,
        "credit_code": s.credit_code,
        "district": s.district,
        "kind": str(report.kind),
        "data_time": _time(report.data_time),
        "edition": report.edition,
        "aqi": a.aqi,
        "level": None if level is None else int(level),
        "level_name": None if level is None else level.level_zh,
        "category": None if level is None else level.category_zh,
        "category_en": None if level is None else level.category_en,
        "colour": None if level is None else level.colour,
        "primary_pollutants": [str(p) for p in a.primary_pollutants],
        "primary_indicators": [str(i) for i in a.primary_indicators],
        "exceeding_pollutants": [str(p) for p in a.exceeding_pollutants],
        "sub_indices": [
            {
                "indicator": str(e.indicator),
                "pollutant": str(e.pollutant),
                "hours": e.indicator.hours,
                "concentration": e.concentration,
                "unit": e.pollutant.unit,
                "iaqi": e.iaqi,
                "note": e.note,
            }
            for e in a.sub_indices
        ],
        "missing": [str(i) for i in a.missing],
    }


CSV_HEAD = (
    "point_id", "station", "name", "district", "kind", "data_time", "edition",
    "aqi", "level", "category", "colour", "primary_pollutants", "exceeding_pollutants",
)  # fmt: skip


def csv_columns(kind: ReportKind | str) -> tuple[str, ...]:
    """Columns of the CSV form: the report's head, then each indicator's concentration and
    IAQI (hourly reports also carry SO2_24h, which stands in when SO2_1h is above 800)."""
    indicators = rules.report_indicators(ReportKind(kind))
    if ReportKind(kind) is ReportKind.HOUR:
        indicators = (*indicators, Indicator.SO2_24H)
    return CSV_HEAD + tuple(name for i in indicators for name in (str(i), f"{i}_iaqi"))


def as_row(report: StationAqi) -> dict[str, Any]:
    """A report as one flat CSV row (lists joined with ';')."""
    body = as_dict(report)
    row = {key: body[key] for key in CSV_HEAD if key in body}
    row["primary_pollutants"] = ";".join(body["primary_pollutants"])
    row["exceeding_pollutants"] = ";".join(body["exceeding_pollutants"])
    for entry in report.aqi.sub_indices:
        row[str(entry.indicator)] = entry.concentration
        row[f"{entry.indicator}_iaqi"] = entry.iaqi
    return row


def render(
    reports: Sequence[StationAqi], fmt: str, kind: ReportKind | str = ReportKind.HOUR
) -> str:
    """Reports as JSON (a list) or CSV (header and one row per report)."""
    if fmt not in FORMATS:
        raise AirQualityError(f"unknown format {fmt!r}; expected json or csv")
    if fmt == "json":
        return json.dumps([as_dict(r) for r in reports], ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(kind), extrasaction="ignore")
    writer.writeheader()
    for r in reports:
        writer.writerow(as_row(r))
    return buffer.getvalue()


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise AirQualityError(f"unknown format {fmt!r}; expected json or csv")
    return fmt
