"""`ecozone archive list|run|month|restore|partitions|stats`: the measurement archive from
the command line.

Thin over archive.service; the folder and retention come from the settings
(ECOZONE_ARCHIVE_DIR, ECOZONE_ARCHIVE_LIVE_MONTHS). Bad input or a refused step goes to
stderr with exit status 2 (cli_support), a database that cannot be used exits with 1.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from ecozone import config
from ecozone.archive import read, service
from ecozone.archive.model import ArchiveResult, MonthError
from ecozone.archive.rules import Month
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.times import cst_naive, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measurement archive: monthly partitions, Parquet months, restore.",
)

MonthArg = Annotated[str, typer.Argument(metavar="YYYY-MM", help="The month, e.g. 2024-05.")]


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise MonthError(str(exc)) from None


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _result(result: ArchiveResult) -> dict[str, Any]:
    return {
        "month": str(result.month), "path": result.path, "rows": result.rows,
        "checksum": result.checksum, "file_bytes": result.file_bytes,
        "exported": result.exported, "seconds": round(result.seconds, 3),
    }  # fmt: skip


@app.command("list")
def list_months() -> None:
    """The archive catalogue: month, state, rows, checksum, file, when."""
    with open_engine() as engine:
        found = service.catalogue(engine)
    _echo([{**row, "month": str(row["month"])} for row in found])


@app.command("month")
def archive_month(month: MonthArg, actor: Actor) -> None:
    """Archive one month to Parquet now (verified; then its rows leave the database)."""
    with open_engine(require_current=True) as engine:
        result = service.archive_month(engine, _month(month), actor=actor)
    if result is None:
        typer.echo(f"{month}: nothing live to archive")
        return
    _echo(_result(result))


@app.command("run")
def run(
    actor: Actor,
    live_months: Annotated[int | None, typer.Option(
        "--live-months", metavar="N",
        help="Months kept live, this one included (default ECOZONE_ARCHIVE_LIVE_MONTHS).")] = None,
) -> None:  # fmt: skip
    """Archive every month past the retention, oldest first."""
    settings = config.load()
    months = settings.archive_live_months if live_months is None else live_months
    if months <= 0:
        fail("no retention set: give --live-months N or ECOZONE_ARCHIVE_LIVE_MONTHS (N >= 1)")
    with open_engine(require_current=True) as engine:
        done = service.archive_due(
            engine, cst_naive(utc_now()), live_months=months, actor=actor,
            archive_dir=settings.archive_dir,
        )  # fmt: skip
    _echo([_result(r) for r in done])


@app.command("restore")
def restore(month: MonthArg, actor: Actor) -> None:
    """Put an archived month back into the live table (the file stays)."""
    with open_engine(require_current=True) as engine:
        inserted = service.restore_month(engine, _month(month), actor=actor)
    typer.echo(f"{month}: {inserted} rows restored")


@app.command("partitions")
def partitions(
    ahead: Annotated[int | None, typer.Option("--ahead", metavar="N")] = None,
) -> None:
    """PostgreSQL: make the coming months' partitions (the hourly round does it too)."""
    ahead = config.load().partition_months_ahead if ahead is None else ahead
    with open_engine(require_current=True) as engine:
        made = service.ensure_partitions(engine, cst_naive(utc_now()), ahead)
    typer.echo(f"partitions made: {', '.join(map(str, made)) or 'none (all there)'}")


@app.command("stats")
def stats(
    kind: Annotated[str, typer.Option("--kind", metavar="minute|hour|...")] = "minute",
    bucket: Annotated[str, typer.Option("--bucket", metavar="hour|day")] = "day",
    start: Annotated[str, typer.Option("--start", metavar="YYYY-MM")] = "",
    end: Annotated[str, typer.Option("--end", metavar="YYYY-MM", help="Last month, included.")]
    = "",
    pollutant: Annotated[str | None, typer.Option("--pollutant", metavar="CODE")] = None,
) -> None:  # fmt: skip
    """Mean, min and max per point, pollutant and hour or day, over archived and live months."""
    if bucket not in ("hour", "day"):
        fail(f"--bucket {bucket!r}: expected hour or day")
    first, last = _month(start), _month(end)
    with open_engine() as engine, engine.connect() as conn:
        rows = read.period_means(
            conn, bucket=bucket, kind=kind, start=first.start, end=last.end, pollutant=pollutant
        )
    for point_id, code, period, count, mean, low, high in rows:
        typer.echo(f"{period:%Y-%m-%d %H:%M}\t{point_id}\t{code}\t{count}\t{mean}\t{low}\t{high}")
