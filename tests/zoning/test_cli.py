"""`ecozone zoning import|check|red-line`: a layer file imported from the command line, a
refused one naming its feature with exit status 2, and the check as JSON."""

from __future__ import annotations

import json

from tests.zoning.data import FORBID_CHEM, RED_LINE, UNITS, collection, feature, seed
from typer.testing import CliRunner

from ecozone import cli


def test_import_and_check_from_the_command_line(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/ecozone.db"
    seed(url).dispose()
    monkeypatch.setenv("ECOZONE_DATABASE_URL", url)
    runner = CliRunner()
    (tmp_path / "red.geojson").write_bytes(RED_LINE)
    (tmp_path / "units.geojson").write_bytes(UNITS)
    done = runner.invoke(cli.app, ["zoning", "import", str(tmp_path / "red.geojson"),
                                   "--layer", "red_line", "--version", "2024-01-01",
                                   "--actor", "tests"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "layer red_line version 2024-01-01" in done.output and "1 features" in done.output
    runner.invoke(cli.app, ["zoning", "import", str(tmp_path / "units.geojson"), "--layer",
                            "control_unit", "--version", "2024-01-01", "--actor", "tests"])
    answer = runner.invoke(cli.app, ["zoning", "check", "--lon", "106.75", "--lat", "29.65",
                                     "--industry", "化工", "--date", "2025-01-01"])  # fmt: skip
    assert answer.exit_code == 0, answer.output
    found = json.loads(answer.output)
    assert found["verdict"] == "forbidden" and found["units"][0]["entries"][0]["rule"] == FORBID_CHEM
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    (tmp_path / "bad.geojson").write_bytes(collection(feature("P-9", "坏园区", bowtie)))
    bad = runner.invoke(cli.app, ["zoning", "import", str(tmp_path / "bad.geojson"), "--layer",
                                  "park", "--version", "2024-01-01", "--actor", "tests"])
    assert bad.exit_code == 2 and "feature 'P-9' (坏园区): invalid geometry" in bad.output
    integrity = json.loads(runner.invoke(cli.app, ["zoning", "red-line"]).output)
    assert integrity[0]["feature_count"] == 1
