"""`ecozone report annual` through Typer's test runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from tests.reports.data import POWER
from typer.testing import CliRunner

from ecozone.reports.cli import app

runner = CliRunner()


def run(url: str, *args: str):
    return runner.invoke(app, ["annual", *args], env={"ECOZONE_DATABASE_URL": url})


def test_html_goes_to_stdout_by_default(report_db_url: str):
    result = run(report_db_url, "--enterprise", POWER, "--year", "2024")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert 'id="overview-DA001"' in result.stdout


def test_xlsx_without_output_is_written_as_code_and_year_in_the_current_directory(
    report_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    result = run(report_db_url, "--enterprise", POWER, "--year", "2024", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    written = tmp_path / f"{POWER}-2024.xlsx"
    assert f"wrote {POWER}-2024.xlsx" in result.stderr
    assert load_workbook(io.BytesIO(written.read_bytes()))["概要 Summary"]["B11"].value == 8784
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no temporary file left


def test_output_option_names_the_file(report_db_url: str, tmp_path: Path):
    target = tmp_path / "report.html"
    result = run(report_db_url, "--enterprise", POWER, "--year", "2024", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "重庆示例热电有限公司" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--enterprise", "91500000XXXXXXXXXX", "--year", "2024", "--format", "xlsx"],
         "no enterprise with credit code 91500000XXXXXXXXXX"),
        (["--enterprise", POWER, "--year", "1999", "--format", "xlsx"],
         "year 1999 is out of range"),
        (["--enterprise", POWER, "--year", "2024", "--format", "docx"],
         "unknown report format 'docx'; expected one of html, pdf, xlsx"),
    ],
)  # fmt: skip
def test_bad_request_exits_2_with_the_reason_and_writes_nothing(
    report_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, message
):
    monkeypatch.chdir(tmp_path)
    result = run(report_db_url, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
