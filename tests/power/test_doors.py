"""`ecozone power ...` and /api/v1/power on a stored day: the same use cases behind both."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.power.conftest import CREDIT_CODE, POWER_FILE
from tests.power.test_evaluation import stored_day  # noqa: F401 - the fixture
from typer.testing import CliRunner

from ecozone.accounts import service as accounts
from ecozone.api.app import domain_error
from ecozone.errors import EcozoneError
from ecozone.power import api
from ecozone.power.cli import app as cli

runner = CliRunner()


def _run(engine: sa.Engine, *args: str):
    url = engine.url.render_as_string(hide_password=False)
    return runner.invoke(cli, list(args), env={"ECOZONE_DATABASE_URL": url})


def test_cli_evaluates_and_raises_alerts(stored_day: sa.Engine):  # noqa: F811
    result = _run(
        stored_day,
        "evaluate",
        CREDIT_CODE,
        "--start",
        "2026-11-02T00:00",
        "--end",
        "2026-11-03T00:00",
        "--format",
        "json",
        "--raise-alerts",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [i["type"] for i in out["items"]] == [
        "control_off",
        "analyser_silent",
        "control_idle",
        "unsynchronised",
    ]
    assert len(out["alerts"]) == 4
    result = _run(
        stored_day,
        "states",
        CREDIT_CODE,
        "--start",
        "2026-11-02T07:00",
        "--end",
        "2026-11-02T09:00",
    )
    assert result.stdout.splitlines()[:3] == [
        "MF0001 1号熔炼线",
        "  11-02 07:00–11-02 08:00  off       P < 8 kW (θ_off 0.08 × P_ref)",
        "  11-02 08:00–11-02 09:00  running   P ≥ 30 kW",
    ]
    assert "  11-02 08:03–11-02 09:00  running   P ≥ 15 kW" in result.stdout


def test_cli_configure_reports_a_bad_file_in_one_line(engine: sa.Engine, tmp_path):
    good = tmp_path / "power.yaml"
    good.write_text(yaml.safe_dump(POWER_FILE, allow_unicode=True), encoding="utf-8")
    result = _run(engine, "configure", str(good))
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip()
        == "2 facilities, 2 meters, 2 channels, 1 links, 1 orders, 1 factors, 2 responses"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**POWER_FILE, "orders": [{"facility": "TA001"}]}))
    result = _run(engine, "configure", str(bad))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: orders[0].facility: 'TA001' is not a production facility here"
    )


@pytest.fixture
def client(stored_day: sa.Engine):  # noqa: F811
    app = FastAPI()
    app.state.engine = stored_day
    app.add_exception_handler(EcozoneError, domain_error)
    app.include_router(api.router)
    with TestClient(app) as client:
        client.tokens = {}
        for username, role, scope in (
            ("root", "admin", {}),
            ("owner", "enterprise", {"enterprises": [CREDIT_CODE]}),
        ):
            accounts.create_user(
                stored_day, username, f"{username}-Passw0rd!", role=role, actor="tests", **scope
            )
            client.tokens[username] = accounts.issue_api_token(
                stored_day, username, actor="tests"
            ).token
        yield client


def _get(client, who, url, **kw):
    return client.get(url, headers={"Authorization": f"Bearer {client.tokens[who]}"}, **kw)


def test_api_reads_states_and_findings_and_round_trips_the_configuration(client):
    answer = _get(
        client,
        "owner",
        f"/api/v1/power/enterprises/{CREDIT_CODE}/evaluation",
        params={"start": "2026-11-02T00:00", "end": "2026-11-03T00:00"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [f["type"] for f in body["findings"]] == [
        "control_off",
        "analyser_silent",
        "control_idle",
        "unsynchronised",
    ]
    line = next(f for f in body["facilities"] if f["code"] == "MF0001")
    assert (line["reference_kw"], line["off_kw"], line["low_kw"]) == (100, 8, 30)
    read = _get(client, "owner", f"/api/v1/power/enterprises/{CREDIT_CODE}").json()
    assert read["facilities"][1]["serves"] == ["MF0001"]
    assert (
        read["facilities"][1]["meters"][0]["channels"]
        == POWER_FILE["facilities"][1]["meters"][0]["channels"]
    )
    refused = client.put(
        f"/api/v1/power/enterprises/{CREDIT_CODE}",
        json=read,
        headers={"Authorization": f"Bearer {client.tokens['owner']}"},
    )
    assert refused.status_code == 403
    written = client.put(
        f"/api/v1/power/enterprises/{CREDIT_CODE}",
        json=read,
        headers={"Authorization": f"Bearer {client.tokens['root']}"},
    )
    assert written.status_code == 200, written.text
    assert written.json() == {
        "facilities": 2,
        "meters": 2,
        "channels": 2,
        "links": 1,
        "orders": 0,
        "factors": 1,
        "responses": 2,
    }
    bad = _get(
        client,
        "root",
        f"/api/v1/power/enterprises/{CREDIT_CODE}/evaluation",
        params={"start": "2026-11-03T00:00", "end": "2026-11-02T00:00"},
    )
    assert bad.status_code == 400 and "start must be before" in bad.text
