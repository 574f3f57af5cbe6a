"""The demo's noise, dust and sewer-overflow monitoring: three enterprises with their points,
two construction sites (one with a night-work approval, one without), the dust rules and an
inspection, honking captures, and three days of plausible minute data written as the
stations' loggers send it (Leq-Data/LMx-Data every 5 minutes, PM10/TSP, flow, level, rain);
then the checks run, so each page has data and the alert desk one alert of each kind.

Values are drawn from a seeded generator: day/night noise by functional zone, construction
heard at the site boundaries, a dusty morning at one site, one rain storm that makes the
sewers overflow (and one a month before, for the monthly statistics).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.measurements.store import upsert_measurements
from ecozone.quality import dust, noise, service, sewer
from ecozone.registry.rules import credit_code_check_char
from ecozone.registry.service import import_registry
from ecozone.simulator.quality import DAYS, ZONES, demo_series, honking_csv
from ecozone.store.schema import enterprise, point


def _cc(body: str) -> str:
    return body + credit_code_check_char(body)


BUILDER = _cc("91500000MA5UDEM01")
STATION = _cc("12500000MB0DEM002")
DRAINAGE = _cc("91500000MA5UDEM03")

REGISTRY: dict[str, Any] = {
    "enterprises": [
        {
            "credit_code": BUILDER,
            "name": "重庆示例建工集团有限公司",
            "district": "两江新区",
            "industry": "房屋建筑业",
            "lon": 106.52,
            "lat": 29.72,
            "points": [
                {
                    "code": "NB01",
                    "name": "悦来住宅工地东场界噪声",
                    "kind": "noise",
                    "lon": 106.521,
                    "lat": 29.721,
                },
                {
                    "code": "DU01",
                    "name": "悦来住宅工地扬尘监测",
                    "kind": "dust",
                    "lon": 106.522,
                    "lat": 29.722,
                },
                {
                    "code": "NB02",
                    "name": "礼嘉立交工地北场界噪声",
                    "kind": "noise",
                    "lon": 106.535,
                    "lat": 29.685,
                },
                {
                    "code": "DU02",
                    "name": "礼嘉立交工地扬尘监测",
                    "kind": "dust",
                    "lon": 106.536,
                    "lat": 29.684,
                },
            ],
        },
        {
            "credit_code": STATION,
            "name": "两江新区示例声环境监测站",
            "district": "两江新区",
            "industry": "环境监测",
            "disclosed": True,
            "lon": 106.53,
            "lat": 29.68,
            "points": [
                {
                    "code": "NZ01",
                    "name": "礼嘉居住区声环境监测点",
                    "kind": "noise",
                    "lon": 106.530,
                    "lat": 29.690,
                },
                {
                    "code": "NZ02",
                    "name": "照母山商业区声环境监测点",
                    "kind": "noise",
                    "lon": 106.505,
                    "lat": 29.640,
                },
                {
                    "code": "NZ03",
                    "name": "金开大道交通干线噪声监测点",
                    "kind": "noise",
                    "lon": 106.560,
                    "lat": 29.650,
                },
            ],
        },
        {
            "credit_code": DRAINAGE,
            "name": "重庆示例排水有限公司",
            "district": "两江新区",
            "industry": "污水处理及其再生利用",
            "lon": 106.55,
            "lat": 29.62,
            "points": [
                {
                    "code": "OF01",
                    "name": "盘溪河截流井溢流口流量",
                    "kind": "sewer",
                    "lon": 106.551,
                    "lat": 29.621,
                },
                {
                    "code": "LV01",
                    "name": "唐家沱截流井液位",
                    "kind": "sewer",
                    "lon": 106.600,
                    "lat": 29.600,
                },
                {
                    "code": "RG01",
                    "name": "盘溪河雨量计",
                    "kind": "sewer",
                    "lon": 106.552,
                    "lat": 29.622,
                },
            ],
        },
    ],
}


def seed_quality(engine: sa.Engine, today: datetime, seed: int) -> dict[str, int]:
    """Register the demo's noise, dust and sewer points, sites, approvals, rules, an
    inspection and honking captures, write their data and run the checks."""
    import_registry(engine, REGISTRY, actor="demo")
    with engine.connect() as conn:
        ids = dict(
            conn.execute(
                sa.select(point.c.code, point.c.id)
                .join(enterprise)
                .where(enterprise.c.credit_code.in_((BUILDER, STATION, DRAINAGE)))
            ).all()
        )
        builder_id = conn.execute(
            sa.select(enterprise.c.id).where(enterprise.c.credit_code == BUILDER)
        ).scalar_one()
    s1 = service.register_site(
        engine,
        None,
        enterprise_id=builder_id,
        code="LJ-2026-017",
        project="悦来片区住宅项目（二期）",
        builder="重庆示例建工集团第三分公司",
        area_m2=46800,
        phase="earthwork",
        actor="demo",
    )
    s2 = service.register_site(
        engine,
        None,
        enterprise_id=builder_id,
        code="LJ-2026-021",
        project="礼嘉立交改造工程",
        builder="重庆示例路桥工程有限公司",
        area_m2=23500,
        phase="structure",
        actor="demo",
    )
    for code, (zone, _d, _n) in ZONES.items():
        noise.configure_station(engine, ids[code], zone_class=zone, actor="demo")
    noise.configure_station(engine, ids["NB01"], site_id=s1.id, actor="demo")
    noise.configure_station(engine, ids["NB02"], site_id=s2.id, actor="demo")
    first: date = (today - timedelta(days=DAYS)).date()
    noise.register_approval(
        engine,
        None,
        site_id=s2.id,
        permit_no="两江建夜〔2026〕118号",
        first_day=first - timedelta(days=1),
        last_day=first + timedelta(days=13),
        start="22:00",
        end="02:00",
        reason="桥梁节段连续浇筑，需夜间施工",
        actor="demo",
    )
    dust.attach_monitor(engine, ids["DU01"], s1.id, actor="demo")
    dust.attach_monitor(engine, ids["DU02"], s2.id, actor="demo")
    dust.seed_rules(engine, actor="demo")
    keys = [c["key"] for c in dust.checklist()]
    dust.record_inspection(
        engine,
        None,
        site_id=s1.id,
        inspected_on=first + timedelta(days=1),
        inspector="王明（两江新区执法支队）",
        met=[k for k in keys if k not in ("bare_soil", "wet_work")],
        remarks="土方作业未洒水，北侧裸土未覆盖，已责令整改",
        actor="demo",
    )
    sewer.configure_monitor(
        engine, ids["OF01"], role="overflow", rain_point_id=ids["RG01"], actor="demo"
    )
    sewer.configure_monitor(
        engine,
        ids["LV01"],
        role="level",
        crest_m=1.2,
        weir_width_m=1.5,
        rain_point_id=ids["RG01"],
        actor="demo",
    )
    with engine.begin() as conn:
        upsert_measurements(conn, demo_series(ids, today, seed, config.quality_settings()))
    noise.import_honking(engine, "鸣笛抓拍.csv", honking_csv(today, seed), actor="demo")
    settings = config.quality_settings()
    start = today - timedelta(days=40)
    return {
        "night_construction": len(noise.check_night_construction(engine, start, today, settings)),
        "dust_days": len(dust.check_dust(engine, first, today.date())),
        "overflows": len(sewer.detect(engine, start, today, settings)),
    }
