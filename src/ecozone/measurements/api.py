"""REST: GET /api/v1/measurements, a thin shell over service.query.

Pages are cut by limit and offset. Counting the matches of a filter over a
table of hundreds of millions of rows costs more than the page itself, so a
page says only whether another follows: one row more than asked is read and
`next_offset` is set when it exists.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ecozone.measurements import service
from ecozone.measurements.model import NotFoundError, QueryError

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000

router = APIRouter(prefix="/api/v1", tags=["measurements"])

Kind = Literal["rtd", "minute", "hour", "day"]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


class Measurement(BaseModel):
    mn: str | None = Field(description="Device MN; null for a point without a device")
    point: str = Field(description="Outlet code, e.g. DA001")
    pollutant: str = Field(description="HJ 212-2017 pollutant code, e.g. a21026")
    kind: Kind
    data_time: str = Field(description="Device time, ISO 8601 with +08:00")
    rtd: float | None = None
    avg: float | None = None
    min: float | None = None
    max: float | None = None
    cou: float | None = None
    zs_rtd: float | None = Field(None, description="rtd at the point's reference O2")
    zs_avg: float | None = None
    zs_min: float | None = None
    zs_max: float | None = None
    flag: str | None = Field(None, description="HJ 212 data flag (N, F, M, S, D, C, T, B)")
    eflag: str | None = None


class MeasurementPage(BaseModel):
    items: list[Measurement]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


@router.get(
    "/measurements",
    response_model=MeasurementPage,
    summary="监测数据 Measurements of one data kind, in time order",
    responses={
        200: {"content": {"text/csv": {}}, "description": "A page as JSON, or as CSV"},
        400: {"description": "Bad time, range or combination of parameters"},
        404: {"description": "Unknown enterprise, device or outlet"},
    },
)
def list_measurements(
    engine: Annotated[sa.Engine, Depends(_engine)],
    kind: Annotated[Kind, Query(description="Data kind: rtd, minute, hour or day")],
    enterprise: Annotated[str | None, Query(description="Enterprise credit code")] = None,
    mn: Annotated[str | None, Query(description="Device MN")] = None,
    point: Annotated[str | None, Query(description="Outlet code, e.g. DA001")] = None,
    pollutant: Annotated[str | None, Query(description="Pollutant code, e.g. a21026")] = None,
    start: Annotated[
        str | None, Query(description="From this device time, inclusive (ISO 8601; CST if naive)")
    ] = None,
    end: Annotated[str | None, Query(description="Up to this device time, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0)] = 0,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
) -> Any:
    """Ordered by data_time, then pollutant. `next_offset` is null on the last page."""
    try:
        rows = service.query(
            engine,
            mn=mn,
            credit_code=enterprise,
            point=point,
            pollutant=pollutant,
            kind=kind,
            start=start,
            end=end,
            limit=limit + 1,
            offset=offset,
        )
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except QueryError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    next_offset = offset + limit if len(rows) > limit else None
    rows = rows[:limit]
    if format == "csv":
        headers = {"X-Next-Offset": str(next_offset)} if next_offset is not None else {}
        return Response(service.to_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return {"items": rows, "limit": limit, "offset": offset, "next_offset": next_offset}
