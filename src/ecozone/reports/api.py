"""REST: GET /api/v1/reports/annual/{credit_code}/{year}.{fmt}, a thin shell over service.

The format is the path's suffix (html, pdf or xlsx), so a link names the file it
downloads; the response carries that file name in Content-Disposition. Who may
read a report is who may read the enterprise (accounts: its own users, its
district's supervisors, staff, and the public for a disclosed enterprise);
anyone else gets the 404 of an unknown credit code. The report is built and
rendered in FastAPI's thread pool: PDF printing takes a second or more and must
not hold up the event loop.
"""

from __future__ import annotations

from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response

from ecozone.accounts.deps import CurrentPrincipal, check_enterprise_access
from ecozone.api.params import Id
from ecozone.reports import service
from ecozone.reports.model import MEDIA_TYPES, EnterpriseNotFound, ReportError

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Format = Literal["html", "pdf", "xlsx"]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


@router.get(
    "/annual/{credit_code}/{year}.{fmt}",
    summary="年度自行监测报告 Annual self-monitoring report",
    response_class=Response,
    responses={
        200: {
            "content": {media: {} for media in MEDIA_TYPES.values()},
            "description": "The report as HTML, PDF or xlsx",
        },
        404: {"description": "No enterprise with this credit code that the caller may read"},
        422: {"description": "Year out of range, or an unknown format"},
    },
)
def annual_report(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: CurrentPrincipal,
    credit_code: Annotated[str, Path(description="Unified social credit code, 18 characters")],
    year: Annotated[Id, Path(description="Calendar year, e.g. 2024")],
    fmt: Annotated[Format, Path(description="html, pdf or xlsx")],
) -> Response:
    """Per outlet and pollutant: monitoring method, capture rate, valid hours, mean and
    maximum of the valid hourly values, exceedance events, emissions against the annual
    cap, and gaps by data flag and by declaration; a summary page first."""
    check_enterprise_access(engine, principal, credit_code)
    try:
        report = service.build_annual_report(engine, credit_code, year)
    except EnterpriseNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except ReportError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    body = service.render_as(report, fmt)
    disposition = "attachment" if fmt == "xlsx" else "inline"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="{report.filename_stem}.{fmt}"'},
    )
