"""Data marks: the supervisor's review, the late rule (补报) and the allowed span, with times
worked by hand. Device times are China Standard Time; declared_at instants are +08:00 here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.compliance.conftest import (
    MN_STACK,
    MN_WATER,
    permit_file,
    put_aggregates,
    put_measurements,
)

from ecozone import config
from ecozone.accounts import audit
from ecozone.accounts.model import Principal
from ecozone.compliance import ComplianceError, ConflictError, NotFoundError, rules
from ecozone.compliance.alerts import get_alert, list_alerts
from ecozone.compliance.evaluation import check_offline, evaluate
from ecozone.compliance.marks import declare_mark, list_marks, review_mark, revoke_mark
from ecozone.compliance.model import Mark, MarkKind, MarkSettings
from ecozone.compliance.permits import import_permits
from ecozone.times import CHINA_STANDARD_TIME

H = timedelta(hours=1)


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_STANDARD_TIME)


# --- the late rule, by hand -------------------------------------------------------------------


def test_a_mark_declared_90_minutes_after_its_start_is_late_only_past_a_shorter_grace():
    start = datetime(2024, 5, 1, 8, 0)  # device time
    declared = cst(2024, 5, 1, 9, 30)  # 09:30 − 08:00 = 1 h 30 min later
    assert rules.mark_delay(start, declared) == timedelta(hours=1, minutes=30)
    assert rules.mark_is_late(start, declared)  # default grace 0: anything after the start
    assert rules.mark_is_late(start, declared, late_after=timedelta(hours=1))  # 1.5 h > 1 h
    assert not rules.mark_is_late(start, declared, late_after=timedelta(hours=2))  # 1.5 ≤ 2
    # exactly at the grace is still on time: late means *more* than it
    assert not rules.mark_is_late(start, declared, late_after=timedelta(minutes=90))


def test_a_mark_declared_ahead_has_no_delay_and_utc_instants_compare_in_cst():
    start = datetime(2024, 5, 1, 8, 0)
    ahead = cst(2024, 5, 1, 7, 59)
    assert rules.mark_delay(start, ahead) == timedelta(0)
    assert not rules.mark_is_late(start, ahead)
    # 2024-05-01 01:00 UTC is 09:00 CST: one hour after the 08:00 start
    assert rules.mark_delay(start, datetime(2024, 5, 1, 1, 0, tzinfo=UTC)) == H


def test_the_allowed_span_names_each_problem():
    declared = cst(2024, 5, 1, 10, 0)
    settings = MarkSettings(
        longest=timedelta(days=366), back_limit=timedelta(days=7), ahead_limit=timedelta(days=30)
    )
    ok = rules.mark_window_problems(
        datetime(2024, 4, 25, 0), datetime(2024, 4, 26, 0), declared, settings
    )
    assert ok == []  # begins 6 d 10 h before the declaration: within 7 days
    # 2024-04-20 00:00 is 11 d 10 h before 2024-05-01 10:00; 2024-04-20 → 2025-05-21 is 396 d
    problems = rules.mark_window_problems(
        datetime(2024, 4, 20, 0), datetime(2025, 5, 21, 0), declared, settings
    )
    assert problems == [("end", "too_long", {"days": 366}), ("start", "too_early", {"days": 7})]
    # 2024-06-01 00:00 is 30 d 14 h after the declaration: more than 30 days ahead
    ahead = rules.mark_window_problems(
        datetime(2024, 6, 1, 0), datetime(2024, 6, 1, 2), declared, settings
    )
    assert ahead == [("start", "too_far_ahead", {"days": 30})]
    assert rules.check_mark_window(
        datetime(2024, 6, 1, 0), datetime(2024, 6, 1, 2), declared, settings
    ) == ["start: begins more than 30 days after the declaration"]


def test_mark_settings_come_from_the_environment():
    assert config.mark_settings({}) == MarkSettings()
    assert MarkSettings().late_after == timedelta(0)
    read = config.mark_settings(
        {
            "ECOZONE_MARK_LATE_HOURS": "4.5",
            "ECOZONE_MARK_BACK_DAYS": "7",
            "ECOZONE_MARK_AHEAD_DAYS": "",
        }
    )
    assert (read.late_after, read.back_limit, read.ahead_limit) == (
        timedelta(hours=4, minutes=30),
        timedelta(days=7),
        None,
    )
    with pytest.raises(ValueError, match="ECOZONE_MARK_LATE_HOURS='soon' is not a number"):
        config.mark_settings({"ECOZONE_MARK_LATE_HOURS": "soon"})


def test_rejected_and_revoked_marks_excuse_nothing():
    def mark(id_: int, **kw) -> Mark:
        return Mark(id=id_, point_id=1, pollutant=None, kind=MarkKind.MAINTENANCE,
                    start=datetime(2024, 5, 1, 10), end=datetime(2024, 5, 1, 12), **kw)  # fmt: skip

    marks = [mark(1), mark(2, rejected=True), mark(3, revoked=True)]
    assert rules.marks_applying(marks, "a21026") == [
        (datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 12))
    ]


# --- the review, against the database -------------------------------------------------------


def _exceedances(engine) -> list[tuple[str, str]]:
    found = list_alerts(engine, {"type": "exceedance"})
    return sorted((a["start"], a["end"]) for a in found)


def test_a_rejected_mark_no_longer_hides_its_exceedance(engine, points):
    import_permits(engine, permit_file(), actor="tester")  # SO2 hour limit 100 at DA001
    t10 = datetime(2024, 5, 1, 10)
    # converted hourly SO2 150 at 10:00, 11:00 and 12:00: all three above 100
    put_aggregates(engine, points["DA001"], "a21026", t10, [120.0] * 3, zs=[150.0] * 3)
    # declared at 14:00 for 10:00-12:00: four hours after its start, so late (补报)
    mark = declare_mark(
        engine, mn=MN_STACK, kind="maintenance", start="2024-05-01T10:00",
        end="2024-05-01T12:00", reason="更换采样探头", actor="power", now=cst(2024, 5, 1, 14),
    )  # fmt: skip
    assert (mark["late"], mark["late_by_h"], mark["state"]) == (True, 4.0, "pending")
    evaluate(engine, start=t10, end=t10 + 3 * H, now=cst(2024, 5, 1, 14, 5))
    # 10:00 and 11:00 are marked; only 12:00-13:00 is judged
    assert _exceedances(engine) == [("2024-05-01T12:00:00+08:00", "2024-05-01T13:00:00+08:00")]

    with pytest.raises(ComplianceError) as info:
        review_mark(engine, mark["id"], decision="rejected", actor="city")
    assert info.value.errors == ["comment: missing; say why the declaration is rejected"]
    assert list_marks(engine)[0]["review_state"] == "pending"  # nothing recorded

    reviewed = review_mark(
        engine, mark["id"], decision="rejected", comment="无维护记录", actor="city",
        now=cst(2024, 5, 2, 9),
    )  # fmt: skip
    assert (reviewed["state"], reviewed["review_comment"], reviewed["reviewed_by"]) == (
        "rejected", "无维护记录", "city",
    )  # fmt: skip
    assert reviewed["reviewed_at"] == "2024-05-02T01:00:00+00:00"
    # the review judged the range again: the run is seen whole, 10:00 to 13:00
    assert _exceedances(engine) == [("2024-05-01T10:00:00+08:00", "2024-05-01T13:00:00+08:00")]
    [entry] = audit.entries(engine, action="review", entity="data_mark")
    assert (entry.actor, entry.entity_id) == ("city", str(mark["id"]))
    assert entry.before["review_state"] == "pending"
    assert entry.after["review_state"] == "rejected"


def test_review_refuses_bad_decisions_revoked_marks_and_marks_outside_the_scope(engine, points):
    mark = declare_mark(
        engine, mn=MN_WATER, kind="calibration", start="2024-05-03T09:00",
        end="2024-05-03T10:00", reason="季度校准", actor="power", now=cst(2024, 5, 2, 9),
    )  # fmt: skip
    assert mark["late"] is False and mark["late_by_h"] == 0.0
    with pytest.raises(ComplianceError, match="decision: 'maybe' is not accepted or rejected"):
        review_mark(engine, mark["id"], decision="maybe", actor="city")
    other_district = Principal(user_id=9, username="b", role="supervisor", district_id=999)
    with pytest.raises(NotFoundError, match=f"no data mark {mark['id']}"):
        review_mark(engine, mark["id"], decision="accepted", actor="b",
                    scope=other_district.scope)  # fmt: skip
    with pytest.raises(NotFoundError):
        review_mark(engine, 999_999, decision="accepted", actor="city")

    accepted = review_mark(engine, mark["id"], decision="accepted", actor="city")
    assert (accepted["state"], accepted["review_comment"]) == ("accepted", None)
    revoke_mark(engine, mark["id"], actor="power")
    with pytest.raises(ConflictError, match="revoked"):
        review_mark(engine, mark["id"], decision="rejected", comment="x", actor="city")
    assert list_marks(engine, state="revoked")[0]["state"] == "revoked"
    assert list_marks(engine, state="accepted") == []


def test_listings_filter_by_kind_and_state_and_use_the_late_setting(engine, points):
    # start 08:00, declared 11:00: three hours late
    late = declare_mark(
        engine, mn=MN_STACK, kind="fault", start="2024-05-01T08:00", end="2024-05-01T09:00",
        reason="分析仪故障", actor="power", now=cst(2024, 5, 1, 11),
    )  # fmt: skip
    ahead = declare_mark(
        engine, mn=MN_WATER, kind="shutdown", start="2024-05-10T00:00", end="2024-05-12T00:00",
        reason="停产检修", actor="power", now=cst(2024, 5, 1, 11),
    )  # fmt: skip
    assert [m["id"] for m in list_marks(engine, kind="fault")] == [late["id"]]
    assert [m["id"] for m in list_marks(engine, state="pending")] == [late["id"], ahead["id"]]
    [listed, _] = list_marks(engine)
    assert (listed["enterprise"], listed["district"]) == ("重庆示例热电有限公司", "两江新区")
    # with a grace of 4 h the three-hour delay is on time; with 2 h it is late
    graced = list_marks(engine, settings=MarkSettings(late_after=timedelta(hours=4)))
    assert [m["late"] for m in graced] == [False, False]
    strict = list_marks(engine, settings=MarkSettings(late_after=timedelta(hours=2)))
    assert [(m["late"], m["late_by_h"]) for m in strict] == [(True, 3.0), (False, 0.0)]
    with pytest.raises(ComplianceError, match="kind: 'holiday'"):
        list_marks(engine, kind="holiday")


def test_a_declaration_outside_the_allowed_span_is_refused_whole(engine, points):
    with pytest.raises(ComplianceError) as info:
        declare_mark(
            engine, mn=MN_STACK, kind="shutdown", start="2024-01-01T00:00",
            end="2025-02-01T00:00", reason="全年停产", actor="power", now=cst(2023, 12, 30),
        )  # fmt: skip
    # 2024-01-01 → 2025-02-01 is 366 + 31 = 397 days, more than the 366 allowed
    assert info.value.errors == ["end: the range is longer than 366 days; declare it in parts"]
    with pytest.raises(ComplianceError, match="start: begins more than 7 days before"):
        declare_mark(
            engine, mn=MN_STACK, kind="fault", start="2024-05-01T00:00",
            end="2024-05-01T02:00", reason="补报", actor="power", now=cst(2024, 5, 9),
            settings=MarkSettings(back_limit=timedelta(days=7)),
        )  # fmt: skip
    assert list_marks(engine) == []


def test_a_rejected_shutdown_no_longer_keeps_a_silent_point_from_going_offline(engine, points):
    stack = points["DA001"]
    # the 09:59 minute covers the stack until 10:00; two hours later, at 12:00, it is offline
    put_measurements(engine, [{"point_id": stack, "kind": "minute", "pollutant": "a21026",
                               "data_time": datetime(2024, 5, 1, 9, 59), "avg": 30.0,
                               "flag": "N"}])  # fmt: skip
    shutdown = declare_mark(
        engine, mn=MN_STACK, kind="shutdown", start="2024-05-01T10:00", end="2024-05-02T10:00",
        reason="停产检修", actor="power", now=cst(2024, 5, 1, 9),
    )  # fmt: skip
    assert check_offline(engine, cst(2024, 5, 1, 12, 30)) == []  # excused by the shutdown
    review_mark(engine, shutdown["id"], decision="rejected", comment="生产正常", actor="city",
                now=cst(2024, 5, 1, 12, 40))  # fmt: skip
    [offline] = check_offline(engine, cst(2024, 5, 1, 12, 45))
    assert get_alert(engine, offline)["start"] == "2024-05-01T10:00:00+08:00"
