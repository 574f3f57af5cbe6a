"""REST: the registry as read-only lists (districts, enterprises, points) and recent raw frames.

Thin: each endpoint is one api.store read, scoped to what the caller may
see (ecozone.accounts.deps): the public reads disclosed enterprises, an
enterprise user its own, a district supervisor the district; raw frames
are for supervisors and admins. Lists come wrapped as {"items": [...]} so
paging can be added without breaking clients.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.api import store

router = APIRouter(prefix="/api/v1")

PointKind = Literal["flue_gas", "wastewater", "ambient_air", "surface_water"]
Verdict = Literal["accepted", "rejected"]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


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
def list_districts(
    engine: Annotated[sa.Engine, Depends(_engine)], principal: deps.CurrentPrincipal
) -> Any:
    """Districts of the zone with the number of their enterprises the caller may see."""
    visible = deps.visible_enterprise_ids(engine, principal)
    with engine.connect() as conn:
        return {"items": store.list_districts(conn, enterprise_ids=visible)}


@router.get(
    "/enterprises", response_model=EnterpriseList, tags=["registry"], summary="企业 Enterprises"
)
def list_enterprises(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
    district: Annotated[str | None, Query(description="Only this district")] = None,
) -> Any:
    """Registered enterprises the caller may see, by credit code."""
    visible = deps.visible_enterprise_ids(engine, principal)
    with engine.connect() as conn:
        items = store.list_enterprises(conn, district_name=district, enterprise_ids=visible)
    return {"items": items}


@router.get(
    "/enterprises/{credit_code}",
    response_model=EnterpriseDetail,
    tags=["registry"],
    summary="一企一档 One enterprise",
    responses={404: {"description": "No enterprise with this credit code"}},
)
def get_enterprise(
    credit_code: str,
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
) -> Any:
    """One enterprise with its monitoring points and their devices.

    404 also when the caller may not see it, so its existence is not disclosed."""
    deps.check_enterprise_access(engine, principal, credit_code)
    with engine.connect() as conn:
        found = store.get_enterprise(conn, credit_code)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no enterprise with credit code {credit_code}")
    return found


@router.get(
    "/points", response_model=PointList, tags=["registry"], summary="监测点位 Monitoring points"
)
def list_points(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: deps.CurrentPrincipal,
    enterprise: Annotated[
        str | None, Query(description="Only this enterprise's credit code")
    ] = None,
) -> Any:
    """Monitoring points the caller may see, with enterprise, district, kind, position and MN."""
    visible = deps.visible_enterprise_ids(engine, principal)
    with engine.connect() as conn:
        return {"items": store.list_points(conn, credit_code=enterprise, enterprise_ids=visible)}


@router.get(
    "/frames",
    response_model=FrameList,
    tags=["gateway"],
    summary="数据帧 Raw HJ 212 frames",
    responses={401: {"description": "Not logged in"}, 403: {"description": "Not staff"}},
)
def list_frames(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: Annotated[Principal, Depends(deps.require_staff)],
    mn: Annotated[str | None, Query(description="Only frames of this MN")] = None,
    verdict: Annotated[Verdict | None, Query(description="accepted or rejected")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> Any:
    """The newest raw frames first, with the verdict and the reason for a rejection.

    Supervisors and admins only; a district supervisor sees the frames of the
    district's devices."""
    mns = deps.visible_frame_mns(engine, principal)
    with engine.connect() as conn:
        frames = store.recent_frames(conn, mn=mn, verdict=verdict, limit=limit, mns=mns)
    for frame in frames:
        frame["data"] = escape_bytes(frame["data"])
    return {"items": frames}


_ESCAPES = {0x5C: "\\\\", 0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}


def escape_bytes(data: bytes) -> str:
    """Bytes as readable ASCII text: printable ASCII kept, `\\` `\\r` `\\n` `\\t` and
    every other byte written as an escape (\\xNN), so the text maps back to the bytes."""
    return "".join(
        _ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}")
        for byte in bytes(data)
    )
