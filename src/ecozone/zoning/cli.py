"""`ecozone zoning import|layers|check|red-line|soil`: the zoning layers from the command line.

Thin over zoning.service and zoning.soil; bad input goes to stderr with exit status 2
(cli_support), a database that cannot be read exits with 1.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ecozone.cli_support import Actor, fail, open_engine
from ecozone.zoning import emergency, service, soil

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help='"Three lines, one list" layers, the location check, red line and soil list.',
)


def _print(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command("import")
def import_layer(
    actor: Actor,
    file: Annotated[Path, typer.Argument(help=".geojson/.json, .zip of a Shapefile, or .shp")],
    layer: Annotated[str, typer.Option("--layer", metavar="red_line|control_unit|park|shoreline")],
    version: Annotated[str, typer.Option("--version", metavar="YYYY-MM-DD",
                                         help="The date the layer is in force from.")],
) -> None:  # fmt: skip
    """Import a layer version; an invalid feature refuses the whole file, naming it."""
    with open_engine(require_current=True) as engine:
        made = service.import_file(engine, file, layer, version, actor=actor)
    typer.echo(f"layer {made['kind']} version {made['valid_from']} (id {made['id']}): "
               f"{made['feature_count']} features, {made['area_m2'] / 1e6:.4f} km²")  # fmt: skip


@app.command("layers")
def layers(layer: Annotated[str | None, typer.Option("--layer")] = None) -> None:
    """Every layer version with its feature count and area, as JSON."""
    with open_engine() as engine:
        _print(service.versions(engine, layer))


@app.command("check")
def check(
    lon: Annotated[float, typer.Option("--lon")],
    lat: Annotated[float, typer.Option("--lat")],
    industry: Annotated[str, typer.Option("--industry")],
    on: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD")] = None,
) -> None:
    """What the layers in force on the date say of a point and an industry, as JSON."""
    try:
        day = date.fromisoformat(on) if on else emergency.today_cst()
    except ValueError:
        fail(f"--date {on!r}: expected YYYY-MM-DD")
    with open_engine() as engine:
        _print(service.check_dict(service.check(engine, lon, lat, industry, day)))


@app.command("red-line")
def red_line() -> None:
    """Red-line area by version and the changes between versions, flagged, as JSON."""
    with open_engine() as engine:
        _print(service.red_line_integrity(engine))


@app.command("soil")
def soil_sites(status: Annotated[str | None, typer.Option("--status")] = None) -> None:
    """The soil risk control and remediation list, as JSON."""
    with open_engine() as engine:
        _print(soil.sites(engine, None, status))
