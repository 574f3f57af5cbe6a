"""The statistical reports in a real browser: a supervisor opens 统计报告 from the 统计报表
menu, subscribes to the alert-handling reports, generates March 2025's (confirming the
dialog), sees the notification count in the header and the notification, and downloads the
report's xlsx and PDF. The zone is the web tests' with tests.statistics.data's alerts.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from argon2 import PasswordHasher
from tests.statistics.alerts_data import seed_alerts
from tests.web.conftest import seeded_zone, web_app
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
    engine, ids = seeded_zone(f"sqlite:///{tmp_path_factory.mktemp('statrep')}/ecozone.db")
    seed_alerts(engine, ids)
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
        context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960},
                                      accept_downloads=True)  # fmt: skip
        page = context.new_page()
        login(page, site, "supervisor")
        yield page
        browser.close()


def test_subscribe_generate_see_the_notification_and_download(page: Any):
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="统计报表")
    )
    group.locator("summary").click()
    with page.expect_navigation():
        group.get_by_role("link", name="统计报告").click()
    assert page.locator("h1").inner_text() == "统计报告"
    counter = page.locator("header .header-count .count")
    assert counter.inner_text() == "0"

    alerts = page.locator(".subscription[data-kind=alert_handling]")
    with page.expect_navigation():
        alerts.get_by_role("button", name="订阅").click()
    assert "已订阅" in page.locator(".subscription[data-kind=alert_handling]").inner_text()

    form = page.locator("form[action='/statistics/reports']")
    form.locator("select[name=kind]").select_option("alert_handling")
    form.locator("input[name=period]").fill("2025-03")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.get_by_role("button", name="生成").click()
    assert "报告已生成" in page.locator(".notice").inner_text()
    row = page.locator("tr[data-report='alert_handling:2025-03']")
    assert "报警处置统计月报（2025-03）" in row.inner_text()
    assert page.locator("header .header-count .count").inner_text() == "1"

    with page.expect_navigation():
        page.locator("header .header-count").click()
    assert "报警处置统计月报（2025-03） 已生成" in page.locator("ul.notifications").inner_text()

    page.goto("/statistics/reports")
    with page.expect_download() as xlsx:
        row.get_by_role("link", name="Excel").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    states = {r[0]: r[1] for r in book["各状态报警数"].iter_rows(min_row=2, values_only=True)}
    assert states["已办结"] == 3
    with page.expect_download() as pdf:
        row.get_by_role("link", name="PDF").click()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"


def test_declining_the_confirmation_generates_nothing(page: Any):
    page.goto("/statistics/reports")
    form = page.locator("form[action='/statistics/reports']")
    form.locator("input[name=period]").fill("2025-02")
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.get_by_role("button", name="生成").click()
    page.wait_for_timeout(300)
    assert page.locator("tr[data-report='alert_handling:2025-02']").count() == 0
