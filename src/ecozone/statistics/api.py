"""REST under /api/v1/statistics: data transmission effectiveness, emissions against the
permitted amounts and exceedances of a month or a year, as JSON; thin shells over the
services (the pages and the CLI call the same ones).

Admins and supervisors read within their scope (a district supervisor the district's
points), an enterprise user its own enterprises; the public, coordinators and banks read no
statistic. An enterprise filter outside the scope answers 404 like a missing enterprise.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api import statuses
from ecozone.statistics import emissions_service, exceedances_service, transmission_service
from ecozone.statistics.transmission import parse_period
from ecozone.statistics.transmission_service import Filters
from ecozone.times import local_time, utc_now

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Reader = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR,
                                                         Role.ENTERPRISE))]  # fmt: skip
PeriodQ = Annotated[str, Query(description="A month YYYY-MM or a year YYYY (device time, CST)")]
DistrictQ = Annotated[str | None, Query(description="Only this district (its name)")]
EnterpriseQ = Annotated[str | None, Query(description="Only this enterprise (credit code)")]
RESPONSES = statuses.documented(400, 401, 403, 404)


@router.get("/transmission", summary="数据传输有效率 Transmission effectiveness",
            responses=RESPONSES)  # fmt: skip
def transmission(
    engine: Engine, principal: Reader, period: PeriodQ,
    district: DistrictQ = None, enterprise: EnterpriseQ = None,
) -> dict[str, Any]:  # fmt: skip
    """Hourly uploads expected, received and valid, with the transmission rate (received ÷
    expected), the effectiveness rate (valid ÷ received) and their product, per point,
    enterprise, district and month, and the points below the threshold."""
    report = transmission_service.compute(
        engine, principal.scope, parse_period(period), now_local=local_time(utc_now()),
        settings=transmission_service.current_settings(),
        monitoring=config.monitoring_settings(), filters=Filters(district, enterprise),
    )  # fmt: skip
    return transmission_service.as_dict(report)


@router.get("/emissions", summary="排放量统计 Emissions against permitted amounts",
            responses=RESPONSES)  # fmt: skip
def emissions(
    engine: Engine, principal: Reader, period: PeriodQ,
    district: DistrictQ = None, enterprise: EnterpriseQ = None,
) -> dict[str, Any]:  # fmt: skip
    """Emitted tonnes by enterprise, district, industry, month and outlet, each pollutant
    against its permitted annual amount, with the share used."""
    report = emissions_service.compute(
        engine, principal.scope, parse_period(period), filters=Filters(district, enterprise)
    )
    return emissions_service.as_dict(report)


@router.get("/exceedances", summary="超标统计 Exceedance events and hours",
            responses=RESPONSES)  # fmt: skip
def exceedances(
    engine: Engine, principal: Reader, period: PeriodQ,
    district: DistrictQ = None, enterprise: EnterpriseQ = None,
) -> dict[str, Any]:  # fmt: skip
    """Exceedance events, hours (hourly limits) and days (daily limits) by pollutant,
    enterprise, district, month and outlet."""
    report = exceedances_service.compute(
        engine, principal.scope, parse_period(period), now_local=local_time(utc_now()),
        filters=Filters(district, enterprise),
    )  # fmt: skip
    return exceedances_service.as_dict(report)
