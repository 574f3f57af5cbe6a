"""A small zone for the waste tests: a generator with a year of ledger, worked by hand below.

GENERATOR (两江新区) keeps storage WF01 (20 t); OTHER (重庆高新区) has no waste. Handlers:
LICENSED (disposer, HW49 and HW08, 50 t a year, valid 2024-2027) and BATTERIES (collector of
HW31 only). The 2025 ledger of GENERATOR, in tonnes:

    generated  900-041-49 2.5 (01-10) + 900-249-08 1.2 (02-15) + 900-041-49 3.0 (03-20)
               + 900-039-49 0.8 (07-01) + 900-041-49 1.5 (11-30)          = 9.0
    stored in  the same five batches into WF01                             = 9.0
    stored out 900-041-49 4.0 (05-05, FIFO: 2.5 of 01-10 and 1.5 of 03-20)
               + 900-249-08 1.2 (09-10)                                    = 5.2
    transferred to LICENSED the same 4.0 and 1.2                           = 5.2

    balance: 9.0 = (9.0 − 5.2) + 0 + 0 + 5.2, gap 0
    stock at 2025-12-31: 900-041-49 1.5 (of 03-20) + 1.5 (of 11-30) = 3.0, oldest 03-20;
                         900-039-49 0.8, oldest 07-01; 900-249-08 none.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.waste import service

GENERATOR = "91500000MA" + "60WX001" + credit_code_check_char("91500000MA60WX001")
OTHER = "91500107MA" + "60WX002" + credit_code_check_char("91500107MA60WX002")

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": GENERATOR, "name": "示例电子厂", "district": "两江新区", "points": []},
        {"credit_code": OTHER, "name": "示例机械厂", "district": "重庆高新区", "points": []},
    ],
}

#: (kind, time, code, tonnes, facility, receiver): the 2025 ledger above.
LEDGER = [
    ("generated", "2025-01-10T09:00", "900-041-49", 2.5, None, None),
    ("stored_in", "2025-01-10T10:00", "900-041-49", 2.5, "WF01", None),
    ("generated", "2025-02-15T09:00", "900-249-08", 1.2, None, None),
    ("stored_in", "2025-02-15T10:00", "900-249-08", 1.2, "WF01", None),
    ("generated", "2025-03-20T09:00", "900-041-49", 3.0, None, None),
    ("stored_in", "2025-03-20T10:00", "900-041-49", 3.0, "WF01", None),
    ("stored_out", "2025-05-05T08:00", "900-041-49", 4.0, "WF01", None),
    ("transferred", "2025-05-05T09:00", "900-041-49", 4.0, None, "LICENSED"),
    ("generated", "2025-07-01T09:00", "900-039-49", 0.8, None, None),
    ("stored_in", "2025-07-01T10:00", "900-039-49", 0.8, "WF01", None),
    ("stored_out", "2025-09-10T08:00", "900-249-08", 1.2, "WF01", None),
    ("transferred", "2025-09-10T09:00", "900-249-08", 1.2, None, "LICENSED"),
    ("generated", "2025-11-30T09:00", "900-041-49", 1.5, None, None),
    ("stored_in", "2025-11-30T10:00", "900-041-49", 1.5, "WF01", None),
]


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    """Migrated database with the zone, the handlers, WF01 and the ledger; handler ids."""
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    ids = {
        "LICENSED": service.add_handler(
            engine, name="示例危废处置中心", kind="disposer", licence_no="渝危废经第001号",
            codes="HW49, HW08", capacity_t=50, valid_from="2024-01-01", valid_to="2027-12-31",
            actor="seed")["id"],
        "BATTERIES": service.add_handler(
            engine, name="示例电池回收站", kind="collector", licence_no="渝危废收第002号",
            codes="HW31", capacity_t=100, valid_from="2024-01-01", valid_to="2027-12-31",
            actor="seed")["id"],
    }  # fmt: skip
    service.add_facility(engine, GENERATOR, code="WF01", name="危废贮存库", kind="store",
                         capacity_t=20, actor="seed")  # fmt: skip
    for kind, at, code, tonnes, facility, receiver in LEDGER:
        service.record(engine, GENERATOR, kind=kind, at=at, code=code, quantity_t=tonnes,
                       facility=facility, handler_id=ids[receiver] if receiver else None,
                       actor="seed")  # fmt: skip
    return engine, ids
