"""`ecozone waste check|handler|facility|record|stock|balance|classes|declarations|declare|
route|track|leg`: the list check, handlers and facilities, ledger records and what is
computed from them, the declarations (HJ 1259-2022), and a manifest's carrier leg (the
declared route, the vehicle's GPS track imported from a file, the findings).

Thin over waste.service; the command line acts with the system's scope. Bad input goes to
stderr with exit status 2 (cli_support), a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from ecozone import config, times
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.cli_support import Actor, fail, open_engine
from ecozone.errors import EcozoneError
from ecozone.waste import checks, collection, declarations, legs, manifests, service

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Hazardous waste: the list, handlers, storage, the ledger (HJ 1259-2022).",
)

Enterprise = Annotated[str, typer.Option("--enterprise", metavar="CREDIT_CODE")]


def _day(text: str | None, name: str) -> date:
    if text is None:
        return times.cst_naive(times.utc_now()).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--{name} {text!r}: expected YYYY-MM-DD")


def _json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@app.command("check")
def check(
    code: Annotated[str, typer.Option("--code", metavar="NNN-NNN-NN")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    day: Annotated[str | None, typer.Option("--day", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Check a code (and name) against the list edition in force on a day."""
    try:
        _json(service.check_code(code, name, _day(day, "day")))
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)


@app.command("handler")
def handler(
    actor: Actor,
    name: Annotated[str, typer.Option("--name")],
    kind: Annotated[str, typer.Option("--kind", metavar="collector|transporter|disposer")],
    licence_no: Annotated[str, typer.Option("--licence")],
    codes: Annotated[str, typer.Option("--codes", metavar="CODE|HWxx,...")],
    capacity: Annotated[float, typer.Option("--capacity", metavar="T_PER_YEAR")],
    valid_from: Annotated[str, typer.Option("--valid-from", metavar="YYYY-MM-DD")],
    valid_to: Annotated[str, typer.Option("--valid-to", metavar="YYYY-MM-DD")],
) -> None:
    """Register a collector, transporter or disposer with its licence (audited)."""
    with open_engine(require_current=True) as engine:
        made = service.add_handler(engine, name=name, kind=kind, licence_no=licence_no,
                                   codes=codes, capacity_t=capacity, valid_from=valid_from,
                                   valid_to=valid_to, actor=actor)  # fmt: skip
    typer.echo(f"handler {made['id']}: {made['name']} ({made['licence_no']})")


@app.command("facility")
def facility(
    actor: Actor,
    enterprise: Enterprise,
    code: Annotated[str, typer.Option("--code")],
    name: Annotated[str, typer.Option("--name")],
    kind: Annotated[str, typer.Option("--kind", metavar="store|yard|pool|tank|spot")],
    capacity: Annotated[float, typer.Option("--capacity", metavar="T")],
) -> None:
    """Add a storage facility of an enterprise with its capacity (audited)."""
    with open_engine(require_current=True) as engine:
        made = service.add_facility(engine, enterprise, code=code, name=name, kind=kind,
                                    capacity_t=capacity, actor=actor)  # fmt: skip
    typer.echo(f"facility {made['code']}: {made['name']}, {made['capacity_t']:g} t")


@app.command("record")
def record(
    actor: Actor,
    enterprise: Enterprise,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="generated, stored_in, stored_out, utilised, disposed or transferred"
        ),
    ],
    at: Annotated[str, typer.Option("--at", metavar="ISO")],
    code: Annotated[str, typer.Option("--code", metavar="NNN-NNN-NN")],
    quantity: Annotated[float, typer.Option("--quantity", metavar="T")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    handler: Annotated[int | None, typer.Option("--handler", metavar="ID")] = None,
    batch: Annotated[str | None, typer.Option("--batch")] = None,
) -> None:
    """Add one ledger record (checked against the list, the stock and the licence)."""
    with open_engine(require_current=True) as engine:
        made = service.record(engine, enterprise, kind=kind, at=at, code=code,
                              quantity_t=quantity, name=name, facility=facility,
                              handler_id=handler, batch=batch, actor=actor)  # fmt: skip
    typer.echo(f"entry {made['id']}: {made['kind']} {made['code']} {made['quantity_t']:g} t")


@app.command("stock")
def stock(
    enterprise: Enterprise,
    day: Annotated[str | None, typer.Option("--day", metavar="YYYY-MM-DD")] = None,
) -> None:
    """Stock per facility and code at the end of a day, with its storage age, as JSON."""
    with open_engine() as engine:
        found = service.waste_file(engine, enterprise, SYSTEM_SCOPE, _day(day, "day"),
                                   config.waste_settings())  # fmt: skip
    _json(found["stock"])


@app.command("balance")
def balance(
    enterprise: Enterprise,
    year: Annotated[int, typer.Option("--year")],
) -> None:
    """A year's mass balance from the ledger, as JSON."""
    with open_engine() as engine:
        found = service.balance(engine, enterprise, datetime(year, 1, 1),
                                datetime(year + 1, 1, 1), SYSTEM_SCOPE,
                                config.waste_settings())  # fmt: skip
    _json(found)


@app.command("classes")
def classes(year: Annotated[int, typer.Option("--year")]) -> None:
    """Every enterprise's management class (computed and in force) for a year, as JSON."""
    with open_engine() as engine:
        found = service.enterprises(engine, SYSTEM_SCOPE, year, config.waste_settings())
    _json(found)


@app.command("declarations")
def declaration_list(
    enterprise: Enterprise,
    day: Annotated[str | None, typer.Option("--day", metavar="YYYY-MM-DD")] = None,
) -> None:
    """An enterprise's declarations filed and the periods it owes, with their state, as JSON."""
    try:
        with open_engine() as engine:
            found = declarations.register(engine, enterprise, SYSTEM_SCOPE, _day(day, "day"),
                                          config.waste_settings())  # fmt: skip
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)
    _json({"filed": found["filed"], "owed": found["owed"]})


@app.command("declare")
def declare(
    actor: Actor,
    enterprise: Enterprise,
    period: Annotated[str, typer.Option("--period", metavar="monthly|quarterly|annual")],
    label: Annotated[str, typer.Option("--label", metavar="2025|2025-Q1|2025-01")],
) -> None:
    """File the declaration of one ended period with the ledger's figures (immutable)."""
    try:
        with open_engine() as engine:
            made = declarations.file(engine, enterprise, period, label, actor=actor,
                                     settings=config.waste_settings())  # fmt: skip
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)
    _json(made)


@app.command("manifest")
def manifest(
    actor: Actor,
    enterprise: Enterprise,
    receiver: Annotated[int, typer.Option("--receiver", metavar="HANDLER_ID")],
    code: Annotated[str, typer.Option("--code", metavar="NNN-NNN-NN")],
    quantity: Annotated[float, typer.Option("--quantity", metavar="T")],
    facility: Annotated[str | None, typer.Option("--facility")] = None,
    carrier: Annotated[int | None, typer.Option("--carrier", metavar="HANDLER_ID")] = None,
) -> None:
    """Draft a transfer manifest (order 23); the receiver's licence is checked."""
    with open_engine(require_current=True) as engine:
        made = manifests.draft(engine, enterprise, handler_id=receiver, code=code,
                               quantity_t=quantity, facility=facility, carrier_id=carrier,
                               settings=config.waste_settings(), actor=actor)  # fmt: skip
    typer.echo(f"manifest {made['id']}: {made['number']} drafted")


@app.command("manifest-act")
def manifest_act(
    actor: Actor,
    manifest_id: Annotated[int, typer.Option("--id", metavar="N")],
    action: Annotated[str, typer.Option("--action", metavar="dispatch|transit|receive|complete")],
    vehicle_plate: Annotated[str | None, typer.Option("--plate")] = None,
    driver: Annotated[str | None, typer.Option("--driver")] = None,
    received: Annotated[float | None, typer.Option("--received", metavar="T")] = None,
    arrived_at: Annotated[str | None, typer.Option("--arrived", metavar="ISO")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    method: Annotated[str | None, typer.Option("--method", metavar="utilised|disposed")] = None,
) -> None:
    """Move a manifest on: dispatch, transit, receive or complete (audited)."""
    with open_engine(require_current=True) as engine:
        found = manifests.act(engine, manifest_id, action, settings=config.waste_settings(),
                              calendar=config.desk_settings().calendar, actor=actor,
                              vehicle_plate=vehicle_plate, driver=driver, received_t=received,
                              arrived_at=arrived_at, difference_note=note,
                              method=method)  # fmt: skip
    typer.echo(f"manifest {found['number']}: {found['state']}")


@app.command("route")
def route(
    actor: Actor,
    manifest_id: Annotated[int, typer.Option("--id", metavar="N")],
    waypoints: Annotated[str, typer.Option("--waypoints", metavar="LON,LAT;LON,LAT;...")],
) -> None:
    """Declare the route of a manifest's carrier leg (WGS-84 waypoints)."""
    with open_engine(require_current=True) as engine:
        done = legs.set_route(engine, manifest_id, legs.parse_waypoints(waypoints), actor=actor)
    typer.echo(f"manifest {manifest_id}: route of {len(done['waypoints'])} waypoints declared")


@app.command("track")
def track(
    actor: Actor,
    manifest_id: Annotated[int, typer.Option("--id", metavar="N")],
    file: Annotated[Path, typer.Argument(metavar="FILE.csv|xlsx|gpx")],
) -> None:
    """Import the vehicle's GPS track of a manifest from a file (all or nothing; points at
    times already stored are kept once)."""
    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(f"{file}: {exc.strerror}")
    with open_engine(require_current=True) as engine:
        done = legs.import_points(engine, manifest_id, file.name, content, actor=actor)
    typer.echo(f"manifest {manifest_id}: {done['added']} points added, {done['already']} "
               "already there")  # fmt: skip


@app.command("leg")
def leg(manifest_id: Annotated[int, typer.Option("--id", metavar="N")]) -> None:
    """A manifest's carrier leg: route, track and findings, as JSON."""
    with open_engine() as engine:
        _json(legs.leg(engine, manifest_id, SYSTEM_SCOPE, config.waste_settings()))


@app.command("manifests")
def manifest_list(
    state: Annotated[str | None, typer.Option("--state")] = None,
) -> None:
    """Every manifest (or those in one state), as JSON."""
    with open_engine() as engine:
        _json(manifests.manifests(engine, SYSTEM_SCOPE, state))


@app.command("checks")
def run_checks() -> None:
    """Raise the waste checks of today into the alert desk (storage age, capacity, balance,
    manifests); as the periodic timer does."""
    with open_engine(require_current=True) as engine:
        changed = checks.raise_alerts(engine, config.waste_settings(),
                                      config.desk_settings().calendar)  # fmt: skip
    typer.echo(f"{len(changed)} alerts raised or updated")


@app.command("point")
def point(
    actor: Actor,
    code: Annotated[str, typer.Option("--code")],
    name: Annotated[str, typer.Option("--name")],
    collector: Annotated[int, typer.Option("--collector", metavar="HANDLER_ID")],
    capacity: Annotated[float, typer.Option("--capacity", metavar="T")],
    client: Annotated[list[str] | None, typer.Option("--client", metavar="CREDIT_CODE")] = None,
) -> None:
    """Set up a collection point of a licensed collector, with its client enterprises."""
    with open_engine(require_current=True) as engine:
        made = collection.add_point(engine, code=code, name=name, handler_id=collector,
                                    capacity_t=capacity, actor=actor)  # fmt: skip
        for credit_code in client or []:
            collection.add_client(engine, made["id"], credit_code, actor=actor)
    typer.echo(f"point {made['id']}: {made['code']} {made['name']}")


@app.command("collect")
def collect(
    actor: Actor,
    point_id: Annotated[int, typer.Option("--point", metavar="ID")],
    day: Annotated[str, typer.Option("--day", metavar="YYYY-MM-DD")],
    vehicle_plate: Annotated[str, typer.Option("--plate")],
    driver: Annotated[str, typer.Option("--driver")],
    line: Annotated[list[str], typer.Option("--line", metavar="CREDIT_CODE:CODE:T")],
) -> None:
    """Record a collection run: one manifest per client line, dispatched together."""
    lines = []
    for item in line:
        parts = item.split(":")
        if len(parts) != 3:
            fail(f"--line {item!r}: expected CREDIT_CODE:CODE:TONNES")
        lines.append((parts[0], parts[1], parts[2]))
    with open_engine(require_current=True) as engine:
        found = collection.collect(engine, point_id, day=day, vehicle_plate=vehicle_plate,
                                   driver=driver, lines=lines, settings=config.waste_settings(),
                                   calendar=config.desk_settings().calendar,
                                   actor=actor)  # fmt: skip
    run = found["runs"][0]
    typer.echo(f"run {run['id']}: {len(run['manifests'])} manifests, {run['total_t']:g} t")
