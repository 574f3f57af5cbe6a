"""The transmission page in a real browser: a supervisor opens 数据传输有效率 from 统计报表,
picks June 2024 and a district, reads the point below 90 % and downloads the point table as
Excel. The zone is tests.statistics.data's. Debian's Chromium and Playwright against uvicorn,
as tests/web/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from argon2 import PasswordHasher
from tests.statistics.data import seed
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
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('stat')}/ecozone.db")
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
        context = browser.new_context(
            base_url=site["url"], viewport={"width": 1440, "height": 960}, accept_downloads=True
        )
        page = context.new_page()
        login(page, site, "supervisor")
        yield page
        browser.close()


def test_supervisor_filters_the_transmission_page_and_exports_it(page, site, tmp_path):
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="统计报表")
    )
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/statistics/transmission"]', has_text="数据传输有效率").click()
    page.fill('input[name="period"]', "2024-06")
    page.select_option('select[name="district"]', "两江新区")
    with page.expect_navigation():
        page.click('form[action="/statistics/transmission"] button[type="submit"]')
    assert "period=2024-06" in page.url and "district=" in page.url
    below = page.locator('table[data-table="stat-transmission-below"] tbody tr')
    assert below.count() == 1
    assert below.locator('td[data-key="point"]').inner_text() == "DW001"
    assert below.locator('td[data-key="transmission_effectiveness_pct"]').inner_text() == "80.36"
    points = page.locator('table[data-table="stat-transmission-points"] tbody tr')
    assert points.count() == 2  # 两江新区: ALPHA's two outlets, not BETA's
    facts = page.locator("dl.facts").inner_text()
    assert "传输率 %" in facts

    section = page.locator('section[data-section="point"]')
    with page.expect_download() as info:
        section.locator(".export a", has_text="Excel").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".xlsx" and "2024-06" in saved.name
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert len(rows) == 3  # heading and the district's two points
    heading = rows[0]
    assert {r[heading.index("点位")] for r in rows[1:]} == {"DA001", "DW001"}
    href = page.locator("a.export-pdf").get_attribute("href")
    assert "format=pdf" in href and "period=2024-06" in href
