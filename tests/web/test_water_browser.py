"""The water-quality pages in a real browser: a supervisor opens 地表水水质 from the menu, picks
November, reads each section's class in its colour and the exceeding parameter, and follows
a section to its monthly classes. The zone is tests.waterquality.data's. Debian's Chromium and
Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.waterquality.data import seed
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('water')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "ids": ids}
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


def test_supervisor_reads_the_classes_and_a_sections_months(page: Any, site: dict[str, Any]):
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="环境质量")
    )
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/water"]', has_text="地表水水质").click()
    page.fill('input[name="month"]', "2026-11")
    with page.expect_navigation():
        page.click('form[action="/water"] button[type="submit"]')
    assert "month=2026-11" in page.url
    rows = page.locator('table[data-table="water-sections"] tbody tr')
    assert rows.count() == 3
    river = rows.filter(has_text="示例河流断面")
    cell = river.locator('td[data-key="water_class"]')
    assert cell.inner_text() == "Ⅳ"
    # class IV in yellow (环办〔2011〕22号 colours)
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 0)"
    assert river.locator('td[data-key="exceeding"]').inner_text() == "氨氮 0.10"
    worse = rows.filter(has_text="示例企业断面").locator('td[data-key="water_class"]')
    assert worse.inner_text() == "劣Ⅴ"
    assert worse.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 0, 0)"

    with page.expect_navigation():
        river.locator('td[data-key="section"] a').click()
    assert page.url.endswith(f"/water/{site['ids']['SW01']}")
    page.fill('input[name="year"]', "2026")
    with page.expect_navigation():
        page.click('main form button[type="submit"]')
    months = page.locator('table[data-table="water-months"] tbody tr')
    assert months.count() == 12
    assert months.nth(9).locator('td[data-key="water_class"]').inner_text() == "Ⅱ"  # October
    assert months.nth(10).locator('td[data-key="water_class"]').inner_text() == "Ⅳ"
    assert page.locator("[data-annual]").inner_text() == "年度类别 2026: Ⅲ"
