"""`ecozone projects`: register from a file, move, pause and resume, read, the monthly report,
and a refusal on stderr with exit status 2."""

from __future__ import annotations

import json

import sqlalchemy as sa
from tests.projects.conftest import code
from typer.testing import CliRunner

from ecozone import cli


def test_the_command_line_runs_a_project_through_its_clock(
    engine: sa.Engine, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    file = tmp_path / "project.json"
    file.write_text(json.dumps({
        "name": "命令行项目", "builder_name": "重庆丁材料有限公司", "credit_code": code(31),
        "district": "两江新区", "industry": "新材料制造", "category": "form", "major": True,
        "lon": 106.6, "lat": 29.7}, ensure_ascii=False), "utf-8")  # fmt: skip
    run = CliRunner().invoke
    made = run(cli.app, ["projects", "create", str(file), "--actor", "lj"])
    assert made.exit_code == 0, made.output
    project_id = made.output.split()[1].rstrip(":")
    for stage, day in (("submitted", "2026-03-04"), ("accepted", "2026-03-06")):
        moved = run(cli.app, ["projects", "move", "--id", project_id, "--to", stage,
                              "--on", day, "--reason", "办理"])  # fmt: skip
        assert moved.exit_code == 0, moved.output
    paused = run(cli.app, ["projects", "pause", "--id", project_id, "--kind", "expert_review",
                           "--start", "2026-03-10", "--reason", "专家评审"])  # fmt: skip
    assert paused.exit_code == 0, paused.output
    assert run(cli.app, ["projects", "resume", "--id", project_id, "--end", "2026-03-20"]
               ).exit_code == 0  # fmt: skip
    shown = json.loads(run(cli.app, ["projects", "show", "--id", project_id]).output)
    # As the hand-worked case: 6 March accepted, 10..19 March paused, due 15 April.
    assert shown["clock"]["due_on"] == "2026-04-15" and shown["clock"]["paused_days"] == 10
    report = run(cli.app, ["projects", "report", "--month", "2026-03", "--format", "json"])
    [row] = json.loads(report.output)
    assert row["name"] == "命令行项目" and row["progress"] == "03-04 已报批；03-06 已受理"
    bad = run(cli.app, ["projects", "move", "--id", project_id, "--to", "operation",
                        "--on", "2026-04-01", "--reason", "x"])  # fmt: skip
    assert bad.exit_code == 2 and "“已受理”(accepted)" in bad.output
