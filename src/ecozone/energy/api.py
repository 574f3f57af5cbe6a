"""REST under /api/v1/energy: an enterprise's month (tce by GB/T 2589-2020, CO2 scope 1 and
2, factor sets used), its data-quality checks, its year against its targets, the annual
carbon report (json, xlsx, pdf); writes of monthly statistics, output, meters; staff-only
targets, district statistics, forest sinks and the zone dashboard.

Energy data is an enterprise's own business: its users, its district's supervisors and the
city's staff read it; another's enterprise answers 404 like a missing one. Thin: the use
cases are in service, zone and carbon.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, Field

from ecozone import config, times
from ecozone.accounts import deps
from ecozone.accounts.model import Principal, Role
from ecozone.energy import carbon, service, zone
from ecozone.energy.model import StatSource

router = APIRouter(prefix="/api/v1/energy", tags=["energy"])

Engine = Annotated[sa.Engine, Depends(deps.get_engine)]
Reader = Annotated[Principal, Depends(deps.require_roles(Role.ADMIN, Role.SUPERVISOR,
                                                         Role.ENTERPRISE))]  # fmt: skip
Staff = Annotated[Principal, Depends(deps.require_staff)]
Code = Annotated[str, Path(description="Unified social credit code")]
Month = Annotated[str, Path(description="YYYY-MM")]
Year = Annotated[int, Path(description="Calendar year", ge=1990, le=2200)]
MEDIA = {
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MonthIn(BaseModel):
    amounts: dict[str, float] = Field(
        description="Amount per carrier in its unit: electricity kWh, natural_gas m3, raw_coal, "
        "coke, diesel, gasoline, fuel_oil, lpg, steam, water t, heat GJ"
    )
    ncv_gj: dict[str, float] = Field(
        default_factory=dict, description="Measured low heating value, GJ per unit"
    )


class OutputIn(BaseModel):
    value_added_10k_yuan: float | None = None
    product: str | None = None
    product_amount: float | None = None
    product_unit: str | None = None


class MeterIn(BaseModel):
    carrier: str
    point_id: int | None = Field(None, description="Point whose HJ 212 channel carries it")
    channel: str | None = Field(None, description="HJ 212 code of the channel at the point")


class TargetIn(BaseModel):
    total_tce: float | None = None
    tce_per_10k_yuan: float | None = None
    tce_per_product: float | None = None


class DistrictYearIn(BaseModel):
    gdp_10k_yuan: float | None = None
    gdp_energy_tce: float | None = None
    industrial_target_tce_per_10k_yuan: float | None = None


class SinkIn(BaseModel):
    name: str
    district: str | None = None
    area_ha: float
    species: str
    annual_t_co2: float
    method_source: str


@router.get(
    "/enterprises/{credit_code}/months/{month}",
    summary="企业月度综合能耗与碳排放 An enterprise's month in tce and CO2",
)
def month(engine: Engine, principal: Reader, credit_code: Code, month: Month) -> dict[str, Any]:
    return service.month_account(engine, principal.scope, credit_code, month,
                                 config.energy_settings())  # fmt: skip


@router.put(
    "/enterprises/{credit_code}/months/{month}",
    summary="填报月度能源统计 Enter a month's energy statistics",
)
def put_month(engine: Engine, principal: Reader, credit_code: Code, month: Month,
              body: MonthIn) -> dict[str, Any]:  # fmt: skip
    stored = service.record_month(engine, principal.scope, credit_code, month,
                                  dict(body.amounts), ncv=dict(body.ncv_gj),
                                  source=StatSource.API, actor=principal.username)  # fmt: skip
    return {"stored": stored}


@router.get(
    "/enterprises/{credit_code}/quality",
    summary="能耗在线监测数据质量 Data-quality checks of a month",
)
def quality(
    engine: Engine,
    principal: Reader,
    credit_code: Code,
    month: Annotated[str, Query(description="YYYY-MM")],
) -> list[dict[str, Any]]:
    return service.quality(engine, principal.scope, credit_code, month,
                           config.energy_settings())  # fmt: skip


@router.get(
    "/enterprises/{credit_code}/years/{year}",
    summary="企业年度能耗、碳排放与双控目标 An enterprise's year against its targets",
)
def year(engine: Engine, principal: Reader, credit_code: Code, year: Year) -> dict[str, Any]:
    return service.year_account(engine, principal.scope, credit_code, year,
                                config.energy_settings())  # fmt: skip


@router.get(
    "/enterprises/{credit_code}/carbon/{year}.{fmt}",
    response_model=None,
    summary="年度碳排放报告 Annual carbon report (json, xlsx, pdf)",
)
def carbon_report(engine: Engine, principal: Reader, credit_code: Code, year: Year,
                  fmt: Annotated[Literal["json", "xlsx", "pdf"], Path()]) -> Any:  # fmt: skip
    report = carbon.carbon_report(engine, principal.scope, credit_code, year,
                                  config.energy_settings())  # fmt: skip
    if fmt == "json":
        return report
    body = carbon.render_xlsx(report) if fmt == "xlsx" else carbon.render_pdf(report)
    name = f"carbon-{credit_code}-{year}.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.put(
    "/enterprises/{credit_code}/outputs/{month}",
    summary="填报月度增加值与产量 Enter a month's value added and output",
)
def put_output(engine: Engine, principal: Reader, credit_code: Code, month: Month,
               body: OutputIn) -> dict[str, str]:  # fmt: skip
    service.record_output(engine, principal.scope, credit_code, month,
                          actor=principal.username, **body.model_dump())  # fmt: skip
    return {"status": "stored"}


@router.put(
    "/enterprises/{credit_code}/meters/{code}", summary="配置能源计量器具 Configure an energy meter"
)
def put_meter(
    engine: Engine,
    principal: Reader,
    credit_code: Code,
    code: Annotated[str, Path(max_length=32)],
    body: MeterIn,
) -> dict[str, str]:
    service.set_meter(engine, principal.scope, credit_code, code, body.carrier,
                      point_id=body.point_id, channel=body.channel,
                      actor=principal.username)  # fmt: skip
    return {"status": "stored"}


@router.put(
    "/enterprises/{credit_code}/targets/{year}",
    summary="设定企业双控目标 Set an enterprise's dual-control targets (staff)",
)
def put_target(engine: Engine, principal: Staff, credit_code: Code, year: Year,
               body: TargetIn) -> dict[str, str]:  # fmt: skip
    service.set_target(engine, principal.scope, credit_code, year, actor=principal.username,
                       **body.model_dump())  # fmt: skip
    return {"status": "stored"}


@router.put(
    "/districts/{district}/years/{year}",
    summary="录入区县 GDP 与能耗 Enter a district's GDP and energy use (staff)",
)
def put_district_year(engine: Engine, principal: Staff,
                      district: Annotated[str, Path(max_length=100)], year: Year,
                      body: DistrictYearIn) -> dict[str, str]:  # fmt: skip
    service.set_district_year(engine, principal.scope, district, year,
                              actor=principal.username, **body.model_dump())  # fmt: skip
    return {"status": "stored"}


@router.get("/zone", summary="园区能耗与双控总览 Zone energy dashboard (staff)")
def zone_dashboard(
    engine: Engine, principal: Staff, year: Annotated[int | None, Query(ge=1990, le=2200)] = None
) -> dict[str, Any]:
    today = times.cst_naive(times.utc_now()).date()
    return zone.dashboard(engine, principal.scope, year or today.year, config.energy_settings(),
                          today)  # fmt: skip


@router.get("/sinks", summary="林业碳汇项目 Forest carbon-sink projects (staff)")
def sinks(engine: Engine, principal: Staff) -> list[dict[str, Any]]:
    return [{**s, "created_at": s["created_at"].isoformat() if s["created_at"] else None}
            for s in service.sinks(engine)]  # fmt: skip


@router.post("/sinks", status_code=201, summary="登记林业碳汇项目 Record a sink project (staff)")
def add_sink(engine: Engine, principal: Staff, body: SinkIn) -> dict[str, int]:
    new_id = service.add_sink(engine, principal.scope, actor=principal.username,
                              name=body.name, area_ha=body.area_ha, species=body.species,
                              annual_t_co2=body.annual_t_co2, method_source=body.method_source,
                              district_name=body.district)  # fmt: skip
    return {"id": new_id}
