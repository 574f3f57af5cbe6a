"""The alert desk in a real browser, each role doing its part of the closed loop.

A supervisor dispatches an exceedance with a deadline, the enterprise answers with a PNG
photo (after a refused text file, keeping what it typed), the supervisor sends the answer
back once, the enterprise answers again, the supervisor verifies and closes; a
device-vs-computed mismatch is closed as a false alarm with a reason; the list filters and
counts. Debian's Chromium and Playwright against uvicorn, as tests/web/test_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.data import SO2, add_alert, local, seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.compliance.alerts import remind_overdue
from ecozone.store.schema import alert

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
SO2_LIMIT = 35.0


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """tests.web.data's zone plus an open SO2 exceedance and an hourly-value mismatch of
    POWER's stack, served on a real port with the demo users."""
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    now = datetime.now(UTC)
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('desk')}/ecozone.db", now)
    hour = local(now).replace(minute=0, second=0, microsecond=0)
    with engine.begin() as conn:
        # the hourly SO2 values of tests.web.data, converted (30 + h) * 1.25, exceed 35
        exceedance = add_alert(
            conn, type="exceedance", point_id=ids["power_da"], enterprise_id=ids["power"],
            pollutant=SO2, start=hour - timedelta(hours=6), end=hour - timedelta(hours=2),
            peak=45.0, limit_value=SO2_LIMIT, state="open",
            detail={"basis": "hour", "unit": "mg/m3", "converted_to_reference_o2": True},
        )  # fmt: skip
        mismatch = add_alert(
            conn, type="hour_mismatch", point_id=ids["power_da"], enterprise_id=ids["power"],
            pollutant=SO2, start=hour - timedelta(hours=4), end=hour - timedelta(hours=3),
            peak=11.0, limit_value=10.0, state="open",
            detail={"unit": "mg/m3", "hours": [{"data_time": "2026-01-01T08:00:00+08:00",
                                                 "computed": 100.0, "device": 89.0}]},
        )  # fmt: skip
        # dispatched long ago with a deadline long past: overdue
        overdue = add_alert(
            conn, type="offline", point_id=ids["power_dw"], enterprise_id=ids["power"],
            start=datetime(2025, 12, 30, 8), state="dispatched", deadline=date(2026, 1, 6),
        )  # fmt: skip
        chemical_alert = conn.execute(
            sa.select(alert.c.id).where(alert.c.enterprise_id == ids["chemical"])
        ).scalar_one()
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "engine": engine, "ids": ids, "users": users,
               "exceedance": exceedance, "mismatch": mismatch, "chemical_alert": chemical_alert, "overdue": overdue}  # fmt: skip
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


def page_as(browser: Any, site: dict[str, Any], username: str) -> Any:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, username)
    return page


def take_step(page: Any, step: str, **fields: str) -> None:
    """Fill a step's form, press its button, confirm in the dialog, wait for the answer."""
    form = page.locator(f'form[data-step="{step}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator("button[type=submit]").click()
    dialog = page.locator("dialog#confirm-step")
    dialog.wait_for(state="visible")
    assert dialog.locator("[data-message]").inner_text()  # says what is about to happen
    with page.expect_navigation(wait_until="domcontentloaded"):
        dialog.locator("button[data-ok]").click()


def state_of(page: Any) -> str:
    return page.locator(".page-head .alert-state").get_attribute("data-state")


def history(page: Any) -> list[str]:
    return page.locator(".desk-history > li").evaluate_all(
        "items => items.map(li => li.dataset.action)"
    )


def test_supervisor_and_enterprise_walk_the_closed_loop(browser: Any, site: dict[str, Any]):
    alert_url = f"/alerts/{site['exceedance']}"
    supervisor = page_as(browser, site, "supervisor")
    supervisor.goto(alert_url)
    # the evidence: the series around the alert, with the permit limit drawn
    supervisor.wait_for_selector("#evidence[data-points]", state="attached")
    assert int(supervisor.locator("#evidence").get_attribute("data-points")) > 0
    assert supervisor.locator("#evidence").get_attribute("data-limit") == "35"
    assert supervisor.locator('.figures [data-key="peak"]').inner_text() == "45 mg/m3"
    # a cancelled confirmation sends nothing
    supervisor.locator('form[data-step="dispatch"] button[type=submit]').click()
    supervisor.locator("dialog#confirm-step button[value=cancel]").click()
    assert state_of(supervisor) == "open"
    take_step(supervisor, "dispatch", deadline_days="3", comment="请核查脱硫设施运行情况")
    assert state_of(supervisor) == "dispatched"
    assert supervisor.locator(".alert-box.notice").inner_text() == "已派单。"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d", supervisor.locator('dd[data-key="deadline"]').inner_text()
    )
    assert supervisor.locator('form[data-step="feedback"]').count() == 0  # not the supervisor's

    enterprise = page_as(browser, site, "enterprise")
    enterprise.goto(alert_url)
    assert [f.get_attribute("data-step") for f in enterprise.locator("form.step").all()] == [
        "feedback"
    ]
    form = enterprise.locator('form[data-step="feedback"]')
    form.locator("#files").set_input_files(
        {"name": "说明.txt", "mimeType": "image/png", "buffer": b"plain text"}
    )
    take_step(enterprise, "feedback", cause="脱硫循环泵跳停", measures="已切换备用泵")
    error = enterprise.locator('form[data-step="feedback"] .alert-box.error').inner_text()
    assert error.startswith("附件不符合要求") and "说明.txt" in error
    assert enterprise.locator("#cause").input_value() == "脱硫循环泵跳停"  # kept as typed
    assert state_of(enterprise) == "dispatched"
    enterprise.locator("#files").set_input_files(
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}
    )
    take_step(enterprise, "feedback", cause="脱硫循环泵跳停", measures="已切换备用泵")
    assert state_of(enterprise) == "feedback"
    link = enterprise.locator(".attachments a")
    assert link.inner_text() == "现场照片.png"
    href = link.get_attribute("href")

    supervisor.goto(alert_url)
    downloaded = supervisor.request.get(href)
    assert (downloaded.status, downloaded.body()) == (200, PNG)
    take_step(supervisor, "send_back", comment="请补充泵检修记录")
    assert state_of(supervisor) == "dispatched"

    enterprise.goto(alert_url)
    take_step(enterprise, "feedback", cause="脱硫循环泵跳停", measures="已切换备用泵，附检修记录")
    assert state_of(enterprise) == "feedback"

    supervisor.goto(alert_url)
    take_step(supervisor, "verify", comment="现场核实属实")
    take_step(supervisor, "close")
    assert state_of(supervisor) == "closed"
    assert history(supervisor) == [
        "dispatch", "feedback", "send_back", "feedback", "verify", "close"
    ]  # fmt: skip
    assert "整改办结" in supervisor.locator(".page-head .facts").inner_text()
    # the enterprise never sees another enterprise's alert: 404, as for a missing one
    other = f"/alerts/{site['chemical_alert']}"
    assert enterprise.goto(other).status == 404
    assert enterprise.request.get(f"{other}/attachments/{'0' * 64}").status == 404


def test_a_mismatch_shows_device_and_computed_values_and_closes_as_a_false_alarm(
    browser: Any, site: dict[str, Any]
):
    supervisor = page_as(browser, site, "supervisor")
    supervisor.goto(f"/alerts/{site['mismatch']}")
    figures = supervisor.locator(".figures")
    assert figures.locator('[data-key="device"]').inner_text() == "89 mg/m3"
    assert figures.locator('[data-key="computed"]').inner_text() == "100 mg/m3"
    assert figures.locator('[data-key="peak"], [data-key="limit"]').count() == 0
    # the reason is required: the browser will not send the form without it
    supervisor.locator('form[data-step="false_alarm"] button[type=submit]').click()
    assert supervisor.locator("dialog#confirm-step").is_visible() is False
    take_step(supervisor, "false_alarm", comment="当时在做设备比对校准")
    assert state_of(supervisor) == "closed"
    assert supervisor.locator(".desk-history .tag").inner_text() == "误报"


def test_the_list_filters_counts_and_marks_overdue(browser: Any, site: dict[str, Any]):
    page = page_as(browser, site, "supervisor")
    page.goto("/alerts")
    counts = dict(
        page.locator(".state-tabs a").evaluate_all(
            "tabs => tabs.map(a => [a.dataset.state, Number(a.querySelector('.count').textContent)])"
        )
    )
    assert counts["all"] == sum(counts[s] for s in
                                ("open", "dispatched", "feedback", "verified", "closed"))  # fmt: skip
    page.select_option('select[name="type"]', "hour_mismatch")
    with page.expect_navigation():
        page.click(".filters button[type=submit]")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    figures = rows.first.locator('td[data-key="figures"]').inner_text()
    assert figures.startswith("设备值 89 · 计算值 100")
    page.goto("/alerts?state=dispatched")
    assert page.locator('.state-tabs a[aria-current="page"]').get_attribute("data-state") == (
        "dispatched"
    )
    assert all(s == "已派发" for s in page.locator('td[data-key="state"]').all_inner_texts())
    # the timer's reminder: recorded once, shown in the list and on the alert
    assert remind_overdue(site["engine"]) == [site["overdue"]]
    assert remind_overdue(site["engine"]) == []
    page.goto("/alerts?state=overdue")
    row = page.locator("table.data tbody tr.overdue")
    assert row.count() == 1
    assert re.fullmatch(r"逾期 \d+ 个工作日", row.locator('td[data-key="overdue"]').inner_text())
    page.goto(f"/alerts/{site['overdue']}")
    assert page.locator(".page-head .badge.overdue").inner_text().startswith("已逾期")
    assert history(page) == ["remind"]
    page.goto("/alerts?type=nonsense")
    assert "无法识别" in page.locator(".alert-box.error").inner_text()
