"""`ecozone statistics transmission|emissions|exceedances`: the statistics of a month or a year
as JSON, or one of their tables as CSV.

Thin over the services the pages and the API call; the command line sees every enterprise.
Bad input goes to stderr with exit status 2 (cli_support).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

import typer

from ecozone import config
from ecozone.accounts.model import Scope
from ecozone.cli_support import Format, fail, open_engine
from ecozone.statistics import emissions_service, exceedances_service, transmission_service
from ecozone.statistics.transmission import parse_period
from ecozone.statistics.transmission_service import Filters
from ecozone.times import local_time, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Statistics: transmission effectiveness, emissions against caps, exceedances.",
)

EVERYTHING = Scope("admin")
PeriodOpt = Annotated[str, typer.Option("--period", metavar="YYYY-MM|YYYY")]
DistrictOpt = Annotated[str | None, typer.Option("--district", help="Only this district.")]
EnterpriseOpt = Annotated[
    str | None, typer.Option("--enterprise", metavar="CREDIT_CODE", help="Only this enterprise.")
]
TableOpt = Annotated[str | None, typer.Option("--table", help="The table CSV prints.")]


def _emit(data: dict[str, Any], fmt: str, table: str, tables: tuple[str, ...]) -> None:
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt != "csv":
        fail(f"--format {fmt!r}: expected json or csv")
    if table not in tables:
        fail(f"--table {table!r}: expected one of {', '.join(tables)}")
    rows = data[table]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    typer.echo(out.getvalue(), nl=False)


@app.command("transmission")
def transmission(
    period: PeriodOpt, district: DistrictOpt = None, enterprise: EnterpriseOpt = None,
    table: TableOpt = None, format: Format = "json",
) -> None:  # fmt: skip
    """Uploads expected, received and valid, and the three rates; CSV prints one table
    (points, below_threshold, enterprises, districts, months)."""
    with open_engine() as engine:
        report = transmission_service.compute(
            engine, EVERYTHING, parse_period(period), now_local=local_time(utc_now()),
            settings=transmission_service.current_settings(),
            monitoring=config.monitoring_settings(), filters=Filters(district, enterprise),
        )  # fmt: skip
        data = transmission_service.as_dict(report)
    _emit(data, format, table or "points",
          ("points", "below_threshold", "enterprises", "districts", "months"))  # fmt: skip


@app.command("emissions")
def emissions(
    period: PeriodOpt, district: DistrictOpt = None, enterprise: EnterpriseOpt = None,
    table: TableOpt = None, format: Format = "json",
) -> None:  # fmt: skip
    """Emitted tonnes against the permitted annual amounts; CSV prints one table
    (enterprises, districts, industries, months, pollutants, points)."""
    with open_engine() as engine:
        report = emissions_service.compute(
            engine, EVERYTHING, parse_period(period), filters=Filters(district, enterprise)
        )
        data = emissions_service.as_dict(report)
    _emit(data, format, table or "enterprises",
          ("enterprises", "districts", "industries", "months", "pollutants", "points"))  # fmt: skip


@app.command("exceedances")
def exceedances(
    period: PeriodOpt, district: DistrictOpt = None, enterprise: EnterpriseOpt = None,
    table: TableOpt = None, format: Format = "json",
) -> None:  # fmt: skip
    """Exceedance events, hours and days; CSV prints one table (enterprises, districts,
    months, pollutants, points)."""
    with open_engine() as engine:
        report = exceedances_service.compute(
            engine, EVERYTHING, parse_period(period), now_local=local_time(utc_now()),
            filters=Filters(district, enterprise),
        )  # fmt: skip
        data = exceedances_service.as_dict(report)
    _emit(
        data,
        format,
        table or "enterprises",
        ("enterprises", "districts", "months", "pollutants", "points"),
    )
