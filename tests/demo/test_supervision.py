"""The demo's supervision data: a drawn campaign of this quarter that verifies."""

from datetime import date

import yaml

from ecozone.demo.service import seed_path
from ecozone.demo.supervision import quarter_of, seed_supervision
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.supervision import rules, service


def test_quarter_of_a_november_day_is_october_to_december():
    assert quarter_of(date(2026, 11, 20)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 3, 31))


def test_the_demo_campaign_is_drawn_and_verifies(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    registry = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, registry, actor="demo")
    campaign_id = seed_supervision(engine, registry, date(2026, 11, 20))
    record = service.public_record(engine, campaign_id)
    assert rules.verify(record) == []
    inspections = record["result"]["inspections"]
    assert inspections and all(len(i["inspectors"]) == 2 for i in inspections)
    statuses = {c["status"] for c in record["inputs"]["candidates"]}
    assert "pledged" in statuses
    [published] = service.public_results(engine)
    assert published["name"] == "2026年第4季度两江新区双随机抽查"
    engine.dispose()
