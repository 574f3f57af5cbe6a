"""`ecozone statistics-reports list|generate|run-due|kinds`: the generated statistical reports,
one generated now (once per kind, period and scope), and the schedule's round by hand.

Thin over statistics.schedule_service; the command line acts for the whole zone. Bad input
goes to stderr with exit status 2 (cli_support).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ecozone import config
from ecozone.accounts.model import Scope
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.errors import Invalid
from ecozone.statistics import schedule, schedule_service
from ecozone.times import local_time, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Statistical reports: monthly and annual, generated on schedule or now.",
)


@app.command("kinds")
def kinds() -> None:
    """The registered report kinds."""
    for kind in schedule_service.load_kinds():
        typer.echo(f"{kind.name}\t{kind.title_zh}\t{kind.title_en}")


@app.command("list")
def list_reports() -> None:
    """The generated reports of the zone and the districts, newest period first (JSON)."""
    with open_engine() as engine:
        rows = schedule_service.reports(engine, Scope(role="admin"))
    typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))


@app.command("generate")
def generate(
    kind: Annotated[str, typer.Argument(help="A report kind (see `kinds`).")],
    period: Annotated[str, typer.Argument(metavar="YYYY-MM|YYYY")],
    actor: Actor,
    out: Annotated[Path | None, typer.Option(help="Also write the xlsx and PDF here.")] = None,
) -> None:
    """Generate a report of a whole past month or year (once; again prints the stored one)."""
    try:
        chosen = schedule.parse_period(period)
        if chosen.end > local_time(utc_now()).date():
            fail(f"period {chosen.label} is not over yet; a report covers a whole one")
        with open_engine(require_current=True) as engine:
            rid, fresh = schedule_service.generate(
                engine, kind, chosen, actor=actor, settings=config.statistics_report_settings()
            )
            if out is not None:
                out.mkdir(parents=True, exist_ok=True)
                for fmt in schedule_service.FORMATS:
                    found = schedule_service.report_file(engine, Scope(role="admin"), rid, fmt)
                    (out / f"{found['title']}.{fmt}").write_bytes(bytes(found["content"]))
    except Invalid as exc:
        fail(str(exc))
    typer.echo(f"report {rid} {'generated' if fresh else 'exists already'}")


@app.command("run-due")
def run_due(
    today: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None,
) -> None:
    """The schedule's round: every kind's reports due on `today` (default: today, CST)."""
    try:
        day = date.fromisoformat(today) if today else local_time(utc_now()).date()
    except ValueError:
        fail(f"--today {today!r}: expected YYYY-MM-DD")
    with open_engine(require_current=True) as engine:
        made = schedule_service.run_due(engine, day, config.statistics_report_settings())
    typer.echo(f"{len(made)} report(s) generated")
