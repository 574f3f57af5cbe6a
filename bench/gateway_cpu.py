"""CPU per frame of the gateway's two halves, with the sockets and the database's wait taken
out: what the Python code costs, apart from the machine it shares.

1. Sessions: `Session.data_received` of the real gateway.server.Session, fed the same minute
   frames as bench/ingest.py (6 codes, ACK requested) from N devices, through a transport
   that only counts what is written, with a committer that resolves each batch's futures at
   once; the answers go out from the commit callbacks as in service. Times the event loop's
   side: decode, judge, rows, the queueing, the future's callback, the 9014 written.
2. Writer: `ingest.service.write_isolating` of the same frames, judged beforehand, in
   batches of N (one per device), into a fresh database: the writer thread's side, whose
   CPU (thread time) is the rows, the COPYs and the statements, and whose wall time adds
   the database's own work.

Best of --repeat runs, CPU time of this process (1) and of the writing thread (2).

    PYTHONPATH=src:. python bench/gateway_cpu.py --engine postgres --devices 100 --frames 40
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from bench._scratch import scratch_database
from bench.ingest import frames_for, registry

from ecozone.gateway.server import Gateway, GatewayOptions, Session
from ecozone.ingest.rules import Verdict, judge
from ecozone.ingest.service import now_pair, write_isolating
from ecozone.registry.service import import_registry, load_devices
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine


class CountingTransport(asyncio.Transport):
    """Takes what a session writes and counts it; never pauses, never closes."""

    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def write(self, data: Any) -> None:
        self.frames += 1

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class InstantCommitter:
    """The group commit's interface; a batch 'commits' when flush() is called."""

    def __init__(self) -> None:
        self.pending: list[tuple[Verdict, asyncio.Future[bool] | None]] = []

    def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def submit(self, verdict: Verdict, *, wait: bool) -> asyncio.Future[bool] | None:
        future = asyncio.get_running_loop().create_future() if wait else None
        self.pending.append((verdict, future))
        return future

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        for verdict, future in batch:
            if future is not None:
                future.set_result(verdict.accepted)


def sessions_cpu(engine: sa.Engine, frames: list[list[bytes]]) -> tuple[float, int]:
    """CPU seconds of the loop for all frames, and the answers written."""

    async def main() -> tuple[float, int]:
        committer = InstantCommitter()
        options = GatewayOptions(backfill=False, max_connections_per_address=0)
        gateway = Gateway(engine, options=options, committer=committer)  # type: ignore[arg-type]
        await gateway.directory.load()
        pairs = []
        for _ in frames:
            session, transport = Session(gateway), CountingTransport()
            session.connection_made(transport)
            pairs.append((session, transport))
        started = time.process_time()
        for k in range(len(frames[0])):
            for (session, _), device_frames in zip(pairs, frames, strict=True):
                session.data_received(device_frames[k])
            committer.flush()
            await asyncio.sleep(0)  # the futures' callbacks write the answers
        spent = time.process_time() - started
        return spent, sum(t.frames for _, t in pairs)

    return asyncio.run(main())


def writer_cpu(engine: sa.Engine, frames: list[list[bytes]]) -> tuple[float, float]:
    """(thread CPU seconds, wall seconds) of write_isolating over one batch per minute."""
    with engine.connect() as conn:
        devices = dict(load_devices(conn, None))
    batches = []
    for k in range(len(frames[0])):
        batch = []
        for device_frames in frames:
            received_at, local_now = now_pair()
            batch.append(judge(device_frames[k], peer="127.0.0.1:40000", devices=devices,
                               received_at=received_at, local_now=local_now,
                               key_grace=timedelta(0)))  # fmt: skip
        batches.append(batch)
    wall, cpu = time.perf_counter(), time.thread_time()
    for batch in batches:
        write_isolating(engine, batch)
    return time.thread_time() - cpu, time.perf_counter() - wall


@contextmanager
def fresh_database(kind: str, devices: int) -> Iterator[sa.Engine]:
    """A scratch database holding bench/ingest.py's registry of `devices` devices."""
    with scratch_database(kind) as url:
        engine = make_engine(url)
        upgrade_engine(engine)
        import_registry(engine, registry(devices), actor="bench")
        try:
            yield engine
        finally:
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--frames", type=int, default=40, help="frames per device")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.devices * args.frames
    print(f"engine={args.engine} devices={args.devices} frames={n:,} repeat={args.repeat}")
    best_session = float("inf")
    for _ in range(args.repeat):
        with fresh_database(args.engine, args.devices) as engine:
            frames = [frames_for(i, args.frames) for i in range(args.devices)]
            spent, answers = sessions_cpu(engine, frames)
        assert answers == n, f"{answers} answers for {n} frames"
        best_session = min(best_session, spent)
    print(f"  sessions (event loop, no sockets): {best_session / n * 1e6:6.1f} µs CPU a frame")
    best_cpu, best_wall = float("inf"), float("inf")
    for r in range(args.repeat):
        with fresh_database(args.engine, args.devices) as engine:
            frames = [frames_for(i, args.frames, start=r * args.frames)
                      for i in range(args.devices)]  # fmt: skip
            cpu, wall = writer_cpu(engine, frames)
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    print(
        f"  writer (batches of {args.devices}): {best_cpu / n * 1e6:6.1f} µs thread CPU a frame,"
        f" {best_wall / n * 1e6:6.1f} µs wall ({best_wall / args.frames * 1e3:.2f} ms a batch)"
    )


if __name__ == "__main__":
    main()
