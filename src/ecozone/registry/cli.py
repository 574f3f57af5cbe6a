"""`ecozone registry ...`: import and export the registry file, a thin shell over service.py."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml

from ecozone import safeyaml
from ecozone.cli_support import open_engine
from ecozone.registry import onboarding
from ecozone.registry.model import RegistryError
from ecozone.registry.service import export_registry, import_registry, set_device_password

app = typer.Typer(help="Registry of districts, enterprises, points and devices.",
                  no_args_is_help=True)  # fmt: skip


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="registry YAML file"),
) -> None:
    """Create or update what FILE describes; all or nothing, every error listed."""
    try:
        data = safeyaml.read_file(file)
    except safeyaml.YamlRefused as exc:
        typer.echo(f"{file}: {exc}", err=True)
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
    with_secrets: bool = typer.Option(
        False, "--with-secrets", help="include device passwords and SM4 keys (a full backup)"
    ),
) -> None:
    """Write the registry as YAML, in the shape `import` reads; device secrets are left out
    (import keeps the stored ones) unless --with-secrets."""
    with open_engine(require_current=True) as engine:
        try:
            data = export_registry(engine, zone, with_secrets=with_secrets)
        except RegistryError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@app.command("set-password")
def set_password(
    mn: str = typer.Argument(..., help="the device's MN"),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="ECOZONE_DEVICE_PASSWORD",
        help="new access password (prompted when not given)",
    ),
    actor: str = typer.Option("cli", help="recorded in the audit log as who did it"),
) -> None:
    """Rotate a device's HJ 212 access password (sealed at rest; audited)."""
    with open_engine(require_current=True) as engine:
        set_device_password(engine, mn, password, actor=actor)
    typer.echo(f"password of MN {mn} changed; tell the device (CN 1072) before its next frame")


@app.command()
def pending() -> None:
    """Loggers that announced themselves (HJ 212-2025 CN 1001) and their approval state."""
    with open_engine() as engine:
        rows = onboarding.list_pending(engine)
    if not rows:
        typer.echo("no pending loggers")
    for p in rows:
        macs = ", ".join(m for m in (p.mac1, p.mac2) if m) or "-"
        typer.echo(
            f"{p.logger_sn}\t{p.status}\tMN {p.assigned_mn or p.sent_mn or '-'}"
            f"\tCPU {p.cpu_id or '-'}\tMAC {macs}\tfrom {p.peer}"
            f"\tlast seen {p.last_seen_at:%Y-%m-%d %H:%M:%S}Z"
        )


@app.command()
def approve(
    logger_sn: str = typer.Argument(..., help="logger serial (i23005-Info of its CN 1001)"),
    enterprise: str = typer.Option(..., help="credit code of the enterprise of the point"),
    point: str = typer.Option(..., help="outlet code of the point, e.g. DA001"),
    mn: str | None = typer.Option(None, help="MN to assign (default: derived from the hardware)"),
    st: str | None = typer.Option(None, help="system code (default: the one the logger sent)"),
    lenient: bool = typer.Option(False, help="tolerate the device's protocol deviations"),
    actor: str = typer.Option("cli", help="recorded in the audit log as who did it"),
) -> None:
    """Register an announced logger as a point's device; its MN goes out with CN 1002."""
    with open_engine(require_current=True) as engine:
        approved = onboarding.approve(
            engine, logger_sn, credit_code=enterprise, point_code=point, actor=actor,
            mn=mn, st=st, lenient=lenient,
        )  # fmt: skip
    typer.echo(f"logger {logger_sn} approved as MN {approved.assigned_mn} on point {point}")
