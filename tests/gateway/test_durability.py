"""Kill -9 the gateway mid-stream: every acknowledged frame is in the database afterwards."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from tests.gateway.helpers import measurements, minute_packet, prepare

from ecozone import hj212
from ecozone.store.schema import measurement

T0 = datetime(2026, 1, 1)  # far enough back that no index runs ahead of now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gateway(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "ECOZONE_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecozone", "gateway", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gateway did not start listening within 30 s")


async def _send_until_dead(port: int, start: int, count: int) -> list[int]:
    """Send minute frames wanting an answer; return the indexes acknowledged."""
    acked: list[int] = []
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return acked
    decoder = hj212.FrameDecoder()
    try:
        for i in range(start, start + count):
            packet = minute_packet(T0 + timedelta(minutes=i), qn=f"{i:017d}")
            writer.write(hj212.encode(packet))
            await writer.drain()
            answered = False
            while not answered:  # other frames (history requests after a gap) may come first
                chunk = await asyncio.wait_for(reader.read(4096), 5)
                if not chunk:
                    return acked
                answered = any(
                    p.cn == "9014" and p.qn == packet.qn
                    for p in map(hj212.parse, decoder.feed(chunk))
                )
            acked.append(i)
    except (OSError, TimeoutError):
        pass
    return acked


@pytest.mark.slow
def test_kill_and_restart_loses_no_acknowledged_frame(database_url):
    engine = prepare(database_url)
    engine.dispose()
    port = _free_port()
    gateway = _start_gateway(database_url, port)

    async def killer(delay: float) -> None:
        await asyncio.sleep(delay)
        gateway.send_signal(signal.SIGKILL)

    async def first_run() -> list[int]:
        sender = asyncio.create_task(_send_until_dead(port, 0, 100000))
        await killer(1.5)
        return await sender

    try:
        acked = asyncio.run(first_run())
        gateway.wait(10)
        assert len(acked) > 10, "the gateway acknowledged too little before the kill"
        gateway = _start_gateway(database_url, port)
        more = asyncio.run(_send_until_dead(port, 300000, 20))
        assert len(more) == 20
    finally:
        gateway.terminate()
        gateway.wait(10)
    stored = {
        int((r["data_time"] - T0).total_seconds() // 60)
        for r in measurements(engine, measurement.c.pollutant == "a21026")
    }
    missing = set(acked + more) - stored
    assert not missing, f"acknowledged but not stored: {sorted(missing)[:10]}"
    assert gateway.returncode == 0  # SIGTERM is a graceful stop
