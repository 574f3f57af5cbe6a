"""REST under /api/v1/waterquality: each section's GB 3838-2002 class for a month or a period,
a section's monthly and annual classes, and (admin) a section's water body and target class.

Reads follow the caller's scope: staff and enterprises their sections, the anonymous public
the sections of disclosing institutions (a public station's class is public information);
another's section answers 404 like a missing one. Thin: the use cases are in service.
"""

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
from ecozone.waterquality import service

router = APIRouter(prefix="/api/v1/waterquality", tags=["waterquality"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Admin = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN))]


class SectionIn(BaseModel):
    body: str = Field(description="river, or lake (lakes and reservoirs)")
    target_class: str = Field(description="I-V (or 1-5): the class the section is to meet")


@router.get("/sections", summary="地表水断面水质类别 Class of every section for a month or period")
def sections(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    month: Annotated[
        str | None, Query(description="YYYY-MM; default: newest month with data")
    ] = None,
    start: Annotated[date | None, Query(description="First day of a period (with end)")] = None,
    end: Annotated[date | None, Query(description="Day after the period (exclusive)")] = None,
) -> list[dict[str, Any]]:
    """Each section's class (worst parameter), each parameter's class and those over the
    target with their exceedance multiple, from the mean of the valid daily means."""
    chosen = service.sections(engine, principal.scope)
    first, following, label = service.period(engine, chosen, month, start, end)
    pairs = service.evaluate_period(
        engine, chosen, first, following, config.waterquality_settings()
    )
    return service.evaluation_rows(pairs, label)


@router.get("/sections/{point_id}", summary="断面逐月水质类别 A section's monthly and annual class")
def section_months(
    engine: Engine,
    principal: deps.CurrentPrincipal,
    point_id: Annotated[Id, Path(description="Point id of the surface-water station")],
    year: Annotated[int | None, Query(description="Year; default: the current one")] = None,
) -> dict[str, Any]:
    chosen = [service.section(engine, principal.scope, point_id)]
    the_year = year or service.month_of(engine, chosen).year
    return service.monthly(
        engine, principal.scope, point_id, the_year, config.waterquality_settings()
    )


@router.put("/sections/{point_id}", summary="设置断面水体类型与目标类别 Configure a section")
def configure(
    engine: Engine,
    principal: Admin,
    point_id: Annotated[Id, Path(description="Point id of a surface_water point")],
    body: SectionIn,
) -> dict[str, Any]:
    made = service.configure_section(
        engine, point_id, body.body, body.target_class, actor=principal.username
    )
    return service.section_dict(made)
