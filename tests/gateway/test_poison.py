"""One device's unstorable frame never costs the other devices' frames in the same
group commit: over real TCP, on SQLite and PostgreSQL (which refuses NUL in text)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from tests.gateway.helpers import Device, count, measurements, minute_packet, running_gateway

from ecozone import hj212
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import measurement, raw_frame

T0 = datetime(2026, 11, 20, 8, 40)
GOOD = [f"0A{i:022X}" for i in range(20)]
POISON = "0B0000000000000000000001"
UNKNOWN = "0C0000000000000000000001"


def registry() -> dict:
    points = [
        {
            "code": f"DA{i:03d}",
            "name": f"{i}号排口",
            "kind": "flue_gas",
            "device": {"mn": mn, "password": "123456", "st": "31"},
        }
        for i, mn in enumerate([*GOOD, POISON])
    ]
    return {
        "districts": ["两江新区"],
        "enterprises": [
            {
                "credit_code": "91500000MA5U7AH918",
                "name": "重庆示例热电有限公司",
                "district": "两江新区",
                "points": points,
            }
        ],
    }


def with_so2(packet: hj212.Packet, **so2) -> hj212.Packet:
    pollutants = dict(packet.cp.pollutants)
    pollutants["a21026"] = {**pollutants["a21026"], **so2}
    return replace(packet, cp=replace(packet.cp, pollutants=pollutants))


def poison_frames() -> list[bytes]:
    """Valid CRC each; NUL in the QN of an unknown MN, in a flag and in a code."""
    in_qn = minute_packet(T0, mn=UNKNOWN, qn="2026112008\x004000000")
    in_flag = with_so2(minute_packet(T0, mn=POISON), Flag="N\x00")
    in_code = replace(
        minute_packet(T0, mn=POISON),
        cp=hj212.CommandParams(data_time=T0, pollutants={"a21\x00026": {"Avg": 1.0}}),
    )
    return [hj212.encode(p) for p in (in_qn, in_flag, in_code)]


def test_poison_frames_among_20_devices_cost_only_themselves(migrated_database_url):
    engine = make_engine(migrated_database_url)
    upgrade_engine(engine)
    import_registry(engine, registry())

    async def scenario():
        async with running_gateway(engine, backfill=False) as gateway:
            poisoner = await Device.connect(gateway)
            devices = [await Device.connect(gateway) for _ in GOOD]
            # Everything is written before anything is awaited, so the frames share batches.
            poisoner.writer.write(b"".join(poison_frames()))
            for device, mn in zip(devices, GOOD, strict=True):
                device.writer.write(hj212.encode(minute_packet(T0, mn=mn)))
            await asyncio.gather(poisoner.writer.drain(), *(d.writer.drain() for d in devices))
            answers = await asyncio.gather(*(d.receive(timeout=30.0) for d in devices))
            # The poisoner is answered nothing, and its connection lives on.
            assert await poisoner.receive(timeout=1.0) is None
            await poisoner.send(minute_packet(T0, mn=POISON))
            poisoner_answer = await poisoner.receive(timeout=30.0)
            for device in [poisoner, *devices]:
                await device.close()
            return answers, poisoner_answer

    answers, poisoner_answer = asyncio.run(scenario())
    assert [a.cn if a else None for a in answers] == ["9014"] * 20
    assert poisoner_answer is not None and poisoner_answer.cn == "9014"
    # 20 good devices and the poisoner's good frame: three codes each.
    assert count(engine, measurement) == 21 * 3
    assert all("\x00" not in (r["flag"] or "") for r in measurements(engine))
    with engine.connect() as conn:
        rejected = conn.execute(
            sa.select(raw_frame.c.mn, raw_frame.c.qn, raw_frame.c.reason)
            .where(raw_frame.c.verdict == "rejected")
            .order_by(raw_frame.c.id)
        ).all()
    assert [tuple(r) for r in rejected] == [
        (UNKNOWN, "2026112008\ufffd4000000", "QN: character U+0000 (NUL) at position 11 is not allowed"),
        (POISON, "20261120084000000", "a21026-Flag: character U+0000 (NUL) at position 2 is not allowed"),
        (POISON, "20261120084000000", "CP code: character U+0000 (NUL) at position 4 is not allowed"),
    ]  # fmt: skip
    assert count(engine, raw_frame, raw_frame.c.verdict == "accepted") == 21
