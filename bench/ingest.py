"""End-to-end ingest benchmark: N devices over TCP against real gateway processes.

Each simulated device sends minute frames (6 pollutants, Flag=5: answer wanted)
one after another, waiting for its 9014 before the next, as real devices do.
Prints acknowledged frames/s, ACK latency p50/p99, the gateways' RSS and the
CPU they spent per acknowledged frame (user + system, all processes: a figure
that holds on a machine shared with other work, where the rate does not), and
where the whole machine's CPU went at the peak, per acknowledged frame: the
gateway, the PostgreSQL server's processes, the load generator, the rest. The
same load generator then drives a bare asyncio server (the same FrameDecoder,
a canned 9014, nothing stored) in as many processes, and the ratio of the two
rates is printed: what the gateway costs above reading and answering. Then
the ACK latency at half the peak rate (each device paced), and with --sending
N that many connections sending at once (paced to half the peak in all);
with --hold N, N idle connections and the RSS holding them.

The generator shares the machine: frames are built from one template per
device (QN, DataTime and CRC patched in), and it runs on uvloop when installed.

    PYTHONPATH=src:. python bench/ingest.py --engine sqlite --devices 100,1000 --duration 20
    PYTHONPATH=src:. python bench/ingest.py --engine postgres --processes 2 --devices 100 \
        --sending 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench._scratch import scratch_database

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


def frames_for(i: int, count: int, start: int = 0) -> list[bytes]:
    """`count` minute frames of device i from minute `start`, built from one encoded
    template: only QN, DataTime and CRC differ (fixed widths: the length holds)."""
    pollutants = {
        code: {"Min": 10.0 + j, "Avg": 12.5 + j, "Max": 15.0 + j, "Flag": "N"}
        for j, code in enumerate(CODES)
    }
    packet = hj212.Packet(
        qn=hj212.new_qn(T0), st="31", cn="2051", pw="123456", mn=mn_of(i), flag=5,
        cp=hj212.CommandParams(data_time=T0, pollutants=pollutants),
    )  # fmt: skip
    frame = hj212.encode(packet)
    data = frame[6:-6]
    qn0, dt0 = packet.qn.encode(), f"{T0:%Y%m%d%H%M%S}".encode()
    head, rest = data.split(qn0, 1)
    middle, tail = rest.split(dt0, 1)
    out = []
    for k in range(start, start + count):
        t = T0 + timedelta(minutes=k)
        stamp = b"%04d%02d%02d%02d%02d00" % (t.year, t.month, t.day, t.hour, t.minute)
        segment = b"".join((head, stamp, b"000", middle, stamp, tail))
        out.append(b"##%04d%s%04X\r\n" % (len(segment), segment, hj212.crc16(segment)))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gateway(url: str, port: int, follow_up: bool, processes: int) -> subprocess.Popen:
    # Every simulated device connects from 127.0.0.1: lift the per-address cap.
    env = {
        **os.environ,
        "ECOZONE_DATABASE_URL": url,
        "ECOZONE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecozone", "gateway", "--port", str(port), "--no-backfill",
         "--processes", str(processes), *([] if follow_up else ["--store-only"])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_listening(port, processes)
    return proc


def start_bare(port: int, processes: int) -> list[subprocess.Popen]:
    procs = [
        subprocess.Popen([sys.executable, __file__, "--bare-server", str(port)])
        for _ in range(processes)
    ]
    wait_listening(port, processes)
    return procs


def wait_listening(port: int, processes: int) -> None:
    """Until `processes` listeners answer: SO_REUSEPORT spreads the probes over them."""
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            if processes == 1 or _listeners(port) >= processes:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


def _listeners(port: int) -> int:
    """Sockets listening on the port (state 0A in /proc/net/tcp)."""
    text = Path("/proc/net/tcp").read_text()
    needle = f":{port:04X} 00000000:0000 0A"
    return text.count(needle)


def bare_server(port: int) -> None:
    """The baseline: read frames with the codec's FrameDecoder, answer each with a canned
    9014, store nothing. What any asyncio server pays for the same conversation."""
    answer = hj212.encode(hj212.data_response(hj212.parse(frames_for(0, 1)[0])))

    async def conversation(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = hj212.FrameDecoder()
        try:
            while chunk := await reader.read(65536):
                for _ in decoder.feed(chunk):
                    writer.write(answer)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(
            conversation, "127.0.0.1", port, reuse_port=True, backlog=4096
        )
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()

    run(serve())


def run(main):  # type: ignore[no-untyped-def]
    """asyncio.run on uvloop when it is installed (both sides of the benchmark use it)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def family(pids: list[int]) -> list[int]:
    """The processes and their children (a supervisor and its workers)."""
    found = list(pids)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) in pids:
                    found.append(int(entry.name))
    return found


def family_rss_mb(pid: int) -> float:
    """RSS of a process and its children."""
    return sum(rss_mb(p) for p in family([pid]) if Path(f"/proc/{p}").exists())


def server_cpu_s(name: str = "postgres") -> float:
    """CPU seconds used so far by every process named `name` (the database server's
    backends, WAL writer, checkpointer...): the machine's server, shared with nothing
    else while the benchmark runs."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                comm, rest = entry.joinpath("stat").read_text().split("(", 1)[1].rsplit(")", 1)
                if comm.startswith(name):
                    fields = rest.split()
                    total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_s() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


class Budget:
    """Where the machine's CPU went during one load, per acknowledged frame: the gateway
    (its processes), the database server, this load generator, and everything else."""

    def __init__(self, gateway_pids: list[int]):
        self.pids = gateway_pids

    def __enter__(self) -> Budget:
        self.start = self._now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.spent = [b - a for a, b in zip(self.start, self._now(), strict=True)]

    def _now(self) -> tuple[float, ...]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        busy, every = machine_busy_s()
        return (family_cpu_s(self.pids), server_cpu_s(), usage.ru_utime + usage.ru_stime,
                busy, every)  # fmt: skip

    def per_frame_us(self, acked: int) -> dict[str, float]:
        gateway, server, generator, busy, every = self.spent
        n = max(acked, 1)
        return {
            "gateway": gateway / n * 1e6,
            "server": server / n * 1e6,
            "generator": generator / n * 1e6,
            "other": max(busy - gateway - server - generator, 0) / n * 1e6,
            "busy": busy / every if every else float("nan"),
        }


def family_cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by processes and their children."""
    total = 0
    for p in family(pids):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


async def connect(port: int, n: int) -> list:
    """n connections, opened 200 at a time (the accept backlog is finite)."""
    gate = asyncio.Semaphore(200)

    async def one() -> tuple:
        async with gate:
            return await asyncio.open_connection("127.0.0.1", port)

    return await asyncio.gather(*(one() for _ in range(n)))


async def device(
    conn: tuple, frames: list[bytes], stop: float, latencies: list[float], interval: float = 0.0
) -> int:
    """Send frames one after another, each once the previous one is acknowledged; with
    `interval`, one frame every `interval` seconds (from a random phase)."""
    reader, writer = conn
    acked = 0
    clock = time.perf_counter
    next_at = clock() + random.uniform(0, interval)
    try:
        for frame in frames:
            if interval:
                if next_at > stop:
                    break
                await asyncio.sleep(max(next_at - clock(), 0))
                next_at += interval
            sent = clock()
            if sent > stop:
                break
            writer.write(frame)
            buf = b""
            while b"CN=9014" not in buf:
                chunk = await reader.read(4096)
                if not chunk:
                    return acked
                buf += chunk
            latencies.append(clock() - sent)
            acked += 1
    except ConnectionError:
        pass
    finally:
        writer.close()
    return acked


def run_load(
    port: int, pools: list[list[bytes]], duration: float, rate: float = 0.0
) -> tuple[int, float, list[float]]:
    """All devices at once for `duration` seconds: as fast as answered, or `rate`
    frames/s in all. Returns (acknowledged, seconds, latencies)."""

    async def main() -> tuple[int, float, list[float]]:
        conns = await connect(port, len(pools))
        latencies: list[float] = []
        interval = len(pools) / rate if rate else 0.0
        start = time.perf_counter()
        stop = start + duration
        results = await asyncio.gather(
            *(device(c, p, stop, latencies, interval) for c, p in zip(conns, pools, strict=True))
        )
        return sum(results), time.perf_counter() - start, latencies

    return run(main())


def figures(acked: int, elapsed: float, lat: list[float]) -> tuple[float, float, float]:
    lat.sort()
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[max(int(len(lat) * 0.99) - 1, 0)] * 1000 if lat else float("nan")
    return acked / elapsed, p50, p99


async def hold(port: int, n: int) -> list:
    conns = []
    for i in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        beat = hj212.heartbeat(mn=mn_of(i % 10), pw="123456", st="31", qn=f"{i:017d}")
        writer.write(hj212.encode(beat))
        conns.append((reader, writer))
    return conns


def stop_all(procs: list[subprocess.Popen], timeout: float = 120) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout)  # a graceful stop drains the follow-up backlog
        except subprocess.TimeoutExpired:
            print(f"pid {proc.pid} still draining after {timeout} s; killed", flush=True)
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", default="100,1000")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=1, help="gateway (and bare) processes")
    parser.add_argument("--hold", type=int, default=0)
    parser.add_argument("--sending", type=int, default=0, help="connections sending at once")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-server baseline")
    parser.add_argument("--bare-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--follow-up",
        action="store_true",
        help="also update aggregates and alerts after each commit (off: --store-only)",
    )
    args = parser.parse_args()
    if args.bare_server:
        bare_server(args.bare_server)
        return
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(x) for x in args.devices.split(",")]
    n_max = max([*counts, 10])

    scratch = contextlib.ExitStack()  # the database is dropped when the runs end
    url = scratch.enter_context(scratch_database(args.engine))
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, registry(n_max))
    engine.dispose()

    try:
        import uvloop  # noqa: F401

        loop_name = "uvloop"
    except ImportError:
        loop_name = "asyncio"
    print(
        f"engine={args.engine} cpus={os.cpu_count()} duration={args.duration}s "
        f"processes={args.processes} loop={loop_name} "
        f"follow-up={'on' if args.follow_up else 'off'}",
        flush=True,
    )
    print(
        f"{'devices':>8} {'acked/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>7}"
        f" {'bare/s':>8} {'ratio':>6} {'p99@half':>9} {'CPU µs':>8} {'bare µs':>8}"
    )
    port = free_port()
    minute = 0  # frames already sent per device: each phase goes on from there
    results, budgets = [], []
    gateway = start_gateway(url, port, args.follow_up, args.processes)
    try:
        for n in counts:
            per_device = max(50, int(args.duration * 20000 / n) + 50)
            pools = [frames_for(i, per_device, minute) for i in range(n)]
            minute += per_device
            with Budget([gateway.pid]) as budget:
                acked, elapsed, lat = run_load(port, pools, args.duration)
            budgets.append((n, budget.per_frame_us(acked)))
            cpu_us = budgets[-1][1]["gateway"]
            rate, p50, p99 = figures(acked, elapsed, lat)
            rss = family_rss_mb(gateway.pid)
            half = [frames_for(i, per_device, minute) for i in range(n)]
            minute += per_device
            _, _, p99_half = figures(*run_load(port, half, args.duration / 2, rate / 2))
            results.append((n, rate, p50, p99, rss, p99_half, cpu_us))
        if args.sending:
            n = args.sending
            target = results[0][1] / 2 if results else 1000.0
            per_device = int(args.duration * target / n) + 5
            # Connections take turns with the registered devices (importing 10,000 takes
            # long); each connection sends its own minutes, so no two write one row.
            pools = [
                frames_for(i % n_max, per_device, minute + (i // n_max) * per_device)
                for i in range(n)
            ]
            minute += per_device * (n // n_max + 1)
            sent_rate, p50, p99 = figures(*run_load(port, pools, args.duration, target))
            rss = family_rss_mb(gateway.pid)
            sending = (n, target, sent_rate, p50, p99, rss)
        if args.hold:

            async def held() -> None:
                conns = await hold(port, args.hold)
                await asyncio.sleep(2)
                rss = family_rss_mb(gateway.pid)
                print(f"held {len(conns)} idle connections: gateway RSS {rss:.0f} MB")
                for _, writer in conns:
                    writer.close()

            run(held())
    finally:
        stop_all([gateway])
        scratch.close()
    bare_budgets = []
    for n, rate, p50, p99, rss, p99_half, cpu_us in results:
        bare_rate = bare_us = float("nan")
        if not args.no_bare:
            bare_port = free_port()
            bare = start_bare(bare_port, args.processes)
            try:
                per_device = max(50, int(args.duration * 40000 / n) + 50)
                pools = [frames_for(i, per_device) for i in range(n)]
                with Budget([b.pid for b in bare]) as budget:
                    acked, elapsed, lat = run_load(bare_port, pools, args.duration)
                spent = budget.per_frame_us(acked)
                bare_us = spent["gateway"]
                bare_budgets.append((n, spent))
                bare_rate, _, _ = figures(acked, elapsed, lat)
            finally:
                stop_all(bare)
        print(
            f"{n:>8} {rate:>9.0f} {p50:>8.1f} {p99:>8.1f} {rss:>7.0f}"
            f" {bare_rate:>8.0f} {rate / bare_rate:>6.2f} {p99_half:>9.1f}"
            f" {cpu_us:>8.0f} {bare_us:>8.0f}",
            flush=True,
        )
    print("CPU per acknowledged frame at the peak, µs (the machine's busy share of its cores):")
    for n, b in budgets + [(f"bare {n}", b) for n, b in bare_budgets]:
        total = b["gateway"] + b["server"] + b["generator"] + b["other"]
        print(
            f"{n:>8} devices: gateway {b['gateway']:.0f}, PostgreSQL {b['server']:.0f},"
            f" load generator {b['generator']:.0f}, other {b['other']:.0f}; all {total:.0f}"
            f" (busy {b['busy']:.0%})",
            flush=True,
        )
    if args.sending:
        n, target, sent_rate, p50, p99, rss = sending
        print(
            f"{n} connections sending, paced to {target:.0f} frames/s in all: "
            f"{sent_rate:.0f} acked/s, ACK p50 {p50:.1f} ms, p99 {p99:.1f} ms, RSS {rss:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
