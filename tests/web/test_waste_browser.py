"""The waste pages in a real browser. The enterprise user opens 危废台账与转移 from the menu and
lands on its own file, adds a storage facility, records a batch (confirming), is refused a
transfer to a receiver not licensed for the code, files its annual declaration and records
general industrial solid waste, shown apart; a supervisor reads the zone overview of 2025
with its flow chart, registers a handler and overrides a generator's class. The zone and its
ledger are tests.waste.data's. Debian's Chromium and Playwright against uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.waste.data import GENERATOR, OTHER
from tests.waste.data import seed as seed_waste
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.web import shell

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine, ids = seed_waste(f"sqlite:///{tmp_path_factory.mktemp('waste')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "ids": ids}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER = hasher


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any, site: dict[str, Any], user: str) -> Any:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, user)
    return page


def _open_waste(page: Any) -> None:
    group = page.locator("header nav li.menu-group", has=page.locator("summary", has_text="固废危废"))
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/waste"]', has_text="危废台账与转移").click()


def test_the_enterprise_keeps_its_ledger(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "enterprise")
    _open_waste(page)
    assert page.url == f"{site['url']}/waste/enterprises/{GENERATOR}"
    stock = page.locator('table[data-table="waste-stock"] tbody tr')
    # by hand (tests.waste.data): 3.0 t of 900-041-49 and 0.8 t of 900-039-49 in WF01
    held = {stock.nth(i).locator('td[data-key="code"]').inner_text():
            stock.nth(i).locator('td[data-key="held_t"]').inner_text()
            for i in range(stock.count())}  # fmt: skip
    assert held == {"900-041-49": "3", "900-039-49": "0.8"}
    page.fill('#year-form input[name="year"]', "2025")
    with page.expect_navigation():
        page.click('#year-form button[type="submit"]')
    balance = page.locator("[data-balance]").inner_text()
    # 9.0 generated = (9.0 in − 5.2 out) + 5.2 transferred
    assert balance.startswith("产生 9.0 t = 库存变化 3.8 t + 自行利用 0.0 t + 自行处置 0.0 t + 转移 5.2 t")
    assert balance.endswith("平衡")

    page.fill('#facility-form input[name="code"]', "WF02")
    page.fill('#facility-form input[name="name"]', "废活性炭暂存间")
    page.select_option('#facility-form select[name="kind"]', "spot")
    page.fill('#facility-form input[name="capacity_t"]', "2")
    with page.expect_navigation():
        page.click('#facility-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "已登记贮存设施。"
    assert page.locator('table[data-table="waste-facilities"] tbody tr').count() == 2

    form = page.locator("#entry-form")
    form.locator('select[name="kind"]').select_option("stored_in")
    form.locator('input[name="at"]').fill("2025-12-20T10:00")
    form.locator('input[name="code"]').fill("900-039-49")
    form.locator('input[name="quantity_t"]').fill("0.4")
    form.locator('select[name="facility"]').select_option("WF02")
    form.locator('input[name="batch"]').fill("HC-2512")
    # dismissing the confirmation sends nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.locator('button[type="submit"]').click()
    assert page.locator('table[data-table="waste-ledger"] tbody tr', has_text="HC-2512").count() == 0
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.notice").inner_text() == "已记录。"
    row = page.locator('table[data-table="waste-ledger"] tbody tr', has_text="HC-2512")
    assert row.locator('td[data-key="kind_text"]').inner_text() == "入库"
    assert row.locator('td[data-key="name"]').inner_text() == "VOCs治理过程产生的废活性炭"
    assert row.locator('td[data-key="facility"]').inner_text() == "WF02"

    form = page.locator("#entry-form")
    form.locator('select[name="kind"]').select_option("transferred")
    form.locator('input[name="at"]').fill("2025-12-21T10:00")
    form.locator('input[name="code"]').fill("900-052-31")
    form.locator('input[name="quantity_t"]').fill("0.2")
    form.locator('select[name="handler_id"]').select_option(str(site["ids"]["LICENSED"]))
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    error = page.locator("p.alert-box.error")
    assert "拒绝转移" in error.inner_text() and "未核准经营 900-052-31（HW31）" in error.inner_text()
    assert page.locator('#entry-form input[name="code"]').input_value() == "900-052-31"

    # another enterprise's waste answers like a missing one
    assert page.goto(f"/waste/enterprises/{OTHER}").status == 404


def test_the_enterprise_files_its_annual_declaration(
    browser: Any, site: dict[str, Any], monkeypatch: pytest.MonkeyPatch
):
    # 2026-03-25 (CST): the 2025 declaration (due by 31 March) is within its ten warning days
    monkeypatch.setattr(shell, "now", lambda: datetime(2026, 3, 25, 2, 0, tzinfo=UTC))
    page = _page(browser, site, "enterprise")
    page.goto(f"/waste/enterprises/{GENERATOR}")
    owed = page.locator('table[data-table="waste-owed"] tbody tr', has_text="2025")
    assert owed.locator('td[data-key="due"]').inner_text() == "2026-03-31"
    assert owed.locator('td[data-key="state_text"]').inner_text() == "临近截止"
    form = page.locator("#declaration-form")
    form.locator('select[name="declaration"]').select_option("annual:2025")
    # dismissing the confirmation files nothing
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.locator('button[type="submit"]').click()
    assert page.locator('table[data-table="waste-declarations"] tbody tr',
                        has_text="2025").count() == 0  # fmt: skip
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.notice").inner_text() == "已提交 2025 的申报。"
    filed = page.locator('table[data-table="waste-declarations"] tbody tr', has_text="2025")
    # tests.waste.data: 9.0 t generated and 5.2 t transferred in 2025
    assert filed.locator('td[data-key="generated_t"]').inner_text() == "9"
    assert filed.locator('td[data-key="transferred_t"]').inner_text() == "5.2"
    assert filed.locator('td[data-key="late_text"]').inner_text() == "按期"
    assert owed.locator('td[data-key="state_text"]').inner_text() == "已申报"
    assert page.locator("#declaration-form").count() == 0  # nothing else owed


def test_the_enterprise_records_general_solid_waste_apart(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "enterprise")
    page.goto(f"/waste/enterprises/{GENERATOR}")
    form = page.locator("#entry-form")
    form.locator('select[name="kind"]').select_option("stored_in")
    form.locator('input[name="at"]').fill("2025-12-22T10:00")
    form.locator('input[name="code"]').fill("SW17")
    form.locator('input[name="quantity_t"]').fill("2.5")
    form.locator('select[name="facility"]').select_option("WF01")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.notice").inner_text() == "已记录。"
    row = page.locator('table[data-table="waste-general-stock"] tbody tr', has_text="SW17")
    assert row.locator('td[data-key="name"]').inner_text() == "可再生类废物"
    assert row.locator('td[data-key="held_t"]').inner_text() == "2.5"
    assert page.locator('table[data-table="waste-stock"] tbody tr', has_text="SW17").count() == 0
    ledger = page.locator('table[data-table="waste-ledger"] tbody tr', has_text="SW17")
    assert ledger.locator('td[data-key="waste_text"]').inner_text() == "一般固废"
    assert "示例机械厂" not in page.content()
    page.context.close()


def test_a_supervisor_reads_the_zone_and_keeps_the_handlers(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "supervisor")
    _open_waste(page)
    page.fill('input[name="year"]', "2025")
    with page.expect_navigation():
        page.click('form[action="/waste"] button[type="submit"]')
    assert "year=2025" in page.url
    gen = page.locator('table[data-table="waste-generation"] tbody tr')
    cells = {gen.nth(i).locator('td[data-key="category"]').inner_text():
             gen.nth(i).locator('td[data-key="quantity_t"]').inner_text()
             for i in range(gen.count())}  # fmt: skip
    assert cells == {"HW08": "1.2", "HW49": "7.8"}  # 2.5 + 3.0 + 0.8 + 1.5 = 7.8
    page.wait_for_selector('#waste-sankey[data-drawn="1"]')
    assert page.locator("#waste-sankey canvas").count() >= 1

    page.fill('#handler-form input[name="name"]', "示例收集中心")
    page.select_option('#handler-form select[name="kind"]', "collector")
    page.fill('#handler-form input[name="licence_no"]', "渝危废收第009号")
    page.fill('#handler-form input[name="codes"]', "HW49, 900-249-08")
    page.fill('#handler-form input[name="capacity_t"]', "300")
    page.fill('#handler-form input[name="valid_from"]', "2025-01-01")
    page.fill('#handler-form input[name="valid_to"]', "2029-12-31")
    with page.expect_navigation():
        page.click('#handler-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "已登记经营单位。"
    added = page.locator('table[data-table="waste-handlers"] tbody tr', has_text="示例收集中心")
    assert added.locator('td[data-key="codes_text"]').inner_text() == "900-249-08、HW49"

    generators = page.locator('table[data-table="waste-generators"] tbody tr', has_text="示例电子厂")
    assert generators.locator('td[data-key="class_text"]').inner_text() == "登记管理"  # 9.0 t
    with page.expect_navigation():
        generators.locator('td[data-key="name"] a').click()
    page.select_option('#class-form select[name="management_class"]', "key")
    page.fill('#class-form input[name="reason"]', "持有危险废物经营许可证")
    with page.expect_navigation():
        page.click('#class-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "已保存管理类别。"
    assert page.locator("[data-class]").inner_text() == "管理类别: 重点监管"
    page.context.close()


def test_a_manifest_from_draft_to_disposal(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "enterprise")
    page.goto(f"/waste/enterprises/{GENERATOR}")
    form = page.locator("#manifest-form")
    form.locator('select[name="handler_id"]').select_option(str(site["ids"]["BATTERIES"]))
    form.locator('input[name="code"]').fill("900-041-49")
    form.locator('input[name="quantity_t"]').fill("0.5")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    # the collector holds a licence for HW31 only
    assert "拒绝转移" in page.locator("p.alert-box.error").inner_text()
    form = page.locator("#manifest-form")
    form.locator('select[name="handler_id"]').select_option(str(site["ids"]["LICENSED"]))
    form.locator('select[name="facility"]').select_option("WF01")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.notice").inner_text() == "已填写联单。"
    assert page.locator('[data-state="drafted"]').count() == 1
    manifest_url = page.url.split("?")[0]

    page.fill('#dispatch-form input[name="vehicle_plate"]', "渝A12345")
    page.fill('#dispatch-form input[name="driver"]', "张三")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('#dispatch-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "联单已运行。"
    assert page.locator('dd[data-key="vehicle_plate"]').inner_text() == "渝A12345"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('#transit-form button[type="submit"]')
    assert page.locator('[data-state="in_transit"]').count() == 1
    # the receiver's part is not the consignor's
    assert page.locator("#receive-form").count() == 0
    assert page.locator("text=当前无需您处理。").count() == 1
    page.context.close()

    admin = _page(browser, site, "admin")
    group = admin.locator("header nav li.menu-group", has=admin.locator("summary", has_text="固废危废"))
    group.locator("summary").click()
    with admin.expect_navigation():
        group.locator('a[href="/waste/manifests"]', has_text="转移联单").click()
    admin.select_option('select[name="state"]', "in_transit")
    with admin.expect_navigation():
        admin.click('form[action="/waste/manifests"] button[type="submit"]')
    rows = admin.locator('table[data-table="waste-manifests"] tbody tr')
    assert rows.count() == 1
    with admin.expect_navigation():
        rows.first.locator('td[data-key="number"] a').click()
    assert admin.url == manifest_url
    admin.fill('#receive-form input[name="received_t"]', "0.4")
    admin.once("dialog", lambda dialog: dialog.accept())
    with admin.expect_navigation():
        admin.click('#receive-form button[type="submit"]')
    # 0.4 of 0.5 t is 20 % short: beyond 5 %, a note is required and nothing changed
    assert "须填写差异说明" in admin.locator("p.alert-box.error").inner_text()
    assert admin.locator('[data-state="in_transit"]').count() == 1
    admin.fill('#receive-form input[name="difference_note"]', "称重误差，已报告")
    admin.once("dialog", lambda dialog: dialog.accept())
    with admin.expect_navigation():
        admin.click('#receive-form button[type="submit"]')
    assert admin.locator('dd[data-key="difference_t"]').inner_text() == "-0.1"
    admin.select_option('#complete-form select[name="method"]', "disposed")
    admin.once("dialog", lambda dialog: dialog.accept())
    with admin.expect_navigation():
        admin.click('#complete-form button[type="submit"]')
    assert admin.locator("p.notice").inner_text() == "已记录利用处置。"
    assert admin.locator('[data-state="disposed"]').inner_text() == "已处置"
    admin.context.close()


def test_a_supervisor_runs_a_collection_point(browser: Any, site: dict[str, Any]):
    page = _page(browser, site, "supervisor")
    group = page.locator("header nav li.menu-group", has=page.locator("summary", has_text="固废危废"))
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/waste/points"]', has_text="集中收集点").click()
    page.fill('#point-form input[name="code"]', "CP01")
    page.fill('#point-form input[name="name"]', "两江新区小微收集点")
    page.select_option('#point-form select[name="handler_id"]', str(site["ids"]["BATTERIES"]))
    page.fill('#point-form input[name="capacity_t"]', "5")
    with page.expect_navigation():
        page.click('#point-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "已设立收集点。"
    page.fill('#client-form input[name="credit_code"]', GENERATOR)
    with page.expect_navigation():
        page.click('#client-form button[type="submit"]')
    assert page.locator(f'li[data-client="{GENERATOR}"]').count() == 1

    page.fill('#run-form input[name="day"]', "2025-12-10")
    page.fill('#run-form input[name="vehicle_plate"]', "渝A55555")
    page.fill('#run-form input[name="driver"]', "刘师傅")
    # the collector is licensed for HW31 only: packaging waste (HW49) is refused, nothing kept
    page.fill('#run-form textarea[name="lines"]', f"{GENERATOR} 900-041-49 0.2")
    with page.expect_navigation():
        page.click('#run-form button[type="submit"]')
    assert "拒绝收集" in page.locator("p.alert-box.error").inner_text()
    assert page.locator("div.run").count() == 0
    page.fill('#run-form textarea[name="lines"]', f"{GENERATOR} 900-052-31 0.1")
    with page.expect_navigation():
        page.click('#run-form button[type="submit"]')
    assert page.locator("p.notice").inner_text() == "已记录收集，联单已运行。"
    run = page.locator("div.run")
    assert run.locator("[data-total]").inner_text() == "0.1"
    with page.expect_navigation():
        run.locator("a").first.click()
    assert page.locator('[data-state="dispatched"]').count() == 1
    assert page.locator('dd[data-key="vehicle_plate"]').inner_text() == "渝A55555"
    page.context.close()
