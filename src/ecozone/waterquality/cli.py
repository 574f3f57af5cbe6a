"""`ecozone waterquality evaluate|history|section`: GB 3838-2002 classes of the surface-water
sections, and a section's water body and target class.

Thin over waterquality.service; the command line sees every section. Bad input goes to stderr
with exit status 2 (cli_support), a database that cannot be read exits with 1.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any

import typer

from ecozone import config
from ecozone.cli_support import Actor, Format, fail, open_engine
from ecozone.waterquality import service

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Surface-water quality class (GB 3838-2002) of the sections.",
)

Day = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--{name} {text!r}: expected YYYY-MM-DD")


def _print(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "point_id", "code", "name", "body", "target", "class",
                     "exceeding"])  # fmt: skip
    for r in rows:
        exceeding = ";".join(
            f"{p['code']}={p['value']}({p['class_label']}"
            + (f",x{p['multiple']}" if p["multiple"] is not None else "") + ")"
            for p in r["parameters"] if p["exceeds"]
        )  # fmt: skip
        writer.writerow([r["period"], r["point_id"], r["code"], r["name"], r["body"],
                         r["target_label"], r["class_label"] or "", exceeding])  # fmt: skip
    typer.echo(out.getvalue(), nl=False)


@app.command("evaluate")
def evaluate(
    month: Annotated[str | None, typer.Option(metavar="YYYY-MM", help="Default: newest.")] = None,
    start: Day = None,
    end: Day = None,
    format: Format = "csv",
) -> None:
    """Each section's class over a month (or the days from --start to --end, exclusive)."""
    if format not in ("json", "csv"):
        fail(f"--format {format!r}: expected json or csv")
    first, last = _day(start, "start"), _day(end, "end")
    with open_engine() as engine:
        settings = config.waterquality_settings()
        chosen = service.sections(engine, None)
        begin, following, label = service.period(engine, chosen, month, first, last)
        pairs = service.evaluate_period(engine, chosen, begin, following, settings)
    _print(service.evaluation_rows(pairs, label), format)


@app.command("history")
def history(
    point_id: Annotated[int, typer.Option("--point-id", metavar="N")],
    year: Annotated[int, typer.Option("--year")],
) -> None:
    """A section's class for each month of a year and for the year, as JSON."""
    with open_engine() as engine:
        found = service.monthly(engine, None, point_id, year, config.waterquality_settings())
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


@app.command("section")
def section(
    actor: Actor,
    point_id: Annotated[int, typer.Option("--point-id", metavar="N")],
    body: Annotated[str, typer.Option("--body", metavar="river|lake")],
    target_class: Annotated[str, typer.Option("--target-class", metavar="I-V")],
) -> None:
    """Make a surface_water point a section: its water body and target class (audited)."""
    with open_engine(require_current=True) as engine:
        made = service.configure_section(engine, point_id, body, target_class, actor=actor)
    typer.echo(f"section {made.code}: {made.body.value}, target {made.target_class.label}")
