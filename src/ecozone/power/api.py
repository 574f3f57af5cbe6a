"""REST under /api/v1/power: linkage configuration, states and findings; thin.

Power data is supervision data, not disclosure: staff read every enterprise in their
scope and an enterprise its own; the public reads nothing (404). Configuration, which
sets the thresholds an enterprise is judged by, is written by staff only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts.deps import current_principal, require_roles
from ecozone.accounts.model import Principal, Role
from ecozone.power import evaluation, service, warnings
from ecozone.times import cst_naive, parse_time, utc_now

router = APIRouter(prefix="/api/v1/power", tags=["power"])

Viewer = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


Engine = Annotated[sa.Engine, Depends(_engine)]


@router.get("/enterprises", summary="用电监控企业 Enterprises with metered facilities")
def get_enterprises(engine: Engine, principal: Viewer) -> dict[str, Any]:
    return {"items": service.enterprises(engine, principal.scope)}


@router.get("/enterprises/{credit_code}", summary="One enterprise's facilities and meters")
def get_configuration(engine: Engine, principal: Viewer, credit_code: str) -> dict[str, Any]:
    return service.configuration(engine, credit_code, principal.scope)


@router.put("/enterprises/{credit_code}", summary="Replace an enterprise's configuration")
def put_configuration(
    engine: Engine,
    principal: Staff,
    credit_code: str,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, int]:
    doc = {**body, "enterprise": credit_code}
    return service.configure(engine, doc, actor=principal.username, scope=principal.scope)


@router.get("/enterprises/{credit_code}/evaluation", summary="States and findings A–E")
def get_evaluation(
    engine: Engine,
    principal: Viewer,
    credit_code: str,
    start: Annotated[str, Query(description="device time (CST), inclusive")],
    end: Annotated[str, Query(description="device time (CST), exclusive")],
) -> dict[str, Any]:
    result = evaluation.evaluate(
        engine,
        credit_code,
        parse_time(start, "start"),
        parse_time(end, "end"),
        scope=principal.scope,
        settings=config.power_settings(),
    )
    period: datetime = result.period_start
    return {
        "enterprise": result.enterprise["credit_code"],
        "findings": [evaluation.finding_out(f) for f in result.findings],
        "facilities": [
            {
                "code": t.facility.code,
                "name": t.facility.name,
                "role": t.facility.role.value,
                "reference_kw": t.thresholds.reference_kw,
                "off_kw": t.thresholds.off_kw,
                "low_kw": t.thresholds.low_kw,
                "states": [evaluation.run_out(r) for r in t.runs if r.end > period],
            }
            for t in result.timelines.values()
        ],
    }


class WarningIn(BaseModel):
    level: Literal["yellow", "orange", "red"]
    start: str = Field(description="device time (CST)")
    end: str = Field(description="device time (CST), exclusive")
    district: str | None = Field(None, description="a district's name; none: the whole zone")
    note: str | None = None


@router.get("/warnings", summary="重污染天气预警 Heavy-pollution warnings of the last 30 days")
def get_warnings(engine: Engine, principal: Staff) -> dict[str, Any]:
    since = cst_naive(utc_now()) - timedelta(days=30)
    return {"items": warnings.recent(engine, since=since)}


@router.post("/warnings", status_code=201, summary="Declare a heavy-pollution warning")
def post_warning(engine: Engine, principal: Staff, body: WarningIn) -> dict[str, Any]:
    return warnings.declare(
        engine,
        level=body.level,
        start=body.start,
        end=body.end,
        district_name=body.district,
        note=body.note,
        actor=principal.username,
        scope=principal.scope,
    )
