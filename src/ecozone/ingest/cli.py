"""`ecozone ingest FILE`: import logged frames exactly as the gateway would judge them.

Lines are read with a bound, like the gateway's frame decoder: an over-long
line is recorded as one rejection keeping the same prefix the gateway keeps
of junk. A line the platform cannot store is named with its number and
problem; the rest of the file is stored, and the exit status says so.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import typer

from ecozone import config, hj212, pipeline
from ecozone.cli_support import open_engine
from ecozone.errors import Invalid
from ecozone.ingest.rules import KIND_BY_CN, Reason, Verdict, judge, measurement_rows, reject
from ecozone.ingest.service import label, now_pair, write_isolating
from ecozone.registry.service import load_devices

BATCH = 5000
# The longest frame the gateway's decoder passes on: '##', length, the longest data
# segment, CRC, CR LF (it looks for CR LF no further than that).
LONGEST_FRAME = 2 + 4 + hj212.MAX_LENIENT_DATA_LENGTH + 4 + 2
# Text a log line may carry before its '##' (a time stamp, a direction).
LOG_PREFIX_ALLOWANCE = 4096
# Rejections that are the file's fault, not a device's: they make the exit status 2.
FILE_FAULTS = (Reason.UNSTORABLE_TEXT, Reason.JUNK)


def _write(engine, verdicts: list[Verdict], store_only: bool) -> None:
    """Store a batch, then (unless store_only) update aggregates and alerts as the gateway does.

    A frame refused only at the write (by the database) is reported by its line."""
    accepted = [v.accepted for v in verdicts]
    outcomes = write_isolating(engine, verdicts)
    for v, was_accepted, error in zip(verdicts, accepted, outcomes, strict=True):
        if error is not None:
            raise error
        if was_accepted and not v.accepted:
            typer.echo(f"line {v.raw['peer'].rsplit(':', 1)[-1]}: rejected: {v.reason}", err=True)
    rows = [row for v in verdicts for row in v.rows]
    if rows and not store_only:
        pipeline.after_commit(engine)(rows)


def _lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes, int]]:
    """(number, at most `limit` bytes of the line, its whole length): memory stays bounded."""
    number = 0
    while True:
        head = stream.readline(limit)
        if not head:
            return
        number += 1
        size = len(head)
        if not head.endswith(b"\n"):  # the rest of an over-long line is only counted
            while rest := stream.readline(1 << 16):
                size += len(rest)
                if rest.endswith(b"\n"):
                    break
        yield number, head, size


def _oversized(frame: bytes, size: int, peer: str, prefix_bytes: int) -> Verdict:
    received_at, _ = now_pair()
    kept = frame[:prefix_bytes]
    raw = {"received_at": received_at, "peer": peer, "data": kept, "mn": None, "cn": None}
    verdict = Verdict(True, None, raw)
    reject(
        verdict,
        Reason.JUNK,
        f"line of {size} bytes is longer than the longest frame ({LONGEST_FRAME} bytes);"
        f" first {len(kept)} kept",
    )
    return verdict


def ingest_command(
    file: Path = typer.Argument(..., help="One frame per line"),
    peer: str = typer.Option("file", help="Recorded as the frames' peer"),
    store_only: bool = typer.Option(
        False, help="Only store: skip aggregates and alerts (run 'monitoring recompute' later)"
    ),
) -> None:
    """Store frames from a file (one per line, text before '##' ignored) like the gateway."""
    if not file.is_file():
        # A plain line, not Click's boxed error, which a narrow terminal cuts mid-path.
        what = "is a directory, not a file" if file.is_dir() else "does not exist"
        typer.echo(f"Error: {file} {what}", err=True)
        raise typer.Exit(2)
    prefix_bytes = config.load().gateway_junk_prefix_bytes
    counts: Counter[str] = Counter()
    with open_engine() as engine:
        with engine.connect() as conn:
            devices = dict(load_devices(conn))
        reassembler = hj212.Reassembler()
        verdicts: list[Verdict] = []
        with file.open("rb") as stream:
            for number, line, size in _lines(stream, LONGEST_FRAME + LOG_PREFIX_ALLOWANCE):
                start = line.find(b"##")
                if start < 0:
                    if line.strip():
                        counts["skipped lines without '##'"] += 1
                    continue
                frame = line[start:].rstrip(b"\r\n") + b"\r\n"
                if size - start > LONGEST_FRAME:
                    verdict = _oversized(frame, size, f"{peer}:{number}", prefix_bytes)
                else:
                    verdict = _judge(frame, f"{peer}:{number}", number, devices, reassembler)
                counts["accepted" if verdict.accepted else f"rejected: {label(verdict)}"] += 1
                if not verdict.accepted:
                    typer.echo(f"line {number}: rejected: {verdict.reason}", err=True)
                verdicts.append(verdict)
                if len(verdicts) >= BATCH:
                    _write(engine, verdicts, store_only)
                    verdicts = []
        if verdicts:
            _write(engine, verdicts, store_only)
    for text, n in sorted(counts.items()):
        typer.echo(f"{text}: {n}")
    if any(counts[f"rejected: {kind}"] for kind in FILE_FAULTS):
        typer.echo("error: lines that cannot be stored were recorded as rejected", err=True)
        raise typer.Exit(Invalid.exit_code)
    if not counts["accepted"] and any(k.startswith("rejected") for k in counts):
        raise typer.Exit(1)


def _judge(frame: bytes, peer: str, number: int, devices, reassembler) -> Verdict:
    received_at, local_now = now_pair()
    verdict = judge(frame, peer=peer, devices=devices, received_at=received_at, local_now=local_now)
    packet = verdict.packet
    kind = KIND_BY_CN.get(packet.cn) if packet is not None else None
    if verdict.accepted and packet is not None and packet.is_packetized and kind:
        whole = reassembler.add(packet, time.monotonic())
        if whole is not None:
            try:
                verdict.rows = measurement_rows(
                    whole, verdict.device.point_id, kind, received_at, local_now,
                    lenient=verdict.device.lenient,
                )  # fmt: skip
            except ValueError as exc:
                typer.echo(f"line {number}: message not stored: {exc}", err=True)
    return verdict


def writer_command(
    log_url: str = typer.Option(
        None, "--log", help="The durable log, e.g. nats://127.0.0.1:4222 [ECOZONE_LOG_URL]"
    ),
    metrics_port: int = typer.Option(0, help="Serve Prometheus /metrics on this port (0: off)"),
    store_only: bool = typer.Option(
        False, help="Only store frames; another writer runs aggregates, alerts and checks"
    ),
    follow_up_only: bool = typer.Option(
        False, help="Only aggregates, alerts and periodic checks; other writers store frames"
    ),
) -> None:
    """Move frames from the durable log (NATS JetStream) into the database, then update
    aggregates and alerts. Run as many as needed; they share the log's consumers."""
    import asyncio
    import gc
    import signal
    from dataclasses import replace

    from ecozone import logs
    from ecozone.ingest.stream import LogError
    from ecozone.ingest.writer import Writer
    from ecozone.store.engine import display_url, make_engine
    from ecozone.store.migrate import upgrade_engine

    if store_only and follow_up_only:
        typer.echo("error: --store-only and --follow-up-only exclude each other", err=True)
        raise typer.Exit(2)
    settings = config.load()
    try:
        log_settings = config.log_settings()
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if log_url:
        log_settings = replace(log_settings, url=log_url)
    if not log_settings.url:
        typer.echo("error: no log: give --log nats://HOST:4222 or ECOZONE_LOG_URL", err=True)
        raise typer.Exit(2)
    logs.setup()
    engine = make_engine(settings.database_url)
    upgrade_engine(engine)
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=settings.gateway_host)
    follow_up = [] if store_only else [pipeline.after_commit(engine)]
    writer = Writer(engine, log_settings, store=not follow_up_only, after_commit=follow_up)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        tasks = [writer.run(stop)]
        if follow_up:
            tasks.append(pipeline.run_periodic(engine, stop))
        typer.echo(f"writer: {log_settings.url} -> {display_url(settings.database_url)}", err=True)
        await asyncio.gather(*tasks)

    gc.freeze()  # as the gateway does (gateway.cli.run_gateway): out of the collector's walk
    try:
        asyncio.run(main())
    except LogError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
