"""`ecozone projects list|show|create|move|pause|resume|sampling|check|report`: EIA projects,
their stages and approval clock, from the command line (which sees every project).

Thin over projects.service; bad input goes to stderr with exit status 2 (cli_support).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ecozone import config
from ecozone.accounts.model import Role, Scope
from ecozone.cli_support import Actor, Format, fail, open_engine
from ecozone.projects import report, service

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="EIA project scheduling: projects, stages, the approval clock, the monthly report.",
)

#: The command line acts as the bureau, on every project.
BUREAU = Scope(role=Role.ADMIN)
Day = Annotated[str, typer.Option(metavar="YYYY-MM-DD")]
ProjectId = Annotated[int, typer.Option("--id", metavar="N", help="Project id.")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _clocked(engine: Any, found: Any) -> dict[str, Any]:
    clock = service.clock_of(found, service.today(), config.projects_settings(),
                             config.desk_settings().calendar)  # fmt: skip
    return service.project_dict(found, clock)


@app.command("list")
def list_projects(
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    major: Annotated[bool, typer.Option("--major", help="Only major projects.")] = False,
    format: Format = "csv",
) -> None:
    """Projects with their stage and approval clock."""
    if format not in ("json", "csv"):
        fail(f"--format {format!r}: expected json or csv")
    with open_engine() as engine:
        chosen = service.projects(engine, BUREAU, stage=stage, major=major or None)
        rows = [_clocked(engine, p) for p in chosen]
    if format == "json":
        _json(rows)
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "name", "builder", "category", "route", "stage", "accepted_on",
                     "due_on", "clock"])  # fmt: skip
    for r in rows:
        writer.writerow([r["id"], r["name"], r["builder_name"], r["category"], r["route"],
                         r["stage"], r["accepted_on"] or "", r["clock"]["due_on"] or "",
                         r["clock"]["state"]])  # fmt: skip
    typer.echo(out.getvalue(), nl=False)


@app.command("show")
def show(project_id: ProjectId) -> None:
    """One project, its clock, transitions and pauses, as JSON."""
    with open_engine() as engine:
        found = service.project(engine, BUREAU, project_id)
        _json({**_clocked(engine, found), **service.history(engine, BUREAU, project_id)})


@app.command("create")
def create(
    actor: Actor,
    file: Annotated[Path, typer.Argument(help="JSON file with the project's fields.")],
) -> None:
    """Register a project from a JSON file (the fields of POST /api/v1/projects)."""
    try:
        data = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{file}: {exc}")
    if not isinstance(data, dict):
        fail(f"{file}: expected a JSON object")
    with open_engine(require_current=True) as engine:
        made = service.create_project(engine, BUREAU, data, actor=actor)
    typer.echo(f"project {made.id}: {made.name} ({made.stage.value})")


@app.command("move")
def move(
    actor: Actor,
    project_id: ProjectId,
    to: Annotated[str, typer.Option("--to", help="The next stage.")],
    on: Day,
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Move a project to its next stage on a day, with the reason (audited)."""
    with open_engine(require_current=True) as engine:
        found = service.transition(engine, BUREAU, project_id, to, on_date=on, reason=reason,
                                   actor=actor)  # fmt: skip
    typer.echo(f"project {found.id}: {found.stage.value}")


@app.command("pause")
def pause(
    actor: Actor,
    project_id: ProjectId,
    kind: Annotated[str, typer.Option("--kind", metavar="hearing|expert_review")],
    start: Day,
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Stop the clock from a day for a hearing or an expert review."""
    with open_engine(require_current=True) as engine:
        service.pause(engine, BUREAU, project_id, kind, start=start, reason=reason, actor=actor)
    typer.echo(f"project {project_id}: clock paused from {start}")


@app.command("resume")
def resume(actor: Actor, project_id: ProjectId, end: Day) -> None:
    """Let the clock run again from a day."""
    with open_engine(require_current=True) as engine:
        service.resume(engine, BUREAU, project_id, end=end, actor=actor)
    typer.echo(f"project {project_id}: clock runs from {end}")


@app.command("sampling")
def sampling(
    actor: Actor,
    project_id: ProjectId,
    outcome: Annotated[str, typer.Option("--outcome", metavar="conforming|nonconforming")],
    checked_on: Day,
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Record the post-approval sampling check of a pledge-based approval."""
    with open_engine(require_current=True) as engine:
        done = service.record_sampling(engine, BUREAU, project_id, outcome,
                                       checked_on=checked_on, note=note, actor=actor)  # fmt: skip
    typer.echo(f"project {project_id}: {done['quarter']} {done['outcome']}")


@app.command("check")
def check(on: Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")] = None) -> None:
    """Raise due and overdue approval alerts into the alert desk (default: today)."""
    try:
        day = date.fromisoformat(on) if on else service.today()
    except ValueError:
        fail(f"--on {on!r}: expected YYYY-MM-DD")
    with open_engine(require_current=True) as engine:
        found = service.check_deadlines(engine, day, config.projects_settings(),
                                        config.desk_settings().calendar)  # fmt: skip
    _json(found)


@app.command("report")
def monthly(
    month: Annotated[str, typer.Option("--month", metavar="YYYY-MM")],
    format: Annotated[str, typer.Option("--format", metavar="csv|json")] = "csv",
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE")] = "-",
) -> None:
    """The monthly scheduling report of major projects (xlsx and PDF: the schedule page)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        fail(f"--month {month!r}: expected YYYY-MM")
    if format not in ("csv", "json"):
        fail(f"--format {format!r}: expected csv or json")
    with open_engine() as engine:
        rows = report.monthly_rows(engine, BUREAU, first, config.projects_settings(),
                                   config.desk_settings().calendar)  # fmt: skip
    if format == "json":
        body = json.dumps([{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                          ensure_ascii=False, indent=2, default=str).encode()  # fmt: skip
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([heading for _key, heading in report.COLUMNS])
        for r in rows:
            writer.writerow(["" if r[k] is None else r[k] for k, _h in report.COLUMNS])
        body = out.getvalue().encode("utf-8-sig")
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    Path(output).write_bytes(body)
    typer.echo(f"wrote {output} ({len(body)} bytes)", err=True)
