"""The demo's waste (ecozone demo): general industrial solid waste shows on the generators'
files, and yesterday's tracked manifest has its route and a track that leaves the route once
(minutes 18 to 29 of the trip, about 1 km north: beyond the 500 m corridor for 11 minutes)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import yaml

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.demo.service import seed_path
from ecozone.demo.waste import seed_waste
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import waste_route
from ecozone.waste import legs, service
from ecozone.waste.model import WasteSettings

TODAY = date(2026, 6, 15)


def test_the_demo_has_general_waste_and_a_tracked_manifest_with_one_deviation(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/demo.db")
    upgrade_engine(engine)
    data = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, data, actor="demo")
    seed_waste(engine, data, TODAY)
    car = next(e["credit_code"] for e in data["enterprises"] if e["name"].endswith("汽车有限公司"))
    found = service.waste_file(engine, car, SYSTEM_SCOPE, TODAY, WasteSettings())
    general = {s["code"] for s in found["general_stock"]}
    assert general == {"SW17", "SW59"}
    assert found["general_balance"]["generated"] > 0
    with engine.connect() as conn:
        (tracked,) = conn.execute(sa.select(waste_route.c.manifest_id)).scalars().all()
    leg = legs.leg(engine, tracked, SYSTEM_SCOPE, WasteSettings())
    assert len(leg["route"]) == 3 and len(leg["track"]) == 50
    (deviation,) = leg["findings"]
    assert deviation["kind"] == "deviation"
    assert (deviation["start"], deviation["end"]) == ("2026-06-14T08:18:00", "2026-06-14T08:29:00")
    engine.dispose()
