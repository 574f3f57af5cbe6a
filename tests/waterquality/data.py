"""A small zone for the water-quality tests: three surface-water sections with daily means.

MONITOR (两江新区, discloses) runs SW01 (river, target III) and SW02 (lake, target II);
PRIVATE (重庆高新区, does not disclose) runs SW03 (river, target III). Daily means are
device days (CST) written straight into `aggregate`, as monitoring would compute them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import aggregate, enterprise, point
from ecozone.waterquality import service

MONITOR = "12500000MB" + "0000009" + credit_code_check_char("12500000MB0000009")
PRIVATE = "91500107MA" + "60XKQ55" + credit_code_check_char("91500107MA60XKQ55")

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": MONITOR, "name": "示例水质监测站", "district": "两江新区", "points": [
            {"code": "SW01", "name": "示例河流断面", "kind": "surface_water"},
            {"code": "SW02", "name": "示例水库断面", "kind": "surface_water"},
            {"code": "DW001", "name": "排口", "kind": "wastewater"},
        ]},
        {"credit_code": PRIVATE, "name": "示例企业自建站", "district": "重庆高新区", "points": [
            {"code": "SW03", "name": "示例企业断面", "kind": "surface_water"},
        ]},
    ],
}  # fmt: skip

#: (station, code, day, daily mean); the invalid day below must not count.
DAYS = [
    # SW01 October: NH3-N 0.4 (II), DO 7.6 (I) → class II.
    ("SW01", "w21003", "2026-10-05", 0.4), ("SW01", "w21003", "2026-10-06", 0.4),
    ("SW01", "w01009", "2026-10-05", 7.6), ("SW01", "w01009", "2026-10-06", 7.6),
    # SW01 November: NH3-N 0.9, 1.1, 1.3 → mean 1.1 → IV; DO 6.0, 8.0 → 7.0 → II.
    ("SW01", "w21003", "2026-11-01", 0.9), ("SW01", "w21003", "2026-11-02", 1.1),
    ("SW01", "w21003", "2026-11-03", 1.3),
    ("SW01", "w01009", "2026-11-01", 6.0), ("SW01", "w01009", "2026-11-02", 8.0),
    # SW02 (lake) November: TP 0.05 → III (lake), TN 0.4 → II.
    ("SW02", "w21011", "2026-11-02", 0.05), ("SW02", "w21001", "2026-11-02", 0.4),
    # SW03 November: DO 1.5 → 劣V.
    ("SW03", "w01009", "2026-11-02", 1.5),
]  # fmt: skip
INVALID = ("SW01", "w21003", "2026-11-04", 9.0)


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    """Migrated database with the sections and their days; the point ids by code."""
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.begin() as conn:
        conn.execute(
            enterprise.update().where(enterprise.c.credit_code == MONITOR).values(disclosed=True)
        )
        ids = dict(conn.execute(sa.select(point.c.code, point.c.id)).all())
        now = datetime(2026, 12, 1, tzinfo=UTC)
        rows = [_day(ids[s], code, day, value, True, now) for s, code, day, value in DAYS]
        rows.append(_day(ids[INVALID[0]], *INVALID[1:], False, now))
        conn.execute(aggregate.insert(), rows)
    for code, body, target in (("SW01", "river", "III"), ("SW02", "lake", "II"),
                               ("SW03", "river", "III")):  # fmt: skip
        service.configure_section(engine, ids[code], body, target, actor="seed")
    return engine, ids


def _day(point_id: int, code: str, day: str, value: float, valid: bool, now: datetime) -> dict:
    return {"point_id": point_id, "pollutant": code, "kind": "day",
            "data_time": datetime.fromisoformat(day), "avg": value, "min": value, "max": value,
            "valid": valid, "valid_count": 24 if valid else 10, "sample_count": 24,
            "flag": "N", "computed_at": now}  # fmt: skip
