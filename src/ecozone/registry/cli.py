"""`ecozone registry ...`: import and export the registry file, a thin shell over service.py."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from ecozone.registry.model import RegistryError
from ecozone.registry.service import export_registry, import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import current_revision, head_revision

app = typer.Typer(help="Registry of districts, enterprises, points and devices.",
                  no_args_is_help=True)  # fmt: skip


def _engine():
    engine = make_engine()
    if current_revision(engine) != head_revision():
        engine.dispose()
        typer.echo("the database schema is not current; run `ecozone db upgrade` first", err=True)
        raise typer.Exit(1)
    return engine


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
    engine = _engine()
    try:
        summary = import_registry(engine, data, actor="cli")
    except RegistryError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(str(summary))


@app.command()
def export(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="file to write (default: stdout)"
    ),
    zone: str | None = typer.Option(None, help="zone to export when several are stored"),
) -> None:
    """Write the registry as YAML, in the shape `import` reads."""
    engine = _engine()
    try:
        data = export_registry(engine, zone)
    except RegistryError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
