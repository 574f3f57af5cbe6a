"""REST routes of zoning and risk under /api/v1/zoning: layers (list, import, GeoJSON), the
location check, red-line integrity, the soil list and its status steps, risk sources,
emergency plans and the incident log. Staff (admins and supervisors) only; thin over the use
cases (service, soil, emergency).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.zoning import emergency, service, soil

router = APIRouter(prefix="/api/v1/zoning", tags=["zoning"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Staff = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR))]


class SiteIn(BaseModel):
    code: str
    name: str
    owner: str = Field(description="土地使用权人 Holder of the land-use right")
    area_m2: float
    pollutants: list[str]
    land_use: str
    listed_on: date
    district: str | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None


class StatusIn(BaseModel):
    status: str = Field(description="under_control, remediation or removed")
    on_date: date
    note: str = ""


class IncidentIn(BaseModel):
    started_at: str = Field(description="Start, China Standard Time: 2026-12-01T08:30")
    kind: str
    location: str
    lon: float | None = None
    lat: float | None = None
    risk_source_id: int | None = None
    alert_id: int | None = None


@router.get("/layers", summary="图层版本 Layer versions with their areas")
def layers(
    engine: Engine, principal: Staff,
    kind: Annotated[str | None, Query(description="red_line, control_unit, park, shoreline")]
    = None,
) -> list[dict[str, Any]]:  # fmt: skip
    return service.versions(engine, kind)


@router.post("/layers", status_code=201, summary="导入图层 Import a layer version")
def import_layer(
    engine: Engine, principal: Staff,
    file: Annotated[UploadFile, File(description=".geojson/.json, or .zip of a Shapefile")],
    kind: Annotated[str, Form(description="red_line, control_unit, park, shoreline")],
    valid_from: Annotated[str, Form(description="YYYY-MM-DD: the version is in force from")],
) -> dict[str, Any]:  # fmt: skip
    content = file.file.read()  # a plain route: the import runs off the event loop
    return service.import_upload(engine, file.filename or "layer", content, kind, valid_from,
                                 actor=principal.username)  # fmt: skip


@router.get("/layers/{kind}.geojson", summary="图层 A layer in force on a date, as GeoJSON")
def layer_geojson(
    engine: Engine, principal: Staff,
    kind: Annotated[str, Path(description="red_line, control_unit, park, shoreline")],
    on: Annotated[date | None, Query(alias="date", description="Default: today (CST)")] = None,
) -> dict[str, Any]:  # fmt: skip
    return service.layer_geojson(engine, kind, on or emergency.today_cst())


@router.get("/check", summary="选址核查 What the layers say of a point and an industry")
def check(
    engine: Engine, principal: Staff,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    industry: Annotated[str, Query(min_length=1, max_length=100)],
    on: Annotated[date | None, Query(alias="date", description="Default: today (CST)")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Inside the ecological red line (boundary included) and which polygon; the control
    units holding the point and what their access lists say for the industry, with the
    rule text and conditions; the parks; the layer versions in force on the date."""
    found = service.check(engine, lon, lat, industry, on or emergency.today_cst())
    return service.check_dict(found)


@router.get("/red-line", summary="生态保护红线面积与变化 Red-line area by version and changes")
def red_line(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return service.red_line_integrity(engine)


@router.get("/soil-sites", summary="建设用地土壤污染风险管控和修复名录 The soil list")
def soil_sites(
    engine: Engine, principal: Staff, status: Annotated[str | None, Query()] = None
) -> list[dict[str, Any]]:
    return soil.sites(engine, principal.scope, status)


@router.post("/soil-sites", status_code=201, summary="列入名录 List a site")
def list_site(engine: Engine, principal: Staff, body: SiteIn) -> dict[str, Any]:
    return soil.list_site(engine, **body.model_dump(), actor=principal.username)


@router.get("/soil-sites/{site_id}", summary="地块 A site with its history")
def soil_site(engine: Engine, principal: Staff, site_id: Annotated[Id, Path()]) -> dict[str, Any]:
    return soil.site(engine, principal.scope, site_id)


@router.post("/soil-sites/{site_id}/status", summary="地块状态变更 Move a site's status")
def move_status(
    engine: Engine, principal: Staff, site_id: Annotated[Id, Path()], body: StatusIn
) -> dict[str, Any]:
    return soil.move_status(engine, principal.scope, site_id, body.status, body.on_date,
                            body.note, actor=principal.username)  # fmt: skip


@router.get("/risk-sources", summary="环境风险源 Risk sources")
def risk_sources(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return emergency.risk_sources(engine)


@router.get("/emergency-plans", summary="应急预案 Filed plans with their review state")
def plans(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return emergency.plans(engine, emergency.today_cst(), config.emergency_settings())


@router.get("/incidents", summary="突发环境事件 The incident log")
def incidents(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return emergency.incidents(engine)


@router.post("/incidents", status_code=201, summary="登记事件 Log an incident")
def open_incident(engine: Engine, principal: Staff, body: IncidentIn) -> dict[str, Any]:
    return emergency.open_incident(engine, **body.model_dump(), actor=principal.username)
