"""The demo's EIA projects: one in every stage, from planning to operation, with their dates
set back from today so the clock shows running, paused, due-soon, overdue and decided
projects; a pledge approval waiting for its sampling; the operating project handed to the
registry; due and overdue alerts raised into the alert desk.

Demo values (names, codes, dates), not real projects. Through projects.service only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.accounts.model import Role, Scope
from ecozone.projects import service
from ecozone.projects.model import STAGE_NAMES, Stage
from ecozone.registry.rules import credit_code_check_char

BUREAU = Scope(role=Role.ADMIN)


def _code(n: int) -> str:
    first = f"91500000MA6P{n:05d}"
    return first + credit_code_check_char(first)


def _new_builder(n: int, name: str, district: str) -> dict[str, Any]:
    return {"builder_name": name, "credit_code": _code(n), "district": district}


def seed_projects(engine: sa.Engine, registry: dict[str, Any], today: date) -> int:
    """Projects in every stage; returns how many."""
    first = registry["enterprises"][0]
    home = {"enterprise": first["credit_code"]}
    district = first["district"]
    ago = lambda days: today - timedelta(days=days)  # noqa: E731 - a short local helper
    Plan = tuple[dict[str, Any], list[tuple[str, date]], list[tuple[str, date, date, str]]]
    plans: list[Plan] = [
        ({"name": "两江新区智能网联汽车零部件项目", **_new_builder(1, "重庆星驰零部件有限公司",
          district), "industry": "汽车零部件制造", "category": "form", "major": True,
          "investment_wan_yuan": 58000, "lon": 106.79, "lat": 29.67}, [], []),
        ({"name": "整车涂装线改造项目", **home, "industry": "汽车制造", "category": "form",
          "investment_wan_yuan": 12000, "lon": 106.803, "lat": 29.663,
          "outlets": "DA009 涂装废气排放口 flue_gas 106.803 29.663"},
         [("submitted", ago(3))], []),
        ({"name": "两江新区集成电路封装测试基地",
          **_new_builder(2, "重庆芯联封测有限公司", district), "industry": "集成电路制造",
          "category": "report", "route": "green", "major": True,
          "investment_wan_yuan": 260000, "lon": 106.75, "lat": 29.70},
         [("submitted", ago(22)), ("accepted", ago(20))],
         [("hearing", ago(15), ago(10), "公众听证")]),
        ({"name": "生物医药中试平台项目", **_new_builder(3, "重庆康瑞生物医药有限公司", district),
          "industry": "医药制造", "category": "form", "major": True,
          "investment_wan_yuan": 36000, "lon": 106.77, "lat": 29.68},
         [("submitted", ago(14)), ("accepted", ago(12)), ("technical_review", ago(8))], []),
        ({"name": "新能源电池材料项目", **_new_builder(4, "重庆锂源新材料有限公司", district),
          "industry": "电池材料制造", "category": "report", "major": True,
          "investment_wan_yuan": 150000, "lon": 106.81, "lat": 29.71},
         [("submitted", ago(68)), ("accepted", ago(66)), ("technical_review", ago(50)),
          ("public_notice", ago(40))], []),
        ({"name": "涂装车间扩建项目（逾期示例）", **home, "industry": "汽车制造",
          "category": "form", "major": True, "investment_wan_yuan": 8000,
          "lon": 106.801, "lat": 29.661},
         [("submitted", ago(45)), ("accepted", ago(42))], []),
        ({"name": "包装材料生产线项目（告知承诺）", **_new_builder(5, "重庆绿捷包装有限公司",
          district), "industry": "塑料制品", "category": "form", "route": "pledge",
          "investment_wan_yuan": 3000, "lon": 106.76, "lat": 29.66},
         [("submitted", ago(33)), ("accepted", ago(30)), ("approved", ago(30))], []),
        ({"name": "危险化学品仓储项目", **_new_builder(6, "重庆恒安仓储有限公司", district),
          "industry": "危险化学品仓储", "category": "report", "investment_wan_yuan": 9000,
          "lon": 106.74, "lat": 29.64},
         [("submitted", ago(90)), ("accepted", ago(88)), ("public_notice", ago(40)),
          ("refused", ago(35))], []),
        ({"name": "精密模具制造项目", **_new_builder(7, "重庆精工模具有限公司", district),
          "industry": "模具制造", "category": "form", "major": True,
          "investment_wan_yuan": 21000, "lon": 106.78, "lat": 29.65},
         [("submitted", ago(120)), ("accepted", ago(118)), ("public_notice", ago(100)),
          ("approved", ago(95)), ("construction", ago(80))], []),
        ({"name": "电子元器件生产项目", **_new_builder(8, "重庆鼎盛电子有限公司", district),
          "industry": "电子元件制造", "category": "form", "investment_wan_yuan": 15000,
          "lon": 106.72, "lat": 29.69},
         [("submitted", ago(300)), ("accepted", ago(298)), ("public_notice", ago(280)),
          ("approved", ago(275)), ("construction", ago(260)), ("acceptance", ago(20))], []),
        ({"name": "表面处理中心项目", **_new_builder(9, "重庆亮面表面处理有限公司", district),
          "industry": "金属表面处理", "category": "report", "investment_wan_yuan": 18000,
          "lon": 106.73, "lat": 29.63},
         [("submitted", ago(400)), ("accepted", ago(398)), ("technical_review", ago(390)),
          ("public_notice", ago(360)), ("approved", ago(355)), ("construction", ago(340)),
          ("acceptance", ago(60)), ("permit", ago(10))], []),
        ({"name": "再生资源分拣中心项目", **_new_builder(10, "重庆循环再生资源有限公司",
          district), "industry": "再生资源回收", "category": "form", "major": True,
          "investment_wan_yuan": 6000, "lon": 106.70, "lat": 29.62,
          "outlets": "DA001 分拣车间废气排放口 flue_gas 106.701 29.621\n"
                     "DW001 废水总排口 wastewater 106.702 29.622"},
         [("submitted", ago(500)), ("accepted", ago(498)), ("public_notice", ago(480)),
          ("approved", ago(475)), ("construction", ago(460)), ("acceptance", ago(120)),
          ("permit", ago(60)), ("operation", ago(30))], []),
        ({"name": "正面清单豁免仓储项目", **_new_builder(11, "重庆通达物流有限公司", district),
          "industry": "仓储物流", "category": "exempt", "route": "exempt",
          "investment_wan_yuan": 4000, "lon": 106.71, "lat": 29.60},
         [("construction", ago(15))], []),
    ]  # fmt: skip
    for data, steps, pauses in plans:
        made = service.create_project(engine, BUREAU, {"route": "normal", **data}, actor="demo")
        for stage, day in steps:
            reason = f"演示：{STAGE_NAMES[Stage(stage)]}"
            service.transition(engine, BUREAU, made.id, stage, on_date=day, reason=reason,
                               actor="demo")  # fmt: skip
        for kind, start, end, reason in pauses:
            service.pause(engine, BUREAU, made.id, kind, start=start, reason=reason,
                          actor="demo")  # fmt: skip
            service.resume(engine, BUREAU, made.id, end=end, actor="demo")
    service.check_deadlines(engine, today, config.projects_settings(),
                            config.desk_settings().calendar)  # fmt: skip
    return len(plans)
