"""What every `ecozone` command shares: opening the database, failing, and the --actor option.

A command opens the database with `open_engine()`; whatever goes wrong inside
becomes one line on stderr and an exit status, decided here and nowhere else:
a domain error (ecozone.errors) exits with its kind's `exit_code` (2, bad
input), a database that cannot be used with errors.EXIT_DATABASE (1). The
engine is always disposed.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import sqlalchemy as sa
import typer

from ecozone import config
from ecozone.errors import EXIT_DATABASE, EcozoneError
from ecozone.store.engine import display_url, make_engine
from ecozone.store.migrate import current_revision, head_revision

#: Exit status for input the command cannot answer (as click uses for usage errors).
EXIT_BAD_INPUT = EcozoneError.exit_code


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print `error: message` on stderr and end the command with `code`."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def default_actor() -> str:
    """How the command line appears in the audit log: cli:<operating-system user>."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for the uid (a bare container)
        return "cli"


Actor = Annotated[
    str,
    typer.Option(
        "--actor",
        help="Who is acting, recorded with the change.",
        default_factory=default_actor,
        show_default="cli:<login>",
    ),
]

#: --format for commands that print rows.
Format = Annotated[str, typer.Option("--format", metavar="json|csv", help="Output format.")]
#: --start / --end of commands over a range of device time, half-open.
Start = Annotated[
    str | None,
    typer.Option("--start", metavar="ISO", help="From this device time (CST), inclusive."),
]
End = Annotated[
    str | None,
    typer.Option("--end", metavar="ISO", help="Up to this device time (CST), exclusive."),
]


@contextmanager
def open_engine(*, require_current: bool = False) -> Iterator[sa.Engine]:
    """The engine of the configured database, for one command.

    With `require_current`, a database whose schema is not at the newest
    revision is refused before anything runs (commands that write).
    """
    try:
        url = config.load().database_url
    except ValueError as exc:
        fail(str(exc))
    engine = make_engine(url)
    try:
        if require_current and current_revision(engine) != head_revision():
            fail(
                f"the database at {display_url(url)} is not at the current schema; "
                "run `ecozone db upgrade` first",
                EXIT_DATABASE,
            )
        yield engine
    except EcozoneError as exc:
        fail(str(exc), exc.exit_code)
    except sa.exc.SQLAlchemyError as exc:
        fail(
            f"cannot use the database at {display_url(url)} (is it upgraded? "
            f"`ecozone db upgrade`): {exc.__class__.__name__}: {getattr(exc, 'orig', None) or exc}",
            EXIT_DATABASE,
        )
    finally:
        engine.dispose()
