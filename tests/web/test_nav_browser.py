"""The menu in a real browser: a supervisor opens every entry of the main menu in its order,
each landing on a page with its heading, then searches 企业档案 and opens an enterprise's file.

tests.web.data's zone with the accounts' demo users; Debian's Chromium and Playwright
against uvicorn, as tests/web/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.data import CHEMICAL, seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.web import shell
from ecozone.web.i18n import t

pytestmark = pytest.mark.browser

#: The heading (its i18n key) each menu entry's page opens with.
HEADINGS = {
    "/": "dashboard.title",
    "/points": "points.title",
    "/data-query": "query.title",
    "/power": "power.title",
    "/water": "water.title",
    "/airquality": "air.title",
    "/marks": "marks.title",
    "/alerts": "desk.title",
    "/enterprises": "enterprises.title",
    "/permits": "permits.title",
    "/supervision": "sup.campaigns",
    "/supervision/inspectors": "sup.pool_title",
    "/supervision/listings": "sup.listings_title",
    "/inspections": "sup.public_title",
    "/supervision/inspections": "insp.title",
    "/supervision/credit": "credit.title",
    "/disclosure": "dis.title",
    "/disclosures": "dis.public_title",
    "/credit": "credit.public_title",
    "/energy": "energy.zone_title",
    "/waste": "waste.title",
    "/waste/manifests": "waste.manifests",
    "/waste/points": "waste.points",
    "/trading": "trading.title",
    "/trading/admin": "tradm.title",
    "/trading/market": "trading.market_title",
    "/projects": "prj.title",
    "/projects/schedule": "prj.schedule",
    "/noise": "quality.noise_title",
    "/noise/approvals": "quality.approvals_title",
    "/dust": "quality.dust_title",
    "/dust/inspections": "quality.inspections_title",
    "/overflows": "quality.overflows_title",
    "/reports": "reports.title",
    "/airquality/evaluation": "airq.eval.title",
    "/statistics/transmission": "stat.transmission.title",
    "/statistics/emissions": "stat.emissions.title",
    "/statistics/exceedances": "stat.exceedances.title",
    "/statistics/alert-handling": "statrep.alerts.title",
    "/statistics/environment": "statrep.env.title",
    "/statistics/reports": "statrep.reports.title",
    "/plan": "plan.title",
    "/plan/measures": "plan.measures_title",
    "/zoning": "zon.map_title",
    "/zoning/check": "zon.check_title",
    "/zoning/red-line": "zon.red_title",
    "/zoning/soil": "soil.title",
    "/zoning/emergency": "em.title",
    "/zoning/incidents": "inc.title",
    "/docs": "nav.api",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    engine, _ids = seed(f"sqlite:///{tmp_path_factory.mktemp('nav')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE = hasher, throttle


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


def heading(page: Any) -> str:
    return page.locator("h1").first.inner_text().strip()


def test_a_supervisor_opens_each_menu_entry_in_order(page: Any, site: dict[str, Any]):
    menu = shell.menu_for("supervisor")
    items = page.locator("header nav > ul > li")
    shown = [items.nth(i).locator("summary, a").first.inner_text() for i in range(items.count())]
    assert shown == [
        "监管总览", "在线监控", "报警处置", "企业档案", "排污许可", "监督执法", "环境质量",
        "固废危废", "能源双碳", "项目与风险", "统计报表", "方案任务", "接口文档",
    ]  # fmt: skip
    opened = []
    for i, item in enumerate(menu):
        for j, entry in enumerate(item.get("entries") or [item]):
            li = page.locator("header nav > ul > li").nth(i)
            if "entries" in item:
                li.locator("summary").click()
            link = li.locator("a").nth(j)
            assert link.inner_text() == t("zh", entry["key"])
            with page.expect_navigation(wait_until="domcontentloaded"):
                link.click()
            assert page.url == site["url"] + entry["href"]
            assert heading(page).startswith(t("zh", HEADINGS[entry["href"]])), entry["href"]
            opened.append(entry["href"])
    assert opened == [
        "/", "/points", "/data-query", "/power", "/marks", "/alerts", "/enterprises", "/permits",
        "/supervision", "/supervision/inspectors", "/supervision/listings", "/inspections",
        "/supervision/inspections", "/supervision/credit", "/disclosure", "/disclosures",
        "/credit", "/airquality", "/water", "/noise", "/noise/approvals", "/dust",
        "/dust/inspections", "/overflows", "/waste", "/waste/manifests", "/waste/points",
        "/energy", "/trading", "/trading/admin", "/trading/market", "/projects",
        "/projects/schedule", "/zoning", "/zoning/check", "/zoning/red-line", "/zoning/soil",
        "/zoning/emergency", "/zoning/incidents", "/reports", "/airquality/evaluation",
        "/statistics/transmission", "/statistics/emissions", "/statistics/exceedances",
        "/statistics/alert-handling", "/statistics/environment", "/statistics/reports", "/plan",
        "/plan/measures", "/docs",
    ]  # fmt: skip


def test_a_supervisor_finds_an_enterprise_and_opens_its_file(page: Any, site: dict[str, Any]):
    page.goto("/")
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="企业档案")
    )
    group.locator("summary").click()
    with page.expect_navigation(wait_until="domcontentloaded"):
        group.locator('a[href="/enterprises"]').click()
    assert page.locator('table[data-table="enterprises"] tbody tr').count() == 3
    page.fill('input[name="q"]', "化工")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click('form.filters button[type="submit"]')
    rows = page.locator('table[data-table="enterprises"] tbody tr')
    assert rows.count() == 1
    assert page.locator('input[name="q"]').input_value() == "化工"  # the search stays typed
    with page.expect_navigation(wait_until="domcontentloaded"):
        rows.locator("a", has_text="重庆示例化工有限公司").click()
    assert page.url == f"{site['url']}/enterprises/{CHEMICAL}"
    assert heading(page).startswith("重庆示例化工有限公司")


@pytest.mark.parametrize("width", [1366, 1920])
def test_the_menu_labels_stay_on_one_line_and_the_bar_fits_the_screen(
    page: Any, site: dict[str, Any], width: int
):
    """Thirteen groups beside the brand once wrapped each label into a column of characters
    and pushed 退出 off a 1366 px screen: the menu now has a row of its own."""
    with _browser_page(page, site, width) as page:
        items = page.locator("header nav > ul > li > a, header nav > ul > li summary")
        boxes = [items.nth(i).bounding_box() for i in range(items.count())]
        assert len(boxes) == 13
        assert {round(box["y"]) for box in boxes} == {round(boxes[0]["y"])}, "one row"
        # one line of text: the font size and a half, plus padding and the 3 px underline
        font = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('header nav a')).fontSize)"
        )
        assert all(box["height"] < 2 * font + 21 for box in boxes), "a label wrapped"
        logout = page.locator("header form[action='/logout'] button").bounding_box()
        assert logout["x"] + logout["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") == width


def test_on_a_phone_a_menu_group_opens_below_the_bar_and_its_entries_work(
    page: Any, site: dict[str, Any]
):
    with _browser_page(page, site, 390) as page:
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        group = page.locator(
            "header nav li.menu-group", has=page.locator("summary", has_text="统计报表")
        )
        group.locator("summary").click()
        link = group.locator('a[href="/statistics/exceedances"]')
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        with page.expect_navigation(wait_until="domcontentloaded"):
            link.click()
        assert heading(page).startswith(t("zh", "stat.exceedances.title"))


@contextmanager
def _browser_page(page: Any, site: dict[str, Any], width: int) -> Iterator[Any]:
    """A new page of the module's browser at `width`, the supervisor logged in."""
    context = page.context.browser.new_context(
        base_url=site["url"], viewport={"width": width, "height": 800}
    )
    try:
        sized = context.new_page()
        login(sized, site, "supervisor")
        yield sized
    finally:
        context.close()
