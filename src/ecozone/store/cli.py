"""`ecozone db ...`: database commands, a thin shell over ecozone.store.migrate."""

from __future__ import annotations

import typer

from ecozone import config
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import upgrade_engine

app = typer.Typer(no_args_is_help=True)


@app.callback()
def db() -> None:
    """Database: create or upgrade the schema."""


@app.command()
def upgrade() -> None:
    """Bring the database (ECOZONE_DATABASE_URL) to this release's schema; safe to repeat."""
    url = config.load().database_url
    typer.echo(f"database: {display_url(url)}")
    result = upgrade_engine(make_engine(url), dispose=True)
    if result.changed:
        typer.echo(f"upgraded: {result.before or 'empty database'} -> {result.after}")
    else:
        typer.echo(f"already at revision {result.after}; nothing to do")
