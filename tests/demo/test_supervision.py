"""The demo's supervision data: a drawn campaign of this quarter that verifies."""

from datetime import date

import pytest
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


# The draw's seed is secret and random; these fixed ones cover draws that take the first
# enterprises of 两江新区, which the alert-triggered inspection must step around.
@pytest.mark.parametrize("seed", [f"{n:064x}" for n in range(6)])
def test_the_demo_records_inspections_an_exemption_a_penalty_and_an_alert_trigger(
    sqlite_url, seed, monkeypatch
):
    monkeypatch.setattr(service.secrets, "token_hex", lambda _n: seed)
    from ecozone.accounts.model import SYSTEM_SCOPE
    from ecozone.compliance.permits import import_permits
    from ecozone.demo.permits import demo_permits
    from ecozone.supervision import inspection_reads

    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    registry = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, registry, actor="demo")
    import_permits(engine, demo_permits(registry), actor="demo")
    today = date(2026, 11, 20)
    seed_supervision(engine, registry, today)
    public = inspection_reads.public_results(engine)
    assert sorted(d["outcome"] for d in public["decisions"]) == ["exempt", "penalty"]
    [exempt] = [d for d in public["decisions"] if d["outcome"] == "exempt"]
    assert exempt["exemption_rule"] == "eia-registration-unfiled@2026.1"
    assert len(public["inspections"]) == 2  # the alert-triggered one is not published
    desk = inspection_reads.desk(engine, SYSTEM_SCOPE, today)
    sources = {t["source"] for t in desk["triggers"]}
    assert sources == {"complaint"}  # the alert's trigger is answered by its inspection
    triggered = [i for i in desk["inspections"] if i["trigger_id"]]
    [story] = [c for c in inspection_reads.story(engine, triggered[0]["enterprise_id"],
                                                 SYSTEM_SCOPE, today) if c["trigger"]]  # fmt: skip
    complaint = [t for t in desk["triggers"] if t["source"] == "complaint"]
    assert [t["enterprise_id"] for t in complaint] != [triggered[0]["enterprise_id"]]
    assert story["trigger"]["source"] == "alert" and story["trigger"]["alert_id"]
    assert any(v["overdue_days"] for i in desk["inspections"]
               for v in inspection_reads.inspection_detail(engine, i["id"], SYSTEM_SCOPE,
                                                           today)["violations"])  # fmt: skip
    engine.dispose()
