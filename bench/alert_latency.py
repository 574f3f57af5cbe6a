"""Exceedance-to-alert latency through the real gateway, pipeline and database.

For each of N points a device sends the minute data of one hour with SO2 far
above the permit limit: 44 minutes first, then the 45th, the one that makes
the hour valid (HJ 212-2017 App. D: 45 valid minutes) and so exceeding. The
figure is the time from sending that 45th frame to the alert row being
readable by another connection. Prints p50/p95/max.

    python bench/alert_latency.py --engine sqlite --points 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from ecozone import hj212, pipeline
from ecozone.compliance.permits import import_permits
from ecozone.gateway.server import Gateway, GatewayOptions
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import alert, point
from ingest import mn_of, registry  # bench/ingest.py, beside this script

HOUR = datetime(2026, 11, 20, 8)


def permits(data: dict) -> dict:
    return {
        "permits": [
            {
                "permit_no": f"{e['credit_code']}001P", "credit_code": e["credit_code"],
                "class": "key", "valid_from": "2024-01-01", "valid_to": "2028-12-31",
                "outlets": [
                    {"code": p["code"], "limits": [{"pollutant": "a21026", "limit": 100,
                     "unit": "mg/m3", "basis": "hour", "standard": "GB 13223-2011"}]}
                    for p in e["points"]
                ],
            }
            for e in data["enterprises"]
        ]
    }  # fmt: skip


def frame(i: int, minute: int, ack: bool) -> bytes:
    t = HOUR + timedelta(minutes=minute)
    pollutants = {
        "a21026": {"Min": 199.0, "Avg": 200.0, "Max": 201.0, "Flag": "N"},
        "a19001": {"Min": 8.0, "Avg": 8.5, "Max": 9.0, "Flag": "N"},
    }
    packet = hj212.Packet(
        qn=hj212.new_qn(t), st="31", cn="2051", pw="123456", mn=mn_of(i), flag=5 if ack else 4,
        cp=hj212.CommandParams(data_time=t, pollutants=pollutants),
    )  # fmt: skip
    return hj212.encode(packet)


def alert_seen(engine: sa.Engine, point_id: int) -> bool:
    with engine.connect() as conn:
        stmt = sa.select(alert.c.id).where(
            alert.c.point_id == point_id, alert.c.type == "exceedance"
        )
        return conn.execute(stmt).first() is not None


async def trial(gateway: Gateway, engine: sa.Engine, i: int, point_id: int) -> float:
    _, writer = await asyncio.open_connection(*gateway.address)
    for minute in range(44):
        writer.write(frame(i, minute, ack=False))
    await writer.drain()
    await asyncio.sleep(0.5)  # let the first 44 minutes settle, as in live minute-by-minute data
    sent = time.perf_counter()
    writer.write(frame(i, 44, ack=True))
    await writer.drain()
    while not await asyncio.to_thread(alert_seen, engine, point_id):
        await asyncio.sleep(0.02)
    latency = time.perf_counter() - sent
    writer.close()
    return latency


async def run(engine: sa.Engine, n: int) -> list[float]:
    gateway = Gateway(
        engine, port=0, options=GatewayOptions(backfill=False),
        after_commit=[pipeline.after_commit(engine)],
    )  # fmt: skip
    await gateway.start()
    with engine.connect() as conn:
        ids = {code: id_ for code, id_ in conn.execute(sa.select(point.c.code, point.c.id))}
    try:
        return [await trial(gateway, engine, i, ids[f"DA{i + 1:03d}"]) for i in range(n)]
    finally:
        await gateway.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--points", type=int, default=20)
    args = parser.parse_args()
    admin = name = None
    if args.engine == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        base = os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        name = f"ecozone_abench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        upgrade_engine(engine)
        data = registry(min(args.points, 50))
        import_registry(engine, data)
        import_permits(engine, permits(data), actor="bench")
        latencies = sorted(asyncio.run(run(engine, min(args.points, 50))))
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        print(
            f"engine={args.engine} trials={len(latencies)} exceedance->alert: "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
