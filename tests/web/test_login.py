"""Signing in and out through the pages, with the real accounts package (no stand-in principal)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from tests.web.conftest import Zone, web_app

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.throttle import LoginThrottle
from ecozone.web.auth import SESSION_COOKIE

# Argon2 at its lowest cost: these tests are about the pages, not password hashing.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
LANDING = {"admin": "/", "supervisor": "/", "enterprise": "/portal", "coordinator": "/plan",
           "bank": "/finance"}


@pytest.fixture
def users(zone: Zone, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    monkeypatch.setattr(account_rules, "PASSWORD_HASHER", CHEAP_HASHER)
    monkeypatch.setattr(accounts, "LOGIN_THROTTLE", LoginThrottle())
    return accounts.ensure_demo_users(zone[0])


@pytest.fixture
def client(zone: Zone) -> Iterator[TestClient]:
    with TestClient(web_app(zone[0]), follow_redirects=False) as client:
        yield client


def test_each_role_signs_in_and_lands_on_its_home(zone: Zone, users):
    assert {role for _, _, role in users} == set(LANDING)
    for username, password, role in users:
        with TestClient(web_app(zone[0]), follow_redirects=False) as client:
            response = client.post("/login", data={"username": username, "password": password})
            assert response.status_code == 303, username
            assert response.headers["location"] == LANDING[role]
            cookie = response.headers["set-cookie"]
            assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie
            assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
            home = client.get(LANDING[role])
            assert home.status_code == 200
            assert f'data-role="{role}"' in home.text  # the header names the signed-in user


def test_wrong_password_is_refused_with_a_message(client: TestClient, users):
    response = client.post("/login", data={"username": "admin", "password": "not-it"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_too_many_failures_say_when_to_retry(client: TestClient, users):
    # From the 3rd failure on, each waits 1, 2, 4 ... s (accounts.rules.PAIR_BACKOFF): a
    # 429 comes at the latest with the 7th try however slow the machine.
    for _ in range(7):
        response = client.post("/login", data={"username": "admin", "password": "wrong"})
        if response.status_code == 429:
            break
    assert response.status_code == 429
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= 16
    assert f"请 {seconds} 秒后再试" in response.text


def test_login_follows_next_to_local_paths_only(client: TestClient, users):
    password = dict((u, p) for u, p, _ in users)["supervisor"]
    local = client.post(
        "/login", data={"username": "supervisor", "password": password, "next": "/plan"}
    )
    assert local.headers["location"] == "/plan"
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login", data={"username": "supervisor", "password": password, "next": target}
        )
        assert response.headers["location"] == "/", target


def test_login_form_keeps_next_and_empty_fields_are_refused(client: TestClient):
    form = client.get("/login", params={"next": "/plan"})
    assert form.status_code == 200 and 'name="next" value="/plan"' in form.text
    assert client.post("/login", data={"username": "", "password": ""}).status_code == 400


def test_logout_ends_the_session(client: TestClient, users):
    password = dict((u, p) for u, p, _ in users)["enterprise"]
    client.post("/login", data={"username": "enterprise", "password": password})
    assert client.get("/portal").status_code == 200
    response = client.post("/logout")
    assert (response.status_code, response.headers["location"]) == (303, "/login?signed_out=1")
    assert client.get("/portal").status_code == 303  # back to the login page
    assert "已退出登录" in client.get("/login", params={"signed_out": "1"}).text
