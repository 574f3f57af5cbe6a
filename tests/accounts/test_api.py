"""/api/v1/auth, /api/v1/users and /api/v1/audit through FastAPI's test client, on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException
from fastapi.testclient import TestClient
from tests.accounts.data import LIANGJIANG, POWER

from ecozone.accounts import audit, deps, rules, service
from ecozone.store.schema import auth_token


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def users(engine: sa.Engine) -> None:
    for username, role, scope in (
        ("root", "admin", {}),
        ("lj", "supervisor", {"district": LIANGJIANG}),
        ("power", "enterprise", {"enterprises": [POWER]}),
    ):
        service.create_user(engine, username, f"{username}-password", role=role, actor="tests",
                            **scope)  # fmt: skip


def login(client: TestClient, username: str, password: str | None = None):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password or f"{username}-password"},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- sessions --------------------------------------------------------------------------


def test_login_sets_an_httponly_samesite_lax_cookie_that_later_requests_carry(client, users):
    response = login(client, "root")
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"], len(body["token"])) == ("root", "admin", 43)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{deps.SESSION_COOKIE}={body['token']};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Max-Age=604800" in cookie  # 7 days: the session's longest life
    assert "Secure" not in cookie  # plain http here; see the https test
    me = client.get("/api/v1/auth/me").json()
    assert (me["username"], me["role"], me["authenticated"]) == ("root", "admin", True)


def test_cookie_is_secure_over_https(app, users):
    with TestClient(app, base_url="https://testserver") as client:
        assert "Secure" in login(client, "root").headers["set-cookie"]


def test_logout_ends_the_session_and_clears_the_cookie(client, users, engine):
    token = login(client, "root").json()["token"]
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert response.headers["set-cookie"].startswith(f'{deps.SESSION_COOKIE}="";')
    assert client.get("/api/v1/auth/me").json() == {
        "username": "anonymous", "role": "public", "authenticated": False,
        "display_name": None, "district": None, "enterprises": [],
    }  # fmt: skip
    assert service.authenticate(engine, token) is None  # gone on the server, not just the cookie


def test_session_token_works_as_bearer_too(client, users):
    token = login(client, "lj").json()["token"]
    client.cookies.clear()
    me = client.get("/api/v1/auth/me", headers=bearer(token)).json()
    assert (me["username"], me["district"]) == ("lj", LIANGJIANG)


def test_wrong_password_is_401_without_saying_which_part_was_wrong(client, users):
    for username, password in (("root", "not-the-password"), ("nobody", "root-password")):
        response = login(client, username, password)
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong username or password"}
        assert "set-cookie" not in response.headers


def test_login_right_after_3_failures_is_429_with_retry_after(client, users):
    for _ in range(3):
        assert login(client, "root", "guess-guess-guess").status_code == 401
    response = login(client, "root")  # the right password, too soon
    assert response.status_code == 429
    # 3 failures wait 1 s after the newest (rules.PAIR_BACKOFF), rounded up to whole seconds.
    assert response.headers["retry-after"] == "1"
    assert response.json() == {
        "detail": "too many failed logins for this username or from this address; try again in 1 s"
    }


# --- API tokens ---------------------------------------------------------------------------


def test_api_token_is_shown_once_stored_hashed_and_works_as_bearer(client, users, engine):
    login(client, "power")
    response = client.post("/api/v1/auth/tokens", json={"days": 30})
    assert response.status_code == 201
    issued = response.json()
    assert (issued["kind"], issued["username"]) == ("api", "power")
    with engine.connect() as conn:
        hashes = set(conn.execute(sa.select(auth_token.c.token_hash)).scalars())
    assert rules.token_hash(issued["token"]) in hashes and issued["token"] not in hashes
    with TestClient(client.app) as script:  # no cookie: the token alone
        me = script.get("/api/v1/auth/me", headers=bearer(issued["token"])).json()
    assert (me["username"], me["enterprises"]) == ("power", [POWER])


def test_api_token_needs_a_login(client):
    response = client.post("/api/v1/auth/tokens")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_or_expired_token_says_so_in_the_401(client):
    response = client.get("/api/v1/users", headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json() == {
        "detail": "not authenticated: the session or token is expired or unknown; log in again"
    }
    response = client.get("/api/v1/users")
    assert response.json() == {
        "detail": "not authenticated: log in first (session cookie or Authorization: Bearer token)"
    }


# --- users ---------------------------------------------------------------------------------


def test_users_are_for_admins_only(client, users):
    assert client.get("/api/v1/users").status_code == 401
    login(client, "lj")
    response = client.get("/api/v1/users")
    assert response.status_code == 403
    assert response.json() == {"detail": "this needs the role admin; lj is supervisor"}
    assert client.post("/api/v1/users", json={}).status_code == 403
    assert client.patch("/api/v1/users/power", json={"active": False}).status_code == 403


def test_admin_lists_users_with_their_scope(client, users):
    login(client, "root")
    items = client.get("/api/v1/users").json()["items"]
    assert [(u["username"], u["role"], u["district"], u["enterprises"], u["active"])
            for u in items] == [
        ("lj", "supervisor", LIANGJIANG, [], True),
        ("power", "enterprise", None, [POWER], True),
        ("root", "admin", None, [], True),
    ]  # fmt: skip
    assert all("password" not in key for user in items for key in user)


def test_admin_creates_a_user_who_can_then_log_in(client, users, engine):
    login(client, "root")
    response = client.post("/api/v1/users", json={
        "username": "plan", "password": "plan-2026-q1", "role": "coordinator",
        "display_name": "规划处",
    })  # fmt: skip
    assert response.status_code == 201
    assert response.json()["display_name"] == "规划处"
    [entry] = audit.entries(engine, entity="user_account", action="create", entity_id="plan")
    assert entry.actor == "root" and entry.after["password"] == "***"
    # One entry for the request: the route's own, not also the middleware's plain one.
    assert audit.entries(engine, action="POST") == []
    with TestClient(client.app) as other:
        assert login(other, "plan", "plan-2026-q1").status_code == 200


def test_bad_new_user_is_400_naming_the_problems_and_taken_name_409(client, users):
    login(client, "root")
    response = client.post("/api/v1/users", json={
        "username": "alice", "password": "alice", "role": "enterprise",
    })  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"detail": (
        "user 'alice' not created: password is 5 characters long; it must have at least 8; "
        "password must not be the username; "
        "an enterprise user must be bound to at least one enterprise"
    )}  # fmt: skip
    response = client.post("/api/v1/users", json={
        "username": "lj", "password": "long-enough", "role": "coordinator",
    })  # fmt: skip
    assert (response.status_code, response.json()) == (409, {"detail": "user 'lj' exists already"})
    response = client.post("/api/v1/users", json={
        "username": "x1", "password": "long-enough", "role": "root",
    })  # fmt: skip
    assert response.status_code == 422  # role outside the enumeration


def test_patch_changes_only_what_is_sent(client, users, engine):
    login(client, "root")
    response = client.patch("/api/v1/users/lj", json={"district": None})
    assert response.status_code == 200
    assert (response.json()["district"], response.json()["role"]) == (None, "supervisor")
    [entry] = audit.entries(engine, action="update", entity_id="lj")
    assert (entry.before, entry.after) == ({"district": LIANGJIANG}, {"district": None})
    assert client.patch("/api/v1/users/lj", json={"role": None}).json() == {
        "detail": "role cannot be null"
    }
    response = client.patch("/api/v1/users/nobody", json={"active": False})
    assert (response.status_code, response.json()) == (404, {"detail": "no user named 'nobody'"})


def test_disabling_a_user_ends_their_session_at_once(client, users):
    with TestClient(client.app) as power:
        login(power, "power")
        assert power.get("/api/v1/auth/me").json()["authenticated"] is True
        login(client, "root")
        assert client.patch("/api/v1/users/power", json={"active": False}).status_code == 200
        assert power.get("/api/v1/auth/me").json()["authenticated"] is False
        assert login(power, "power").json() == {
            "detail": "this account is disabled; ask an administrator"
        }


# --- audit ----------------------------------------------------------------------------------


def test_audit_log_is_for_admins_with_filters(client, users):
    assert client.get("/api/v1/audit").status_code == 401
    login(client, "power")
    assert client.get("/api/v1/audit").status_code == 403
    login(client, "root")
    client.patch("/api/v1/users/power", json={"display_name": "热电厂"})
    body = client.get("/api/v1/audit", params={"actor": "root", "action": "update"}).json()
    [entry] = body["items"]
    assert (entry["entity"], entry["entity_id"], entry["before"], entry["after"]) == (
        "user_account", "power", {"display_name": None}, {"display_name": "热电厂"},
    )  # fmt: skip
    # Newest first. Logging in as root in power's browser ended power's session.
    actions = [(e["actor"], e["action"]) for e in client.get("/api/v1/audit").json()["items"]]
    assert actions[:4] == [
        ("root", "update"), ("power", "logout"), ("root", "login"), ("power", "login"),
    ]  # fmt: skip
    assert actions[4:] == [("tests", "create")] * 3
    assert (
        client.get("/api/v1/audit", params={"entity": "user_account", "limit": 2}).json()["limit"]
        == 2
    )
    response = client.get("/api/v1/audit", params={"since": "2026-03-02T10:00",
                                                    "until": "2026-03-02T09:00"})  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"detail": "until 2026-03-02T09:00:00+08:00 is not after "
                               "since 2026-03-02T10:00:00+08:00"}  # fmt: skip


def test_audit_since_and_until_select_by_time(client, users):
    login(client, "root")
    items = client.get("/api/v1/audit", params={"since": "2000-01-01T00:00:00Z"}).json()["items"]
    assert len(items) == 4  # three creations and the login
    assert client.get("/api/v1/audit", params={"until": "2000-01-01"}).json()["items"] == []


def _writes_app(engine: sa.Engine) -> FastAPI:
    from tests.accounts.conftest import build_app

    app = build_app(engine)

    @app.post("/api/v1/test-things/{thing_id}", status_code=201)
    def make_thing(thing_id: int, principal=Depends(deps.require_login)) -> dict:
        if thing_id == 0:
            raise HTTPException(status_code=400, detail="thing 0 cannot be made")
        return {"id": thing_id}

    return app


def test_writes_without_an_entry_of_their_own_get_a_plain_one(engine, users):
    with TestClient(_writes_app(engine)) as client:
        login(client, "lj")
        assert client.post("/api/v1/test-things/7").status_code == 201
        assert client.post("/api/v1/test-things/0").status_code == 400  # refused: no entry
    [entry] = audit.entries(engine, action="POST")
    assert (entry.actor, entry.entity, entry.entity_id, entry.before) == (
        "lj", "/api/v1/test-things/{thing_id}", "7", None,
    )  # fmt: skip
    assert entry.after == {"path": "/api/v1/test-things/7", "status": 201}


def test_logout_with_an_api_token_revokes_it_and_is_audited(client, users, engine):
    login(client, "power")
    token = client.post("/api/v1/auth/tokens").json()["token"]
    client.cookies.clear()
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer(token)).json()["authenticated"] is False
    [entry] = audit.entries(engine, action="logout")
    assert (entry.actor, entry.entity, entry.before) == ("power", "auth_token", {"kind": "api"})


def test_logging_in_again_replaces_the_browsers_session(client, users, engine):
    first = login(client, "root").json()["token"]
    second = login(client, "root").json()["token"]
    assert service.authenticate(engine, first) is None
    assert service.authenticate(engine, second).username == "root"
