"""The ledgers in a real browser: the seller offers (a dismissed confirmation sends
nothing), the buyer accepts, a district supervisor approves and the units move; staff enter
verified emissions and surrender allowances; the public market view draws its chart.

The zone is tests.trading's (示例钢铁 and 示例化工 in 两江新区, 示例玻璃 in 重庆高新区); the
demo enterprise user is 示例钢铁's. Debian's Chromium and Playwright against uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.trading.conftest import SETTINGS
from tests.trading.data import CHEM, STEEL, seed
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.trading import positions, service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('trading')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    accounts.create_user(engine, "chem-user", "chem-password-2026", role="enterprise",
                         enterprises=[CHEM], actor="tests")  # fmt: skip
    users["chem-user"] = ("chem-password-2026", "enterprise")
    for vintage, quantity in ((2024, "100"), (2025, "1000")):
        service.allocate(engine, None, market="carbon", enterprise_id=ids["steel"],
                         instrument=None, vintage=vintage, quantity=quantity, reason="分配",
                         actor="tests", settings=SETTINGS)  # fmt: skip
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "engine": engine, "ids": ids}
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


def _as(browser: Any, site: dict[str, Any], username: str) -> Any:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, username)
    return page


def _balance(site: dict[str, Any], firm: str, vintage: int = 2025) -> Decimal:
    for a in positions.accounts(site["engine"], None, enterprise_id=site["ids"][firm]):
        if (a.market, a.vintage) == ("carbon", vintage):
            return a.balance
    return Decimal(0)


def test_offer_accept_approve(browser: Any, site: dict[str, Any]) -> None:
    seller = _as(browser, site, "enterprise")
    seller.click("nav .menu-group summary:has-text('能源双碳')")
    with seller.expect_navigation():
        seller.click("nav .menu-group a:text-is('排污权与碳交易')")
    seller.fill('input[name="buyer_credit_code"]', CHEM)
    seller.fill('input[name="vintage"]', "2025")
    seller.fill('input[name="quantity"]', "250.5")
    seller.fill('input[name="price"]', "48.30")
    seller.once("dialog", lambda dialog: dialog.dismiss())
    seller.click('form[action="/trading/offers"] button[type="submit"]')
    assert positions.trades(site["engine"], None) == []  # dismissed: nothing offered
    seller.once("dialog", lambda dialog: dialog.accept())
    with seller.expect_navigation():
        seller.click('form[action="/trading/offers"] button[type="submit"]')
    assert "报价已提交" in seller.locator(".alert-box.notice").inner_text()
    row = seller.locator('table[data-table="trading-trades"] tbody tr').first
    assert row.get_attribute("data-state") == "offered"
    assert row.locator('button[data-step="withdraw"]').count() == 1
    assert row.locator('button[data-step="accept"]').count() == 0  # not the seller's step
    seller.context.close()

    buyer = _as(browser, site, "chem-user")
    buyer.goto("/trading")
    buyer.once("dialog", lambda dialog: dialog.accept())
    with buyer.expect_navigation():
        buyer.click('button[data-step="accept"]')
    assert "已确认" in buyer.locator(".alert-box.notice").inner_text()
    buyer.context.close()

    staff = _as(browser, site, "district-supervisor")
    staff.click("nav .menu-group summary:has-text('能源双碳')")
    with staff.expect_navigation():
        staff.click("nav .menu-group a:text-is('分配、审核与清缴')")
    staff.once("dialog", lambda dialog: dialog.dismiss())
    staff.click('button[data-step="approve"]')
    assert _balance(site, "steel") == Decimal("1000")  # dismissed: nothing posted
    staff.once("dialog", lambda dialog: dialog.accept())
    with staff.expect_navigation():
        staff.click('button[data-step="approve"]')
    assert "已审核并记账" in staff.locator(".alert-box.notice").inner_text()
    assert _balance(site, "steel") == Decimal("749.5")  # 1000 − 250.5
    assert _balance(site, "chem") == Decimal("250.5")
    staff.goto(f"/trading/enterprises/{STEEL}")
    journal = staff.locator('table[data-table="trading-journal"] tbody').inner_text()
    assert "-250.5" in journal and "district-supervisor" in journal
    staff.context.close()


def test_verified_emissions_and_a_surrender(browser: Any, site: dict[str, Any]) -> None:
    staff = _as(browser, site, "admin")
    staff.goto("/trading/admin")
    form = staff.locator('form[action="/trading/admin/verified"]')
    form.locator('select[name="enterprise_id"]').select_option(label="示例钢铁")
    form.locator('input[name="year"]').fill("2025")
    form.locator('input[name="emissions_t"]').fill("800")
    form.locator('input[name="verifier"]').fill("重庆某核查机构")
    form.locator('input[name="verified_on"]').fill("2026-04-30")
    staff.once("dialog", lambda dialog: dialog.accept())
    with staff.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "核查排放量已录入" in staff.locator(".alert-box.notice").inner_text()

    form = staff.locator('form[action="/trading/admin/surrender"]')
    form.locator('select[name="enterprise_id"]').select_option(label="示例钢铁")
    form.locator('input[name="year"]').fill("2025")
    form.locator('input[name="vintage"]').fill("2025")
    form.locator('input[name="quantity"]').fill("900")  # more than the 800 owed
    staff.once("dialog", lambda dialog: dialog.accept())
    with staff.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "尚需清缴 800" in staff.locator(".alert-box.error").inner_text()
    form = staff.locator('form[action="/trading/admin/surrender"]')
    assert form.locator('input[name="quantity"]').input_value() == "900"  # kept as typed
    form.locator('input[name="quantity"]').fill("700")
    staff.once("dialog", lambda dialog: dialog.accept())
    with staff.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "已清缴并记账" in staff.locator(".alert-box.notice").inner_text()
    staff.goto(f"/trading/enterprises/{STEEL}")
    carbon = staff.locator('table[data-table="trading-carbon"] tbody tr').first
    # 800 verified − 700 surrendered = 100 owed; usable: 100 of 2024 + the rest of 2025.
    assert carbon.locator('td[data-key="outstanding_t"]').inner_text() == "100"
    assert carbon.locator('td[data-key="shortfall_t"]').inner_text() == "0"
    staff.context.close()


def test_the_public_market_view_draws_its_chart(browser: Any, site: dict[str, Any]) -> None:
    page = browser.new_context(base_url=site["url"]).new_page()
    page.goto("/trading/market")
    page.wait_for_selector("#market-chart canvas")
    assert page.locator(".chart-missing").is_hidden()
    page.context.close()
