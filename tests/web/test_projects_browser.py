"""The project pages in a real browser: a district supervisor registers a 报告表 project of a
builder not yet registered, moves it through every stage with confirmations (dismissing one
moves nothing), reads its clock and the schedule, and sees the operating project's
enterprise in the registry; the builder's own user registers and submits its project and is
offered nothing more.

The zone is tests.projects' (两江新区 with 重庆甲化工有限公司, the enterprise user's).
Debian's Chromium and Playwright against uvicorn, as test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.projects.conftest import code, seed
from tests.web.conftest import web_app
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise, point

pytestmark = pytest.mark.browser
BUILDER = code(21)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher = account_rules.PASSWORD_HASHER
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('projects')}/ecozone.db")
    upgrade_engine(engine)
    seed(engine)
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


def move(page: Any, stage: str, day: str, reason: str) -> None:
    form = page.locator(f'form[data-move="{stage}"]')
    form.locator('input[name="on_date"]').fill(day)
    form.locator('input[name="reason"]').fill(reason)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已办理" in page.locator(".alert-box.notice").inner_text()
    assert page.locator(f'[data-stage="{stage}"]').count() == 1


def test_a_supervisor_takes_a_project_from_planning_to_operation(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, "district-supervisor")
    page.click("nav .menu-group summary:has-text('项目与风险')")
    with page.expect_navigation():
        page.click("nav .menu-group a:text-is('建设项目环评')")
    with page.expect_navigation():
        page.click("a[data-new-project]")
    form = page.locator("form[data-project-form]")
    form.locator('input[name="name"]').fill("年产 5 万吨新材料项目")
    form.locator('input[name="builder_name"]').fill("重庆丙新材料有限公司")
    form.locator('input[name="credit_code"]').fill(BUILDER)
    form.locator('input[name="industry"]').fill("新材料制造")
    form.locator('select[name="category"]').select_option("form")
    form.locator('input[name="major"]').check()
    form.locator('input[name="lon"]').fill("东经106.6")
    form.locator('input[name="lat"]').fill("29.72")
    form.locator('textarea[name="outlets"]').fill(
        "DA001 工艺废气排放口 flue_gas 106.611 29.721\nDW001 废水总排口 wastewater")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "经度" in page.locator(".alert-box.error").inner_text()  # refused, typed text kept
    page.locator('input[name="lon"]').fill("106.61")
    with page.expect_navigation():
        page.locator("form[data-project-form] button[type=submit]").click()
    assert "项目已登记" in page.locator(".alert-box.notice").inner_text()

    # Dismissing the confirmation moves nothing.
    form = page.locator('form[data-move="submitted"]')
    form.locator('input[name="on_date"]').fill("2026-03-04")
    form.locator('input[name="reason"]').fill("建设单位报批")
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.locator("button[type=submit]").click()
    assert page.locator('[data-stage="planning"]').count() == 1

    move(page, "submitted", "2026-03-04", "建设单位报批")
    move(page, "accepted", "2026-03-06", "材料齐全，予以受理")
    move(page, "technical_review", "2026-03-10", "委托技术评估")
    assert page.locator('[data-clock="paused"]').count() == 1
    move(page, "public_notice", "2026-03-20", "技术评估完成，拟批准公示")
    # Friday 6 March; 10..19 March paused; 3 + 12 + 15 = 30 days: Wednesday 15 April.
    assert page.locator("[data-due]").inner_text() == "2026-04-15"
    move(page, "approved", "2026-04-10", "予以批复")
    assert page.locator('[data-clock="met"]').count() == 1
    history = page.locator('table[data-table="eia-transitions"] tbody tr')
    assert history.count() == 6
    assert "委托技术评估" in history.nth(3).inner_text()
    for stage, day in (("construction", "2026-04-20"), ("acceptance", "2026-09-01"),
                       ("permit", "2026-09-20"), ("operation", "2026-10-01")):
        move(page, stage, day, "按期办理")
    assert page.locator("text=当前阶段无可办理事项").count() == 1
    with site["engine"].connect() as conn:
        made = conn.execute(sa.select(enterprise.c.id, enterprise.c.name).where(
            enterprise.c.credit_code == BUILDER)).one()  # fmt: skip
        outlets = conn.execute(sa.select(point.c.code).where(
            point.c.enterprise_id == made.id).order_by(point.c.code)).scalars().all()  # fmt: skip
    assert made.name == "重庆丙新材料有限公司" and outlets == ["DA001", "DW001"]
    assert page.locator(f'a[href="/enterprises/{BUILDER}"]').count() == 1

    page.goto("/projects/schedule")
    row = page.locator("[data-gantt] .gantt-row", has=page.locator("a", has_text="新材料项目"))
    assert row.get_attribute("data-clock") == "met"
    assert row.locator("[data-due]").inner_text().startswith("2026-04-15")
    assert row.locator(".gantt-pause").count() == 1
    context.close()


def test_a_builder_registers_and_submits_its_own_project(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, "enterprise")
    page.goto("/projects/new")
    form = page.locator("form[data-project-form]")
    assert form.locator('input[name="builder_name"]').count() == 0  # its own enterprise only
    form.locator('input[name="name"]').fill("甲化工技改项目")
    form.locator('input[name="industry"]').fill("化学原料制造")
    form.locator('input[name="lon"]').fill("106.55")
    form.locator('input[name="lat"]').fill("29.70")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator('[data-stage="planning"]').count() == 1
    assert page.locator("form[data-pause]").count() == 0
    move(page, "submitted", "2026-11-02", "申请审批")
    assert page.locator("form[data-move]").count() == 0  # acceptance is the bureau's
    page.goto("/projects")
    rows = page.locator('table[data-table="eia-projects"] tbody tr')
    assert rows.count() == 1 and "甲化工技改项目" in rows.first.inner_text()
    context.close()


def confirm_submit(page: Any, form: Any) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_supervisor_pauses_for_a_hearing_records_a_sampling_and_checks_deadlines(
    browser: Any, site: dict[str, Any]
) -> None:
    from ecozone.accounts.model import Role, Scope
    from ecozone.projects import service

    admin = Scope(role=Role.ADMIN)
    engine = site["engine"]
    normal = service.create_project(engine, admin, {
        "name": "听证示例项目", "enterprise": code(1), "industry": "化工", "category": "form",
        "lon": 106.55, "lat": 29.70}, actor="seed")  # fmt: skip
    pledge = service.create_project(engine, admin, {
        "name": "承诺制示例项目", "enterprise": code(1), "industry": "化工", "category": "form",
        "route": "pledge", "major": True, "lon": 106.55, "lat": 29.70}, actor="seed")  # fmt: skip
    for p, steps in ((normal, ("submitted", "accepted")),
                     (pledge, ("submitted", "accepted", "approved"))):
        for stage in steps:
            service.transition(engine, admin, p.id, stage, on_date="2026-03-06",
                               reason="seed", actor="seed")  # fmt: skip
    context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
    page = context.new_page()
    login(page, site, "district-supervisor")

    page.goto(f"/projects/{normal.id}")
    form = page.locator("form[data-pause]")
    form.locator('select[name="kind"]').select_option("hearing")
    form.locator('input[name="start"]').fill("2026-03-10")
    form.locator('input[name="reason"]').fill("公众听证")
    confirm_submit(page, form)
    assert "已暂停" in page.locator(".alert-box.notice").inner_text()
    assert page.locator('[data-clock="paused"]').count() == 1
    form = page.locator("form[data-resume]")
    form.locator('input[name="end"]').fill("2026-03-20")
    confirm_submit(page, form)
    # Friday 6 March, 10..19 March heard: 30 days end on Wednesday 15 April.
    assert page.locator("[data-due]").inner_text() == "2026-04-15"
    pauses = page.locator('table[data-table="eia-pauses"] tbody tr')
    assert "听证" in pauses.first.inner_text() and "2026-03-20" in pauses.first.inner_text()

    page.goto(f"/projects/{pledge.id}")
    assert page.locator('[data-sampling="pending"]').count() == 1
    form = page.locator("form[data-sampling-form]")
    form.locator('select[name="outcome"]').select_option("nonconforming")
    form.locator('input[name="checked_on"]').fill("2026-04-20")
    confirm_submit(page, form)
    assert page.locator(".alert-box.error").inner_text() == "抽查说明：不能为空"  # say what was found
    form = page.locator("form[data-sampling-form]")
    form.locator('select[name="outcome"]').select_option("nonconforming")
    form.locator('input[name="checked_on"]').fill("2026-04-20")
    form.locator('input[name="note"]').fill("污染防治设施与承诺不符")
    confirm_submit(page, form)
    assert page.locator('[data-sampling="nonconforming"]').inner_text() == "承诺不实"

    page.goto("/projects")
    sampled = page.locator('table[data-table="eia-sampling"] tbody tr',
                           has=page.locator("a", has_text="承诺制示例项目"))
    assert "承诺不实" in sampled.inner_text()
    confirm_submit(page, page.locator("form[data-check]"))
    assert "已检查审批时限" in page.locator(".alert-box.notice").inner_text()

    page.goto("/projects/schedule")
    report = page.locator("form[data-report]")
    report.locator('input[name="month"]').fill("2026-03")
    report.locator('select[name="format"]').select_option("xlsx")
    with page.expect_download() as download:
        report.locator("button[type=submit]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "2026" in download.value.suggested_filename
    context.close()
