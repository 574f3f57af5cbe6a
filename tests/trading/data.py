"""A small zone for the ledger tests: three enterprises with discharge permits.

STEEL (两江新区): DA001 SO2 20 t/a, NOx 40 t/a; DA002 SO2 12.5 t/a; DW001 COD 60 t/a,
NH3-N 6 t/a. CHEM (两江新区): DW001 COD 30 t/a, NH3-N 3 t/a. GLASS (重庆高新区): DA001 SO2
10 t/a, NOx 15 t/a. Permits valid 2024-01-01 to 2028-12-31.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.compliance.permits import import_permits
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise


def _code(body: str) -> str:
    return body + credit_code_check_char(body)


STEEL = _code("91500000MA5U7T1X1")
CHEM = _code("91500000MA5U7C2X2")
GLASS = _code("91500107MA5U7G3X3")

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": STEEL, "name": "示例钢铁", "district": "两江新区", "points": [
            {"code": "DA001", "name": "烧结烟囱", "kind": "flue_gas"},
            {"code": "DA002", "name": "球团烟囱", "kind": "flue_gas"},
            {"code": "DW001", "name": "总排口", "kind": "wastewater"},
        ]},
        {"credit_code": CHEM, "name": "示例化工", "district": "两江新区", "points": [
            {"code": "DW001", "name": "总排口", "kind": "wastewater"},
        ]},
        {"credit_code": GLASS, "name": "示例玻璃", "district": "重庆高新区", "points": [
            {"code": "DA001", "name": "窑炉烟囱", "kind": "flue_gas"},
        ]},
    ],
}  # fmt: skip


def _limit(code: str, limit: float, unit: str, cap: float) -> dict[str, Any]:
    return {"pollutant": code, "limit": limit, "unit": unit, "basis": "hour",
            "standard": "GB 13223-2011", "annual_cap_t": cap}  # fmt: skip


def _permit(credit_code: str, outlets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"permit_no": f"{credit_code}001P", "credit_code": credit_code, "class": "key",
            "valid_from": date(2024, 1, 1), "valid_to": date(2028, 12, 31), "outlets": outlets}  # fmt: skip


PERMITS = {"permits": [
    _permit(STEEL, [
        {"code": "DA001", "limits": [_limit("a21026", 35, "mg/m3", 20.0),
                                     _limit("a21002", 50, "mg/m3", 40.0)]},
        {"code": "DA002", "limits": [_limit("a21026", 35, "mg/m3", 12.5)]},
        {"code": "DW001", "limits": [_limit("w01018", 50, "mg/L", 60.0),
                                     _limit("w21003", 5, "mg/L", 6.0)]},
    ]),
    _permit(CHEM, [{"code": "DW001", "limits": [_limit("w01018", 50, "mg/L", 30.0),
                                                _limit("w21003", 5, "mg/L", 3.0)]}]),
    _permit(GLASS, [{"code": "DA001", "limits": [_limit("a21026", 100, "mg/m3", 10.0),
                                                 _limit("a21002", 200, "mg/m3", 15.0)]}]),
]}  # fmt: skip


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    """Migrated database with the zone and its permits; enterprise ids by name (steel,
    chem, glass) and the district id of 两江新区 (liangjiang)."""
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    import_permits(engine, PERMITS, actor="seed")
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
        districts = dict(conn.execute(
            sa.select(enterprise.c.credit_code, enterprise.c.district_id)).all())  # fmt: skip
    return engine, {"steel": rows[STEEL], "chem": rows[CHEM], "glass": rows[GLASS],
                    "liangjiang": districts[STEEL], "gaoxin": districts[GLASS]}  # fmt: skip
