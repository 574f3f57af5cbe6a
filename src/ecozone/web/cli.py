"""`ecozone web ...`: check that the pages' chart and map libraries are installed.

Thin: the libraries come from npm (web/package.json) through `make assets`;
this only reports what /static/vendor/ holds and what is missing.
"""

from __future__ import annotations

import typer

from ecozone.web.assets import VENDOR_DIR

app = typer.Typer(help="Web pages: dashboard, map, portal.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Web pages: dashboard, map, portal (served by `ecozone serve`)."""


#: Files the pages load from /static/vendor/.
VENDOR_FILES = ("echarts/echarts.min.js", "leaflet/leaflet.js", "leaflet/leaflet.css")


def missing_vendor_files() -> list[str]:
    return [name for name in VENDOR_FILES if not (VENDOR_DIR / name).is_file()]


@app.command("assets")
def assets() -> None:
    """Exit 0 when ECharts and Leaflet are in place under static/vendor, 1 otherwise."""
    missing = missing_vendor_files()
    if missing:
        typer.echo(f"missing in {VENDOR_DIR}: {', '.join(missing)}; run `make assets`", err=True)
        raise typer.Exit(1)
    typer.echo(f"chart and map libraries present in {VENDOR_DIR}")
