"""The demo's statistical reports: with the demo registry, credit alerts and logins, the
schedule's first round generates last month's reports, and the subscribed admin finds a
notification of the alert-handling report."""

from datetime import date

import pytest
import yaml
from tests.accounts.conftest import CHEAP_HASHER

from ecozone.accounts import rules as account_rules
from ecozone.accounts.model import Scope
from ecozone.accounts.service import ensure_demo_users
from ecozone.demo.credit import seed_credit
from ecozone.demo.service import seed_path
from ecozone.demo.statistics import seed_report_subscriptions
from ecozone.registry.service import import_registry
from ecozone.statistics import schedule_service
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

TODAY = date(2026, 12, 3)


@pytest.mark.slow
def test_the_demo_has_a_generated_monthly_report_and_its_notification(sqlite_url, monkeypatch):
    monkeypatch.setattr(account_rules, "PASSWORD_HASHER", CHEAP_HASHER)
    engine = make_engine(sqlite_url)
    upgrade_engine(engine)
    data = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    import_registry(engine, data, actor="demo")
    seed_credit(engine, data, TODAY)
    seed_report_subscriptions(engine)
    ensure_demo_users(engine)
    made = schedule_service.run_due(engine, TODAY, schedule_service.ReportSettings())
    assert made
    periods = {(r["kind"], r["period"]) for r in schedule_service.reports(engine, Scope("admin"))}
    assert ("alert_handling", "2026-11") in periods
    assert ("environment_quality", "2026-11") in periods
    assert schedule_service.unread(engine, "admin") == 2  # the November and the 2025 report
