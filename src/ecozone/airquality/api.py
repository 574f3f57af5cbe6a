"""REST: GET /api/v1/airquality/latest, /stations/{point_id} and /evaluation, thin shells over
service.latest_aqi, service.station_aqi (JSON or CSV) and evaluation.service.evaluate (JSON).

Who may read: anyone, the anonymous public included, within their scope (a district
supervisor reads the stations standing in the district, accounts.store.point_scope_condition).
Air stations are registered under the
institution that runs them; a government station's data is public information (HJ 633-2012
§5 reports are published to the public), so such an institution is registered as disclosing
its data and the public then reads its stations. A station of an undisclosed owner answers 404
to the public like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.airquality import service
from ecozone.airquality.evaluation import service as evaluation
from ecozone.airquality.model import AirQualityError, StationNotFound
from ecozone.api.params import Id

router = APIRouter(prefix="/api/v1/airquality", tags=["airquality"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Format = Annotated[Literal["json", "csv"], Query(description="json or csv")]


class SubIndexOut(BaseModel):
    indicator: str = Field(description="Pollutant and averaging time, e.g. PM2.5_24h, O3_8h")
    pollutant: str = Field(description="SO2, NO2, PM10, CO, O3 or PM2.5")
    hours: int = Field(description="Averaging time, hours: 1, 8 or 24")
    concentration: float | None = Field(
        description="Rounded as reported: µg/m3 integers, CO mg/m3 to 0.1; null if invalid"
    )
    unit: str
    iaqi: int | None = Field(description="Individual AQI (HJ 633-2012 eq. (1)); null if it "
                             "does not enter the AQI or has no value")  # fmt: skip
    note: str | None = Field(None, description="Why a Table 1 note changed this IAQI")


class StationAqiOut(BaseModel):
    point_id: int
    station: str = Field(description="Station (point) code")
    name: str
    enterprise: str = Field(description="The institution that runs the station")
    credit_code: str
    district: str | None
    kind: Literal["hour", "day"] = Field(description="hour: real-time report; day: daily")
    data_time: str | None = Field(
        description="Start of the hour or day, ISO 8601 +08:00; null: no recent data"
    )
    edition: str = Field(description="Edition of the breakpoints, e.g. HJ 633-2012")
    aqi: int | None
    level: int | None = Field(description="1-6 (一级 ... 六级)")
    level_name: str | None
    category: str | None = Field(description="优, 良, 轻度污染, 中度污染, 重度污染, 严重污染")
    category_en: str | None
    colour: str | None = Field(description="Colour of the level, #RRGGBB (HJ 633-2012 Annex A)")
    primary_pollutants: list[str] = Field(description="Only when AQI > 50; all on a tie")
    primary_indicators: list[str]
    exceeding_pollutants: list[str] = Field(description="Pollutants with an IAQI above 100")
    sub_indices: list[SubIndexOut]
    missing: list[str] = Field(description="Indicators of the AQI without a valid value")


def _http(exc: AirQualityError) -> HTTPException:
    status = 404 if isinstance(exc, StationNotFound) else 400
    return HTTPException(status_code=status, detail=str(exc))


def _respond(reports: list[Any], format: str, kind: str) -> Any:
    if format == "csv":
        text = service.render(reports, "csv", kind)
        return Response(text, media_type="text/csv; charset=utf-8")
    return [service.as_dict(r) for r in reports]


@router.get(
    "/latest",
    response_model=list[StationAqiOut],
    summary="空气质量实时报 Latest hourly AQI of every air station",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV"}},
)
def latest(engine: Engine, principal: deps.CurrentPrincipal, format: Format = "json") -> Any:
    """Each station's real-time report (HJ 633-2012 §5.2) for its newest hour with valid data
    in the last two days; a station without one is listed with a null AQI."""
    try:
        reports = service.latest_aqi(engine, scope=principal.scope)
    except AirQualityError as exc:
        raise _http(exc) from None
    return _respond(reports, format, "hour")


@router.get(
    "/stations/{point_id}",
    response_model=list[StationAqiOut],
    summary="空气质量实时报/日报 A station's hourly or daily AQI over a range",
    responses={
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV"},
        400: {"description": "Bad kind, time or range"},
        404: {"description": "No air station with this id that the caller may see"},
    },
)
def station(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    point_id: Annotated[Id, Path(description="Point id of the air station")],
    kind: Annotated[
        Literal["hour", "day"], Query(description="hour: real-time reports; day: daily reports")
    ] = "hour",
    start: Annotated[
        str | None, Query(description="From this device time, inclusive (ISO 8601; CST if naive)")
    ] = None,
    end: Annotated[str | None, Query(description="Up to this device time, exclusive")] = None,
    format: Format = "json",
) -> Any:
    """Reports for each hour (or day) whose start lies in [start, end), in time order; without
    bounds the last 24 whole hours (30 whole days). Hours or days without valid data are
    listed with a null AQI."""
    try:
        reports = service.station_aqi(engine, point_id, start, end, kind, scope=principal.scope)
    except AirQualityError as exc:
        raise _http(exc) from None
    return _respond(reports, format, kind)


@router.get(
    "/evaluation",
    summary="环境空气质量评价 HJ 663 evaluation of a year or a period",
    responses={400: {"description": "Bad year, dates or weighting"}},
)
def evaluation_report(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    year: Annotated[int | None, Query(description="Calendar year")] = None,
    start: Annotated[str | None, Query(description="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(description="Day after the last, YYYY-MM-DD")] = None,
    weighting: Annotated[
        Literal["2013", "2026"], Query(description="Comprehensive-index weights")
    ] = "2013",
) -> dict[str, Any]:
    """Percentiles, grade II attainment, comprehensive index, days by level and primary
    pollutant of each station the caller may see, each district (ranked) and their whole."""
    try:
        result = evaluation.evaluate(
            engine, year=year, start=start, end=end, weighting=weighting, scope=principal.scope
        )
    except AirQualityError as exc:
        raise _http(exc) from None
    return evaluation.as_dict(result)
