"""REST under /api/v1/finance: the green-finance feed for banks (长江绿融通, plan item 20),
authenticated, read-only: per enterprise its credit level, penalties and exceedance
statistics. Bank users and admins; everyone else 401/403. Thin: see supervision.finance.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path

from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.supervision import finance
from ecozone.times import CHINA_STANDARD_TIME, utc_now

router = APIRouter(prefix="/api/v1/finance", tags=["finance"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Reader = Annotated[Principal, Depends(deps.require_roles(Role.BANK, Role.ADMIN))]


def _today() -> date:
    return utc_now().astimezone(CHINA_STANDARD_TIME).date()


@router.get("/enterprises", summary="绿色金融：企业环境信用与合规 Credit and compliance feed")
def enterprises(engine: Engine, principal: Reader) -> list[dict[str, Any]]:
    """Every enterprise: newest credit level under each scheme, penalty decisions and
    exceedance alerts per year over the last three calendar years."""
    return finance.feed(engine, today=_today())


@router.get("/enterprises/{credit_code}", summary="绿色金融：单个企业 One enterprise")
def enterprise(
    engine: Engine,
    principal: Reader,
    credit_code: Annotated[str, Path(description="统一社会信用代码", max_length=18)],
) -> dict[str, Any]:
    return finance.feed(engine, today=_today(), credit_code=credit_code)[0]
