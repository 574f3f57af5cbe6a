"""A small zone for the energy tests.

FACTORY (两江新区, 电子) has an electricity meter on its power point P01, channel eE001, whose
November 2026 HJ 212 data is: 2 592 of the 2 880 expected quarter-hour indicators (exactly
90 %), 30 daily totals of 3 500 kWh stamped at midnight (Σ 105 000, exactly 5 % over the
monthly 100 000 kWh), and the month's statistics: 100 000 kWh, 20 000 m3 gas, 500 t steam.
OTHER (重庆高新区) has 10 t diesel in November 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.energy import service
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import district, enterprise, measurement, point

FACTORY = "91500000MA" + "5U7AB12" + credit_code_check_char("91500000MA5U7AB12")
OTHER = "91500107MA" + "60XKQ55" + credit_code_check_char("91500107MA60XKQ55")
CHANNEL = "eE001"

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": FACTORY, "name": "示例电子厂", "district": "两江新区", "industry": "电子",
         "points": [{"code": "P01", "name": "总进线", "kind": "power"}]},
        {"credit_code": OTHER, "name": "示例机械厂", "district": "重庆高新区", "industry": "机械",
         "points": []},
    ],
}  # fmt: skip


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.begin() as conn:
        codes = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
        ids = {"factory": codes[FACTORY], "other": codes[OTHER]}
        ids["P01"] = conn.execute(sa.select(point.c.id).where(point.c.code == "P01")).scalar()
        for name, key in (("两江新区", "district_lj"), ("重庆高新区", "district_gx")):
            ids[key] = conn.execute(
                sa.select(district.c.id).where(district.c.name == name)).scalar()  # fmt: skip
        received = datetime(2026, 12, 1, tzinfo=UTC)
        start = datetime(2026, 11, 1)
        minutes = [_row(ids["P01"], "minute", start + timedelta(minutes=15 * i), 36.0, received)
                   for i in range(2592)]  # fmt: skip
        days = [_row(ids["P01"], "day", start + timedelta(days=d), 3500.0, received)
                for d in range(30)]  # fmt: skip
        conn.execute(measurement.insert(), minutes + days)
    service.set_meter(engine, SYSTEM_SCOPE, FACTORY, "EM01", "electricity", actor="seed",
                      point_id=ids["P01"], channel=CHANNEL)  # fmt: skip
    service.record_month(engine, SYSTEM_SCOPE, FACTORY, "2026-11",
                         {"electricity": 100_000, "natural_gas": 20_000, "steam": 500},
                         actor="seed")  # fmt: skip
    service.record_month(engine, SYSTEM_SCOPE, OTHER, "2026-11", {"diesel": 10}, actor="seed")
    return engine, ids


def _row(point_id: int, kind: str, when: datetime, cou: float, received: datetime) -> dict:
    return {"point_id": point_id, "pollutant": CHANNEL, "kind": kind, "data_time": when,
            "cou": cou, "flag": "N", "received_at": received}  # fmt: skip
