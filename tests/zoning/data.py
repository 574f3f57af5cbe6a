"""A small zone for the zoning tests: layers drawn on round coordinates near the demo zone
(两江新区, about 106.8 E 29.66 N), so every answer can be worked out by eye.

Red line v2024 (in force from 2024-01-01): RL-1, the square 106.80-106.82 E × 29.66-29.68 N.
Control units v2024: U-IND (106.70-106.80 E × 29.60-29.70 N, industrial: 化工 forbidden,
汽车制造 restricted, 电子 allowed) and U-ECO (106.80-106.90 E, same latitudes: 化工 and 电镀
forbidden). Park v2024: P-1 over 106.72-106.78 E × 29.62-29.68 N.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

REGISTRY: dict[str, Any] = {"districts": ["两江新区", "重庆高新区"], "enterprises": []}

FORBID_CHEM = "禁止新建、扩建化工项目（两江新区重点管控单元空间布局约束第 1 条）"
RESTRICT_CAR = "汽车制造项目限制准入"
CAR_CONDITIONS = "VOCs 排放实行区域倍量削减替代；涂装工序使用低 VOCs 含量涂料"


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A rectangle as a GeoJSON Polygon, counter-clockwise, closed."""
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}  # fmt: skip


def feature(code: str, name: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, "name": name, **props},
            "geometry": geometry}  # fmt: skip


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False).encode()  # fmt: skip


RED_LINE = collection(
    feature("RL-1", "御临河生态保护红线", box(106.80, 29.66, 106.82, 29.68),
            function="水源涵养", nature="生态保护红线"),
)  # fmt: skip
UNITS = collection(
    feature("U-IND", "两江新区重点管控单元", box(106.70, 29.60, 106.80, 29.70),
            requirements="严格执行产业准入清单",
            access=[{"industry": "化工", "access": "forbidden", "rule": FORBID_CHEM},
                    {"industry": "汽车制造", "access": "restricted", "rule": RESTRICT_CAR,
                     "conditions": CAR_CONDITIONS},
                    {"industry": "电子", "access": "allowed", "rule": "鼓励电子信息产业"}]),
    feature("U-ECO", "御临河优先保护单元", box(106.80, 29.60, 106.90, 29.70),
            forbidden="化工;电镀", f_rule="优先保护单元禁止新建工业项目"),
)  # fmt: skip
PARKS = collection(feature("P-1", "两江新区水土园区", box(106.72, 29.62, 106.78, 29.68)))


def seed(url: str) -> sa.Engine:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY, actor="tests")
    return engine
