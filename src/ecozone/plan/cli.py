"""`ecozone plan ...`: the measures, progress reports, the matrix and exports; a thin shell.

Bad input is reported on stderr with exit code 2 and nothing on stdout or in the
database; a database that cannot be read (or is not upgraded) exits 1.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ecozone.cli_support import Actor, fail, open_engine
from ecozone.errors import EcozoneError
from ecozone.plan import service
from ecozone.plan.export import CJK_FONT_PACKAGES, cjk_fonts

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The FTZ eco-environment plan: 23 measures, progress, matrix, exports.",
)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not a date YYYY-MM-DD")


def _cadence() -> None:
    try:
        service.reporting_cadence()
    except ValueError as exc:
        fail(str(exc))


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
        fail(f"unknown format {format!r}; text or json")
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
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)
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
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)
    with open_engine(require_current=True) as engine:
        detail = service.measure_detail(engine, number, today=day)
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
    actor: Actor,
    district: Annotated[str | None, typer.Option("--district", metavar="D")] = None,
    narrative: Annotated[str | None, typer.Option("--narrative")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="documents, links")] = None,
    due: Annotated[str | None, typer.Option("--due", metavar="YYYY-MM-DD")] = None,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", metavar="CODE=VALUE", help="repeatable"),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option("--file", metavar="PATH", help="evidence photo or PDF; repeatable"),
    ] = None,
) -> None:
    """Record a progress report; every problem is listed and nothing is stored."""
    uploads = []
    for path in file or []:
        try:
            uploads.append((path.name, path.read_bytes()))
        except OSError as exc:
            fail(f"--file {path}: {exc.strerror or exc}")
    values: dict[str, str] = {}
    for item in indicator or []:
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            fail(f"--indicator {item!r} is not CODE=VALUE")
        values[code.strip()] = value.strip()
    with open_engine(require_current=True) as engine:
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
            files=uploads,
            actor=actor,
        )
    typer.echo(json.dumps(service.report_item(stored), ensure_ascii=False))


@app.command()
def matrix(
    by: Annotated[str, typer.Option("--by", metavar="unit|district")] = "unit",
    format: Annotated[str, typer.Option("--format", metavar="json|csv")] = "json",
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Measures × units (or districts): latest status of each, and whether overdue."""
    if by not in service.MATRIX_VIEWS:
        fail(f"--by {by!r}: unit or district")
    if format not in ("json", "csv"):
        fail(f"--format {format!r}: json or csv")
    day = _as_of(as_of)
    _cadence()
    with open_engine(require_current=True) as engine:
        data = service.matrix(engine, by, today=day)
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
        fail(f"--format {format!r}: xlsx or pdf")
    if not output.parent.is_dir():
        fail(f"--output {output}: folder {output.parent} does not exist")
    day = _as_of(as_of)
    _cadence()
    with open_engine(require_current=True) as engine:
        content = (service.export_xlsx if format == "xlsx" else service.export_pdf)(
            engine, today=day
        )
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
