"""`ecozone plan ...`: the measures, progress reports, the matrix and exports; a thin shell.

Bad input is reported on stderr with exit code 2 and nothing on stdout or in the
database; a database that cannot be read (or is not upgraded) exits 1.
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer

from ecozone import config
from ecozone.plan import service
from ecozone.plan.export import CJK_FONT_PACKAGES, cjk_fonts
from ecozone.plan.model import NotFoundError, PlanError, ProgressError
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import current_revision, head_revision

EXIT_BAD_INPUT = 2
EXIT_DATABASE = 1

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The FTZ eco-environment plan: 23 measures, progress, matrix, exports.",
)


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _engine() -> sa.Engine:
    try:
        settings = config.load()
    except ValueError as exc:
        _fail(str(exc))
    engine = make_engine(settings.database_url)
    try:
        current = current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        _fail(f"cannot read the database at {display_url(settings.database_url)}: {exc}",
              EXIT_DATABASE)  # fmt: skip
    if current != head_revision():
        engine.dispose()
        _fail(
            f"the database at {display_url(settings.database_url)} is not at the current "
            "schema; run `ecozone db upgrade` first",
            EXIT_DATABASE,
        )
    return engine


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r} is not a date YYYY-MM-DD")


def _cadence() -> None:
    try:
        service.reporting_cadence()
    except ValueError as exc:
        _fail(str(exc))


@app.command()
def measures(
    format: Annotated[str, typer.Option("--format", metavar="text|json")] = "text",
) -> None:
    """List the 23 measures with their lead and co-operating units."""
    items = service.list_measures()
    if format == "json":
        typer.echo(json.dumps({"items": items}, ensure_ascii=False, indent=1))
        return
    if format != "text":
        _fail(f"unknown format {format!r}; text or json")
    for m in items:
        typer.echo(f"{m['number']:>2}  {m['title']}")
        typer.echo(f"    牵头单位: {'、'.join(m['lead_units'])}")
        if m["co_units"]:
            typer.echo(f"    配合单位: {'、'.join(m['co_units'])}")


@app.command()
def indicators(
    measure: Annotated[int | None, typer.Option("--measure", metavar="N")] = None,
) -> None:
    """List the plan's quantified indicators (code, comparison, target, year)."""
    try:
        items = service.list_indicators(measure=measure)
    except NotFoundError as exc:
        _fail(str(exc))
    for i in items:
        if i["comparison"] is None:
            target = "tracked"
        else:
            goal = i["relative_to"] or f"{i['target']:g} {i['unit']}"
            target = f"{i['comparison']} {goal} by {i['target_year']}"
        typer.echo(f"{i['measure']:>2}  {i['code']}  {i['name']}  [{target}]")


@app.command()
def show(
    number: Annotated[int, typer.Argument(metavar="N", help="measure number 1..23")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None,
) -> None:
    """One measure with its clauses, indicators, progress history and flags, as JSON."""
    day = _as_of(as_of)
    _cadence()
    try:
        service.load_plan().measure(number)
    except NotFoundError as exc:
        _fail(str(exc))
    engine = _engine()
    try:
        detail = service.measure_detail(engine, number, today=day)
    finally:
        engine.dispose()
    typer.echo(json.dumps(detail, ensure_ascii=False, indent=1))


@app.command()
def report(
    measure: Annotated[int, typer.Option("--measure", metavar="N", help="1..23")],
    unit: Annotated[str, typer.Option("--unit", metavar="U", help="unit named for it")],
    period: Annotated[str, typer.Option("--period", metavar="P", help="2026, 2026-Q3, 2026-11")],
    status: Annotated[
        str,
        typer.Option("--status", metavar="S", help="not_started|on_track|at_risk|off_track|done"),
    ],
    district: Annotated[str | None, typer.Option("--district", metavar="D")] = None,
    narrative: Annotated[str | None, typer.Option("--narrative")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="documents, links")] = None,
    due: Annotated[str | None, typer.Option("--due", metavar="YYYY-MM-DD")] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", metavar="CODE=VALUE", help="repeatable"),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="who reports (default: cli:<login>)")
    ] = None,
) -> None:
    """Record a progress report; every problem is listed and nothing is stored."""
    values: dict[str, str] = {}
    for item in indicator or []:
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            _fail(f"--indicator {item!r} is not CODE=VALUE")
        values[code.strip()] = value.strip()
    engine = _engine()
    try:
        stored = service.record_progress(
            engine,
            measure=measure,
            unit=unit,
            district=district,
            period=period,
            status=status,
            narrative=narrative,
            evidence=evidence,
            indicators=values,
            due_date=due,
            actor=actor or _login(),
        )
    except ProgressError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(json.dumps(service.report_item(stored), ensure_ascii=False))


def _login() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@app.command()
def matrix(
    by: Annotated[str, typer.Option("--by", metavar="unit|district")] = "unit",
    format: Annotated[str, typer.Option("--format", metavar="json|csv")] = "json",
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Measures × units (or districts): latest status of each, and whether overdue."""
    if by not in service.MATRIX_VIEWS:
        _fail(f"--by {by!r}: unit or district")
    if format not in ("json", "csv"):
        _fail(f"--format {format!r}: json or csv")
    day = _as_of(as_of)
    _cadence()
    engine = _engine()
    try:
        data = service.matrix(engine, by, today=day)
    finally:
        engine.dispose()
    if format == "csv":
        typer.echo(service.matrix_csv(data), nl=False)
    else:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", metavar="xlsx|pdf")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE", dir_okay=False)],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Write the workbook (xlsx) or the report (pdf) to FILE."""
    if format not in ("xlsx", "pdf"):
        _fail(f"--format {format!r}: xlsx or pdf")
    if not output.parent.is_dir():
        _fail(f"--output {output}: folder {output.parent} does not exist")
    day = _as_of(as_of)
    _cadence()
    engine = _engine()
    try:
        content = (service.export_xlsx if format == "xlsx" else service.export_pdf)(
            engine, today=day
        )
    except PlanError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    output.write_bytes(content)
    typer.echo(f"wrote {output} ({len(content)} bytes)", err=True)
    if format == "pdf" and not cjk_fonts():
        typer.echo(
            "warning: no font with Chinese glyphs is installed, so the PDF shows boxes for "
            f"Chinese text; install one, e.g. `apt-get install {CJK_FONT_PACKAGES[0]}`",
            err=True,
        )


@app.callback()
def _group() -> None:
    """The plan's 23 measures, progress by unit and district, matrix and exports."""
