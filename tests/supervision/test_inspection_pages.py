"""The enforcement pages over HTTP: the desk, a trigger from an alert, the field page's
forms with a refused upload, submission, the decision beside the exemption check, the
enterprise's file and the public page (no login) showing only what is public."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.supervision.conftest import SETTINGS, code

from ecozone.store.schema import alert

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
AIR = "《大气污染防治法》第九十九条"


def overdue_alert(engine: sa.Engine) -> int:
    with engine.begin() as conn:
        return conn.execute(alert.insert().values(
            type="exceedance", enterprise_id=3, start=datetime(2026, 9, 1, 8), state="dispatched",
            deadline=date(2026, 9, 8), condition_key="page:1").returning(alert.c.id)).scalar_one()  # fmt: skip


def test_a_trigger_from_an_overdue_alert_leads_to_a_record_and_a_decision(
    engine: sa.Engine, client_as: Callable[[str], TestClient]
) -> None:
    alert_id = overdue_alert(engine)
    staff = client_as("district")
    page = staff.get("/supervision/inspections")
    assert page.status_code == 200 and f'data-alert="{alert_id}"' in page.text
    assert "alert" in staff.get(f"/alerts/{alert_id}").text  # the desk page offers the form
    assert 'data-step="inspection-trigger"' in staff.get(f"/alerts/{alert_id}").text
    made = staff.post(
        "/supervision/triggers", data={"alert_id": str(alert_id), "reason": "逾期未反馈"}
    )
    assert made.status_code == 303 and "trigger=" in made.headers["location"]
    again = staff.post("/supervision/triggers", data={"alert_id": str(alert_id), "reason": "x"})
    assert again.status_code == 400 and "已触发" in again.text
    page = staff.get("/supervision/inspections")
    assert 'data-start-trigger="' in page.text
    trigger_id = int(page.text.split('data-start-trigger="')[1].split('"')[0])
    start = staff.post("/supervision/inspections", data={"trigger_id": str(trigger_id),
                       "inspector_ids": ["1", "2"], "inspected_on": "2026-10-10"})  # fmt: skip
    assert start.status_code == 303, start.text
    url = start.headers["location"]
    saved = staff.post(url, data={"findings": "在线监测数据超标", "location": "一号排放口",
                                  "latitude": "29.6", "longitude": "", "inspected_on": "2026-10-10"})  # fmt: skip
    assert (
        saved.status_code == 400 and "同时填写" in saved.text and "在线监测数据超标" in saved.text
    )
    staff.post(url, data={"findings": "在线监测数据超标", "location": "一号排放口",
                          "inspected_on": "2026-10-10"})  # fmt: skip
    refused = staff.post(f"{url}/files", files=[("files", ("a.txt", b"text", "text/plain"))])
    assert refused.status_code == 400 and "JPEG" in refused.text
    uploaded = staff.post(f"{url}/files", files=[("files", ("现场.png", PNG, "image/png"))])
    assert uploaded.status_code == 303
    staff.post(f"{url}/violations", data={"provision": AIR, "item": "air-minor-exceedance",
               "description": "二氧化硫小时浓度超标", "harm": "minor",
               "rectification_order": "调整工况", "rectify_by": "2026-10-15"})  # fmt: skip
    done = staff.post(f"{url}/submit", data={"public": "1", "public_summary": "发现问题1项"})
    assert done.status_code == 303
    page = staff.get(url)
    assert 'data-form="findings"' not in page.text and 'data-violation="' in page.text
    violation_id = int(page.text.split('data-violation="')[1].split('"')[0])
    staff.post(f"/supervision/violations/{violation_id}/rectification",
               data={"step": "done", "rectified_on": "2026-10-13", "note": "已调整"})  # fmt: skip
    decision = staff.get(f"/supervision/violations/{violation_id}")
    assert 'data-suggestion="may_exempt"' in decision.text and "可以不予处罚" in decision.text
    assert 'data-condition="first_violation" data-met="true"' in decision.text
    taken = staff.post(f"/supervision/violations/{violation_id}/decision", data={
        "outcome": "exempt", "rule_id": "air-minor-exceedance", "explanation": "初次违法及时改正",
        "decided_on": "2026-10-14", "public": "1"})  # fmt: skip
    assert taken.status_code == 303, taken.text
    file = staff.get(f"/enterprises/{code(3)}")
    assert 'data-step="trigger"' in file.text and "air-minor-exceedance@2026.1" in file.text
    public = client_as("public").get("/inspections")
    assert "发现问题1项" in public.text and "air-minor-exceedance@2026.1" in public.text
    assert "在线监测数据超标" not in public.text  # findings are not published
    assert client_as("enterprise").get(url).status_code == 404  # another enterprise's record


def test_the_api_opens_a_trigger_and_publishes_only_what_is_marked_public(
    engine: sa.Engine, client_as: Callable[[str], TestClient]
) -> None:
    from ecozone.supervision import inspections as ins

    staff = client_as("admin")
    made = staff.post("/api/v1/supervision/triggers", json={
        "source": "complaint", "credit_code": code(2), "reason": "投诉", "reference": "12369-9"})  # fmt: skip
    assert made.status_code == 201 and made.json()["source"] == "complaint"
    assert client_as("enterprise").post("/api/v1/supervision/triggers", json={
        "source": "staff", "credit_code": code(1), "reason": "x"}).status_code == 403  # fmt: skip
    inspection = ins.create_inspection(engine, trigger_id=made.json()["id"], inspector_ids=[1, 2],
                                       inspected_on="2026-10-10", actor="t", settings=SETTINGS)  # fmt: skip
    ins.update_inspection(engine, inspection["id"], findings="f", location="l", actor="t")
    v = ins.add_violation(engine, inspection["id"], provision=AIR, description="d", harm="serious",
                          actor="t")  # fmt: skip
    ins.submit_inspection(engine, inspection["id"], actor="t", today=date(2026, 10, 20),
                          settings=SETTINGS)  # fmt: skip
    advice = staff.get(f"/api/v1/supervision/violations/{v['id']}/suggestion").json()
    assert advice["outcome"] == "no_exemption" and advice["version"] == "2026.1"
    ins.decide(engine, v["id"], ins.DecisionInput(outcome="penalty", amount_yuan="30000",
                                                  explanation="e", decided_on="2026-10-12"),
               actor="t", today=date(2026, 10, 20))  # fmt: skip
    public = client_as("public").get("/api/v1/supervision/enforcement").json()
    assert public == {"inspections": [], "decisions": []}  # neither was marked public
    own = client_as("enterprise").get("/api/v1/supervision/inspections").json()["items"]
    assert own == []  # enterprise 1 has none; enterprise 2's is not its business
