"""The `ecozone` command: a thin Typer shell over the capability packages.

Each package that has commands offers a Typer sub-app in its own `cli.py`;
this module only mounts them.
"""

from __future__ import annotations

import typer

from ecozone import __version__

app = typer.Typer(
    help="ecozone: eco-environment supervision platform for industrial and free-trade zones.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the ecozone version."""
    typer.echo(__version__)
