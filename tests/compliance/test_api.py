"""The REST endpoints over a real database (SQLite, PostgreSQL): roles, scope, the loop."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.compliance.conftest import CREDIT_CODE, MN_STACK, permit_file, put_aggregates

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.api.app import domain_error
from ecozone.compliance import api
from ecozone.compliance.evaluation import evaluate
from ecozone.compliance.permits import import_permits
from ecozone.errors import EcozoneError
from ecozone.registry import import_registry

OTHER = "91500112MA60XKQ2EE"  # a second enterprise, in another district


@pytest.fixture
def client(engine, monkeypatch) -> TestClient:
    monkeypatch.setattr(
        account_rules, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    import_registry(
        engine,
        {
            "districts": ["西永综保区"],
            "enterprises": [
                {
                    "credit_code": OTHER,
                    "name": "重庆示例化工有限公司",
                    "district": "西永综保区",
                    "points": [
                        {
                            "code": "DW001",
                            "name": "废水总排口",
                            "kind": "wastewater",
                            "device": {
                                "mn": "010000A8900016F000169DC2",
                                "password": "x",
                                "st": "32",
                            },
                        }
                    ],
                },
            ],
        },
    )
    app = FastAPI()
    app.state.engine = engine
    app.add_exception_handler(EcozoneError, domain_error)  # as the platform's app does
    app.include_router(api.router)
    with TestClient(app) as client:
        client.tokens = {}
        for username, role, scope in (
            ("root", "admin", {}),
            ("city", "supervisor", {}),
            ("power", "enterprise", {"enterprises": [CREDIT_CODE]}),
            ("chem", "enterprise", {"enterprises": [OTHER]}),
        ):
            accounts.create_user(
                engine, username, f"{username}-Passw0rd!", role=role, actor="tests", **scope
            )
            client.tokens[username] = accounts.issue_api_token(
                engine, username, actor="tests"
            ).token
        yield client


def call(client, who, method, url, **kwargs):
    headers = {"Authorization": f"Bearer {client.tokens[who]}"} if who else {}
    return client.request(method, url, headers=headers, **kwargs)


def test_permits_alerts_marks_and_webhooks_over_rest(client, engine, points):
    # every write refuses the anonymous public
    paths = client.get("/openapi.json").json()["paths"]
    writes = [(m.upper(), p) for p, ops in paths.items() for m in ops if m != "get"]
    assert len(writes) == 15  # 2 permit, 8 alert, 3 mark and 2 webhook writes
    for method, path in writes:
        response = client.request(method, re.sub(r"\{[^}]+\}", "1", path), json={})
        assert response.status_code == 401, (method, path)

    entry = permit_file()["permits"][0]
    assert call(client, "power", "POST", "/api/v1/permits", json=entry).status_code == 403
    created = call(client, "city", "POST", "/api/v1/permits", json=entry)
    assert created.status_code == 201, created.text
    assert created.json()["permit"]["class"] == "key"
    assert call(client, "city", "POST", "/api/v1/permits", json=entry).status_code == 409
    bad = dict(
        entry,
        outlets=[
            {
                "code": "DA001",
                "limits": [{"pollutant": "a21026", "limit": 100, "unit": "mg/m3", "basis": "week"}],
            }
        ],
    )
    response = call(client, "city", "PUT", f"/api/v1/permits/{entry['permit_no']}", json=bad)
    assert response.status_code == 400
    assert (
        "permit.outlets[0].limits[0].basis: 'week' is not hour or day" in response.json()["detail"]
    )
    # what GET gives, PUT takes back unchanged
    got = call(client, "power", "GET", f"/api/v1/permits/{entry['permit_no']}").json()
    assert (
        call(client, "city", "PUT", f"/api/v1/permits/{entry['permit_no']}", json=got).status_code
        == 200
    )
    assert call(client, "chem", "GET", "/api/v1/permits").json() == {"items": []}
    assert call(client, "chem", "GET", f"/api/v1/permits/{entry['permit_no']}").status_code == 404

    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=1))
    assert [a["id"] for a in call(client, "power", "GET", "/api/v1/alerts").json()["items"]] == [
        alert_id
    ]
    assert call(client, "chem", "GET", "/api/v1/alerts").json()["items"] == []
    assert call(client, "chem", "GET", f"/api/v1/alerts/{alert_id}").status_code == 404
    assert call(client, None, "GET", "/api/v1/alerts").status_code == 401

    url = f"/api/v1/alerts/{alert_id}"
    feedback = {"cause": "FGD pump tripped", "measures": "pump replaced"}
    early = call(client, "power", "POST", f"{url}/feedback", json=feedback)
    assert (early.status_code, early.json()["detail"]) == (
        409,
        f"alert {alert_id}: cannot feedback an alert that is open; feedback applies to "
        "dispatched alerts",
    )
    assert call(client, "power", "POST", f"{url}/dispatch", json={}).status_code == 403
    assert (
        call(client, "city", "POST", f"{url}/dispatch", json={"comment": "核查"}).json()["state"]
        == "dispatched"
    )
    assert call(client, "chem", "POST", f"{url}/feedback", json=feedback).status_code == 404
    assert (
        call(client, "power", "POST", f"{url}/feedback", json=feedback).json()["state"]
        == "feedback"
    )
    assert call(client, "city", "POST", f"{url}/verify", json={}).json()["state"] == "verified"
    closed = call(client, "city", "POST", f"{url}/close", json={}).json()
    assert [(a["actor"], a["action"]) for a in closed["actions"]] == [
        ("city", "dispatch"),
        ("power", "feedback"),
        ("city", "verify"),
        ("city", "close"),
    ]
    csv_text = call(client, "city", "GET", "/api/v1/alerts", params={"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("id,type,state,credit_code,mn,point,pollutant")

    mark = {
        "mn": MN_STACK,
        "kind": "maintenance",
        "start": "2024-05-02T09:00",
        "end": "2024-05-02T11:00",
        "reason": "CEMS maintenance",
    }
    assert call(client, "chem", "POST", "/api/v1/marks", json=mark).status_code == 404
    declared = call(client, "power", "POST", "/api/v1/marks", json=mark)
    assert declared.status_code == 201 and declared.json()["declared_by"] == "power"
    bad_mark = dict(mark, end="2024-05-02T08:00")
    assert call(client, "power", "POST", "/api/v1/marks", json=bad_mark).status_code == 400
    assert len(call(client, "city", "GET", "/api/v1/marks").json()["items"]) == 1
    assert call(client, "chem", "GET", "/api/v1/marks").json()["items"] == []
    mark_id = declared.json()["id"]
    review = {"decision": "rejected", "comment": "无维护计划"}
    assert (
        call(client, "power", "POST", f"/api/v1/marks/{mark_id}/review", json=review).status_code
        == 403
    )
    assert call(client, "city", "POST", f"/api/v1/marks/{mark_id}/review",
                json={"decision": "rejected"}).status_code == 400  # fmt: skip
    reviewed = call(client, "city", "POST", f"/api/v1/marks/{mark_id}/review", json=review).json()
    assert (reviewed["state"], reviewed["reviewed_by"]) == ("rejected", "city")
    assert call(client, "chem", "POST", f"/api/v1/marks/{mark_id}/revoke").status_code == 404
    assert call(client, "power", "POST", f"/api/v1/marks/{mark_id}/revoke").json()["revoked_at"]

    hook = {"url": "https://example.org/ecozone", "secret": "k"}
    assert call(client, "city", "POST", "/api/v1/webhooks", json=hook).status_code == 403
    added = call(client, "root", "POST", "/api/v1/webhooks", json=hook).json()
    assert "secret" not in added and added["signed"] is True
    paused = call(
        client, "root", "PATCH", f"/api/v1/webhooks/{added['id']}", json={"active": False}
    )
    assert paused.json()["active"] is False
    assert call(client, "root", "GET", f"/api/v1/webhooks/{added['id']}/deliveries").json() == {
        "items": []
    }


def test_another_enterprises_permit_alert_and_mark_answer_exactly_like_missing_ones(
    client, engine, points
):
    """Scope is the one access decision: outside it, the answer (status and message) is the
    one a record that does not exist gets, so existence does not leak."""
    entry = permit_file()["permits"][0]
    assert call(client, "city", "POST", "/api/v1/permits", json=entry).status_code == 201
    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])  # 150 > 100
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=1))
    mark = {
        "mn": MN_STACK,
        "kind": "shutdown",
        "start": "2024-05-03T00:00",
        "end": "2024-05-04T00:00",
        "reason": "annual overhaul",
    }
    mark_id = call(client, "power", "POST", "/api/v1/marks", json=mark).json()["id"]
    missing_alert, missing_mark = alert_id + 1000, mark_id + 1000

    def answer(who, method, url, **kwargs):
        response = call(client, who, method, url, **kwargs)
        return response.status_code, response.json()

    requests = [
        ("GET", "/api/v1/permits/{}", entry["permit_no"], "91500000MA5U7AH918999P", {}),
        ("GET", "/api/v1/alerts/{}", alert_id, missing_alert, {}),
        ("POST", "/api/v1/alerts/{}/feedback", alert_id, missing_alert, {
            "json": {"cause": "c", "measures": "m"}
        }),
        ("POST", "/api/v1/marks/{}/revoke", mark_id, missing_mark, {}),
    ]  # fmt: skip
    for method, url, theirs, missing, kwargs in requests:
        hidden = answer("chem", method, url.format(theirs), **kwargs)
        absent = answer("chem", method, url.format(missing), **kwargs)
        assert hidden[0] == absent[0] == 404, (url, hidden, absent)
        assert hidden[1]["detail"] == absent[1]["detail"].replace(str(missing), str(theirs))
    # the owner still sees every one of them
    assert answer("power", "GET", f"/api/v1/alerts/{alert_id}")[0] == 200
    assert answer("power", "GET", f"/api/v1/permits/{entry['permit_no']}")[0] == 200


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_desk_steps_over_rest_with_a_deadline_files_and_a_false_alarm(client, engine, points):
    import_permits(engine, permit_file(), actor="tests")
    t = datetime(2024, 5, 1, 10)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(engine, start=t, end=t + timedelta(hours=1))
    url = f"/api/v1/alerts/{alert_id}"
    sent = call(client, "city", "POST", f"{url}/dispatch", json={"deadline_days": 3})
    assert sent.status_code == 200, sent.text
    assert sent.json()["deadline"] is not None
    assert (
        call(client, "city", "POST", f"{url}/dispatch", json={"deadline_days": 0}).status_code
        == 422
    )
    assert (
        call(client, "city", "POST", f"{url}/urge", json={"comment": "请尽快"}).status_code == 200
    )
    refused = call(
        client,
        "power",
        "POST",
        f"{url}/feedback-with-files",
        data={"cause": "泵故障", "measures": "已更换"},
        files=[("files", ("note.txt", b"plain text", "image/png"))],
    )
    assert refused.status_code == 400 and "only JPEG or PNG" in refused.json()["detail"]
    answered = call(
        client,
        "power",
        "POST",
        f"{url}/feedback-with-files",
        data={"cause": "泵故障", "measures": "已更换"},
        files=[("files", ("现场.png", PNG, "image/png"))],
    )
    assert answered.status_code == 200, answered.text
    [photo] = answered.json()["actions"][-1]["attachments"]
    got = call(client, "power", "GET", f"{url}/attachments/{photo['sha256']}")
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PNG, "image/png")
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.png" in got.headers["content-disposition"]
    assert call(client, "chem", "GET", f"{url}/attachments/{photo['sha256']}").status_code == 404
    assert call(client, "power", "GET", f"{url}/attachments/{'0' * 64}").status_code == 404
    back = call(client, "city", "POST", f"{url}/send_back", json={"comment": "附记录"})
    assert back.json()["state"] == "dispatched"
    closed = call(
        client,
        "city",
        "POST",
        f"{url}/close",
        json={"reason": "false_alarm", "comment": "校准期间"},
    )
    assert (closed.json()["state"], closed.json()["close_reason"]) == ("closed", "false_alarm")
