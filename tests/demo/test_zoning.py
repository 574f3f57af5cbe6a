"""The demo's zoning data: every layer in force, the red line held between its versions,
plans in each review state, a flagged land-use change, and a demo enterprise's check."""

from datetime import date

import yaml

from ecozone.demo.service import seed_path
from ecozone.demo.zoning import seed_zoning
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.zoning import emergency, service, soil
from ecozone.zoning.model import Access, EmergencySettings


def test_the_demo_zone_has_layers_sites_and_plans_in_every_state(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    import_registry(engine, yaml.safe_load(seed_path().read_text(encoding="utf-8")), actor="demo")
    today = date(2026, 11, 20)
    seed_zoning(engine, today)
    assert {v["kind"] for v in service.versions(engine)} == {
        "red_line", "control_unit", "park", "shoreline"}  # fmt: skip
    first, second = service.red_line_integrity(engine)
    assert second["flags"] == [] and second["area_m2"] > first["area_m2"]  # RL-03 added
    states = [p["state"] for p in emergency.plans(engine, today, EmergencySettings())]
    assert sorted(states) == ["current", "expired", "expiring"]
    assert sum(s["flags"] for s in soil.sites(engine, None)) == 1
    # 重庆两江示例汽车有限公司 (106.802 E, 29.662 N) in its unit and park:
    found = service.check(engine, 106.802, 29.662, "汽车制造", today)
    assert found.verdict is Access.RESTRICTED and found.parks[0][1] == "两江新区鱼复工业园"
    engine.dispose()
