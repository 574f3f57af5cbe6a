"""The gateway over real TCP, on SQLite and PostgreSQL, with the codec as the device."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from tests.gateway.helpers import (
    LENIENT_MN,
    STRICT_MN,
    Device,
    count,
    measurements,
    minute_packet,
    prepare,
    rejected_reasons,
    running_gateway,
)
from tests.hj212.vectors import frame

from ecozone import hj212
from ecozone.store.schema import measurement, raw_frame

T0 = datetime(2026, 11, 20, 8, 40)


def test_answer_comes_after_the_data_is_committed(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            packet = minute_packet(T0)
            await device.send(packet)
            answer = await device.receive()
            # The answer is the data response of C.14-C.18: CN 9014, QN echoed, ST 91, A=0.
            assert (answer.cn, answer.qn, answer.st, answer.flag) == ("9014", packet.qn, "91", 4)
            # Already durable when the answer arrived: read through another connection.
            rows = measurements(engine, measurement.c.kind == "minute")
            assert {r["pollutant"] for r in rows} == {"a21026", "a21002", "a19001"}
            so2 = next(r for r in rows if r["pollutant"] == "a21026")
            assert (so2["min"], so2["avg"], so2["max"], so2["flag"]) == (20.5, 21.5, 22.5, "N")
            assert so2["data_time"] == T0
            await device.close()

    asyncio.run(scenario())
    assert count(engine, raw_frame, raw_frame.c.verdict == "accepted") == 1


def test_resent_frame_updates_in_place_and_never_duplicates(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            for so2 in (21.5, 21.5, 30.0):
                await device.send(minute_packet(T0, so2=so2))
                assert (await device.receive()).cn == "9014"
            await device.close()

    asyncio.run(scenario())
    assert count(engine, measurement) == 3
    so2 = measurements(engine, measurement.c.pollutant == "a21026")
    assert [r["avg"] for r in so2] == [30.0]


def test_unknown_mn_and_wrong_password_are_rejected_with_reasons(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            await device.send(minute_packet(T0, mn="FFFFFFFFFFFFFFFFFFFFFFFF"))
            await device.send(minute_packet(T0, pw="000000"))
            assert await device.receive(timeout=1.0) is None  # no answer to either
            # The connection survives: a good frame is still answered.
            await device.send(minute_packet(T0))
            assert (await device.receive()).cn == "9014"
            await device.close()

    asyncio.run(scenario())
    assert rejected_reasons(engine) == [
        "unknown MN FFFFFFFFFFFFFFFFFFFFFFFF",
        f"wrong password for MN {STRICT_MN}",
    ]
    assert count(engine, measurement) == 3  # only the good frame's three codes


def test_bad_crc_and_garbage_are_recorded_and_the_connection_survives(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            good = hj212.encode(minute_packet(T0))
            corrupt = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"1111") + b"\r\n"
            await device.send(b"HELLO" + corrupt)
            await device.send(good)
            assert (await device.receive()).cn == "9014"
            await device.close()

    asyncio.run(scenario())
    reasons = sorted(rejected_reasons(engine))
    assert reasons[0] == "5 bytes before '##' skipped"
    assert reasons[1].startswith("CRC mismatch: frame says")
    assert (
        count(engine, raw_frame, raw_frame.c.verdict == "rejected", raw_frame.c.mn == STRICT_MN)
        == 1
    )


def test_strict_device_deviation_is_rejected_lenient_device_accepted(migrated_database_url):
    engine = prepare(migrated_database_url)
    segment = (
        f"QN=20261120084000000;ST=32;CN=2051;PW=654321;MN={LENIENT_MN};Flag=5;"
        "CP=&&DataTime=20261120084000;w01018-Avg=35.2,w01018-Flag=N&&"
    )

    # A frame whose CRC has hex letters, so that lowercase differs from uppercase.
    strict = next(
        f
        for f in (hj212.encode(minute_packet(T0, so2=x)) for x in range(100))
        if f[-6:-2].decode().isdigit() is False
    )

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            await device.send(strict[:-6] + strict[-6:-2].lower() + b"\r\n")
            await device.send(frame(segment, crc=None).replace(b"\r\n", b"\r\n"))
            answer = await device.receive()
            assert (answer.cn, answer.mn) == ("9014", LENIENT_MN)
            await device.close()

    asyncio.run(scenario())
    assert rejected_reasons(engine) == [
        f"device {STRICT_MN} is strict and the frame deviates: CRC written in lowercase hex"
    ]
    # A 14-character MN in a 2017 frame is tolerated for the lenient device.
    rows = measurements(engine, measurement.c.pollutant == "w01018")
    assert [(r["avg"], r["kind"]) for r in rows] == [(35.2, "minute")]


def test_2025_heartbeat_is_answered_with_9013(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            beat = hj212.heartbeat(mn=STRICT_MN, pw="123456", st="31", qn="20261120084000000")
            await device.send(beat)
            answer = await device.receive()
            assert (answer.cn, answer.qn, answer.protocol_version) == ("9013", beat.qn, "2025")
            await device.close()

    asyncio.run(scenario())


def test_packetized_hour_message_is_answered_per_part_and_stored_whole(migrated_database_url):
    engine = prepare(migrated_database_url)
    base = minute_packet(T0.replace(minute=0), cn="2061", flag=7)
    part1 = hj212.Packet(**{**base.__dict__, "pnum": 2, "pno": 1, "qn": "20261120090000001",
                            "cp": hj212.CommandParams(data_time=base.cp.data_time,
                                                      pollutants={"a21026": base.cp.pollutants["a21026"]})})  # fmt: skip
    part2 = hj212.Packet(**{**base.__dict__, "pnum": 2, "pno": 2, "qn": "20261120090000002",
                            "cp": hj212.CommandParams(data_time=base.cp.data_time,
                                                      pollutants={"a21002": base.cp.pollutants["a21002"]})})  # fmt: skip

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            await device.send(part1)
            assert (await device.receive()).qn == part1.qn
            assert count(engine, measurement) == 0  # waiting for the rest
            await device.send(part2)
            assert (await device.receive()).qn == part2.qn
            await device.close()

    asyncio.run(scenario())
    rows = measurements(engine, measurement.c.kind == "hour")
    assert sorted(r["pollutant"] for r in rows) == ["a21002", "a21026"]


def test_reconnect_after_a_gap_requests_the_missed_hours(migrated_database_url):
    engine = prepare(migrated_database_url)
    nine = datetime(2026, 11, 20, 9)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            await device.send(minute_packet(nine, cn="2061"))
            assert (await device.receive()).cn == "9014"
            await device.close()
            # Offline from 10:00 to 12:00; back at 13:00.
            device = await Device.connect(gateway)
            await device.send(minute_packet(nine + timedelta(hours=4), cn="2061"))
            assert (await device.receive()).cn == "9014"
            request = await device.receive()
            assert request.cn == "2061"
            assert request.cp.fields == {
                "BeginTime": datetime(2026, 11, 20, 10),
                "EndTime": datetime(2026, 11, 20, 12),
            }
            # The device answers as C.21 shows and uploads the history, which is stored.
            for hour in (10, 11, 12):
                await device.send(minute_packet(datetime(2026, 11, 20, hour), cn="2061"))
                assert (await device.receive()).cn == "9014"
            await device.close()

    asyncio.run(scenario())
    hours = {r["data_time"].hour for r in measurements(engine, measurement.c.kind == "hour")}
    assert hours == {9, 10, 11, 12, 13}


def test_graceful_stop_flushes_unanswered_frames(migrated_database_url):
    engine = prepare(migrated_database_url)

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            for i in range(50):  # Flag=4: no answer wanted
                await device.send(minute_packet(T0 + timedelta(minutes=i), flag=4))
            await asyncio.sleep(0.3)
            await device.close()

    asyncio.run(scenario())
    assert count(engine, measurement) == 150


def test_after_commit_callbacks_receive_the_committed_rows(migrated_database_url):
    engine = prepare(migrated_database_url)
    seen: list[dict] = []

    def callback(rows):
        # Called after the commit: the rows are already readable elsewhere.
        assert count(engine, measurement) >= len(rows)
        seen.extend(rows)

    async def scenario():
        async with running_gateway(engine, after_commit=[callback]) as gateway:
            device = await Device.connect(gateway)
            for i in range(3):
                await device.send(minute_packet(T0 + timedelta(minutes=i)))
                assert (await device.receive()).cn == "9014"
            await device.close()

    asyncio.run(scenario())
    assert sorted((r["data_time"], r["pollutant"]) for r in seen) == sorted(
        (T0 + timedelta(minutes=i), code)
        for i in range(3)
        for code in ("a19001", "a21002", "a21026")
    )


def test_a_burst_sent_at_once_then_half_closed_is_answered_in_order(
    migrated_database_url, monkeypatch
):
    # Reading pauses while more than MAX_IN_FLIGHT frames wait for their commit; made
    # small here so the burst pauses and resumes reading many times.
    _burst(migrated_database_url, monkeypatch, asyncio.run)


def test_on_uvloop_the_burst_is_answered_in_order_too(sqlite_url, monkeypatch):
    # ECOZONE_GATEWAY_EVENT_LOOP=auto runs the gateway on uvloop when it is installed; its
    # transports are not asyncio's classes and call the protocol in their own way.
    uvloop = pytest.importorskip("uvloop")
    _burst(sqlite_url, monkeypatch, uvloop.run)


def _burst(migrated_database_url, monkeypatch, run):
    from ecozone.gateway import server

    monkeypatch.setattr(server, "MAX_IN_FLIGHT", 3)
    engine = prepare(migrated_database_url)
    packets = [minute_packet(T0 + timedelta(minutes=i), qn=f"20261120084000{i:03d}")
               for i in range(40)]  # fmt: skip

    async def scenario():
        async with running_gateway(engine) as gateway:
            device = await Device.connect(gateway)
            device.writer.write(b"".join(hj212.encode(p) for p in packets))
            device.writer.write_eof()  # done sending: the answers must still come
            answers = [await device.receive() for _ in packets]
            assert [(a.cn, a.qn) for a in answers] == [("9014", p.qn) for p in packets]
            assert await device.reader.read() == b""  # then the gateway closes
            await device.close()

    run(scenario())
    assert count(engine, measurement) == 40 * 3
