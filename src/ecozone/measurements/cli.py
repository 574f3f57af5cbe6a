"""`ecozone query`: measurements of one device to stdout, as JSON or CSV.

A thin shell over service.query. Bad input (unknown MN or outlet, bad kind,
time or format) is reported on stderr with exit code 2 and prints nothing on
stdout, so a pipeline never mistakes an error for data.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ecozone.cli_support import End, Format, Start, fail, open_engine
from ecozone.measurements import service
from ecozone.measurements.model import QueryError


def query_command(
    mn: Annotated[str, typer.Option("--mn", help="Device MN (HJ 212 monitoring point number).")],
    kind: Annotated[
        str,
        typer.Option("--kind", metavar="rtd|minute|hour|day", help="Data kind."),
    ],
    point: Annotated[
        str | None,
        typer.Option("--point", metavar="CODE", help="Outlet code the device must be at."),
    ] = None,
    pollutant: Annotated[
        str | None,
        typer.Option("--pollutant", metavar="CODE", help="HJ 212 pollutant code, e.g. a21026."),
    ] = None,
    start: Start = None,
    end: End = None,
    format: Format = "json",
    limit: Annotated[
        int | None, typer.Option("--limit", metavar="N", help="At most N rows.")
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            metavar="raw|computed",
            help="raw: the device's values; computed: hourly/daily values with validity.",
        ),
    ] = "raw",
) -> None:
    """Print a device's measurements in time order, as JSON or CSV."""
    try:
        service.check_format(format)
    except QueryError as exc:
        fail(str(exc))
    with open_engine() as engine:
        rows = service.query(
            engine,
            mn=mn,
            point=point,
            pollutant=pollutant,
            kind=kind,
            start=start,
            end=end,
            limit=limit,
            source=source,
        )
    typer.echo(service.render(rows, format, service.columns_of(source)), nl=False)


app = typer.Typer(add_completion=False, no_args_is_help=True, help="Measurement queries.")
app.command("query")(query_command)


@app.callback()
def _group() -> None:
    """Measurement queries (the `query` command, also mounted as `ecozone query`)."""
