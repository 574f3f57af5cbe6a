"""REST under /api/v1/projects: the bureau runs the clock and the stages; a builder
(enterprise) reads and creates its own projects and submits them; thin over service."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.projects import service

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Bureau = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR))]
Builder = Annotated[
    Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]
ProjectId = Annotated[Id, Path(description="Project id")]


class OutletIn(BaseModel):
    code: str
    name: str
    kind: str = Field(description="flue_gas | wastewater")
    lon: float | None = None
    lat: float | None = None


class ProjectIn(BaseModel):
    name: str
    industry: str
    category: str = Field(description="report | form | registration | exempt")
    route: str = Field("normal", description="normal | pledge | exempt | green")
    lon: float
    lat: float
    enterprise: str | None = Field(None, description="Credit code of a registry enterprise")
    builder_name: str | None = Field(None, description="A builder not yet registered")
    credit_code: str | None = None
    district: str | None = Field(None, description="District, for a builder not registered")
    major: bool = False
    pilot_park: bool = False
    investment_wan_yuan: float | None = None
    polygon: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon")
    outlets: list[OutletIn] = Field(default_factory=list)


class TransitionIn(BaseModel):
    to: str = Field(description="The next stage")
    on_date: date
    reason: str


class PauseIn(BaseModel):
    kind: str = Field(description="hearing | expert_review")
    start: date
    reason: str


class ResumeIn(BaseModel):
    end: date = Field(description="The day the clock runs again")


class SamplingIn(BaseModel):
    outcome: str = Field(description="conforming | nonconforming")
    checked_on: date
    note: str = ""


def _today() -> date:
    return service.today()


def _one(engine: sa.Engine, principal: Principal, project_id: int) -> dict[str, Any]:
    found = service.project(engine, principal.scope, project_id)
    clock = service.clock_of(found, _today(), config.projects_settings(),
                             config.desk_settings().calendar)  # fmt: skip
    return service.project_dict(found, clock)


@router.get("", summary="建设项目环评审批进度 Projects with their approval clock")
def projects(
    engine: Engine,
    principal: Builder,
    stage: Annotated[str | None, Query(description="Only this stage")] = None,
    major: Annotated[bool | None, Query(description="Only major projects")] = None,
) -> list[dict[str, Any]]:
    today = _today()
    settings, calendar = config.projects_settings(), config.desk_settings().calendar
    return [
        service.project_dict(p, service.clock_of(p, today, settings, calendar))
        for p in service.projects(engine, principal.scope, stage=stage, major=major)
    ]


@router.post("", status_code=201, summary="登记建设项目 Register a project")
def create(engine: Engine, principal: Builder, body: ProjectIn) -> dict[str, Any]:
    data = body.model_dump()
    made = service.create_project(engine, principal.scope, data, actor=principal.username)
    return _one(engine, principal, made.id)


@router.get("/sampling", summary="告知承诺审批事后抽查 Pledge approvals to sample")
def sampling(
    engine: Engine,
    principal: Bureau,
    quarter: Annotated[str | None, Query(description="e.g. 2026Q4")] = None,
) -> list[dict[str, Any]]:
    return service.sampling_list(engine, principal.scope, quarter)


@router.post("/check", summary="检查审批时限并报警 Raise due and overdue alerts")
def check(engine: Engine, principal: Bureau) -> dict[str, Any]:
    return service.check_deadlines(engine, _today(), config.projects_settings(),
                                   config.desk_settings().calendar)  # fmt: skip


@router.get("/{project_id}", summary="项目详情 One project, its clock and history")
def one(engine: Engine, principal: Builder, project_id: ProjectId) -> dict[str, Any]:
    return {**_one(engine, principal, project_id),
            **service.history(engine, principal.scope, project_id)}  # fmt: skip


@router.post("/{project_id}/transitions", summary="办理阶段 Move to the next stage")
def transition(
    engine: Engine, principal: Builder, project_id: ProjectId, body: TransitionIn
) -> dict[str, Any]:
    service.transition(engine, principal.scope, project_id, body.to, on_date=body.on_date,
                       reason=body.reason, actor=principal.username)  # fmt: skip
    return _one(engine, principal, project_id)


@router.post("/{project_id}/pauses", summary="暂停计时 Pause for a hearing or expert review")
def pause(
    engine: Engine, principal: Bureau, project_id: ProjectId, body: PauseIn
) -> dict[str, Any]:
    service.pause(engine, principal.scope, project_id, body.kind, start=body.start,
                  reason=body.reason, actor=principal.username)  # fmt: skip
    return _one(engine, principal, project_id)


@router.post("/{project_id}/resume", summary="恢复计时 Resume the clock")
def resume(
    engine: Engine, principal: Bureau, project_id: ProjectId, body: ResumeIn
) -> dict[str, Any]:
    service.resume(engine, principal.scope, project_id, end=body.end, actor=principal.username)
    return _one(engine, principal, project_id)


@router.put("/{project_id}/sampling", summary="记录事后抽查结论 Record the sampling outcome")
def record_sampling(
    engine: Engine, principal: Bureau, project_id: ProjectId, body: SamplingIn
) -> dict[str, Any]:
    return service.record_sampling(engine, principal.scope, project_id, body.outcome,
                                   checked_on=body.checked_on, note=body.note,
                                   actor=principal.username)  # fmt: skip
