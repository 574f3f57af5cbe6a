"""A transfer manifest through every state (order 23), on SQLite and PostgreSQL: drafted by
the consignor, dispatched with the carrier's vehicle (the ledger records the transfer), in
transit, received by the receiver's own user within or after 5 working days, then disposed;
the refusals on the way change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from tests.waste.data import GENERATOR, OTHER

from ecozone.accounts.model import Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.errors import Forbidden, Invalid, NotFound
from ecozone.store.schema import enterprise, waste_entry, waste_manifest
from ecozone.waste import manifests, service
from ecozone.waste.model import WasteSettings

S = WasteSettings()
CALENDAR = WorkCalendar()


def cst(text: str) -> datetime:
    """A China Standard Time wall clock as the aware instant the use cases take."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def _scopes(engine) -> tuple[Scope, Scope]:
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
    return (Scope(role="enterprise", enterprise_ids=frozenset({ids[GENERATOR]})),
            Scope(role="enterprise", enterprise_ids=frozenset({ids[OTHER]})))  # fmt: skip


def _act(engine, made, action, scope, now, **kw):
    return manifests.act(engine, made["id"], action, settings=S, calendar=CALENDAR, actor="t",
                         scope=scope, now=cst(now), **kw)  # fmt: skip


def test_a_manifest_through_every_state(waste):
    engine, _ids = waste
    mine, receiving = _scopes(engine)
    plant = service.add_handler(
        engine, name="示例机械厂处置车间", kind="disposer", licence_no="渝危废经第777号",
        codes="HW49", capacity_t=100, valid_from="2025-01-01", valid_to="2027-12-31",
        actor="t", credit_code=OTHER)  # fmt: skip
    made = manifests.draft(engine, GENERATOR, handler_id=plant["id"], code="900-041-49",
                           quantity_t=2.0, facility="WF01", settings=S, actor="t", scope=mine,
                           now=cst("2025-12-01T09:00"))  # fmt: skip
    # 14 digits: year 2025, area 5000 (Chongqing), running number 000001
    assert made["number"] == "20255000000001" and made["state"] == "drafted"
    assert made["name"] == "含有或沾染危险废物的废弃包装物、容器、过滤吸附介质"

    with pytest.raises(Forbidden):  # the receiver cannot dispatch the consignor's form
        _act(engine, made, "dispatch", receiving, "2025-12-02T08:00", vehicle_plate="渝A12345",
             driver="张三")  # fmt: skip
    with pytest.raises(Invalid, match="车牌号和驾驶员"):
        _act(engine, made, "dispatch", mine, "2025-12-02T08:00")
    with pytest.raises(Invalid, match="须在 dispatched 状态"):
        _act(engine, made, "transit", mine, "2025-12-02T08:00")
    found = _act(engine, made, "dispatch", mine, "2025-12-02T08:00", vehicle_plate="渝A12345",
                 driver="张三", route="两江新区—九龙坡区")  # fmt: skip
    assert found["state"] == "dispatched"
    with engine.connect() as conn:
        rows = conn.execute(sa.select(waste_entry.c.kind, waste_entry.c.quantity_t).where(
            waste_entry.c.manifest_no == made["number"]).order_by(waste_entry.c.id)).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [("stored_out", 2.0), ("transferred", 2.0)]
    # WF01 held 3.0 t of 900-041-49 (tests.waste.data); 2.0 left on the form: 1.0 remains
    stock = {s["code"]: s for s in service.waste_file(engine, GENERATOR, mine,
                                                      datetime(2025, 12, 31).date(), S)["stock"]}
    assert stock["900-041-49"]["held_t"] == pytest.approx(1.0)

    assert _act(engine, made, "transit", mine, "2025-12-02T09:00")["state"] == "in_transit"
    # arrived Thursday 2025-12-04: 5 working days are Fri 5, Mon 8, Tue 9, Wed 10, Thu 11
    with pytest.raises(Invalid, match="差异超过 5%，须填写差异说明"):
        _act(engine, made, "receive", receiving, "2025-12-12T10:00", received_t=1.8,
             arrived_at="2025-12-04T15:00")  # fmt: skip
    found = _act(engine, made, "receive", receiving, "2025-12-12T10:00", received_t=1.8,
                 arrived_at="2025-12-04T15:00", difference_note="含水率下降")  # fmt: skip
    assert found["state"] == "received" and found["difference_t"] == pytest.approx(-0.2)
    assert str(found["confirm_due"]) == "2025-12-11" and found["confirmed_late"] is True
    with pytest.raises(Forbidden):  # the consignor cannot record the disposal
        _act(engine, made, "complete", mine, "2025-12-15T10:00", method="disposed")
    found = _act(engine, made, "complete", receiving, "2025-12-15T10:00", method="disposed")
    assert found["state"] == "disposed" and found["actions"] == []
    # each user finds it from their side; a supervisor reads it; the public does not
    assert [m["number"] for m in manifests.manifests(engine, receiving)] == [made["number"]]
    assert manifests.manifest(engine, made["id"], Scope(role="supervisor"))["state"] == "disposed"
    with pytest.raises(NotFound):
        manifests.manifest(engine, made["id"], Scope(role="public"))


def test_a_receipt_within_five_working_days_is_on_time(waste):
    engine, ids = waste
    made = manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-039-49",
                           quantity_t=0.5, settings=S, actor="t", now=cst("2025-12-01T09:00"))
    for action, at, kw in (("dispatch", "2025-12-01T10:00", {"vehicle_plate": "渝B1",
                                                             "driver": "李四"}),
                           ("transit", "2025-12-01T11:00", {}),
                           ("receive", "2025-12-11T16:00", {"received_t": 0.51,
                                                            "arrived_at": "2025-12-04T15:00"})):  # fmt: skip
        found = _act(engine, made, action, Scope(role="admin"), at, **kw)
    # 0.51 − 0.5 = 0.01 t, within 5 % of 0.5 t: no note needed; due Thursday 11, on time
    assert found["confirmed_late"] is False and found["difference_t"] == pytest.approx(0.01)


def test_an_unlicensed_receiver_is_refused_at_drafting(waste):
    engine, ids = waste
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(waste_manifest)).scalar()
    with pytest.raises(Invalid, match="拒绝转移：示例电池回收站 的许可证 渝危废收第002号 未核准经营"):
        manifests.draft(engine, GENERATOR, handler_id=ids["BATTERIES"], code="900-041-49",
                        quantity_t=1, settings=S, actor="t")  # fmt: skip
    with pytest.raises(Forbidden):
        manifests.draft(engine, GENERATOR, handler_id=ids["LICENSED"], code="900-041-49",
                        quantity_t=1, settings=S, actor="t", scope=Scope(role="supervisor"))
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(waste_manifest)).scalar()
    assert after == before


def test_the_cli_drafts_and_moves_a_manifest(waste, monkeypatch):
    from typer.testing import CliRunner

    from ecozone import cli

    engine, ids = waste
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    made = runner.invoke(cli.app, ["waste", "manifest", "--actor", "cli", "--enterprise",
                                   GENERATOR, "--receiver", str(ids["LICENSED"]), "--code",
                                   "900-249-08", "--quantity", "0.3"])  # fmt: skip
    assert made.exit_code == 0, made.output
    manifest_id = made.output.split(":")[0].split()[-1]
    moved = runner.invoke(cli.app, ["waste", "manifest-act", "--id", manifest_id, "--action",
                                    "transit"])  # fmt: skip
    assert moved.exit_code == 2 and "须在 dispatched 状态" in moved.output
