"""`ecozone gateway`: run the HJ 212 TCP gateway until SIGTERM or Ctrl-C.

With --processes N (ECOZONE_GATEWAY_PROCESSES) a supervisor runs N gateway
processes sharing the port (ecozone.gateway.workers)."""

from __future__ import annotations

import asyncio
import gc
import signal
from dataclasses import replace

import sqlalchemy as sa
import typer

from ecozone import config, logs, pipeline
from ecozone.gateway.server import Gateway, GatewayOptions
from ecozone.ingest.stream import LogCommitter, LogError, LogSettings
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine


async def run_gateway(
    gateway: Gateway,
    stop: asyncio.Event | None = None,
    *,
    periodic: bool = True,
    log_settings: LogSettings | None = None,
) -> None:
    """Start, wait for SIGTERM/SIGINT (or `stop`), then stop gracefully. With a log URL in
    `log_settings` the gateway acknowledges after the durable log stored a frame."""
    if log_settings is not None and log_settings.url:
        gateway.committer = await LogCommitter.open(log_settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await gateway.start()
    # What is loaded by now (modules, the device directory) lives as long as the process;
    # frozen, full collections no longer walk it: under load they took ~150 ms each,
    # ~30 µs a frame (bench/ingest.py, bench/README.md "Ingestion, 2026-12-05").
    gc.freeze()
    checks = loop.create_task(pipeline.run_periodic(gateway.engine, stop)) if periodic else None
    try:
        await stop.wait()
    finally:
        await gateway.stop()
        if checks is not None:
            await checks


def make_gateway(
    engine: sa.Engine, host: str, port: int, options: GatewayOptions, *, store_only: bool
) -> Gateway:
    return Gateway(
        engine,
        host=host,
        port=port,
        options=options,
        after_commit=() if store_only else [pipeline.after_commit(engine)],
    )


def gateway_command(
    host: str = typer.Option(None, help="Address to listen on [ECOZONE_GATEWAY_HOST]"),
    port: int = typer.Option(None, help="TCP port [ECOZONE_GATEWAY_PORT]"),
    metrics_port: int = typer.Option(
        0, help="Serve Prometheus /metrics on this port (0: off; worker i of --processes: +i)"
    ),
    idle_timeout: float = typer.Option(600.0, help="Close a silent connection after seconds"),
    no_backfill: bool = typer.Option(False, help="Do not request missed history after reconnects"),
    store_only: bool = typer.Option(
        False, help="Only store frames: no aggregates, alerts or periodic checks (bulk loads)"
    ),
    log_url: str = typer.Option(
        None,
        "--log",
        help="Acknowledge once the durable log (NATS JetStream, e.g. nats://127.0.0.1:4222)"
        " stored a frame; `ecozone writer` moves it to the database [ECOZONE_LOG_URL]",
    ),
    no_checks: bool = typer.Option(
        False, help="Do not run the periodic checks (on several machines: run them on one)"
    ),
    processes: int = typer.Option(
        None, min=1, help="Gateway processes sharing the port [ECOZONE_GATEWAY_PROCESSES]"
    ),
) -> None:
    """Accept HJ 212 device connections and store their data."""
    settings = config.load()
    logs.setup()
    log_settings = config.log_settings()
    if log_url:
        log_settings = replace(log_settings, url=log_url)
    # Through the log, the writers run the follow-up and the periodic checks.
    store_only = store_only or bool(log_settings.url)
    engine = make_engine(settings.database_url)
    upgrade_engine(engine)
    host = host or settings.gateway_host
    port = settings.gateway_port if port is None else port
    processes = processes or settings.gateway_processes
    options = GatewayOptions(
        idle_timeout_s=idle_timeout,
        backfill=not no_backfill,
        sm4_key_grace_s=settings.sm4_key_grace_s,
        sm4_length_counts=settings.sm4_length_counts,
        frame_deadline_s=settings.gateway_frame_deadline_s,
        max_connections_per_address=settings.gateway_max_connections_per_address,
        junk_prefix_bytes=settings.gateway_junk_prefix_bytes,
    )
    if processes > 1:
        from ecozone.gateway.workers import Supervisor, WorkerSpec

        engine.dispose()
        spec = WorkerSpec(
            settings.database_url, host, port, options, store_only=store_only,
            metrics_port=metrics_port, event_loop=settings.gateway_event_loop,
            checks=not no_checks, log_settings=log_settings,
        )  # fmt: skip
        try:
            raise typer.Exit(Supervisor(spec, processes).run())
        except OSError as exc:
            typer.echo(f"error: {exc.strerror or exc}", err=True)
            raise typer.Exit(1) from None
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=host)
    gateway = make_gateway(engine, host, port, options, store_only=store_only)
    try:
        from ecozone.gateway.workers import run_loop

        periodic = not (store_only or no_checks)
        run_loop(
            run_gateway(gateway, periodic=periodic, log_settings=log_settings),
            settings.gateway_event_loop,
        )
    except LogError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"error: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
