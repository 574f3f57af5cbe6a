"""REST: the registry as read-only lists (districts, enterprises, points) and recent raw frames.

Thin: each endpoint is one registry.service call with the caller's Scope
(accounts), which the store turns into SQL: the public reads disclosed
enterprises, an enterprise user its own, a district supervisor the district;
raw frames are for supervisors and admins. Another enterprise's record
answers 404 exactly like a missing one. Lists come wrapped as
{"items": [...]} so paging can be added without breaking clients. Device secrets and
onboarding are the admin's: rotate a device's password, list the loggers that announced
themselves (HJ 212-2025 CN 1001) and approve them; the use cases audit what they change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.registry import onboarding, service
from ecozone.registry.model import POINT_KINDS, RegistryError
from ecozone.registry.service import set_device_password

router = APIRouter(prefix="/api/v1")
Admin = Annotated[Principal, Depends(deps.require_admin)]

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


# --- device secrets and onboarding (admin) ----------------------------------------------


class PasswordChange(BaseModel):
    password: str = Field(min_length=1, max_length=32, description="New HJ 212 access password")


class PendingDeviceOut(BaseModel):
    logger_sn: str = Field(description="Logger serial (i23005-Info of CN 1001)")
    cpu_id: str | None
    mac1: str | None
    mac2: str | None
    sent_mn: str | None = Field(description="The MN the logger's CN 1001 carried")
    st: str
    peer: str
    first_seen_at: datetime
    last_seen_at: datetime
    status: str = Field(description="pending, approved (MN assigned) or assigned (MN sent)")
    assigned_mn: str | None
    approved_by: str | None


class Approval(BaseModel):
    credit_code: str = Field(description="Enterprise of the point the logger serves")
    point_code: str = Field(description="Outlet code of that point, e.g. DA001")
    mn: str | None = Field(None, description="MN to assign; default: derived from the hardware")
    st: str | None = Field(None, description="System code; default: the one the logger sent")
    lenient: bool = False


def _refused(exc: RegistryError) -> HTTPException:
    status = 404 if any(e.startswith("no ") for e in exc.errors) else 422
    return HTTPException(status_code=status, detail=str(exc))


@router.post(
    "/devices/{mn}/password",
    status_code=204,
    summary="轮换设备密码 Rotate a device's password",
    responses={404: {"description": "No such device"}, 422: {"description": "Bad password"}},
)
def rotate_password(mn: str, body: PasswordChange, admin: Admin, engine: Engine) -> Response:
    """Store a new access password for the device (sealed at rest); audited."""
    try:
        set_device_password(engine, mn, body.password, actor=admin.username)
    except RegistryError as exc:
        raise _refused(exc) from None
    return Response(status_code=204)


@router.get(
    "/devices/pending",
    response_model=list[PendingDeviceOut],
    summary="待接入设备 Loggers awaiting approval",
)
def pending_devices(_admin: Admin, engine: Engine) -> Any:
    return [p.__dict__ for p in onboarding.list_pending(engine)]


@router.post(
    "/devices/pending/{logger_sn}/approve",
    response_model=PendingDeviceOut,
    summary="批准接入 Approve a logger onto a point",
    responses={404: {"description": "No such logger or point"},
               422: {"description": "Already approved, point taken or bad MN"}},
)  # fmt: skip
def approve_device(logger_sn: str, body: Approval, admin: Admin, engine: Engine) -> Any:
    """Register the logger as the point's device; its MN goes out with CN 1002."""
    try:
        pending = onboarding.approve(
            engine, logger_sn, credit_code=body.credit_code, point_code=body.point_code,
            actor=admin.username, mn=body.mn, st=body.st, lenient=body.lenient,
        )  # fmt: skip
    except RegistryError as exc:
        raise _refused(exc) from None
    return pending.__dict__
