"""`ecozone credit ...` and `ecozone disclosure ...` on a stored zone: compute, show, repair;
obligations, prepare, publish, export; bad input exits with one line naming it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from tests.supervision.conftest import code
from tests.supervision.credit_data import add_decision, add_violation
from typer.testing import CliRunner

from ecozone.cli import app as cli


def run(url: str, *args: str):
    return CliRunner().invoke(cli, list(args), env={"ECOZONE_DATABASE_URL": url})


def test_credit_and_disclosure_from_the_command_line(
    engine: sa.Engine, database_url: str, tmp_path
) -> None:
    v = add_violation(engine, 1, "minor", date(2025, 4, 10), due=date(2025, 5, 10),
                      done=date(2025, 5, 5))  # fmt: skip
    add_decision(engine, v, 1, "penalty", 8000, date(2025, 4, 20), published=date(2025, 4, 22))
    computed = run(database_url, "credit", "compute", "--actor", "t", "2025")
    assert computed.exit_code == 0, computed.output
    assert f"{code(1)} chongqing=93/good national=92/honest 企业01" in computed.output
    shown = run(database_url, "credit", "show", code(1), "2025")
    assert (
        "+100  基础分" in shown.output and "-3  2025-04-20 处罚决定：罚款 8000 元" in shown.output
    )
    early = run(database_url, "credit", "repair", "--actor", "t", str(v), "--reason", "已整改",
                "--day", "2025-07-01")  # fmt: skip
    assert early.exit_code != 0 and "公示期未满" in early.output
    repaired = run(database_url, "credit", "repair", "--actor", "t", str(v), "--reason",
                   "已整改", "--day", "2025-08-01")  # fmt: skip
    assert repaired.exit_code == 0, repaired.output

    listed = run(database_url, "disclosure", "obligations", "2025")
    assert f"{code(1)} key_discharger" in listed.output and "overdue" in listed.output
    made = run(database_url, "disclosure", "prepare", "--actor", "t", code(1), "--year", "2025")
    assert made.exit_code == 0 and "version 1 draft, due 2026-03-15" in made.output, made.output
    published = run(database_url, "disclosure", "publish", "--actor", "t", "1")
    assert published.exit_code == 0 and "published" in published.output
    again = run(database_url, "disclosure", "publish", "--actor", "t", "1")
    assert again.exit_code != 0 and "已发布" in again.output
    out = tmp_path / "report.xlsx"
    exported = run(database_url, "disclosure", "export", "1", "--out", str(out))
    assert exported.exit_code == 0 and out.read_bytes()[:2] == b"PK"
