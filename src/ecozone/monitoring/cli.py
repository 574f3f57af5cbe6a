"""`ecozone monitoring ...`: recompute aggregates and print capture rates; thin over service.py.

Bad input (a time that is not one, an unknown point, an empty range) is reported on stderr
with exit code 2 and nothing is written; a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, TypeVar

import sqlalchemy as sa
import typer

from ecozone.cli_support import End, fail, open_engine
from ecozone.monitoring import service

T = TypeVar("T")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Monitoring data: hourly and daily values, validity, capture rates.",
)


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        fail(
            f"{name} {value!r} is not a time; write it as ISO 8601, e.g. 2024-05-01 or "
            "2024-05-01T10:00 (China Standard Time)"
        )


def _run(work: Callable[[sa.Engine], T]) -> T:
    with open_engine() as engine:
        return work(engine)


@app.command("recompute")
def recompute_command(
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="ISO", help="From this device time (CST); whole days."),
    ] = None,
    end: End = None,
    point_id: Annotated[
        list[int] | None,
        typer.Option("--point-id", metavar="N", help="Only this point (repeatable)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", metavar="N", help="Chunks recomputed at once (PostgreSQL).")
    ] = 1,
) -> None:
    """Recompute hourly and daily values, emissions and alerts for a range; print a summary."""
    from ecozone import pipeline  # pipeline imports this package's service

    start_time, end_time = _time(start, "start"), _time(end, "end")
    summary, alerts = _run(
        lambda engine: pipeline.recompute(
            engine, start=start_time, end=end_time, point_ids=point_id or None, workers=workers
        )
    )
    typer.echo(
        f"{summary.hours_written} hourly and {summary.days_written} daily values written "
        f"for {len({span[0] for span in summary.day_ranges})} points; "
        f"{len(alerts)} alerts raised or updated"
    )
    for point, first, last in summary.day_ranges:
        typer.echo(f"  point {point}: {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}")


@app.command("capture")
def capture_command(
    point_id: Annotated[int, typer.Option("--point-id", metavar="N", help="The point.")],
    start: Annotated[str, typer.Option("--start", metavar="ISO", help="From (CST), inclusive.")],
    end: Annotated[str, typer.Option("--end", metavar="ISO", help="To (CST), exclusive.")],
    basis: Annotated[str, typer.Option("--basis", metavar="hour|day")] = "hour",
) -> None:
    """Print data capture and valid-data rates per pollutant, as JSON."""
    start_time, end_time = _time(start, "start"), _time(end, "end")
    rates = _run(
        lambda engine: service.capture(
            engine,
            point_id,
            start=start_time,
            end=end_time,
            basis=basis,  # type: ignore[arg-type]
        )
    )
    typer.echo(json.dumps([asdict(rate) for rate in rates], ensure_ascii=False, indent=1))
