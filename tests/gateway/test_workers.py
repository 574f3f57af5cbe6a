"""`ecozone gateway --processes 2`: two workers on one port (SO_REUSEPORT) under a supervisor.

Both workers accept and store; kill -9 of the worker holding a device's
connection loses no acknowledged frame (the device reconnects, reaches a
worker, and goes on), the supervisor starts the dead worker again, and
SIGTERM stops everything gracefully.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.gateway.helpers import count, measurements, minute_packet, prepare

from ecozone import hj212
from ecozone.store.schema import measurement, raw_frame

T0 = datetime(2026, 1, 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(supervisor: int) -> list[int]:
    """Pids of the supervisor's gateway workers (not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == supervisor and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def _listeners(port: int) -> int:
    return Path("/proc/net/tcp").read_text().count(f":{port:04X} 00000000:0000 0A")


def _start(url: str, port: int, metrics_port: int) -> subprocess.Popen:
    env = {**os.environ, "ECOZONE_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecozone", "gateway", "--port", str(port), "--processes", "2",
         "--metrics-port", str(metrics_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _wait(lambda: _listeners(port) == 2 and len(_workers(proc.pid)) == 2, proc, "two workers")
    return proc


def _wait(condition, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited: {proc.stderr.read().decode()[-2000:]}")
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"no {what} within {timeout} s")


def _metric(port: int, name: str) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not served on port {port}")


def _holder(workers: list[int], gateway_port: int, client_port: int) -> int:
    """The worker holding the server side of the connection from `client_port`."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{gateway_port:04X}") and fields[2].endswith(f":{client_port:04X}"):
            inode = fields[9]
    assert inode is not None, "the connection is not in /proc/net/tcp"
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


class Sender:
    """One device that, like a real one, sends its next frame once the last is answered
    and, when the connection drops, reconnects and sends the unanswered frame again."""

    def __init__(self, port: int):
        self.port = port
        self.acked: list[int] = []
        self.reconnects = 0
        self.client_port = 0
        self._conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.client_port = writer.get_extra_info("sockname")[1]
                return reader, writer
            except OSError:
                await asyncio.sleep(0.1)

    async def send(self, i: int) -> None:
        packet = minute_packet(T0 + timedelta(minutes=i), qn=f"{i:017d}")
        while True:
            if self._conn is None:
                self._conn = await self._connect()
            reader, writer = self._conn
            decoder = hj212.FrameDecoder()
            try:
                writer.write(hj212.encode(packet))
                await writer.drain()
                while True:
                    chunk = await asyncio.wait_for(reader.read(4096), 10)
                    if not chunk:
                        raise ConnectionResetError("closed")
                    if any(
                        p.cn == "9014" and p.qn == packet.qn
                        for p in map(hj212.parse, decoder.feed(chunk))
                    ):
                        self.acked.append(i)
                        return
            except (OSError, TimeoutError):
                writer.close()
                self._conn = None
                self.reconnects += 1

    def close(self) -> None:
        if self._conn is not None:
            self._conn[1].close()


def _stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(60)


@pytest.mark.slow
def test_two_processes_on_one_port_both_accept_and_store(database_url):
    engine = prepare(database_url)
    port, metrics = _free_port(), _free_port()
    proc = _start(database_url, port, metrics)
    workers = _workers(proc.pid)
    try:

        async def devices() -> list[Sender]:
            senders = [Sender(port) for _ in range(24)]
            for k in range(3):  # 24 connections, 3 frames each, distinct minutes
                await asyncio.gather(*(s.send(100 * j + k) for j, s in enumerate(senders)))
            for s in senders:
                s.close()
            return senders

        senders = asyncio.run(devices())
        accepted = [_metric(metrics + i, "ecozone_gateway_connections_total") for i in (0, 1)]
    finally:
        assert _stop(proc) == 0
    # The kernel spread 24 connections over both workers (all on one: chance 2 in 2**24).
    assert all(n >= 1 for n in accepted), accepted
    assert sum(accepted) >= 24
    assert sorted(i for s in senders for i in s.acked) == sorted(
        100 * j + k for j in range(24) for k in range(3)
    )
    assert count(engine, raw_frame) == 72
    assert len(measurements(engine, measurement.c.pollutant == "a21026")) == 72
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # stopped with it


@pytest.mark.slow
def test_kill_9_of_a_worker_loses_no_acknowledged_frame_and_it_comes_back(database_url):
    engine = prepare(database_url)
    port, metrics = _free_port(), _free_port()
    proc = _start(database_url, port, metrics)
    try:

        async def scenario() -> Sender:
            device = Sender(port)
            for i in range(20):
                await device.send(i)
            victim = _holder(_workers(proc.pid), port, device.client_port)
            os.kill(victim, signal.SIGKILL)
            for i in range(20, 60):  # reconnects to a live worker and goes on
                await device.send(i)
            device.close()
            return device

        workers_before = _workers(proc.pid)
        device = asyncio.run(scenario())
        # The supervisor starts the dead worker again: two listeners, a new pid.
        _wait(lambda: _listeners(port) == 2 and len(_workers(proc.pid)) == 2, proc, "restart")
        workers_after = _workers(proc.pid)
    finally:
        assert _stop(proc) == 0
    assert device.reconnects >= 1
    assert device.acked == list(range(60))
    assert len(set(workers_after) - set(workers_before)) == 1
    stored = {
        int((r["data_time"] - T0).total_seconds() // 60)
        for r in measurements(engine, measurement.c.pollutant == "a21026")
    }
    assert set(device.acked) <= stored


def test_several_processes_need_a_fixed_port(sqlite_url):
    prepare(sqlite_url)
    env = {**os.environ, "ECOZONE_DATABASE_URL": sqlite_url}
    done = subprocess.run(
        [sys.executable, "-m", "ecozone", "gateway", "--port", "0", "--processes", "2"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "several gateway processes need a fixed port, not 0" in done.stderr


def test_processes_and_event_loop_are_read_from_the_environment(monkeypatch):
    from ecozone import config

    assert config.load().gateway_processes == 1
    monkeypatch.setenv("ECOZONE_GATEWAY_PROCESSES", "4")
    monkeypatch.setenv("ECOZONE_GATEWAY_EVENT_LOOP", "asyncio")
    settings = config.load()
    assert (settings.gateway_processes, settings.gateway_event_loop) == (4, "asyncio")
    monkeypatch.setenv("ECOZONE_GATEWAY_PROCESSES", "0")
    with pytest.raises(ValueError, match="ECOZONE_GATEWAY_PROCESSES='0' must be 1 or more"):
        config.load()
    monkeypatch.setenv("ECOZONE_GATEWAY_PROCESSES", "2")
    monkeypatch.setenv("ECOZONE_GATEWAY_EVENT_LOOP", "trio")
    with pytest.raises(ValueError, match="ECOZONE_GATEWAY_EVENT_LOOP='trio' must be auto"):
        config.load()
