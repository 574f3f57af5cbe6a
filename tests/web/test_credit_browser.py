"""Credit, disclosure and the finance feed in a real browser: a supervisor computes a year's
credit after a confirmation and reads an enterprise's factor breakdown, then records a
credit repair; an enterprise user prepares its annual disclosure report and publishes it;
the public reads it and the published credit levels without login; a bank user lands on the feed page and reads it.

The zone is tests.supervision's; enterprise 1 (企业01, a key discharger) has a minor
violation rectified on time, fined 8000 yuan and published on 2025-04-22 (credit 2025:
100 - 5 + 1 - 3 = 93, 良好). Debian's Chromium and Playwright against uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.supervision.conftest import code, seed
from tests.supervision.credit_data import add_decision, add_violation
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.disclosure import service as disclosure
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('credit')}/ecozone.db")
    upgrade_engine(engine)
    seed(engine)
    v = add_violation(engine, 1, "minor", date(2025, 4, 10), due=date(2025, 5, 10),
                      done=date(2025, 5, 5))  # fmt: skip
    add_decision(engine, v, 1, "penalty", 8000, date(2025, 4, 20), published=date(2025, 4, 22))
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


def _cell(page: Any, table: str, row_text: str, key: str) -> str:
    row = page.locator(f'table[data-table="{table}"] tbody tr', has_text=row_text)
    return row.locator(f'td[data-key="{key}"]').inner_text()


def test_a_supervisor_computes_credit_reads_the_factors_and_records_a_repair(
    browser: Any, site: dict[str, Any]
) -> None:
    page = browser.new_context(
        base_url=site["url"], viewport={"width": 1440, "height": 960}
    ).new_page()
    login(page, site, "supervisor")
    page.click("nav .menu-group summary:has-text('监督执法')")
    with page.expect_navigation():
        page.click("nav .menu-group a:text-is('企业环境信用')")
    page.fill('input[name="year"] >> nth=1', "2025")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click('form[action="/supervision/credit/compute"] button')
    assert "尚无信用评价" in page.locator('table[data-table="credit-evaluations"]').inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('form[action="/supervision/credit/compute"] button')
    assert "已计算 10 家企业" in page.locator(".alert-box.notice").inner_text()
    assert _cell(page, "credit-evaluations", "企业01", "cq_score") == "93"
    assert _cell(page, "credit-evaluations", "企业01", "cq_level") == "环保良好企业"
    assert _cell(page, "credit-evaluations", "企业05", "cq_level") == "环保诚信企业"  # 108
    with page.expect_navigation():
        page.click('table[data-table="credit-evaluations"] a:text-is("企业01")')
    chongqing = page.locator('[data-scheme="chongqing"]')
    assert chongqing.locator("[data-score]").inner_text() == "93"
    factors = chongqing.locator('table[data-table="credit-factors-chongqing"]').inner_text()
    for fact, points in (("罚款 8000 元", "-3"), ("按期整改", "+1"), ("危害轻微", "-5")):
        row = chongqing.locator("tbody tr", has_text=fact)
        assert row.locator('td[data-key="points"]').inner_text() == points, factors
    # nationally no bonus for rectifying on time: 100 - 5 - 3 = 92 ≥ 90, 绿牌
    national = page.locator('[data-scheme="national"]')
    assert national.locator("[data-score]").inner_text() == "92"
    assert national.locator('[data-level="honest"]').count() == 1

    page.fill('input[name="repaired_on"]', "2025-07-21")  # publicity ends 2025-07-22
    page.fill('input[name="reason"]', "已整改，公示期满")
    page.click('form[action="/supervision/credit/repairs"] button')
    assert "公示期未满" in page.locator(".alert-box.error").inner_text()
    page.fill('input[name="repaired_on"]', "2025-07-22")
    with page.expect_navigation():
        page.click('form[action="/supervision/credit/repairs"] button')
    assert "信用修复已登记" in page.locator(".alert-box.notice").inner_text()
    assert page.locator('[data-scheme="chongqing"] [data-score]').inner_text() == "101"  # +8
    page.context.close()


def test_an_enterprise_publishes_its_report_and_the_public_reads_it(
    browser: Any, site: dict[str, Any]
) -> None:
    page = browser.new_context(base_url=site["url"]).new_page()
    login(page, site, "enterprise")
    page.goto("/disclosure?year=2025")
    assert "已逾期未发布" in _cell(page, "disclosure-obligations", code(1), "annual_text")
    page.fill('form[action="/disclosure/reports"] input[name="year"]', "2025")
    page.fill('textarea[name="statement"]', "本企业对披露信息的真实性负责。")
    with page.expect_navigation():
        page.click('form[action="/disclosure/reports"] button')
    assert "草稿已生成" in page.locator(".alert-box.notice").inner_text()
    assert page.locator('[data-state="draft"]').count() == 1
    assert page.locator("[data-not-held]").count() >= 3  # waste, carbon, emergency, ...
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('form[action$="/publish"] button')
    assert "报告已发布" in page.locator(".alert-box.notice").inner_text()
    assert page.locator('form[action$="/publish"]').count() == 0  # never changed again
    page.context.close()

    [published] = disclosure.public_reports(site["engine"])
    public = browser.new_context(base_url=site["url"]).new_page()
    public.goto("/disclosures")
    with public.expect_navigation():
        public.click('table[data-table="disclosure-reports"] a:text-is("企业01")')
    assert public.url.endswith(f"/disclosures/{published['id']}")
    text = public.locator("main").inner_text()
    assert "企业01 2025 年度环境信息依法披露报告" in text
    assert "本企业对披露信息的真实性负责。" in text and "罚款" in text
    response = public.request.get(f"/disclosures/{published['id']}/file?format=pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    public.goto("/credit")  # the published levels: after the repair 101, 诚信; no score
    assert _cell(public, "credit-public", "企业01", "cq_level") == "环保诚信企业"
    assert "101" not in public.locator("main").inner_text()
    public.context.close()


def test_a_bank_user_lands_on_the_feed_and_reads_credit_penalties_and_exceedances(
    browser: Any, site: dict[str, Any]
) -> None:
    page = browser.new_context(base_url=site["url"]).new_page()
    login(page, site, "bank")
    assert page.url == site["url"] + "/finance"
    assert _cell(page, "finance-feed", "企业01", "penalties") == "1"
    assert _cell(page, "finance-feed", "企业01", "fines") == "8000"
    assert page.locator("nav a[href='/supervision/credit']").count() == 0  # staff pages hidden
    page.goto("/supervision/credit")
    assert page.locator("main").inner_text().strip() != ""  # the refusal page
    page.context.close()
