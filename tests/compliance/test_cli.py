"""The permit, alerts, marks and webhooks commands against a real database (SQLite, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import yaml
from tests.compliance.conftest import MN_STACK, permit_file, put_aggregates
from typer.testing import CliRunner

from ecozone.compliance.cli import app
from ecozone.compliance.evaluation import evaluate


def test_commands_import_list_and_walk_an_alert_through_its_loop(
    engine, points, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout

    good = tmp_path / "permits.yaml"
    good.write_text(yaml.safe_dump(permit_file(), allow_unicode=True), encoding="utf-8")
    assert "permits created: 1 (91500000MA5U7AH918001P)" in run("permit", "import", str(good))
    assert "permits unchanged: 1" in run("permit", "import", str(good))
    bad = permit_file()
    bad["permits"][0]["outlets"][0]["limits"][0]["basis"] = "week"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    result = runner.invoke(app, ["permit", "import", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and result.stdout == ""
    assert "permits[0].outlets[0].limits[0].basis: 'week' is not hour or day" in result.stderr
    listed = yaml.safe_load(run("permit", "list"))
    assert [p["permit_no"] for p in listed["permits"]] == ["91500000MA5U7AH918001P"]

    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0, 130.0], zs=[150.0, 162.5])
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=2))
    rows = list(
        csv.DictReader(io.StringIO(run("alerts", "list", "--state", "open", "--format", "csv")))
    )
    assert [(r["id"], r["type"], r["mn"], r["point"], r["pollutant"]) for r in rows] == [
        (str(alert_id), "exceedance", MN_STACK, "DA001", "a21026")
    ]
    assert (
        rows[0]["start"],
        rows[0]["end"],
        rows[0]["peak"],
        rows[0]["limit"],
        rows[0]["state"],
    ) == (
        "2024-05-01T10:00:00+08:00",
        "2024-05-01T12:00:00+08:00",
        "162.5",
        "100.0",
        "open",
    )
    result = runner.invoke(app, ["alerts", "verify", str(alert_id), "--actor", "li"])
    assert result.exit_code == 2
    assert "cannot verify an alert that is open" in result.stderr
    assert (
        run("alerts", "dispatch", str(alert_id), "--actor", "li")
        == f"alert {alert_id} is dispatched\n"
    )
    run(
        "alerts",
        "feedback",
        str(alert_id),
        "--cause",
        "FGD pump",
        "--measures",
        "repaired",
        "--actor",
        "wang",
    )
    run("alerts", "verify", str(alert_id), "--actor", "li")
    assert run("alerts", "close", str(alert_id), "--actor", "li") == f"alert {alert_id} is closed\n"
    shown = json.loads(run("alerts", "show", str(alert_id)))
    assert [a["actor"] for a in shown["actions"]] == ["li", "wang", "li", "li"]
    assert run("alerts", "list", "--state", "open") == "[]\n"

    out = run(
        "marks",
        "declare",
        "--mn",
        MN_STACK,
        "--kind",
        "calibration",
        "--start",
        "2024-05-01T08:00",
        "--end",
        "2024-05-01T08:30",
        "--reason",
        "zero and span check",
        "--actor",
        "wang",
    )
    assert "(late: declared after the range began)" in out
    [mark] = json.loads(run("marks", "list", "--mn", MN_STACK))
    assert (mark["kind"], mark["declared_by"], mark["late"]) == ("calibration", "wang", True)
    reviewed = run("marks", "review", str(mark["id"]), "--decision", "rejected",
                   "--comment", "no calibration record", "--actor", "li")  # fmt: skip
    assert reviewed == f"data mark {mark['id']} rejected\n"
    run("marks", "revoke", str(mark["id"]))
    assert "revoked already" in runner.invoke(app, ["marks", "revoke", str(mark["id"])]).stderr

    assert "webhook 1 added" in run("webhooks", "add", "http://127.0.0.1:9/hook", "--secret", "k")
    [hook] = json.loads(run("webhooks", "list"))
    assert (hook["url"], hook["signed"]) == ("http://127.0.0.1:9/hook", True)
    assert run("webhooks", "deliver") == "attempted: 0, delivered: 0, retrying: 0, failed: 0\n"


def test_desk_commands_set_a_deadline_take_a_photo_send_back_and_close_a_false_alarm(
    engine, points, database_url, tmp_path, monkeypatch
):
    from ecozone.compliance.permits import import_permits

    monkeypatch.setenv("ECOZONE_DATABASE_URL", database_url)
    monkeypatch.setenv("ECOZONE_ALERT_DEADLINE_DAYS", "4")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.stdout

    import_permits(engine, permit_file(), actor="tests")
    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=1))
    run("alerts", "dispatch", str(alert_id), "--actor", "li")
    run("alerts", "urge", str(alert_id), "--actor", "li")
    photo = tmp_path / "site.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    run("alerts", "feedback", str(alert_id), "--cause", "pump", "--measures", "fixed",
        "--file", str(photo), "--actor", "wang")  # fmt: skip
    run("alerts", "send-back", str(alert_id), "--comment", "add the log", "--actor", "li")
    assert "reminded 0 overdue alert(s)" in run("alerts", "remind")
    assert run("alerts", "close", str(alert_id), "--reason", "false_alarm", "--comment",
               "calibration", "--actor", "li") == f"alert {alert_id} is closed\n"  # fmt: skip
    shown = json.loads(run("alerts", "show", str(alert_id)))
    assert [a["action"] for a in shown["actions"]] == [
        "dispatch", "urge", "feedback", "send_back", "close"
    ]  # fmt: skip
    assert shown["actions"][2]["attachments"][0]["name"] == "site.png"
    assert shown["close_reason"] == "false_alarm"
    assert shown["actions"][0]["deadline"] is not None
