"""`ecozone trading`: the same use cases from the command line."""

from __future__ import annotations

import json

from tests.trading.data import CHEM, STEEL
from typer.testing import CliRunner

from ecozone import cli


def run(*args: str):
    return CliRunner().invoke(cli.app, ["trading", *args])


def test_allocate_trade_surrender_and_verify_from_the_command_line(ledger, monkeypatch):
    engine, _ids = ledger
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert run("allocate", "--actor", "ops", "--market", "carbon", "--enterprise", STEEL,
               "--vintage", "2025", "--quantity", "500", "--reason", "分配").exit_code == 0  # fmt: skip
    offered = run("offer", "--actor", "ops", "--market", "carbon", "--seller", STEEL,
                  "--buyer", CHEM, "--vintage", "2025", "--quantity", "120", "--price", "44")  # fmt: skip
    trade_id = offered.output.split()[1]
    for action in ("accept", "approve"):
        assert run("step", "--actor", "ops", "--trade", trade_id, "--action", action).exit_code == 0
    assert run("verified", "--actor", "ops", "--enterprise", STEEL, "--year", "2025",
               "--emissions-t", "300", "--verifier", "核查机构", "--verified-on",
               "2026-04-30").exit_code == 0  # fmt: skip
    assert run("surrender", "--actor", "ops", "--enterprise", STEEL, "--year", "2025",
               "--vintage", "2025", "--quantity", "300").exit_code == 0  # fmt: skip
    accounts = json.loads(run("accounts", "--market", "carbon").output)
    # STEEL: 500 − 120 − 300 = 80; CHEM: 120.
    assert sorted(a["balance"] for a in accounts) == ["120.0000", "80.0000"]
    too_much = run("surrender", "--actor", "ops", "--enterprise", STEEL, "--year", "2025",
                   "--vintage", "2025", "--quantity", "1")  # fmt: skip
    assert too_much.exit_code == 2 and "尚需清缴 0" in too_much.output
    assert run("verify").output.strip() == "every transaction sums to zero per unit"
    market = json.loads(run("market", "--market", "carbon").output)
    assert market["series"][0]["mean_price"] == "44.00"
