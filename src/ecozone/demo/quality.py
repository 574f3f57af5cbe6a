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

import csv
import io
import math
import random
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.measurements.store import upsert_measurements
from ecozone.quality import dust, noise, service, sewer
from ecozone.registry.rules import credit_code_check_char
from ecozone.registry.service import import_registry
from ecozone.store.schema import enterprise, point

STEP = timedelta(minutes=5)
DAYS = 3


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

#: Noise station -> (zone class, day Leq, night Leq) typical of it, dB(A).
ZONES = {"NZ01": ("1", 52.0, 44.0), "NZ02": ("2", 57.0, 48.0), "NZ03": ("4a", 67.0, 57.5)}


def _level(rng: random.Random, at: datetime, day: float, night: float) -> float:
    """A 5-minute Leq: day or night level, eased at dawn and dusk, with spread."""
    hour = at.hour + at.minute / 60
    base = day - 1.25 * math.cos((hour - 6) / 16 * 2 * math.pi) if 6 <= hour < 22 else night
    return round(base + rng.gauss(0, 1.6), 1)


def _rows(pid: int, code: str, series: list[tuple[datetime, float]]) -> list[dict[str, Any]]:
    return [
        {"point_id": pid, "kind": "minute", "pollutant": code, "data_time": at, "avg": v}
        for at, v in series
    ]


def demo_series(ids: dict[str, int], today: datetime, seed: int) -> list[dict[str, Any]]:
    """The minute data of the demo points over the DAYS days before `today` (a midnight),
    and a storm a month before; pure over a seeded generator."""
    rng = random.Random(seed)
    settings = config.quality_settings()
    start = today - timedelta(days=DAYS)
    times = [start + STEP * i for i in range(int(timedelta(days=DAYS) / STEP))]
    rows: list[dict[str, Any]] = []
    for code, (_zone, day, night) in ZONES.items():
        leq = [(at, _level(rng, at, day, night)) for at in times]
        # One passing motorbike at 02:10 on the second night at the residential station.
        lmax = [
            (
                at,
                round(
                    v
                    + rng.uniform(3, 9)
                    + (
                        18
                        if code == "NZ01" and at == start + timedelta(hours=50, minutes=10)
                        else 0
                    ),
                    1,
                ),
            )
            for at, v in leq
        ]
        rows += _rows(ids[code], "Leq", leq) + _rows(ids[code], "LMx", lmax)
    # Site boundaries: work 07:00-19:00 at ~66 dB; NB01 works the second night 22:00-01:00
    # without approval, NB02 every night 22:00-02:00 with one.
    first_night = start + timedelta(days=1, hours=22)
    for code in ("NB01", "NB02"):
        leq, lmax = [], []
        for at in times:
            working = 7 <= at.hour < 19
            if code == "NB01":
                working |= first_night <= at < first_night + timedelta(hours=3)
            else:
                working |= at.hour >= 22 or at.hour < 2
            level = (65.0 if 7 <= at.hour < 19 else 61.0) if working else 47.0
            v = round(level + rng.gauss(0, 1.8), 1)
            leq.append((at, v))
            lmax.append((at, round(v + rng.uniform(5, 12), 1)))
        rows += _rows(ids[code], "Leq", leq) + _rows(ids[code], "LMx", lmax)
    # Dust: PM10 and TSP; DU01 has a dusty earthwork morning (09-12h) on the second day.
    dusty = start + timedelta(days=1, hours=9)
    for code, base in (("DU01", 85.0), ("DU02", 70.0)):
        pm10 = []
        for at in times:
            v = base + 20 * math.sin(at.hour / 24 * 2 * math.pi) + rng.gauss(0, 12)
            if code == "DU01" and dusty <= at < dusty + timedelta(hours=3):
                v += 140 + rng.gauss(0, 20)
            pm10.append((at, round(max(v, 10.0), 1)))
        tsp = [(at, round(v * rng.uniform(1.6, 2.1), 1)) for at, v in pm10]
        rows += _rows(ids[code], "a34002", pm10) + _rows(ids[code], "a34001", tsp)
    # Sewers: a storm on the second evening (18:00-20:00) and one a month before.
    for storm in (start + timedelta(days=1, hours=18), start - timedelta(days=30, hours=-16)):
        window = [
            storm - timedelta(hours=1) + STEP * i for i in range(int(timedelta(hours=5) / STEP))
        ]
        rain, flow, level = [], [], []
        for at in window:
            into = (at - storm) / timedelta(hours=2)
            intensity = max(0.0, math.sin(math.pi * into)) if 0 <= into <= 1 else 0.0
            rain.append((at, round(intensity * rng.uniform(2.5, 4.0), 1)))
            lag = (at - storm - timedelta(minutes=30)) / timedelta(hours=2)
            wet = max(0.0, math.sin(math.pi * lag)) if 0 <= lag <= 1 else 0.0
            flow.append((at, round(wet * rng.uniform(280, 340), 1)))
            level.append((at, round(1.2 + wet * rng.uniform(0.35, 0.45), 3)))
        rows += _rows(ids["RG01"], settings.rain_code, rain)
        rows += _rows(ids["OF01"], settings.flow_code, flow)
        rows += _rows(ids["LV01"], settings.level_code, level)
    return rows


def _honking_csv(today: datetime, seed: int) -> bytes:
    rng = random.Random(seed + 1)
    places = ["金开大道与星光大道路口", "黄山大道礼嘉段", "照母山隧道出口", "悦来大道会展中心段"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["抓拍时间", "地点", "车牌", "声级"])
    for i in range(24):
        at = today - timedelta(days=DAYS) + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        writer.writerow(
            [
                f"{at:%Y-%m-%d %H:%M:%S}",
                places[i % len(places)],
                f"渝{'ABCD'[i % 4]}{rng.randrange(10000, 99999)}",
                round(rng.uniform(85, 102), 1),
            ]
        )
    return out.getvalue().encode("utf-8-sig")


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
        upsert_measurements(conn, demo_series(ids, today, seed))
    noise.import_honking(engine, "鸣笛抓拍.csv", _honking_csv(today, seed), actor="demo")
    settings = config.quality_settings()
    start = today - timedelta(days=40)
    return {
        "night_construction": len(noise.check_night_construction(engine, start, today, settings)),
        "dust_days": len(dust.check_dust(engine, first, today.date())),
        "overflows": len(sewer.detect(engine, start, today, settings)),
    }
