"""REST: GET /api/v1/measurements, a thin shell over service.query_columns.

The rows are read as columns and the page is written from them (service.render_columns),
the same bytes the row dicts of service.query gave through JSONResponse and to_csv.

Pages are cut by limit and offset. Counting the matches of a filter over a
table of hundreds of millions of rows costs more than the page itself, so a
page says only whether another follows: one row more than asked is read and
`next_offset` is set when it exists. `source=computed` answers with the
hourly and daily values of ecozone.monitoring instead of the devices' own.
Reads are scoped to what the caller may see (ecozone.accounts.deps); another
enterprise's device or credit code answers 404 like an unknown one.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.api.params import Offset
from ecozone.measurements import service
from ecozone.measurements.model import KINDS, NotFoundError, QueryError

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000

router = APIRouter(prefix="/api/v1", tags=["measurements"])

Kind = Literal[KINDS]  # the values of model.DataKind, inline in the OpenAPI schema
Source = Literal["raw", "computed"]


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
    resent: bool = Field(False, description="Sent again as backfill (HJ 212-2025 RF=1)")


class MeasurementPage(BaseModel):
    items: list[Measurement]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


class ComputedValue(BaseModel):
    mn: str | None = Field(description="Device MN; null for a point without a device")
    point: str = Field(description="Outlet code, e.g. DA001")
    pollutant: str = Field(description="HJ 212-2017 pollutant code, e.g. a21026")
    kind: Literal["hour", "day"]
    data_time: str = Field(description="Start of the hour or day, ISO 8601 with +08:00")
    avg: float | None = Field(None, description="Mean of the valid inputs (HJ 212-2017 App. D)")
    min: float | None = None
    max: float | None = None
    cou: float | None = Field(None, description="Flows: volume, m3; others: sum of Cou sent")
    zs_avg: float | None = Field(None, description="At the point's reference O2 (HJ 75-2017)")
    zs_min: float | None = None
    zs_max: float | None = None
    valid: bool = Field(description="Enough valid inputs: 45 of 60 minutes, 20 of 24 hours")
    valid_count: int = Field(description="Valid minute values (hour) or valid hours (day)")
    sample_count: int = Field(description="Inputs present at all")
    emission_kg: float | None = Field(None, description="Mass emitted, where the flow is known")
    flag: str | None = Field(None, description="N normal, D fault (flue gas), or abnormal flag")
    device_avg: float | None = Field(None, description="The device's own value for the period")


class ComputedPage(BaseModel):
    items: list[ComputedValue]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


@router.get(
    "/measurements",
    response_model=MeasurementPage | ComputedPage,
    summary="监测数据 Measurements of one data kind, in time order",
    responses={
        200: {"content": {"text/csv": {}}, "description": "A page as JSON, or as CSV"},
        400: {"description": "Bad time, range or combination of parameters"},
        404: {"description": "Unknown enterprise, device or outlet"},
    },
)
def list_measurements(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
    kind: Annotated[
        Kind,
        Query(description="Data kind: rtd, minute, hour, day; 2025: raw, single, check, five_min"),
    ],
    enterprise: Annotated[str | None, Query(description="Enterprise credit code")] = None,
    mn: Annotated[str | None, Query(description="Device MN")] = None,
    point: Annotated[str | None, Query(description="Outlet code, e.g. DA001")] = None,
    pollutant: Annotated[str | None, Query(description="Pollutant code, e.g. a21026")] = None,
    start: Annotated[
        str | None, Query(description="From this device time, inclusive (ISO 8601; CST if naive)")
    ] = None,
    end: Annotated[str | None, Query(description="Up to this device time, exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[Offset, Query()] = 0,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",
    source: Annotated[
        Source,
        Query(description="raw: the devices' values; computed: hourly/daily values (hour, day)"),
    ] = "raw",
) -> Any:
    """Ordered by data_time, then pollutant. `next_offset` is null on the last page.

    With source=computed the items are hourly or daily values derived from the minute data
    (ComputedPage): mean, validity, reference-O2 value, emitted mass and flag."""
    if enterprise is not None:
        deps.check_enterprise_access(engine, principal, enterprise)
    if mn is not None:
        deps.check_device_access(engine, principal, mn)
    visible = deps.visible_enterprise_ids(engine, principal)
    try:
        table, labels = service.query_columns(
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
            source=source,
            enterprise_ids=visible,
        )
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except QueryError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    next_offset = offset + limit if table.num_rows > limit else None
    table = table.slice(0, limit)
    if format == "csv":
        headers = {"X-Next-Offset": str(next_offset)} if next_offset is not None else {}
        text = service.render_columns(table, labels, source, "csv")
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    # The page (MeasurementPage or ComputedPage) is written from the columns, keys in the
    # models' order, the bytes JSONResponse would write for the same items.
    items = service.render_columns(table, labels, source, "json")
    tail = json.dumps({"limit": limit, "offset": offset, "next_offset": next_offset},
                      separators=(",", ":"))  # fmt: skip
    return Response(b'{"items":[' + items + b"]," + tail[1:].encode(),
                    media_type="application/json")  # fmt: skip
