"""REST under /api/v1/disclosure: the list of enterprises that must disclose with their
deadlines (staff and enterprises, in scope), and the published reports (anyone, no login).
Thin: the use cases are in disclosure.service.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query

from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.disclosure import service
from ecozone.times import cst_naive, utc_now

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Reader = Annotated[
    Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]


@router.get("/obligations", summary="应依法披露企业名单与截止日期 Who must disclose, deadlines")
def obligations(
    engine: Engine,
    principal: Reader,
    year: Annotated[int, Query(ge=2022, le=9999, description="The year reported on")],
) -> list[dict[str, Any]]:
    return service.obligations(engine, principal.scope, year, today=cst_naive(utc_now()).date())


@router.get("/reports", summary="已发布的披露报告 Published disclosure reports")
def published(engine: Engine) -> list[dict[str, Any]]:
    return service.public_reports(engine)


@router.get("/reports/{report_id}", summary="一份已发布的披露报告 One published report")
def published_one(
    engine: Engine, report_id: Annotated[Id, Path(description="Report id")]
) -> dict[str, Any]:
    return service.public_report(engine, report_id)
