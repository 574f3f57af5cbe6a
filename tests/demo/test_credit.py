"""The demo's credit and disclosure: last year's credit for every enterprise (the two with
a history as the rule file scores them) and one published disclosure report."""

from datetime import date

import yaml

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance.permits import import_permits
from ecozone.demo.credit import seed_credit
from ecozone.demo.permits import demo_permits
from ecozone.demo.service import seed_path
from ecozone.disclosure import service as disclosure
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.supervision import credit


def test_the_demo_year_is_scored_and_one_report_is_published(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    registry = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, registry, actor="demo")
    import_permits(engine, demo_permits(registry), actor="demo")
    report_id = seed_credit(engine, registry, date(2026, 11, 20))
    rows = {r["credit_code"]: r for r in credit.evaluations(engine, SYSTEM_SCOPE, 2025)}
    assert len(rows) == len(registry["enterprises"])
    first, second = (e["credit_code"] for e in registry["enterprises"][:2])
    # minor (-5), rectified on time (+1), fined 20000 (-6), two exceedances (-2): 88 良好
    assert (rows[first]["chongqing"]["score"], rows[first]["chongqing"]["level"]) == (88, "good")
    # serious (-15), fined 150000 (-12), open past its date on 2025-12-31? due 10-31: late -3
    # = 70, but a serious violation fined ≥ 100000 is vetoed to 不良
    assert (rows[second]["chongqing"]["score"], rows[second]["chongqing"]["level"]) == (
        70, "poor")  # fmt: skip
    published = disclosure.public_report(engine, report_id)
    assert (published["state"], published["year"]) == ("published", 2025)
    engine.dispose()
