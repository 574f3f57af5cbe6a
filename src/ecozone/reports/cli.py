"""`ecozone report annual`: an enterprise's annual self-monitoring report as HTML, PDF or xlsx.

A thin shell over service. HTML goes to stdout unless --output is given; PDF
and xlsx are binary, so without --output they are written to
<credit_code>-<year>.<ext> in the current directory (`--output -` forces
stdout). The report is built before any file is opened, and a file is
written whole or not at all, so a bad request leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ecozone.cli_support import fail, open_engine
from ecozone.reports import service
from ecozone.reports.model import FORMATS


def annual_command(
    enterprise: Annotated[
        str,
        typer.Option("--enterprise", metavar="CREDIT_CODE", help="Unified social credit code."),
    ],
    year: Annotated[int, typer.Option("--year", metavar="YYYY", help="Calendar year.")],
    format: Annotated[
        str, typer.Option("--format", metavar="html|pdf|xlsx", help="Output format.")
    ] = "html",
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write; '-' for stdout. Default: stdout for html, "
            "<credit_code>-<year>.<ext> in the current directory for pdf and xlsx.",
        ),
    ] = None,
) -> None:
    """Write an enterprise's annual self-monitoring report (plan measure 18)."""
    if format not in FORMATS:
        fail(f"unknown report format {format!r}; expected one of {', '.join(FORMATS)}")
    with open_engine() as engine:
        report = service.build_annual_report(engine, enterprise, year)
    body = service.render_as(report, format)
    if output is None:
        output = "-" if format == "html" else f"{report.filename_stem}.{format}"
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        _write_whole(Path(output), body)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    typer.echo(f"wrote {output} ({len(body)} bytes)", err=True)


def _write_whole(path: Path, body: bytes) -> None:
    """Write `body` to a temporary file beside `path`, then rename it into place."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


app = typer.Typer(add_completion=False, no_args_is_help=True, help="Reports.")
app.command("annual")(annual_command)


@app.callback()
def _group() -> None:
    """Reports: `annual` writes an enterprise's annual self-monitoring report."""
