"""Gateway resource limits over real TCP: the frame deadline, the per-address connection
cap and one bounded record per burst of junk. Waits are generous (a loaded machine);
nothing asserts on elapsed time."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

import pytest
import sqlalchemy as sa
from tests.gateway.helpers import Device, count, minute_packet, prepare, running_gateway

from ecozone import config, hj212
from ecozone.store.schema import raw_frame

T0 = datetime(2026, 11, 20, 8, 40)


async def closed_by_peer(device: Device, timeout: float) -> bool:
    """True when the gateway closes the connection within `timeout` seconds."""
    try:
        return await asyncio.wait_for(device.reader.read(65536), timeout) == b""
    except TimeoutError:
        return False
    except ConnectionError:
        return True


async def answered(device: Device, packet: hj212.Packet) -> bool:
    with contextlib.suppress(ConnectionError):
        await device.send(packet)
        answer = await device.receive(timeout=30.0)
        return answer is not None and answer.cn == "9014"
    return False


def test_a_client_trickling_one_byte_at_a_time_is_cut_off_at_the_frame_deadline(sqlite_url):
    engine = prepare(sqlite_url)
    frame = hj212.encode(minute_packet(T0))

    async def scenario():
        # The idle timeout alone (restarted by every byte) would never end this client.
        async with running_gateway(engine, idle_timeout_s=600.0, frame_deadline_s=1.0) as gateway:
            loris = await Device.connect(gateway)
            closed = asyncio.create_task(closed_by_peer(loris, timeout=120.0))
            sent = 0
            for byte in frame[:-2]:  # never the CR LF that would complete it
                if closed.done():
                    break
                with contextlib.suppress(ConnectionError):
                    loris.writer.write(bytes([byte]))
                    await loris.writer.drain()
                sent += 1
                await asyncio.sleep(0.2)
            was_closed = await closed
            await loris.close()
            # The gateway itself carries on.
            device = await Device.connect(gateway)
            still_served = await answered(device, minute_packet(T0))
            await device.close()
            return was_closed, sent, still_served

    was_closed, sent, still_served = asyncio.run(scenario())
    assert was_closed
    assert sent < len(frame) - 2  # cut off before it finished trickling
    assert still_served


def test_a_device_quiet_between_complete_frames_is_not_cut_off(sqlite_url):
    engine = prepare(sqlite_url)

    async def scenario():
        async with running_gateway(engine, idle_timeout_s=600.0, frame_deadline_s=0.5) as gateway:
            device = await Device.connect(gateway)
            first = await answered(device, minute_packet(T0))
            await asyncio.sleep(2.0)  # quiet for four deadlines, but no frame was started
            second = await answered(device, minute_packet(T0, so2=30.0))
            await device.close()
            return first, second

    assert asyncio.run(scenario()) == (True, True)


def test_an_address_may_hold_only_the_configured_number_of_connections(sqlite_url):
    engine = prepare(sqlite_url)

    async def scenario():
        async with running_gateway(engine, max_connections_per_address=2) as gateway:
            first, second = await Device.connect(gateway), await Device.connect(gateway)
            assert await answered(first, minute_packet(T0))  # both are registered by now
            assert await answered(second, minute_packet(T0))
            third = await Device.connect(gateway)
            third_refused = await closed_by_peer(third, timeout=30.0)
            await third.close()
            both_served = await answered(first, minute_packet(T0, so2=31.0))
            await first.close()
            # Once one is closed another is welcome (the gateway notices the close soon).
            for _ in range(60):
                fourth = await Device.connect(gateway)
                if await answered(fourth, minute_packet(T0, so2=32.0)):
                    await fourth.close()
                    break
                await fourth.close()
                await asyncio.sleep(0.5)
            else:
                raise AssertionError("a freed slot was never given to a new connection")
            await second.close()
            return third_refused, both_served

    assert asyncio.run(scenario()) == (True, True)


def test_a_burst_of_junk_fragments_is_one_bounded_rejection(sqlite_url):
    engine = prepare(sqlite_url)
    pieces = [f"junk-{i:02d};".encode() for i in range(20)]  # 8 bytes each, no '#'

    async def scenario():
        async with running_gateway(engine, junk_prefix_bytes=64) as gateway:
            device = await Device.connect(gateway)
            for piece in pieces:  # separate segments, as a trickling scanner sends them
                await device.send(piece)
                await asyncio.sleep(0.05)
            assert await answered(device, minute_packet(T0))  # the burst ends at a frame
            await device.send(b"tail junk, then the connection ends")
            await device.close()
            for _ in range(300):  # until the gateway has seen the close
                if not gateway.sessions:
                    break
                await asyncio.sleep(0.1)

    asyncio.run(scenario())
    with engine.connect() as conn:
        rejected = conn.execute(
            sa.select(raw_frame.c.data, raw_frame.c.reason)
            .where(raw_frame.c.verdict == "rejected")
            .order_by(raw_frame.c.id)
        ).all()
    assert len(rejected) == 2  # the burst before the frame, and the one at the close
    data, reason = rejected[0]
    assert data == b"".join(pieces)[:64]  # 20 x 8 = 160 bytes, the first 64 kept
    assert reason.startswith("160 bytes")
    assert rejected[1].data == b"tail junk, then the connection ends"
    assert count(engine, raw_frame, raw_frame.c.verdict == "accepted") == 1


def test_limits_are_read_from_the_environment_and_bad_values_are_named(monkeypatch):
    monkeypatch.setenv("ECOZONE_GATEWAY_FRAME_DEADLINE_S", "30")
    monkeypatch.setenv("ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "0")
    monkeypatch.setenv("ECOZONE_GATEWAY_JUNK_PREFIX_BYTES", "64")
    settings = config.load()
    assert (
        settings.gateway_frame_deadline_s,
        settings.gateway_max_connections_per_address,
        settings.gateway_junk_prefix_bytes,
    ) == (30.0, 0, 64)
    monkeypatch.setenv("ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "many")
    with pytest.raises(ValueError, match="ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS='many'"):
        config.load()
