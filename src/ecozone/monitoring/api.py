"""REST: capture rates and discharged totals of a monitoring point; thin over service.py.

Reads are scoped like every other read (ecozone.accounts.deps): a point of an enterprise the
caller may not see answers 404 exactly like a point that does not exist. Times are device
time, China Standard Time; naive ISO 8601 means CST.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.api.params import Id
from ecozone.monitoring import service, store
from ecozone.monitoring.model import MonitoringError
from ecozone.times import CHINA_STANDARD_TIME

router = APIRouter(prefix="/api/v1", tags=["monitoring"])


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


class Capture(BaseModel):
    pollutant: str = Field(description="HJ 212-2017 pollutant code")
    basis: Literal["hour", "day"]
    expected: int = Field(description="Hours (or days) starting in the range")
    present: int = Field(description="Of those, with any value")
    valid: int = Field(description="Of those, with a valid value (HJ 212-2017 App. D)")
    capture_rate: float = Field(description="present / expected, 0..1")
    valid_rate: float = Field(description="valid / expected, 0..1")


class CaptureList(BaseModel):
    point_id: int
    start: str = Field(description="ISO 8601 with +08:00")
    end: str
    items: list[Capture]


class Total(BaseModel):
    pollutant: str
    emission_kg: float | None = Field(description="Sum of the daily masses, kg")
    emission_days: int = Field(description="Days that had a mass")
    volume_m3: float | None = Field(description="Flows (a00000, w00000): volume discharged, m3")
    valid_days: int


class TotalList(BaseModel):
    point_id: int
    start: str = Field(description="ISO 8601 with +08:00")
    end: str
    items: list[Total]


def _visible_point(engine: sa.Engine, principal: Principal, point_id: int) -> None:
    with engine.connect() as conn:
        owner = store.point_owner(conn, point_id)
    if owner is None or not principal.scope.can_read(
        owner["id"], district_id=owner["district_id"], disclosed=owner["disclosed"]
    ):
        raise HTTPException(status_code=404, detail=f"no point with id {point_id}")


def _time(value: str, name: str) -> datetime:
    try:
        return service.device_time(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise HTTPException(
            status_code=400,
            detail=f"{name} {value!r} is not a time; write it as ISO 8601, e.g. 2024-05-01",
        ) from None


def _cst(value: datetime) -> str:
    return value.replace(tzinfo=CHINA_STANDARD_TIME).isoformat()


_START = Query(description="From this device time, inclusive (ISO 8601; CST if naive)")
_END = Query(description="Up to this device time, exclusive")


@router.get(
    "/points/{point_id}/capture",
    response_model=CaptureList,
    summary="数据捕集率 Capture and valid-data rates of a point",
    responses={400: {"description": "Bad time or range"}, 404: {"description": "No such point"}},
)
def point_capture(
    point_id: Id,
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
    start: Annotated[str, _START],
    end: Annotated[str, _END],
    basis: Annotated[Literal["hour", "day"], Query(description="Count hours or days")] = "hour",
) -> Any:
    """Per pollutant: how many hours (or days) of the range have a value, and a valid one."""
    _visible_point(engine, principal, point_id)
    lo, hi = _time(start, "start"), _time(end, "end")
    try:
        rates = service.capture(engine, point_id, start=lo, end=hi, basis=basis)
    except MonitoringError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return {"point_id": point_id, "start": _cst(lo), "end": _cst(hi),
            "items": [asdict(r) for r in rates]}  # fmt: skip


@router.get(
    "/points/{point_id}/totals",
    response_model=TotalList,
    summary="排放量 Emitted masses and discharged volumes of a point",
    responses={400: {"description": "Bad time or range"}, 404: {"description": "No such point"}},
)
def point_totals(
    point_id: Id,
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
    start: Annotated[str, _START],
    end: Annotated[str, _END],
) -> Any:
    """Per pollutant, over the days starting in the range (a year for an annual total)."""
    _visible_point(engine, principal, point_id)
    lo, hi = _time(start, "start"), _time(end, "end")
    try:
        found = service.totals(engine, point_id, start=lo, end=hi)
    except MonitoringError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return {"point_id": point_id, "start": _cst(lo), "end": _cst(hi),
            "items": [asdict(t) for t in found]}  # fmt: skip
