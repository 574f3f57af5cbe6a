"""A small zone for the noise, dust and overflow tests.

BUILDER (两江新区) runs site S1 (no night approval) with boundary noise NB01 and dust monitor
DU01; OTHER (重庆高新区) runs site S2 with boundary noise NB02 and an approval for the night
of 2026-11-05, 22:00-02:00. MONITOR (两江新区) has the class 1 zone station N01 and the
ambient-air station AQ01 (the district's dust background). DRAIN (两江新区) has the overflow
meter OF01 with rain gauge RG01, and the level gauge LV01 at a weir (crest 1.2 m, 2 m wide).
Values are written as devices send them (minute data, HJ 212 CN 2051).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.quality import dust, noise, service, sewer
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import district, enterprise, point


def _cc(body: str) -> str:
    return body + credit_code_check_char(body)


BUILDER = _cc("91500000MA6000001")
OTHER = _cc("91500107MA6000002")
MONITOR = _cc("12500000MB0000003")
DRAIN = _cc("91500000MA6000004")

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": BUILDER, "name": "示例建工集团", "district": "两江新区", "points": [
            {"code": "NB01", "name": "一号工地场界噪声", "kind": "noise"},
            {"code": "DU01", "name": "一号工地扬尘", "kind": "dust"},
        ]},
        {"credit_code": OTHER, "name": "示例路桥公司", "district": "重庆高新区", "points": [
            {"code": "NB02", "name": "二号工地场界噪声", "kind": "noise"},
        ]},
        {"credit_code": MONITOR, "name": "示例环境监测站", "district": "两江新区", "points": [
            {"code": "N01", "name": "居住区噪声站", "kind": "noise"},
            {"code": "AQ01", "name": "空气站", "kind": "ambient_air"},
        ]},
        {"credit_code": DRAIN, "name": "示例排水公司", "district": "两江新区", "points": [
            {"code": "OF01", "name": "溢流口一", "kind": "sewer"},
            {"code": "LV01", "name": "截流井液位", "kind": "sewer"},
            {"code": "RG01", "name": "雨量计", "kind": "sewer"},
        ]},
    ],
}  # fmt: skip

NIGHT = date(2026, 11, 5)


def _minutes(pid: int, code: str, start: datetime, values: list[float], step_min: int = 5):
    return [
        {"point_id": pid, "kind": "minute", "pollutant": code,
         "data_time": start + timedelta(minutes=step_min * i), "avg": v}
        for i, v in enumerate(values)
    ]  # fmt: skip


def _hour_of(pid: int, start: datetime, leq: float, lmax: float | None = None) -> list[dict]:
    rows = _minutes(pid, "Leq", start, [leq] * 12)
    if lmax is not None:
        rows += _minutes(pid, "LMx", start, [lmax] * 12)
    return rows


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    """Migrated database with the zone above; point ids by code, site ids as S1, S2."""
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(point.c.code, point.c.id)).all())
        owners = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
        ids["district_b"] = conn.execute(
            sa.select(district.c.id).where(district.c.name == "重庆高新区")
        ).scalar_one()
    s1 = service.register_site(engine, None, enterprise_id=owners[BUILDER], code="S1",
                               project="一号地块住宅", builder="示例建工集团", area_m2=12000,
                               phase="earthwork", actor="seed")  # fmt: skip
    s2 = service.register_site(engine, None, enterprise_id=owners[OTHER], code="S2",
                               project="二号路桥", builder="示例路桥公司", area_m2=8000,
                               phase="structure", actor="seed")  # fmt: skip
    ids["S1"], ids["S2"] = s1.id, s2.id
    noise.configure_station(engine, ids["N01"], zone_class="1", actor="seed")
    noise.configure_station(engine, ids["NB01"], site_id=s1.id, actor="seed")
    noise.configure_station(engine, ids["NB02"], site_id=s2.id, actor="seed")
    noise.register_approval(engine, None, site_id=s2.id, permit_no="YJ-2026-001",
                            first_day=NIGHT, last_day=NIGHT, start="22:00", end="02:00",
                            reason="混凝土连续浇筑", actor="seed")  # fmt: skip
    dust.attach_monitor(engine, ids["DU01"], s1.id, actor="seed")
    dust.seed_rules(engine, actor="seed")
    sewer.configure_monitor(engine, ids["OF01"], role="overflow", rain_point_id=ids["RG01"],
                            actor="seed")  # fmt: skip
    sewer.configure_monitor(engine, ids["LV01"], role="level", crest_m=1.2, weir_width_m=2.0,
                            actor="seed")  # fmt: skip
    evening = datetime(2026, 11, 5, 21)
    rows = []
    # N01 (class 1, limits 55/45): 21h 54 dB; 22h 44 dB with Lmax 61; 23h 48 dB with Lmax 58.
    rows += _hour_of(ids["N01"], evening, 54.0, 60.0)
    rows += _hour_of(ids["N01"], evening + timedelta(hours=1), 44.0, 61.0)
    rows += _hour_of(ids["N01"], evening + timedelta(hours=2), 48.0, 58.0)
    # NB01 and NB02: construction heard at 62 dB from 22h to midnight.
    for code in ("NB01", "NB02"):
        rows += _hour_of(ids[code], evening + timedelta(hours=1), 62.0)
        rows += _hour_of(ids[code], evening + timedelta(hours=2), 62.0)
    # DU01 and AQ01 hourly PM10 (one value at the start of each hour, µg/m3).
    morning = datetime(2026, 11, 5, 8)
    for hour, (site, background) in enumerate([(200, 100), (170, 100), (185, 90), (260, 120),
                                                (400, None)]):  # fmt: skip
        at = morning + timedelta(hours=hour)
        rows += _minutes(ids["DU01"], "a34002", at, [site])
        if background is not None:
            rows += _minutes(ids["AQ01"], "a34002", at, [background])
    # OF01: 5-minute flow 0, 20, 40, 20, 0 L/s from 10:00; RG01: 2 + 3 mm in the event.
    rain = datetime(2026, 7, 1, 10)
    rows += _minutes(ids["OF01"], "w00000", rain, [0, 20, 40, 20, 0])
    rows += _minutes(ids["RG01"], "w90002", rain + timedelta(minutes=5), [2.0, 3.0])
    # LV01: 10-minute levels 1.1, 1.3, 1.1 m from 14:00 (one sample 0.1 m over the crest).
    rows += _minutes(ids["LV01"], "w90001", rain.replace(hour=14), [1.1, 1.3, 1.1], 10)
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
    return engine, ids
