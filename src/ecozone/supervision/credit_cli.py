"""`ecozone credit ...`: compute a year's enterprise credit, show one enterprise-year's
breakdown, record a credit repair; a thin shell over supervision.credit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.cli_support import Actor, open_engine
from ecozone.supervision import credit
from ecozone.times import CHINA_STANDARD_TIME, utc_now

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Enterprise environmental credit (渝环规〔2021〕7号 and the national four colours).",
)


def _today() -> date:
    return utc_now().astimezone(CHINA_STANDARD_TIME).date()


@app.command("compute")
def compute(
    actor: Actor,
    year: Annotated[int, typer.Argument(help="The year evaluated")],
    credit_code: Annotated[
        str | None, typer.Option("--enterprise", help="统一社会信用代码")
    ] = None,
) -> None:
    """Compute (or recompute) the year's credit of every enterprise, or of one."""
    with open_engine(require_current=True) as engine:
        done = credit.compute_year(engine, year, today=_today(), actor=actor,
                                   credit_code=credit_code)  # fmt: skip
    for row in done:
        cq, nat = row["chongqing"], row["national"]
        typer.echo(f"{row['credit_code']} chongqing={cq['score']:g}/{cq['level']} "
                   f"national={nat['score']:g}/{nat['level']} {row['name']}")  # fmt: skip


@app.command("show")
def show(
    credit_code: Annotated[str, typer.Argument(help="统一社会信用代码")],
    year: Annotated[int, typer.Argument(help="The year evaluated")],
) -> None:
    """Every factor of one enterprise-year with the fact behind it and its points."""
    with open_engine() as engine:
        found = credit.breakdown(engine, SYSTEM_SCOPE, credit_code, year)
    for s in found["schemes"]:
        typer.echo(f"{s['title']} [{s['rule_version']}]: {s['score']:g} {s['level_name']}")
        typer.echo(f"  {s['base']:+g}  基础分")
        for f in s["factors"]:
            typer.echo(f"  {f['points']:+g}  {f['fact']}")


@app.command("repair")
def repair(
    actor: Actor,
    violation_id: Annotated[int, typer.Argument(help="The violation's id")],
    reason: Annotated[str, typer.Option("--reason")],
    day: Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Record a credit repair of a rectified violation, then recompute its year."""
    with open_engine(require_current=True) as engine:
        made = credit.record_repair(engine, violation_id, repaired_on=day or _today(),
                                    reason=reason, actor=actor)  # fmt: skip
        credit.compute_year(engine, made["year"], today=_today(), actor=actor,
                            credit_code=made["credit_code"])  # fmt: skip
    typer.echo(f"repair {made['id']}: {made['credit_code']} {made['year']} recomputed")
