"""REST under /api/v1/waste: the list edition in force on a day and the code check (open),
handlers (staff read and register), an enterprise's waste file (stock by code and age,
balance, ledger) and its ledger records and storage facilities; its declarations (HJ
1259-2022: the register with filters, one filed declaration, filing); transfer manifests and
their carrier leg (the declared route, the vehicle's GPS track sent in batches, the findings).

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
from ecozone.api.params import Id
from ecozone.waste import collection, declarations, legs, manifests, service

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


# --- declarations (HJ 1259-2022) -------------------------------------------------------------


class DeclarationIn(BaseModel):
    period: str = Field(description="monthly, quarterly or annual")
    label: str = Field(description="2025 (annual), 2025-Q1 (quarterly) or 2025-01 (monthly)")


@router.get("/enterprises/{credit_code}/declarations",
            summary="申报登记 Declarations filed and periods owed")  # fmt: skip
def declaration_register(
    engine: Engine,
    principal: Readers,
    credit_code: CreditCode,
    period: Annotated[str | None, Query(description="monthly, quarterly or annual")] = None,
    state: Annotated[str | None, Query(description="filed, open, due or late")] = None,
    year: Annotated[int | None, Query(description="Periods starting in this year")] = None,
    day: Annotated[date | None, Query(description="States as on this day; default today")] = None,
) -> dict[str, Any]:
    return declarations.register(engine, credit_code, principal.scope, day or _today(),
                                 config.waste_settings(), period=period, state=state,
                                 year=year)  # fmt: skip


@router.get("/enterprises/{credit_code}/declarations/{declaration_id}",
            summary="一份申报 One filed declaration")  # fmt: skip
def declaration_one(
    engine: Engine, principal: Readers, credit_code: CreditCode, declaration_id: Id
) -> dict[str, Any]:
    return declarations.filed_one(engine, credit_code, declaration_id, principal.scope)


@router.post("/enterprises/{credit_code}/declarations", status_code=201,
             summary="提交申报 File a period's declaration (immutable)")  # fmt: skip
def declaration_file(
    engine: Engine, principal: Declarers, credit_code: CreditCode, body: DeclarationIn
) -> dict[str, Any]:
    return declarations.file(engine, credit_code, body.period, body.label,
                             actor=principal.username, settings=config.waste_settings(),
                             scope=principal.scope)  # fmt: skip


# --- transfer manifests (order 23) -------------------------------------------------------------


STATES = "drafted, dispatched, in_transit, received, utilised or disposed"


class ManifestIn(BaseModel):
    handler_id: int = Field(description="Receiver (a licensed collector or disposer)")
    code: str = Field(description="Waste code NNN-NNN-NN")
    quantity_t: float
    facility: str | None = Field(None, description="Storage facility the waste leaves")
    carrier_id: int | None = Field(None, description="Transporter")
    packaging: str | None = None


class DispatchIn(BaseModel):
    vehicle_plate: str
    driver: str
    route: str | None = None


class ReceiveIn(BaseModel):
    received_t: float
    arrived_at: str | None = Field(None, description="Arrival, CST; default now")
    difference_note: str | None = Field(None, description="Required for a major difference")


class CompleteIn(BaseModel):
    method: str = Field(description="utilised or disposed")


@router.get("/manifests", summary="转移联单 Manifests sent or received in the scope")
def manifest_list(
    engine: Engine,
    principal: Readers,
    state: Annotated[str | None, Query(description=STATES)] = None,
) -> list[dict[str, Any]]:
    return manifests.manifests(engine, principal.scope, state)


@router.get("/manifests/{manifest_id}", summary="一张转移联单 One manifest")
def manifest_one(engine: Engine, principal: Readers, manifest_id: Id) -> dict[str, Any]:
    return manifests.manifest(engine, manifest_id, principal.scope)


@router.post("/enterprises/{credit_code}/manifests", status_code=201,
             summary="填写转移联单 Draft a manifest")  # fmt: skip
def manifest_draft(
    engine: Engine, principal: Declarers, credit_code: CreditCode, body: ManifestIn
) -> dict[str, Any]:
    return manifests.draft(engine, credit_code, **body.model_dump(),
                           settings=config.waste_settings(), actor=principal.username,
                           scope=principal.scope)  # fmt: skip


def _act(engine: sa.Engine, principal: Principal, manifest_id: int, action: str,
         **values: Any) -> dict[str, Any]:  # fmt: skip
    return manifests.act(engine, manifest_id, action, settings=config.waste_settings(),
                         calendar=config.desk_settings().calendar, actor=principal.username,
                         scope=principal.scope, **values)  # fmt: skip


@router.post("/manifests/{manifest_id}/dispatch", summary="运行 Dispatch (consignor)")
def manifest_dispatch(
    engine: Engine, principal: Declarers, manifest_id: Id, body: DispatchIn
) -> dict[str, Any]:
    return _act(engine, principal, manifest_id, "dispatch", **body.model_dump())


@router.post("/manifests/{manifest_id}/transit", summary="交付承运人 Hand to the carrier")
def manifest_transit(engine: Engine, principal: Declarers, manifest_id: Id) -> dict[str, Any]:
    return _act(engine, principal, manifest_id, "transit")


@router.post("/manifests/{manifest_id}/receive", summary="确认接收 Confirm receipt (receiver)")
def manifest_receive(
    engine: Engine, principal: Declarers, manifest_id: Id, body: ReceiveIn
) -> dict[str, Any]:
    return _act(engine, principal, manifest_id, "receive", **body.model_dump())


@router.post("/manifests/{manifest_id}/complete", summary="利用处置 Utilised or disposed")
def manifest_complete(
    engine: Engine, principal: Declarers, manifest_id: Id, body: CompleteIn
) -> dict[str, Any]:
    return _act(engine, principal, manifest_id, "complete", method=body.method)


class RouteIn(BaseModel):
    waypoints: list[list[float]] = Field(
        description="The declared route, [[lon, lat], ...] WGS-84, from consignor to receiver")


class TrackPointIn(BaseModel):
    at: str = Field(description="ISO 8601; no offset means China Standard Time")
    lon: float
    lat: float
    speed_kmh: float | None = None


class TrackIn(BaseModel):
    points: list[TrackPointIn]


@router.get("/manifests/{manifest_id}/leg",
            summary="承运路线与轨迹 The carrier leg: route, track, findings")  # fmt: skip
def manifest_leg(engine: Engine, principal: Readers, manifest_id: Id) -> dict[str, Any]:
    return legs.leg(engine, manifest_id, principal.scope, config.waste_settings())


@router.put("/manifests/{manifest_id}/route",
            summary="申报运输路线 Declare the route (consignor, carrier, staff)")  # fmt: skip
def manifest_route(
    engine: Engine, principal: Readers, manifest_id: Id, body: RouteIn
) -> dict[str, Any]:
    return legs.set_route(engine, manifest_id, body.waypoints, actor=principal.username,
                          scope=principal.scope)  # fmt: skip


@router.post("/manifests/{manifest_id}/track",
             summary="上传车辆轨迹 Send GPS track points (idempotent by time)")  # fmt: skip
def manifest_track(
    engine: Engine, principal: Readers, manifest_id: Id, body: TrackIn
) -> dict[str, Any]:
    return legs.add_points(engine, manifest_id, [p.model_dump() for p in body.points],
                           actor=principal.username, scope=principal.scope)  # fmt: skip


# --- collection points (plan item 18) ------------------------------------------------------------


class RunLine(BaseModel):
    credit_code: str = Field(description="The client enterprise (consignor)")
    code: str = Field(description="Waste code NNN-NNN-NN")
    quantity_t: float


class RunIn(BaseModel):
    day: date
    vehicle_plate: str
    driver: str
    lines: list[RunLine]


@router.get("/points", summary="小微企业集中收集点 Collection points")
def collection_points(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return collection.points(engine)


@router.post("/points/{point_id}/runs", status_code=201,
             summary="记录一次收集 A collection run (one manifest per client)")  # fmt: skip
def collection_run(
    engine: Engine, principal: Staff, point_id: Id, body: RunIn
) -> dict[str, Any]:
    return collection.collect(
        engine, point_id, day=body.day, vehicle_plate=body.vehicle_plate, driver=body.driver,
        lines=[(line.credit_code, line.code, line.quantity_t) for line in body.lines],
        settings=config.waste_settings(), calendar=config.desk_settings().calendar,
        actor=principal.username, scope=principal.scope)  # fmt: skip
