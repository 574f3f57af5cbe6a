"""Field devices as they are, and HJ 212-2025 in full, over real TCP on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import copy
from datetime import datetime

import sqlalchemy as sa
from tests.gateway.helpers import (
    REGISTRY,
    Device,
    count,
    measurements,
    minute_packet,
    rejected_reasons,
    running_gateway,
)

from ecozone import hj212
from ecozone.registry import import_registry, load_devices
from ecozone.registry.onboarding import approve, list_pending
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import device as device_table
from ecozone.store.schema import measurement, pending_device, raw_frame

T0 = datetime(2026, 11, 20, 8, 40)
OLD_MN = "88888880000009"  # HJ/T 212-2005 era, 14 characters
WATER_MN = "A110000_0001"  # a water station's MN
SM4_MN = "010000A8900016F000169DC1"
KEY = b"0000000000000000"  # HJ 212-2025 Appendix A.2 test key
CREDIT = "91500000MA5U7AH918"


def _point(code: str, device: dict | None, kind: str = "flue_gas") -> dict:
    point = {"code": code, "name": f"排口{code}", "kind": kind}
    if device is not None:
        point["device"] = {"password": "123456", "st": "31", **device}
    return point


def prepare_field(url: str) -> sa.Engine:
    registry = copy.deepcopy(REGISTRY)
    registry["enterprises"][0]["points"] += [
        _point("DA002", {"mn": OLD_MN}),  # strict: the default mode
        _point("DA003", {"mn": WATER_MN}),
        _point("DA004", {"mn": SM4_MN, "sm4_key": KEY.decode(), "encryption_required": True}),
        _point("DA005", None),  # waits for an onboarded logger
    ]
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, registry)
    return engine


def hour_packet(data_time: datetime, mn: str, **extra) -> hj212.Packet:
    packet = minute_packet(data_time, mn=mn, cn="2061")
    return hj212.Packet(**{**packet.__dict__, "flag": 9, **extra})


async def _answers(device: Device, n: int, key: bytes | None = None) -> list[hj212.Packet]:
    """The next `n` frames from the gateway, decrypted with `key` when encrypted."""
    out: list[hj212.Packet] = []
    while len(out) < n:
        chunk = await asyncio.wait_for(device.reader.read(65536), 30)  # generous: a loaded CI machine
        assert chunk, "connection closed"
        out += [hj212.parse(f, lenient=True, sm4_key=key) for f in device.decoder.feed(chunk)]
    return out


def test_registered_devices_are_accepted_whatever_the_shape_of_their_mn(migrated_database_url):
    engine = prepare_field(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            for mn in (OLD_MN, WATER_MN):
                packet = minute_packet(T0, mn=mn)
                await device.send(packet)
                answer = await device.receive()
                assert (answer.cn, answer.qn, answer.mn) == ("9014", packet.qn, mn)
            await device.close()

    asyncio.run(scenario())
    assert rejected_reasons(engine) == []
    assert count(engine, measurement) == 6
    with engine.connect() as conn:
        reasons = set(conn.execute(sa.select(raw_frame.c.reason)).scalars())
    # The MN's shape is recorded as tolerated, not held against the device.
    assert reasons == {
        "tolerated: MN of 14 characters; HJ 212-2017 requires 24 hex digits",
        "tolerated: MN of 12 characters; HJ 212-2017 requires 24 hex digits",
    }


def test_hour_data_not_at_the_start_of_the_hour_never_makes_a_second_row(migrated_database_url):
    engine = prepare_field(migrated_database_url)
    from tests.gateway.helpers import LENIENT_MN, STRICT_MN

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            for mn, pw in ((STRICT_MN, "123456"), (LENIENT_MN, "654321")):
                for at in (datetime(2026, 11, 20, 8), datetime(2026, 11, 20, 8, 33, 37)):
                    await device.send(hour_packet(at, mn, pw=pw))
                    answer = await device.receive(timeout=0.5 if at.minute else 5)
                    # A rejected frame is not acknowledged; the tolerated one is.
                    assert (answer.cn if answer else None) == (
                        None if mn == STRICT_MN and at.minute else "9014"
                    )
            await device.close()

    asyncio.run(scenario())
    hours = measurements(engine, measurement.c.kind == "hour")
    # One row per point and pollutant, at 08:00:00: the lenient 08:33:37 was filed there.
    assert {r["data_time"] for r in hours} == {datetime(2026, 11, 20, 8)}
    assert len(hours) == 6
    (reason,) = rejected_reasons(engine)
    assert reason == (
        f"device {STRICT_MN} is strict and DataTime 2026-11-20 08:33:37 of hour data"
        " is not the start of its hour (HJ 212-2017 Table 4)"
    )
    with engine.connect() as conn:
        tolerated = conn.execute(
            sa.select(raw_frame.c.reason).where(raw_frame.c.mn == LENIENT_MN,
                                                raw_frame.c.reason.is_not(None))
        ).scalars().all()  # fmt: skip
    shape = "MN of 14 characters; HJ 212-2017 requires 24 hex digits"  # LENIENT_MN's
    assert tolerated == [
        f"tolerated: {shape}",
        "tolerated: DataTime 2026-11-20 08:33:37 of hour data is not the start of its hour"
        f" (HJ 212-2017 Table 4); filed at 2026-11-20 08:00:00; {shape}",
    ]


def test_sm4_device_rotates_its_key_without_losing_a_frame(migrated_database_url):
    engine = prepare_field(migrated_database_url)
    times = [datetime(2026, 11, 20, 8, minute) for minute in range(0, 50, 10)]

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            # Plaintext data from a device that must encrypt is refused.
            await device.send(minute_packet(times[0], mn=SM4_MN))
            await device.send(hj212.encode(minute_packet(times[0], mn=SM4_MN), sm4_key=KEY))
            assert (await _answers(device, 1))[0].cn == "9014"
            # The device asks for a new key (CN 1014, encrypted with the current one) ...
            request = hj212.Packet(qn="20261120081000000", st="31", cn="1014", pw="123456",
                                   mn=SM4_MN, flag=9)  # fmt: skip
            await device.send(hj212.encode(request, sm4_key=KEY))
            # ... and a frame sent with the old key crosses the answer on the wire.
            await device.send(hj212.encode(minute_packet(times[1], mn=SM4_MN), sm4_key=KEY))
            answers = await _answers(device, 2, KEY)
            (new_key_packet,) = [a for a in answers if a.cn == "1014"]
            assert new_key_packet.encrypted  # §6.4.4: 1014 travels encrypted
            new_key = new_key_packet.cp.fields["NewSK"].encode()
            assert len(new_key) == 16 and new_key != KEY
            assert isinstance(new_key_packet.cp.fields["SKCreateTime"], datetime)
            assert [a.cn for a in answers if a.cn != "1014"] == ["9014"]
            # With the new key from now on; the old one still works in the grace period.
            for at, key in ((times[2], new_key), (times[3], KEY), (times[4], new_key)):
                await device.send(hj212.encode(minute_packet(at, mn=SM4_MN), sm4_key=key))
                assert (await _answers(device, 1))[0].cn == "9014"
            await device.close()

    asyncio.run(scenario())
    stored = {r["data_time"] for r in measurements(engine) if r["point_id"] == _point_id(engine)}
    assert stored == set(times)
    assert rejected_reasons(engine) == [
        f"device {SM4_MN} must encrypt CN 2051 with SM4 (HJ 212-2025 §6.4); the frame is plaintext"
    ]
    with engine.connect() as conn:
        device = load_devices(conn)[SM4_MN]
    assert device.sm4_previous_key == KEY and device.sm4_key not in (None, KEY)


def _point_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(device_table.c.point_id).where(device_table.c.mn == SM4_MN)
        ).scalar_one()


def test_unknown_logger_is_onboarded_through_1001_and_1002(migrated_database_url):
    engine = prepare_field(migrated_database_url)
    factory_mn = "FACTORY0001"
    announce = hj212.Packet(
        qn="20261120080000000", st="31", cn="1001", pw="778899", mn=factory_mn, flag=9,
        cp=hj212.CommandParams(pollutants={
            "i23005": {"Info": "SN-2026-0042"}, "i23006": {"Info": "CPU-7F3A"},
            "i23007": {"Info": "00-1A-2B-3C-4D-5E"}, "i23008": {"Info": "00-1A-2B-3C-4D-5F"},
        }),
    )  # fmt: skip

    async def scenario():
        async with running_gateway(engine) as gateway:
            logger = await Device.connect(gateway)
            await logger.send(announce)
            await logger.send(minute_packet(T0, mn=factory_mn, pw="778899"))
            await asyncio.sleep(0.3)
            (pending,) = list_pending(engine)
            assert (pending.logger_sn, pending.cpu_id, pending.status) == (
                "SN-2026-0042",
                "CPU-7F3A",
                "pending",
            )
            approved = approve(engine, "SN-2026-0042", credit_code=CREDIT, point_code="DA005",
                               actor="admin")  # fmt: skip
            mn = approved.assigned_mn
            assert mn is not None and len(mn) == 24 and int(mn, 16) >= 0
            await logger.send(announce)  # the logger announces itself again
            (assign,) = await _answers(logger, 1)
            assert (assign.cn, assign.mn, assign.cp.pollutants) == (
                "1002",
                factory_mn,
                {"i23005": {"Info": mn}},
            )
            await logger.send(minute_packet(T0, mn=mn, pw="778899"))
            assert (await logger.receive()).cn == "9014"
            await logger.close()
            return mn

    mn = asyncio.run(scenario())
    # Nothing of the unknown logger was stored as data; its frames are on record.
    rows = measurements(engine)
    assert {r["data_time"] for r in rows} == {T0} and len(rows) == 3
    announced = f"unknown MN {factory_mn} announced its logger (CN 1001)"
    assert rejected_reasons(engine) == [announced, f"unknown MN {factory_mn}", announced]
    with engine.connect() as conn:
        status = conn.execute(sa.select(pending_device.c.status)).scalar_one()
        assert status == "assigned"
        assert load_devices(conn)[mn].password == "778899"


def test_resent_packets_are_stored_as_such_and_2025_uploads_are_kept(migrated_database_url):
    engine = prepare_field(migrated_database_url)
    from tests.gateway.helpers import STRICT_MN

    resent = hj212.Packet(**{**minute_packet(T0).__dict__, "extra": (("RF", "1"),)})
    furnace = hj212.Packet(
        qn="20261120084500000", st="31", cn="2111", pw="123456", mn=STRICT_MN, flag=9,
        cp=hj212.CommandParams(data_time=datetime(2026, 11, 20, 8, 45),
                               pollutants={"a01901": {"Avg": 856.5, "Flag": "N"}}),
    )  # fmt: skip
    power = hj212.Packet(
        qn="20261120084000000", st="44", cn="2011", pw="123456", mn=STRICT_MN, flag=9,
        cp=hj212.CommandParams(data_time=T0, pollutants={
            "d20105": {"Rtd": 220.1, "Flag": "N"}, "d20405": {"Rtd": 0.24, "Flag": "N"}}),
    )  # fmt: skip

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            for packet in (minute_packet(T0), resent, furnace, power):
                await device.send(packet)
                assert (await device.receive()).cn == "9014"
            beat = hj212.heartbeat(mn=OLD_MN, pw="123456", st="31", qn="20261120084100000")
            await device.send(beat)
            assert (await device.receive()).cn == "9013"
            await device.close()

    asyncio.run(scenario())
    minutes = measurements(engine, measurement.c.kind == "minute")
    assert len(minutes) == 3 and all(r["resent"] for r in minutes)  # overwritten, not doubled
    (five_min,) = measurements(engine, measurement.c.kind == "five_min")
    assert (five_min["pollutant"], five_min["avg"]) == ("a01901", 856.5)
    rtd = {r["pollutant"]: r["rtd"] for r in measurements(engine, measurement.c.kind == "rtd")}
    assert rtd == {"d20105": 220.1, "d20405": 0.24}
    with engine.connect() as conn:
        seen = conn.execute(
            sa.select(device_table.c.last_seen_at, device_table.c.protocol)
            .where(device_table.c.mn == OLD_MN)
        ).one()  # fmt: skip
    assert seen.last_seen_at is not None and seen.protocol == "2025"  # the heartbeat counts
