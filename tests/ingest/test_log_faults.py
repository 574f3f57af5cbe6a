"""Faults under load through the durable log, with real servers and processes.

Simulated devices (ecozone.simulator) upload minute data as fast as they are
answered to a gateway process (`ecozone gateway --log`), writer processes
(`ecozone writer`) move the log into PostgreSQL, and one thing is killed or
restarted mid-stream: a gateway (kill -9), a writer (kill -9), the NATS
server (kill -9, then started on the same store) or PostgreSQL (an immediate
stop, i.e. a crash, then started again). Afterwards every frame a device saw
answered is stored exactly once and no frame is stored twice. The NATS server
and the PostgreSQL cluster are the tests' own (tests/ingest/servers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.ingest.servers import free_port, wait_for_port

from ecozone.ingest.stream import LogSettings, connect
from ecozone.registry.service import import_registry
from ecozone.simulator import Scenario, china_now
from ecozone.simulator import runner as simulator_runner
from ecozone.simulator.device import Device
from ecozone.simulator.model import DeviceSpec, PointKind
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import device as device_table
from ecozone.store.schema import measurement, raw_frame

pytestmark = pytest.mark.slow

DEVICES = 8
LOAD_S = 10.0  # wall seconds of load; the fault comes FAULT_AT_S into it
FAULT_AT_S = 3.0
SCENARIO = Scenario(
    send_rtd=False, announce_restart=False, min_interval=1, over_time_s=2.0, re_count=1,
    reconnect_delay_s=0.2, reconnect_delay_max_s=1.0,
)  # fmt: skip
# Short enough for a test: a dead writer's messages go to the other after 2 s.
ENV = {
    "ECOZONE_LOG_ACK_WAIT_S": "2",
    "ECOZONE_LOG_PUBLISH_TIMEOUT_S": "2",
    "ECOZONE_LOG_BATCH": "500",
    "ECOZONE_LOG_FETCH_WAIT_S": "0.2",
    "ECOZONE_LOG_RETRY_MAX_S": "1",
    "ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "0",
}


def specs() -> list[DeviceSpec]:
    return [
        DeviceSpec(mn=f"0A{i:022X}", password="123456", kind=PointKind.FLUE_GAS,
                   reference_o2=6.0, name=f"DA{i + 1:03d}")
        for i in range(DEVICES)
    ]  # fmt: skip


def registry() -> dict:
    points = [
        {"code": s.name, "name": f"排口{s.name}", "kind": "flue_gas", "reference_o2": 6.0,
         "device": {"mn": s.mn, "password": s.password, "st": "31"}}
        for s in specs()
    ]  # fmt: skip
    return {
        "districts": ["两江新区"],
        "enterprises": [{"credit_code": "91500000MA5U7AH918", "name": "重庆示例热电有限公司",
                         "district": "两江新区", "points": points}],
    }  # fmt: skip


class Balancer:
    """A TCP load balancer in front of the gateways: each device connection goes to the
    next gateway that accepts it, as devices reach stateless gateways in a deployment."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.port = 0
        self._turn = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Balancer:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in self.ports:
            port = self.ports[self._turn % len(self.ports)]
            self._turn += 1
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            return
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


class Rig:
    """The processes of one test: gateways and writers on one database and one log."""

    def __init__(self, url: str, nats_url: str, logs: Path):
        self.url = url
        self.nats_url = nats_url
        self.logs = logs
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen] = []
        self.env = {**os.environ, **ENV, "ECOZONE_DATABASE_URL": url, "ECOZONE_LOG_URL": nats_url}

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        err = (self.logs / f"{name}-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "ecozone", *args], env=self.env,
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def start(self, gateways: int, writers: int) -> tuple[list, list]:
        """Start the processes at once (each takes seconds to import); return when the
        gateways listen and the writers consume."""
        started_gateways = []
        for _ in range(gateways):
            port = free_port()
            self.ports.append(port)
            started_gateways.append(
                self._spawn("gateway", "gateway", "--port", str(port), "--no-backfill")
            )
        started_writers = [self._spawn("writer", "writer", "--store-only") for _ in range(writers)]
        for port, proc in zip(self.ports, started_gateways, strict=True):
            wait_for_port(port, proc, "gateway", timeout=120)
        for proc in started_writers:
            self._wait_consuming(proc)
        return started_gateways, started_writers

    def _wait_consuming(self, proc: subprocess.Popen) -> None:
        log_file = self.logs / f"writer-{self.procs.index(proc)}.log"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"writer exited: {log_file.read_text()[-2000:]}")
            if "consuming" in log_file.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError("writer did not start consuming within 120 s")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def recording_devices(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str, object, float]]:
    """Make the simulator's devices note every upload that was answered:
    (MN, CN, QN, DataTime, monotonic time of the answer)."""
    answered: list[tuple[str, str, str, object, float]] = []

    class RecordingDevice(Device):
        async def upload(self, packet):  # type: ignore[no-untyped-def]
            ok = await super().upload(packet)
            if ok and packet.needs_ack:
                answered.append(
                    (packet.mn, packet.cn, packet.qn, packet.cp.data_time, time.monotonic())
                )
            return ok

    monkeypatch.setattr(simulator_runner, "Device", RecordingDevice)
    return answered


async def _load(ports: list[int], fault: Callable[[], Awaitable[None]]) -> None:
    async with Balancer(ports) as balancer:
        runner = simulator_runner.Runner(
            specs(), "127.0.0.1", balancer.port, SCENARIO,
            start=china_now() - timedelta(days=3), speed=float("inf"), live=False,
        )  # fmt: skip
        await _with_fault(runner, fault)


async def _with_fault(
    runner: simulator_runner.Runner, fault: Callable[[], Awaitable[None]]
) -> None:
    async def inject() -> None:
        await asyncio.sleep(FAULT_AT_S)
        await fault()

    injected = asyncio.create_task(inject())
    await runner.run(duration_s=LOAD_S)
    await injected


async def _drained(nats_url: str, timeout_s: float = 90.0) -> None:
    """Wait until the writers acknowledged every message in the log."""
    settings = LogSettings(url=nats_url)
    nc = await connect(settings, name="test")
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                info = await js.consumer_info(settings.stream, settings.writer_consumer)
                if info.num_pending == 0 and info.num_ack_pending == 0:
                    return
            await asyncio.sleep(0.3)
        raise AssertionError(f"the writers did not drain the log within {timeout_s:g} s")
    finally:
        await nc.close()


def _prepare(url: str) -> None:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, registry())
    engine.dispose()


def _check(
    url: str, answered: list, recovered: float, during: tuple[float, float] | None = None
) -> None:
    """Every answered frame stored exactly once, none twice; minute data in measurements;
    answers went on after the fault (`recovered`, a monotonic time)."""
    assert len(answered) > 50, "the devices got too few answers for the test to mean much"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            c = raw_frame.c
            counts = {
                (mn, cn, qn): n
                for mn, cn, qn, n in conn.execute(
                    sa.select(c.mn, c.cn, c.qn, sa.func.count())
                    .where(c.verdict == "accepted")
                    .group_by(c.mn, c.cn, c.qn)
                )
            }
            points = {
                mn: point_id
                for mn, point_id in conn.execute(
                    sa.select(device_table.c.mn, device_table.c.point_id)
                )
            }
            m = measurement.c
            minutes = {
                (point_id, data_time)
                for point_id, data_time in conn.execute(
                    sa.select(m.point_id, m.data_time)
                    .where(m.kind == "minute", m.pollutant == "a21026")
                )
            }
    finally:
        engine.dispose()
    missing = [a[:3] for a in answered if counts.get(a[:3], 0) == 0]
    twice = [key for key, n in counts.items() if n > 1]
    assert not missing, f"{len(missing)} answered frames not stored, e.g. {missing[:3]}"
    assert not twice, f"{len(twice)} frames stored more than once, e.g. {twice[:3]}"
    unmeasured = [
        a[:4] for a in answered if a[1] == "2051" and (points[a[0]], a[3]) not in minutes
    ]
    assert not unmeasured, f"answered minute data without measurements: {unmeasured[:3]}"
    assert any(a[4] > recovered for a in answered), "no frame was answered after the fault"
    if during is not None:  # the fault did not stop the gateway from answering
        start, end = during
        assert any(start < a[4] < end for a in answered), "no frame was answered during the fault"


def _run(rig: Rig, answered: list, fault: Callable[[], Awaitable[None]]) -> float:
    """Load with the fault injected; the monotonic time the fault was over."""
    over: list[float] = []

    async def timed() -> None:
        await fault()
        over.append(time.monotonic())

    try:
        asyncio.run(_load(rig.ports, timed))
        asyncio.run(_drained(rig.nats_url))
    finally:
        rig.stop_all()
    return over[0]


def test_kill_9_of_a_gateway_loses_and_doubles_nothing(
    private_postgres_url, nats_server, tmp_path, monkeypatch
):
    _prepare(private_postgres_url)
    answered = recording_devices(monkeypatch)
    rig = Rig(private_postgres_url, nats_server.url, tmp_path)
    (doomed, _), _ = rig.start(gateways=2, writers=1)

    async def fault() -> None:
        doomed.send_signal(signal.SIGKILL)  # its devices reconnect through the balancer

    recovered = _run(rig, answered, fault)
    _check(private_postgres_url, answered, recovered)


def test_kill_9_of_a_writer_loses_and_doubles_nothing(
    private_postgres_url, nats_server, tmp_path, monkeypatch
):
    _prepare(private_postgres_url)
    answered = recording_devices(monkeypatch)
    rig = Rig(private_postgres_url, nats_server.url, tmp_path)
    _, (doomed, _) = rig.start(gateways=1, writers=2)

    async def fault() -> None:
        doomed.send_signal(signal.SIGKILL)  # its unacknowledged batch goes to the other

    recovered = _run(rig, answered, fault)
    _check(private_postgres_url, answered, recovered)


def test_a_nats_restart_loses_and_doubles_nothing(
    private_postgres_url, nats_server, tmp_path, monkeypatch
):
    _prepare(private_postgres_url)
    answered = recording_devices(monkeypatch)
    rig = Rig(private_postgres_url, nats_server.url, tmp_path)
    rig.start(gateways=1, writers=1)

    async def fault() -> None:
        nats_server.kill()  # kill -9; the store on disk is all that is left
        await asyncio.sleep(1.5)
        await asyncio.to_thread(nats_server.start)

    recovered = _run(rig, answered, fault)
    _check(private_postgres_url, answered, recovered)


def test_while_postgresql_is_down_the_gateway_answers_and_the_backlog_drains_later(
    postgres_cluster, private_postgres_url, nats_server, tmp_path, monkeypatch
):
    _prepare(private_postgres_url)
    answered = recording_devices(monkeypatch)
    rig = Rig(private_postgres_url, nats_server.url, tmp_path)
    rig.start(gateways=1, writers=2)
    down: list[float] = []

    async def fault() -> None:
        await asyncio.to_thread(postgres_cluster.stop, "immediate")  # a crash
        down.append(time.monotonic())
        await asyncio.sleep(3.0)
        down.append(time.monotonic())
        await asyncio.to_thread(postgres_cluster.start)

    recovered = _run(rig, answered, fault)
    _check(private_postgres_url, answered, recovered, during=(down[0], down[1]))
