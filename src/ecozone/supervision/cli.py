"""`ecozone inspect ...`: target lists, the pool, listings, campaigns, draws, records and
their verification, the exemption list, triggers and a violation's exemption check; a thin
shell over the use cases.

`verify` needs no database: it recomputes a published record and exits 3 naming what
differs. Bad input exits 2 with one line on stderr (cli_support).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ecozone import config
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.supervision import rules, service

EXIT_NOT_VERIFIED = 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="双随机、一公开: lists, inspector pool, campaigns, verifiable draws.",
)

District = Annotated[str | None, typer.Option("--district", help="A district's name.")]


@app.command("lists")
def lists(
    district: District = None,
    day: Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Target lists: each enterprise with its category, listings and open alerts."""
    on = date.fromisoformat(day) if day else date.today()
    with open_engine() as engine:
        rows = service.target_lists(engine, service.SYSTEM_SCOPE, day=on, district=district)
    for r in rows:
        listed = ",".join(r["listed"]) or "-"
        typer.echo(f"{r['category']:<9} {r['credit_code']} {r['district']:<8} "
                   f"alerts={r['open_alerts']} {listed:<18} {r['name']}")  # fmt: skip


@app.command("pool-add")
def pool_add(
    actor: Actor,
    name: Annotated[str, typer.Option("--name")],
    unit: Annotated[str, typer.Option("--unit")],
    certificate: Annotated[str, typer.Option("--certificate", help="执法证号")],
    district: District = None,
) -> None:
    """Add an inspector to the pool."""
    with open_engine(require_current=True) as engine:
        added = service.add_inspector(engine, name=name, unit=unit, certificate_no=certificate,
                                      district=district, actor=actor)  # fmt: skip
    typer.echo(f"inspector {added['id']}: {added['name']}")


@app.command("conflict")
def conflict(
    actor: Actor,
    inspector: Annotated[int, typer.Argument(help="inspector id")],
    enterprise: Annotated[str, typer.Argument(help="credit code")],
    reason: Annotated[str, typer.Option("--reason")],
) -> None:
    """Declare an inspector's conflict of interest with an enterprise (回避)."""
    with open_engine(require_current=True) as engine:
        service.declare_conflict(engine, inspector, credit_code=enterprise, reason=reason,
                                 actor=actor)  # fmt: skip
    typer.echo(f"inspector {inspector} recuses from {enterprise}")


@app.command("list-add")
def list_add(
    actor: Actor,
    enterprise: Annotated[str, typer.Argument(help="credit code")],
    kind: Annotated[str, typer.Option("--kind", metavar="positive|pledge|attention")],
    reason: Annotated[str, typer.Option("--reason")],
    valid_from: Annotated[str, typer.Option("--from")],
    valid_to: Annotated[str | None, typer.Option("--to")] = None,
) -> None:
    """Put an enterprise on the positive list, a pledge-based exemption or special attention."""
    with open_engine(require_current=True) as engine:
        added = service.add_listing(
            engine, credit_code=enterprise, kind=kind, reason=reason,
            valid_from=valid_from, valid_to=valid_to, actor=actor,
        )  # fmt: skip
    typer.echo(f"listing {added['id']}: {kind} {added['name']}")


@app.command("campaign-create")
def campaign_create(
    actor: Actor,
    name: Annotated[str, typer.Option("--name")],
    start: Annotated[str, typer.Option("--start", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--end", help="YYYY-MM-DD, inclusive")],
    quota: Annotated[
        list[str], typer.Option("--quota", help="CATEGORY=RATIO% or CATEGORY=COUNT, repeated")
    ],
    district: District = None,
    triggered: Annotated[
        list[str] | None, typer.Option("--triggered", help="credit code of a triggered check")
    ] = None,
) -> None:
    """Create a campaign: its inputs are frozen and the commitment printed."""
    quotas = {}
    for item in quota:
        category, _, value = item.partition("=")
        try:
            quotas[category] = (
                {"ratio": float(value[:-1]) / 100} if value.endswith("%") else {"count": int(value)}
            )
        except ValueError:
            fail(f"--quota {item!r}: CATEGORY=5% or CATEGORY=3")
    with open_engine(require_current=True) as engine:
        made = service.create_campaign(
            engine, name=name, period_start=start, period_end=end, quotas=quotas,
            district=district, triggered=triggered or [],
            settings=config.supervision_settings(), actor=actor,
        )  # fmt: skip
    typer.echo(f"campaign {made['id']}: commitment {made['commitment']}")
    typer.echo(f"inputs sha256 {made['inputs_sha256']}")


@app.command("draw")
def draw(actor: Actor, campaign: Annotated[int, typer.Argument(help="campaign id")]) -> None:
    """Draw a committed campaign (once) and reveal its seed."""
    with open_engine(require_current=True) as engine:
        drawn = service.draw_campaign(engine, campaign, actor=actor)
    typer.echo(f"seed {drawn['seed']}")
    for i in drawn["result"]["inspections"]:
        typer.echo(f"{i['date']} {i['credit_code']} {i['category']:<9} "
                   f"inspectors={','.join(map(str, i['inspectors']))} {i['name']}")  # fmt: skip


@app.command("record")
def record(
    campaign: Annotated[int, typer.Argument(help="campaign id")],
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export a campaign's draw record (JSON) to stdout or --output."""
    with open_engine() as engine:
        doc = service.draw_record(engine, campaign, service.SYSTEM_SCOPE)
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


@app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="draw record JSON")],
) -> None:
    """Recompute a published draw record: OK, or what differs (exit 3)."""
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{file}: not a readable JSON file: {exc}")
    problems = rules.verify(doc)
    if problems:
        for problem in problems:
            typer.echo(problem, err=True)
        raise typer.Exit(EXIT_NOT_VERIFIED)
    typer.echo(f"OK: {len(doc['result']['inspections'])} inspections reproduced")


# --- the enforcement loop ------------------------------------------------------------------


@app.command("exemptions")
def exemptions_list() -> None:
    """The exemption list in force (免罚清单): version, source and each rule's conditions."""
    from ecozone.supervision.inspections import exemption_list

    listed = exemption_list()
    typer.echo(f"version {listed.version}, effective {listed.effective}: {listed.source}")
    for r in listed.rules:
        limits = [f"harm<={r.max_harm}"]
        if r.first_violation:
            limits.append(f"first in {listed.first_violation_months} months")
        if r.correct_within_working_days:
            limits.append(f"corrected within {r.correct_within_working_days} working days")
        if r.correct_within_days:
            limits.append(f"corrected within {r.correct_within_days} days")
        typer.echo(f"{r.id:<26} {r.klass:<15} {' '.join(r.provisions)} ({', '.join(limits)})")


@app.command("trigger")
def trigger(
    actor: Actor,
    enterprise: Annotated[str, typer.Argument(help="credit code")],
    reason: Annotated[str, typer.Option("--reason")],
    source: Annotated[str, typer.Option("--source", metavar="complaint|staff")] = "complaint",
    reference: Annotated[str | None, typer.Option("--reference", help="投诉编号")] = None,
) -> None:
    """Call for an on-site check outside the draw (a complaint or staff's own)."""
    from ecozone.supervision import inspections

    with open_engine(require_current=True) as engine:
        made = inspections.open_trigger(
            engine, source=source, credit_code=enterprise, reason=reason, reference=reference,
            actor=actor,
        )
    typer.echo(f"trigger {made['id']}: {made['enterprise']} ({made['source']})")


@app.command("suggest")
def suggest(
    violation: Annotated[int, typer.Argument(help="violation id")],
    day: Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD; default today")] = None,
) -> None:
    """The exemption check of a violation, condition by condition (a suggestion only)."""
    from ecozone.supervision import inspections

    on = date.fromisoformat(day) if day else date.today()
    with open_engine() as engine:
        advice = inspections.suggestion(engine, violation, service.SYSTEM_SCOPE, on)
    typer.echo(f"{advice.outcome} {advice.rule_id or '-'} (list {advice.version})")
    for check in advice.checks:
        typer.echo(f"  {check.rule_id}:")
        for c in check.conditions:
            met = {True: "met", False: "NOT met", None: "open"}[c.met]
            facts = json.dumps(exemptions_facts(c.facts), ensure_ascii=False)
            typer.echo(f"    {c.key:<18} {met:<8} {facts}")


def exemptions_facts(facts: dict) -> dict:
    return {k: str(v) if isinstance(v, date) else v for k, v in facts.items()}
