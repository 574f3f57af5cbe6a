"""End-to-end ingest benchmark: N devices over TCP against a real gateway process.

Each simulated device sends minute frames (6 pollutants, Flag=5: answer wanted)
one after another, waiting for its 9014 before the next, as real devices do.
Prints acknowledged frames/s, ACK latency p50/p99 and the gateway's RSS; with
--hold N it also opens N idle connections and reports the RSS holding them.

    python bench/ingest.py --engine sqlite --devices 100,1000 --duration 20
    python bench/ingest.py --engine postgres --devices 5000 --hold 10000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ecozone import hj212
from ecozone.registry.service import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine

T0 = datetime(2026, 1, 1)
CODES = ("a21026", "a21002", "a34013", "a19001", "a01012", "a00000")


def mn_of(i: int) -> str:
    return f"0A{i:022X}"


def registry(n: int) -> dict:
    enterprises = []
    for e in range(0, n, 50):
        points = [
            {
                "code": f"DA{p - e + 1:03d}",
                "name": f"排口{p}",
                "kind": "flue_gas",
                "reference_o2": 6.0,
                "device": {"mn": mn_of(p), "password": "123456", "st": "31"},
            }
            for p in range(e, min(e + 50, n))
        ]
        code17 = f"91500000BENCH{e // 50:04d}"
        enterprises.append(
            {"credit_code": code17 + _check_char(code17), "name": f"基准企业{e // 50}",
             "district": "两江新区", "points": points}
        )  # fmt: skip
    return {"districts": ["两江新区"], "enterprises": enterprises}


def _check_char(first17: str) -> str:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(charset.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return charset[(31 - total % 31) % 31]


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


def start_gateway(url: str, port: int, follow_up: bool) -> subprocess.Popen:
    # Every simulated device connects from 127.0.0.1: lift the per-address cap.
    env = {
        **os.environ,
        "ECOZONE_DATABASE_URL": url,
        "ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecozone", "gateway", "--port", str(port), "--no-backfill",
         *([] if follow_up else ["--store-only"])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gateway did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


async def run_load(port: int, n: int, duration: float, per_device: int) -> tuple[int, float, list]:
    pools = [frames_for(i, per_device) for i in range(n)]
    latencies: list[float] = []
    start = time.perf_counter()
    stop = start + duration
    results = await asyncio.gather(*(device(port, pools[i], stop, latencies) for i in range(n)))
    return sum(results), time.perf_counter() - start, latencies


async def hold(port: int, n: int) -> list:
    conns = []
    for i in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        beat = hj212.heartbeat(mn=mn_of(i % 10), pw="123456", st="31", qn=f"{i:017d}")
        writer.write(hj212.encode(beat))
        conns.append((reader, writer))
    return conns


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", default="100,1000")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--hold", type=int, default=0)
    parser.add_argument(
        "--follow-up",
        action="store_true",
        help="also update aggregates and alerts after each commit (off: --store-only)",
    )
    args = parser.parse_args()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(x) for x in args.devices.split(",")]
    n_max = max([*counts, 10])

    tmp = tempfile.mkdtemp()
    if args.engine == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
        admin = None
    else:
        base = os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, registry(n_max))
    engine.dispose()

    print(
        f"engine={args.engine} cpus={os.cpu_count()} duration={args.duration}s "
        f"follow-up={'on' if args.follow_up else 'off'}",
        flush=True,
    )
    print(f"{'devices':>8} {'acked/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'gateway RSS MB':>15}")
    port = free_port()
    gateway = start_gateway(url, port, args.follow_up)
    try:
        for n in counts:
            per_device = max(50, int(args.duration * 20000 / n) + 50)
            acked, elapsed, lat = asyncio.run(run_load(port, n, args.duration, per_device))
            lat.sort()
            p50 = statistics.median(lat) * 1000 if lat else float("nan")
            p99 = lat[int(len(lat) * 0.99) - 1] * 1000 if lat else float("nan")
            rss = rss_mb(gateway.pid)
            print(
                f"{n:>8} {acked / elapsed:>9.0f} {p50:>8.1f} {p99:>8.1f} {rss:>15.0f}", flush=True
            )
        if args.hold:

            async def held() -> None:
                conns = await hold(port, args.hold)
                await asyncio.sleep(2)
                rss = rss_mb(gateway.pid)
                print(f"held {len(conns)} idle connections: gateway RSS {rss:.0f} MB")
                for _, writer in conns:
                    writer.close()

            asyncio.run(held())
    finally:
        gateway.terminate()
        try:
            gateway.wait(120)  # a graceful stop drains the follow-up backlog
        except subprocess.TimeoutExpired:
            print("gateway still draining after 120 s; killed", flush=True)
            gateway.kill()
        if admin is not None:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
