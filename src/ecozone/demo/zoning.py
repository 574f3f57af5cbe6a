"""The demo's zoning and risk data: "three lines, one list" layers drawn around the demo
zone's coordinates (两江新区 about 106.8 E 29.66 N, 重庆高新区 about 106.33 E 29.6 N), two
red-line versions, soil risk sites, risk sources, resources, filed plans (one current, one
expiring, one expired on the day the demo is seeded) and a closed incident.

Demo shapes and lists, not the real 三线一单 of Chongqing; they go through the same import
as a staff upload (GeoJSON bytes into zoning.service.import_upload).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.zoning import emergency, service, soil
from ecozone.zoning.model import EmergencySettings


def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}  # fmt: skip


def _hexagon(lon: float, lat: float, r: float) -> dict[str, Any]:
    ring = [
        [lon + r, lat],
        [lon + r / 2, lat + r * 0.8],
        [lon - r / 2, lat + r * 0.8],
        [lon - r, lat],
        [lon - r / 2, lat - r * 0.8],
        [lon + r / 2, lat - r * 0.8],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}  # fmt: skip


def _fc(*features: tuple[str, str, dict[str, Any], dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": name, **props},
         "geometry": geometry} for code, name, geometry, props in features
    ]}, ensure_ascii=False).encode()  # fmt: skip


RED_2021 = _fc(
    ("RL-01", "铁山坪森林生态保护红线", _hexagon(106.72, 29.595, 0.02),
     {"function": "水土保持", "nature": "生态保护红线"}),
    ("RL-02", "御临河水源涵养生态保护红线", _hexagon(106.86, 29.72, 0.018),
     {"function": "水源涵养", "nature": "生态保护红线"}),
)  # fmt: skip
RED_2024 = _fc(
    ("RL-01", "铁山坪森林生态保护红线", _hexagon(106.72, 29.595, 0.02),
     {"function": "水土保持", "nature": "生态保护红线"}),
    ("RL-02", "御临河水源涵养生态保护红线", _hexagon(106.86, 29.72, 0.018),
     {"function": "水源涵养", "nature": "生态保护红线"}),
    ("RL-03", "缙云山生物多样性维护生态保护红线", _hexagon(106.36, 29.66, 0.02),
     {"function": "生物多样性维护", "nature": "生态保护红线"}),
)  # fmt: skip

CHEM_RULE = (
    "禁止新建、扩建《产业结构调整指导目录》限制类化工项目和危险化学品生产项目（空间布局约束）"
)
UNITS = _fc(
    ("ZH50011220001", "两江新区鱼复—龙兴重点管控单元", _box(106.74, 29.62, 106.84, 29.72), {
        "requirements": "新建工业项目进入合规园区；执行大气污染物特别排放限值",
        "access": [
            {"industry": "化工", "access": "forbidden", "rule": CHEM_RULE},
            {"industry": "电镀", "access": "forbidden", "rule": "禁止新建独立电镀项目"},
            {"industry": "汽车制造", "access": "restricted", "rule": "汽车整车及零部件项目限制准入",
             "conditions": "涂装工序 VOCs 排放实行区域倍量削减替代；使用低 VOCs 含量涂料"},
            {"industry": "新能源汽车电池", "access": "restricted", "rule": "电池项目限制准入",
             "conditions": "配套建设废电解液收集和危险废物贮存设施"},
            {"industry": "电子", "access": "allowed", "rule": "鼓励电子信息产业"},
        ]}),
    ("ZH50011210001", "御临河优先保护单元", _box(106.84, 29.66, 106.90, 29.76), {
        "requirements": "以生态保护为主，禁止新建工业项目",
        "forbidden": "化工;电镀;汽车制造;新能源汽车电池;热电联产",
        "f_rule": "优先保护单元禁止新建、扩建工业项目"}),
    ("ZH50011220002", "两江新区水土—悦来重点管控单元", _box(106.48, 29.68, 106.74, 29.78), {
        "forbidden": "化工", "f_rule": CHEM_RULE,
        "allowed": "电子;污水处理", "a_rule": "符合园区规划的项目允许准入"}),
    ("ZH50010720001", "重庆高新区西永重点管控单元", _box(106.28, 29.55, 106.40, 29.64), {
        "forbidden": "化工", "f_rule": CHEM_RULE,
        "restricted": "半导体", "r_rule": "集成电路项目限制准入",
        "r_cond": "含氟废气、含氟废水单独收集处理；特征污染物纳入自行监测"}),
)  # fmt: skip
PARKS = _fc(
    ("P-LJ-01", "两江新区鱼复工业园", _box(106.76, 29.64, 106.83, 29.70), {}),
    ("P-GX-01", "西永微电子产业园", _box(106.29, 29.57, 106.36, 29.62), {}),
)
SHORELINES = _fc(
    ("SL-CJ", "长江（主城段）岸线", {"type": "LineString", "coordinates": [
        [106.45, 29.52], [106.56, 29.55], [106.62, 29.58], [106.70, 29.61], [106.80, 29.63],
        [106.90, 29.65]]}, {}),
    ("SL-JL", "嘉陵江岸线", {"type": "LineString", "coordinates": [
        [106.40, 29.75], [106.47, 29.68], [106.52, 29.62], [106.56, 29.57]]}, {}),
)  # fmt: skip


def seed_zoning(engine: sa.Engine, today: date) -> None:
    """Layers, soil sites, risk sources, resources, plans and an incident for the demo."""
    for kind, content, version in (
        ("red_line", RED_2021, "2021-01-01"), ("red_line", RED_2024, "2024-01-01"),
        ("control_unit", UNITS, "2021-06-30"), ("park", PARKS, "2021-06-30"),
        ("shoreline", SHORELINES, "2021-06-30"),
    ):  # fmt: skip
        service.import_upload(engine, f"demo-{kind}-{version}.geojson", content, kind, version,
                              actor="demo")  # fmt: skip
    _soil(engine, today)
    _emergency(engine, today)


def _soil(engine: sa.Engine, today: date) -> None:
    sites = [
        ("CQ-LJ-2021-001", "原重庆某化肥厂地块", "两江新区土地储备中心", 86000, "砷；氨氮；石油烃",
         "工业用地", "两江新区", 106.79, 29.66, ["remediation"]),
        ("CQ-LJ-2022-003", "原某电镀园区地块", "重庆某实业有限公司", 23500, "六价铬；镍；氰化物",
         "工业用地", "两江新区", 106.75, 29.70, ["under_control"]),
        ("CQ-GX-2020-002", "原某农药仓储地块", "重庆高新区土地储备中心", 12800, "六六六；滴滴涕",
         "仓储用地", "重庆高新区", 106.33, 29.60, ["remediation", "removed"]),
        ("CQ-LJ-2024-005", "原某油库地块", "某石油销售公司", 9600, "石油烃；苯；甲苯",
         "仓储用地", "两江新区", 106.77, 29.64, []),
    ]  # fmt: skip
    for i, (code, name, owner, area, pollutants, use, district, lon, lat, steps) in enumerate(
        sites
    ):
        listed = today - timedelta(days=900 - i * 150)
        made = soil.list_site(engine, code=code, name=name, owner=owner, area_m2=area,
                              pollutants=pollutants, land_use=use, listed_on=listed,
                              district=district, lon=lon, lat=lat, actor="demo")  # fmt: skip
        for k, step in enumerate(steps, 1):
            soil.move_status(engine, None, made["id"], step, listed + timedelta(days=120 * k),
                             actor="demo")  # fmt: skip
        if code == "CQ-LJ-2021-001":  # a listed site changing use: the flag the list exists for
            soil.change_land_use(engine, None, made["id"], "二类居住用地",
                                 today - timedelta(days=20), "土地出让前规划调整",
                                 actor="demo")  # fmt: skip


def _emergency(engine: sa.Engine, today: date) -> None:
    settings = EmergencySettings()
    pipeline = emergency.add_risk_source(
        engine, name="川渝天然气输气管线（两江段）", kind="pipeline", risk_level="major",
        substances="天然气 35", lon=106.80, lat=29.68, actor="demo")  # fmt: skip
    storage = emergency.add_risk_source(
        engine, name="果园港危化品储运站", kind="storage", risk_level="major",
        substances="甲醇 1200\n液碱 800\n柴油 600", lon=106.772, lat=29.641,
        credit_code="91500000MAW7TY4X87", actor="demo")  # fmt: skip
    chemical = emergency.add_risk_source(
        engine, name="南岸示例化工有限公司罐区", kind="enterprise", risk_level="larger",
        substances="盐酸 150\n甲苯 60", lon=106.612, lat=29.531,
        credit_code="91500108MAPFCTDR4Y", actor="demo")  # fmt: skip
    plans = [
        ("川渝天然气输气管线突发环境事件应急预案", "500112-2024-031-H", today - timedelta(days=400),
         pipeline["id"]),
        ("果园港危化品储运站突发环境事件应急预案", "500112-2023-017-H",
         today - timedelta(days=3 * 365 - 40), storage["id"]),
        ("南岸示例化工罐区突发环境事件应急预案", "500108-2022-009-L",
         today - timedelta(days=3 * 365 + 30), chemical["id"]),
    ]  # fmt: skip
    for title, number, filed, source in plans:
        made = emergency.file_plan(
            engine,
            title=title,
            filing_no=number,
            filed_on=filed,
            risk_source_id=source,
            settings=settings,
            actor="demo",
        )
        emergency.record_drill(engine, made["id"], held_on=filed + timedelta(days=180),
                               scenario="储罐/管线泄漏及次生水污染", participants=28,
                               findings="围堰应急闸阀启闭较慢", actor="demo")  # fmt: skip
    for kind, name, qty, unit, where, lon, lat in (
        ("material", "吸油毡", 2.5, "t", "果园港应急物资库", 106.775, 29.645),
        ("material", "围油栏", 800, "m", "果园港应急物资库", 106.775, 29.645),
        ("team", "两江新区环境应急救援队", 24, "人", "两江新区应急中心", 106.70, 29.68),
        ("equipment", "便携式 VOCs 检测仪", 6, "台", "两江新区生态环境监测站", 106.58, 29.66),
    ):  # fmt: skip
        emergency.add_resource(engine, kind=kind, name=name, quantity=qty, unit=unit,
                               location=where, lon=lon, lat=lat, actor="demo")  # fmt: skip
    start = f"{today - timedelta(days=45)}T09:20"
    made = emergency.open_incident(engine, started_at=start, kind="危化品运输车辆泄漏",
                                   location="果园港危化品储运站装卸区", lon=106.772, lat=29.641,
                                   risk_source_id=storage["id"], actor="demo")  # fmt: skip
    emergency.add_action(engine, made["id"], at=f"{today - timedelta(days=45)}T09:45",
                         text="关闭雨水排口，启用事故应急池，围堵导流", actor="demo")  # fmt: skip
    emergency.close_incident(engine, made["id"], closed_at=f"{today - timedelta(days=45)}T14:00",
                             closure="泄漏甲醇约 0.3 t 全部收集，周边水体监测未见超标",
                             actor="demo")  # fmt: skip
