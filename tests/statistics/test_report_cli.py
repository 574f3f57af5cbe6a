"""`ecozone statistics-reports` (statistics.report_cli): kinds, generate once, bad input."""

from __future__ import annotations

from tests.statistics.alerts_data import seed_alerts
from tests.web.conftest import seeded_zone
from typer.testing import CliRunner

from ecozone.statistics.report_cli import app


def test_generate_once_then_the_stored_one(sqlite_url, monkeypatch, tmp_path):
    engine, ids = seeded_zone(sqlite_url)
    seed_alerts(engine, ids)
    engine.dispose()
    monkeypatch.setenv("ECOZONE_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    assert "alert_handling" in runner.invoke(app, ["kinds"]).output
    first = runner.invoke(app, ["generate", "alert_handling", "2025-03", "--out", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "generated" in first.output
    assert (tmp_path / "报警处置统计月报（2025-03）.pdf").read_bytes()[:5] == b"%PDF-"
    again = runner.invoke(app, ["generate", "alert_handling", "2025-03"])
    assert "exists already" in again.output
    bad = runner.invoke(app, ["generate", "alert_handling", "2025-3x"])
    assert bad.exit_code == 2
    unknown = runner.invoke(app, ["generate", "nothing", "2025-03"])
    assert unknown.exit_code == 2 and "unknown report kind" in unknown.output
