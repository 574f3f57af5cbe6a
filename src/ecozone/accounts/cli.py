"""`ecozone users ...`: add, list, passwd, disable, API tokens; a thin shell over service.py.

Passwords are read from a hidden prompt (asked twice) or, with
--password-stdin, from the first line of standard input; they are never
echoed or accepted as arguments, which would leave them in shell history.
Changes are audited with the actor cli:<operating-system user>.
"""

from __future__ import annotations

import sys

import typer

from ecozone.accounts import service
from ecozone.accounts.model import AccountError, User
from ecozone.accounts.rules import API_TOKEN_DEFAULT_DAYS
from ecozone.cli_support import default_actor, open_engine

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="read the password from the first line of stdin"
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            typer.echo("no password on standard input", err=True)
            raise typer.Exit(1)
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(exc: AccountError) -> typer.Exit:
    typer.echo(str(exc), err=True)
    return typer.Exit(1)


@app.command()
def add(
    username: str = typer.Argument(..., help="login name"),
    role: str = typer.Option(..., help="admin, supervisor, enterprise or coordinator"),
    district: str | None = typer.Option(None, help="supervisors: only this district"),
    enterprise: list[str] = typer.Option(
        [], "--enterprise", help="enterprise users: credit code (repeat for several)"
    ),
    display_name: str | None = typer.Option(None, help="name shown in the UI"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a user."""
    password = _password(password_stdin)
    with open_engine(require_current=True) as engine:
        try:
            user = service.create_user(
                engine, username, password, role=role, actor=default_actor(),
                display_name=display_name, district=district, enterprises=enterprise,
            )  # fmt: skip
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(f"created {user.username} ({_scope(user)})")


def _scope(user: User) -> str:
    if user.district is not None:
        return f"{user.role}, district {user.district}"
    if user.enterprises:
        return f"{user.role}, enterprises {', '.join(user.enterprises)}"
    if user.role == "supervisor":
        return "supervisor, city-wide"
    return user.role


@app.command("list")
def list_() -> None:
    """Every user: username, role and scope, active or disabled."""
    with open_engine(require_current=True) as engine:
        users = service.list_users(engine)
    if not users:
        typer.echo("no users; add one with `ecozone users add USERNAME --role admin`")
    for user in users:
        state = "active" if user.active else "disabled"
        name = f"  {user.display_name}" if user.display_name else ""
        typer.echo(f"{user.username}\t{_scope(user)}\t{state}{name}")


@app.command()
def passwd(username: str = typer.Argument(...), password_stdin: bool = PASSWORD_STDIN) -> None:
    """Set a user's password; their browser sessions end."""
    password = _password(password_stdin)
    with open_engine(require_current=True) as engine:
        try:
            service.set_password(engine, username, password, actor=default_actor())
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(f"password of {username} changed", err=True)


@app.command()
def token(
    username: str = typer.Argument(...),
    days: int = typer.Option(API_TOKEN_DEFAULT_DAYS, help="days until it expires"),
) -> None:
    """Issue an API token (Authorization: Bearer) and print it; it is shown only this once."""
    with open_engine(require_current=True) as engine:
        try:
            issued = service.issue_api_token(engine, username, actor=default_actor(), days=days)
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(issued.token)
    typer.echo(f"API token for {username}, expires {issued.expires_at.isoformat()}; "
               "it is not shown again", err=True)  # fmt: skip


@app.command()
def disable(username: str = typer.Argument(...)) -> None:
    """Disable a user: no login, and every session and token of theirs ends."""
    _set_active(username, False)


@app.command()
def enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled user again."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    with open_engine(require_current=True) as engine:
        try:
            service.update_user(engine, username, actor=default_actor(), active=active)
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(f"{username} {'enabled' if active else 'disabled'}")


@app.command()
def tokens() -> None:
    """The API tokens still valid: id, holder, created, expires, last used (never the token)."""
    with open_engine(require_current=True) as engine:
        found = service.list_api_tokens(engine)
    if not found:
        typer.echo("no valid API tokens")
    for t in found:
        used = t.last_used_at.isoformat() if t.last_used_at else "never used"
        typer.echo(f"{t.id}\t{t.username}\t{t.created_at.isoformat()}\t"
                   f"{t.expires_at.isoformat()}\t{used}")  # fmt: skip


@app.command("revoke-token")
def revoke_token(token_id: int = typer.Argument(..., help="id shown by `ecozone users tokens`")):
    """End an API token at once."""
    with open_engine(require_current=True) as engine:
        try:
            revoked = service.revoke_api_token(engine, token_id, actor=default_actor())
        except AccountError as exc:
            raise _fail(exc) from None
    typer.echo(f"API token {revoked.id} of {revoked.username} revoked")
