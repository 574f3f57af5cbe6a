"""The demo's statistics month: the three 统计报表 pages have figures for last month."""

from __future__ import annotations

from datetime import date, datetime

import yaml

from ecozone.accounts.model import Scope
from ecozone.compliance.permits import import_permits
from ecozone.demo.permits import demo_permits
from ecozone.demo.service import DEMO_SEED, seed_path
from ecozone.demo.transmission import seed_statistics
from ecozone.monitoring.model import MonitoringSettings
from ecozone.registry.service import import_registry
from ecozone.statistics import emissions_service, exceedances_service, transmission_service
from ecozone.statistics.transmission import TransmissionSettings, parse_period
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

TODAY = date(2026, 12, 3)
ADMIN = Scope("admin")


def test_the_demo_month_shows_rates_shares_and_exceedances(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    data = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, data, actor="demo")
    import_permits(engine, demo_permits(data), actor="demo")
    written = seed_statistics(engine, TODAY, DEMO_SEED)
    assert written["outlets"] > 40 and written["records"] > 25_000
    period = parse_period("2026-11")
    tx = transmission_service.as_dict(transmission_service.compute(
        engine, ADMIN, period, now_local=datetime(2026, 12, 3, 9),
        settings=TransmissionSettings(), monitoring=MonitoringSettings()))  # fmt: skip
    points = tx["points"]
    assert len(points) == written["outlets"]
    # The outlet with the three-day shutdown owes 720 - 72 hours; the one in operation from
    # the 10th owes 21 days.
    assert points and {p["expected"] for p in points} >= {720, 720 - 72, 21 * 24}
    assert tx["below_threshold"], "some outlets miss 12 % of their hours"
    assert 80 < tx["total"]["transmission_effectiveness_pct"] < 100
    em = emissions_service.as_dict(emissions_service.compute(engine, ADMIN, period))
    assert any(r["share_pct"] for r in em["enterprises"])
    ex = exceedances_service.as_dict(exceedances_service.compute(
        engine, ADMIN, period, now_local=datetime(2026, 12, 3, 9)))  # fmt: skip
    assert ex["total"] == {"events": 3, "hours": 10.0, "days": 0.0}
    engine.dispose()
