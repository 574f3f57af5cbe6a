"""Several gateway processes on one port: a supervisor and its workers.

Each worker is a whole gateway (its own Gateway, GroupCommitter, database
connections and event loop) listening on the same address with
SO_REUSEPORT, so the kernel spreads new connections across the workers and
one Python process's single core is no longer the ceiling. The supervisor
holds no state: it starts the workers, starts again one that dies (waiting
longer each time one dies right after starting), and on SIGTERM stops them
all gracefully. A worker holds nothing but its connections: what a device
relies on is in the database, and what a worker caches of it (the device
directory) is read again when a frame does not fit it, so a device whose
worker died reconnects to another and goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import time
from dataclasses import dataclass, field, replace
from multiprocessing.process import BaseProcess

from ecozone.gateway.server import GatewayOptions
from ecozone.ingest.stream import LogSettings

log = logging.getLogger("ecozone.gateway")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to run its gateway (sent to a fresh interpreter: plain data)."""

    database_url: str
    host: str
    port: int
    options: GatewayOptions = field(default_factory=GatewayOptions)
    store_only: bool = False
    # Prometheus /metrics of worker i on metrics_port + i (0: off).
    metrics_port: int = 0
    event_loop: str = "asyncio"  # or "uvloop"
    checks: bool = True  # run the periodic checks (in worker 0)
    # Acknowledge after the durable log stored a frame (ecozone.ingest.stream); None: direct.
    log_settings: LogSettings | None = None


def run_worker(spec: WorkerSpec, index: int) -> None:
    """A worker's whole life: its gateway until SIGTERM, or until its supervisor is gone.

    Only worker 0 runs the periodic checks, so N workers do not run them N
    times (on several machines, run them on one: see docs/operations.md)."""
    from ecozone import logs
    from ecozone.gateway.cli import make_gateway, run_gateway
    from ecozone.store.engine import make_engine

    logs.setup()
    if spec.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(spec.metrics_port + index, addr=spec.host)
    engine = make_engine(spec.database_url)
    options = replace(spec.options, reuse_port=True)
    gateway = make_gateway(engine, spec.host, spec.port, options, store_only=spec.store_only)
    parent = os.getppid()
    periodic = index == 0 and spec.checks and not spec.store_only

    async def main() -> None:
        stop = asyncio.Event()

        async def orphaned() -> None:  # the supervisor was killed: do not linger
            while os.getppid() == parent:
                await asyncio.sleep(1.0)
            stop.set()

        watch = asyncio.get_running_loop().create_task(orphaned())
        try:
            await run_gateway(gateway, stop, periodic=periodic, log_settings=spec.log_settings)
        finally:
            watch.cancel()

    log.info("gateway worker %d started (pid %d)", index, os.getpid())
    run_loop(main(), spec.event_loop)


def run_loop(main, event_loop: str) -> None:  # type: ignore[no-untyped-def]
    """asyncio.run, on uvloop's loop when asked (and installed)."""
    if event_loop == "uvloop":
        import uvloop

        uvloop.run(main)
    else:
        asyncio.run(main)


def check_port(host: str, port: int) -> None:
    """Refuse at once, naming it, an address the workers could not share (in use by
    another program, or port 0, which would give each worker a port of its own)."""
    if port == 0:
        raise OSError(0, "several gateway processes need a fixed port, not 0")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise OSError(
                exc.errno,
                f"cannot listen for HJ 212 devices on {host}:{port}: {exc.strerror}",
            ) from None


class Supervisor:
    """Starts `processes` workers, restarts the dead, stops all on SIGTERM or SIGINT."""

    def __init__(
        self,
        spec: WorkerSpec,
        processes: int,
        *,
        restart_delay_s: float = 0.5,
        max_restart_delay_s: float = 30.0,
        stop_timeout_s: float = 60.0,
    ):
        if processes < 1:
            raise ValueError(f"processes={processes}: at least 1")
        self.spec = spec
        self.processes = processes
        self.restart_delay_s = restart_delay_s
        self.max_restart_delay_s = max_restart_delay_s
        self.stop_timeout_s = stop_timeout_s
        self.context = multiprocessing.get_context("spawn")  # no inherited loop or threads
        self.workers: list[BaseProcess | None] = [None] * processes
        self.restarts = 0
        self._started_at = [0.0] * processes
        self._delay = [restart_delay_s] * processes
        self._due: dict[int, float] = {}  # worker index -> when to start it again
        self._stopping = False

    def stop(self, *_: object) -> None:
        self._stopping = True

    def _start(self, index: int) -> None:
        worker = self.context.Process(
            target=run_worker, args=(self.spec, index), name=f"ecozone-gateway-{index}"
        )
        worker.start()
        self.workers[index] = worker
        self._started_at[index] = time.monotonic()

    def run(self) -> int:
        """Run until stopped; 0 after a graceful stop."""
        check_port(self.spec.host, self.spec.port)
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for index in range(self.processes):
                self._start(index)
            log.info("gateway supervisor: %d workers on %s:%d", self.processes,
                     self.spec.host, self.spec.port)  # fmt: skip
            while not self._stopping:
                self._watch()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all()
        return 0

    def _watch(self) -> None:
        now = time.monotonic()
        sentinels = [w.sentinel for w in self.workers if w is not None and w.is_alive()]
        wait_s = min([0.5, *(max(due - now, 0.0) for due in self._due.values())])
        with contextlib.suppress(InterruptedError):
            multiprocessing.connection.wait(sentinels, timeout=wait_s)
        if self._stopping:
            return
        now = time.monotonic()
        for index, worker in enumerate(self.workers):
            if worker is not None and not worker.is_alive():
                worker.join()
                lived = now - self._started_at[index]
                # A worker that dies right after starting (database away, port taken) is
                # started again ever more slowly; one that ran a while, at once.
                delay = self._delay[index] if lived < 10.0 else self.restart_delay_s
                self._delay[index] = min(delay * 2, self.max_restart_delay_s)
                if lived >= 10.0:
                    self._delay[index] = self.restart_delay_s
                log.warning("gateway worker %d (pid %s) exited with %s after %.1f s;"
                            " starting it again in %.1f s", index, worker.pid,
                            worker.exitcode, lived, delay)  # fmt: skip
                self.workers[index] = None
                self._due[index] = now + delay
        for index, due in list(self._due.items()):
            if due <= now:
                del self._due[index]
                self._start(index)
                self.restarts += 1

    def _stop_all(self) -> None:
        running = [w for w in self.workers if w is not None and w.is_alive()]
        for worker in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)  # type: ignore[arg-type]
        deadline = time.monotonic() + self.stop_timeout_s
        for worker in running:
            worker.join(max(deadline - time.monotonic(), 0.1))
            if worker.is_alive():  # still draining after the timeout: give up on it
                log.error("gateway worker pid %s did not stop; killed", worker.pid)
                worker.kill()
                worker.join()
        log.info("gateway supervisor stopped")
