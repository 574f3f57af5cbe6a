"""The supervision pages and API as each role meets them: forms keep what was typed and
answer in Chinese; the draw is final; the public sees names and dates only."""

from __future__ import annotations

import json

import sqlalchemy as sa
from tests.supervision.conftest import LIANGJIANG, SETTINGS, code

from ecozone.supervision import rules, service

FORM = {"name": "四季度双随机", "district": LIANGJIANG, "period_start": "2026-10-01",
        "period_end": "2026-12-31", "quota_key": "34%", "quota_attention": "",
        "quota_general": "2", "triggered": ""}  # fmt: skip


def test_the_menu_has_the_supervision_group_for_staff(client_as) -> None:
    page = client_as("district").get("/supervision")
    assert page.status_code == 200
    assert "监督执法" in page.text and "双随机抽查" in page.text and "执法人员名录库" in page.text


def test_a_supervisor_creates_a_campaign_and_sees_the_commitment(client_as, engine) -> None:
    client = client_as("district")
    made = client.post("/supervision/campaigns", data=FORM)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    [c] = service.campaigns(engine, service.SYSTEM_SCOPE)
    assert c["commitment"] in page.text and "抽查计划已创建" in page.text
    assert "seed" not in c
    assert "data-seed" not in page.text  # not revealed before the draw
    assert 'data-confirm="确定现在抽取' in page.text
    # 34 % of three key dischargers: ceil(1.02) = 2; and 2 general units
    assert c["inputs"]["quotas"] == {"key": {"ratio": 0.34}, "general": {"count": 2}}


def test_a_refused_form_keeps_what_was_typed_and_says_why_in_chinese(client_as) -> None:
    page = client_as("district").post(
        "/supervision/campaigns", data={**FORM, "quota_key": "五个", "name": "保留的名称"}
    )
    assert page.status_code == 200
    assert "重点排污单位：抽查比例或数量应写作 5% 或 3" in page.text
    assert 'value="保留的名称"' in page.text and 'value="五个"' in page.text
    late = client_as("district").post(
        "/supervision/campaigns", data={**FORM, "period_end": "2026-09-01"}
    )
    assert "结束日期不能早于开始日期" in late.text and 'value="2026-09-01"' in late.text


def test_draw_then_record_then_no_second_draw(client_as, engine) -> None:
    client = client_as("district")
    made = client.post("/supervision/campaigns", data=FORM)
    url = made.headers["location"].split("?")[0]
    drawn = client.post(f"{url}/draw")
    assert drawn.status_code == 303
    page = client.get(drawn.headers["location"])
    assert "data-seed" in page.text and "抽取结果" in page.text and "检查员" in page.text
    record = client.get(f"{url}/record.json")
    assert "attachment" in record.headers["content-disposition"]
    assert rules.verify(json.loads(record.text)) == []
    again = client.post(f"{url}/draw")
    assert again.status_code == 200 and "该抽查计划已抽取，不能重新抽取" in again.text


def test_another_districts_campaign_answers_404(client_as) -> None:
    made = client_as("district").post("/supervision/campaigns", data=FORM)
    url = made.headers["location"].split("?")[0]
    assert client_as("other_district").get(url).status_code == 404
    assert client_as("other_district").post(f"{url}/draw").status_code == 404
    assert client_as("other_district").get("/supervision/campaigns/999").status_code == 404


def test_others_cannot_use_the_staff_pages(client_as) -> None:
    assert client_as("public").get("/supervision").status_code == 303
    assert client_as("enterprise").get("/supervision/inspectors").status_code == 403
    assert client_as("enterprise").get("/api/v1/supervision/campaigns").status_code == 403


def test_pool_and_listings_forms(client_as, engine) -> None:
    client = client_as("admin")
    added = client.post("/supervision/inspectors", data={
        "name": "新检查员", "unit": "执法支队", "certificate_no": "LJ001", "district": ""})  # fmt: skip
    assert "执法证号：LJ001 已在名录库中" in added.text and 'value="新检查员"' in added.text
    conflict = client.post("/supervision/inspectors/conflicts", data={
        "inspector_id": "1", "credit_code": code(2), "reason": "配偶在该企业任职"})  # fmt: skip
    assert "已登记回避" in conflict.text and "企业02（配偶在该企业任职）" in conflict.text
    listed = client.post("/supervision/listings", data={
        "credit_code": code(3), "kind": "positive", "reason": "连续三年环保诚信",
        "valid_from": "2026-01-01", "valid_to": ""})  # fmt: skip
    assert "已加入清单" in listed.text and "监督执法正面清单" in listed.text
    missing = client.post("/supervision/listings", data={
        "credit_code": "91500000NOPE000000", "kind": "pledge", "reason": "x",
        "valid_from": "2026-01-01"})  # fmt: skip
    assert "没有统一社会信用代码为" in missing.text and 'value="91500000NOPE000000"' in missing.text


def test_the_public_page_lists_drawn_results_only(client_as, engine: sa.Engine) -> None:
    committed = service.create_campaign(
        engine, name="尚未抽取的计划", period_start="2026-10-01", period_end="2026-12-31",
        quotas={"key": {"count": 1}}, settings=SETTINGS, actor="t")  # fmt: skip
    drawn = service.create_campaign(
        engine, name="已抽取的计划", period_start="2026-10-01", period_end="2026-12-31",
        quotas={"key": {"count": 1}}, settings=SETTINGS, actor="t")  # fmt: skip
    result = service.draw_campaign(engine, drawn["id"], actor="t")["result"]
    public = client_as("public")
    page = public.get("/inspections")
    assert page.status_code == 200
    assert "已抽取的计划" in page.text and "尚未抽取的计划" not in page.text
    [item] = result["inspections"]
    assert item["name"] in page.text and item["date"] in page.text
    assert "检查员" not in page.text and item["credit_code"] not in page.text
    api = public.get(f"/api/v1/supervision/campaigns/{drawn['id']}/record")
    assert api.status_code == 200 and rules.verify(api.json()) == []
    assert public.get(f"/api/v1/supervision/campaigns/{committed['id']}/record").status_code == 404
    assert public.get("/api/v1/supervision/results").json()["items"][0]["name"] == "已抽取的计划"
