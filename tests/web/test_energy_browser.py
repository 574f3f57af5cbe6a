"""The energy pages in a real browser: an enterprise user opens 能耗与碳排放 from the menu,
lands on its own page, enters a month's statistics (and sees a refused one come back with
its message), and imports an xlsx; a supervisor reads the zone dashboard, enters a district's
statistics, records a forest sink and sets an enterprise's targets. The zone is
tests.energy.data's. Debian's Chromium and Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from openpyxl import Workbook
from tests.energy.data import FACTORY, seed
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
    folder = tmp_path_factory.mktemp("energy")
    engine, ids = seed(f"sqlite:///{folder}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "ids": ids, "folder": folder}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER = hasher


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any, site: dict[str, Any], username: str) -> Any:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, username)
    return page


def _open_from_menu(page: Any) -> None:
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="能源双碳")
    )
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/energy"]', has_text="能耗与碳排放").click()


def test_an_enterprise_enters_a_month_and_imports_statistics(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "enterprise")
    _open_from_menu(page)
    assert page.url.endswith(f"/energy/{FACTORY}")
    form = page.locator('form[data-form="month"]')
    form.locator('input[name="month"]').fill("2026-10")
    form.locator('input[name="amount_electricity"]').fill("50000")
    form.locator('input[name="amount_diesel"]').fill("2")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "2026-10 月度统计已保存" in page.locator(".alert-box.notice").inner_text()
    # 50 000 kWh × 0.1229 + 2 t × 1 457.1 kgce = 6 145 + 2 914.2 kgce = 9.059 tce
    assert page.locator("[data-month-tce]").inner_text() == "9.059 tce"
    assert "GB/T 2589-2020" in page.locator("[data-factor-sets]").inner_text()

    form = page.locator('form[data-form="month"]')
    form.locator('input[name="amount_steam"]').fill("很多")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "不是数字" in page.locator('[role="alert"]').inner_text()
    assert page.locator('form[data-form="month"] input[name="amount_steam"]').input_value() == "很多"

    workbook = Workbook()
    workbook.active.append(["credit_code", "month", "carrier", "amount", "ncv_gj"])
    workbook.active.append([FACTORY, "2026-09", "electricity", 80000, None])
    path = site["folder"] / "statistics.xlsx"
    workbook.save(path)
    page.locator('form[data-form="import"] input[type="file"]').set_input_files(str(path))
    with page.expect_navigation():
        page.locator('form[data-form="import"] button[type="submit"]').click()
    assert "已导入 1 条月度统计" in page.locator(".alert-box.notice").inner_text()
    page.context.close()


def test_a_supervisor_reads_the_dashboard_and_enters_figures(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "supervisor")
    _open_from_menu(page)
    page.fill('form[action="/energy"] input[name="year"]', "2026")
    with page.expect_navigation():
        page.click('form[action="/energy"] button[type="submit"]')
    districts = page.locator('table[data-table="energy-districts"] tbody tr')
    # November 100.876 tce, with the months the enterprise entered above: October 9.059 and
    # September 80 000 kWh × 0.1229 = 9.832; 119.767 tce.
    lj = districts.filter(has_text="两江新区").locator('td[data-key="tce"]')
    assert lj.inner_text() == "119.767"
    assert page.locator('table[data-table="energy-enterprises"]').inner_text().count("示例") == 2

    form = page.locator('form[data-form="district-year"]')
    form.locator('select[name="district"]').select_option("两江新区")
    form.locator('input[name="gdp_10k_yuan"]').fill("11000")
    form.locator('input[name="gdp_energy_tce"]').fill("4180")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "已保存" in page.locator(".alert-box.notice").inner_text()
    row = page.locator('table[data-table="energy-item1"] tbody tr', has_text="两江新区")
    assert row.locator('td[data-key="gdp_intensity"]').inner_text() == "0.3800"  # 4180 / 11000

    form = page.locator('form[data-form="sink"]')
    form.locator('input[name="name"]').fill("示例碳汇林")
    form.locator('input[name="area_ha"]').fill("120")
    form.locator('input[name="species"]').fill("马尾松")
    form.locator('input[name="annual_t_co2"]').fill("600")
    form.locator('input[name="method_source"]').fill("造林碳汇方法学")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "碳汇项目已登记" in page.locator(".alert-box.notice").inner_text()
    assert "示例碳汇林" in page.locator('table[data-table="energy-sinks"]').inner_text()

    with page.expect_navigation():
        page.locator('table[data-table="energy-enterprises"] a', has_text="示例电子厂").click()
    form = page.locator('form[data-form="targets"]')
    form.locator('input[name="year"]').fill("2026")
    form.locator('input[name="tce_per_10k_yuan"]').fill("0.3")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "已保存" in page.locator(".alert-box.notice").inner_text()
    page.context.close()
