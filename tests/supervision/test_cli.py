"""`ecozone inspect ...` end to end on a stored zone: pool, listing, campaign, draw,
record, verify; bad input exits 2 with one line."""

from __future__ import annotations

import json

import sqlalchemy as sa
from tests.supervision.conftest import code
from typer.testing import CliRunner

from ecozone.cli import app as cli


def run(url: str, *args: str):
    return CliRunner().invoke(cli, ["inspect", *args], env={"ECOZONE_DATABASE_URL": url})


def test_the_cli_runs_a_campaign_end_to_end(engine: sa.Engine, database_url: str, tmp_path) -> None:
    added = run(database_url, "pool-add", "--actor", "t", "--name", "周敏", "--unit", "执法支队",
                "--certificate", "LJ900", "--district", "两江新区")  # fmt: skip
    assert added.exit_code == 0 and added.output.startswith("inspector 6: 周敏"), added.output
    assert (
        run(database_url, "conflict", "--actor", "t", "6", code(1), "--reason", "亲属").exit_code
        == 0
    )
    listed = run(database_url, "list-add", "--actor", "t", code(2), "--kind", "positive",
                 "--reason", "诚信", "--from", "2026-01-01")  # fmt: skip
    assert listed.exit_code == 0, listed.output
    lists = run(database_url, "lists", "--district", "两江新区", "--day", "2026-10-01")
    assert lists.output.count("\n") == 8 and "key" in lists.output and "positive" in lists.output
    made = run(database_url, "campaign-create", "--actor", "t", "--name", "四季度",
               "--start", "2026-10-01", "--end", "2026-12-31", "--district", "两江新区",
               "--quota", "key=34%", "--quota", "general=1")  # fmt: skip
    assert made.exit_code == 0 and made.output.startswith("campaign 1: commitment "), made.output
    drawn = run(database_url, "draw", "--actor", "t", "1")
    assert (
        drawn.exit_code == 0 and len(drawn.output.splitlines()) == 1 + 3
    )  # seed, 2 key, 1 general
    again = run(database_url, "draw", "--actor", "t", "1")
    assert again.exit_code != 0 and "不能重新抽取" in again.output
    path = tmp_path / "record.json"
    assert run(database_url, "record", "1", "--output", str(path)).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["seed"] in drawn.output
    verified = run(database_url, "verify", str(path))
    assert verified.exit_code == 0 and verified.output == "OK: 3 inspections reproduced\n"


def test_a_bad_quota_exits_2_naming_it(engine: sa.Engine, database_url: str) -> None:
    bad = run(database_url, "campaign-create", "--actor", "t", "--name", "x", "--start",
              "2026-10-01", "--end", "2026-12-31", "--quota", "key=lots")  # fmt: skip
    assert bad.exit_code == 2 and "--quota 'key=lots'" in bad.output



def test_the_exemption_list_a_trigger_and_a_suggestion_from_the_command_line(
    engine: sa.Engine, database_url: str
) -> None:
    listed = run(database_url, "exemptions")
    assert listed.exit_code == 0 and "version 2026.1" in listed.output
    assert "eia-registration-unfiled" in listed.output
    made = run(database_url, "trigger", code(3), "--reason", "投诉", "--reference", "12345-7",
               "--actor", "cli")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "trigger 1: 企业03 (complaint)" in made.output
    missing = run(database_url, "suggest", "99", "--day", "2026-10-01")
    assert missing.exit_code != 0 and "99" in missing.output
