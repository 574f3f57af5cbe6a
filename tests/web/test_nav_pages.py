"""The menu and its list pages without a browser: the menu's order per role, 实时数据, 企业档案,
排污许可 and 统计报表 with their filters, searches and exports, each holding only the rows of
the viewer's scope (tests.web.data's zone, on SQLite and PostgreSQL).

In that zone POWER (两江新区, 热电联产) has stack DA001 (exceeding) and wastewater outlet DW001
(offline), CHEMICAL (重庆高新区) a stack whose newest minute says D (fault), and the
monitoring station (两江新区) an air station (normal). The district supervisor's district
is 两江新区; the enterprise user's enterprise is POWER.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import openpyxl
import pytest
from tests.web.data import CHEMICAL, POWER, STATION

import ecozone.web  # noqa: F401  (the capabilities add their menu entries on import)
from ecozone.store.schema import permit
from ecozone.web import shell
from ecozone.web.i18n import t

#: A day in the zone's calendar for the pages that depend on the date (permits, reports).
TODAY = datetime(2026, 6, 1, 4, tzinfo=UTC)  # 2026-06-01 12:00 China Standard Time


def labels(role: str, lang: str = "zh") -> list[str]:
    return [t(lang, item["key"]) for item in shell.menu_for(role)]


def group(role: str, key: str) -> list[tuple[str, str]]:
    found = next(item for item in shell.menu_for(role) if item["key"] == key)
    return [(t("zh", e["key"]), e["href"]) for e in found["entries"]]


def rows(html: str, table: str) -> list[dict[str, str]]:
    """The body rows of a data table, cell text by column key (the empty row left out)."""
    body = html.split(f'data-table="{table}"', 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr(?: class=\"[^\"]*\")?>(.*?)</tr>", body, re.S)[1:]:
        cells = re.findall(r'<td data-key="([^"]+)">(.*?)</td>', row, re.S)
        if cells:
            found.append({key: re.sub(r"<[^>]+>", "", text) for key, text in cells})
    return found


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def filename(answer) -> str:
    return unquote(answer.headers["content-disposition"].split("filename*=UTF-8''", 1)[1])


# --- the menu -----------------------------------------------------------------------------


def test_the_supervisors_menu_reads_in_the_order_such_platforms_lay_it_out():
    assert labels("supervisor") == [
        "监管总览", "在线监控", "报警处置", "企业档案", "排污许可", "监督执法", "环境质量",
        "固废危废", "能源双碳", "项目与风险", "统计报表", "方案任务", "接口文档",
    ]  # fmt: skip
    assert labels("supervisor", "en")[:4] == [
        "Dashboard", "Online monitoring", "Alerts", "Enterprises",
    ]  # fmt: skip


def test_the_admin_adds_system_administration_last_before_the_api_reference():
    assert labels("admin") == [
        "监管总览", "在线监控", "报警处置", "企业档案", "排污许可", "监督执法", "环境质量",
        "固废危废", "能源双碳", "项目与风险", "统计报表", "方案任务", "系统管理", "接口文档",
    ]  # fmt: skip
    assert [label for label, _ in group("admin", "nav.group.admin")] == [
        "用户", "API 令牌", "审计日志", "设备接入", "数据归档",
    ]  # fmt: skip


def test_real_time_data_comes_first_under_online_monitoring():
    entries = group("supervisor", "nav.group.monitoring")
    assert entries[:3] == [("实时数据", "/points"), ("历史数据查询", "/data-query"),
                           ("用电监控", "/power")]  # fmt: skip
    assert ("数据标记", "/marks") in entries


def test_enterprises_and_coordinators_see_only_their_groups():
    assert labels("enterprise") == [
        "企业门户", "在线监控", "报警处置", "排污许可", "监督执法", "环境质量", "固废危废", "能源双碳",
        "项目与风险", "统计报表", "接口文档",
    ]  # fmt: skip
    # the draw results and ambient air are public: everyone finds them under their headings
    # and so is the market view of the allowance ledgers (能源双碳)
    assert labels("coordinator") == ["监督执法", "环境质量", "能源双碳", "方案任务", "接口文档"]
    assert labels("public") == ["信息公开", "监督执法", "环境质量", "能源双碳"]


def test_the_heading_of_the_current_page_is_marked():
    menu = shell.menu_for("supervisor", "/permits")
    current = [item["key"] for item in menu if item["current"]]
    assert current == ["nav.group.permits"]


# --- 实时数据 ---------------------------------------------------------------------------------


def test_real_time_data_lists_every_point_of_the_supervisors_zone_with_its_state(client_as, ids):
    page = client_as("supervisor").get("/points")
    assert page.status_code == 200 and "<h1>实时数据</h1>" in page.text
    found = {(r["enterprise"], r["code"]): r for r in rows(page.text, "live-points")}
    assert {key: r["state"] for key, r in found.items()} == {
        ("重庆市两江新区生态环境监测站", "AQ-LJ01"): "正常",
        ("重庆示例热电有限公司", "DA001"): "超标",
        ("重庆示例热电有限公司", "DW001"): "离线",
        ("重庆示例化工有限公司", "DA001"): "故障",
    }
    # the newest values of POWER's stack are real-time ones: SO2 30 sent, 30 × 1.25 converted
    assert found[("重庆示例热电有限公司", "DA001")]["latest_values"] == "二氧化硫 37.5"
    assert found[("重庆示例热电有限公司", "DW001")]["latest_values"] == "化学需氧量 28"
    assert f'href="/points/{ids["chem_da"]}"' in page.text
    assert f'href="/enterprises/{CHEMICAL}"' in page.text


def test_real_time_data_keeps_to_the_viewers_scope(client_as, ids):
    district = rows(client_as("district-supervisor").get("/points").text, "live-points")
    assert sorted(r["code"] for r in district) == ["AQ-LJ01", "DA001", "DW001"]
    assert {r["district"] for r in district} == {"两江新区"}
    own = client_as("enterprise").get("/points").text
    assert sorted(r["code"] for r in rows(own, "live-points")) == ["DA001", "DW001"]
    assert "重庆示例化工有限公司" not in own and f'/points/{ids["station"]}"' not in own


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "offline"}, ["DW001"]),
        ({"kind": "wastewater"}, ["DW001"]),
        ({"kind": "flue_gas", "district": "两江新区"}, ["DA001"]),
        ({"district": "重庆高新区"}, ["DA001"]),
        ({"state": "normal", "kind": "flue_gas"}, []),
    ],
)
def test_real_time_data_filters(client_as, params, expected):
    page = client_as("supervisor").get("/points", params=params)
    assert [r["code"] for r in rows(page.text, "live-points")] == expected
    if not expected:
        assert "没有符合条件的点位。" in page.text


def test_real_time_data_exports_what_the_filters_show(client_as):
    answer = client_as("supervisor").get("/points", params={"format": "csv", "state": "fault"})
    assert answer.status_code == 200
    assert filename(answer) == "实时数据_live-points.csv"
    (row,) = csv_rows(answer.text)
    assert row.pop("最新数据时间")  # the newest minute, relative to when the zone was seeded
    assert row == {"区域": "重庆高新区", "企业": "重庆示例化工有限公司", "编码": "DA001",
                   "点位": "工艺废气排口", "类型": "废气", "实时状态": "故障",
                   "最新数据（折算值）": "二氧化硫 11"}  # fmt: skip
    xlsx = client_as("enterprise").get("/points", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    header, *data = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:3] == ["区域", "企业", "编码"]
    assert sorted(r[2] for r in data) == ["DA001", "DW001"]


def test_real_time_data_in_english(client_as):
    page = client_as("supervisor").get("/points", params={"lang": "en", "state": "exceeding"})
    assert "<h1>Real-time data</h1>" in page.text
    assert [r["state"] for r in rows(page.text, "live-points")] == ["Exceeding"]


# --- 企业档案 ---------------------------------------------------------------------------------


def test_the_enterprise_list_links_each_file_in_the_supervisors_scope(client_as):
    page = client_as("supervisor").get("/enterprises")
    assert page.status_code == 200 and "<h1>企业档案</h1>" in page.text
    assert sorted(r["credit_code"] for r in rows(page.text, "enterprises")) == sorted(
        [POWER, CHEMICAL, STATION]
    )
    assert f'<a href="/enterprises/{CHEMICAL}">重庆示例化工有限公司</a>' in page.text
    district = client_as("district-supervisor").get("/enterprises").text
    assert sorted(r["credit_code"] for r in rows(district, "enterprises")) == sorted(
        [POWER, STATION]
    )
    assert CHEMICAL not in district


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "化工"}, [CHEMICAL]),
        ({"q": " ma60xkq "}, [CHEMICAL]),  # part of the credit code, any case, spaces around
        ({"industry": "热电联产"}, [POWER]),
        ({"district": "两江新区", "q": "监测站"}, [STATION]),
        ({"district": "重庆高新区", "q": "热电"}, []),
    ],
)
def test_the_enterprise_list_is_searched_and_filtered(client_as, params, expected):
    page = client_as("supervisor").get("/enterprises", params=params).text
    assert [r["credit_code"] for r in rows(page, "enterprises")] == expected


def test_an_enterprise_account_is_sent_to_its_portal_and_the_public_to_login(client_as):
    answer = client_as("enterprise").get("/enterprises")
    assert (answer.status_code, answer.headers["location"]) == (303, "/portal")
    answer = client_as("public").get("/enterprises")
    assert (answer.status_code, answer.headers["location"]) == (
        303, "/login?next=%2Fenterprises",
    )  # fmt: skip
    assert client_as("coordinator").get("/enterprises").status_code == 403


def test_the_enterprise_list_exports(client_as):
    answer = client_as("district-supervisor").get(
        "/enterprises", params={"format": "xlsx", "q": "热电"}
    )
    assert filename(answer) == "企业_enterprises.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["企业", "统一社会信用代码", "区域", "行业"],
        ["重庆示例热电有限公司", POWER, "两江新区", "热电联产"],
    ]


# --- 排污许可 ---------------------------------------------------------------------------------


@pytest.fixture
def permits_zone(fresh_zone, monkeypatch):
    """The zone on 2026-06-01 with a permit in each status besides POWER's valid one:
    CHEMICAL's ending 2026-07-15 (44 days left, under the 60 of Art. 14: renewal due) and
    its old one ended 2025-12-31 (expired); the station's starting 2026-09-01 (not yet valid)."""
    engine, ids = fresh_zone
    with engine.begin() as conn:
        conn.execute(permit.insert(), [
            {"permit_no": "CHEM-2021", "enterprise_id": ids["chemical"], "management_class":
             "simplified", "valid_from": date(2021, 7, 16), "valid_to": date(2026, 7, 15)},
            {"permit_no": "CHEM-2016", "enterprise_id": ids["chemical"], "management_class":
             "key", "valid_from": date(2016, 1, 1), "valid_to": date(2025, 12, 31)},
            {"permit_no": "STATION-2026", "enterprise_id": ids["station_owner"],
             "management_class": "registration", "valid_from": date(2026, 9, 1),
             "valid_to": date(2031, 8, 31)},
        ])  # fmt: skip
    monkeypatch.setattr(shell, "now", lambda: TODAY)
    return fresh_zone


POWER_PERMIT = "91500000MA5U7AH918001P"


def test_permits_show_where_each_stands_today(permits_zone, fresh_client_as):
    page = fresh_client_as("supervisor").get("/permits")
    assert page.status_code == 200 and "<h1>排污许可</h1>" in page.text
    found = {r["permit_no"]: r for r in rows(page.text, "permit-register")}
    assert {no: r["status"] for no, r in found.items()} == {
        POWER_PERMIT: "有效",
        "CHEM-2021": "临期（需申请延续）",
        "CHEM-2016": "已过期",
        "STATION-2026": "未生效",
    }
    assert found["CHEM-2021"]["district"] == "重庆高新区"
    assert found["CHEM-2021"]["management_class"] == "简化管理"
    assert f'<a href="/enterprises/{CHEMICAL}">重庆示例化工有限公司</a>' in page.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "renewal_due"}, ["CHEM-2021"]),
        ({"status": "expired"}, ["CHEM-2016"]),
        ({"status": "not_yet_valid"}, ["STATION-2026"]),
        ({"district": "重庆高新区"}, ["CHEM-2021", "CHEM-2016"]),
        ({"district": "两江新区", "status": "valid"}, [POWER_PERMIT]),
    ],
)
def test_permits_filter_by_status_and_district(permits_zone, fresh_client_as, params, expected):
    page = fresh_client_as("supervisor").get("/permits", params=params).text
    assert [r["permit_no"] for r in rows(page, "permit-register")] == expected


def test_permits_keep_to_the_viewers_scope(permits_zone, fresh_client_as):
    district = fresh_client_as("district-supervisor").get("/permits").text
    assert sorted(r["permit_no"] for r in rows(district, "permit-register")) == [
        POWER_PERMIT, "STATION-2026",
    ]  # fmt: skip
    own = fresh_client_as("enterprise").get("/permits").text
    assert [r["permit_no"] for r in rows(own, "permit-register")] == [POWER_PERMIT]
    assert "CHEM-" not in own and "重庆示例化工有限公司" not in own
    assert fresh_client_as("coordinator").get("/permits").status_code == 403
    assert fresh_client_as("public").get("/permits").status_code == 303


def test_permits_export_the_filtered_register(permits_zone, fresh_client_as):
    answer = fresh_client_as("supervisor").get(
        "/permits", params={"format": "csv", "district": "重庆高新区"}
    )
    assert filename(answer) == "排污许可证台账_permits.csv"
    assert [(r["许可证编号"], r["许可状态"], r["有效期止"]) for r in csv_rows(answer.text)] == [
        ("CHEM-2021", "临期（需申请延续）", "2026-07-15"),
        ("CHEM-2016", "已过期", "2025-12-31"),
    ]
    english = fresh_client_as("supervisor").get("/permits", params={"lang": "en"}).text
    assert "<h1>Discharge permits</h1>" in english and "Renewal due" in english


# --- 统计报表 ---------------------------------------------------------------------------------


def report_rows(html: str) -> dict[str, list[str]]:
    """Per credit code, the report links of its row."""
    found = {}
    for code, row in re.findall(r'<tr data-credit-code="([^"]+)">(.*?)</tr>', html, re.S):
        found[code] = re.findall(r'href="(/api/v1/reports/[^"]+)"', row)
    return found


def test_reports_link_each_enterprises_years_in_every_format(client_as, monkeypatch):
    monkeypatch.setattr(shell, "now", lambda: TODAY)
    page = client_as("supervisor").get("/reports")
    assert page.status_code == 200 and "<h1>统计报表</h1>" in page.text
    found = report_rows(page.text)
    assert sorted(found) == sorted([POWER, CHEMICAL, STATION])
    assert found[CHEMICAL] == [
        f"/api/v1/reports/annual/{CHEMICAL}/{year}.{fmt}"
        for year in (2026, 2025, 2024)
        for fmt in ("html", "pdf", "xlsx")
    ]
    assert "2026 年度（截至今日）" in page.text and "2025 年度" in page.text


def test_reports_keep_to_the_viewers_scope_and_are_searched(client_as, monkeypatch):
    monkeypatch.setattr(shell, "now", lambda: TODAY)
    assert sorted(report_rows(client_as("district-supervisor").get("/reports").text)) == sorted(
        [POWER, STATION]
    )
    own = client_as("enterprise").get("/reports").text
    assert list(report_rows(own)) == [POWER] and CHEMICAL not in own
    found = report_rows(client_as("supervisor").get("/reports", params={"q": "化工"}).text)
    assert list(found) == [CHEMICAL]
    none = client_as("supervisor").get("/reports", params={"q": "不存在"}).text
    assert report_rows(none) == {} and "没有符合条件的企业。" in none
    english = client_as("enterprise").get("/reports", params={"lang": "en"}).text
    assert "<h1>Statistics and reports</h1>" in english and "2026 (to date)" in english
    assert client_as("coordinator").get("/reports").status_code == 403
