"""Ingest through the durable log (NATS JetStream) against the direct path.

N devices send minute frames (6 pollutants, Flag=5), each waiting for its
9014 before the next, to a gateway process: once writing to the database
itself (the direct path, group commit), once with `--log` (acknowledging
after JetStream's PubAck) with one `ecozone writer` moving the log into the
database. Prints acknowledged frames/s and ACK p50/p99 for both; for the
log, the writer's lag (messages not yet written) when the load stops, the
largest lag seen, and how long the writer then needs to catch up. The NATS
server is the benchmark's own (nats-server -js on a free port).

    PYTHONPATH=src:. python bench/ingest_stream.py --engine postgres --devices 100,1000 \
        --duration 15
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta

from bench._scratch import scratch_database

from ecozone import hj212
from ecozone.ingest.stream import LogSettings, connect
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

T0 = datetime(2026, 1, 1)
CODES = ("a21026", "a21002", "a34013", "a19001", "a01012", "a00000")
CREDIT_CODE = "91500000MA5U7AH918"


def mn_of(i: int) -> str:
    return f"0B{i:022X}"


def registry(n: int) -> dict:
    points = [
        {"code": f"DA{i + 1:04d}", "name": f"排口{i}", "kind": "flue_gas", "reference_o2": 6.0,
         "device": {"mn": mn_of(i), "password": "123456", "st": "31"}}
        for i in range(n)
    ]  # fmt: skip
    return {
        "districts": ["两江新区"],
        "enterprises": [{"credit_code": CREDIT_CODE, "name": "基准企业", "district": "两江新区",
                         "points": points}],
    }  # fmt: skip


def frames_for(i: int, count: int) -> list[bytes]:
    out = []
    for k in range(count):
        t = T0 + timedelta(minutes=k)
        pollutants = {
            code: {"Min": 10.0 + j, "Avg": 12.5 + j, "Max": 15.0 + j, "Flag": "N"}
            for j, code in enumerate(CODES)
        }
        packet = hj212.Packet(
            qn=hj212.new_qn(t), st="31", cn="2051", pw="123456", mn=mn_of(i), flag=5,
            cp=hj212.CommandParams(data_time=t, pollutants=pollutants),
        )  # fmt: skip
        out.append(hj212.encode(packet))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen) -> None:
    for _ in range(1200):
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ecozone", *args], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def device(port: int, frames: list[bytes], stop: float, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    acked = 0
    try:
        for frame in frames:
            if time.perf_counter() > stop:
                break
            sent = time.perf_counter()
            writer.write(frame)
            buf = b""
            while b"CN=9014" not in buf:
                chunk = await reader.read(4096)
                if not chunk:
                    return acked
                buf += chunk
            latencies.append(time.perf_counter() - sent)
            acked += 1
    finally:
        writer.close()
    return acked


async def pending(settings: LogSettings) -> int:
    nc = await connect(settings, name="bench")
    try:
        info = await nc.jetstream().consumer_info(settings.stream, settings.writer_consumer)
        return (info.num_pending or 0) + (info.num_ack_pending or 0)
    finally:
        await nc.close()


async def run_load(
    port: int, n: int, duration: float, log: LogSettings | None
) -> tuple[int, float, list[float], int]:
    pools = [frames_for(i, max(50, int(duration * 20000 / n) + 50)) for i in range(n)]
    latencies: list[float] = []
    peak = 0
    start = time.perf_counter()
    stop = start + duration

    async def watch() -> None:
        nonlocal peak
        while time.perf_counter() < stop:
            await asyncio.sleep(1.0)
            if log is not None:
                peak = max(peak, await pending(log))

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(device(port, pools[i], stop, latencies) for i in range(n)))
    elapsed = time.perf_counter() - start
    await watcher
    return sum(results), elapsed, latencies, peak


def database(url: str, n: int) -> None:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, registry(n))
    engine.dispose()


def measure(args: argparse.Namespace, mode: str, n: int, tmp: str, nats_url: str) -> str:
    scratch = contextlib.ExitStack()  # the database is dropped when the run ends
    url = scratch.enter_context(scratch_database(args.engine, tmp))
    database(url, n)
    port = free_port()
    stream = f"BENCH_{uuid.uuid4().hex[:6].upper()}"
    settings = LogSettings(url=nats_url, stream=stream, subject=f"bench.{stream.lower()}")
    env = {
        **os.environ,
        "ECOZONE_DATABASE_URL": url,
        "ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "0",
        "ECOZONE_LOG_URL": nats_url,
        "ECOZONE_LOG_STREAM": settings.stream,
        "ECOZONE_LOG_SUBJECT": settings.subject,
    }
    gateway_args = ["gateway", "--port", str(port), "--no-backfill", "--store-only"]
    if mode == "log":
        gateway_args += ["--log", nats_url]
    procs = [spawn(gateway_args, env)]
    if mode == "log":
        procs.append(spawn(["writer", "--store-only"], env))
    try:
        wait_port(port, procs[0])
        time.sleep(2 if mode == "log" else 0)  # the writer's start
        acked, elapsed, lat, peak = asyncio.run(
            run_load(port, n, args.duration, settings if mode == "log" else None)
        )
        lat.sort()
        p50 = statistics.median(lat) * 1000 if lat else float("nan")
        p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan")
        line = f"{mode:>6} {n:>8} {acked / elapsed:>9.0f} {p50:>8.1f} {p99:>8.1f}"
        if mode == "log":
            at_end = asyncio.run(pending(settings))
            started = time.perf_counter()
            while asyncio.run(pending(settings)) > 0 and time.perf_counter() - started < 600:
                time.sleep(0.5)
            catch_up = time.perf_counter() - started
            rate = acked / (elapsed + catch_up)
            line += (
                f"  writer lag at end {at_end} msgs (peak {max(peak, at_end)}),"
                f" caught up in {catch_up:.1f} s, writer {rate:.0f} frames/s"
            )
        return line
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
        scratch.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--devices", default="100,1000")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--modes", default="direct,log")
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    tmp = tempfile.mkdtemp()
    nats_port = free_port()
    nats = subprocess.Popen(
        [binary, "-js", "-a", "127.0.0.1", "-p", str(nats_port), "-sd", f"{tmp}/js"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_port(nats_port, nats)
        print(f"engine={args.engine} cpus={os.cpu_count()} duration={args.duration}s", flush=True)
        print(f"{'path':>6} {'devices':>8} {'acked/s':>9} {'p50 ms':>8} {'p99 ms':>8}", flush=True)
        for n in [int(x) for x in args.devices.split(",")]:
            for mode in args.modes.split(","):
                print(measure(args, mode, n, tmp, f"nats://127.0.0.1:{nats_port}"), flush=True)
    finally:
        nats.terminate()
        nats.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
