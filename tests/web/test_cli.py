"""`ecozone web assets` says whether the chart and map libraries are in place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecozone.web import cli


def test_assets_reports_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli, "VENDOR_DIR", tmp_path)
    (tmp_path / "leaflet").mkdir()
    (tmp_path / "leaflet" / "leaflet.js").write_text("/* */")
    result = CliRunner().invoke(cli.app, ["assets"])
    assert result.exit_code == 1
    assert "echarts/echarts.min.js, leaflet/leaflet.css" in result.output
    assert "make assets" in result.output


def test_assets_passes_when_every_file_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cli, "VENDOR_DIR", tmp_path)
    for name in cli.VENDOR_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    result = CliRunner().invoke(cli.app, ["assets"])
    assert result.exit_code == 0 and "present" in result.output
