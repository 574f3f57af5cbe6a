"""`ecozone monitoring recompute` and `capture` through Typer's test runner."""

from __future__ import annotations

import json

from tests.monitoring.data import DAY_1, SO2, full_hour, one, setup, store
from typer.testing import CliRunner

from ecozone.monitoring.cli import app

runner = CliRunner()


def run(url: str, *args: str):
    return runner.invoke(app, list(args), env={"ECOZONE_DATABASE_URL": url})


def test_recompute_prints_a_summary_and_capture_the_rates(database_url: str):
    engine, stack, _ = setup(database_url)
    try:
        store(engine, full_hour(stack, SO2, DAY_1, 50.0))
        result = run(database_url, "recompute", "--point-id", str(stack))
        assert result.exit_code == 0, result.output
        assert result.stdout == (
            "1 hourly and 1 daily values written for 1 points; 0 alerts raised or updated\n"
            f"  point {stack}: 2024-05-01 00:00 to 2024-05-02 00:00\n"
        )
        assert one(engine, stack, "hour", SO2, DAY_1)["valid"] is True

        result = run(database_url, "recompute", "--start", "2024-05-02", "--end", "2024-05-03")
        assert (result.exit_code, result.stdout.splitlines()[0]) == (
            0, "0 hourly and 0 daily values written for 0 points; 0 alerts raised or updated",
        )  # fmt: skip

        result = run(database_url, "capture", "--point-id", str(stack),
                     "--start", "2024-05-01", "--end", "2024-05-02")  # fmt: skip
        assert result.exit_code == 0, result.output
        [rate] = json.loads(result.stdout)
        # 1 of 24 hours present and valid: 1/24 = 4.2 %.
        assert (rate["pollutant"], rate["present"], rate["expected"]) == (SO2, 1, 24)
        assert rate["capture_rate"] == 1 / 24
    finally:
        engine.dispose()


def test_bad_input_exits_2_with_the_reason_and_writes_nothing(sqlite_url: str):
    engine, stack, _ = setup(sqlite_url)
    try:
        store(engine, full_hour(stack, SO2, DAY_1, 50.0))
        for args, message in (
            (["recompute", "--start", "soon"], "start 'soon' is not a time"),
            (["recompute", "--point-id", "999"], "no point with id 999"),
            (["recompute", "--start", "2024-05-03", "--end", "2024-05-01"], "is not after start"),
            (["capture", "--point-id", str(stack), "--start", "2024-05-01", "--end", "2024-05-02",
              "--basis", "week"], "unknown basis 'week'"),
        ):  # fmt: skip
            result = run(sqlite_url, *args)
            assert result.exit_code == 2, (args, result.output)
            assert message in result.stderr
            assert result.stdout == ""
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM aggregate").scalar() == 0
    finally:
        engine.dispose()


def test_database_without_schema_exits_1_naming_the_upgrade(sqlite_url: str):
    result = run(sqlite_url, "recompute")
    assert result.exit_code == 1
    assert "ecozone db upgrade" in result.stderr
