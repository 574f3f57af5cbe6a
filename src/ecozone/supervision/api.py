"""REST under /api/v1/supervision: staff keep the pool, listings and campaigns and draw;
anyone reads the results and the draw record of a drawn campaign (一公开); thin.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts.deps import require_roles
from ecozone.accounts.model import Principal, Role
from ecozone.supervision import service

router = APIRouter(prefix="/api/v1/supervision", tags=["supervision"])

Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


Engine = Annotated[sa.Engine, Depends(_engine)]


class InspectorIn(BaseModel):
    name: str
    unit: str
    certificate_no: str
    district: str | None = None


class ConflictIn(BaseModel):
    credit_code: str
    reason: str


class ListingIn(BaseModel):
    credit_code: str
    kind: str = Field(description="positive | pledge | attention")
    reason: str
    valid_from: date
    valid_to: date | None = None


class CampaignIn(BaseModel):
    name: str
    period_start: date
    period_end: date
    quotas: dict[str, dict[str, float]] = Field(
        description='per category {"ratio": 0.05} or {"count": 3}'
    )
    district: str | None = None
    triggered: list[str] = Field(default_factory=list, description="credit codes")


@router.get("/targets", summary="抽查对象名录 Target lists")
def get_targets(
    engine: Engine,
    principal: Staff,
    day: Annotated[date | None, Query()] = None,
    district: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    on = day or date.today()
    return {"items": service.target_lists(engine, principal.scope, day=on, district=district)}


@router.get("/inspectors", summary="执法检查人员名录库 Inspector pool")
def get_inspectors(engine: Engine, principal: Staff) -> dict[str, Any]:
    return {"items": service.inspectors(engine, principal.scope)}


@router.post("/inspectors", status_code=201, summary="Add an inspector")
def post_inspector(engine: Engine, principal: Staff, body: InspectorIn) -> dict[str, Any]:
    return service.add_inspector(engine, **body.model_dump(), actor=principal.username,
                                 scope=principal.scope)  # fmt: skip


@router.post("/inspectors/{inspector_id}/conflicts", status_code=201, summary="Declare a conflict")
def post_conflict(
    engine: Engine, principal: Staff, inspector_id: int, body: ConflictIn
) -> dict[str, Any]:
    return service.declare_conflict(engine, inspector_id, credit_code=body.credit_code,
                                    reason=body.reason, actor=principal.username,
                                    scope=principal.scope)  # fmt: skip


@router.get("/listings", summary="正面清单、承诺免检、特殊监管对象 Listings")
def get_listings(engine: Engine, principal: Staff) -> dict[str, Any]:
    return {"items": service.listings(engine, principal.scope)}


@router.post("/listings", status_code=201, summary="Add a listing")
def post_listing(engine: Engine, principal: Staff, body: ListingIn) -> dict[str, Any]:
    return service.add_listing(engine, **body.model_dump(), actor=principal.username,
                               scope=principal.scope)  # fmt: skip


@router.get("/campaigns", summary="抽查计划 Campaigns")
def get_campaigns(engine: Engine, principal: Staff) -> dict[str, Any]:
    return {"items": [_brief(c) for c in service.campaigns(engine, principal.scope)]}


@router.post("/campaigns", status_code=201, summary="Create a campaign: inputs and commitment")
def post_campaign(engine: Engine, principal: Staff, body: CampaignIn) -> dict[str, Any]:
    return service.create_campaign(
        engine, **body.model_dump(), settings=config.supervision_settings(),
        actor=principal.username, scope=principal.scope,
    )  # fmt: skip


@router.get("/campaigns/{campaign_id}", summary="One campaign with its inputs")
def get_campaign(engine: Engine, principal: Staff, campaign_id: int) -> dict[str, Any]:
    return service.campaign(engine, campaign_id, principal.scope)


@router.post("/campaigns/{campaign_id}/draw", summary="Draw the campaign (once)")
def post_draw(engine: Engine, principal: Staff, campaign_id: int) -> dict[str, Any]:
    return service.draw_campaign(engine, campaign_id, actor=principal.username,
                                 scope=principal.scope)  # fmt: skip


@router.get("/campaigns/{campaign_id}/record", summary="Draw record (JSON) of a drawn campaign")
def get_record(engine: Engine, campaign_id: int) -> dict[str, Any]:
    return service.public_record(engine, campaign_id)


@router.get("/results", summary="抽查结果公开 Drawn campaigns' results (public)")
def get_results(engine: Engine) -> dict[str, Any]:
    return {"items": service.public_results(engine)}


def _brief(c: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "district", "period_start", "period_end", "state", "commitment",
            "inputs_sha256", "created_by", "drawn_at")  # fmt: skip
    return {k: c.get(k) for k in keys}
