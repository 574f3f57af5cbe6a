"""evaluate() and check_offline() against hand-made aggregates and measurements, on SQLite
and PostgreSQL. Times are device time, China Standard Time (+08:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.compliance.conftest import (
    MN_STACK,
    MN_WATER,
    permit_file,
    put_aggregates,
    put_measurements,
)

from ecozone.compliance import (
    ComplianceError,
    NotFoundError,
    rules,
)
from ecozone.compliance.alerts import close, dispatch, feedback, get_alert, list_alerts, verify
from ecozone.compliance.evaluation import check_offline, evaluate, evaluate_spans
from ecozone.compliance.marks import declare_mark, list_marks, revoke_mark
from ecozone.compliance.permits import import_permits
from ecozone.store.schema import aggregate, alert, audit_log
from ecozone.times import CHINA_STANDARD_TIME

H = timedelta(hours=1)


def cst(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_STANDARD_TIME)


def alerts(engine, type_: str) -> list[dict]:
    return sorted(list_alerts(engine, {"type": type_}), key=lambda a: a["start"])


def alert_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(alert)).scalar_one()


def test_consecutive_exceeding_hours_are_one_alert_that_an_ongoing_run_extends(engine, points):
    import_permits(engine, permit_file(), actor="tester")  # SO2 hour limit 100 mg/m3 at DA001
    stack = points["DA001"]
    t9 = datetime(2024, 5, 1, 9)
    # Measured at 9 % O2, converted to the 6 % reference: C × (21 − 6)/(21 − 9) = C × 1.25
    measured = [72.0, 96.0, 108.0, 88.0, 76.0]
    converted = [c * 1.25 for c in measured]  # 90, 120, 135, 110, 95
    put_aggregates(engine, stack, "a21026", t9, measured, zs=converted)

    ids = evaluate(engine, start=t9, end=t9 + 5 * H, now=cst(2024, 5, 1, 14, 5))
    [raised] = alerts(engine, "exceedance")
    assert ids == [raised["id"]]
    assert (raised["start"], raised["end"]) == (
        "2024-05-01T10:00:00+08:00",
        "2024-05-01T13:00:00+08:00",
    )
    assert raised["duration_h"] == 3  # 10:00, 11:00 and 12:00
    assert raised["peak"] == 135.0  # max(120, 135, 110): the converted values are judged
    assert raised["limit"] == 100.0
    assert raised["mn"] == MN_STACK and raised["point"] == "DA001" and raised["state"] == "open"
    assert [v["value"] for v in raised["detail"]["values"]] == [120.0, 135.0, 110.0]
    assert raised["detail"]["permit_no"] == "91500000MA5U7AH918001P"

    # evaluating the same data again raises nothing new and changes nothing
    assert evaluate(engine, start=t9, end=t9 + 5 * H, now=cst(2024, 5, 1, 14, 6)) == []
    assert alert_count(engine) == 1

    # the 13:00 hour was 95 (no exceedance); data arriving for 14:00 at 140 starts a new
    # condition, while a late correction of 13:00 to 125 continues the first one
    put_aggregates(engine, stack, "a21026", t9 + 5 * H, [112.0], zs=[140.0])
    # the streaming path: the span an aggregation update rewrote
    [second] = evaluate_spans(engine, [(stack, t9 + 5 * H, t9 + 6 * H)])
    assert second != raised["id"]
    with engine.begin() as conn:
        conn.execute(
            aggregate.update()
            .where(aggregate.c.data_time == t9 + 4 * H)
            .values(avg=100.0, zs_avg=125.0)
        )
    changed = evaluate(engine, start=t9 + 4 * H, end=t9 + 5 * H)
    assert raised["id"] in changed
    first = get_alert(engine, raised["id"])
    # [10:00, 14:00) touched [14:00, 15:00): the first alert takes the hour, peak stays 135
    assert (first["start"], first["end"], first["peak"]) == (
        "2024-05-01T10:00:00+08:00",
        "2024-05-01T14:00:00+08:00",
        135.0,
    )
    assert alert_count(engine) == 2


def test_a_closed_alert_reopens_when_its_condition_continues(engine, points):
    import_permits(engine, permit_file(), actor="tester")
    t = datetime(2024, 5, 2, 8)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(engine, start=t, end=t + H)
    close(engine, alert_id, "supervisor", comment="one-off start-up peak")
    put_aggregates(engine, points["DA001"], "a21026", t + H, [120.0], zs=[150.0])
    assert evaluate(engine, start=t + H, end=t + 2 * H) == [alert_id]
    reopened = get_alert(engine, alert_id)
    assert reopened["state"] == "open" and reopened["duration_h"] == 2
    assert [(a["actor"], a["action"]) for a in reopened["actions"]] == [
        ("supervisor", "close"),
        ("ecozone", "reopen"),
    ]


def test_a_verified_alert_whose_exceedance_continues_reopens_through_the_transition_table(
    engine, points
):
    """The platform reopens only as rules.TRANSITIONS allows (verified -> open by reopen,
    with a comment), records the step as an action of the system actor and audits it."""
    import_permits(engine, permit_file(), actor="tester")  # SO2 hour limit 100 mg/m3
    t = datetime(2024, 5, 3, 8)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])  # 150 > 100
    [alert_id] = evaluate(engine, start=t, end=t + H)
    dispatch(engine, alert_id, "supervisor")
    feedback(engine, alert_id, "enterprise", cause="bag filter leak", measures="bag replaced")
    verify(engine, alert_id, "supervisor")
    assert rules.next_state("verified", "reopen", comment="again") == "open"  # the table's step

    # 09:00 exceeds again (130 x 1.25 = 162.5 > 100): the condition continues past the check
    put_aggregates(engine, points["DA001"], "a21026", t + H, [130.0], zs=[162.5])
    assert evaluate(engine, start=t + H, end=t + 2 * H) == [alert_id]
    reopened = get_alert(engine, alert_id)
    assert (reopened["state"], reopened["duration_h"], reopened["peak"]) == ("open", 2, 162.5)
    steps = [(a["actor"], a["action"]) for a in reopened["actions"]]
    assert steps == [
        ("supervisor", "dispatch"),
        ("enterprise", "feedback"),
        ("supervisor", "verify"),
        ("ecozone", "reopen"),
    ]
    assert "after the alert was verified" in reopened["actions"][-1]["comment"]
    with engine.connect() as conn:
        entries = conn.execute(
            sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.before, audit_log.c.after)
            .where(audit_log.c.entity == "alert", audit_log.c.entity_id == str(alert_id))
            .order_by(audit_log.c.id)
        ).all()
    assert [(e.actor, e.action) for e in entries][-1] == ("ecozone", "reopen")
    assert (entries[-1].before["state"], entries[-1].after["state"]) == ("verified", "open")

    # evaluating the same data again neither reopens nor records anything more
    assert evaluate(engine, start=t + H, end=t + 2 * H) == []
    assert len(get_alert(engine, alert_id)["actions"]) == 4


def test_declared_maintenance_hides_an_exceedance_until_revoked(engine, points):
    import_permits(engine, permit_file(), actor="tester")
    t10 = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t10, [120.0] * 3, zs=[150.0] * 3)
    # declared the day before: maintenance 09:30-12:00 touches the 10:00 and 11:00 hours
    mark = declare_mark(
        engine,
        mn=MN_STACK,
        kind="maintenance",
        start="2024-05-01T09:30:00",
        end="2024-05-01T12:00:00",
        reason="quarterly CEMS maintenance",
        actor="enterprise",
        now=cst(2024, 4, 30, 17),
    )
    assert (mark["late"], mark["overlaps"], mark["point"]) == (False, [], "DA001")

    evaluate(engine, start=t10, end=t10 + 3 * H)
    [only] = alerts(engine, "exceedance")
    assert (only["start"], only["end"]) == (
        "2024-05-01T12:00:00+08:00",
        "2024-05-01T13:00:00+08:00",
    )

    revoked = revoke_mark(engine, mark["id"], actor="enterprise", now=cst(2024, 5, 1, 15))
    assert revoked["revoked_at"] is not None
    evaluate(engine, start=t10, end=t10 + 3 * H)
    [whole] = alerts(engine, "exceedance")
    assert whole["id"] == only["id"]  # the same condition, now seen whole
    assert (whole["start"], whole["duration_h"]) == ("2024-05-01T10:00:00+08:00", 3)
    assert [m["id"] for m in list_marks(engine, mn=MN_STACK)] == [mark["id"]]  # kept on record

    # a declaration made after its range began is late; two for the same data overlap
    late = declare_mark(
        engine,
        mn=MN_WATER,
        kind="fault",
        start="2024-05-01T08:00:00",
        end="2024-05-01T11:00:00",
        reason="COD analyser pump failed",
        actor="enterprise",
        now=cst(2024, 5, 1, 9),
    )
    again = declare_mark(
        engine,
        mn=MN_WATER,
        kind="calibration",
        pollutant="w01018",
        start="2024-05-01T10:00:00",
        end="2024-05-01T12:00:00",
        reason="recalibration",
        actor="enterprise",
        now=cst(2024, 5, 1, 7),
    )
    listed = {m["id"]: m for m in list_marks(engine, mn=MN_WATER)}
    assert (listed[late["id"]]["late"], listed[late["id"]]["overlaps"]) == (True, [again["id"]])
    assert (listed[again["id"]]["late"], listed[again["id"]]["overlaps"]) == (False, [late["id"]])

    # a bad declaration is refused whole, every problem named
    with pytest.raises(ComplianceError) as info:
        declare_mark(
            engine,
            mn=MN_STACK,
            kind="holiday",
            start="2024-05-01T12:00",
            end="2024-05-01T10:00",
            reason="",
            actor="enterprise",
        )
    assert info.value.errors == [
        "kind: 'holiday' is not shutdown, maintenance, calibration, fault",
        "end: 2024-05-01T10:00:00+08:00 is not after start 2024-05-01T12:00:00+08:00",
        "reason: missing; say why the data is marked",
    ]
    with pytest.raises(NotFoundError, match="no device with MN 999"):
        declare_mark(
            engine,
            mn="999",
            kind="fault",
            start="2024-05-01T10:00",
            end="2024-05-01T12:00",
            reason="x",
            actor="enterprise",
        )
    assert len(list_marks(engine)) == 3  # nothing more was recorded


def _daily_rows(point_id: int, first: datetime, days: int, emission_kg: float) -> list[dict]:
    return [
        {
            "point_id": point_id,
            "pollutant": "a21026",
            "kind": "hour",
            "data_time": first + timedelta(days=i),
            "avg": 40.0,
            "zs_avg": 50.0,
            "valid": True,
            "valid_count": 60,
            "sample_count": 60,
            "emission_kg": emission_kg,
            "computed_at": datetime.now(UTC),
        }
        for i in range(days)
    ]


def test_cap_warning_comes_before_the_cap_is_reached_and_follows_it_past(engine, points):
    import_permits(
        engine, permit_file(valid_from="2023-01-01", valid_to="2027-12-31"), actor="tester"
    )  # annual cap 50 t of SO2 at DA001
    stack = points["DA001"]
    # 150 kg a day, one hour a day at 23:00, 1 January to 30 June 2023: 181 days
    with engine.begin() as conn:
        conn.execute(aggregate.insert(), _daily_rows(stack, datetime(2023, 1, 1, 23), 181, 150.0))
    [cap_id] = evaluate(
        engine, start=datetime(2023, 6, 30), end=datetime(2023, 7, 1), now=cst(2023, 7, 1, 8)
    )
    warning = get_alert(engine, cap_id)
    # 181 × 150 kg = 27.15 t by 1 July 00:00; projected 27.15 × 365/181 = 54.75 t > 50 t,
    # while only 27.15/50 = 54.3 % of the cap is used
    assert warning["type"] == "cap_warning"
    assert warning["detail"]["emitted_t"] == pytest.approx(27.15)
    assert warning["peak"] == pytest.approx(54.75)
    assert warning["limit"] == 50.0
    assert warning["detail"]["level"] == "projected_over"
    assert warning["start"] == "2023-07-01T00:00:00+08:00"

    # then 2 t a day from 1 July: after 12 days 27.15 + 24 = 51.15 t, past the cap
    with engine.begin() as conn:
        conn.execute(aggregate.insert(), _daily_rows(stack, datetime(2023, 7, 1, 23), 12, 2000.0))
    changed = evaluate(
        engine, start=datetime(2023, 7, 12), end=datetime(2023, 7, 13), now=cst(2023, 7, 13, 8)
    )
    assert changed == [cap_id]  # the same alert, brought up to date
    exceeded = get_alert(engine, cap_id)
    assert exceeded["detail"]["level"] == "exceeded"
    assert exceeded["peak"] == pytest.approx(51.15)
    assert exceeded["start"] == warning["start"]
    assert (
        evaluate(
            engine, start=datetime(2023, 7, 12), end=datetime(2023, 7, 13), now=cst(2023, 7, 13, 9)
        )
        == []
    )
    assert alert_count(engine) == 1


def test_offline_after_two_hours_without_data_and_back(engine, points):
    stack, water = points["DA001"], points["DW001"]
    put_measurements(
        engine,
        [
            {
                "point_id": stack,
                "kind": "minute",
                "pollutant": "a21026",
                "data_time": datetime(2024, 5, 1, 9, m),
                "avg": 30.0,
                "flag": "N",
            }
            for m in (57, 58, 59)
        ],
    )
    # the 09:59 minute covers the point until 10:00
    assert check_offline(engine, cst(2024, 5, 1, 11, 59)) == []
    [offline] = check_offline(engine, cst(2024, 5, 1, 12, 0))
    raised = get_alert(engine, offline)
    assert (raised["type"], raised["start"], raised["end"]) == (
        "offline",
        "2024-05-01T10:00:00+08:00",
        None,
    )
    assert check_offline(engine, cst(2024, 5, 1, 12, 30)) == []  # still the same condition

    put_measurements(
        engine,
        [
            {
                "point_id": stack,
                "kind": "minute",
                "pollutant": "a21026",
                "data_time": datetime(2024, 5, 1, 12, 40),
                "avg": 31.0,
            }
        ],
    )
    assert check_offline(engine, cst(2024, 5, 1, 12, 45)) == [offline]
    assert get_alert(engine, offline)["end"] == "2024-05-01T12:40:00+08:00"
    assert check_offline(engine, cst(2024, 5, 1, 12, 50)) == []
    # silent again from 12:41: a second offline alert two hours later
    [again] = check_offline(engine, cst(2024, 5, 1, 14, 41))
    assert again != offline
    assert get_alert(engine, again)["start"] == "2024-05-01T12:41:00+08:00"

    # the wastewater outlet sends hourly data; its 08:00 hour covers it until 09:00, and a
    # declared shutdown from 09:00 keeps it from being raised
    put_measurements(
        engine,
        [
            {
                "point_id": water,
                "kind": "hour",
                "pollutant": "w01018",
                "data_time": datetime(2024, 5, 1, 8),
                "avg": 20.0,
            }
        ],
    )
    declare_mark(
        engine,
        mn=MN_WATER,
        kind="shutdown",
        start="2024-05-01T09:00",
        end="2024-05-02T09:00",
        reason="production stopped",
        actor="enterprise",
        now=cst(2024, 5, 1, 8),
    )
    assert check_offline(engine, cst(2024, 5, 1, 15)) == []
    assert [a["point"] for a in alerts(engine, "offline")] == ["DA001", "DA001"]


def test_constant_values_and_device_hour_mismatch(engine, points):
    stack, water = points["DA001"], points["DW001"]
    t0 = datetime(2024, 5, 3, 0)
    put_aggregates(engine, stack, "a00000", t0, [1000.0 + 10 * i for i in range(8)])  # flow
    # SO2 frozen at 35.2 from 01:00 to 06:00: six hours
    put_aggregates(engine, stack, "a21026", t0, [34.8] + [35.2] * 6 + [36.0])
    # particulates: the device's own hourly value for 01:00 is 25 where 20 was computed
    put_aggregates(engine, stack, "a34013", t0, [10.0, 20.0, 30.0], device=[10.2, 25.0, 29.0])
    # a stopped wastewater outlet: zero flow and zero COD all night
    put_aggregates(engine, water, "w00000", t0, [0.0] * 8)
    put_aggregates(engine, water, "w01018", t0, [0.0] * 8)

    evaluate(engine, start=t0, end=t0 + 8 * H)
    [constant] = alerts(engine, "constant_value")
    assert (constant["pollutant"], constant["start"], constant["end"]) == (
        "a21026",
        "2024-05-03T01:00:00+08:00",
        "2024-05-03T07:00:00+08:00",
    )
    assert (constant["duration_h"], constant["peak"]) == (6, 35.2)

    [mismatch] = alerts(engine, "hour_mismatch")
    # 01:00: |20 − 25| = 5 > max(10 % of 20, 0.5) = 2; 00:00 (0.2) and 02:00 (1 ≤ 3) agree
    assert (mismatch["pollutant"], mismatch["start"], mismatch["end"]) == (
        "a34013",
        "2024-05-03T01:00:00+08:00",
        "2024-05-03T02:00:00+08:00",
    )
    assert (mismatch["peak"], mismatch["limit"]) == (5.0, 2.0)
    assert mismatch["detail"]["hours"] == [
        {"data_time": "2024-05-03T01:00:00+08:00", "computed": 20.0, "device": 25.0}
    ]
    assert alert_count(engine) == 2  # nothing for the stopped outlet


def test_fault_and_maintenance_flags_and_discharge_after_the_permit_expired(engine, points):
    import_permits(engine, permit_file(valid_to="2024-12-31"), actor="tester")
    stack, water = points["DA001"], points["DW001"]
    day = datetime(2024, 6, 1)
    minute = timedelta(minutes=1)
    rows = []
    # SO2: minute data 00:00-01:59, 31 of the first hour's minutes and all of the second
    # flagged D (more than half of each hour), then device hours 02:00-11:00 flagged D
    for i in range(120):
        rows.append(
            {
                "point_id": stack,
                "kind": "minute",
                "pollutant": "a21026",
                "data_time": day + i * minute,
                "avg": 0.0,
                "flag": "D" if i < 31 or i >= 60 else "N",
            }
        )
    rows += [
        {
            "point_id": stack,
            "kind": "hour",
            "pollutant": "a21026",
            "data_time": day + h * H,
            "avg": 0.0,
            "flag": "D",
        }
        for h in range(2, 12)
    ]
    # NOx: 11 fault hours only; particulates: 12 fault hours the enterprise declared
    rows += [
        {
            "point_id": stack,
            "kind": "hour",
            "pollutant": "a21002",
            "data_time": day + h * H,
            "flag": "D",
        }
        for h in range(11)
    ]
    rows += [
        {
            "point_id": stack,
            "kind": "hour",
            "pollutant": "a34013",
            "data_time": day + h * H,
            "flag": "d ",
        }
        for h in range(12)
    ]
    # COD: maintenance flag M for 25 hours (longer than the 24 allowed)
    rows += [
        {
            "point_id": water,
            "kind": "hour",
            "pollutant": "w01018",
            "data_time": day + h * H,
            "flag": "M",
        }
        for h in range(25)
    ]
    put_measurements(engine, rows)
    declare_mark(
        engine,
        mn=MN_STACK,
        kind="fault",
        pollutant="a34013",
        start="2024-06-01T00:00",
        end="2024-06-01T12:00",
        reason="dust meter fault",
        actor="enterprise",
        now=cst(2024, 6, 1, 1),
    )
    # DA001 discharges on past midnight into 2025, after its permit's last day
    put_aggregates(
        engine, stack, "a21026", datetime(2024, 12, 31, 22), [30.0, 31.0, 29.0, 30.5, 30.0]
    )

    evaluate(engine, start=day, end=datetime(2025, 1, 2), now=cst(2025, 1, 2, 8))
    [fault] = alerts(engine, "device_fault")
    assert (fault["pollutant"], fault["start"], fault["end"], fault["duration_h"]) == (
        "a21026",
        "2024-06-01T00:00:00+08:00",
        "2024-06-01T12:00:00+08:00",
        12,
    )
    [maintenance] = alerts(engine, "long_maintenance")
    assert (maintenance["point"], maintenance["pollutant"], maintenance["duration_h"]) == (
        "DW001",
        "w01018",
        25,
    )
    [expired] = alerts(engine, "permit_expired")
    assert (expired["point"], expired["start"], expired["end"]) == (
        "DA001",
        "2025-01-01T00:00:00+08:00",
        "2025-01-01T03:00:00+08:00",
    )
    assert expired["detail"]["permits"] == [
        {
            "permit_no": "91500000MA5U7AH918001P",
            "valid_from": "2024-01-01",
            "valid_to": "2024-12-31",
        }
    ]
    assert alert_count(engine) == 3
    assert evaluate(engine, start=day, end=datetime(2025, 1, 2), now=cst(2025, 1, 2, 9)) == []
