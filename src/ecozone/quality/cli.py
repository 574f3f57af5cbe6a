"""`ecozone quality check|noise|overflows|import-honking|seed-rules`: noise, dust and sewer
overflows from the command line.

Thin over the use cases; the command line sees everything. Bad input goes to stderr with
exit status 2 (cli_support), a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from ecozone import config
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.quality import checks, dust, noise, sewer
from ecozone.times import cst_naive, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Noise (GB 3096, GB 12523), construction dust and sewer overflows.",
)


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--{name} {text!r}: expected YYYY-MM-DD")


@app.command("check")
def check(
    until: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DDTHH:MM", help="End (CST); default now.")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=62)] = checks.CHECK_DAYS,
) -> None:
    """Raise the alerts of night construction without approval, dust and overflows."""
    try:
        end = datetime.fromisoformat(until) if until else cst_naive(utc_now())
    except ValueError:
        fail(f"--until {until!r}: expected YYYY-MM-DDTHH:MM")
    with open_engine(require_current=True) as engine:
        found = checks.run_checks(engine, end, config.quality_settings(), days)
    typer.echo(json.dumps(found))


@app.command("noise")
def noise_levels(
    first: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None,
    last: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None,
) -> None:
    """Each noise station's day and night Leq against its limits, as JSON."""
    settings = config.quality_settings()
    with open_engine() as engine:
        chosen = noise.stations(engine, None)
        start = _day(first, "first") or noise.newest_day(engine, chosen)
        pairs = noise.day_night(engine, chosen, start, _day(last, "last") or start, settings)
    rows = [{**noise.station_dict(s, settings), "periods": [noise.period_dict(p) for p in ps]}
            for s, ps in pairs]  # fmt: skip
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))


@app.command("overflows")
def overflows() -> None:
    """The overflow events and the monthly statistics, as JSON."""
    with open_engine() as engine:
        found = {"events": [sewer.event_dict(m, e) for m, e in sewer.events(engine, None)],
                 "monthly": sewer.monthly(engine, None)}  # fmt: skip
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


@app.command("import-honking")
def import_honking(
    actor: Actor,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import honking captures from a CSV or xlsx file (all rows or none)."""
    with open_engine(require_current=True) as engine:
        added = noise.import_honking(engine, path.name, path.read_bytes(), actor=actor)
    typer.echo(f"{added} captures imported")


@app.command("seed-rules")
def seed_rules(actor: Actor) -> None:
    """Store the default dust rules (data/dust.yaml) when none is held yet."""
    with open_engine(require_current=True) as engine:
        added = dust.seed_rules(engine, actor=actor)
    typer.echo(f"{added} dust rules added")
