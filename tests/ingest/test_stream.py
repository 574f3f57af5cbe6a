"""The durable log: a verdict as a message, the gateway acknowledging after the PubAck,
the writer storing each frame once however often it is delivered."""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.gateway.helpers import (
    STRICT_MN,
    Device,
    count,
    measurements,
    minute_packet,
    prepare,
    running_gateway,
)

from ecozone import config, hj212
from ecozone.gateway.directory import DeviceDirectory
from ecozone.ingest import message
from ecozone.ingest.rules import Reason, judge
from ecozone.ingest.service import claim_receipts
from ecozone.ingest.stream import (
    LogCommitter,
    LogSettings,
    connect,
    ensure_consumer,
    ensure_stream,
)
from ecozone.ingest.writer import Writer, purge_receipts, write_once
from ecozone.measurements.store import insert_raw_frames
from ecozone.store.schema import log_receipt, measurement, raw_frame

T0 = datetime(2026, 1, 1)
RECEIVED = datetime(2026, 1, 1, 0, 1, 5, 123456, tzinfo=UTC)


def _verdict(engine, packet: hj212.Packet, received_at: datetime = RECEIVED):
    directory = DeviceDirectory(engine)
    asyncio.run(directory.load())
    return judge(
        hj212.encode(packet), peer="10.0.0.7:4001", devices=directory.devices,
        received_at=received_at, local_now=T0 + timedelta(days=1),
    )  # fmt: skip


def test_a_verdict_survives_the_message_round_trip(sqlite_url):
    engine = prepare(sqlite_url)
    verdict = _verdict(engine, minute_packet(T0, so2=21.5))
    assert verdict.accepted and len(verdict.rows) == 3

    back = message.decode(message.encode(verdict))

    assert back.accepted and back.kind is None
    assert back.raw == verdict.raw  # bytes, peer, instant to the microsecond, MN/CN/QN
    # naive CST data_time, aware received_at, values; an absent value and None are one
    assert back.rows == [{k: v for k, v in row.items() if v is not None} for row in verdict.rows]
    assert back.device.mn == STRICT_MN and back.packet.protocol_version == "2017"


def test_a_rejection_keeps_its_reason_through_the_log(sqlite_url):
    engine = prepare(sqlite_url)
    verdict = _verdict(engine, minute_packet(T0, pw="000000"))
    back = message.decode(message.encode(verdict))
    assert not back.accepted and back.kind is Reason.WRONG_PASSWORD
    assert back.raw["verdict"] == "rejected" and back.reason == verdict.reason
    assert message.subject_of("ecozone.frames", back) == "ecozone.frames.rejected"


def test_the_same_frame_bytes_give_the_same_message_id(sqlite_url):
    engine = prepare(sqlite_url)
    packet = minute_packet(T0, qn="20260101000000001")
    first = _verdict(engine, packet)
    again = _verdict(engine, packet, RECEIVED + timedelta(seconds=5))  # the device re-sent it
    other = _verdict(engine, minute_packet(T0, qn="20260101000000002"))
    assert message.message_id(first) == message.message_id(again)
    assert message.message_id(first) != message.message_id(other)


def test_an_unreadable_message_is_named():
    with pytest.raises(message.MessageError, match="format 9"):
        message.decode(b'{"v": 9}')
    with pytest.raises(message.MessageError, match="unreadable"):
        message.decode(b"not json")


def test_a_frame_delivered_twice_is_stored_once(sqlite_url):
    engine = prepare(sqlite_url)
    verdict = message.decode(message.encode(_verdict(engine, minute_packet(T0))))
    assert write_once(engine, [verdict]) == [None]
    redelivered = message.decode(message.encode(_verdict(engine, minute_packet(T0))))
    assert write_once(engine, [redelivered]) == ["already"]
    assert count(engine, raw_frame) == 1
    assert len(measurements(engine)) == 3


def test_one_message_in_a_batch_twice_is_stored_once(migrated_database_url):
    engine = prepare(migrated_database_url)
    verdict = _verdict(engine, minute_packet(T0))
    twice = [message.decode(message.encode(verdict)) for _ in range(2)]
    assert write_once(engine, twice) == [None, "already"]
    assert count(engine, raw_frame) == 1 and count(engine, log_receipt) == 1


@pytest.mark.postgres
def test_two_writers_holding_one_message_store_it_once(postgres_url):
    """The second writer's claim waits for the first's transaction, then finds it taken:
    the lookup before the write that this replaced let both insert."""
    engine = prepare(postgres_url)
    verdict = message.decode(message.encode(_verdict(engine, minute_packet(T0))))
    receipt = message.receipt(verdict)
    with engine.connect() as first:
        transaction = first.begin()
        assert claim_receipts(first, [verdict], [receipt]) == set()
        insert_raw_frames(first, [verdict.raw])
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(write_once, engine, [message.decode(message.encode(verdict))])
            _wait_until_a_lock_is_awaited(engine)
            transaction.commit()
            assert second.result(timeout=30) == ["already"]
    assert count(engine, raw_frame) == 1


def _wait_until_a_lock_is_awaited(engine: sa.Engine) -> None:
    waiting = sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")
    for _ in range(600):
        with engine.connect() as conn:
            if conn.execute(waiting).scalar():
                return
        time.sleep(0.05)
    raise AssertionError("the second writer never waited for the first's claim")


def test_receipts_older_than_the_stream_keeps_are_purged(sqlite_url):
    engine = prepare(sqlite_url)
    old = _verdict(engine, minute_packet(T0), RECEIVED)
    new = _verdict(engine, minute_packet(T0 + timedelta(minutes=1)), RECEIVED + timedelta(days=9))
    assert write_once(engine, [old, new]) == [None, None]
    assert purge_receipts(engine, RECEIVED + timedelta(days=1)) == 1
    with engine.connect() as conn:
        kept = conn.execute(sa.select(log_receipt.c.receipt)).scalars().all()
    assert kept == [message.receipt(new)]
    assert count(engine, raw_frame) == 2  # the frames themselves stay


def test_log_settings_come_from_the_environment():
    settings = config.log_settings(
        {"ECOZONE_LOG_URL": "nats://a:4222, nats://b:4222", "ECOZONE_LOG_REPLICAS": "3",
         "ECOZONE_LOG_MAX_AGE_S": "86400", "ECOZONE_LOG_STREAM": "FRAMES"}
    )  # fmt: skip
    assert settings.servers == ["nats://a:4222", "nats://b:4222"]
    assert (settings.replicas, settings.max_age_s, settings.stream) == (3, 86400.0, "FRAMES")
    assert config.log_settings({}).url == ""  # no log: the gateway writes itself
    with pytest.raises(ValueError, match="ECOZONE_LOG_REPLICAS='three' is not a number"):
        config.log_settings({"ECOZONE_LOG_REPLICAS": "three"})
    with pytest.raises(ValueError, match="ECOZONE_LOG_ACK_WAIT_S='0' must be more than 0"):
        config.log_settings({"ECOZONE_LOG_ACK_WAIT_S": "0"})
    with pytest.raises(ValueError, match="'localhost:4222' is not a NATS URL"):
        config.log_settings({"ECOZONE_LOG_URL": "localhost:4222"})


@pytest.mark.slow
def test_the_gateway_answers_after_the_log_stored_the_frame(sqlite_url, nats_server):
    """Acknowledged before any writer ran: the frame is durable in the log, not yet in the
    database; a writer then stores it, and a re-sent copy adds nothing."""
    engine = prepare(sqlite_url)
    settings = LogSettings(url=nats_server.url, ack_wait_s=5, fetch_wait_s=0.2)

    async def scenario() -> None:
        committer = await LogCommitter.open(settings)
        async with running_gateway(engine, backfill=False) as gateway:
            gateway.committer = committer
            committer.start()
            device = await Device.connect(gateway)
            packet = minute_packet(T0, qn="20260101000000001")
            await device.send(packet)
            answer = await device.receive()
            assert answer is not None and answer.cn == "9014" and answer.qn == packet.qn
            assert count(engine, raw_frame) == 0  # only in the log so far
            await device.send(packet)  # no answer seen, say: the device sends it again
            assert (await device.receive()).cn == "9014"
            await device.close()

        stop = asyncio.Event()
        writer = asyncio.create_task(Writer(engine, settings).run(stop))
        for _ in range(100):
            if count(engine, raw_frame) and await _drained(settings):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await writer

    asyncio.run(scenario())
    assert count(engine, raw_frame) == 1
    assert count(engine, raw_frame, raw_frame.c.verdict == "accepted") == 1
    rows = measurements(engine, measurement.c.pollutant == "a21026")
    assert [(r["data_time"], r["avg"]) for r in rows] == [(T0, 21.5)]


async def _drained(settings: LogSettings) -> bool:
    nc = await connect(settings, name="test")
    try:
        info = await nc.jetstream().consumer_info(settings.stream, settings.writer_consumer)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        with contextlib.suppress(Exception):
            await nc.close()


@pytest.mark.slow
def test_without_the_log_the_gateway_does_not_answer(sqlite_url, nats_server):
    """PubAck never comes (the server is gone): the device gets no answer, so it keeps
    the frame and sends it again later."""
    engine = prepare(sqlite_url)
    settings = LogSettings(url=nats_server.url, publish_timeout_s=1.0)

    async def scenario() -> hj212.Packet | None:
        committer = await LogCommitter.open(settings)
        async with running_gateway(engine, backfill=False) as gateway:
            gateway.committer = committer
            committer.start()
            nats_server.kill()
            device = await Device.connect(gateway)
            await device.send(minute_packet(T0))
            answer = await device.receive(timeout=3)
            await device.close()
            return answer

    assert asyncio.run(scenario()) is None
    assert count(engine, raw_frame) == 0
    with sa.create_engine(sqlite_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(measurement)).scalar() == 0


@pytest.mark.slow
def test_the_follow_up_runs_only_on_committed_rows(sqlite_url, nats_server):
    """A follow-up-only writer waits for the store consumer: with no store writer running it
    runs nothing; once one stored the frames, it gets their rows, already in the database."""
    engine = prepare(sqlite_url)
    settings = LogSettings(url=nats_server.url, ack_wait_s=5, fetch_wait_s=0.2)
    accepted = _verdict(engine, minute_packet(T0, so2=30.0))
    rejected = _verdict(engine, minute_packet(T0 + timedelta(minutes=1), pw="000000"))
    seen: list[tuple[int, int]] = []  # (rows handed over, measurement rows stored by then)

    def follow_up(rows: list[dict]) -> None:
        seen.append((len(rows), count(engine, measurement)))

    async def scenario() -> None:
        committer = await LogCommitter.open(settings)
        committer.start()
        futures = [committer.submit(v, wait=True) for v in (accepted, rejected)]
        assert await asyncio.gather(*futures) == [True, False]  # both durable in the log
        await committer.close()

        stop = asyncio.Event()
        follower = Writer(engine, settings, store=False, after_commit=[follow_up])
        following = asyncio.create_task(follower.run(stop))
        await asyncio.sleep(2.0)
        assert seen == []  # nothing is committed yet
        store_stop = asyncio.Event()
        storing = asyncio.create_task(Writer(engine, settings).run(store_stop))
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.1)
        stop.set()
        store_stop.set()
        await asyncio.gather(following, storing)

    asyncio.run(scenario())
    # The accepted frame's 3 rows; the rejected frame has none and goes to another subject.
    assert seen == [(3, 3)]
    assert count(engine, raw_frame) == 2


@pytest.mark.slow
def test_the_stream_and_consumer_are_declared_idempotently(nats_server):
    settings = LogSettings(url=nats_server.url, max_age_s=3600, duplicate_window_s=60)

    async def scenario() -> tuple:
        nc = await connect(settings, name="test")
        try:
            js = nc.jetstream()
            await ensure_stream(js, settings)
            await ensure_stream(js, settings)  # a second process starting: no error
            await ensure_consumer(js, settings, "ecozone-writer", "ecozone.frames.>")
            await ensure_consumer(js, settings, "ecozone-writer", "ecozone.frames.>")
            longer = LogSettings(url=nats_server.url, max_age_s=7200, duplicate_window_s=60)
            await ensure_stream(js, longer)  # a changed limit is applied
            info = await js.stream_info(settings.stream)
            consumers = await js.consumers_info(settings.stream)
            return info.config, [c.name for c in consumers]
        finally:
            await nc.close()

    config, consumers = asyncio.run(scenario())
    assert config.subjects == ["ecozone.frames.>"]
    assert (config.max_age, config.duplicate_window) == (7200, 60)
    assert config.discard == "new"  # a full stream refuses, it never drops unwritten frames
    assert consumers == ["ecozone-writer"]


def test_the_writer_needs_a_log_and_says_which_it_cannot_reach(sqlite_url, monkeypatch):
    from typer.testing import CliRunner

    from ecozone.cli import app

    monkeypatch.setenv("ECOZONE_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ECOZONE_LOG_URL", raising=False)
    result = CliRunner().invoke(app, ["writer"])
    assert result.exit_code == 2
    assert "no log: give --log nats://HOST:4222 or ECOZONE_LOG_URL" in result.output

    monkeypatch.setenv("ECOZONE_LOG_CONNECT_WAIT_S", "0.5")
    result = CliRunner().invoke(app, ["writer", "--log", "nats://127.0.0.1:1"])
    assert result.exit_code == 1
    assert "cannot reach NATS at nats://127.0.0.1:1 within 0.5 s" in result.output
