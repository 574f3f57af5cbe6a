"""The power pages in a real browser: a supervisor follows a linkage alert from the
enterprise's overview to the facility's day, reads the chart and the state runs, saves a
meter's thresholds, replaces the configuration after a confirmation, and opens the alert
on the desk where its figures name the facility.

The stored day is tests.power's hand-written one (findings A, E, C and B at 10:00, 12:00,
13:00 and 19:40). Debian's Chromium and Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.power.conftest import (
    CREDIT_CODE,
    DAY,
    POWER_FILE,
    REGISTRY,
    day_series,
    minute,
    put_series,
)
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.power import evaluation, service
from ecozone.power.model import PowerSettings
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import alert, point

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('power')}/ecozone.db")
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    service.configure(engine, POWER_FILE, actor="tests")
    with engine.connect() as conn:
        ids = {r.code: r.id for r in conn.execute(sa.select(point.c.code, point.c.id))}
    put_series(engine, ids["PE001"], "d20405", day_series(0, (minute(8, 0), minute(20, 0), 100)))
    put_series(
        engine,
        ids["PE001"],
        "d30406",
        day_series(
            0,
            (minute(8, 3), minute(19, 40), 40),
            (minute(10, 0), minute(10, 30), 0),
            (minute(13, 0), minute(13, 20), 10),
        ),
    )
    settings = PowerSettings(control_idle_slots=10)
    result = evaluation.evaluate(engine, CREDIT_CODE, DAY, DAY.replace(day=3), settings=settings)
    evaluation.raise_alerts(engine, result, now=datetime(2026, 11, 3, 1))
    with engine.connect() as conn:
        control_off = conn.execute(
            sa.select(alert.c.id).where(alert.c.type == "control_off")
        ).scalar_one()
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "control_off": control_off}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER = hasher


@pytest.fixture(scope="module")
def page(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
        page = context.new_page()
        login(page, site, "supervisor")
        yield page
        browser.close()


def test_supervisor_follows_a_linkage_alert_to_the_facility_day(page: Any, site: dict[str, Any]):
    page.goto("/power")
    page.click(f'a[href="/power/{CREDIT_CODE}"]')
    page.wait_for_url(f"**/power/{CREDIT_CODE}")
    alerts = page.locator('table[data-table="power-alerts"] tbody tr')
    assert alerts.count() == 4
    assert "治污设施停运" in page.locator('table[data-table="power-alerts"]').inner_text()
    page.click(f'a[href="/power/{CREDIT_CODE}/facilities/TA001"]')
    page.fill('input[name="day"]', "2026-11-02")
    with page.expect_navigation():
        page.click('form[data-day-form] button[type="submit"]')
    page.wait_for_selector("#power-chart[data-drawn]", state="attached")
    assert page.locator("#power-chart").get_attribute("data-drawn") == "1440"
    runs = page.locator('table[data-table="power-runs"]').inner_text()
    assert "停运" in runs and "空转/低负荷" in runs and "运行" in runs
    findings = page.locator('table[data-table="power-findings"] tbody tr')
    assert findings.count() == 4
    assert page.locator('[data-threshold="off"]').inner_text() == "4 kW"

    form = page.locator('[data-meter="M2"] form')
    form.locator('input[name="off_fraction"]').fill("0.1")
    form.locator('input[name="low_fraction"]').fill("0.4")
    with page.expect_navigation():
        form.locator('button[value="save"]').click()
    assert page.locator(".alert-box.notice").inner_text() == "阈值已保存。"
    assert page.locator('[data-threshold="off"]').inner_text() == "5 kW"
    assert page.locator('[data-threshold="low"]').inner_text() == "20 kW"

    page.goto(f"/alerts/{site['control_off']}")
    facility = page.locator('.figures [data-key="facility"] a')
    assert facility.inner_text() == "TA001 布袋除尘器"
    assert page.locator('.figures [data-key="minutes"]').inner_text() == "30"
    with page.expect_navigation():
        facility.click()
    assert "/power/" in page.url and "day=2026-11-02" in page.url


def test_replacing_the_configuration_asks_first(page: Any, site: dict[str, Any]):
    page.goto(f"/power/{CREDIT_CODE}")
    with page.expect_download() as download:
        page.click(f'a[href="/power/{CREDIT_CODE}/configuration.yaml"]')
    path = download.value.path()
    page.set_input_files('input[name="file"]', path)
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click('form[data-confirm] button[type="submit"]')
    assert page.locator(".alert-box.notice").count() == 0  # dismissed: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('form[data-confirm] button[type="submit"]')
    assert "配置已更新" in page.locator(".alert-box.notice").inner_text()
