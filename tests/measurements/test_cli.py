"""The `query` command through Typer's test runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from tests.measurements.data import EXPECTED_CSV, EXPECTED_JSON, MN_BOILER_1
from typer.testing import CliRunner

from ecozone.measurements.cli import app

runner = CliRunner()


def run(url: str, *args: str):
    return runner.invoke(app, ["query", *args], env={"ECOZONE_DATABASE_URL": url})


def test_json_to_stdout(seeded_url: str):
    result = run(seeded_url, "--mn", MN_BOILER_1, "--pollutant", "a21026", "--kind", "hour",
                 "--start", "2024-05-01T11:00", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED_JSON + "\n"


def test_csv_to_stdout(seeded_url: str):
    result = run(seeded_url, "--mn", MN_BOILER_1, "--point", "DA001", "--pollutant", "a21026",
                 "--kind", "hour", "--start", "2024-05-01T11:00:00", "--end", "2024-05-01T13:00:00",
                 "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == EXPECTED_CSV


def test_limit_cuts_the_rows_in_time_order(seeded_url: str):
    result = run(seeded_url, "--mn", MN_BOILER_1, "--kind", "hour", "--format", "json",
                 "--limit", "3")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["data_time"][11:16], r["pollutant"]) for r in rows] == [
        ("10:00", "a21002"), ("10:00", "a21026"), ("11:00", "a21002"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mn", "88888880000001", "--kind", "hour"], "no device with MN 88888880000001"),
        (["--mn", MN_BOILER_1, "--kind", "hourly"], "unknown data kind 'hourly'"),
        (["--mn", MN_BOILER_1, "--kind", "hour", "--format", "xml"], "unknown output format 'xml'"),
        (
            ["--mn", MN_BOILER_1, "--kind", "hour", "--point", "DA002"],
            "is at outlet DA001, not at DA002",
        ),
        (
            ["--mn", MN_BOILER_1, "--kind", "hour", "--start", "2024-05-02", "--end", "2024-05-01"],
            "end 2024-05-01T00:00:00 is not after start 2024-05-02T00:00:00",
        ),
        (["--mn", MN_BOILER_1, "--kind", "hour", "--start", "soon"], "start 'soon' is not a time"),
    ],
)
def test_bad_input_exits_2_with_the_reason_on_stderr_only(seeded_url: str, args, message):
    result = run(seeded_url, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_missing_required_option_exits_2(seeded_url: str):
    result = run(seeded_url, "--kind", "hour")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--mn" in result.stderr


def test_database_without_schema_exits_1_naming_the_upgrade(sqlite_url: str):
    result = run(sqlite_url, "--mn", MN_BOILER_1, "--kind", "hour")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "ecozone db upgrade" in result.stderr
