"""The zoning pages in a real browser: a supervisor imports the red-line and control-unit
layers through the form, sees them drawn on the map and switches one off, checks a point
and reads the rule text, moves a soil site's status after confirming, and logs an incident
and closes it. The zone is tests.zoning.data's. Debian's Chromium and Playwright against
uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login
from tests.zoning.data import FORBID_CHEM, RED_LINE, UNITS, seed

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.zoning import soil

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    folder = tmp_path_factory.mktemp("zoning")
    engine = seed(f"sqlite:///{folder}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "engine": engine, "folder": folder}
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


def _import(page: Any, path: Path, kind: str) -> None:
    page.set_input_files('form[action="/zoning/layers"] input[name="file"]', str(path))
    page.select_option('form[action="/zoning/layers"] select[name="kind"]', kind)
    page.fill('form[action="/zoning/layers"] input[name="valid_from"]', "2024-01-01")
    with page.expect_navigation():
        page.click('form[action="/zoning/layers"] button[type="submit"]')


def test_staff_import_layers_and_switch_them_on_the_map(page: Any, site: dict[str, Any]):
    group = page.locator("header nav li.menu-group", has=page.locator("summary",
                                                                       has_text="项目与风险"))
    group.locator("summary").click()
    with page.expect_navigation():
        group.locator('a[href="/zoning"]').click()
    red, units = site["folder"] / "红线.geojson", site["folder"] / "units.geojson"
    red.write_bytes(RED_LINE)
    units.write_bytes(UNITS)
    _import(page, red, "red_line")
    assert "图层已导入：1 个要素" in page.locator(".alert-box.notice").inner_text()
    _import(page, units, "control_unit")
    assert "图层已导入：2 个要素" in page.locator(".alert-box.notice").inner_text()
    rows = page.locator('table[data-table="layer-versions"] tbody tr')
    assert rows.count() == 2 and "红线.geojson" in rows.all_inner_texts()[1]
    page.wait_for_selector("#zoning-map[data-ready='1']")
    red_paths = page.locator('#zoning-map path[stroke="#c62828"]')
    assert red_paths.count() == 1
    page.locator(".leaflet-control-layers-overlays label", has_text="生态保护红线").locator(
        "input").uncheck()
    assert red_paths.count() == 0  # switched off
    assert page.locator('#zoning-map path[stroke="#1565c0"]').count() == 2


def test_staff_check_a_point_and_read_the_rule(page: Any):
    page.goto("/zoning/check")
    page.fill('input[name="lon"]', "106.75")
    page.fill('input[name="lat"]', "29.65")
    page.fill('input[name="industry"]', "化工")
    page.fill('input[name="date"]', "2025-01-01")
    with page.expect_navigation():
        page.click('form[action="/zoning/check"] button[type="submit"]')
    assert page.locator("[data-verdict-text]").inner_text() == "禁止准入"
    assert FORBID_CHEM in page.locator('.unit[data-unit="U-IND"]').inner_text()
    assert page.locator('[data-red-line="outside"]').count() == 1
    page.wait_for_selector("#zoning-map[data-ready='1']")
    assert page.locator(".leaflet-tooltip", has_text="106.75, 29.65 化工：禁止准入").count() == 1
    page.locator("#zoning-map").click(position={"x": 40, "y": 300})  # a click picks a point
    picked = float(page.input_value('input[name="lon"]'))
    assert picked != 106.75 and 106.0 < picked < 107.5


def test_staff_move_a_soil_sites_status_after_confirming(page: Any, site: dict[str, Any]):
    made = soil.list_site(site["engine"], code="CQ-001", name="原化工厂地块", owner="某公司",
                          area_m2=9000, pollutants="苯", land_use="工业用地",
                          listed_on="2024-01-01", actor="tests")  # fmt: skip
    page.goto("/zoning/soil")
    with page.expect_navigation():
        page.click('table[data-table="soil-sites"] a:text-is("CQ-001")')
    assert page.url.endswith(f"/zoning/soil/{made['id']}")
    page.select_option('form[action$="/status"] select[name="status"]', "remediation")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click('form[action$="/status"] button[type="submit"]')
    assert page.locator('[data-status="listed"]').count() == 1  # dismissed: nothing moved
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('form[action$="/status"] button[type="submit"]')
    assert page.locator('[data-status="remediation"]').inner_text() == "修复"
    assert "状态已变更" in page.locator(".alert-box.notice").inner_text()
    assert soil.site(site["engine"], None, made["id"])["status"] == "remediation"


def test_staff_log_an_incident_and_close_it(page: Any):
    page.goto("/zoning/incidents")
    page.fill('input[name="started_at"]', "2025-06-01T08:30")
    page.fill('input[name="kind"]', "危化品泄漏")
    page.fill('input[name="location"]', "某化工储罐区")
    with page.expect_navigation():
        page.click('form[action="/zoning/incidents"] button[type="submit"]')
    assert "事件已登记" in page.locator(".alert-box.notice").inner_text()
    page.fill('form[action$="/actions"] input[name="at"]', "2025-06-01T09:00")
    page.fill('form[action$="/actions"] input[name="text"]', "关闭雨水排口，围堵导流")
    with page.expect_navigation():
        page.click('form[action$="/actions"] button[type="submit"]')
    assert "围堵导流" in page.locator('table[data-table="incident-actions"]').inner_text()
    page.fill('form[action$="/close"] input[name="closed_at"]', "2025-06-01T12:00")
    page.fill('form[action$="/close"] input[name="closure"]', "泄漏物全部回收")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click('form[action$="/close"] button[type="submit"]')
    assert page.locator('[data-state="closed"]').inner_text() == "已结束"
    page.goto("/zoning/incidents")
    assert "已结束" in page.locator('table[data-table="incidents"]').inner_text()
