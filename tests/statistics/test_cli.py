"""`ecozone statistics transmission|emissions|exceedances` through Typer's test runner."""

from __future__ import annotations

import json

from tests.statistics.data import ALPHA, add_emissions_and_exceedances, seed
from typer.testing import CliRunner

from ecozone.statistics.cli import app

runner = CliRunner()


def run(url: str, *args: str, **env: str):
    return runner.invoke(app, list(args), env={"ECOZONE_DATABASE_URL": url, **env})


def test_the_commands_print_the_hand_computed_figures(sqlite_url):
    engine, ids = seed(sqlite_url)
    add_emissions_and_exceedances(engine, ids)
    engine.dispose()
    result = run(sqlite_url, "transmission", "--period", "2024-06")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"]["valid"] == 1430
    # A threshold of 80 % through the environment: DW001's 80.36 % is no longer below.
    result = run(sqlite_url, "transmission", "--period", "2024-06", "--table",
                 "below_threshold", "--format", "csv", ECOZONE_STATISTICS_THRESHOLD_PCT="80")  # fmt: skip
    assert result.exit_code == 0 and result.stdout == ""
    result = run(sqlite_url, "emissions", "--period", "2024-06", "--format", "csv",
                 "--enterprise", ALPHA)  # fmt: skip
    header, *rows = result.stdout.splitlines()
    assert "share_pct" in header and any(r.endswith(",9.0") for r in rows)
    result = run(sqlite_url, "exceedances", "--period", "2024-06")
    assert json.loads(result.stdout)["total"]["hours"] == 273.0


def test_bad_input_is_named_with_exit_status_2(sqlite_url):
    seed(sqlite_url)[0].dispose()
    result = run(sqlite_url, "transmission", "--period", "June")
    assert result.exit_code == 2 and "June" in result.output
    result = run(sqlite_url, "emissions", "--period", "2024", "--format", "csv", "--table", "x")
    assert result.exit_code == 2 and "--table 'x'" in result.output
