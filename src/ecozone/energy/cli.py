"""`ecozone energy import|month|quality|year|carbon-report|zone|factors`: energy statistics,
tce by GB/T 2589-2020, CO2 scope 1 and 2, the data-quality checks and the factor sets.

Thin over energy.service; the command line acts with the system scope and is audited under
--actor. Bad input goes to stderr with exit status 2 (cli_support).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ecozone import config, times
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.energy import carbon, factors, service, zone

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Energy (GB/T 2589-2020 tce) and carbon (scope 1 and 2) of the enterprises.",
)

Enterprise = Annotated[str, typer.Option("--enterprise", metavar="CREDIT_CODE")]
MonthOpt = Annotated[str, typer.Option("--month", metavar="YYYY-MM")]
YearOpt = Annotated[int, typer.Option("--year")]
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _print(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command("import")
def import_file(
    actor: Actor, path: Annotated[Path, typer.Argument(metavar="FILE.xlsx")]
) -> None:
    """Monthly statistics from an xlsx sheet: credit_code, month, carrier, amount[, ncv_gj]."""
    if not path.is_file():
        fail(f"{path}: no such file")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        fail(f"{path}: larger than {MAX_IMPORT_BYTES} bytes")
    with open_engine(require_current=True) as engine:
        stored = service.import_xlsx(engine, SYSTEM_SCOPE, path.read_bytes(), actor=actor)
    typer.echo(f"{stored} statistics stored from {path.name}")


@app.command("month")
def month(enterprise: Enterprise, month: MonthOpt) -> None:
    """An enterprise's month: amounts, tce (both electricity methods), CO2, factor sets."""
    with open_engine() as engine:
        _print(service.month_account(engine, SYSTEM_SCOPE, enterprise, month,
                                     config.energy_settings()))  # fmt: skip


@app.command("quality")
def quality(enterprise: Enterprise, month: MonthOpt) -> None:
    """The online-monitoring data-quality checks of an enterprise's metered month."""
    with open_engine() as engine:
        _print(service.quality(engine, SYSTEM_SCOPE, enterprise, month, config.energy_settings()))


@app.command("year")
def year(enterprise: Enterprise, year: YearOpt) -> None:
    """An enterprise's year: tce, CO2, key-user class, intensities against its targets."""
    with open_engine() as engine:
        account = service.year_account(engine, SYSTEM_SCOPE, enterprise, year,
                                       config.energy_settings())  # fmt: skip
    account.pop("months")
    _print(account)


@app.command("carbon-report")
def carbon_report(
    enterprise: Enterprise,
    year: YearOpt,
    output: Annotated[Path, typer.Option("--output", help="FILE.xlsx, FILE.pdf or FILE.json")],
) -> None:
    """The annual carbon report of an enterprise as xlsx, PDF or JSON (by the file suffix)."""
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in ("xlsx", "pdf", "json"):
        fail(f"--output {output}: expected a .xlsx, .pdf or .json file")
    with open_engine() as engine:
        report = carbon.carbon_report(engine, SYSTEM_SCOPE, enterprise, year,
                                      config.energy_settings())  # fmt: skip
    if suffix == "json":
        output.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), "utf-8")
    else:
        output.write_bytes(carbon.render_xlsx(report) if suffix == "xlsx"
                           else carbon.render_pdf(report))  # fmt: skip
    typer.echo(f"{output}: {report['total_t']:.3f} tCO2 ({report['year']})")


@app.command("zone")
def zone_view(year: YearOpt) -> None:
    """The zone's tce by district and industry, key users and the item-1 indicator."""
    today = times.cst_naive(times.utc_now()).date()
    with open_engine() as engine:
        board = zone.dashboard(engine, SYSTEM_SCOPE, year, config.energy_settings(), today)
    _print({k: board[k] for k in ("year", "tce", "t_co2", "by_district", "by_industry",
                                  "districts", "factor_sets")})  # fmt: skip


@app.command("factors")
def factor_sets(
    on: Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Every coefficient and factor set, or (--on) those in force on a day."""
    if on is None:
        _print([{"kind": s.kind, "version": s.version, "source": s.source,
                 "valid_from": s.valid_from.isoformat(), "values": s.values}
                for s in factors.load()])  # fmt: skip
        return
    try:
        day = date.fromisoformat(on)
    except ValueError:
        fail(f"--on {on!r}: expected YYYY-MM-DD")
    _print(service.used_sets(day, config.energy_settings()))
