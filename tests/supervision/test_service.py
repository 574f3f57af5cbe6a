"""Campaigns on a stored zone: the inputs frozen with the commitment, one draw, caps,
listings, recusal, district scope, the record and `ecozone inspect verify`."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
import sqlalchemy as sa
from tests.supervision.conftest import LIANGJIANG, PRINCIPALS, SETTINGS, YUBEI, code
from typer.testing import CliRunner

from ecozone.errors import Conflict, Forbidden, NotFound
from ecozone.store.schema import audit_log, inspection_assignment, inspection_campaign
from ecozone.supervision import rules, service
from ecozone.supervision.cli import app as inspect_app
from ecozone.supervision.model import SupervisionError

QUARTER = {"period_start": "2026-10-01", "period_end": "2026-12-31"}


def create(engine: sa.Engine, **kw) -> dict:
    args = {"name": "2026年第四季度", **QUARTER, "district": LIANGJIANG,
            "quotas": {"key": {"count": 1}, "general": {"count": 2}}, "settings": SETTINGS,
            "actor": "lj", **kw}  # fmt: skip
    return service.create_campaign(engine, **args)


def test_target_lists_derive_categories_from_permits_and_listings(engine: sa.Engine) -> None:
    service.add_listing(engine, credit_code=code(5), kind="attention", reason="群众投诉较多",
                        valid_from="2026-01-01", actor="t")  # fmt: skip
    rows = service.target_lists(engine, PRINCIPALS["district"].scope, day=date(2026, 10, 1))
    by_id = {r["id"]: r for r in rows}
    assert sorted(by_id) == list(range(1, 9))  # the district's eight only
    assert [by_id[n]["category"] for n in (1, 2, 3, 4, 5)] == [
        "key", "key", "key", "general", "attention"]  # fmt: skip
    assert by_id[4]["open_alerts"] == 2


def test_a_campaign_shows_inputs_and_commitment_and_hides_the_seed_until_drawn(
    engine: sa.Engine,
) -> None:
    made = create(engine)
    shown = service.campaign(engine, made["id"], PRINCIPALS["district"].scope)
    assert "seed" not in shown and shown["commitment"] == made["commitment"]
    inputs = shown["inputs"]
    assert rules.inputs_digest(inputs) == made["inputs_sha256"]
    weights = {c["id"]: c["weight"] for c in inputs["candidates"]}
    assert weights[4] == 2.0  # 1 + 0.5 × 2 open alerts
    # the district's four and the zone-wide inspector; none of another district
    assert [i["certificate_no"] for i in inputs["inspectors"]] == [
        "LJ001", "LJ002", "LJ003", "LJ004", "CQ001"]  # fmt: skip
    with engine.connect() as conn:  # a dump before the draw holds no usable seed
        stored = conn.execute(
            sa.select(inspection_campaign.c.seed).where(inspection_campaign.c.id == made["id"])
        ).scalar_one()
    assert stored.startswith("v1:") and len(stored) > 64
    drawn = service.draw_campaign(engine, made["id"], actor="lj")
    assert hashlib.sha256(bytes.fromhex(drawn["seed"])).hexdigest() == made["commitment"]
    with engine.connect() as conn:  # revealed: stored in clear with the result
        stored = conn.execute(
            sa.select(inspection_campaign.c.seed).where(inspection_campaign.c.id == made["id"])
        ).scalar_one()
    assert stored == drawn["seed"]
    categories = [i["category"] for i in drawn["result"]["inspections"]]
    assert categories == ["key", "general", "general"]


def test_a_campaign_is_drawn_once(engine: sa.Engine) -> None:
    made = create(engine)
    service.draw_campaign(engine, made["id"], actor="lj")
    with pytest.raises(Conflict, match="不能重新抽取"):
        service.draw_campaign(engine, made["id"], actor="lj")
    with engine.connect() as conn:
        actions = conn.execute(
            sa.select(audit_log.c.action).where(audit_log.c.entity == "inspection_campaign")
        ).scalars().all()  # fmt: skip
        assert actions == ["create", "draw"]
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(inspection_assignment)).scalar()
            == 3
        )


def test_an_enterprise_inspected_this_quarter_is_capped_and_gets_a_new_team(
    engine: sa.Engine,
) -> None:
    first = create(engine, quotas={"key": {"count": 3}})
    done = service.draw_campaign(engine, first["id"], actor="lj")["result"]["inspections"]
    teams = {i["enterprise_id"]: i["inspectors"] for i in done}
    # same quarter: all three key dischargers are capped
    second = service.campaign(engine, create(engine, name="二次", quotas={"key": {"count": 3}})["id"],
                              PRINCIPALS["admin"].scope)  # fmt: skip
    assert {c["id"]: c["status"] for c in second["inputs"]["candidates"] if c["category"] == "key"} == {
        1: "capped", 2: "capped", 3: "capped"}  # fmt: skip
    # next quarter: in again, and never with the same inspectors as last time
    third = create(engine, name="次季度", period_start="2027-01-01", period_end="2027-03-31",
                   quotas={"key": {"count": 3}})  # fmt: skip
    later = service.draw_campaign(engine, third["id"], actor="lj")["result"]["inspections"]
    for item in later:
        assert not set(item["inspectors"]) & set(teams[item["enterprise_id"]])


def test_pledged_are_out_positive_list_is_lowered_triggered_always_in(engine: sa.Engine) -> None:
    service.add_listing(engine, credit_code=code(6), kind="pledge", reason="承诺免检",
                        valid_from="2026-01-01", actor="t")  # fmt: skip
    service.add_listing(engine, credit_code=code(7), kind="positive", reason="正面清单",
                        valid_from="2026-01-01", valid_to="2026-12-31", actor="t")  # fmt: skip
    made = create(engine, quotas={"general": {"count": 1}}, triggered=[code(8)])
    shown = service.campaign(engine, made["id"], PRINCIPALS["admin"].scope)
    status = {c["id"]: (c["status"], c["weight"]) for c in shown["inputs"]["candidates"]}
    assert status[6][0] == "pledged" and status[7] == ("eligible", 0.2)
    assert status[8][0] == "triggered"
    result = service.draw_campaign(engine, made["id"], actor="lj")["result"]
    assert [(i["enterprise_id"], i["triggered"]) for i in result["inspections"]] == [(8, True)]


def test_a_declared_conflict_keeps_the_inspector_away(engine: sa.Engine) -> None:
    for inspector_id in (1, 2, 3):
        service.declare_conflict(engine, inspector_id, credit_code=code(1), reason="近亲属任职",
                                 actor="t")  # fmt: skip
    made = create(engine, quotas={"key": {"count": 3}})  # LJ004 and CQ001 remain for 企业01
    result = service.draw_campaign(engine, made["id"], actor="lj")["result"]
    assert [i["inspectors"] for i in result["inspections"] if i["enterprise_id"] == 1] == [[4, 5]]
    service.declare_conflict(engine, 4, credit_code=code(1), reason="曾在该企业任职", actor="t")
    with pytest.raises(SupervisionError, match="企业01"):  # one left: not enough, named
        create(engine, name="下季度", period_start="2027-01-01", period_end="2027-03-31")


def test_a_district_supervisor_keeps_to_their_district(engine: sa.Engine) -> None:
    made = create(engine)
    with pytest.raises(Forbidden):
        create(engine, district=YUBEI, scope=PRINCIPALS["district"].scope)
    with pytest.raises(NotFound):
        service.campaign(engine, made["id"], PRINCIPALS["other_district"].scope)
    with pytest.raises(NotFound):
        service.draw_campaign(
            engine, made["id"], actor="yb", scope=PRINCIPALS["other_district"].scope
        )


def test_verify_accepts_the_exported_record_and_names_each_alteration(engine, tmp_path) -> None:
    made = create(engine)
    service.draw_campaign(engine, made["id"], actor="lj")
    doc = json.loads(json.dumps(service.public_record(engine, made["id"]), default=str))
    runner = CliRunner()
    path = tmp_path / "record.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ok = runner.invoke(inspect_app, ["verify", str(path)])
    assert ok.exit_code == 0 and ok.output.startswith("OK: 3 inspections"), ok.output
    for alter, named in (
        (lambda d: d["result"]["inspections"][0].update(date="2026-12-25"), "result altered"),
        (lambda d: d["inputs"]["candidates"][3].update(weight=9.0), "inputs altered"),
        (lambda d: d.update(seed="ab" * 32), "seed does not match the commitment"),
    ):
        altered = json.loads(json.dumps(doc))
        alter(altered)
        path.write_text(json.dumps(altered, ensure_ascii=False), encoding="utf-8")
        failed = runner.invoke(inspect_app, ["verify", str(path)])
        assert failed.exit_code == 3 and named in failed.output, failed.output


def test_public_results_show_names_and_dates_only(engine: sa.Engine) -> None:
    committed = create(engine, name="未抽取")
    made = create(engine, name="已抽取", district=None, quotas={"key": {"count": 1}})
    service.draw_campaign(engine, made["id"], actor="admin")
    [published] = service.public_results(engine)
    assert published["name"] == "已抽取"
    assert set(published["inspections"][0]) == {"name", "date"}
    with pytest.raises(NotFound):
        service.public_record(engine, committed["id"])


def test_an_unknown_category_or_a_bad_quota_is_named(engine: sa.Engine) -> None:
    with pytest.raises(SupervisionError, match="对象类别：big 未知"):
        create(engine, quotas={"big": {"count": 1}})
    with pytest.raises(SupervisionError, match="key 抽查比例或数量无效"):
        create(engine, quotas={"key": {"ratio": 1.5}})
