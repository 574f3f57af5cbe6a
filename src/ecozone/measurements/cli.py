"""`ecozone query`: measurements of one device to stdout, as JSON or CSV.

A thin shell over service.query. Bad input (unknown MN or outlet, bad kind,
time or format) is reported on stderr with exit code 2 and prints nothing on
stdout, so a pipeline never mistakes an error for data.
"""

from __future__ import annotations

from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer

from ecozone import config
from ecozone.measurements import service
from ecozone.measurements.model import QueryError
from ecozone.store.engine import display_url, make_engine

#: Exit status for input the command cannot answer (as click uses for usage errors).
EXIT_BAD_INPUT = 2
EXIT_DATABASE = 1


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
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="ISO", help="From this device time (CST), inclusive."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", metavar="ISO", help="Up to this device time (CST), exclusive."),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", metavar="json|csv", help="Output format.")
    ] = "json",
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
        settings = config.load()
    except (QueryError, ValueError) as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    engine = make_engine(settings.database_url)
    try:
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
    except QueryError as exc:
        _fail(str(exc), EXIT_BAD_INPUT)
    except sa.exc.SQLAlchemyError as exc:
        _fail(
            f"cannot read the database at {display_url(settings.database_url)} "
            f"(is it upgraded? `ecozone db upgrade`): {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', None) or exc}",
            EXIT_DATABASE,
        )
    finally:
        engine.dispose()
    typer.echo(service.render(rows, format, service.columns_of(source)), nl=False)


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


app = typer.Typer(add_completion=False, no_args_is_help=True, help="Measurement queries.")
app.command("query")(query_command)


@app.callback()
def _group() -> None:
    """Measurement queries (the `query` command, also mounted as `ecozone query`)."""
