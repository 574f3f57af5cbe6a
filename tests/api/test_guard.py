"""The request guards around every route: Origin check, body limits, unstorable characters,
bounded ids, forwarded headers, security headers, access to /metrics and /status."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.measurements.data import POWER
from tests.web.server import LiveServer

from ecozone import config
from ecozone.accounts import audit, service
from ecozone.accounts.deps import SESSION_COOKIE
from ecozone.api import app as app_module
from ecozone.api import create_app, guard
from ecozone.api.params import BIGINT_MAX

TWENTY_DIGITS = "9" * 20
EVIL = "https://evil.example"


def make_client(engine: sa.Engine, **settings) -> TestClient:
    return TestClient(
        create_app(engine, settings=replace(config.load(), **settings)),
        follow_redirects=False,
    )


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with make_client(engine) as client:
        yield client


def session_of(engine: sa.Engine, username: str, role: str, **scope) -> str:
    service.create_user(engine, username, f"{username}-password", role=role, actor="tests",
                        **scope)  # fmt: skip
    _, token = service.login(engine, username, f"{username}-password", client_ip="10.9.9.9")
    return token


# --- CSRF: writes with the session cookie come from this site -----------------------


def test_cross_site_form_post_with_the_session_cookie_is_refused_in_chinese(client, engine):
    client.cookies.set(SESSION_COOKIE, session_of(engine, "ent", "enterprise", enterprises=[POWER]))
    response = client.post(
        "/portal/alerts/7/feedback", data={"response": "已整改"}, headers={"Origin": EVIL}
    )
    assert response.status_code == 403
    assert "请求来自其他网站（https://evil.example），已被拒绝" in response.text


def test_body_less_api_post_from_another_site_is_refused_with_json(client, engine):
    client.cookies.set(SESSION_COOKIE, session_of(engine, "boss", "admin"))
    for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Referer": f"{EVIL}/page"}):
        response = client.post("/api/v1/auth/tokens", headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["detail"].startswith("Refused: the request comes from another site")
    assert audit.entries(engine, entity="auth_token") == []  # no token was issued


def test_same_site_and_bearer_writes_pass_the_origin_check(client, engine):
    token = session_of(engine, "boss", "admin")
    client.cookies.set(SESSION_COOKIE, token)
    own = client.post("/api/v1/auth/tokens", headers={"Origin": "http://testserver"})
    assert own.status_code == 201
    client.cookies.clear()
    bearer = client.post(
        "/api/v1/auth/tokens", headers={"Origin": EVIL, "Authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 201  # no other site can add an Authorization header


def test_a_trusted_origin_may_write_with_the_cookie(engine):
    token = session_of(engine, "boss", "admin")
    with make_client(engine, trusted_origins=("https://ecozone.example.gov.cn",)) as client:
        client.cookies.set(SESSION_COOKIE, token)
        headers = {"Origin": "https://ecozone.example.gov.cn"}
        assert client.post("/api/v1/auth/tokens", headers=headers).status_code == 201
        assert client.post("/api/v1/auth/tokens", headers={"Origin": EVIL}).status_code == 403


def test_logout_is_post_only(client, engine):
    client.cookies.set(SESSION_COOKIE, session_of(engine, "boss", "admin"))
    assert client.get("/logout").status_code == 405
    assert client.get("/api/v1/auth/me").json()["authenticated"] is True
    assert client.post("/logout").status_code == 303
    assert client.get("/api/v1/auth/me").json()["authenticated"] is False


# --- size and shape of the body ---------------------------------------------------------


def test_a_10_mb_json_login_is_413_before_parsing(client):
    body = json.dumps({"username": "x", "password": "p" * 10_000_000})
    response = client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than the limit of 1048576 bytes."
    }


def test_a_body_without_content_length_is_counted_as_it_arrives(client):
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "x", "password": "'
        for _ in range(40):
            yield b"p" * 65536  # 40 x 64 KiB = 2.5 MiB
        yield b'"}'

    response = client.post(
        "/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_uploads_have_their_own_larger_limit(engine):
    with make_client(engine, max_body_bytes=4096, max_upload_bytes=65536) as client:
        form = {"username": "x", "password": "p" * 5000}
        assert client.post("/login", data=form).status_code == 413
        files = {"attachment": ("a.pdf", b"%PDF-" + b"0" * 8000, "application/pdf")}
        # 8 kB of multipart passes the guard (the route itself then refuses: not logged in).
        assert client.post("/portal/alerts/7/feedback", files=files).status_code != 413
        big = {"attachment": ("a.pdf", b"%PDF-" + b"0" * 70_000, "application/pdf")}
        assert client.post("/portal/alerts/7/feedback", files=big).status_code == 413


def test_a_password_longer_than_1024_characters_is_422(client):
    response = client.post("/api/v1/auth/login", json={"username": "x", "password": "p" * 1025})
    assert response.status_code == 422


def test_json_nested_deeper_than_32_levels_is_422(client):
    deep = "[" * 33 + "]" * 33
    response = client.post(
        "/api/v1/auth/login", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "The JSON body is nested deeper than 32 levels."}
    # Brackets inside strings do not count.
    guard.check_json_shape(json.dumps({"a": "[" * 100}).encode())


def test_json_with_more_than_10000_keys_is_422(client):
    many = json.dumps({f"k{n}": 0 for n in range(10_001)})
    response = client.post(
        "/api/v1/auth/login", content=many, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "The JSON body has more than 10000 keys."}


# --- unstorable characters -----------------------------------------------------------


def test_nul_in_a_login_name_is_422_naming_the_field(client):
    response = client.post("/api/v1/auth/login", json={"username": "ad\x00min", "password": "x"})
    assert response.status_code == 422
    assert response.json() == {"detail": "body.username holds U+0000 (NUL), which is not allowed."}


def test_nul_in_a_path_a_query_or_a_static_path_is_422(client):
    for url in (f"/api/v1/enterprises/{POWER}%00", "/static/web.css%00", "/api/v1/points?x=%00"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "U+0000 (NUL)" in response.json()["detail"]
    page = client.get("/login?next=%00")
    assert page.status_code == 422
    assert "含有不允许的字符（U+0000 (NUL)）" in page.text


def test_nul_in_a_form_field_is_422_and_tabs_and_line_breaks_pass(client):
    refused = client.post("/login", data={"username": "a\x00", "password": "x"})
    assert refused.status_code == 422
    assert "form field username" in refused.text
    guard.check_body("application/x-www-form-urlencoded", b"reason=a%09b%0D%0Ac")


# --- ids and offsets of 20 digits ------------------------------------------------------


def test_ids_and_offsets_of_20_digits_are_404_or_422_not_500(client, admin):
    assert client.get(f"/points/{TWENTY_DIGITS}").status_code == 404  # the public page
    for url in (
        f"/api/v1/alerts/{TWENTY_DIGITS}",
        f"/api/v1/points/{TWENTY_DIGITS}/capture?start=2024-05-01&end=2024-05-02",
        f"/api/v1/airquality/stations/{TWENTY_DIGITS}",
        f"/api/v1/plan/measures/{TWENTY_DIGITS}",
        f"/api/v1/alerts?offset={TWENTY_DIGITS}",
        f"/api/v1/measurements?kind=hour&offset={TWENTY_DIGITS}",
    ):
        response = client.get(url, headers=admin)
        assert response.status_code == 422, url
    assert client.get(f"/api/v1/alerts/{BIGINT_MAX}", headers=admin).status_code == 404


def test_after_an_error_the_keep_alive_connection_keeps_working(engine):
    server = LiveServer(create_app(engine)).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for path, status in ((f"/points/{TWENTY_DIGITS}", 404), ("/static/x%00", 422),
                             ("/healthz", 200)):  # fmt: skip
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status == status, path
        conn.close()
    finally:
        server.stop()


# --- forwarded headers -------------------------------------------------------------------


def login_ip(engine: sa.Engine, client: TestClient, forwarded_for: str) -> str:
    service.create_user(engine, "walker", "walker-password", role="admin", actor="tests")
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "walker", "password": "walker-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.status_code == 200
    [entry] = audit.entries(engine, action="login")
    return entry.after["client_ip"]


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(engine):
    with TestClient(create_app(engine), client=("127.0.0.1", 5000)) as client:
        assert login_ip(engine, client, "203.0.113.9") == "127.0.0.1"


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(engine):
    settings = replace(config.load(), trusted_proxies=("10.0.0.0/8",))
    app = create_app(engine, settings=settings)
    with TestClient(app, client=("10.0.0.2", 5000)) as client:
        # The client prepended a lie; the proxy appended the address it saw.
        assert login_ip(engine, client, "1.2.3.4, 203.0.113.9, 10.0.0.3") == "203.0.113.9"


def test_serve_leaves_forwarded_headers_to_the_application(monkeypatch):
    seen = {}
    monkeypatch.setattr(app_module.uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    app_module.serve(engine=sa.create_engine("sqlite://"), settings=config.load())
    assert seen["proxy_headers"] is False  # uvicorn would trust any 127.0.0.1 peer


# --- headers and cookies ------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(client):
    for url in ("/login", "/api/v1/districts", "/static/web.css"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"], url
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_a_setting_forces_the_secure_cookie_flag(engine):
    service.create_user(engine, "walker", "walker-password", role="admin", actor="tests")
    body = {"username": "walker", "password": "walker-password"}
    with make_client(engine) as plain:
        assert "secure" not in plain.post("/api/v1/auth/login", json=body).headers[
            "set-cookie"].lower()  # fmt: skip
    with make_client(engine, secure_cookie=True) as forced:
        assert "secure" in forced.post("/api/v1/auth/login", json=body).headers[
            "set-cookie"].lower()  # fmt: skip
        form = forced.post("/login", data=body)
        assert "secure" in form.headers["set-cookie"].lower()


# --- /metrics and /status ------------------------------------------------------------------


def test_metrics_and_status_are_not_public(client):
    assert client.get("/metrics").status_code == 401
    response = client.get("/status")
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/status")


def test_a_scraper_reads_metrics_by_token_or_address(engine):
    with make_client(engine, metrics_token="scrape-me") as client:
        assert (
            client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200
        )
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    app = create_app(engine, settings=replace(config.load(), metrics_allow=("192.0.2.0/24",)))
    with TestClient(app, client=("192.0.2.7", 5000)) as client:
        assert client.get("/metrics").status_code == 200
        assert client.get("/status").status_code == 200
    with TestClient(app, client=("192.0.3.7", 5000)) as client:
        assert client.get("/metrics").status_code == 401


def test_audit_times_at_the_ends_of_the_calendar_are_422(client, admin):
    for query in ("since=0001-01-01", "until=0001-01-01T07:59:59"):
        response = client.get(f"/api/v1/audit?{query}", headers=admin)
        assert response.status_code == 422, query
        assert "is out of range" in response.json()["detail"]
