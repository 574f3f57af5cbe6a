"""The 双随机 pages in a real browser: a district supervisor creates a campaign, reads its
commitment, draws it after a confirmation (dismissing it first draws nothing), downloads
the record that `verify` accepts, and the public page, without login, shows the result.

The zone is tests.supervision's (两江新区: three key dischargers, five general units).
Debian's Chromium and Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.supervision.conftest import seed
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.supervision import rules, service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('supervision')}/ecozone.db")
    upgrade_engine(engine)
    seed(engine)
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "engine": engine}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER = hasher


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_a_supervisor_draws_a_campaign_and_the_public_sees_the_result(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, "district-supervisor")
    page.click("nav .menu-group summary:has-text('监督执法')")
    with page.expect_navigation():
        page.click("nav .menu-group a:text-is('双随机抽查')")
    assert page.url.endswith("/supervision")
    page.fill('input[name="name"]', "四季度双随机抽查")
    page.fill('input[name="period_start"]', "2026-10-01")
    page.fill('input[name="period_end"]', "2026-12-31")
    page.fill('input[name="quota_key"]', "1")
    page.fill('input[name="quota_general"]', "2")
    with page.expect_navigation():
        page.click('form[action="/supervision/campaigns"] button[type="submit"]')
    [campaign] = service.campaigns(site["engine"], service.SYSTEM_SCOPE)
    assert page.locator("[data-commitment]").inner_text() == campaign["commitment"]
    assert page.locator("[data-seed]").count() == 0

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button[type=submit]")
    assert page.locator('[data-state="committed"]').count() == 1  # dismissed: not drawn
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("form[data-confirm] button[type=submit]")
    assert "已抽取" in page.locator(".alert-box.notice").inner_text()
    rows = page.locator('table[data-table="campaign-result"] tbody tr')
    assert rows.count() == 3
    assert page.locator("form[data-confirm]").count() == 0  # no second draw offered

    with page.expect_download() as download:
        page.click("a[data-record]")
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert rules.verify(record) == []
    drawn = record["result"]["inspections"]
    context.close()

    public = browser.new_context(base_url=site["url"]).new_page()
    public.goto("/inspections")
    text = public.locator("main").inner_text()
    assert "四季度双随机抽查" in text
    for item in drawn:
        assert item["name"] in text and item["date"] in text
    assert "检查员" not in text
