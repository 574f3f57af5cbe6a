"""REST for device secrets and onboarding (admin only): rotate a device's password, list
the loggers that announced themselves (HJ 212-2025 CN 1001) and approve them. Thin: each
route calls registry.service or registry.onboarding, which audit what they change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field

from ecozone.accounts import deps
from ecozone.accounts.model import Principal
from ecozone.registry import onboarding
from ecozone.registry.model import RegistryError
from ecozone.registry.service import set_device_password

router = APIRouter(prefix="/api/v1", tags=["registry"])
Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Admin = Annotated[Principal, Depends(deps.require_admin)]


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
