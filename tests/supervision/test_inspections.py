"""The enforcement loop on a stored zone (SQLite and PostgreSQL): triggers feed the draw,
inspections from an assignment or a trigger, files, violations, submission and its
immutability, rectification follow-up, decisions with the exemption check, the story and
the public results, all audited and scoped."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from tests.supervision.conftest import LIANGJIANG, PRINCIPALS, SETTINGS, code

from ecozone.errors import Conflict, NotFound
from ecozone.files import UploadRefused
from ecozone.store.schema import alert, audit_log, inspection_trigger
from ecozone.supervision import inspection_reads as reads
from ecozone.supervision import inspections as ins
from ecozone.supervision import service
from ecozone.supervision.model import SupervisionError

AIR = "《大气污染防治法》第九十九条"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PDF = b"%PDF-1.4\n" + b"\x02" * 64
TODAY = date(2026, 10, 20)
ADMIN, DISTRICT = PRINCIPALS["admin"].scope, PRINCIPALS["district"].scope


def alert_of(engine: sa.Engine, enterprise_id: int, type_: str = "offline") -> int:
    with engine.begin() as conn:
        return conn.execute(alert.insert().values(
            type=type_, enterprise_id=enterprise_id, start=datetime(2026, 9, 20, 8),
            state="dispatched", deadline=date(2026, 9, 25), condition_key=f"x:{type_}:{enterprise_id}",
        ).returning(alert.c.id)).scalar_one()  # fmt: skip


def actions(engine: sa.Engine, entity: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(audit_log.c.action).where(
            audit_log.c.entity == entity).order_by(audit_log.c.id)).scalars())  # fmt: skip


def triggered_inspection(engine: sa.Engine, enterprise: int = 6, day: str = "2026-10-10") -> int:
    t = ins.open_trigger(engine, source="complaint", credit_code=code(enterprise),
                         reason="群众投诉夜间异味", reference="12345-001", actor="lj")  # fmt: skip
    return ins.create_inspection(engine, trigger_id=t["id"], inspector_ids=[1, 2],
                                 inspected_on=day, actor="lj", settings=SETTINGS)["id"]  # fmt: skip


def written(engine: sa.Engine, inspection_id: int) -> None:
    ins.update_inspection(engine, inspection_id, findings="脱硫设施运行正常，废气排放口标识缺失",
                          location="厂区东侧排放口", latitude="29.6", longitude="106.5",
                          actor="lj")  # fmt: skip


def test_an_alert_trigger_takes_its_enterprise_and_a_power_alert_is_a_power_trigger(
    engine: sa.Engine,
) -> None:
    offline, linkage = alert_of(engine, 4), alert_of(engine, 5, "control_off")
    made = ins.open_trigger(engine, alert_id=offline, reason="逾期未反馈", actor="lj",
                            scope=DISTRICT)  # fmt: skip
    assert (made["source"], made["enterprise_id"]) == ("alert", 4)
    power = ins.open_trigger(engine, alert_id=linkage, reason="治污设施停运", actor="lj")
    assert power["source"] == "power"
    with pytest.raises(Conflict, match="已触发"):
        ins.open_trigger(engine, alert_id=offline, reason="again", actor="lj")
    with pytest.raises(NotFound):  # another district's supervisor: like a missing alert
        ins.open_trigger(engine, alert_id=offline, reason="x", actor="yb",
                         scope=PRINCIPALS["other_district"].scope)  # fmt: skip
    with pytest.raises(SupervisionError, match="投诉"):
        ins.open_trigger(engine, source="alert", credit_code=code(4), reason="x", actor="lj")
    assert actions(engine, "inspection_trigger") == ["create", "create"]


def test_a_closed_alert_triggers_nothing(engine: sa.Engine) -> None:
    closed = alert_of(engine, 4)
    with engine.begin() as conn:
        conn.execute(alert.update().where(alert.c.id == closed).values(state="closed"))
    with pytest.raises(SupervisionError, match="办结"):
        ins.open_trigger(engine, alert_id=closed, reason="x", actor="lj")


def test_open_triggers_feed_the_draw_as_triggered_and_a_cancelled_one_does_not(
    engine: sa.Engine,
) -> None:
    ins.open_trigger(engine, source="staff", credit_code=code(7), reason="复查", actor="lj")
    gone = ins.open_trigger(engine, source="staff", credit_code=code(8), reason="复查", actor="lj")
    ins.cancel_trigger(engine, gone["id"], reason="已由其他渠道核实", actor="lj")
    made = service.create_campaign(
        engine, name="q4", period_start="2026-10-01", period_end="2026-12-31",
        district=LIANGJIANG, quotas={"key": {"count": 1}}, settings=SETTINGS, actor="lj")  # fmt: skip
    status = {c["id"]: c["status"] for c in service.campaign(engine, made["id"], ADMIN)["inputs"]
              ["candidates"]}  # fmt: skip
    assert (status[7], status[8]) == ("triggered", "eligible")
    drawn = service.draw_campaign(engine, made["id"], actor="lj")
    assert 7 in {i["enterprise_id"] for i in drawn["result"]["inspections"]}
    with pytest.raises(Conflict):
        ins.cancel_trigger(engine, gone["id"], reason="again", actor="lj")


def test_an_inspection_of_a_drawn_enterprise_answers_its_open_trigger(engine: sa.Engine) -> None:
    trig = ins.open_trigger(engine, source="staff", credit_code=code(7), reason="复查", actor="lj")
    made = service.create_campaign(
        engine, name="q4", period_start="2026-10-01", period_end="2026-12-31",
        district=LIANGJIANG, quotas={"key": {"count": 1}}, settings=SETTINGS, actor="lj")  # fmt: skip
    service.draw_campaign(engine, made["id"], actor="lj")
    desk = reads.desk(engine, DISTRICT, TODAY)
    [task] = [a for a in desk["assignments"] if a["enterprise_id"] == 7]
    made = ins.create_inspection(engine, assignment_id=task["id"], actor="lj", settings=SETTINGS)
    assert made["inspector_ids"] == task["inspector_ids"] and made["trigger_id"] == trig["id"]
    assert made["inspected_on"] == task["planned_date"]
    with pytest.raises(Conflict):
        ins.create_inspection(engine, assignment_id=task["id"], actor="lj", settings=SETTINGS)
    written(engine, made["id"])
    ins.submit_inspection(engine, made["id"], actor="lj", today=date(2026, 12, 31),
                          settings=SETTINGS)  # fmt: skip
    with engine.connect() as conn:
        state = conn.execute(sa.select(inspection_trigger.c.state).where(
            inspection_trigger.c.id == trig["id"])).scalar_one()  # fmt: skip
    assert state == "inspected"


def test_a_triggered_team_needs_two_inspectors_without_a_conflict(engine: sa.Engine) -> None:
    t = ins.open_trigger(engine, source="complaint", credit_code=code(6), reason="投诉",
                         actor="lj")  # fmt: skip
    with pytest.raises(SupervisionError, match="至少 2 名"):
        ins.create_inspection(engine, trigger_id=t["id"], inspector_ids=[1], inspected_on=TODAY,
                              actor="lj", settings=SETTINGS)  # fmt: skip
    service.declare_conflict(engine, 2, credit_code=code(6), reason="近亲属", actor="lj")
    with pytest.raises(SupervisionError, match="回避"):
        ins.create_inspection(engine, trigger_id=t["id"], inspector_ids=[1, 2],
                              inspected_on=TODAY, actor="lj", settings=SETTINGS)  # fmt: skip
    made = ins.create_inspection(engine, trigger_id=t["id"], inspector_ids=[1, 5],
                                 inspected_on=TODAY, actor="lj", settings=SETTINGS)  # fmt: skip
    assert made["inspector_ids"] == [1, 5]


def test_files_are_type_checked_and_kept_by_digest(engine: sa.Engine) -> None:
    inspection_id = triggered_inspection(engine)
    added = ins.add_files(engine, inspection_id, [("现场.png", PNG), ("笔录.pdf", PDF)], actor="lj")
    assert [f["kind"] for f in added] == ["photo", "document"]
    with pytest.raises(UploadRefused, match="JPEG"):
        ins.add_files(engine, inspection_id, [("a.png", PNG), ("b.txt", b"hello")], actor="lj")
    shown = reads.inspection_detail(engine, inspection_id, ADMIN, TODAY)
    assert sorted(f["name"] for f in shown["files"]) == [
        "现场.png",
        "笔录.pdf",
    ]  # none of the refused
    name, media, content = ins.inspection_file(engine, inspection_id, added[0]["sha256"], ADMIN)
    assert (name, media, content) == ("现场.png", "image/png", PNG)


def test_a_submitted_inspection_is_immutable_except_follow_up(engine: sa.Engine) -> None:
    inspection_id = triggered_inspection(engine)
    with pytest.raises(SupervisionError, match="检查情况"):
        ins.submit_inspection(engine, inspection_id, actor="lj", today=TODAY, settings=SETTINGS)
    written(engine, inspection_id)
    v = ins.add_violation(engine, inspection_id, provision=AIR, description="排放口标识缺失",
                          harm="none", rectification_order="设置排放口标识",
                          rectify_by="2026-10-15", actor="lj")  # fmt: skip
    assert v["found_on"] == date(2026, 10, 10)
    ins.submit_inspection(engine, inspection_id, actor="lj", today=TODAY, settings=SETTINGS,
                          public=True, public_summary="发现问题1项，已责令整改")  # fmt: skip
    with pytest.raises(Conflict, match="已提交"):
        ins.update_inspection(engine, inspection_id, findings="改写", location="x", actor="lj")
    with pytest.raises(Conflict, match="已提交"):
        ins.add_files(engine, inspection_id, [("x.png", PNG)], actor="lj")
    with pytest.raises(Conflict, match="已提交"):
        ins.add_violation(engine, inspection_id, provision=AIR, description="x", harm="none",
                          actor="lj")  # fmt: skip
    shown = reads.inspection_detail(engine, inspection_id, ADMIN, TODAY)
    [row] = shown["violations"]
    assert (row["state"], row["overdue_days"]) == ("rectifying", 5)  # due 10-15, today 10-20
    ins.record_rectification(engine, v["id"], rectified_on="2026-10-14", note="已设置标识",
                             actor="lj", today=TODAY)  # fmt: skip
    [row] = reads.inspection_detail(engine, inspection_id, ADMIN, TODAY)["violations"]
    assert (row["state"], row["overdue_days"]) == ("rectified", 0)
    assert actions(engine, "inspection") == ["create", "update", "submit"]
    assert actions(engine, "violation") == ["create", "record_rectification"]


def test_an_enterprise_reads_its_submitted_inspections_only(engine: sa.Engine) -> None:
    own = PRINCIPALS["enterprise"].scope  # enterprise 1
    draft = triggered_inspection(engine, enterprise=1)
    with pytest.raises(NotFound):
        reads.inspection_detail(engine, draft, own, TODAY)
    written(engine, draft)
    ins.submit_inspection(engine, draft, actor="lj", today=TODAY, settings=SETTINGS)
    assert reads.inspection_detail(engine, draft, own, TODAY)["id"] == draft
    other = triggered_inspection(engine, enterprise=2)
    written(engine, other)
    ins.submit_inspection(engine, other, actor="lj", today=TODAY, settings=SETTINGS)
    with pytest.raises(NotFound):
        reads.inspection_detail(engine, other, own, TODAY)
    assert [i["id"] for i in reads.desk(engine, own, TODAY)["inspections"]] == [draft]
    with pytest.raises(NotFound):
        ins.update_inspection(engine, other, findings="x", location="y", actor="e", scope=own)


def decided_case(engine: sa.Engine, harm: str = "minor", rectified: str = "2026-10-14") -> int:
    inspection_id = triggered_inspection(engine)
    written(engine, inspection_id)
    v = ins.add_violation(engine, inspection_id, provision=AIR, item="air-minor-exceedance",
                          description="二氧化硫小时浓度超标0.05倍", harm=harm,
                          rectification_order="调整脱硫剂投加", rectify_by="2026-10-16",
                          actor="lj")  # fmt: skip
    ins.submit_inspection(engine, inspection_id, actor="lj", today=TODAY, settings=SETTINGS)
    ins.record_rectification(engine, v["id"], rectified_on=rectified, note="已调整", actor="lj",
                             today=TODAY)  # fmt: skip
    return v["id"]


def test_an_exemption_cites_a_met_rule_and_stores_the_check(engine: sa.Engine) -> None:
    # Found Saturday 2026-10-10: five working days later is Friday 10-16; corrected 10-14.
    violation_id = decided_case(engine)
    advice = ins.suggestion(engine, violation_id, ADMIN, TODAY)
    assert (advice.outcome, advice.rule_id) == ("may_exempt", "air-minor-exceedance")
    made = ins.decide(engine, violation_id, ins.DecisionInput(
        outcome="exempt", rule_id="air-minor-exceedance", explanation="初次违法且及时改正",
        decided_on="2026-10-19", public=True), actor="lj", today=TODAY)  # fmt: skip
    assert made["exemption_rule"] == "air-minor-exceedance@2026.1"
    assert made["suggestion"]["outcome"] == "may_exempt" and made["published_on"] == TODAY
    with pytest.raises(Conflict, match="已作出"):
        ins.decide(engine, violation_id, ins.DecisionInput(
            outcome="warning", explanation="x", decided_on="2026-10-19"), actor="lj", today=TODAY)  # fmt: skip
    assert actions(engine, "penalty_decision") == ["decide"]
    public = reads.public_results(engine)
    [shown] = public["decisions"]
    assert (shown["outcome"], shown["exemption_rule"]) == ("exempt", "air-minor-exceedance@2026.1")


def test_an_exemption_under_a_failed_condition_is_refused_and_a_penalty_needs_an_amount(
    engine: sa.Engine,
) -> None:
    late = decided_case(engine, rectified="2026-10-19")  # after the 10-16 deadline
    with pytest.raises(SupervisionError, match="corrected_in_time"):
        ins.decide(engine, late, ins.DecisionInput(
            outcome="exempt", rule_id="air-minor-exceedance", explanation="x",
            decided_on="2026-10-19"), actor="lj", today=TODAY)  # fmt: skip
    with pytest.raises(SupervisionError, match="罚款金额"):
        ins.decide(engine, late, ins.DecisionInput(outcome="penalty", explanation="逾期整改",
                                                   decided_on="2026-10-19"),
                   actor="lj", today=TODAY)  # fmt: skip
    made = ins.decide(engine, late, ins.DecisionInput(
        outcome="penalty", amount_yuan="25000", explanation="逾期改正，不符合免罚条件",
        decided_on="2026-10-19"), actor="lj", today=TODAY)  # fmt: skip
    assert made["amount_yuan"] == Decimal("25000") and made["exemption_rule"] is None
    assert reads.public_results(engine)["decisions"] == []  # not marked public


def test_the_story_links_trigger_inspection_violation_and_decision(engine: sa.Engine) -> None:
    violation_id = decided_case(engine)
    ins.decide(engine, violation_id, ins.DecisionInput(
        outcome="warning", explanation="警告", decided_on="2026-10-19"), actor="lj", today=TODAY)  # fmt: skip
    waiting = ins.open_trigger(engine, source="staff", credit_code=code(6), reason="复查",
                               actor="lj")  # fmt: skip
    [chain, pending] = reads.story(engine, 6, ADMIN, TODAY)
    assert chain["trigger"]["reference"] == "12345-001"
    assert chain["inspection"]["trigger_id"] == chain["trigger"]["id"]
    [v] = chain["violations"]
    assert v["id"] == violation_id and v["decision"]["outcome"] == "warning"
    assert pending["trigger"]["id"] == waiting["id"] and pending["inspection"] is None
