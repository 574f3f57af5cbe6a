"""The archive page in a real browser: the admin archives a past month after ticking the
confirmation (without it the browser does not send the form), finds it in the catalogue with
its rows, and restores it.

Debian's Chromium driven by Playwright against uvicorn serving the app on a temporary
SQLite database (tests.web.data, the demo users, and a day of March 2024 added here).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.data import seed
from tests.web.server import LiveServer
from tests.web.test_admin_browser import open_from_menu, person, sign_in
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.archive import store
from ecozone.archive.rules import Month
from ecozone.measurements.store import upsert_measurements

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("archive-site")
    patch = pytest.MonkeyPatch()
    patch.setenv("ECOZONE_ARCHIVE_DIR", str(folder / "archive"))
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    engine, _ids = seed(f"sqlite:///{folder}/ecozone.db")
    with engine.begin() as conn:
        point_id = conn.execute(sa.text("SELECT min(id) FROM point")).scalar_one()
        # 1 March 2024, 24 hourly SO2 values: one month the admin may archive
        upsert_measurements(conn, [
            {"point_id": point_id, "pollutant": "a21026", "kind": "hour",
             "data_time": datetime(2024, 3, 1, h), "avg": 10.0 + h} for h in range(24)
        ])  # fmt: skip
    users = {name: password for name, password, _role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "engine": engine, "users": users}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE = hasher, throttle
        patch.undo()


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_the_admin_archives_a_month_after_confirming_and_restores_it(browser, site):
    engine = site["engine"]
    admin = person(browser, site)
    sign_in(admin, "admin", site["users"]["admin"])
    open_from_menu(admin, "数据归档")
    assert admin.url.endswith("/admin/archive")
    assert admin.locator("table[data-table=archive-months] tr.empty").count() == 1
    row = admin.locator("#live-2024-03")

    # without the confirmation the browser keeps the form: nothing is archived
    row.locator("button:text-is('归档')").click()
    assert admin.url.endswith("/admin/archive")
    with engine.connect() as conn:
        assert store.month_figures(conn, Month(2024, 3))[0] == 24

    row.locator("input[name=confirm]").check()
    with admin.expect_navigation():
        row.locator("button:text-is('归档')").click()
    assert admin.url.endswith("/admin/archive?archived=2024-03")
    assert admin.locator(".alert-box.notice").inner_text() == "2024-03 已归档"
    archived = admin.locator("#archive-2024-03")
    assert archived.locator("td[data-key=state]").inner_text() == "已归档"
    assert archived.locator("td[data-key=rows]").inner_text() == "24"
    assert admin.locator("#live-2024-03").count() == 0
    with engine.connect() as conn:
        assert store.month_figures(conn, Month(2024, 3))[0] == 0

    archived.locator("input[name=confirm]").check()
    with admin.expect_navigation():
        archived.locator("button:text-is('恢复到数据库')").click()
    assert admin.locator(".alert-box.notice").inner_text() == "2024-03 已恢复到数据库"
    assert admin.locator("#archive-2024-03 td[data-key=state]").inner_text() == "已恢复"
    with engine.connect() as conn:
        assert store.month_figures(conn, Month(2024, 3))[0] == 24
    admin.context.close()
