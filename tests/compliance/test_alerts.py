"""The alert loop (dispatch, feedback, verify, close, reopen), listing, and webhook delivery
with retries against a real local HTTP server; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
import sqlalchemy as sa
from tests.compliance.conftest import CREDIT_CODE, permit_file, put_aggregates

from ecozone.compliance import (
    ComplianceError,
    NotFoundError,
    TransitionError,
)
from ecozone.compliance.alerts import (
    close,
    dispatch,
    feedback,
    get_alert,
    list_alerts,
    reopen,
    verify,
)
from ecozone.compliance.evaluation import evaluate
from ecozone.compliance.permits import import_permits
from ecozone.compliance.webhooks import (
    add_webhook,
    deliver_pending,
    httpx_post,
    list_deliveries,
    list_webhooks,
)
from ecozone.store.schema import alert_action
from ecozone.times import CHINA_STANDARD_TIME

H = timedelta(hours=1)


def raise_exceedance(engine, points, hour: int = 10) -> int:
    import_permits(engine, permit_file(), actor="tester")
    t = datetime(2024, 5, 1, hour)
    put_aggregates(engine, points["DA001"], "a21026", t, [120.0], zs=[150.0])
    [alert_id] = evaluate(
        engine, start=t, end=t + H, now=datetime(2024, 5, 1, hour + 1, tzinfo=CHINA_STANDARD_TIME)
    )
    return alert_id


def action_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(alert_action)).scalar_one()


def test_alerts_are_listed_and_the_closed_loop_records_who_did_what_in_order(engine, points):
    alert_id = raise_exceedance(engine, points)
    [listed] = list_alerts(engine, {"state": "open", "type": "exceedance"})
    assert listed["id"] == alert_id
    assert (listed["credit_code"], listed["pollutant"], listed["pollutant_name"]) == (
        CREDIT_CODE,
        "a21026",
        "二氧化硫",
    )
    assert listed["unit"] == "mg/m3"
    assert list_alerts(engine, {"state": ["dispatched", "closed"]}) == []
    assert list_alerts(engine, {"credit_code": "91500000MA5U7AH9XX"}) == []
    assert (
        len(list_alerts(engine, {"start": "2024-05-01T10:30:00", "end": "2024-05-01T12:00"})) == 1
    )
    assert list_alerts(engine, {"start": "2024-05-01T11:00:00"}) == []  # ended at 11:00
    with pytest.raises(ComplianceError, match="state: 'pending' is not one of open, dispatched"):
        list_alerts(engine, {"state": "pending"})
    with pytest.raises(ComplianceError, match="unknown alert filter colour"):
        list_alerts(engine, {"colour": "red"})

    with pytest.raises(TransitionError) as info:
        feedback(engine, alert_id, "enterprise", cause="x", measures="y")
    assert str(info.value) == (
        f"alert {alert_id}: cannot feedback an alert that is open; "
        "feedback applies to dispatched alerts"
    )
    assert get_alert(engine, alert_id)["state"] == "open" and action_count(engine) == 0

    assert dispatch(engine, alert_id, "supervisor-li", comment="请核查")["state"] == "dispatched"
    with pytest.raises(TransitionError, match="feedback needs measures"):
        feedback(
            engine, alert_id, "enterprise-wang", cause="desulphuriser pump tripped", measures=""
        )
    answered = feedback(
        engine,
        alert_id,
        "enterprise-wang",
        cause="desulphuriser pump tripped",
        measures="pump replaced at 11:20; SO2 back under 35 mg/m3",
    )
    assert answered["state"] == "feedback"
    with pytest.raises(TransitionError, match="cannot close an alert that is feedback"):
        close(engine, alert_id, "supervisor-li")
    assert (
        verify(engine, alert_id, "supervisor-li", comment="site visit done")["state"] == "verified"
    )
    assert close(engine, alert_id, "supervisor-li")["state"] == "closed"
    with pytest.raises(TransitionError, match="reopen needs comment"):
        reopen(engine, alert_id, "supervisor-zhao", comment="")
    final = reopen(engine, alert_id, "supervisor-zhao", comment="recurred next morning")
    assert final["state"] == "open"
    assert [(a["actor"], a["action"]) for a in final["actions"]] == [
        ("supervisor-li", "dispatch"),
        ("enterprise-wang", "feedback"),
        ("supervisor-li", "verify"),
        ("supervisor-li", "close"),
        ("supervisor-zhao", "reopen"),
    ]
    assert final["actions"][1]["cause"] == "desulphuriser pump tripped"
    assert final["actions"][1]["measures"].startswith("pump replaced")

    with pytest.raises(NotFoundError, match="no alert 999999"):
        dispatch(engine, 999999, "supervisor-li")
    with pytest.raises(ComplianceError, match="actor: missing"):
        dispatch(engine, alert_id, "")
    assert action_count(engine) == 5


class _Receiver(BaseHTTPRequestHandler):
    """Answers 500 to the first POST and 204 to the rest; keeps what it received."""

    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(500 if len(self.received) == 1 else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_new_alerts_are_posted_signed_and_retried_with_backoff(engine, points):
    _Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        hook = add_webhook(engine, url, secret="s3cret", actor="admin")
        assert hook == {
            "id": hook["id"],
            "url": url,
            "active": True,
            "signed": True,
            "pending": 0,
            "delivered": 0,
            "failed": 0,
        }
        with pytest.raises(ComplianceError, match="exists already"):
            add_webhook(engine, url, actor="admin")
        with pytest.raises(ComplianceError, match="is not an http:// or https:// URL"):
            add_webhook(engine, "ftp://example.org/x", actor="admin")

        alert_id = raise_exceedance(engine, points)  # raised at 11:00 CST
        t = datetime(2024, 5, 1, 11, tzinfo=CHINA_STANDARD_TIME)
        first = deliver_pending(engine, t, post=httpx_post)
        assert (first.attempted, first.retrying, first.delivered) == (1, 1, 0)
        [delivery] = list_deliveries(engine, alert_id=alert_id)
        assert (delivery["attempts"], delivery["last_error"], delivery["status"]) == (
            1,
            "HTTP 500",
            "pending",
        )
        # first retry after base × 2^0 = 60 s
        assert datetime.fromisoformat(delivery["next_attempt_at"]) == t + timedelta(seconds=60)

        assert deliver_pending(engine, t + timedelta(seconds=30), post=httpx_post).attempted == 0
        second = deliver_pending(engine, t + timedelta(seconds=61), post=httpx_post)
        assert (second.attempted, second.delivered) == (1, 1)
        assert deliver_pending(engine, t + timedelta(hours=1), post=httpx_post).attempted == 0
        assert len(_Receiver.received) == 2  # one failure, one delivery, never a third

        headers, body = _Receiver.received[1]
        expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["X-Ecozone-Signature"] == expected
        assert headers["X-Ecozone-Delivery"] == str(delivery["id"])
        payload = json.loads(body)
        assert payload["event"] == "alert.created"
        assert (payload["alert"]["id"], payload["alert"]["type"]) == (alert_id, "exceedance")
        [status] = list_webhooks(engine)
        assert (status["delivered"], status["pending"]) == (1, 0)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
