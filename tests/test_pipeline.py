"""From frames at the gateway to hourly values and an exceedance alert, on both engines."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from tests.gateway.helpers import Device, minute_packet, prepare, running_gateway

from ecozone import pipeline
from ecozone.compliance.permits import import_permits
from ecozone.measurements.store import upsert_measurements
from ecozone.store.schema import aggregate, alert

HOUR = datetime(2026, 11, 20, 8)
PERMIT = {
    "permits": [
        {
            "permit_no": "91500000MA5U7AH918001P",
            "credit_code": "91500000MA5U7AH918",
            "class": "key",
            "valid_from": "2024-01-01",
            "valid_to": "2028-12-31",
            "outlets": [
                {
                    "code": "DA001",
                    "limits": [
                        {"pollutant": "a21026", "limit": 100, "unit": "mg/m3", "basis": "hour",
                         "standard": "GB 13223-2011", "annual_cap_t": 50},
                    ],
                }
            ],
        }
    ]
}  # fmt: skip


def _wait_for(engine: sa.Engine, stmt: sa.Select, timeout_s: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
        if rows:
            return rows
        time.sleep(0.2)
    return []


def test_an_hour_above_its_limit_raises_an_exceedance_alert(migrated_database_url):
    engine = prepare(migrated_database_url)
    import_permits(engine, PERMIT, actor="test")

    async def scenario():
        async with running_gateway(engine, after_commit=[pipeline.after_commit(engine)]) as gateway:
            device = await Device.connect(gateway)
            for minute in range(60):  # SO2 200 mg/m3 at O2 8.5 % all hour
                await device.send(minute_packet(HOUR + timedelta(minutes=minute), so2=200.0))
                assert (await device.receive()).cn == "9014"
            await device.close()
            # The follow-up runs after the commits, on its own worker.
            return await asyncio.to_thread(
                _wait_for, engine, sa.select(alert).where(alert.c.type == "exceedance")
            )

    alerts = asyncio.run(scenario())
    # Reference-O2 conversion (HJ 75-2017): 200 x (21 - 6) / (21 - 8.5) = 200 x 1.2 = 240.
    assert len(alerts) == 1
    assert alerts[0]["pollutant"] == "a21026"
    assert alerts[0]["start"] == HOUR
    assert abs(alerts[0]["peak"] - 240.0) < 1e-6
    assert alerts[0]["limit_value"] == 100.0
    with engine.connect() as conn:
        hour = (
            conn.execute(
                sa.select(aggregate).where(
                    aggregate.c.kind == "hour", aggregate.c.pollutant == "a21026"
                )
            )
            .one()
            ._mapping
        )
    assert hour["valid"] and hour["valid_count"] == 60
    assert abs(hour["zs_avg"] - 240.0) < 1e-6


def test_batch_recompute_raises_the_same_alert_as_the_stream(migrated_database_url):
    engine = prepare(migrated_database_url)
    import_permits(engine, PERMIT, actor="test")
    with engine.connect() as conn:
        point_id = conn.execute(sa.text("SELECT id FROM point WHERE code = 'DA001'")).scalar_one()
    rows = [
        {"point_id": point_id, "kind": "minute", "pollutant": code, "data_time": t,
         "avg": value, "min": value, "max": value, "flag": "N"}
        for t in (HOUR + timedelta(minutes=m) for m in range(60))
        for code, value in (("a21026", 200.0), ("a19001", 8.5))
    ]  # fmt: skip
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
    summary, alert_ids = pipeline.recompute(engine, start=HOUR, end=HOUR + timedelta(days=1))
    assert summary.hours_written >= 2 and len(alert_ids) == 1
    with engine.connect() as conn:
        raised = conn.execute(sa.select(alert)).one()._mapping
    # 200 x (21 - 6) / (21 - 8.5) = 240, as in the streaming test.
    assert (raised["type"], raised["start"], raised["peak"]) == ("exceedance", HOUR, 240.0)


def test_the_periodic_checks_remind_of_an_overdue_alert_once_a_day(migrated_database_url):
    from tests.compliance.conftest import REGISTRY

    from ecozone.registry import import_registry
    from ecozone.store.engine import make_engine
    from ecozone.store.migrate import upgrade_engine
    from ecozone.store.schema import alert_action, enterprise

    engine = make_engine(migrated_database_url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.begin() as conn:
        owner = conn.execute(sa.select(enterprise.c.id)).scalar_one()
        conn.execute(
            alert.insert().values(type="permit_expired", enterprise_id=owner, start=HOUR,
                                  state="dispatched", condition_key="overdue",
                                  deadline=HOUR.date() - timedelta(days=7))
        )  # fmt: skip
    pipeline.run_checks(engine)
    pipeline.run_checks(engine)
    with engine.connect() as conn:
        actions = conn.execute(sa.select(alert_action.c.action, alert_action.c.actor)).all()
    engine.dispose()
    assert [tuple(a) for a in actions] == [("remind", "ecozone")]


def test_register_checks_run_each_and_one_failing_spares_the_others(tmp_path, monkeypatch):
    from tests.compliance.conftest import REGISTRY

    from ecozone.registry import import_registry
    from ecozone.store.engine import make_engine
    from ecozone.store.migrate import upgrade_engine

    engine = make_engine(f"sqlite:///{tmp_path}/ecozone.db")
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    assert pipeline.run_register_checks(engine) == []  # every check runs on an empty register
    called = []

    def broken(*_args, **_kwargs):
        raise RuntimeError("ledger unreadable")

    def shortfalls(*_args, **_kwargs):
        called.append("trading")
        return set()

    monkeypatch.setattr(pipeline.waste_checks, "raise_alerts", broken)
    monkeypatch.setattr(pipeline.trading, "raise_shortfalls", shortfalls)
    assert pipeline.run_register_checks(engine) == ["waste"]
    assert called == ["trading"]
    engine.dispose()
