"""`ecozone users ...` as an operator runs it, on SQLite and PostgreSQL (ECOZONE_DATABASE_URL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.accounts.data import CHEMICAL, LIANGJIANG, POWER
from typer.testing import CliRunner

from ecozone.accounts import audit, service
from ecozone.accounts.cli import app
from ecozone.accounts.model import AuthError

IP = "127.0.0.1"


@pytest.fixture
def runner(engine: sa.Engine, seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ECOZONE_DATABASE_URL", seeded_url)
    return CliRunner()


def test_add_reads_the_password_from_stdin(runner, engine):
    result = runner.invoke(
        app, ["add", "lj", "--role", "supervisor", "--district", LIANGJIANG, "--password-stdin"],
        input="lj-secret-2026\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == f"created lj (supervisor, district {LIANGJIANG})\n"
    assert "lj-secret-2026" not in result.output
    principal, _ = service.login(engine, "lj", "lj-secret-2026", client_ip=IP)
    assert principal.district_id is not None
    [entry] = audit.entries(engine, entity="user_account", action="create")
    assert entry.actor.startswith("cli")  # cli:<operating-system user>


def test_add_prompts_twice_without_echoing(runner, engine):
    result = runner.invoke(
        app, ["add", "both", "--role", "enterprise", "--enterprise", POWER,
              "--enterprise", CHEMICAL], input="both-secret-1\nboth-secret-1\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation: " in result.output
    assert "both-secret-1" not in result.output
    assert f"created both (enterprise, enterprises {POWER}, {CHEMICAL})" in result.output
    service.login(engine, "both", "both-secret-1", client_ip=IP)


def test_bad_user_exits_1_naming_the_problems_and_stores_nothing(runner, engine):
    result = runner.invoke(
        app, ["add", "plan", "--role", "planner", "--password-stdin"], input="plan\n"
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "user 'plan' not created: unknown role 'planner'; expected one of admin, supervisor, "
        "enterprise, coordinator, bank; password is 4 characters long; it must have at least 8; "
        "password must not be the username\n"
    )
    assert service.list_users(engine) == []


def test_list_shows_role_scope_and_state(runner, engine):
    for username, role, scope in (
        ("root", "admin", {}),
        ("city", "supervisor", {}),
        ("power", "enterprise", {"enterprises": [POWER]}),
    ):
        service.create_user(engine, username, f"{username}-password", role=role, actor="t",
                            **scope)  # fmt: skip
    service.disable_user(engine, "power", actor="t")
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "city\tsupervisor, city-wide\tactive",
        "power\tenterprise, enterprises 91500000MA5U7AH918\tdisabled",
        "root\tadmin\tactive",
    ]


def test_list_without_users_says_how_to_add_one(runner):
    result = runner.invoke(app, ["list"])
    assert result.stdout == "no users; add one with `ecozone users add USERNAME --role admin`\n"


def test_passwd_replaces_the_password(runner, engine):
    service.create_user(engine, "root", "old-password", role="admin", actor="t")
    result = runner.invoke(app, ["passwd", "root", "--password-stdin"], input="new-password\n")
    assert result.exit_code == 0, result.output
    assert result.stderr == "password of root changed\n"
    with pytest.raises(AuthError):
        service.login(engine, "root", "old-password", client_ip=IP)
    service.login(engine, "root", "new-password", client_ip=IP)


def test_passwd_of_an_unknown_user_exits_1(runner):
    result = runner.invoke(app, ["passwd", "nobody", "--password-stdin"], input="long-enough\n")
    assert (result.exit_code, result.stderr) == (1, "no user named 'nobody'\n")


def test_token_prints_a_working_api_token_once(runner, engine):
    service.create_user(engine, "script", "script-password", role="supervisor", actor="t")
    result = runner.invoke(app, ["token", "script", "--days", "7"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert len(token) == 43
    assert "it is not shown again" in result.stderr
    assert service.authenticate(engine, token).username == "script"


def test_disable_stops_login(runner, engine):
    service.create_user(engine, "root", "root-password", role="admin", actor="t")
    service.create_user(engine, "bob", "bob-password", role="coordinator", actor="t")
    result = runner.invoke(app, ["disable", "bob"])
    assert (result.exit_code, result.stdout) == (0, "bob disabled\n")
    with pytest.raises(AuthError, match="disabled"):
        service.login(engine, "bob", "bob-password", client_ip=IP)
    assert runner.invoke(app, ["enable", "bob"]).stdout == "bob enabled\n"
    service.login(engine, "bob", "bob-password", client_ip=IP)


def test_database_without_the_schema_is_refused(sqlite_url, monkeypatch):
    monkeypatch.setenv("ECOZONE_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code == 1
    assert "run `ecozone db upgrade` first" in result.stderr
