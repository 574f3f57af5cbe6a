"""`ecozone permit|alerts|marks|webhooks ...`: thin Typer shells over the compliance use cases.

Four sub-apps, mountable at the top level (`permit_app`, `alerts_app`, `marks_app`,
`webhooks_app`) or together under one group (`app`). Bad input is reported on stderr with
exit status 2 and nothing on stdout; a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
import yaml

from ecozone import safeyaml
from ecozone.cli_support import Actor, Format, fail, open_engine
from ecozone.compliance import alerts, evaluation, marks, permits, webhooks
from ecozone.config import desk_settings
from ecozone.times import parse_time


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1))


# --- permit ----------------------------------------------------------------------------------

permit_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Discharge permits: limits and annual caps per outlet.",
)


@permit_app.command("import")
def permit_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="permit YAML file")],
    actor: Actor,
) -> None:
    """Create or update the permits of FILE; all or nothing, every error named by its path."""
    try:
        data = safeyaml.read_file(file)
    except safeyaml.YamlRefused as exc:
        fail(f"{file}: {exc}")
    with open_engine() as engine:
        summary = permits.import_permits(engine, data, actor=actor)
    typer.echo(str(summary))


@permit_app.command("list")
def permit_list(
    enterprise: Annotated[str | None, typer.Option(help="Enterprise credit code.")] = None,
    format: Annotated[str, typer.Option("--format", metavar="yaml|json")] = "yaml",
) -> None:
    """Print the stored permits in the permit-file shape (with status today)."""
    if format not in ("yaml", "json"):
        fail(f"format: {format!r} is not yaml or json")
    with open_engine() as engine:
        stored = permits.list_permits(engine, credit_code=enterprise)
    if format == "json":
        _print_json({"permits": stored})
    else:
        typer.echo(
            yaml.safe_dump({"permits": stored}, allow_unicode=True, sort_keys=False), nl=False
        )


# --- alerts ----------------------------------------------------------------------------------

alerts_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Alerts and their closed loop: dispatch, feedback, verify, close.",
)


@alerts_app.command("list")
def alerts_list(
    state: Annotated[
        list[str] | None, typer.Option(help="open, dispatched, feedback, verified, closed")
    ] = None,
    type: Annotated[
        list[str] | None, typer.Option(help="exceedance, offline, constant_value, ...")
    ] = None,
    enterprise: Annotated[str | None, typer.Option(help="Enterprise credit code.")] = None,
    mn: Annotated[str | None, typer.Option(help="Device MN.")] = None,
    pollutant: Annotated[str | None, typer.Option(help="Pollutant code.")] = None,
    start: Annotated[
        str | None, typer.Option(metavar="ISO", help="Alerts lasting into [start, end).")
    ] = None,
    end: Annotated[str | None, typer.Option(metavar="ISO")] = None,
    limit: Annotated[int | None, typer.Option(metavar="N", help="At most N alerts.")] = None,
    format: Format = "json",
) -> None:
    """Print alerts, newest first: type, MN, point, pollutant, start, end, peak, limit, state."""
    if format not in alerts.FORMATS:
        fail(f"format: {format!r} is not one of {', '.join(alerts.FORMATS)}")
    with open_engine() as engine:
        rows = alerts.list_alerts(
            engine,
            alerts.AlertFilter(
                state=state,
                type=type,
                credit_code=enterprise,
                mn=mn,
                pollutant=pollutant,
                start=start,
                end=end,
                limit=limit,
            ),
        )
    typer.echo(alerts.render_alerts(rows, format), nl=False)


@alerts_app.command("show")
def alerts_show(alert_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Print one alert with every step taken on it."""
    with open_engine() as engine:
        _print_json(alerts.get_alert(engine, alert_id))


def _step(run: Callable[[sa.Engine], dict[str, Any]]) -> None:
    with open_engine() as engine:
        found = run(engine)
    typer.echo(f"alert {found['id']} is {found['state']}")


@alerts_app.command("dispatch")
def alerts_dispatch(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option(help="Instructions to the enterprise.")] = None,
    deadline_days: Annotated[
        int | None, typer.Option(help="Working days to answer (default: the setting).")
    ] = None,
) -> None:
    """Send an open alert to its enterprise, with a deadline in working days."""
    _step(
        lambda engine: alerts.act(
            engine,
            alert_id,
            "dispatch",
            actor=actor,
            comment=comment,
            deadline_days=deadline_days,
            settings=desk_settings(),
        )
    )


@alerts_app.command("urge")
def alerts_urge(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Press the enterprise on a dispatched alert."""
    _step(lambda engine: alerts.urge(engine, alert_id, actor, comment=comment))


@alerts_app.command("send-back")
def alerts_send_back(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    comment: Annotated[str, typer.Option(help="Why the answer does not do.")],
    actor: Actor,
    deadline_days: Annotated[
        int | None, typer.Option(help="A new deadline in working days (default: keep it).")
    ] = None,
) -> None:
    """Send the enterprise's answer back; it answers again."""
    _step(
        lambda engine: alerts.act(
            engine,
            alert_id,
            "send_back",
            actor=actor,
            comment=comment,
            deadline_days=deadline_days,
            settings=desk_settings(),
        )
    )


@alerts_app.command("remind")
def alerts_remind() -> None:
    """Record today's reminder on each dispatched alert past its deadline (the timer's check)."""
    with open_engine() as engine:
        reminded = alerts.remind_overdue(engine, settings=desk_settings())
    typer.echo(f"reminded {len(reminded)} overdue alert(s)")


@alerts_app.command("feedback")
def alerts_feedback(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    cause: Annotated[str, typer.Option(help="Cause found.")],
    measures: Annotated[str, typer.Option(help="Measures taken.")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option()] = None,
    file: Annotated[
        list[Path] | None, typer.Option(help="A photo (JPEG, PNG) or PDF; repeat for more.")
    ] = None,
) -> None:
    """Record the enterprise's answer to a dispatched alert, with files if any."""
    try:
        attachments = [(path.name, path.read_bytes()) for path in file or []]
    except OSError as exc:
        fail(f"file: {exc}")
    _step(
        lambda engine: alerts.act(
            engine,
            alert_id,
            "feedback",
            actor=actor,
            cause=cause,
            measures=measures,
            comment=comment,
            attachments=attachments,
        )
    )


@alerts_app.command("verify")
def alerts_verify(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Confirm the enterprise's answer."""
    _step(lambda engine: alerts.verify(engine, alert_id, actor, comment=comment))


@alerts_app.command("close")
def alerts_close(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option(help="Needed for a false alarm.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="resolved or false_alarm (误报, at any stage).")
    ] = None,
) -> None:
    """Close a verified alert, or any not yet closed as a false alarm."""
    _step(
        lambda engine: alerts.act(
            engine, alert_id, "close", actor=actor, comment=comment, reason=reason
        )
    )


@alerts_app.command("reopen")
def alerts_reopen(
    alert_id: Annotated[int, typer.Argument(metavar="ID")],
    comment: Annotated[str, typer.Option(help="Why it is reopened.")],
    actor: Actor,
) -> None:
    """Send an answered, verified or closed alert back to open."""
    _step(lambda engine: alerts.reopen(engine, alert_id, actor, comment=comment))


@alerts_app.command("evaluate")
def alerts_evaluate(
    start: Annotated[str, typer.Option(metavar="ISO", help="Device time (CST), inclusive.")],
    end: Annotated[str, typer.Option(metavar="ISO", help="Device time (CST), exclusive.")],
    point_id: Annotated[
        list[int] | None, typer.Option("--point-id", help="Only these points.")
    ] = None,
) -> None:
    """Judge the computed hour and day values of a range and raise or extend alerts."""
    with open_engine() as engine:
        changed = evaluation.evaluate(
            engine,
            start=parse_time(start, "start"),
            end=parse_time(end, "end"),
            point_ids=point_id,
        )
    typer.echo(f"alerts created or changed: {len(changed)}")


@alerts_app.command("check-offline")
def alerts_check_offline() -> None:
    """Raise offline alerts for points silent too long, and end those whose data is back."""
    with open_engine() as engine:
        changed = evaluation.check_offline(engine)
    typer.echo(f"offline alerts created or changed: {len(changed)}")


# --- marks -----------------------------------------------------------------------------------

marks_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Data marking: declared shutdowns, maintenance, calibration, faults.",
)


@marks_app.command("declare")
def marks_declare(
    mn: Annotated[str, typer.Option(help="Device MN of the point.")],
    kind: Annotated[str, typer.Option(metavar="shutdown|maintenance|calibration|fault")],
    start: Annotated[str, typer.Option(metavar="ISO", help="Device time (CST), inclusive.")],
    end: Annotated[str, typer.Option(metavar="ISO", help="Device time (CST), exclusive.")],
    reason: Annotated[str, typer.Option(help="Why the data is marked.")],
    actor: Actor,
    pollutant: Annotated[
        str | None, typer.Option(help="Only this pollutant (default all).")
    ] = None,
) -> None:
    """Declare that a point's data over [start, end) is not normal operation."""
    with open_engine() as engine:
        mark = marks.declare_mark(
            engine,
            mn=mn,
            kind=kind,
            start=start,
            end=end,
            reason=reason,
            actor=actor,
            pollutant=pollutant,
        )
    late = " (late: declared after the range began)" if mark["late"] else ""
    typer.echo(f"data mark {mark['id']} recorded{late}")


@marks_app.command("list")
def marks_list(
    mn: Annotated[str | None, typer.Option(help="Device MN.")] = None,
    enterprise: Annotated[str | None, typer.Option(help="Enterprise credit code.")] = None,
    start: Annotated[str | None, typer.Option(metavar="ISO")] = None,
    end: Annotated[str | None, typer.Option(metavar="ISO")] = None,
) -> None:
    """Print declarations as JSON, each flagged `late` and with the `overlaps` it has."""
    with open_engine() as engine:
        _print_json(marks.list_marks(engine, mn=mn, credit_code=enterprise, start=start, end=end))


@marks_app.command("revoke")
def marks_revoke(mark_id: Annotated[int, typer.Argument(metavar="ID")], actor: Actor) -> None:
    """Withdraw a declaration (it stays on record)."""
    with open_engine() as engine:
        marks.revoke_mark(engine, mark_id, actor=actor)
    typer.echo(f"data mark {mark_id} revoked")


@marks_app.command("review")
def marks_review(
    mark_id: Annotated[int, typer.Argument(metavar="ID")],
    decision: Annotated[str, typer.Option(metavar="accepted|rejected")],
    actor: Actor,
    comment: Annotated[str | None, typer.Option(help="Why; required to reject.")] = None,
) -> None:
    """A supervisor's review: accept a declaration, or reject it (it then excuses nothing)."""
    with open_engine() as engine:
        mark = marks.review_mark(engine, mark_id, decision=decision, comment=comment, actor=actor)
    typer.echo(f"data mark {mark_id} {mark['review_state']}")


# --- webhooks --------------------------------------------------------------------------------

webhooks_app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Webhooks: new alerts posted as signed JSON."
)


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="http(s) URL receiving POSTs")],
    actor: Actor,
    secret: Annotated[
        str | None, typer.Option(help="HMAC-SHA256 key for the signature header.")
    ] = None,
) -> None:
    """Register a URL for new alerts."""
    with open_engine() as engine:
        hook = webhooks.add_webhook(engine, url, secret=secret, actor=actor)
    typer.echo(f"webhook {hook['id']} added for {hook['url']}")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Print the webhooks with counts of their deliveries."""
    with open_engine() as engine:
        _print_json(webhooks.list_webhooks(engine))


@webhooks_app.command("deliver")
def webhooks_deliver() -> None:
    """Post the deliveries that are due (run it periodically)."""
    with open_engine() as engine:
        report = webhooks.deliver_pending(engine)
    typer.echo(str(report))


# --- all together ----------------------------------------------------------------------------

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Compliance: permits, alerts, data marks and webhooks.",
)
app.add_typer(permit_app, name="permit")
app.add_typer(alerts_app, name="alerts")
app.add_typer(marks_app, name="marks")
app.add_typer(webhooks_app, name="webhooks")
