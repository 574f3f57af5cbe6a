"""`ecozone ingest FILE`: import logged frames exactly as the gateway would judge them."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import typer

from ecozone import config, hj212, pipeline
from ecozone.ingest.rules import KIND_BY_CN, judge, measurement_rows
from ecozone.ingest.service import now_pair, reason_label, write_verdicts
from ecozone.registry.service import load_devices
from ecozone.store.engine import make_engine

BATCH = 5000


def _write(engine, verdicts, store_only: bool) -> None:
    """Store a batch, then (unless store_only) update aggregates and alerts as the gateway does."""
    write_verdicts(engine, verdicts)
    rows = [row for v in verdicts for row in v.rows]
    if rows and not store_only:
        pipeline.after_commit(engine)(rows)


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
    engine = make_engine(config.load().database_url)
    with engine.connect() as conn:
        devices = dict(load_devices(conn))
    reassembler = hj212.Reassembler()
    verdicts = []
    counts: Counter[str] = Counter()
    with file.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            start = line.find(b"##")
            if start < 0:
                if line.strip():
                    counts["skipped lines without '##'"] += 1
                continue
            frame = line[start:].rstrip(b"\r\n") + b"\r\n"
            received_at, local_now = now_pair()
            verdict = judge(
                frame,
                peer=f"{peer}:{number}",
                devices=devices,
                received_at=received_at,
                local_now=local_now,
            )
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
            counts[
                "accepted" if verdict.accepted else f"rejected: {reason_label(verdict.reason)}"
            ] += 1
            if not verdict.accepted:
                typer.echo(f"line {number}: rejected: {verdict.reason}", err=True)
            verdicts.append(verdict)
            if len(verdicts) >= BATCH:
                _write(engine, verdicts, store_only)
                verdicts = []
    if verdicts:
        _write(engine, verdicts, store_only)
    for label, n in sorted(counts.items()):
        typer.echo(f"{label}: {n}")
    if not counts["accepted"] and any(k.startswith("rejected") for k in counts):
        raise typer.Exit(1)
