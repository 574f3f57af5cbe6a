"""The alert desk's use cases: dispatch with a deadline, urge, feedback with attachments,
send back, verify, close (resolved or false alarm), reopen, overdue reminders, the list with
counts, and scope; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.compliance.test_alerts import action_count, raise_exceedance

from ecozone.accounts.model import Principal
from ecozone.compliance import desk_store
from ecozone.compliance.alerts import act, get_alert, remind_overdue
from ecozone.compliance.desk_store import DeskQuery
from ecozone.compliance.model import ComplianceError, NotFoundError, TransitionError
from ecozone.files import MAX_UPLOAD_BYTES, UploadRefused
from ecozone.registry import import_registry
from ecozone.store.schema import alert, audit_log, enterprise, stored_file
from ecozone.times import CHINA_STANDARD_TIME

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
# Wednesday 5 March 2025, 10:00 in Chongqing; 3 working days: Thu 6, Fri 7, Mon 10.
DISPATCHED_AT = datetime(2025, 3, 5, 10, tzinfo=CHINA_STANDARD_TIME)
DEADLINE = date(2025, 3, 10)
OTHER = "91500112MA60XKQ2EE"


def cst(day: int, hour: int) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=CHINA_STANDARD_TIME)


def step(engine, alert_id, action, actor="supervisor", **fields):
    return act(engine, alert_id, action, actor=actor, **fields)


def dispatched(engine, points) -> int:
    alert_id = raise_exceedance(engine, points)
    out = step(engine, alert_id, "dispatch", deadline_days=3, comment="请核查", now=DISPATCHED_AT)
    assert (out["state"], out["deadline"]) == ("dispatched", DEADLINE.isoformat())
    return alert_id


def test_the_whole_loop_with_an_attachment_a_send_back_and_a_close(engine, points):
    alert_id = dispatched(engine, points)
    step(engine, alert_id, "urge", comment="请于期限内反馈", now=cst(6, 9))
    out = step(engine, alert_id, "feedback", actor="enterprise", cause="脱硫泵故障",
               measures="已更换", attachments=[("现场.png", PNG)], now=cst(6, 15))  # fmt: skip
    assert out["state"] == "feedback"
    [photo] = out["actions"][-1]["attachments"]
    assert photo == {"name": "现场.png", "sha256": hashlib.sha256(PNG).hexdigest(),
                     "media_type": "image/png", "size": len(PNG)}  # fmt: skip
    out = step(engine, alert_id, "send_back", comment="请附更换记录", now=cst(7, 9))
    assert out["state"] == "dispatched"
    step(engine, alert_id, "feedback", actor="enterprise", cause="脱硫泵故障",
         measures="已更换，附记录", attachments=[("记录.png", PNG)], now=cst(7, 14))  # fmt: skip
    step(engine, alert_id, "verify", now=cst(7, 16))
    out = step(engine, alert_id, "close", now=cst(7, 17))
    assert (out["state"], out["close_reason"]) == ("closed", "resolved")
    assert [a["action"] for a in out["actions"]] == [
        "dispatch", "urge", "feedback", "send_back", "feedback", "verify", "close"
    ]  # fmt: skip
    with engine.connect() as conn:
        # the same photo twice is kept once
        assert conn.execute(sa.select(sa.func.count()).select_from(stored_file)).scalar() == 1
        audited = conn.execute(
            sa.select(audit_log.c.action).where(
                audit_log.c.entity == "alert", audit_log.c.entity_id == str(alert_id)
            ).order_by(audit_log.c.id)
        ).scalars().all()  # fmt: skip
    assert audited == [a["action"] for a in out["actions"]]
    out = step(engine, alert_id, "reopen", comment="复查仍超标")
    assert (out["state"], out["close_reason"]) == ("open", None)


def test_a_false_alarm_is_closed_from_dispatched_with_its_reason(engine, points):
    alert_id = dispatched(engine, points)
    with pytest.raises(TransitionError, match="close needs comment"):
        step(engine, alert_id, "close", reason="false_alarm")
    out = step(engine, alert_id, "close", reason="false_alarm", comment="校准期间数据")
    assert (out["state"], out["close_reason"]) == ("closed", "false_alarm")
    assert out["actions"][-1]["close_reason"] == "false_alarm"


def test_a_send_back_keeps_the_deadline_or_sets_a_new_one(engine, points):
    alert_id = dispatched(engine, points)
    answer = {"actor": "enterprise", "cause": "泵故障", "measures": "已更换"}
    step(engine, alert_id, "feedback", **answer, now=cst(6, 15))
    out = step(engine, alert_id, "send_back", comment="不完整", now=cst(7, 9))
    assert out["deadline"] == DEADLINE.isoformat()  # kept: 10 March
    step(engine, alert_id, "feedback", **answer, now=cst(7, 10))
    # Friday 7 March + 2 working days: Mon 10, Tue 11
    out = step(engine, alert_id, "send_back", comment="仍不完整", deadline_days=2, now=cst(7, 11))
    assert out["deadline"] == "2025-03-11"
    assert out["actions"][-1]["deadline"] == "2025-03-11"
    with pytest.raises(Exception, match="deadline belongs to dispatch or send_back"):
        step(engine, alert_id, "urge", deadline_days=2)


def test_forbidden_steps_change_nothing(engine, points):
    alert_id = raise_exceedance(engine, points)
    before = action_count(engine)
    for action in ("urge", "verify", "send_back"):
        with pytest.raises(TransitionError):
            step(engine, alert_id, action, comment="x")
    assert action_count(engine) == before
    assert get_alert(engine, alert_id)["state"] == "open"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("说明.txt", b"not a picture", "only JPEG or PNG photos and PDF"),
        ("大图.png", PNG + b"\x00" * MAX_UPLOAD_BYTES, "more than the limit"),
    ],
)
def test_an_attachment_of_a_wrong_type_or_size_is_refused_and_nothing_is_stored(
    engine, points, name, content, message
):
    alert_id = dispatched(engine, points)
    before = action_count(engine)
    with pytest.raises(UploadRefused, match=message):
        step(engine, alert_id, "feedback", actor="enterprise", cause="c", measures="m",
             attachments=[(name, content)])  # fmt: skip
    assert action_count(engine) == before
    assert get_alert(engine, alert_id)["state"] == "dispatched"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(stored_file)).scalar() == 0


def test_text_with_a_control_character_is_refused(engine, points):
    alert_id = dispatched(engine, points)
    with pytest.raises(ComplianceError, match=r"cause: character U\+0000"):
        step(engine, alert_id, "feedback", actor="enterprise", cause="a\x00b", measures="m")


def test_a_deadline_must_be_1_to_60_working_days(engine, points):
    alert_id = raise_exceedance(engine, points)
    with pytest.raises(Exception, match="deadline_days: 0"):
        step(engine, alert_id, "dispatch", deadline_days=0)
    out = step(engine, alert_id, "dispatch", now=DISPATCHED_AT)  # the default: 5
    assert out["deadline"] == "2025-03-12"  # Thu 6, Fri 7, Mon 10, Tue 11, Wed 12


def test_an_overdue_alert_gets_one_reminder_a_day(engine, points):
    alert_id = dispatched(engine, points)
    assert remind_overdue(engine, now=cst(10, 18)) == []  # the deadline day itself
    assert remind_overdue(engine, now=cst(11, 8)) == [alert_id]
    assert remind_overdue(engine, now=cst(11, 16)) == []  # once that day
    assert remind_overdue(engine, now=cst(12, 8)) == [alert_id]
    actions = get_alert(engine, alert_id)["actions"]
    reminders = [a for a in actions if a["action"] == "remind"]
    assert [a["actor"] for a in reminders] == ["ecozone", "ecozone"]
    assert "2 working day(s) late" in reminders[-1]["comment"]  # Tue 11 and Wed 12
    assert get_alert(engine, alert_id)["state"] == "dispatched"


def _other_enterprise_alert(engine) -> int:
    import_registry(engine, {"districts": ["重庆高新区"], "enterprises": [
        {"credit_code": OTHER, "name": "重庆示例化工有限公司", "district": "重庆高新区"}]})  # fmt: skip
    with engine.begin() as conn:
        other = conn.execute(
            sa.select(enterprise.c.id).where(enterprise.c.credit_code == OTHER)
        ).scalar_one()
        return conn.execute(
            alert.insert()
            .values(
                type="permit_expired",
                enterprise_id=other,
                start=datetime(2025, 3, 1),
                state="dispatched",
                condition_key="permit_expired:x",
            )
            .returning(alert.c.id)
        ).scalar_one()


def test_an_enterprise_cannot_see_or_answer_another_enterprises_alert(engine, points):
    own = dispatched(engine, points)
    foreign = _other_enterprise_alert(engine)
    with engine.connect() as conn:
        own_enterprise = conn.execute(
            sa.select(alert.c.enterprise_id).where(alert.c.id == own)
        ).scalar_one()
    user = Principal(user_id=9, username="ent", role="enterprise",
                     enterprise_ids=frozenset({own_enterprise}))  # fmt: skip
    with pytest.raises(NotFoundError, match=f"no alert {foreign}"):
        get_alert(engine, foreign, scope=user.scope)
    with pytest.raises(NotFoundError):
        act(engine, foreign, "feedback", actor="ent", cause="c", measures="m", scope=user.scope)
    with engine.connect() as conn:
        rows, total = desk_store.select_desk(conn, DeskQuery(), user.scope, limit=50)
        assert ([r["id"] for r in rows], total) == ([own], 1)


def test_the_list_filters_counts_per_state_and_pages(engine, points):
    own = dispatched(engine, points)
    foreign = _other_enterprise_alert(engine)
    everyone = Principal(user_id=1, username="admin", role="admin").scope
    with engine.connect() as conn:
        assert desk_store.state_counts(conn, DeskQuery(), everyone) == {"dispatched": 2}
        rows, total = desk_store.select_desk(conn, DeskQuery(types=["exceedance"]), everyone,
                                             limit=50)  # fmt: skip
        assert ([r["id"] for r in rows], total) == ([own], 1)
        rows, total = desk_store.select_desk(conn, DeskQuery(), everyone, limit=1, offset=1)
        assert total == 2 and len(rows) == 1
        rows, _ = desk_store.select_desk(conn, DeskQuery(credit_code=OTHER), everyone, limit=9)
        assert [r["id"] for r in rows] == [foreign]
        # overdue on 11 March: only the one with a deadline (10 March) that passed
        rows, _ = desk_store.select_desk(conn, DeskQuery(overdue_on=date(2025, 3, 11)),
                                         everyone, limit=9)  # fmt: skip
        assert [r["id"] for r in rows] == [own]
        period = DeskQuery(start=datetime(2025, 3, 1), end=datetime(2025, 3, 2))
        rows, _ = desk_store.select_desk(conn, period, everyone, limit=9)
        assert [r["id"] for r in rows] == [foreign]
