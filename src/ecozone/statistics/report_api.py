"""REST under /api/v1/statistics for the alert-handling and environmental-quality statistics
and the generated reports (list, generate, download). Thin: the pages' producers and
statistics.schedule_service; reads follow the caller's Scope, reports are the staff's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.errors import NotFound
from ecozone.statistics import alerts_report, environment_report, schedule, schedule_service
from ecozone.statistics.schedule import ReportError
from ecozone.times import local_time, utc_now
from ecozone.web.export import content_disposition

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Reader = Annotated[
    Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]
Staff = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR))]
PeriodQuery = Annotated[str | None, Query(description="YYYY-MM or YYYY; default this month")]


def _period(text: str | None) -> schedule.Period:
    today = local_time(utc_now()).date()
    return schedule.parse_period(text or f"{today:%Y-%m}")


@router.get("/alert-handling", summary="报警处置统计 Alert-handling statistics")
def alert_handling(engine: Engine, principal: Reader, period: PeriodQuery = None) -> dict:
    """Counts by state, type, district, enterprise and month; hours to dispatch and to close
    (median, P90, mean); overdue count and rate, of the alerts raised in the period."""
    chosen = _period(period)
    as_of = min(local_time(utc_now()).date(), chosen.end - timedelta(days=1))
    result = alerts_report.alert_statistics(engine, principal.scope, chosen, as_of)
    return {"period": chosen.label, "as_of": as_of.isoformat(), **alerts_report.as_dict(result)}


@router.get("/environment", summary="环境质量统计 Environmental-quality statistics")
def environment(engine: Engine, principal: Reader, period: PeriodQuery = None) -> dict:
    """Air: days by AQI level, good days and their share, pollutant means per zone, district,
    station and month; water: sections by GB 3838 class and meeting their target."""
    chosen = _period(period)
    air = environment_report.air_statistics(engine, principal.scope, chosen)
    water = environment_report.water_statistics(engine, principal.scope, chosen)
    return environment_report.as_dict(air, water, chosen)


def _report(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items() if k != "content"},
        "files": {
            f: f"/api/v1/statistics/reports/{row['id']}/{f}" for f in schedule_service.FORMATS
        },
    }


@router.get("/reports", summary="统计报告 Generated statistical reports")
def reports(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return [_report(r) for r in schedule_service.reports(engine, principal.scope)]


class ReportIn(BaseModel):
    kind: str = Field(description="a registered report kind: alert_handling, environment_quality")
    period: str = Field(description="a whole month YYYY-MM or year YYYY that is over")


@router.post("/reports", status_code=201, summary="Generate a report (once per period)")
def generate(engine: Engine, principal: Staff, body: ReportIn) -> JSONResponse:
    """Generated now (201), or the stored one when that period was generated already (200)."""
    chosen = schedule.parse_period(body.period)
    if chosen.end > local_time(utc_now()).date():
        raise ReportError(f"period {chosen.label} is not over yet; a report covers a whole one")
    district = principal.scope.district_id if not principal.scope.everything else None
    rid, fresh = schedule_service.generate(
        engine,
        body.kind,
        chosen,
        district_id=district,
        actor=principal.username,
        settings=config.statistics_report_settings(),
    )
    return JSONResponse({"id": rid, "generated": fresh}, status_code=201 if fresh else 200)


@router.get("/reports/{report_id}/{fmt}", summary="A generated report's xlsx or PDF")
def download(
    engine: Engine,
    principal: Staff,
    report_id: Annotated[Id, Path(description="Report id")],
    fmt: Annotated[Literal["xlsx", "pdf"], Path(description="xlsx or pdf")],
) -> Response:
    found = schedule_service.report_file(engine, principal.scope, report_id, fmt)
    if found is None:
        raise NotFound(f"no report {report_id}")
    return Response(
        bytes(found["content"]),
        media_type=schedule_service.MEDIA[fmt],
        headers={"Content-Disposition": content_disposition(f"{found['title']}.{fmt}")},
    )
