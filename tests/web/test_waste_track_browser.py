"""The carrier leg on the manifest page in a real browser: the enterprise user declares the
route (confirming), uploads the vehicle's track as CSV (confirming) and sees the deviation
listed and drawn on the Leaflet map. The track is tests.waste.test_legs's: minutes 10 to 16
of the trip 0.006° (≈ 665 m) north of the east-west route, beyond the 500 m corridor for the
6 minutes from 08:10 to 08:16. Debian's Chromium and Playwright against uvicorn.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.waste.data import GENERATOR
from tests.waste.data import seed as seed_waste
from tests.waste.test_legs import track
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.compliance.model import WorkCalendar
from ecozone.waste import manifests
from ecozone.waste.model import WasteSettings

pytestmark = pytest.mark.browser


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine, ids = seed_waste(f"sqlite:///{tmp_path_factory.mktemp('track')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    made = manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-041-49",
                           quantity_t=1.0, settings=WasteSettings(), actor="t",
                           now=cst("2026-04-30T09:00"))  # fmt: skip
    manifests.act(engine, made["id"], "dispatch", settings=WasteSettings(),
                  calendar=WorkCalendar(), actor="t", now=cst("2026-05-01T07:30"),
                  vehicle_plate="渝D12345", driver="王五")  # fmt: skip
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "users": users, "manifest": made["id"]}
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


def test_the_carrier_leg_is_declared_uploaded_and_its_deviation_shown(
    browser: Any, site: dict[str, Any]
):
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, "enterprise")
    page.goto(f"/waste/manifests/{site['manifest']}")
    assert "尚未申报路线" in page.locator("#leg").inner_text()

    page.fill('#route-form textarea[name="waypoints"]', "106.50,29.60\n106.60,29.60")
    page.once("dialog", lambda dialog: dialog.dismiss())  # dismissed: nothing saved
    page.click("#route-form button[type=submit]")
    assert "尚未申报路线" in page.locator("#leg").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#route-form button[type=submit]")
    assert "已保存申报路线" in page.locator("[role=status]").inner_text()

    rows = "时间,经度,纬度,速度\n" + "".join(
        f"{p['at']},{p['lon']},{p['lat']},{p['speed_kmh']}\n" for p in track())
    page.set_input_files('#track-form input[name="file"]', files=[
        {"name": "track.csv", "mimeType": "text/csv", "buffer": rows.encode()}])
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#track-form button[type=submit]")
    assert "已导入 30 个轨迹点（0 个此前已有）" in page.locator("[role=status]").inner_text()
    finding = page.locator('table[data-table="waste-track-findings"] tbody tr')
    assert finding.count() == 1
    assert finding.locator('td[data-key="kind"]').inner_text() == "偏离申报路线"
    assert finding.locator('td[data-key="start"]').inner_text() == "2026-05-01 08:10:00"
    assert finding.locator('td[data-key="minutes"]').inner_text() == "6.0"
    # drawn: the route, the track and the red stretch of the deviation
    page.wait_for_selector('#waste-track-map[data-ready="1"]')
    assert page.locator("#waste-track-map").get_attribute("data-findings") == "1"
    assert page.locator("#waste-track-map path.leaflet-interactive").count() == 3
    context.close()
