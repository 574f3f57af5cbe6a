"""REST for the enforcement loop under /api/v1/supervision: staff open triggers and read
the exemption check of a violation; staff and enterprises (their own, submitted) read
inspection records; anyone reads the inspection results and decisions marked public. Thin:
the same use cases as the pages.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ecozone.accounts.deps import require_roles
from ecozone.accounts.model import Principal, Role
from ecozone.supervision import inspection_reads as reads
from ecozone.supervision import inspections as ins
from ecozone.times import local_time, utc_now

router = APIRouter(prefix="/api/v1/supervision", tags=["supervision"])

Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
Reader = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


Engine = Annotated[sa.Engine, Depends(_engine)]


class TriggerIn(BaseModel):
    reason: str
    alert_id: int | None = Field(None, description="an unresolved alert: source alert or power")
    source: str | None = Field(None, description="without an alert: complaint | staff")
    credit_code: str | None = None
    reference: str | None = Field(None, description="a complaint's ticket number")


@router.post("/triggers", status_code=201, summary="触发现场检查 Call for an on-site check")
def post_trigger(engine: Engine, principal: Staff, body: TriggerIn) -> dict[str, Any]:
    return ins.open_trigger(engine, **body.model_dump(), actor=principal.username,
                            scope=principal.scope)  # fmt: skip


@router.get("/inspections", summary="现场检查记录 Inspection records")
def get_inspections(engine: Engine, principal: Reader) -> dict[str, Any]:
    today = local_time(utc_now()).date()
    return {"items": reads.desk(engine, principal.scope, today)["inspections"]}


@router.get("/inspections/{inspection_id}", summary="One inspection with files and violations")
def get_inspection(engine: Engine, principal: Reader, inspection_id: int) -> dict[str, Any]:
    found = reads.inspection_detail(engine, inspection_id, principal.scope,
                                    local_time(utc_now()).date())  # fmt: skip
    return {k: v for k, v in found.items() if k not in ("assignment",)}


@router.get("/violations/{violation_id}/suggestion", summary="免罚清单比对 Exemption check")
def get_suggestion(engine: Engine, principal: Staff, violation_id: int) -> dict[str, Any]:
    advice = ins.suggestion(engine, violation_id, principal.scope, local_time(utc_now()).date())
    listed = ins.exemption_list()
    return {**advice.to_dict(), "source": listed.source, "effective": listed.effective}


@router.get("/enforcement", summary="检查结果与处罚决定公开 Published results and decisions")
def get_public(engine: Engine) -> dict[str, Any]:
    return reads.public_results(engine)
