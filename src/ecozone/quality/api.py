"""REST under /api/v1/quality: noise stations' day and night levels against their limits, the
night-construction approvals (read and register), construction sites (read and register),
dust exceedances, a site inspection, and the overflow events with their monthly statistics.

Staff only (admin and supervisors; a district supervisor reads and acts in the district).
Thin: the use cases are in noise, dust, sewer and service.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.quality import dust, noise, service, sewer

router = APIRouter(prefix="/api/v1/quality", tags=["quality"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Staff = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR))]


class ApprovalIn(BaseModel):
    site_id: int = Field(description="Construction site id")
    permit_no: str = Field(description="Number of the night-construction approval")
    first_day: date
    last_day: date
    start: str = Field(description="HH:MM each night")
    end: str = Field(description="HH:MM; at or before start: the next morning")
    reason: str = ""


class SiteIn(BaseModel):
    enterprise_id: int = Field(description="The builder's enterprise in the registry")
    code: str
    project: str
    builder: str = Field(description="施工单位")
    area_m2: float
    phase: str = Field(description="demolition, earthwork, foundation, structure, ...")


class InspectionIn(BaseModel):
    site_id: int
    inspected_on: date
    inspector: str
    met: list[str] = Field(description="Keys of the checklist items met; the rest are not")
    remarks: str = ""


@router.get("/noise", summary="噪声站昼夜等效声级 Day and night Leq of the noise stations")
def noise_levels(
    engine: Engine,
    principal: Staff,
    first: Annotated[date | None, Query(description="First day; default the newest")] = None,
    last: Annotated[date | None, Query(description="Last day; default first")] = None,
) -> list[dict[str, Any]]:
    """Each station, its limits (GB 3096-2008 zone or GB 12523-2011 boundary) and its days
    and nights: Leq, Lmax, ΔL, sudden noise."""
    settings = config.quality_settings()
    chosen = noise.stations(engine, principal.scope)
    start = first or noise.newest_day(engine, chosen)
    pairs = noise.day_night(engine, chosen, start, last or start, settings)
    return [
        {**noise.station_dict(s, settings), "periods": [noise.period_dict(p) for p in periods]}
        for s, periods in pairs
    ]


@router.get("/noise/approvals", summary="夜间施工许可 Night-construction approvals")
def approvals(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return [
        {"id": a.id, "site_id": a.site_id, "site": s.project, "permit_no": a.permit_no,
         "first_day": a.first_day.isoformat(), "last_day": a.last_day.isoformat(),
         "start": f"{a.start:%H:%M}", "end": f"{a.end:%H:%M}", "reason": a.reason}
        for a, s in noise.approvals(engine, principal.scope)
    ]  # fmt: skip


@router.post("/noise/approvals", status_code=201, summary="登记夜间施工许可 Register an approval")
def register_approval(engine: Engine, principal: Staff, body: ApprovalIn) -> dict[str, Any]:
    made = noise.register_approval(
        engine, principal.scope, site_id=body.site_id, permit_no=body.permit_no,
        first_day=body.first_day, last_day=body.last_day, start=body.start, end=body.end,
        reason=body.reason, actor=principal.username,
    )  # fmt: skip
    return {"id": made.id, "site_id": made.site_id, "permit_no": made.permit_no}


@router.get("/dust/sites", summary="工地 Construction sites")
def sites(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return [service.site_dict(s) for s in service.sites(engine, principal.scope)]


@router.post("/dust/sites", status_code=201, summary="登记工地 Register a construction site")
def register_site(engine: Engine, principal: Staff, body: SiteIn) -> dict[str, Any]:
    made = service.register_site(
        engine, principal.scope, enterprise_id=body.enterprise_id, code=body.code,
        project=body.project, builder=body.builder, area_m2=body.area_m2, phase=body.phase,
        actor=principal.username,
    )  # fmt: skip
    return service.site_dict(made)


@router.get("/dust/exceedances", summary="工地扬尘超标 Dust exceedances by day and rule")
def exceedances(
    engine: Engine,
    principal: Staff,
    first: Annotated[date | None, Query(description="First day; default the newest")] = None,
    last: Annotated[date | None, Query(description="Last day; default first")] = None,
) -> list[dict[str, Any]]:
    start = first or dust.newest_day(engine, principal.scope)
    return [
        dust.exceedance_dict(m, r, d)
        for m, r, d in dust.exceedances(engine, principal.scope, start, last or start)
    ]


@router.post("/dust/inspections", status_code=201, summary="扬尘检查 Record a site inspection")
def inspect(engine: Engine, principal: Staff, body: InspectionIn) -> dict[str, Any]:
    made = dust.record_inspection(
        engine, principal.scope, site_id=body.site_id, inspected_on=body.inspected_on,
        inspector=body.inspector, met=body.met, remarks=body.remarks, actor=principal.username,
    )  # fmt: skip
    return {**made, "inspected_on": made["inspected_on"].isoformat(),
            "created_at": made["created_at"].isoformat()}  # fmt: skip


@router.get("/overflows", summary="管网溢流事件与月度统计 Overflow events and monthly statistics")
def overflows(engine: Engine, principal: Staff) -> dict[str, Any]:
    return {
        "events": [sewer.event_dict(m, e) for m, e in sewer.events(engine, principal.scope)],
        "monthly": sewer.monthly(engine, principal.scope),
    }
