"""REST under /api/v1/trading: accounts, statements, trades and their steps, allocations,
verified emissions, surrenders, expiry, reversals, compliance positions and the market.

Reads follow the caller's scope: an enterprise its own accounts and the trades it is party
to, staff their extent (and the system accounts); the market's monthly aggregates (volume,
weighted price, no parties) are public, as exchanges publish them. Quantities and prices
are exact decimals given as strings. Thin: the use cases are in service and positions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from ecozone import config
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.trading import positions, service
from ecozone.trading.model import Account

router = APIRouter(prefix="/api/v1/trading", tags=["trading"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Staff = Annotated[Principal, Depends(deps.require_staff)]
Member = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR,
                                                         Role.ENTERPRISE))]  # fmt: skip
Enterprise = Annotated[Principal, Depends(deps.require_roles(Role.ENTERPRISE))]
MarketName = Literal["carbon", "discharge"]
Amount = Annotated[str, Field(description="exact decimal as text, e.g. \"250.5\"",
                              max_length=40)]  # fmt: skip


class OfferIn(BaseModel):
    seller_id: int = Field(description="the offering enterprise (yours)")
    buyer_credit_code: str = Field(max_length=18, description="统一社会信用代码 of the buyer")
    market: MarketName
    instrument: str | None = Field(None, max_length=16,
                                   description="carbon: CQEA; discharge: COD, NH3-N, SO2, NOx")
    vintage: int
    quantity: Amount
    price: Amount = Field(description="yuan per unit (tCO2e, or t/a of a right)")
    note: str = Field("", max_length=500)


class StepIn(BaseModel):
    note: str = Field("", max_length=500)


class AllocationIn(BaseModel):
    market: MarketName
    enterprise_id: int | None = Field(None, description="None: fund the market reserve")
    instrument: str | None = Field(None, max_length=16)
    vintage: int
    quantity: Amount
    reason: str = Field(max_length=500)
    from_reserve: bool = False


class PermitAllocationIn(BaseModel):
    enterprise_id: int
    vintage: int


class VerifiedIn(BaseModel):
    enterprise_id: int
    year: int
    emissions_t: Amount
    verifier: str = Field(max_length=200)
    verified_on: date


class SurrenderIn(BaseModel):
    enterprise_id: int
    year: int = Field(description="the compliance year surrendered for")
    vintage: int
    quantity: Amount
    reason: str = Field("", max_length=500)


class ReversalIn(BaseModel):
    reason: str = Field(max_length=500)


def account_out(a: Account) -> dict[str, Any]:
    return {"id": a.id, "market": a.market.value, "kind": a.kind.value,
            "enterprise_id": a.enterprise_id, "enterprise": a.enterprise,
            "instrument": a.instrument, "vintage": a.vintage,
            "expires_on": a.expires_on.isoformat() if a.expires_on else None,
            "balance": str(a.balance)}  # fmt: skip


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}


@router.get("/accounts", summary="账户与余额 Accounts and balances")
def accounts(
    engine: Engine, principal: Member,
    market: MarketName | None = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    system: Annotated[bool, Query(description="staff: the system accounts instead")] = False,
) -> list[dict[str, Any]]:  # fmt: skip
    if system and principal.scope.is_staff:
        return [account_out(a) for a in positions.system_accounts(engine, market)]
    found = positions.accounts(engine, principal.scope, market=market,
                               enterprise_id=enterprise_id)  # fmt: skip
    return [account_out(a) for a in found]


@router.get("/journal", summary="分录 Journal lines of enterprise accounts, newest first")
def journal(
    engine: Engine, principal: Member, market: MarketName | None = None,
    enterprise_id: Annotated[Id | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:  # fmt: skip
    found = positions.journal(engine, principal.scope, market=market,
                              enterprise_id=enterprise_id, limit=limit)  # fmt: skip
    return [_plain(r) for r in found]


@router.get("/trades", summary="交易 Trades the caller is party to (staff: their extent)")
def trades(
    engine: Engine, principal: Member, market: MarketName | None = None,
    state: Annotated[str | None, Query(max_length=12)] = None,
) -> list[dict[str, Any]]:  # fmt: skip
    found = positions.trades(engine, principal.scope, market=market,
                             states=[state] if state else None)  # fmt: skip
    return [_plain(r) for r in found]


@router.get("/trades/{trade_id}", summary="一笔交易 One trade")
def trade(engine: Engine, principal: Member, trade_id: Annotated[Id, Path()]) -> dict[str, Any]:
    return _plain(positions.trade(engine, principal.scope, trade_id))


@router.post("/trades", status_code=201, summary="卖方报价 The seller offers to a named buyer")
def offer(engine: Engine, principal: Enterprise, body: OfferIn) -> dict[str, Any]:
    trade_id = service.offer(engine, principal.scope, actor=principal.username,
                             **body.model_dump())  # fmt: skip
    return _plain(positions.trade(engine, principal.scope, trade_id))


@router.post("/trades/{trade_id}/{step}",
             summary="买方确认/拒绝，卖方撤回，监管审核/驳回 A step of a trade")  # fmt: skip
def trade_step(
    engine: Engine, principal: Member, trade_id: Annotated[Id, Path()],
    step: Literal["accept", "decline", "withdraw", "approve", "reject"], body: StepIn,
) -> dict[str, Any]:  # fmt: skip
    service.step(engine, principal.scope, trade_id, step, actor=principal.username,
                 note=body.note, settings=config.trading_settings())  # fmt: skip
    return _plain(positions.trade(engine, principal.scope, trade_id))


@router.post("/allocations", status_code=201, summary="配额分配 Allocate (staff)")
def allocate(engine: Engine, principal: Staff, body: AllocationIn) -> dict[str, Any]:
    txn_id = service.allocate(engine, principal.scope, actor=principal.username,
                              settings=config.trading_settings(),
                              **body.model_dump())  # fmt: skip
    return {"txn_id": txn_id}


@router.post("/allocations/permit", status_code=201,
             summary="按许可证分配排污权 Discharge rights from the permit (staff)")  # fmt: skip
def allocate_from_permit(
    engine: Engine, principal: Staff, body: PermitAllocationIn
) -> dict[str, Any]:
    txn_id = service.allocate_from_permit(
        engine, principal.scope, enterprise_id=body.enterprise_id, vintage=body.vintage,
        actor=principal.username, settings=config.trading_settings(),
    )  # fmt: skip
    return {"txn_id": txn_id}


@router.get("/verified", summary="核查排放量 Verified emissions")
def verified(engine: Engine, principal: Member) -> list[dict[str, Any]]:
    return [_plain(r) for r in positions.verified(engine, principal.scope)]


@router.put("/verified", summary="录入核查排放量 Enter verified emissions (staff)")
def record_verified(engine: Engine, principal: Staff, body: VerifiedIn) -> dict[str, Any]:
    return _plain(service.record_verified(engine, principal.scope, actor=principal.username,
                                          **body.model_dump()))  # fmt: skip


@router.post("/surrenders", status_code=201, summary="配额清缴 Surrender (staff)")
def surrender(engine: Engine, principal: Staff, body: SurrenderIn) -> dict[str, Any]:
    txn_id = service.surrender(engine, principal.scope, actor=principal.username,
                               settings=config.trading_settings(),
                               **body.model_dump())  # fmt: skip
    return {"txn_id": txn_id}


@router.post("/transactions/{txn_id}/reversal", status_code=201,
             summary="冲正 Reverse a transaction (staff)")  # fmt: skip
def reverse(
    engine: Engine, principal: Staff, txn_id: Annotated[Id, Path()], body: ReversalIn
) -> dict[str, Any]:
    return {"txn_id": service.reverse(engine, principal.scope, txn_id, reason=body.reason,
                                      actor=principal.username)}  # fmt: skip


@router.post("/expiry", summary="到期注销 Retire expired holdings (staff)")
def expire(engine: Engine, principal: Staff) -> dict[str, Any]:
    return {"txn_ids": service.expire(engine, principal.scope, actor=principal.username)}


@router.get("/positions/{enterprise_id}", summary="履约情况 An enterprise's compliance")
def position(
    engine: Engine, principal: Member, enterprise_id: Annotated[Id, Path()]
) -> dict[str, Any]:
    return positions.position_out(engine, principal.scope, enterprise_id,
                                  config.trading_settings())  # fmt: skip


@router.post("/compliance/check", summary="检查缺口并报警 Raise shortfalls as alerts (staff)")
def check(engine: Engine, principal: Staff) -> dict[str, Any]:
    del principal
    return {"alert_ids": sorted(positions.raise_shortfalls(engine, config.trading_settings()))}


@router.get("/market/{market}", summary="市场行情 Monthly volume and prices (public)")
def market(
    engine: Engine, market: MarketName,
    instrument: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:  # fmt: skip
    return positions.market_view(engine, market, instrument)
