"""Access is enforced by the API itself: each role reads its own scope, and no anonymous write passes.

The data (tests.accounts.data): POWER in 两江新区, CHEMICAL and DISCLOSED in
西永综保区, only DISCLOSED disclosed to the public; one frame per device and
one from an unregistered MN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.accounts.conftest import build_app
from tests.accounts.data import (
    CHEMICAL,
    DISCLOSED,
    LIANGJIANG,
    MN_CHEMICAL,
    MN_DISCLOSED,
    MN_POWER_AIR,
    MN_POWER_WATER,
    MN_UNKNOWN,
    POWER,
    XIYONG,
)

from ecozone.accounts import deps, service

USERS = (
    ("root", "admin", {}),
    ("city", "supervisor", {}),
    ("lj", "supervisor", {"district": LIANGJIANG}),
    ("xy", "supervisor", {"district": XIYONG}),
    ("power", "enterprise", {"enterprises": [POWER]}),
    ("plan", "coordinator", {}),
)


def add_users(engine: sa.Engine) -> dict[str, str]:
    """The USERS, each with an API token; returns username -> token."""
    tokens = {}
    for username, role, scope in USERS:
        service.create_user(engine, username, f"{username}-password", role=role, actor="tests",
                            **scope)  # fmt: skip
        tokens[username] = service.issue_api_token(engine, username, actor="tests").token
    return tokens


@pytest.fixture
def tokens(engine: sa.Engine) -> dict[str, str]:
    return add_users(engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def get(client: TestClient, tokens: dict[str, str], who: str | None, url: str, **params):
    headers = {"Authorization": f"Bearer {tokens[who]}"} if who else {}
    return client.get(url, params=params, headers=headers)


def credit_codes(client, tokens, who) -> list[str]:
    response = get(client, tokens, who, "/api/v1/enterprises")
    assert response.status_code == 200
    return [e["credit_code"] for e in response.json()["items"]]


def point_owners(client, tokens, who) -> list[tuple[str, str]]:
    items = get(client, tokens, who, "/api/v1/points").json()["items"]
    return [(p["credit_code"], p["code"]) for p in items]


def frame_mns(client, tokens, who) -> set[str]:
    return {f["mn"] for f in get(client, tokens, who, "/api/v1/frames").json()["items"]}


# --- enterprise users -------------------------------------------------------------------


def test_enterprise_user_gets_404_for_another_enterprises_detail(client, tokens):
    assert get(client, tokens, "power", f"/api/v1/enterprises/{POWER}").status_code == 200
    unknown = get(client, tokens, "power", "/api/v1/enterprises/91500000000000000X")
    for other in (CHEMICAL, DISCLOSED):  # disclosed or not, another enterprise is not theirs
        response = get(client, tokens, "power", f"/api/v1/enterprises/{other}")
        assert response.status_code == 404
        # Word for word what an unregistered code gets: existence is not disclosed.
        assert response.json() == {"detail": f"no enterprise with credit code {other}"}
        assert unknown.json() == {"detail": "no enterprise with credit code 91500000000000000X"}


def test_enterprise_user_lists_only_its_own_enterprise_and_points(client, tokens):
    assert credit_codes(client, tokens, "power") == [POWER]
    assert point_owners(client, tokens, "power") == [(POWER, "DA001"), (POWER, "DW001")]
    filtered = get(client, tokens, "power", "/api/v1/points", enterprise=CHEMICAL)
    assert filtered.json() == {"items": []}
    districts = get(client, tokens, "power", "/api/v1/districts").json()["items"]
    assert [(d["name"], d["enterprise_count"]) for d in districts] == [(LIANGJIANG, 1),
                                                                       (XIYONG, 0)]  # fmt: skip


def test_enterprise_user_and_coordinator_get_403_for_raw_frames(client, tokens):
    for who in ("power", "plan"):
        response = get(client, tokens, who, "/api/v1/frames")
        assert response.status_code == 403
        assert response.json()["detail"].startswith("this needs the role admin or supervisor")


# --- supervisors ----------------------------------------------------------------------------


def test_district_supervisor_sees_only_the_districts_enterprises(client, tokens):
    assert credit_codes(client, tokens, "lj") == [POWER]
    assert sorted(credit_codes(client, tokens, "xy")) == sorted([CHEMICAL, DISCLOSED])
    assert get(client, tokens, "lj", f"/api/v1/enterprises/{CHEMICAL}").status_code == 404
    assert get(client, tokens, "lj", "/api/v1/enterprises", district=XIYONG).json() == {"items": []}
    assert point_owners(client, tokens, "lj") == [(POWER, "DA001"), (POWER, "DW001")]


def test_district_supervisor_reads_frames_of_the_districts_devices_only(client, tokens):
    assert frame_mns(client, tokens, "lj") == {MN_POWER_AIR, MN_POWER_WATER}
    assert frame_mns(client, tokens, "xy") == {MN_CHEMICAL, MN_DISCLOSED}
    # Frames of an unregistered MN belong to no district: city-wide staff only.
    everything = {MN_POWER_AIR, MN_POWER_WATER, MN_CHEMICAL, MN_DISCLOSED, MN_UNKNOWN}
    assert frame_mns(client, tokens, "city") == everything
    assert frame_mns(client, tokens, "root") == everything


def test_city_supervisor_and_admin_see_every_enterprise(client, tokens):
    for who in ("city", "root"):
        assert sorted(credit_codes(client, tokens, who)) == sorted([POWER, CHEMICAL, DISCLOSED])


# --- the public -----------------------------------------------------------------------------


def test_public_sees_disclosed_enterprises_only(client, tokens):
    assert credit_codes(client, tokens, None) == [DISCLOSED]
    assert get(client, tokens, None, f"/api/v1/enterprises/{DISCLOSED}").status_code == 200
    response = get(client, tokens, None, f"/api/v1/enterprises/{POWER}")
    assert (response.status_code, response.json()) == (
        404, {"detail": f"no enterprise with credit code {POWER}"},
    )  # fmt: skip
    assert point_owners(client, tokens, None) == [(DISCLOSED, "DW001")]
    districts = get(client, tokens, None, "/api/v1/districts").json()["items"]
    assert [(d["name"], d["enterprise_count"]) for d in districts] == [(LIANGJIANG, 0),
                                                                       (XIYONG, 1)]  # fmt: skip


def test_coordinator_sees_what_the_public_sees(client, tokens):
    assert credit_codes(client, tokens, "plan") == [DISCLOSED]


def test_public_gets_401_for_raw_frames(client, tokens):
    response = get(client, tokens, None, "/api/v1/frames")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_public_gets_401_on_write_routes(client, tokens):
    for method, url in (
        ("POST", "/api/v1/users"),
        ("PATCH", "/api/v1/users/root"),
        ("POST", "/api/v1/auth/tokens"),
    ):
        response = client.request(method, url, json={"username": "x", "password": "y" * 8,
                                                     "role": "admin"})  # fmt: skip
        assert response.status_code == 401, (method, url)
    assert [u.username for u in service.list_users(client.app.state.engine)] == [
        "city", "lj", "plan", "power", "root", "xy",
    ]  # fmt: skip


def anonymous_writes(client: TestClient) -> dict[str, int]:
    """Status of an anonymous request to each non-GET /api/v1 operation the app publishes,
    but for deps.PUBLIC_WRITE_ROUTES.

    The operations come from the OpenAPI document, the public list of what is
    mounted (a route hidden from it with include_in_schema=False is not seen).
    Path parameters are all "1": authentication is checked before they are.
    """
    statuses = {}
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method in sorted(m.upper() for m in operations):
            if method in ("GET", "HEAD", "OPTIONS") or (method, path) in deps.PUBLIC_WRITE_ROUTES:
                continue
            response = client.request(method, re.sub(r"\{[^}]+\}", "1", path), json={})
            statuses[f"{method} {path}"] = response.status_code
    return statuses


def test_every_write_route_refuses_the_anonymous_public(engine):
    """Every write the application mounts, now or later, answers 401 without credentials."""
    with TestClient(build_app(engine)) as client:
        statuses = anonymous_writes(client)
    unguarded = {operation: status for operation, status in statuses.items() if status != 401}
    assert unguarded == {}, (
        "these write routes do not refuse the anonymous public; guard them with "
        "ecozone.accounts.deps.require_roles(...)"
    )
    assert {"POST /api/v1/users", "PATCH /api/v1/users/{username}",
            "POST /api/v1/auth/tokens"} <= set(statuses)  # fmt: skip


def test_the_write_route_check_finds_an_unguarded_route(engine):
    app = build_app(engine)

    @app.delete("/api/v1/test-unguarded/{thing_id}")
    def unguarded(thing_id: int) -> dict:
        return {}

    with TestClient(app) as client:
        assert anonymous_writes(client)["DELETE /api/v1/test-unguarded/{thing_id}"] == 200


# --- measurements -----------------------------------------------------------------------------

def measured_mns(client, tokens, who, **params) -> set[str]:
    response = get(client, tokens, who, "/api/v1/measurements", kind="hour", **params)
    assert response.status_code == 200, response.text
    return {row["mn"] for row in response.json()["items"]}


def test_admin_reads_every_measurement(client, tokens):
    assert measured_mns(client, tokens, "root") == {
        MN_POWER_AIR, MN_POWER_WATER, MN_CHEMICAL, MN_DISCLOSED,
    }  # fmt: skip


def test_enterprise_user_gets_404_for_another_enterprises_measurements(client, tokens):
    response = get(client, tokens, "power", "/api/v1/measurements", kind="hour",
                   enterprise=CHEMICAL)  # fmt: skip
    assert (response.status_code, response.json()) == (
        404, {"detail": f"no enterprise with credit code {CHEMICAL}"},
    )  # fmt: skip
    response = get(client, tokens, "power", "/api/v1/measurements", kind="hour", mn=MN_CHEMICAL)
    assert (response.status_code, response.json()) == (
        404, {"detail": f"no device with MN {MN_CHEMICAL}"},
    )  # fmt: skip
    assert measured_mns(client, tokens, "power") == {MN_POWER_AIR, MN_POWER_WATER}


def test_public_reads_measurements_of_disclosed_enterprises_only(client, tokens):
    assert measured_mns(client, tokens, None) == {MN_DISCLOSED}
    assert measured_mns(client, tokens, "lj") == {MN_POWER_AIR, MN_POWER_WATER}
    response = get(client, tokens, None, "/api/v1/measurements", kind="hour", enterprise=POWER)
    assert response.status_code == 404
