"""`ecozone registry ...`: import and export the registry file, a thin shell over service.py."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from ecozone.cli_support import open_engine
from ecozone.registry.model import RegistryError
from ecozone.registry.service import export_registry, import_registry

app = typer.Typer(help="Registry of districts, enterprises, points and devices.",
                  no_args_is_help=True)  # fmt: skip


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="registry YAML file"),
) -> None:
    """Create or update what FILE describes; all or nothing, every error listed."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: not a readable YAML file: {exc}", err=True)
        raise typer.Exit(1) from None
    with open_engine(require_current=True) as engine:
        try:
            summary = import_registry(engine, data, actor="cli")
        except RegistryError as exc:  # the file's errors, by path: exit 1 as YAML errors do
            typer.echo(f"{file}: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(str(summary))


@app.command()
def export(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="file to write (default: stdout)"
    ),
    zone: str | None = typer.Option(None, help="zone to export when several are stored"),
) -> None:
    """Write the registry as YAML, in the shape `import` reads."""
    with open_engine(require_current=True) as engine:
        try:
            data = export_registry(engine, zone)
        except RegistryError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
