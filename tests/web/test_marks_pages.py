"""The data-marking page (/marks): an enterprise declares and revokes marks for its own points,
a supervisor filters, reviews and exports them; then the same walk in a real browser.

The zone is tests.web.data: POWER (两江新区) has two marks, a calibration of DA001 declared
two hours after it began (补报) and a maintenance of DW001 declared a day ahead; the
enterprise user is POWER's. Declared ranges lie in 2030 so that they are ahead of any clock.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from tests.web import test_browser
from tests.web.data import CHEMICAL

from ecozone.compliance.marks import declare_mark
from ecozone.store.schema import data_mark

DECLARATION = {
    "kind": "maintenance",
    "pollutant": "",
    "start": "2030-01-01T08:00",
    "end": "2030-01-01T10:00",
    "reason": "CEMS 季度维护",
}


def mark_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(data_mark)).scalar_one()


def chemical_mark(engine: sa.Engine, ids: dict[str, int]) -> int:
    return declare_mark(
        engine, point_id=ids["chem_da"], kind="fault", start="2030-02-01T00:00",
        end="2030-02-01T03:00", reason="化工厂分析仪故障", actor="chem",
    )["id"]  # fmt: skip


# --- reading ------------------------------------------------------------------------------


def test_the_menu_offers_data_marks_under_online_monitoring(client_as):
    for role in ("enterprise", "supervisor", "admin"):
        page = client_as(role).get("/marks")
        assert page.status_code == 200, role
        assert "<summary>在线监控</summary>" in page.text and 'href="/marks"' in page.text
    assert client_as("coordinator").get("/marks").status_code == 403
    public = client_as("public").get("/marks")
    assert (public.status_code, public.headers["location"]) == (303, "/login?next=%2Fmarks")


def test_enterprise_sees_its_marks_with_the_late_one_highlighted_and_its_own_points_only(
    client_as, ids
):
    page = client_as("enterprise").get("/marks").text
    # the calibration began at 10:00 and was declared at 12:00: two hours late
    assert 'class="late state-pending"' in page and "补报（晚2小时）" in page
    assert "季度校准" in page and "更换试剂" in page
    assert f'<option value="{ids["power_da"]}"' in page
    assert f'<option value="{ids["power_dw"]}"' in page
    assert f'<option value="{ids["chem_da"]}"' not in page  # not its point
    assert 'type="datetime-local"' in page
    assert 'action="/marks/1/revoke"' in page and "data-confirm" in page
    assert 'action="/marks/1/review"' not in page  # reviewing is the supervisor's


def test_the_page_speaks_english_on_request(client_as):
    page = client_as("enterprise").get("/marks?lang=en").text
    assert "Declare a data mark" in page and "late by 2 h" in page


# --- declaring ------------------------------------------------------------------------------


def test_enterprise_declares_a_maintenance_mark_and_sees_it_listed(fresh_client_as, fresh_zone):
    _engine, ids = fresh_zone
    client = fresh_client_as("enterprise")
    sent = client.post("/marks", data={**DECLARATION, "point_id": str(ids["power_da"])})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/marks?declared=3#mark-3"
    page = client.get("/marks?declared=3").text
    assert "数据标记 3 已申报。" in page
    row = page[page.index('id="mark-3"') :].split("</tr>")[0]
    assert "CEMS 季度维护" in row and "2030-01-01 08:00" in row and "待审核" in row
    assert 'class=" state-pending"' in page  # declared ahead: not late


def test_mistakes_are_named_in_chinese_and_the_form_keeps_what_was_typed(
    fresh_client_as, fresh_zone
):
    engine, ids = fresh_zone
    client = fresh_client_as("enterprise")
    typed = {**DECLARATION, "point_id": str(ids["power_dw"]), "pollutant": "w01018",
             "kind": "calibration", "end": "2030-01-01T07:00", "reason": "  "}  # fmt: skip
    answer = client.post("/marks", data=typed)
    assert answer.status_code == 400
    assert "结束时间必须晚于开始时间。" in answer.text and "请填写标记原因。" in answer.text
    assert f'<option value="{ids["power_dw"]}" selected>' in answer.text
    assert '<option value="w01018" selected>' in answer.text
    assert 'value="calibration" checked' in answer.text
    assert 'value="2030-01-01T08:00"' in answer.text and 'value="2030-01-01T07:00"' in answer.text

    # 2030-01-01 → 2031-02-01 is 365 + 31 = 396 days, more than the 366 allowed
    too_long = client.post("/marks", data={**DECLARATION, "point_id": str(ids["power_da"]),
                                           "end": "2031-02-01T00:00"})  # fmt: skip
    assert too_long.status_code == 400 and "标记时段超过 366 天，请分段申报。" in too_long.text
    bad_time = client.post("/marks", data={**DECLARATION, "point_id": str(ids["power_da"]),
                                           "start": "明天"})  # fmt: skip
    assert bad_time.status_code == 400 and "时间格式不正确" in bad_time.text
    assert "CEMS 季度维护" in bad_time.text  # the reason typed is kept
    assert mark_count(engine) == 2  # nothing was stored


def test_another_enterprises_point_is_refused_like_a_missing_one(fresh_client_as, fresh_zone):
    engine, ids = fresh_zone
    client = fresh_client_as("enterprise")
    foreign = client.post("/marks", data={**DECLARATION, "point_id": str(ids["chem_da"])})
    missing = client.post("/marks", data={**DECLARATION, "point_id": "999999"})
    assert foreign.status_code == missing.status_code == 404
    assert "未找到该监测点位，请从列表中选择本企业的点位。" in foreign.text
    assert foreign.text == missing.text
    assert mark_count(engine) == 2
    assert fresh_client_as("coordinator").post("/marks", data=DECLARATION).status_code == 403


def test_enterprise_revokes_its_own_mark_but_not_another_enterprises(fresh_client_as, fresh_zone):
    engine, ids = fresh_zone
    other = chemical_mark(engine, ids)
    client = fresh_client_as("enterprise")
    assert client.post(f"/marks/{other}/revoke").status_code == 404
    done = client.post("/marks/2/revoke", data={"back": "kind=maintenance&evil=1"})
    assert (done.status_code, done.headers["location"]) == (
        303, "/marks?kind=maintenance&revoked=2",
    )  # fmt: skip
    page = client.get("/marks?state=revoked").text
    assert 'id="mark-2" class="revoked state-revoked"' in page and "已撤销" in page
    assert client.post("/marks/2/revoke").status_code == 400  # revoked already


# --- reviewing and exporting -----------------------------------------------------------------


def test_supervisor_filters_by_district_enterprise_kind_state_period_and_lateness(
    fresh_client_as, fresh_zone
):
    engine, ids = fresh_zone
    other = chemical_mark(engine, ids)
    client = fresh_client_as("supervisor")

    def listed(query: str) -> list[str]:
        page = client.get(f"/marks?{query}").text
        return sorted(part.split('"')[0] for part in page.split('<tr id="mark-')[1:])

    assert listed("") == ["1", "2", str(other)]
    assert listed(f"district={ids['district_lj']}") == ["1", "2"]
    assert listed(f"enterprise={CHEMICAL}") == [str(other)]
    assert listed("kind=calibration") == ["1"]
    assert listed("late=1") == ["1"]
    assert listed("start=2030-02-01&end=2030-02-01") == [str(other)]
    assert listed("state=accepted") == []
    assert client.get("/marks?kind=holiday").status_code == 400


def test_supervisor_rejects_a_mark_with_a_comment(fresh_client_as):
    client = fresh_client_as("supervisor")
    bare = client.post("/marks/1/review", data={"decision": "rejected", "comment": " "})
    assert bare.status_code == 400 and "驳回时请填写审核意见。" in bare.text
    done = client.post("/marks/1/review", data={"decision": "rejected", "comment": "无校准记录"})
    assert (done.status_code, done.headers["location"]) == (303, "/marks?reviewed=1")
    row = client.get("/marks").text.split('id="mark-1"')[1].split("</tr>")[0]
    assert "审核不通过" in row and "无校准记录" in row and "supervisor" in row
    assert (
        fresh_client_as("enterprise")
        .post("/marks/2/review", data={"decision": "accepted"})
        .status_code
        == 403
    )


def test_a_district_supervisor_reviews_only_in_its_district(fresh_client_as, fresh_zone):
    engine, ids = fresh_zone
    other = chemical_mark(engine, ids)  # 重庆高新区
    client = fresh_client_as("district-supervisor")  # 两江新区
    assert client.post(f"/marks/{other}/review", data={"decision": "accepted"}).status_code == 404
    assert client.post("/marks/2/review", data={"decision": "accepted"}).status_code == 303
    assert f'id="mark-{other}"' not in client.get("/marks").text


def test_the_list_exports_as_csv_and_xlsx_with_its_filters(client_as):
    client = client_as("supervisor")
    text = client.get("/web/api/marks", params={"format": "csv"}).text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["编号", "区域", "企业", "点位"] and "补报" in rows[0]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["1"][rows[0].index("补报")] == "补报（晚2小时）"
    assert by_id["2"][rows[0].index("补报")] == ""
    sheet = client.get("/web/api/marks", params={"format": "xlsx", "kind": "maintenance"})
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert [r[0] for r in book.active.iter_rows(values_only=True)] == ["编号", 2]
    assert client_as("coordinator").get("/web/api/marks").status_code == 403


# --- the walk in a real browser ---------------------------------------------------------------

# The live server and Chromium of the browser tests, one of each for this module.
site = test_browser.site
browser = test_browser.browser
login = test_browser.login


@pytest.mark.browser
def test_enterprise_declares_a_maintenance_mark_and_a_supervisor_rejects_it(
    browser: Any, site: dict[str, Any]
):
    def page_as(username: str) -> Any:
        context = browser.new_context(base_url=site["url"], viewport={"width": 1440, "height": 960})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login(page, site, username)
        return page, errors

    page, errors = page_as("enterprise")
    page.locator("summary", has_text="在线监控").click()
    page.get_by_role("link", name="数据标记").click()
    page.wait_for_url("**/marks")
    page.select_option("#mark-point", label="重庆示例热电有限公司 · DA001 1号锅炉烟囱")
    page.check("input[name=kind][value=maintenance]")
    page.fill("#mark-start", "2030-03-01T08:00")
    page.fill("#mark-end", "2030-03-01T06:00")  # before the start: refused, form kept
    page.fill("#mark-reason", "更换采样管线")
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_selector(".alert-box.error")
    assert "结束时间必须晚于开始时间。" in page.locator(".alert-box.error").inner_text()
    assert page.input_value("#mark-reason") == "更换采样管线"
    page.fill("#mark-end", "2030-03-01T12:00")
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_selector(".alert-box.notice")
    row = page.locator("tr", has_text="更换采样管线")
    assert "待审核" in row.inner_text() and "2030-03-01 08:00" in row.inner_text()
    mark_id = row.get_attribute("id").removeprefix("mark-")
    assert errors == []

    page, errors = page_as("supervisor")
    page.goto("/marks?kind=maintenance")
    row = page.locator(f"#mark-{mark_id}")
    row.locator("summary", has_text="审核").click()
    row.get_by_label("审核意见").fill("未提供维护计划")
    row.get_by_role("button", name="驳回").click()
    page.wait_for_selector(".alert-box.notice")
    assert page.url.endswith(f"/marks?kind=maintenance&reviewed={mark_id}")
    row = page.locator(f"#mark-{mark_id}")
    assert "审核不通过" in row.inner_text() and "未提供维护计划" in row.inner_text()
    assert errors == []
