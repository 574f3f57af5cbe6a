"""`ecozone power ...`: configure linkage, evaluate a period, show states; a thin shell.

Bad input exits 2 with one line on stderr and nothing changed; a database that cannot be
used exits 1 (cli_support).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml

from ecozone import config
from ecozone.cli_support import Actor, End, Start, fail, open_engine
from ecozone.power import evaluation, service, warnings
from ecozone.times import parse_time

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Emission–electricity linkage: facilities, meters, states and findings.",
)


@app.command()
def configure(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="power YAML file")],
    actor: Actor,
) -> None:
    """Replace one enterprise's facilities, meters, channels, links and orders with FILE."""
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"{file}: not a readable YAML file: {exc}")
    with open_engine(require_current=True) as engine:
        counts = service.configure(engine, doc, actor=actor)
    typer.echo(", ".join(f"{n} {what}" for what, n in counts.items()))


@app.command()
def evaluate(
    enterprise: Annotated[str, typer.Argument(help="credit code")],
    start: Start = None,
    end: End = None,
    raise_alerts: Annotated[
        bool, typer.Option("--raise-alerts", help="Record the findings as alerts.")
    ] = False,
    format: Annotated[str, typer.Option("--format", metavar="text|json")] = "text",
) -> None:
    """Findings A–E of ENTERPRISE over [--start, --end) (device time, CST)."""
    if start is None or end is None:
        fail("--start and --end are required")
    if format not in ("text", "json"):
        fail(f"unknown format {format!r}; text or json")
    with open_engine(require_current=raise_alerts) as engine:
        result = evaluation.evaluate(
            engine,
            enterprise,
            parse_time(start, "--start"),
            parse_time(end, "--end"),
            settings=config.power_settings(),
        )
        changed = evaluation.raise_alerts(engine, result) if raise_alerts else set()
    if format == "json":
        items = [evaluation.finding_out(f) for f in result.findings]
        typer.echo(
            json.dumps({"items": items, "alerts": sorted(changed)}, ensure_ascii=False, default=str)
        )
        return
    for f in result.findings:
        typer.echo(
            f"{f.start:%Y-%m-%d %H:%M}  {f.end:%H:%M}  {f.type.value:<16} "
            f"{f.control or '-':<10} {','.join(f.production) or '-':<12} {f.rule}"
        )
    if raise_alerts:
        typer.echo(f"{len(changed)} alerts created or extended", err=True)


@app.command()
def states(
    enterprise: Annotated[str, typer.Argument(help="credit code")],
    start: Start = None,
    end: End = None,
) -> None:
    """Each facility's state timeline over [--start, --end), with the rule of each state."""
    if start is None or end is None:
        fail("--start and --end are required")
    with open_engine() as engine:
        result = evaluation.evaluate(
            engine,
            enterprise,
            parse_time(start, "--start"),
            parse_time(end, "--end"),
            settings=config.power_settings(),
        )
    for timeline in result.timelines.values():
        typer.echo(f"{timeline.facility.code} {timeline.facility.name}")
        for run in timeline.runs:
            if run.end <= result.period_start:
                continue
            typer.echo(
                f"  {max(run.start, result.period_start):%m-%d %H:%M}–{run.end:%m-%d %H:%M}  "
                f"{run.state.value:<9} {run.rule}"
            )


@app.command()
def warn(
    actor: Actor,
    level: Annotated[str, typer.Option("--level", metavar="yellow|orange|red")],
    start: Start = None,
    end: End = None,
    district: Annotated[
        str | None, typer.Option("--district", help="A district's name; none: the whole zone.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Declare a heavy-pollution weather warning over [--start, --end)."""
    if start is None or end is None:
        fail("--start and --end are required")
    with open_engine(require_current=True) as engine:
        stored = warnings.declare(
            engine,
            level=level,
            start=start,
            end=end,
            district_name=district,
            note=note,
            actor=actor,
        )
    where = district or "全区"
    typer.echo(
        f"warning {stored['id']}: {level} {stored['start']:%Y-%m-%d %H:%M}–"
        f"{stored['end']:%Y-%m-%d %H:%M} {where}"
    )
