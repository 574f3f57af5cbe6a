"""Use case of the HJ 663 evaluation: every station the caller may see, its districts (the
mean of their stations) and the whole zone, over a year or a period of whole days.

Strategy: one read of the stations' valid hourly means (airquality.service.hourly_grids),
daily indicators and daily AQI reports per station (HJ 633), then evaluation.rules on each
station, each district's and the zone's day-by-day mean; districts ranked by the index.
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
from ecozone.airquality import store
from ecozone.airquality.evaluation import rules
from ecozone.airquality.model import AirQualityError, AqiSettings, ReportKind, Station

#: Longest period one evaluation covers: two years of days.
MAX_DAYS = 732
WEIGHTINGS = {"2013": rules.WEIGHTS_2013, "2026": rules.WEIGHTS_2026}


@dataclass(frozen=True)
class StationEvaluation:
    station: Station
    evaluation: rules.Evaluation


@dataclass(frozen=True)
class DistrictEvaluation:
    rank: int  # 1 the cleanest; 0 unranked (no index)
    district: str
    stations: int
    evaluation: rules.Evaluation


@dataclass(frozen=True)
class PeriodEvaluation:
    start: date
    end: date  # exclusive
    weighting: str
    zone: rules.Evaluation | None
    districts: tuple[DistrictEvaluation, ...]
    stations: tuple[StationEvaluation, ...]


def period(
    year: int | None = None, start: date | str | None = None, end: date | str | None = None
) -> tuple[date, date]:
    """[start, end) of whole days: a calendar year, or the dates given (end exclusive)."""
    if year is not None:
        if start is not None or end is not None:
            raise AirQualityError("give a year or a start and end, not both")
        if not 2000 <= year <= 2100:
            raise AirQualityError(f"year {year} is out of range 2000..2100")
        return date(year, 1, 1), date(year + 1, 1, 1)
    if start is None or end is None:
        raise AirQualityError("give a year, or both start and end dates (YYYY-MM-DD)")
    try:
        first = start if isinstance(start, date) else date.fromisoformat(start)
        stop = end if isinstance(end, date) else date.fromisoformat(end)
    except ValueError as exc:
        raise AirQualityError(f"bad date: {exc}; expected YYYY-MM-DD") from None
    if stop <= first:
        raise AirQualityError(f"end {stop} is not after start {first}")
    if (stop - first).days > MAX_DAYS:
        raise AirQualityError(f"{(stop - first).days} days asked for; at most {MAX_DAYS}")
    return first, stop


def evaluate(
    engine: sa.Engine,
    *,
    year: int | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    scope: Scope | None = None,
    weighting: str = "2013",
    settings: AqiSettings | None = None,
) -> PeriodEvaluation:
    """HJ 663 evaluation of the stations `scope` may read (None: all) over the year or
    [start, end); districts are the day-by-day mean of their stations, ranked by the
    comprehensive index. `weighting` chooses the index weights (2013: all 1; 2026:
    PM2.5 x3, NO2 and O3 x2, UNCONFIRMED)."""
    if weighting not in WEIGHTINGS:
        raise AirQualityError(f"unknown weighting {weighting!r}; expected 2013 or 2026")
    weights = WEIGHTINGS[weighting]
    settings = settings if settings is not None else config.airquality_settings()
    first, stop = period(year, start, end)
    n_days = (stop - first).days
    days = [first + timedelta(days=i) for i in range(n_days)]
    begin = datetime(first.year, first.month, first.day)
    with engine.connect() as conn:
        found = store.stations(conn, scope=scope)
        grids = aqi_service.hourly_grids(
            conn, [s.point_id for s in found], begin, n_days * 24, settings
        )
    dailies = {}
    results = []
    for station in found:
        daily = aqi_rules.daily_indicators(grids[station.point_id], settings)
        dailies[station.point_id] = daily
        reports = aqi_rules.reports(ReportKind.DAY, daily, settings)
        results.append(
            StationEvaluation(station, rules.evaluate(days, daily, reports, weights=weights))
        )

    def area(stations: list[Station]) -> rules.Evaluation:
        daily = rules.area_daily([dailies[s.point_id] for s in stations])
        reports = aqi_rules.reports(ReportKind.DAY, daily, settings)
        return rules.evaluate(days, daily, reports, weights=weights)

    by_district: dict[str, list[Station]] = {}
    for station in found:
        by_district.setdefault(station.district or "", []).append(station)
    evaluated = {name: area(members) for name, members in by_district.items()}
    ranked = tuple(
        DistrictEvaluation(r, name, len(by_district[name]), e)
        for r, name, e in rules.rank(evaluated)
    )
    return PeriodEvaluation(
        first, stop, weighting, area(list(found)) if found else None, ranked, tuple(results)
    )


# --- output -------------------------------------------------------------------------------------


def evaluation_dict(e: rules.Evaluation) -> dict[str, Any]:
    """An evaluation as the API and the command line give it."""
    return {
        "days": e.days,
        "comprehensive_index": e.comprehensive_index,
        "attains_grade_ii": e.attains,
        "valid_aqi_days": e.valid_aqi_days,
        "good_days": e.good_days,
        "good_rate": e.good_rate,
        "days_by_level": {str(k): v for k, v in e.days_by_level.items()},
        "days_by_primary": e.days_by_primary,
        "pm25_primary_by_month": {str(k): v for k, v in e.pm25_primary_by_month.items()},
        "o3_primary_by_month": {str(k): v for k, v in e.o3_primary_by_month.items()},
        "pollutants": [
            {
                "pollutant": str(r.pollutant),
                "unit": r.pollutant.unit,
                "valid_days": r.valid_days,
                "mean": r.mean,
                "annual_mean_valid": r.mean_valid,
                "percentile": r.percentile,
                "percentile_value": r.percentile_value,
                "mean_attains": r.mean_attains,
                "percentile_attains": r.percentile_attains,
                "index": r.index,
            }
            for r in e.pollutants
        ],
    }


def as_dict(result: PeriodEvaluation) -> dict[str, Any]:
    return {
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "weighting": result.weighting,
        "zone": None if result.zone is None else evaluation_dict(result.zone),
        "districts": [
            {
                "rank": d.rank,
                "district": d.district,
                "stations": d.stations,
                **evaluation_dict(d.evaluation),
            }
            for d in result.districts
        ],
        "stations": [
            {
                "point_id": s.station.point_id,
                "station": s.station.code,
                "name": s.station.name,
                "district": s.station.district,
                **evaluation_dict(s.evaluation),
            }
            for s in result.stations
        ],
    }


def table_rows(result: PeriodEvaluation) -> list[dict[str, Any]]:
    """One flat row per district (ranked) and per station: index, attainment, good days and
    each pollutant's evaluated value (annual mean or percentile, as the index takes it)."""
    rows = []
    entries = [(d.district, "", d.rank, d.evaluation, None) for d in result.districts] + [
        (
            s.station.district or "",
            f"{s.station.code} {s.station.name}",
            None,
            s.evaluation,
            s.station.point_id,
        )
        for s in result.stations
    ]
    for district_name, station, ranked, e, point_id in entries:
        row: dict[str, Any] = {
            "rank": ranked or None,
            "district": district_name,
            "station": station,
            "index": e.comprehensive_index,
            "attains": None if e.attains is None else ("✓" if e.attains else "✗"),
            "good_days": e.good_days,
            "valid_days": e.valid_aqi_days,
            "good_rate": None if e.good_rate is None else round(e.good_rate, 1),
            "pm25_primary": sum(e.pm25_primary_by_month.values()),
            "o3_primary": sum(e.o3_primary_by_month.values()),
        }
        if point_id is not None:
            row["_href"] = {"station": f"/airquality/stations/{point_id}"}
        for r in e.pollutants:
            row[f"{r.pollutant}_mean"] = r.mean
            row[f"{r.pollutant}_p{r.percentile}"] = r.percentile_value
        rows.append(row)
    return rows
