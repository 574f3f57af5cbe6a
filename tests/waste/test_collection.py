"""A collection point for small generators: its clients and a run whose manifests, one per
consignor (order 23), are dispatched on the run's vehicle; a refused line stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from tests.waste.data import GENERATOR, OTHER

from ecozone.compliance.model import WorkCalendar
from ecozone.errors import Invalid
from ecozone.store.schema import waste_collection_run, waste_manifest
from ecozone.waste import collection, service
from ecozone.waste.model import WasteSettings

S = WasteSettings()


def _counts(engine):
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                     for t in (waste_collection_run, waste_manifest))  # fmt: skip


def test_a_run_consolidates_one_manifest_per_client(waste):
    engine, _ids = waste
    collector = service.add_handler(
        engine, name="示例集中收集中心", kind="collector", licence_no="渝危废收第100号",
        codes="HW49, HW08", capacity_t=10, valid_from="2025-01-01", valid_to="2027-12-31",
        actor="t")  # fmt: skip
    point = collection.add_point(engine, code="CP01", name="两江新区小微收集点",
                                 handler_id=collector["id"], capacity_t=5, actor="t")  # fmt: skip
    for code in (GENERATOR, OTHER):
        collection.add_client(engine, point["id"], code, actor="t")
    with pytest.raises(Invalid, match="已是该收集点的服务对象"):
        collection.add_client(engine, point["id"], OTHER, actor="t")
    before = _counts(engine)
    # 900-052-31 (HW31) is not on the collector's licence: the whole run is refused
    with pytest.raises(Invalid, match="拒绝收集"):
        collection.collect(engine, point["id"], day="2025-12-10", vehicle_plate="渝A1",
                           driver="张三", lines=[(GENERATOR, "900-041-49", 0.3),
                                                 (OTHER, "900-052-31", 0.1)],
                           settings=S, calendar=WorkCalendar(), actor="t")  # fmt: skip
    assert _counts(engine) == before
    found = collection.collect(
        engine, point["id"], day="2025-12-10", vehicle_plate="渝A1", driver="张三",
        lines=[(GENERATOR, "900-041-49", 0.3), (OTHER, "900-249-08", 0.2)], settings=S,
        calendar=WorkCalendar(), actor="t",
        now=datetime(2025, 12, 10, 2, tzinfo=UTC))  # fmt: skip
    (run,) = found["runs"]
    # two consignors on one vehicle: two manifests, 0.3 + 0.2 = 0.5 t on the run
    assert run["total_t"] == pytest.approx(0.5)
    assert sorted((m["consignor"], m["state"], m["vehicle_plate"]) for m in run["manifests"]) == [
        ("示例机械厂", "dispatched", "渝A1"), ("示例电子厂", "dispatched", "渝A1")]
    assert _counts(engine) == (before[0] + 1, before[1] + 2)
