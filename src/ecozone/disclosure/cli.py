"""`ecozone disclosure ...`: who must disclose for a year and their deadlines, prepare and
publish a report, write its PDF or xlsx; a thin shell over disclosure.service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.disclosure import render, service
from ecozone.times import cst_naive, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="企业环境信息依法披露 (生态环境部令第24号): obligations, reports, deadlines.",
)


@app.command("obligations")
def obligations(year: Annotated[int, typer.Argument(help="The year reported on")]) -> None:
    """Enterprises that must disclose for YEAR, with annual and temporary deadlines."""
    with open_engine() as engine:
        rows = service.obligations(engine, SYSTEM_SCOPE, year,
                                   today=cst_naive(utc_now()).date())  # fmt: skip
    for r in rows:
        a = r["annual"]
        typer.echo(f"{r['credit_code']} {','.join(r['reasons']):<24} annual due {a['due_on']} "
                   f"{a['state']:<8} {r['name']}")  # fmt: skip
        for e in r["temporary"]:
            typer.echo(f"    penalty {e['penalty_id']} of {e['decided_on']}: due {e['due_on']} "
                       f"{e['state']}")  # fmt: skip


@app.command("prepare")
def prepare(
    actor: Actor,
    credit_code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    year: Annotated[int | None, typer.Option("--year", help="Annual report on this year")] = None,
    penalty: Annotated[int | None, typer.Option("--penalty", help="Temporary: decision id")] = None,
) -> None:
    """Prepare (or refresh the draft of) an annual or temporary report."""
    kind = "temporary" if penalty is not None else "annual"
    if kind == "annual" and year is None:
        fail("give --year for an annual report or --penalty for a temporary one")
    with open_engine(require_current=True) as engine:
        made = service.prepare(engine, credit_code=credit_code, kind=kind, year=year,
                               penalty_id=penalty, actor=actor, now=utc_now())  # fmt: skip
    typer.echo(f"report {made['id']} version {made['version']} draft, due {made['due_on']}")


@app.command("publish")
def publish(actor: Actor, report_id: Annotated[int, typer.Argument()]) -> None:
    """Publish a draft; published versions never change."""
    with open_engine(require_current=True) as engine:
        done = service.publish(engine, report_id, actor=actor, now=utc_now())
    typer.echo(f"report {done['id']} version {done['version']} published")


@app.command("export")
def export(
    report_id: Annotated[int, typer.Argument()],
    out: Annotated[Path, typer.Option("--out", help="File to write: .pdf or .xlsx")],
) -> None:
    """Write a report as PDF or xlsx."""
    with open_engine() as engine:
        found = service.report(engine, report_id, SYSTEM_SCOPE)
    if out.suffix not in (".pdf", ".xlsx"):
        fail("--out must end in .pdf or .xlsx")
    body = render.render_pdf(found) if out.suffix == ".pdf" else render.render_xlsx(found)
    out.write_bytes(body)
    typer.echo(f"{out}: {len(body)} bytes")
