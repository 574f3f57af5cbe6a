"""REST: the registry as read-only lists (districts, enterprises, points) and recent raw frames.

Thin: each endpoint is one registry.service call with the caller's Scope
(accounts), which the store turns into SQL: the public reads disclosed
enterprises, an enterprise user its own, a district supervisor the district;
raw frames are for supervisors and admins. Another enterprise's record
answers 404 exactly like a missing one. Lists come wrapped as
{"items": [...]} so paging can be added without breaking clients.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.registry import service
from ecozone.registry.model import POINT_KINDS

router = APIRouter(prefix="/api/v1")

# Literals of the enum values, so the OpenAPI schema lists them inline.
PointKind = Literal[POINT_KINDS]
Verdict = Literal["accepted", "rejected"]
Engine = Annotated[sa.Engine, Depends(deps.get_engine)]


class District(BaseModel):
    name: str
    zone: str
    enterprise_count: int


class Enterprise(BaseModel):
    credit_code: str = Field(description="Unified social credit code (GB 32100-2015)")
    credit_code_verified: bool = Field(description="false: the check character fails")
    name: str
    district: str
    industry: str | None
    address: str | None
    lon: float | None
    lat: float | None
    disclosed: bool = Field(description="Automatic monitoring data disclosed to the public")
    point_count: int


class Device(BaseModel):
    mn: str
    st: str = Field(description="HJ 212 system code")
    protocol: str | None
    lenient: bool
    last_seen_at: datetime | None


class EnterprisePoint(BaseModel):
    code: str
    name: str
    kind: PointKind
    reference_o2: float | None = Field(description="Reference O2, % by volume")
    lon: float | None
    lat: float | None
    device: Device | None


class EnterpriseDetail(Enterprise):
    points: list[EnterprisePoint]


class Point(BaseModel):
    credit_code: str
    enterprise: str
    district: str
    code: str
    name: str
    kind: PointKind
    lon: float | None
    lat: float | None
    reference_o2: float | None
    mn: str | None


class Frame(BaseModel):
    id: int
    received_at: datetime
    peer: str
    mn: str | None
    cn: str | None
    qn: str | None
    verdict: Verdict
    reason: str | None
    data: str = Field(description="The frame as received; bytes outside printable ASCII as \\xNN")


class DistrictList(BaseModel):
    items: list[District]


class EnterpriseList(BaseModel):
    items: list[Enterprise]


class PointList(BaseModel):
    items: list[Point]


class FrameList(BaseModel):
    items: list[Frame]


@router.get("/districts", response_model=DistrictList, tags=["registry"], summary="区县 Districts")
def list_districts(engine: Engine, principal: deps.CurrentPrincipal) -> Any:
    """Districts of the zone with the number of their enterprises the caller may see."""
    return {"items": service.list_districts(engine, principal.scope)}


@router.get(
    "/enterprises", response_model=EnterpriseList, tags=["registry"], summary="企业 Enterprises"
)
def list_enterprises(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    district: Annotated[str | None, Query(description="Only this district")] = None,
) -> Any:
    """Registered enterprises the caller may see, by credit code."""
    return {"items": service.list_enterprises(engine, principal.scope, district=district)}


@router.get(
    "/enterprises/{credit_code}",
    response_model=EnterpriseDetail,
    tags=["registry"],
    summary="一企一档 One enterprise",
    responses={404: {"description": "No enterprise with this credit code"}},
)
def get_enterprise(credit_code: str, engine: Engine, principal: deps.CurrentPrincipal) -> Any:
    """One enterprise with its monitoring points and their devices.

    404 also when the caller may not see it, so its existence is not disclosed."""
    return service.get_enterprise(engine, principal.scope, credit_code)


@router.get(
    "/points", response_model=PointList, tags=["registry"], summary="监测点位 Monitoring points"
)
def list_points(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    enterprise: Annotated[
        str | None, Query(description="Only this enterprise's credit code")
    ] = None,
) -> Any:
    """Monitoring points the caller may see, with enterprise, district, kind, position and MN."""
    return {"items": service.list_points(engine, principal.scope, credit_code=enterprise)}


@router.get(
    "/frames",
    response_model=FrameList,
    tags=["gateway"],
    summary="数据帧 Raw HJ 212 frames",
    responses={401: {"description": "Not logged in"}, 403: {"description": "Not staff"}},
)
def list_frames(
    engine: Engine,
    principal: Annotated[Principal, Depends(deps.require_staff)],
    mn: Annotated[str | None, Query(description="Only frames of this MN")] = None,
    verdict: Annotated[Verdict | None, Query(description="accepted or rejected")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Any:
    """The newest raw frames first, with the verdict and the reason for a rejection.

    Supervisors and admins only; a district supervisor sees the frames of the
    district's devices."""
    frames = service.list_frames(engine, principal.scope, mn=mn, verdict=verdict, limit=limit)
    return {"items": frames}
