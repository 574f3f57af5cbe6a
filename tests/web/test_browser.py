"""The pages in a real browser: login per role, the map, a chart, live panels, access, export.

Debian's Chromium driven by Playwright against uvicorn serving the app on
a temporary SQLite database (tests.web.data plus the accounts' demo users).
Skipped, with the reason, when Chromium or the vendored libraries are
missing; CI (ECOZONE_REQUIRE_ALL_TESTS=1) turns such a skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.data import CHEMICAL, POWER, add_alert, local, seed
from tests.web.server import LiveServer

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.web.cli import missing_vendor_files

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LANDING = {"admin": "/", "supervisor": "/", "enterprise": "/portal", "coordinator": "/plan",
           "bank": "/finance"}
# Live panels refresh every 10 s in production; here every second, with rounds to spare.
REFRESH_S = 1.0
LIVE_TIMEOUT_MS = 10_000


def _why_not() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    missing = missing_vendor_files()
    if missing:
        return f"chart/map libraries missing ({', '.join(missing)}): run make assets"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The app on a real port, with its database, point ids and demo users."""
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('site')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    app = web_app(engine, refresh_s=REFRESH_S)
    server = LiveServer(app).start()
    try:
        yield {"url": server.url, "engine": engine, "ids": ids, "users": users}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE = hasher, throttle


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, site: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(
        base_url=site["url"], accept_downloads=True, viewport={"width": 1440, "height": 960}
    )
    page = context.new_page()
    yield page
    context.close()


def login(page: Any, site: dict[str, Any], username: str) -> None:
    password, _role = site["users"][username]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")


def test_each_role_logs_in_and_lands_on_its_home(browser: Any, site: dict[str, Any]):
    for username, (_password, role) in site["users"].items():
        context = browser.new_context(base_url=site["url"])
        page = context.new_page()
        login(page, site, username)
        assert page.url == site["url"] + LANDING[role], username
        assert page.locator(f'.user[data-role="{role}"]').inner_text().startswith(username)
        context.close()


def test_map_draws_every_point_over_the_schematic_districts(page: Any, site: dict[str, Any]):
    login(page, site, "supervisor")
    # a selector, not wait_for_function: the pages' CSP forbids the eval it polls with
    page.locator(".point-marker").nth(3).wait_for(state="attached")
    assert page.locator(".point-marker").count() == 4
    assert page.locator(".point-marker.state-exceeding").count() == 1
    assert page.locator(".point-marker.state-offline").count() == 1
    assert page.locator(".point-marker.state-fault").count() == 1
    assert page.locator(".station-icon.state-normal").count() == 1  # the air station
    assert page.locator(".district-label").count() == 9
    assert "示意" in page.locator(".leaflet-control-attribution").inner_text()


def test_district_supervisors_map_opens_on_their_district(page: Any, site: dict[str, Any]):
    login(page, site, "district-supervisor")
    page.wait_for_selector("#map[data-focus]", state="attached")
    focus = page.locator("#map").get_attribute("data-focus")
    page_data = page.evaluate("JSON.parse(document.getElementById('page-data').textContent)")
    # every point on the district supervisor's map lies in that district, and the map is
    # fitted to that district's outline
    assert focus and {p["district"] for p in page_data["map"]["points"]} == {focus}


def test_the_header_fits_a_phone_and_tables_keep_their_last_column(
    browser: Any, site: dict[str, Any]
):
    context = browser.new_context(base_url=site["url"], viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, site, "supervisor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for selector in (".brand-name", ".topbar nav", ".session button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    # a wide table scrolls inside its panel: its last heading can be scrolled into view
    last = page.locator("table.data thead th").last
    last.scroll_into_view_if_needed()
    assert last.is_visible()
    context.close()


def test_point_chart_draws_its_series_and_permit_limit(page: Any, site: dict[str, Any]):
    login(page, site, "admin")
    page.goto(f"/points/{site['ids']['power_da']}")
    for kind in ("rtd", "minute"):  # set by point.js once the chart holds its series
        page.wait_for_selector(f"#chart-{kind}[data-points]", state="attached")
    assert page.locator("#chart-minute canvas").count() >= 1
    option = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-minute')).getOption()"
    )
    names = [s["name"] for s in option["series"]]
    assert names == ["实测值", "折算值"]
    # 180 minute values in the last 3 h; the default 24 h window holds them all
    assert len(option["series"][0]["data"]) == 180
    limits = option["series"][1]["markLine"]["data"]
    assert [line["yAxis"] for line in limits] == [35]
    rtd = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-rtd')).getOption()"
    )
    assert len(rtd["series"][0]["data"]) == 60  # every 30 s for 30 minutes


def test_plan_matrix_shows_measures_by_unit_and_by_district(page: Any, site: dict[str, Any]):
    login(page, site, "coordinator")
    matrix = page.locator("table.matrix")
    matrix.wait_for()
    assert matrix.locator("tbody tr").count() == 23  # the plan's 23 measures
    assert matrix.locator("tbody th").first.inner_text().startswith("1. ")
    page.get_by_role("tab", name="按区域").click()
    page.locator('table.matrix[data-by="district"]').wait_for()
    # the nine districts the plan names, one column each after the measure column
    assert page.locator("table.matrix thead th").count() == 1 + 9
    assert page.get_by_role("link", name="Excel").get_attribute("href") == (
        "/api/v1/plan/export.xlsx"
    )


def test_pages_run_without_script_errors_or_missing_files(page: Any, site: dict[str, Any]):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    login(page, site, "admin")
    for path in ("/", f"/points/{site['ids']['power_da']}", f"/enterprises/{POWER}", "/plan",
                 "/?lang=en"):  # fmt: skip
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert errors == []


def test_enterprise_user_cannot_open_another_enterprise(page: Any, site: dict[str, Any]):
    login(page, site, "enterprise")
    assert page.goto(f"/enterprises/{CHEMICAL}").status == 404
    assert page.goto(f"/points/{site['ids']['chem_da']}").status == 404
    own = page.goto(f"/enterprises/{POWER}")
    assert own.status == 200 and "重庆示例热电有限公司" in page.title()


def test_export_button_downloads_an_xlsx(page: Any, site: dict[str, Any], tmp_path: Path):
    login(page, site, "supervisor")
    panel = page.locator('section[data-live="/web/api/dashboard/open-alerts"]')
    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Excel").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    assert saved.name == "未办结报警_open-alerts.xlsx"  # named in the page's language
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[0][0] == "开始时间" and len(rows) >= 3


def test_live_panel_shows_a_new_alert_without_reloading(page: Any, site: dict[str, Any]):
    login(page, site, "supervisor")
    page.evaluate("window.__sameDocument = true")
    panel = page.locator('section[data-live="/web/api/dashboard/open-alerts"]')
    assert panel.locator("tbody tr").count() == 2
    now = datetime.now(UTC)
    with site["engine"].begin() as conn:
        add_alert(
            conn,
            type="constant_value",
            point_id=site["ids"]["station"],
            enterprise_id=site["ids"]["station_owner"],
            pollutant="a34004",
            start=local(now),
            state="open",
            created_at=now,
            updated_at=now,
        )
    panel.locator("td", has_text="恒值").wait_for(timeout=LIVE_TIMEOUT_MS)
    assert panel.locator("tbody tr").count() == 3
    assert page.locator('[data-kpi="open-alerts"]').inner_text() == "3"
    assert page.evaluate("window.__sameDocument") is True  # no reload happened
    with site["engine"].connect() as conn:
        assert conn.execute(sa.text("select count(*) from alert")).scalar_one() == 4
