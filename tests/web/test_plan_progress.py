"""Reporting plan progress in the UI: the measure pages, the report form and the matrix.

Page tests run through the ASGI app on SQLite and PostgreSQL (tests.web.conftest); the
browser walk logs in as the demo coordinator on a live server and reports on measure 10
(绿色建筑与绿色建材, unit 市住房城乡建委) until its matrix cell changes. The zone of
tests.web.data has no progress reports, so every cell a report is owed for reads 逾期未报.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from tests.web.conftest import web_app
from tests.web.data import seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not, login

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.plan import rules, service
from ecozone.store.schema import audit_log, plan_evidence, plan_progress

Client = Callable[[str], TestClient]
PNG = b"\x89PNG\r\n\x1a\n" + b"site photo of the green building"
UNIT = "市住房城乡建委"  # the one unit the plan names for measure 10


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def progress_audit(engine: sa.Engine) -> list[tuple[str, str]]:
    """(actor, report id) of the audit entries on plan progress."""
    query = sa.select(audit_log.c.actor, audit_log.c.entity_id).where(
        audit_log.c.entity == "plan_progress"
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def period_due() -> str:
    """The period whose report is owed today (the latest that has ended)."""
    return rules.period_due(service.today_in_china(), service.reporting_cadence()).label


# --- pages through the app ----------------------------------------------------------------


def test_measure_page_shows_the_measure_its_indicators_and_the_form(client_as: Client):
    page = client_as("coordinator").get("/plan/measures/10")
    assert page.status_code == 200
    html = page.text
    assert "10. 绿色建筑与绿色建材" in html
    assert "绿色建材应用比例" in html and "&gt;= 70 %" in html  # target of the indicator
    # the unit list offers the measure's own unit only; statuses read as the legend does
    assert re.findall(
        r'<option value="([^"]+)"', html.split('name="unit"')[1].split("</select>")[0]
    ) == [UNIT]
    for word in ("未启动", "按计划推进", "存在风险", "滞后", "已完成"):
        assert f">{word}</option>" in html
    assert f'name="period" id="period" value="{period_due()}"' in html
    assert 'type="file" id="files" name="files" multiple' in html
    assert "尚无进展报告" in html
    # nothing reported yet: the unit and every district owe this period's report
    assert html.count(">逾期未报</td>") == 1 + 9


def test_supervisor_reads_the_measure_without_the_form(client_as: Client):
    client = client_as("supervisor")
    page = client.get("/plan/measures/10")
    assert page.status_code == 200
    assert 'name="unit"' not in page.text and "进展由方案协调人填报" in page.text
    refused = client.post("/plan/measures/10", data={"unit": UNIT})
    assert refused.status_code == 403


def test_measure_pages_keep_the_plan_page_audience(client_as: Client):
    """As /plan: coordinators, supervisors, admins; the public signs in, enterprises may not."""
    public = client_as("public")
    for path in ("/plan/measures", "/plan/measures/10"):
        answer = public.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        assert client_as("enterprise").get(path).status_code == 403
        assert client_as("admin").get(path).status_code == 200
    assert client_as("coordinator").get("/plan/measures/24").status_code == 404
    assert client_as("coordinator").get("/plan/measures/ten").status_code == 404


def test_measure_list_links_every_measure(client_as: Client):
    html = client_as("coordinator").get("/plan/measures").text
    assert [int(n) for n in re.findall(r'href="/plan/measures/(\d+)"', html)] == list(range(1, 24))


def test_matrix_legend_names_every_word_a_cell_can_show(client_as: Client):
    html = client_as("coordinator").get("/plan").text
    legend = re.findall(r'<li data-legend="(\w+)">.*?</span>([^<]+)</li>', html)
    assert legend == [
        ("not_started", "未启动"), ("on_track", "按计划推进"), ("at_risk", "存在风险"),
        ("off_track", "滞后"), ("done", "已完成"), ("none", "未报告"),
        ("overdue", "逾期未报"), ("not_involved", "不涉及"),
    ]  # fmt: skip
    # the script draws cells with these same texts, handed to it in the page's JSON
    for word in ("按计划推进", "未报告", "逾期未报", "不涉及"):
        assert f'"{word}"' in html


def test_a_refused_report_shows_the_problems_in_chinese_and_keeps_what_was_typed(
    fresh_client_as: Client, fresh_zone
):
    engine, _ids = fresh_zone
    client = fresh_client_as("coordinator")
    answer = client.post(
        "/plan/measures/10",
        data={"unit": "市生态环境局", "district": "两江新区", "period": "2026-13",
              "status": "on_track", "narrative": "核算台账已建立",
              "indicator.green_building_material_share": "七十"},
        files=[("files", ("说明.txt", b"plain text", "text/plain"))],
    )  # fmt: skip
    assert answer.status_code == 400
    html = answer.text
    assert "进展报告未保存，请修改以下问题：" in html
    for problem in (
        "市生态环境局不是第10项任务的责任单位；该任务的单位为市住房城乡建委",
        "报告期“2026-13”格式不对，应为年（2026）、季度（2026-Q3）或月（2026-11）",
        "指标“绿色建材应用比例”的值“七十”不是数字（单位：%）",
        "说明.txt：只接受 JPEG、PNG 照片或 PDF 文件",
    ):
        assert f"<li>{problem}</li>" in html
        assert f'<span class="field-error">{problem}</span>' in html
    assert 'value="2026-13"' in html and ">核算台账已建立</textarea>" in html
    assert 'id="indicator.green_building_material_share" inputmode="decimal" value="七十"' in html
    assert '<option value="两江新区" selected>' in html
    assert '<option value="on_track" selected>' in html
    assert count(engine, plan_progress) == 0 and progress_audit(engine) == []


def test_a_report_from_the_form_is_stored_audited_and_listed_with_its_evidence(
    fresh_client_as: Client, fresh_zone
):
    engine, _ids = fresh_zone
    client = fresh_client_as("coordinator")
    answer = client.post(
        "/plan/measures/10",
        data={"unit": UNIT, "district": "两江新区", "period": period_due(), "status": "at_risk",
              "narrative": "绿色建材应用比例65%，低于70%目标",
              "indicator.green_building_material_share": "65",
              "indicator.public_building_green_star_level": ""},
        files=[("files", ("现场照片.png", PNG, "image/png"))],
    )  # fmt: skip
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/plan/measures/10\?saved=\d+#history", location)
    [report] = service.list_progress(engine, measure=10)
    assert (report.reported_by, report.status.value, dict(report.indicators)) == (
        "coordinator", "at_risk", {"green_building_material_share": 65.0},
    )  # fmt: skip
    assert count(engine, plan_evidence) == 1
    assert progress_audit(engine) == [("coordinator", str(report.id))]

    page = client.get(location).text
    assert f"进展报告已保存（编号 {report.id}）" in page
    digest = hashlib.sha256(PNG).hexdigest()
    href = f"/api/v1/plan/progress/{report.id}/evidence/{digest}"
    assert f'<a href="{href}" download>现场照片.png</a>' in page
    assert "绿色建材应用比例 65 %" in page
    # the unit's and the district's cells now read the reported status, no longer overdue
    assert page.count(">存在风险</td>") == 2 and page.count(">逾期未报</td>") == 8
    # supervisors read the history and download the evidence
    supervisor = fresh_client_as("supervisor")
    assert "现场照片.png" in supervisor.get("/plan/measures/10").text
    assert supervisor.get(href).content == PNG


# --- the walk in a browser ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    hasher, throttle = account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE
    account_rules.PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.LOGIN_THROTTLE = LoginThrottle()
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('plan')}/ecozone.db")
    users = {name: (password, role) for name, password, role in accounts.ensure_demo_users(engine)}
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "engine": engine, "ids": ids, "users": users}
    finally:
        server.stop()
        engine.dispose()
        account_rules.PASSWORD_HASHER, accounts.LOGIN_THROTTLE = hasher, throttle


@pytest.fixture
def page(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=site["url"], accept_downloads=True, viewport={"width": 1440, "height": 960}
        )
        yield context.new_page()
        browser.close()


def cell(page: Any, by: str, measure: int, column: str) -> Any:
    return page.locator(
        f'table.matrix[data-by="{by}"] tr[data-measure="{measure}"] td[data-column="{column}"]'
    )


@pytest.mark.browser
def test_coordinator_reports_progress_and_the_matrix_cell_changes(page: Any, site: dict):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, site, "coordinator")
    assert page.url.endswith("/plan")
    target = cell(page, "unit", 10, UNIT)
    assert target.inner_text() == "逾期未报"
    assert "overdue" in target.get_attribute("class")
    # the cells' words are the legend's words; a unit not named for a measure is a blank
    # grey cell, the legend's 不涉及 swatch
    legend = set(page.locator("ul.legend li").all_inner_texts())
    shown = set(page.locator("table.matrix td:not(.plan-not_involved)").all_inner_texts())
    assert shown <= legend, shown - legend
    free = page.locator("table.matrix td.plan-not_involved")
    assert set(free.all_inner_texts()) == {""}
    assert free.first.get_attribute("title").endswith(" · 不涉及")

    with page.expect_navigation():
        target.get_by_role("link").click()
    assert page.url.endswith("/plan/measures/10")
    assert page.locator("h1").inner_text() == "10. 绿色建筑与绿色建材"

    # first a value that is not a number: refused in Chinese, what was typed stays
    page.select_option("#unit", UNIT)
    page.select_option("#district", "两江新区")
    page.select_option("#status", label="按计划推进")
    page.fill("#narrative", "新建公共建筑绿色建材应用比例核算完成")
    page.fill('[id="indicator.green_building_material_share"]', "七十")
    with page.expect_navigation():
        page.click("form.plan-report button[type=submit]")
    alert = page.get_by_role("alert")
    assert "指标“绿色建材应用比例”的值“七十”不是数字（单位：%）" in alert.inner_text()
    assert page.input_value("#narrative") == "新建公共建筑绿色建材应用比例核算完成"
    assert page.input_value("#status") == "on_track"

    # corrected, with a photo as evidence
    page.fill('[id="indicator.green_building_material_share"]', "72.5")
    page.set_input_files(
        "#files", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    with page.expect_navigation():
        page.click("form.plan-report button[type=submit]")
    assert "进展报告已保存" in page.get_by_role("status").inner_text()
    row = page.locator("table.plan-history tbody tr").first
    assert "按计划推进" in row.inner_text() and "绿色建材应用比例 72.5 %" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name="现场照片.png").click()
    assert download.value.suggested_filename == "现场照片.png"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PNG

    page.goto("/plan")
    target = cell(page, "unit", 10, UNIT)
    assert target.inner_text() == "按计划推进"
    assert "overdue" not in target.get_attribute("class")
    page.get_by_role("tab", name="按区域").click()
    assert cell(page, "district", 10, "两江新区").inner_text() == "按计划推进"
    assert cell(page, "district", 10, "渝中区").inner_text() == "逾期未报"
    assert errors == []


@pytest.mark.browser
def test_supervisor_follows_a_matrix_cell_to_the_progress_history(page: Any, site: dict):
    login(page, site, "supervisor")
    page.goto("/plan")
    with page.expect_navigation():
        cell(page, "unit", 10, UNIT).get_by_role("link").click()
    assert page.url.endswith("/plan/measures/10")
    assert page.locator("table.plan-history").is_visible()
    assert page.locator("form.plan-report").count() == 0
    assert "进展由方案协调人填报" in page.locator("main").inner_text()
