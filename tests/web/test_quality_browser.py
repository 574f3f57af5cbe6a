"""The noise, dust and overflow pages in a real browser: a supervisor reads a station's day
and night against its limits, registers a night-construction approval with the form, records
a ten-rules inspection with the checklist, and reads the overflow events after the check.
The zone is tests.quality.data's. Debian's Chromium and Playwright against uvicorn, as
test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.quality.data import seed
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
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('quality')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "ids": ids, "engine": engine}
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


def _open(page: Any, href: str, label: str) -> None:
    group = page.locator(
        "header nav li.menu-group", has=page.locator("summary", has_text="环境质量")
    )
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator(f'a[href="{href}"]', has_text=label).click()


def test_supervisor_reads_noise_day_and_night(page: Any):
    _open(page, "/noise", "声环境质量")
    page.fill('input[name="day"]', "2026-11-05")
    with page.expect_navigation():
        page.click('form[action="/noise"] button[type="submit"]')
    row = page.locator('table[data-table="noise-stations"] tbody tr', has_text="居住区噪声站")
    # Night: energy mean of 44 and 48 dB = 46.4 against class 1's 45 → ΔL 1.4; Lmax 61 > 60.
    assert row.locator('td[data-key="night_leq"]').inner_text() == "46.4"
    assert row.locator('td[data-key="night_limit"]').inner_text() == "45"
    assert row.locator('td[data-key="night_delta"]').inner_text() == "1.4"
    assert row.locator('td[data-key="sudden"]').inner_text() == "夜间突发噪声超限"
    assert row.locator('td[data-key="day_leq"]').inner_text() == "54.0"


def test_supervisor_registers_a_night_approval(page: Any, site: dict[str, Any]):
    _open(page, "/noise/approvals", "夜间施工许可")
    form = page.locator('form[action="/noise/approvals"]')
    form.locator('select[name="site_id"]').select_option(str(site["ids"]["S1"]))
    form.locator('input[name="permit_no"]').fill("两江建夜〔2026〕9号")
    form.locator('input[name="first_day"]').fill("2026-11-05")
    form.locator('input[name="last_day"]').fill("2026-11-04")
    form.locator('input[name="start"]').fill("22:00")
    form.locator('input[name="end"]').fill("02:00")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.error").inner_text() == "截止日期早于起始日期"
    form = page.locator('form[action="/noise/approvals"]')
    assert form.locator('input[name="permit_no"]').input_value() == "两江建夜〔2026〕9号"
    form.locator('input[name="last_day"]').fill("2026-11-06")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "夜间施工许可已登记。"
    row = page.locator('table[data-table="night-approvals"] tbody tr', has_text="9号")
    assert row.locator('td[data-key="hours"]').inner_text() == "22:00 — 02:00"
    assert row.locator('td[data-key="days"]').inner_text() == "2026-11-05 — 2026-11-06"


def test_supervisor_records_a_ten_rules_inspection(page: Any, site: dict[str, Any]):
    _open(page, "/dust/inspections", "扬尘检查")
    form = page.locator('form[action="/dust/inspections"]')
    form.locator('select[name="site_id"]').select_option(str(site["ids"]["S1"]))
    form.locator('input[name="inspector"]').fill("赵六")
    boxes = form.locator('input[name="met"]')
    assert boxes.count() == 10
    form.locator('input[value="bare_soil"]').uncheck()
    form.locator('input[value="wet_work"]').uncheck()
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "检查记录已保存。"
    row = page.locator('table[data-table="dust-inspections"] tbody tr', has_text="赵六")
    assert row.locator('td[data-key="met"]').inner_text() == "8/10"
    assert row.locator('td[data-key="failed"]').inner_text() == (
        "裸露土方覆盖或绿化；土方、拆除作业湿法施工"
    )


def test_supervisor_reads_dust_exceedances(page: Any):
    page.goto("/dust?first=2026-11-05&last=2026-11-05")
    row = page.locator('table[data-table="dust-exceedances"] tbody tr', has_text="pm10-background")
    assert row.locator('td[data-key="count"]').inner_text() == "3"
    assert row.locator('td[data-key="verdict"]').inner_text() == "超过允许次数"


def test_supervisor_checks_and_reads_the_overflow_events(page: Any, site: dict[str, Any]):
    from datetime import datetime

    from ecozone.quality import sewer
    from ecozone.quality.model import QualitySettings

    # The data is of July 2026; the page's button checks the last three days from now, so
    # the events of that storm are detected here as the periodic check would have.
    sewer.detect(site["engine"], datetime(2026, 7, 1), datetime(2026, 7, 2), QualitySettings())
    _open(page, "/overflows", "管网溢流")
    with page.expect_navigation():
        page.click('form[action="/quality/check"] button[type="submit"]')
    assert page.locator("p.alert-box.notice").is_visible()
    row = page.locator('table[data-table="overflow-events"] tbody tr', has_text="溢流口一")
    assert row.locator('td[data-key="volume"]').inner_text() == "24.0"
    assert row.locator('td[data-key="method"]').inner_text() == "流量累计"
    assert row.locator('td[data-key="rain"]').inner_text() == "5.0"
    month = page.locator('table[data-table="overflow-months"] tbody tr', has_text="2026-07")
    assert month.locator('td[data-key="events"]').inner_text() == "2"


def test_supervisor_registers_a_site_and_adds_a_rule_version(page: Any):
    _open(page, "/dust", "工地扬尘")
    form = page.locator('form[action="/dust/sites"]')
    form.locator('select[name="enterprise_id"]').select_option(label="示例建工集团")
    form.locator('input[name="code"]').fill("LJ-9")
    form.locator('input[name="project"]').fill("九号地块学校")
    form.locator('input[name="builder"]').fill("示例建工三分公司")
    form.locator('input[name="area_m2"]').fill("0")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.error").inner_text() == "面积须为正数"
    page.locator('form[action="/dust/sites"] input[name="area_m2"]').fill("15000")
    with page.expect_navigation():
        page.locator('form[action="/dust/sites"] button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "工地已登记。"
    row = page.locator('table[data-table="dust-sites"] tbody tr', has_text="LJ-9")
    assert row.locator('td[data-key="phase"]').inner_text() == "拆除"
    rule = page.locator('form[action="/dust/rules"]')
    rule.locator('input[name="code"]').fill("pm10-warning")
    rule.locator('input[name="limit"]').fill("120")
    rule.locator('input[name="action"]').fill("预警并通报")
    rule.locator('input[name="effective_from"]').fill("2026-12-01")
    with page.expect_navigation():
        rule.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "规则已保存为新版本。"
    versions = page.locator('table[data-table="dust-rules"] tbody tr', has_text="pm10-warning")
    assert versions.count() == 2
    assert versions.nth(1).locator('td[data-key="version"]').inner_text() == "2"
    assert versions.nth(1).locator('td[data-key="limit"]').inner_text() == "120"


def test_supervisor_imports_honking_captures(page: Any, tmp_path_factory: Any):
    folder = tmp_path_factory.mktemp("honking")
    good = folder / "抓拍.csv"
    good.write_text("抓拍时间,地点,车牌,声级\n2026-11-05 08:01:02,黄山大道,渝A12345,92.5\n",
                    encoding="utf-8")  # fmt: skip
    bad = folder / "坏.csv"
    bad.write_text("抓拍时间,地点\n昨天,黄山大道\n", encoding="utf-8")
    _open(page, "/noise", "声环境质量")
    page.set_input_files('form[action="/noise/honking"] input[name="file"]', str(bad))
    with page.expect_navigation():
        page.click('form[action="/noise/honking"] button[type="submit"]')
    assert "第 2 行有误" in page.locator("p.alert-box.error").inner_text()
    page.set_input_files('form[action="/noise/honking"] input[name="file"]', str(good))
    with page.expect_navigation():
        page.click('form[action="/noise/honking"] button[type="submit"]')
    assert page.locator("p.alert-box.notice").inner_text() == "已导入 1 条抓拍记录。"
    row = page.locator('table[data-table="honking"] tbody tr', has_text="渝A12345")
    assert row.locator('td[data-key="captured_at"]').inner_text() == "2026-11-05 08:01:02"


def test_supervisor_configures_a_station_a_dust_monitor_and_a_sewer_monitor(
    page: Any, site: dict[str, Any]
):
    ids = site["ids"]
    _open(page, "/noise", "声环境质量")
    form = page.locator('form[action="/noise/stations"]')
    form.locator('select[name="point_id"]').select_option(str(ids["N01"]))
    form.locator('select[name="zone_class"]').select_option("2")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "监测站设置已保存。"
    row = page.locator('table[data-table="noise-stations"] tbody tr', has_text="居住区噪声站")
    assert row.locator('td[data-key="where"]').inner_text() == "2 类功能区"
    assert row.locator('td[data-key="night_limit"]').inner_text() == "50"

    page.goto("/dust")
    form = page.locator('form[action="/dust/monitors"]')
    form.locator('select[name="point_id"]').select_option(str(ids["DU01"]))
    form.locator('select[name="site_id"]').select_option(str(ids["S2"]))
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "监测点设置已保存。"
    row = page.locator('table[data-table="dust-sites"] tbody tr', has_text="二号路桥")
    assert row.locator('td[data-key="monitors"]').inner_text() == "DU01"

    page.goto("/overflows")
    form = page.locator('form[action="/overflows/monitors"]')
    form.locator('select[name="point_id"]').select_option(str(ids["LV01"]))
    form.locator('select[name="role"]').select_option("level")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.error").inner_text() == "请填写堰顶高程"
    form = page.locator('form[action="/overflows/monitors"]')
    form.locator('input[name="crest_m"]').fill("1.2")
    form.locator('input[name="weir_width_m"]').fill("3")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.locator("p.alert-box.notice").inner_text() == "监测点设置已保存。"
