"""Linkage end to end on a stored day: configuration, evaluation, alerts in the alert desk.

The day (hand-written, minute by minute): the melting line runs 08:00–20:00 at 100 kW; its
dust collector starts at 08:03 (within T2), is off 10:00–10:30 (A), idles 13:00–13:20 (C)
and stops at 19:40 (B, early); the stack analyser is in maintenance 12:00–12:30 while the
line runs (E); a stop order 21:00–23:00 is obeyed.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from tests.power.conftest import (
    CREDIT_CODE,
    DAY,
    POWER_FILE,
    day_series,
    minute,
    put_series,
)

from ecozone.accounts.model import Role, Scope
from ecozone.compliance.model import AlertType
from ecozone.errors import Invalid, NotFound
from ecozone.power import evaluation, service
from ecozone.power.model import OperatingState, PowerSettings
from ecozone.store.schema import alert, audit_log, point, power_facility
from ecozone.times import CHINA_STANDARD_TIME

SETTINGS = PowerSettings(control_idle_slots=10)


@pytest.fixture
def stored_day(engine: sa.Engine) -> sa.Engine:
    service.configure(engine, POWER_FILE, actor="admin")
    with engine.connect() as conn:
        ids = {r.code: r.id for r in conn.execute(sa.select(point.c.code, point.c.id))}
    put_series(engine, ids["PE001"], "d20405", day_series(0, (minute(8, 0), minute(20, 0), 100)))
    put_series(
        engine,
        ids["PE001"],
        "d30406",
        day_series(
            0,
            (minute(8, 3), minute(19, 40), 40),
            (minute(10, 0), minute(10, 30), 0),
            (minute(13, 0), minute(13, 20), 10),
        ),
    )
    flags = ["N"] * 1440
    flags[minute(12, 0) : minute(12, 30)] = ["M"] * 30
    analyser = day_series(35.0)
    analyser[::3] += 0.7  # a live analyser does not repeat itself
    put_series(engine, ids["DA001"], "a21026", analyser, kind="minute", flags=flags)
    return engine


def test_a_stored_day_gives_the_hand_written_findings(stored_day: sa.Engine):
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    assert [
        (f.type.value, f.start.strftime("%H:%M"), f.end.strftime("%H:%M")) for f in result.findings
    ] == [
        ("control_off", "10:00", "10:30"),
        ("analyser_silent", "12:00", "12:30"),
        ("control_idle", "13:00", "13:20"),
        ("unsynchronised", "19:40", "20:00"),
    ]
    line = next(t for t in result.timelines.values() if t.facility.code == "MF0001")
    running = [r for r in line.runs if r.state is OperatingState.RUNNING]
    assert [(r.start, r.end) for r in running] == [(DAY.replace(hour=8), DAY.replace(hour=20))]
    assert line.thresholds.off_kw == pytest.approx(8.0) and line.thresholds.low_kw == pytest.approx(
        30.0
    )


def test_findings_become_alerts_once(stored_day: sa.Engine):
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    created = evaluation.raise_alerts(stored_day, result, now=datetime(2026, 11, 3, 1))
    assert len(created) == 4
    again = evaluation.evaluate(stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS)
    assert evaluation.raise_alerts(stored_day, again, now=datetime(2026, 11, 3, 2)) == set()
    with stored_day.connect() as conn:
        rows = conn.execute(sa.select(alert).order_by(alert.c.start)).mappings().all()
    assert [(r["type"], r["start"].strftime("%H:%M")) for r in rows] == [
        (AlertType.CONTROL_OFF.value, "10:00"),
        (AlertType.ANALYSER_SILENT.value, "12:00"),
        (AlertType.CONTROL_IDLE.value, "13:00"),
        (AlertType.UNSYNCHRONISED.value, "19:40"),
    ]
    off = rows[0]["detail"]
    assert off["facility"] == "TA001" and off["production"] == ["MF0001"]
    assert off["minutes"] == 30 and off["production_kw"] == {"MF0001": 100.1}


def test_a_declared_maintenance_of_the_outlet_excuses_the_control_stop(stored_day: sa.Engine):
    from ecozone.compliance.marks import declare_mark, review_mark

    mark = declare_mark(
        stored_day,
        kind="maintenance",
        start="2026-11-02T09:55:00",
        end="2026-11-02T10:35:00",
        reason="更换滤袋",
        actor="enterprise",
        mn="010000A8900016F000169DC0",
        now=datetime(2026, 11, 2, 9, 50),
    )
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    assert "control_off" not in [f.type.value for f in result.findings]
    # a supervisor rejects the declaration: it excuses nothing any more
    review_mark(stored_day, mark["id"], decision="rejected", comment="无维护记录", actor="city")
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    assert "control_off" in [f.type.value for f in result.findings]


def test_another_enterprise_and_the_public_see_no_power_data(stored_day: sa.Engine):
    for scope in (
        Scope(role=Role.ENTERPRISE, enterprise_ids=frozenset({999})),
        Scope(role=Role.PUBLIC),
    ):
        with pytest.raises(NotFound):
            evaluation.evaluate(stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), scope=scope)


def test_a_bad_configuration_names_its_place_and_changes_nothing(stored_day: sa.Engine):
    bad = {**POWER_FILE, "facilities": [dict(f) for f in POWER_FILE["facilities"]]}
    meter = dict(bad["facilities"][1]["meters"][0])
    meter["channels"] = [{"mn": "NOPE", "code": "d30406", "quantity": "power_kw"}]
    bad["facilities"][1] = {**bad["facilities"][1], "meters": [meter]}
    with pytest.raises(
        Invalid, match=r"facilities\[1\]\.meters\[0\]\.channels\[0\]\.mn: no device NOPE"
    ):
        service.configure(stored_day, bad, actor="admin")
    with pytest.raises(Invalid, match=r"facilities\[0\]\.serves: only a control facility"):
        service.configure(
            stored_day,
            {**POWER_FILE, "facilities": [{**POWER_FILE["facilities"][0], "serves": ["MF0001"]}]},
            actor="admin",
        )
    with pytest.raises(
        Invalid, match=r"facilities\[1\]\.emission_factors: a list, for a production"
    ):
        service.configure(
            stored_day,
            {
                **POWER_FILE,
                "facilities": [
                    POWER_FILE["facilities"][0],
                    {**POWER_FILE["facilities"][1], "emission_factors": [{"pollutant": "a34013"}]},
                ],
            },
            actor="admin",
        )
    with pytest.raises(Invalid, match=r"orders\[0\]\.quota_kw: a limit order needs"):
        service.configure(
            stored_day,
            {**POWER_FILE, "orders": [{**POWER_FILE["orders"][0], "requirement": "limit"}]},
            actor="admin",
        )
    with stored_day.connect() as conn:
        codes = sorted(conn.execute(sa.select(power_facility.c.code)).scalars())
        audits = conn.execute(
            sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.entity == "power")
        ).scalar()
    assert codes == ["MF0001", "TA001"] and audits == 1


def test_the_periodic_check_raises_the_days_findings(stored_day: sa.Engine):
    from ecozone.pipeline import run_checks

    midnight = datetime(2026, 11, 3, tzinfo=CHINA_STANDARD_TIME)
    assert evaluation.evaluate_recent(stored_day, hours=24, now=midnight, settings=SETTINGS)
    run_checks(stored_day, power_hours=24)  # today's clock: nothing new in the last day
    with stored_day.connect() as conn:
        types = sorted(conn.execute(sa.select(alert.c.type)).scalars())
    linkage = ["analyser_silent", "control_idle", "control_off", "unsynchronised"]
    assert [t for t in types if t != "offline"] == linkage  # the points went silent since


def test_a_declared_warning_turns_the_emergency_list_into_findings(stored_day: sa.Engine):
    from ecozone.power import warnings

    # orange keeps yellow's measure (limit to 60 kW); the line runs at 100 kW 14:00-15:00
    warnings.declare(
        stored_day,
        level="orange",
        start="2026-11-02T14:00",
        end="2026-11-02T15:00",
        district_name="两江新区",
        note="市重污染天气应急指挥部发布",
        actor="city",
    )
    warnings.declare(  # a zone-wide warning applies everywhere
        stored_day,
        level="red",
        start="2026-11-02T16:00",
        end="2026-11-02T17:00",
        district_name=None,
        actor="city",
        note=None,
    )
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    limits = [f for f in result.findings if f.type.value == "limit_order"]
    assert [
        (f.start.hour, f.evidence["slots"], f.evidence["order"], f.evidence["level"])
        for f in limits
    ] == [(14, 60, "limit", "orange"), (16, 60, "stop", "red")]
    with pytest.raises(Invalid, match="district: no district named"):
        warnings.declare(
            stored_day,
            level="red",
            start="2026-11-02T16:00",
            end="2026-11-02T17:00",
            district_name="火星区",
            actor="city",
        )
    district_supervisor = Scope(role=Role.SUPERVISOR, district_id=999)
    with pytest.raises(Exception, match="their own district only"):
        warnings.declare(
            stored_day,
            level="red",
            start="2026-11-02T16:00",
            end="2026-11-02T17:00",
            actor="d",
            scope=district_supervisor,
        )


def test_committed_rows_are_judged_for_the_enterprises_they_belong_to(stored_day: sa.Engine):
    from ecozone.store.schema import measurement

    with stored_day.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(measurement)).mappings()]
    assert evaluation.evaluate_rows(stored_day, rows[:10], settings=SETTINGS) == set()  # 00:00
    changed = evaluation.evaluate_rows(stored_day, rows, settings=SETTINGS)
    with stored_day.connect() as conn:
        types = sorted(conn.execute(sa.select(alert.c.type)).scalars())
    assert len(changed) == 4
    assert types == ["analyser_silent", "control_idle", "control_off", "unsynchronised"]
    other = [{**r, "point_id": 999999} for r in rows[:5]]  # nobody's meter: nothing to judge
    assert evaluation.evaluate_rows(stored_day, other, settings=SETTINGS) == set()


def test_a_stop_seen_live_stays_one_alert_when_it_turns_out_an_early_stop(stored_day: sa.Engine):
    # at 19:50 the collector has been off 10 minutes while the line runs: A so far
    live = evaluation.evaluate(
        stored_day,
        CREDIT_CODE,
        DAY.replace(hour=19),
        DAY.replace(hour=19, minute=50),
        settings=SETTINGS,
    )
    assert [f.type.value for f in live.findings] == ["control_off"]
    evaluation.raise_alerts(stored_day, live, now=datetime(2026, 11, 2, 19, 50))
    # at 20:30 the line has stopped at 20:00: the same stretch is an early stop (B)
    later = evaluation.evaluate(
        stored_day,
        CREDIT_CODE,
        DAY.replace(hour=19),
        DAY.replace(hour=20, minute=30),
        settings=SETTINGS,
    )
    assert [f.type.value for f in later.findings] == ["unsynchronised"]
    evaluation.raise_alerts(stored_day, later, now=datetime(2026, 11, 2, 20, 30))
    with stored_day.connect() as conn:
        rows = conn.execute(sa.select(alert.c.type, alert.c.start, alert.c.end)).all()
    assert [(r.type, r.start.strftime("%H:%M"), r.end.strftime("%H:%M")) for r in rows] == [
        ("control_off", "19:40", "20:00")
    ]
