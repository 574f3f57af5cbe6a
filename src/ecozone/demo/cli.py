"""`ecozone demo`: thin shell over demo.service."""

from __future__ import annotations

import asyncio

import typer

from ecozone import config, logs
from ecozone.demo.service import DemoError, run_demo


def demo_command() -> None:
    """Start gateway, web/API and simulated devices on a demo zone (embedded SQLite by default)."""
    settings = config.load()
    logs.setup("WARNING")
    try:
        asyncio.run(run_demo(settings))
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"error: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
