"""`ecozone airquality latest|station|evaluate`: AQI reports of the air stations, JSON or CSV,
and the HJ 663 evaluation of a year or period.

A thin shell over airquality.service. Bad input (unknown station, kind, time, range or format,
or a bad ECOZONE_AIRQUALITY_* setting) goes to stderr with exit status 2 and nothing on stdout;
a database that cannot be read exits with 1. The command line sees every station.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
import typer

from ecozone import config
from ecozone.airquality import service
from ecozone.airquality.evaluation import service as evaluation
from ecozone.cli_support import End, Format, Start, fail, open_engine

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Air quality index (HJ 633-2012) of the air stations.",
)


def _run(fmt: str, use: Callable[[sa.Engine, Any], list[Any]]) -> list[Any]:
    try:
        service.check_format(fmt)
        settings = config.airquality_settings()
    except ValueError as exc:  # AirQualityError included
        fail(str(exc))
    with open_engine() as engine:
        return use(engine, settings)


@app.command("latest")
def latest_command(format: Format = "json") -> None:
    """Each air station's real-time report for its newest hour with valid data (2 days back)."""
    reports = _run(format, lambda engine, settings: service.latest_aqi(engine, settings=settings))
    typer.echo(service.render(reports, format, "hour"), nl=False)


@app.command("station")
def station_command(
    point_id: Annotated[
        int, typer.Option("--point-id", metavar="N", help="Point id of the station.")
    ],
    kind: Annotated[
        str, typer.Option("--kind", metavar="hour|day", help="Real-time (hour) or daily reports.")
    ] = "hour",
    start: Start = None,
    end: End = None,
    format: Format = "json",
) -> None:
    """A station's reports for each hour (day) starting in [start, end); default: the last 24
    whole hours (30 whole days)."""
    reports = _run(
        format,
        lambda engine, settings: service.station_aqi(
            engine, point_id, start, end, kind, settings=settings
        ),
    )
    typer.echo(service.render(reports, format, kind), nl=False)


@app.command("evaluate")
def evaluate_command(
    year: Annotated[int | None, typer.Option("--year", help="Calendar year to evaluate.")] = None,
    start: Annotated[
        str | None, typer.Option("--start", metavar="YYYY-MM-DD", help="First day.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", metavar="YYYY-MM-DD", help="Day after the last.")
    ] = None,
    weighting: Annotated[
        str, typer.Option("--weighting", metavar="2013|2026", help="Comprehensive-index weights.")
    ] = "2013",
) -> None:
    """HJ 663 evaluation of every station, district (ranked) and the zone, as JSON."""
    try:
        settings = config.airquality_settings()
        evaluation.period(year, start, end)
    except ValueError as exc:  # AirQualityError included
        fail(str(exc))
    with open_engine() as engine:
        try:
            result = evaluation.evaluate(
                engine, year=year, start=start, end=end, weighting=weighting, settings=settings
            )
        except ValueError as exc:
            fail(str(exc))
    typer.echo(json.dumps(evaluation.as_dict(result), ensure_ascii=False, indent=2))
