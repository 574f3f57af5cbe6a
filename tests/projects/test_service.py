"""Project use cases on SQLite and PostgreSQL: a 报告表 through every stage with its clock,
refusals that change nothing, the builder's own door, the pledge sampling, due and overdue
alerts in the alert desk, and the handoff to the registry at operation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from tests.projects.conftest import code, scope

from ecozone.compliance.model import WorkCalendar
from ecozone.errors import Forbidden, NotFound
from ecozone.projects import service
from ecozone.projects.model import (
    ClockState,
    ProjectError,
    ProjectSettings,
    Stage,
    TransitionRefused,
)
from ecozone.store.schema import alert, audit_log, eia_project, enterprise, permit, point

S = ProjectSettings()
CAL = WorkCalendar()
NEW_BUILDER = code(11)
FORM = {
    "name": "年产 5 万吨新材料项目", "builder_name": "重庆丙新材料有限公司",
    "credit_code": NEW_BUILDER, "district": "两江新区", "industry": "新材料制造",
    "category": "form", "route": "normal", "major": True, "investment_wan_yuan": "32000",
    "lon": "106.61", "lat": "29.72",
    "outlets": "DA001 工艺废气排放口 flue_gas 106.611 29.721\nDW001 废水总排口 wastewater",
}  # fmt: skip


def _move(engine, project_id, *steps, who="district"):
    for stage, day in steps:
        service.transition(engine, scope(who), project_id, stage, on_date=day,
                           reason=f"办理{stage}", actor="lj")  # fmt: skip
    return service.project(engine, scope(who), project_id)


def test_a_form_accepted_on_a_friday_is_due_after_its_review_pause(engine: sa.Engine) -> None:
    made = service.create_project(engine, scope("district"), FORM, actor="lj")
    assert made.stage is Stage.PLANNING and made.enterprise_id is None
    # Accepted Friday 6 March 2026; technical review 10 March, notice from 20 March: the
    # 10 days 10..19 March are not counted; 3 + 12 + 15 = 30 days end on 15 April.
    found = _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"),
                  ("technical_review", "2026-03-10"), ("public_notice", "2026-03-20"))  # fmt: skip
    clock = service.clock_of(found, date(2026, 4, 1), S, CAL)
    assert clock.due_on == date(2026, 4, 15) and clock.paused_days == 10
    assert clock.state is ClockState.RUNNING and clock.days_left == 14
    found = _move(engine, made.id, ("approved", "2026-04-15"))
    assert service.clock_of(found, date(2026, 6, 1), S, CAL).state is ClockState.MET
    history = service.history(engine, scope("district"), made.id)
    assert [t["to_stage"] for t in history["transitions"]] == [
        "planning", "submitted", "accepted", "technical_review", "public_notice", "approved"]
    assert history["transitions"][3]["reason"] == "办理technical_review"
    assert history["transitions"][3]["actor"] == "lj"
    [review] = history["pauses"]
    assert (review["start"], review["end"]) == (date(2026, 3, 10), date(2026, 3, 20))
    with engine.connect() as conn:
        moves = conn.execute(sa.select(audit_log.c.action).where(
            audit_log.c.entity == "eia_project")).scalars().all()  # fmt: skip
    assert moves.count("transition") == 5 and moves.count("create") == 1


def test_a_move_out_of_order_is_refused_naming_the_stage_and_changes_nothing(
    engine: sa.Engine,
) -> None:
    made = service.create_project(engine, scope("district"), FORM, actor="lj")
    _move(engine, made.id, ("submitted", "2026-03-04"))
    with pytest.raises(TransitionRefused, match=r"“已报批”\(submitted\).*“已批复”\(approved\)"):
        _move(engine, made.id, ("approved", "2026-03-05"))
    with pytest.raises(ProjectError, match="早于上一步的日期"):
        _move(engine, made.id, ("accepted", "2026-03-01"))
    found = service.project(engine, scope("district"), made.id)
    assert found.stage is Stage.SUBMITTED and found.accepted_on is None
    assert len(service.history(engine, scope("district"), made.id)["transitions"]) == 2


def test_a_builder_submits_its_own_project_and_nothing_more(engine: sa.Engine) -> None:
    own = service.create_project(
        engine, scope("enterprise"), {**FORM, "enterprise": code(1)}, actor="jia"
    )
    assert own.enterprise_id == 1 and own.builder_name == "重庆甲化工有限公司"
    with pytest.raises(ProjectError, match="请选择本企业"):
        service.create_project(engine, scope("enterprise"), FORM, actor="jia")
    with pytest.raises(NotFound, match="没有统一社会信用代码"):
        service.create_project(engine, scope("enterprise"), {**FORM, "enterprise": code(2)},
                               actor="jia")  # fmt: skip
    _move(engine, own.id, ("submitted", "2026-03-04"), who="enterprise")
    with pytest.raises(Forbidden, match="建设单位只能报批"):
        _move(engine, own.id, ("accepted", "2026-03-06"), who="enterprise")
    with pytest.raises(NotFound):
        service.project(engine, scope("other_enterprise"), own.id)
    with pytest.raises(NotFound):
        service.project(engine, scope("other_district"), own.id)
    assert [p.id for p in service.projects(engine, scope("public"))] == []
    assert [p.id for p in service.projects(engine, scope("enterprise"))] == [own.id]


def test_a_pledge_is_approved_on_acceptance_and_flagged_for_sampling(engine: sa.Engine) -> None:
    made = service.create_project(engine, scope("admin"), {**FORM, "route": "pledge"},
                                  actor="admin")  # fmt: skip
    found = _move(engine, made.id, ("submitted", "2026-08-03"), ("accepted", "2026-08-05"),
                  ("approved", "2026-08-05"), who="admin")  # fmt: skip
    assert service.clock_of(found, date(2026, 9, 1), S, CAL).state is ClockState.MET
    [flag] = service.sampling_list(engine, scope("admin"), "2026Q3")
    assert flag["outcome"] == "pending"
    done = service.record_sampling(engine, scope("admin"), made.id, "nonconforming",
                                   checked_on="2026-09-20", note="废气治理设施与承诺不符",
                                   actor="admin")  # fmt: skip
    assert done["outcome"] == "nonconforming" and done["checked_on"] == date(2026, 9, 20)
    plain = service.create_project(engine, scope("admin"), FORM, actor="admin")
    with pytest.raises(TransitionRefused, match="不是告知承诺制"):
        service.record_sampling(engine, scope("admin"), plain.id, "conforming",
                                checked_on="2026-09-20", note="", actor="admin")  # fmt: skip


def test_a_hearing_stops_the_clock_until_it_resumes(engine: sa.Engine) -> None:
    made = service.create_project(engine, scope("admin"), FORM, actor="admin")
    _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"), who="admin")
    service.pause(engine, scope("admin"), made.id, "hearing", start="2026-03-10",
                  reason="公众听证", actor="admin")  # fmt: skip
    paused = service.project(engine, scope("admin"), made.id)
    assert service.clock_of(paused, date(2026, 3, 12), S, CAL).state is ClockState.PAUSED
    with pytest.raises(TransitionRefused, match="已在暂停中"):
        service.pause(engine, scope("admin"), made.id, "expert_review", start="2026-03-11",
                      reason="x", actor="admin")  # fmt: skip
    resumed = service.resume(engine, scope("admin"), made.id, end="2026-03-20", actor="admin")
    assert service.clock_of(resumed, date(2026, 4, 1), S, CAL).due_on == date(2026, 4, 15)
    with pytest.raises(Forbidden):
        service.resume(engine, scope("enterprise"), made.id, end="2026-03-21", actor="jia")


def test_due_and_overdue_projects_raise_alerts_into_the_desk(engine: sa.Engine) -> None:
    own = service.create_project(engine, scope("admin"), {**FORM, "enterprise": code(1)},
                                 actor="admin")  # fmt: skip
    other = service.create_project(engine, scope("admin"), FORM, actor="admin")
    for p in (own, other):
        _move(engine, p.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"), who="admin")
    # Due 5 April (no pause, no holidays; a Sunday, so Monday 6 April); 10 April is overdue.
    found = service.check_deadlines(engine, date(2026, 4, 10), S, CAL)
    assert found["raised"] == [own.id] and found["unregistered_builders"] == [other.id]
    with engine.connect() as conn:
        [row] = conn.execute(sa.select(alert).where(alert.c.type == "eia_overdue")).mappings()
    assert row["enterprise_id"] == 1 and row["point_id"] is None
    assert row["detail"]["due_on"] == "2026-04-06"
    assert str(row["start"]) == "2026-04-07 00:00:00"
    again = service.check_deadlines(engine, date(2026, 4, 11), S, CAL)
    assert again["alerts"] == []  # the same condition: no second alert
    soon = service.check_deadlines(engine, date(2026, 4, 2), S, CAL)
    with engine.connect() as conn:
        due = conn.execute(sa.select(alert.c.id).where(alert.c.type == "eia_due")).scalars().all()
    assert soon["alerts"] == due and len(due) == 1


def test_the_decision_closes_the_deadline_alerts_nobody_acted_on(engine: sa.Engine) -> None:
    from ecozone.compliance import alerts

    late, kept = (service.create_project(engine, scope("admin"), {**FORM, "enterprise": code(1)},
                                         actor="admin") for _ in range(2))  # fmt: skip
    for p in (late, kept):
        _move(engine, p.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"), who="admin")
    service.check_deadlines(engine, date(2026, 4, 10), S, CAL)  # both overdue (due 6 April)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(alert.c.condition_key, alert.c.id)).all())
    dispatched = ids[f"eia:eia_overdue:{kept.id}"]
    alerts.act(engine, dispatched, "dispatch", actor="district", deadline_days=3)
    for p in (late, kept):
        _move(engine, p.id, ("public_notice", "2026-04-11"), ("approved", "2026-04-12"),
              who="admin")
    with engine.connect() as conn:
        state = dict(conn.execute(sa.select(alert.c.id, alert.c.state)).all())
        reason = conn.execute(sa.select(alert.c.close_reason).where(
            alert.c.id == ids[f"eia:eia_overdue:{late.id}"])).scalar_one()  # fmt: skip
    # The clock is gone with the decision: its unacted alert is closed as handled; the one
    # dispatched to the builder stays with the supervisor, who closes it on its feedback.
    assert state == {ids[f"eia:eia_overdue:{late.id}"]: "closed", dispatched: "dispatched"}
    assert reason == "resolved"


def test_operation_creates_the_enterprise_its_outlets_and_a_permit_skeleton(
    engine: sa.Engine,
) -> None:
    made = service.create_project(engine, scope("admin"), FORM, actor="admin")
    with pytest.raises(TransitionRefused, match="“前期”"):
        _move(engine, made.id, ("operation", "2026-03-01"), who="admin")
    found = _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"),
                  ("public_notice", "2026-03-25"), ("approved", "2026-04-01"),
                  ("construction", "2026-04-10"), ("acceptance", "2026-09-01"),
                  ("permit", "2026-09-20"), ("operation", "2026-10-01"), who="admin")  # fmt: skip
    assert found.stage is Stage.OPERATION and found.enterprise_id is not None
    with engine.connect() as conn:
        made_enterprise = conn.execute(sa.select(enterprise).where(
            enterprise.c.credit_code == NEW_BUILDER)).mappings().one()  # fmt: skip
        points = conn.execute(sa.select(point.c.code, point.c.kind, point.c.lon).where(
            point.c.enterprise_id == made_enterprise["id"]).order_by(point.c.code)).all()  # fmt: skip
        skeleton = conn.execute(sa.select(permit).where(
            permit.c.enterprise_id == made_enterprise["id"])).mappings().one()  # fmt: skip
        project_row = conn.execute(sa.select(eia_project.c.enterprise_id)).scalar()
    assert made_enterprise["name"] == "重庆丙新材料有限公司" and made_enterprise["district_id"] == 1
    assert [tuple(p) for p in points] == [("DA001", "flue_gas", 106.611),
                                          ("DW001", "wastewater", None)]  # fmt: skip
    assert skeleton["permit_no"] == f"{NEW_BUILDER}001P"
    assert skeleton["management_class"] == "simplified"
    assert (skeleton["valid_from"], skeleton["valid_to"]) == (date(2026, 10, 1), date(2031, 9, 30))
    assert project_row == made_enterprise["id"]


def test_bad_input_names_the_field_and_stores_nothing(engine: sa.Engine) -> None:
    cases = [
        ({"lon": "east"}, "经度"),
        ({"lat": "95"}, "纬度"),
        ({"category": "book"}, "环评类别"),
        ({"route": "pledge", "category": "report"}, "告知承诺制只适用于报告表"),
        ({"credit_code": "91500000MA5U000110"}, "统一社会信用代码"),
        ({"outlets": "DA001 废气 smoke"}, "类型"),
        ({"polygon": '{"type": "Point", "coordinates": [1, 2]}'}, "用地范围"),
        ({"name": ""}, "项目名称"),
    ]
    for change, field in cases:
        with pytest.raises(ProjectError, match=field):
            service.create_project(engine, scope("admin"), {**FORM, **change}, actor="admin")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(eia_project)).scalar() == 0


def test_an_operation_dated_before_the_permit_leaves_the_registry_as_it_was(
    engine: sa.Engine,
) -> None:
    made = service.create_project(engine, scope("admin"), FORM, actor="admin")
    _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"),
          ("public_notice", "2026-03-25"), ("approved", "2026-04-01"),
          ("construction", "2026-04-10"), ("acceptance", "2026-09-01"),
          ("permit", "2026-09-20"), who="admin")  # fmt: skip
    with pytest.raises(ProjectError, match="早于上一步的日期 2026-09-20"):
        _move(engine, made.id, ("operation", "2026-09-01"), who="admin")
    with engine.connect() as conn:
        assert conn.execute(sa.select(enterprise.c.id).where(
            enterprise.c.credit_code == NEW_BUILDER)).first() is None  # fmt: skip
    assert service.project(engine, scope("admin"), made.id).stage is Stage.PERMIT


def test_a_registered_builder_keeps_its_file_and_permit_and_gains_the_new_outlet(
    engine: sa.Engine,
) -> None:
    stored_no = f"{code(1)}001P"
    with engine.begin() as conn:
        conn.execute(permit.insert().values(
            permit_no=stored_no, enterprise_id=1, management_class="key",
            valid_from=date(2024, 1, 1), valid_to=date(2028, 12, 31)))  # fmt: skip
    made = service.create_project(engine, scope("admin"), {
        **FORM, "enterprise": code(1), "outlets": "DA009 技改废气排放口 flue_gas"}, actor="admin")
    _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"),
          ("public_notice", "2026-03-25"), ("approved", "2026-04-01"),
          ("construction", "2026-04-10"), ("acceptance", "2026-09-01"),
          ("permit", "2026-09-20"), ("operation", "2026-10-01"), who="admin")  # fmt: skip
    with engine.connect() as conn:
        kept = conn.execute(sa.select(enterprise).where(enterprise.c.id == 1)).mappings().one()
        skeleton = conn.execute(sa.select(permit).where(permit.c.permit_no == stored_no)
                                ).mappings().one()  # fmt: skip
        codes = conn.execute(sa.select(point.c.code).where(point.c.enterprise_id == 1)
                             ).scalars().all()  # fmt: skip
    assert (kept["name"], kept["industry"], kept["lon"]) == ("重庆甲化工有限公司", "化学原料制造",
                                                             106.55)  # fmt: skip
    assert (skeleton["management_class"], skeleton["valid_from"]) == ("key", date(2024, 1, 1))
    assert codes == ["DA009"]


def test_an_operating_project_without_outlets_is_registered_without_a_permit(
    engine: sa.Engine,
) -> None:
    made = service.create_project(engine, scope("admin"), {**FORM, "outlets": ""}, actor="admin")
    _move(engine, made.id, ("submitted", "2026-03-04"), ("accepted", "2026-03-06"),
          ("public_notice", "2026-03-25"), ("approved", "2026-04-01"),
          ("construction", "2026-04-10"), ("acceptance", "2026-09-01"),
          ("permit", "2026-09-20"), ("operation", "2026-10-01"), who="admin")  # fmt: skip
    with engine.connect() as conn:
        made_id = conn.execute(sa.select(enterprise.c.id).where(
            enterprise.c.credit_code == NEW_BUILDER)).scalar_one()  # fmt: skip
        assert conn.execute(sa.select(permit).where(permit.c.enterprise_id == made_id)
                            ).first() is None  # fmt: skip
