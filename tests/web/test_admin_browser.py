"""The admin pages in a real browser: an admin creates a user, the user signs in, the admin
disables them, they can no longer sign in, and both changes are found in the audit log.

Debian's Chromium driven by Playwright against uvicorn serving the app on a temporary
SQLite database (tests.web.data plus the demo users). Each person has a browser context
of their own; nobody signs out through a link, a fresh context is a signed-out browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from tests.web.conftest import web_app
from tests.web.data import seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle

pytestmark = pytest.mark.browser

NEW_USER, NEW_PASSWORD = "inspector-li", "inspector-2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    engine, _ids = seed(f"sqlite:///{tmp_path_factory.mktemp('admin-site')}/ecozone.db")
    users = {name: password for name, password, _role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "engine": engine, "users": users}
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


def person(browser: Any, site: dict[str, Any]) -> Any:
    """A page in a browser context of its own: its own cookies, signed out to begin with."""
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    return context.new_page()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("form[action='/login'] button[type=submit]")


def open_from_menu(page: Any, label: str) -> None:
    page.click("nav .menu-group summary:has-text('系统管理')")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click(f"nav .menu-group a:text-is('{label}')")


def test_admin_creates_and_disables_a_user_and_finds_both_in_the_audit_log(browser, site):
    admin = person(browser, site)
    sign_in(admin, "admin", site["users"]["admin"])
    open_from_menu(admin, "用户")
    assert admin.url.endswith("/admin/users")
    with admin.expect_navigation():
        admin.click("a:text-is('新建用户')")

    # a password too short is named under its field, and what was typed stays
    admin.fill("#username", NEW_USER)
    admin.fill("#display_name", "李检查")
    admin.select_option("#role", "supervisor")
    admin.select_option("#district", "两江新区")
    admin.fill("#password", "short")
    with admin.expect_navigation():
        admin.click("button:text-is('创建用户')")
    assert admin.locator("#err-password").inner_text() == "密码只有 5 个字符，至少需要 8 个"
    assert admin.input_value("#username") == NEW_USER
    assert admin.input_value("#district") == "两江新区"
    admin.fill("#password", NEW_PASSWORD)
    with admin.expect_navigation():
        admin.click("button:text-is('创建用户')")
    assert admin.url.endswith(f"/admin/users/{NEW_USER}?created=1")
    assert "用户已创建" in admin.locator(".alert-box.notice").inner_text()

    # the new user signs in and lands on the supervisor's dashboard
    inspector = person(browser, site)
    sign_in(inspector, NEW_USER, NEW_PASSWORD)
    assert inspector.url == site["url"] + "/"
    assert inspector.locator('.user[data-role="supervisor"]').inner_text().startswith(NEW_USER)

    # the admin disables them, after ticking the confirmation
    admin.check("#state-form input[name=confirm]")
    with admin.expect_navigation():
        admin.click("#state-form button:text-is('停用该用户')")
    assert admin.url.endswith(f"/admin/users/{NEW_USER}?disabled=1")
    assert admin.locator("h1 .tag").inner_text() == "已停用"

    # their open session has ended, and signing in again is refused
    inspector.reload()
    assert inspector.locator(".user").count() == 0
    again = person(browser, site)
    sign_in(again, NEW_USER, NEW_PASSWORD)
    assert "/login" in again.url
    assert again.locator(".alert-box.error").is_visible()

    # both changes are in the audit log, found by their target and who made them (the
    # user's own login is there too, under their name)
    open_from_menu(admin, "审计日志")
    admin.fill("input[name=target]", NEW_USER)
    admin.fill("input[name=actor]", "admin")
    with admin.expect_navigation():
        admin.click("form.filters button[type=submit]")
    rows = admin.locator("table[data-table=audit-log] tbody tr")
    assert rows.count() == 2
    newest, oldest = rows.nth(0), rows.nth(1)
    assert newest.locator("td[data-key=action]").inner_text() == "update"
    assert newest.locator("td[data-key=actor]").inner_text() == "admin"
    assert '"active": false' in newest.locator("td[data-key=after]").inner_text()
    assert oldest.locator("td[data-key=action]").inner_text() == "create"
    assert '"district": "两江新区"' in oldest.locator("td[data-key=after]").inner_text()
    for page in (admin, inspector, again):
        page.context.close()


def test_the_admin_issues_a_token_that_is_shown_once(browser, site):
    admin = person(browser, site)
    sign_in(admin, "admin", site["users"]["admin"])
    admin.goto("/admin/tokens")
    admin.select_option("#token-user", "supervisor")
    with admin.expect_navigation():
        admin.click("button:text-is('发放')")
    token = admin.locator("#new-token").inner_text()
    assert len(token) == 43
    admin.goto("/admin/tokens")
    assert token not in admin.content()
    row = admin.locator("table[data-table=api-tokens] tbody tr").filter(has_text="supervisor")
    row.locator("input[name=confirm]").check()
    with admin.expect_navigation():
        row.locator("button:text-is('吊销')").click()
    assert "已吊销" in admin.locator(".alert-box.notice").inner_text()
    admin.context.close()
