"""REST under /api/v1/waste: the list edition in force on a day and the code check (open),
handlers (staff read and register), an enterprise's waste file (stock by code and age,
balance, ledger) and its ledger records and storage facilities.

Waste is an enterprise's own business: staff read their scope, an enterprise its own, the
public and coordinators nothing; another's enterprise answers 404 like a missing one.
Records are written by the enterprise itself (or an admin). Thin: the use cases are in service.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from ecozone import config, times
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.waste import service

router = APIRouter(prefix="/api/v1/waste", tags=["waste"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Staff = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR))]
Readers = Annotated[
    Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR, Role.ENTERPRISE))
]
Declarers = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.ENTERPRISE))]
CreditCode = Annotated[str, Path(description="统一社会信用代码 of the generator")]


def _today() -> date:
    return times.cst_naive(times.utc_now()).date()


class HandlerIn(BaseModel):
    name: str
    kind: str = Field(description="collector, transporter or disposer")
    licence_no: str = Field(description="危险废物经营许可证编号")
    codes: list[str] = Field(description="Licensed codes (NNN-NNN-NN) or categories (HWxx)")
    capacity_t: float = Field(description="Licensed tonnes a year")
    valid_from: date
    valid_to: date


class EntryIn(BaseModel):
    kind: str = Field(description="generated, stored_in, stored_out, utilised, disposed, "
                      "transferred")  # fmt: skip
    at: str = Field(description="ISO 8601 time, China Standard Time without an offset")
    code: str = Field(description="Waste code NNN-NNN-NN of the edition in force then")
    quantity_t: float
    name: str | None = Field(None, description="Checked against the list when given")
    facility: str | None = Field(None, description="Storage facility code (into/out of storage)")
    handler_id: int | None = Field(None, description="Receiver (transfers)")
    batch: str | None = None
    container: str | None = None


class FacilityIn(BaseModel):
    code: str
    name: str
    kind: str = Field(description="store, yard, pool, tank or spot (GB 18597-2023)")
    capacity_t: float


@router.get("/list", summary="危险废物名录 The list edition in force on a day")
def list_edition(
    day: Annotated[date | None, Query(description="Default: today (CST)")] = None,
) -> dict[str, Any]:
    return service.list_entries(day or _today())


@router.get("/check", summary="废物代码核对 Check a code and name against the list")
def check(
    code: Annotated[str, Query(description="NNN-NNN-NN")],
    name: Annotated[str | None, Query(description="Name to check")] = None,
    day: Annotated[date | None, Query(description="Record date; default today")] = None,
) -> dict[str, Any]:
    return service.check_code(code, name, day or _today())


@router.get("/handlers", summary="收集、运输、利用处置单位 Handlers and their licences")
def handlers(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return service.handlers(engine)


@router.post("/handlers", status_code=201, summary="登记经营单位 Register a handler")
def add_handler(engine: Engine, principal: Staff, body: HandlerIn) -> dict[str, Any]:
    return service.add_handler(engine, **body.model_dump(), actor=principal.username)


@router.get("/enterprises/{credit_code}", summary="企业危废档案 An enterprise's waste file")
def waste_file(
    engine: Engine,
    principal: Readers,
    credit_code: CreditCode,
    day: Annotated[date | None, Query(description="Stock at the end of this day")] = None,
) -> dict[str, Any]:
    found = service.waste_file(engine, credit_code, principal.scope, day or _today(),
                               config.waste_settings())  # fmt: skip
    return found


@router.post("/enterprises/{credit_code}/entries", status_code=201,
             summary="台账记录 Add a ledger record")  # fmt: skip
def add_entry(
    engine: Engine, principal: Declarers, credit_code: CreditCode, body: EntryIn
) -> dict[str, Any]:
    return service.record(engine, credit_code, **body.model_dump(), actor=principal.username,
                          scope=principal.scope)  # fmt: skip


@router.post("/enterprises/{credit_code}/facilities", status_code=201,
             summary="贮存设施 Add a storage facility")  # fmt: skip
def add_facility(
    engine: Engine, principal: Declarers, credit_code: CreditCode, body: FacilityIn
) -> dict[str, Any]:
    return service.add_facility(engine, credit_code, **body.model_dump(),
                                actor=principal.username, scope=principal.scope)  # fmt: skip
