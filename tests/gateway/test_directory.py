"""A device that reconnects to another gateway process is known there as it is now.

Two gateways on one database stand for two worker processes: each caches the
device directory, and what one of them (or the registry) changed a moment ago
must not make the other refuse the device until its next refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime

from tests.gateway.helpers import (
    STRICT_MN,
    Device,
    minute_packet,
    rejected_reasons,
    running_gateway,
)
from tests.gateway.test_field_devices import KEY, SM4_MN, _answers, prepare_field

from ecozone import hj212
from ecozone.registry.service import set_device_password


def test_a_key_rotated_on_one_gateway_is_known_to_the_one_the_device_reconnects_to(
    migrated_database_url,
):
    engine = prepare_field(migrated_database_url)
    times = [datetime(2026, 11, 20, 8, minute) for minute in range(0, 30, 10)]

    async def scenario() -> None:
        async with contextlib.AsyncExitStack() as stack:
            first = await stack.enter_async_context(running_gateway(engine))
            other = await stack.enter_async_context(running_gateway(engine))  # cache: old key
            device = await Device.connect(first)
            request = hj212.Packet(qn="20261120080000000", st="31", cn="1014", pw="123456",
                                   mn=SM4_MN, flag=9)  # fmt: skip
            await device.send(hj212.encode(request, sm4_key=KEY))
            (answer,) = await _answers(device, 1, KEY)
            new_key = answer.cp.fields["NewSK"].encode()
            await device.close()  # the worker dies; the device reconnects elsewhere
            device = await Device.connect(other)
            await device.send(hj212.encode(minute_packet(times[1], mn=SM4_MN), sm4_key=new_key))
            (ack,) = await _answers(device, 1, new_key)
            assert ack.cn == "9014"
            await device.close()

    asyncio.run(scenario())
    assert rejected_reasons(engine) == []  # the first judgement on the stale cache is not kept


def test_a_new_password_is_known_without_waiting_for_the_refresh(migrated_database_url):
    engine = prepare_field(migrated_database_url)

    async def scenario() -> None:
        async with running_gateway(engine) as gateway:  # caches password 123456
            set_device_password(engine, STRICT_MN, "Nw-2026-pass", actor="admin")
            device = await Device.connect(gateway)
            await device.send(minute_packet(datetime(2026, 11, 20, 8, 0), pw="Nw-2026-pass"))
            answer = await device.receive(timeout=30)
            assert answer is not None and answer.cn == "9014"
            await device.send(minute_packet(datetime(2026, 11, 20, 8, 10), pw="123456"))
            assert await device.receive(timeout=2) is None  # the old one is refused
            await device.close()

    asyncio.run(scenario())
    assert rejected_reasons(engine) == [f"wrong password for MN {STRICT_MN}"]
