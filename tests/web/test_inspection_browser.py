"""The enforcement pages in a real browser: on a phone's viewport a district supervisor
opens a complaint trigger, starts the record with a team of two, writes findings and
location, uploads a photo, records a violation with its rectification order and submits
after a confirmation (the page never scrolls sideways); then, on the violation's page,
records the rectification, reads the exemption check condition by condition, takes the
exempt decision it suggests and finds it on the public page without login.

The zone is tests.supervision's (两江新区: enterprises 1–8; a pool of four and one
zone-wide). Debian's Chromium and Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.supervision.conftest import code, seed
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.supervision import inspection_reads

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 40


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    folder = tmp_path_factory.mktemp("inspections")
    engine = make_engine(f"sqlite:///{folder}/ecozone.db")
    upgrade_engine(engine)
    seed(engine)
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    photo = folder / "现场.png"
    photo.write_bytes(PNG)
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "engine": engine, "photo": photo}
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


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_inspection_is_recorded_and_submitted_on_a_phone(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=site["url"], viewport=PHONE, is_mobile=True,
                                  has_touch=True)  # fmt: skip
    page = context.new_page()
    login(page, site, "district-supervisor")
    page.goto("/supervision/inspections")
    assert no_sideways_scroll(page)
    form = page.locator("form[data-new-trigger]")
    form.locator('select[name="source"]').select_option("complaint")
    form.locator('input[name="credit_code"]').fill(code(6))
    form.locator('input[name="reference"]').fill("12345-0001")
    form.locator('textarea[name="reason"]').fill("群众投诉夜间异味")
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.locator("button[type=submit]").click()
    assert page.locator("[data-trigger]").count() == 0  # dismissed: nothing opened
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已发起现场检查" in page.locator(".alert-box.notice").inner_text()
    card = page.locator("[data-trigger]").first
    assert "企业06" in card.inner_text() and "12345-0001" in card.inner_text()
    start = card.locator("form[data-start-trigger]")
    start.locator('input[name="inspector_ids"]').nth(0).check()
    start.locator('input[name="inspector_ids"]').nth(1).check()
    with page.expect_navigation():
        start.locator("button[type=submit]").click()
    assert "/supervision/inspections/" in page.url and no_sideways_scroll(page)
    assert "群众投诉夜间异味" in page.locator("[data-cause=trigger]").inner_text()

    findings = page.locator('form[data-form="findings"]')
    findings.locator('input[name="location"]').fill("厂区东侧排放口")
    findings.locator('input[name="latitude"]').fill("29.61")
    findings.locator('input[name="longitude"]').fill("106.52")
    findings.locator('textarea[name="findings"]').fill("脱硫设施运行，排放口标识缺失")
    with page.expect_navigation():
        findings.locator("button[type=submit]").click()
    assert page.locator(".alert-box.notice").inner_text() == "已保存。"
    page.locator('form[data-form="files"] input[type=file]').set_input_files(str(site["photo"]))
    with page.expect_navigation():
        page.click('form[data-form="files"] button[type=submit]')
    assert page.locator('[data-file="photo"]').count() == 1

    violation = page.locator('form[data-form="violation"]')
    violation.locator('input[name="provision"]').fill("《大气污染防治法》第九十九条")
    violation.locator('select[name="item"]').select_option("air-minor-exceedance")
    violation.locator('textarea[name="description"]').fill("二氧化硫小时浓度超标0.05倍")
    violation.locator('select[name="harm"]').select_option("minor")
    violation.locator('textarea[name="rectification_order"]').fill("调整脱硫剂投加量")
    violation.locator('input[name="rectify_by"]').fill((date.today() + timedelta(days=3)).isoformat())
    with page.expect_navigation():
        violation.locator("button[type=submit]").click()
    assert page.locator("[data-violation]").count() == 1 and no_sideways_scroll(page)

    submit = page.locator('form[data-form="submit"]')
    submit.locator('input[name="public"]').check()
    submit.locator('textarea[name="public_summary"]').fill("发现问题1项，已责令整改")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        submit.locator("button[type=submit]").click()
    assert page.locator('[data-state="submitted"]').count() == 1
    assert page.locator('form[data-form="findings"]').count() == 0  # immutable now
    assert "脱硫设施运行" in page.locator('[data-key="findings"]').inner_text()
    assert no_sideways_scroll(page)
    context.close()


def test_a_decision_shows_the_exemption_check_and_cites_the_rule(
    browser: Any, site: dict[str, Any]
) -> None:
    [record] = [i for i in inspection_reads.desk(site["engine"], SYSTEM_SCOPE, date.today())
                ["inspections"] if i["state"] == "submitted"]  # fmt: skip
    context = browser.new_context(base_url=site["url"], viewport=PHONE, is_mobile=True)
    page = context.new_page()
    login(page, site, "district-supervisor")
    page.goto(f"/supervision/inspections/{record['id']}")
    with page.expect_navigation():
        page.click("[data-violation] a")
    rectified = page.locator('form[data-form="rectified"]')
    rectified.locator('textarea[name="note"]').fill("复查已调整投加量")
    with page.expect_navigation():
        rectified.locator("button[type=submit]").click()
    panel = page.locator("[data-suggestion]")
    assert panel.get_attribute("data-suggestion") == "may_exempt"
    assert "可以不予处罚" in panel.locator("[data-headline]").inner_text()
    for key in ("provision", "first_violation", "harm", "corrected_in_time"):
        assert panel.locator(f'[data-condition="{key}"]').get_attribute("data-met") == "true"
    assert "2026.1" in panel.inner_text()  # the list's version, shown with its source
    decision = page.locator('form[data-form="decision"]')
    assert decision.locator('select[name="outcome"]').input_value() == "exempt"
    assert decision.locator('select[name="rule_id"]').input_value() == "air-minor-exceedance"
    decision.locator('textarea[name="explanation"]').fill("初次违法，危害后果轻微并及时改正")
    decision.locator('input[name="public"]').check()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        decision.locator("button[type=submit]").click()
    assert page.locator("[data-rule-cited]").inner_text() == "air-minor-exceedance@2026.1"
    context.close()

    public = browser.new_context(base_url=site["url"], viewport=PHONE).new_page()
    public.goto("/inspections")
    text = public.locator("main").inner_text()
    assert "发现问题1项，已责令整改" in text and "air-minor-exceedance@2026.1" in text
    assert "脱硫设施运行" not in text  # findings stay internal
    Path(site["photo"]).unlink()


def test_a_supervisor_calls_for_a_check_from_the_alert_page(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, site, "district-supervisor")
    page.goto("/alerts")
    with page.expect_navigation():
        page.locator('table[data-table="alerts"] tbody a').first.click()
    alert_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    form = page.locator('form[data-step="inspection-trigger"]')
    form.locator('textarea[name="reason"]').fill("在线监测离线未处理，转现场检查")
    form.locator("button[type=submit]").click()
    dialog = page.locator("dialog#confirm-step")  # the alert page's own confirmation
    dialog.wait_for(state="visible")
    assert "必检对象" in dialog.locator("[data-message]").inner_text()
    with page.expect_navigation(wait_until="domcontentloaded"):
        dialog.locator("button[data-ok]").click()
    assert "/supervision/inspections?trigger=" in page.url
    card = page.locator("[data-trigger]", has=page.locator(f'a[href="/alerts/{alert_id}"]'))
    assert card.count() == 1 and "报警逾期未办结" in card.inner_text()
    context.close()
