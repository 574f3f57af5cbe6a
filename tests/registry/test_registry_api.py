"""Device password rotation and onboarding approval over REST: admin only, audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.api.conftest import admin_headers, cheap_password_hashing, engine, seeded_url  # noqa: F401
from tests.measurements.data import MN_BOILER_1

from ecozone.accounts import service as accounts
from ecozone.api import create_app
from ecozone.registry import load_devices
from ecozone.registry.onboarding import record_announcement
from ecozone.store.schema import audit_log

CREDIT = "91500000MA5U7AH918"


@pytest.fixture
def admin(engine: sa.Engine) -> dict[str, str]:  # noqa: F811
    return admin_headers(engine)


@pytest.fixture
def client(engine: sa.Engine, admin) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(engine), headers=admin) as client:
        yield client


def test_admin_rotates_a_device_password_and_it_is_audited(client, engine):  # noqa: F811
    response = client.post(f"/api/v1/devices/{MN_BOILER_1}/password", json={"password": "a1b2c3"})
    assert response.status_code == 204, response.text
    with engine.connect() as conn:
        assert load_devices(conn)[MN_BOILER_1].password == "a1b2c3"
        entry = conn.execute(
            sa.select(audit_log).where(audit_log.c.action == "rotate_password")
        ).one()
    assert entry.actor == "api-admin" and entry.after == {"mn": MN_BOILER_1, "password": "***"}
    missing = client.post("/api/v1/devices/NOSUCH/password", json={"password": "a1b2c3"})
    assert missing.status_code == 404
    bad = client.post(f"/api/v1/devices/{MN_BOILER_1}/password", json={"password": "a;b"})
    assert bad.status_code == 422


def test_other_roles_cannot_rotate_passwords_or_approve(engine):  # noqa: F811
    accounts.create_user(engine, "sup", "sup-password-1", role="supervisor", actor="tests")
    token = accounts.issue_api_token(engine, "sup", actor="tests").token
    with TestClient(create_app(engine), headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.post(f"/api/v1/devices/{MN_BOILER_1}/password",
                               json={"password": "a1b2c3"})  # fmt: skip
        assert response.status_code == 403
        assert client.get("/api/v1/devices/pending").status_code == 403


def test_pending_logger_is_listed_and_approved_onto_a_free_point(client, engine):  # noqa: F811
    record_announcement(
        engine, {"logger_sn": "SN-1", "cpu_id": "CPU-1", "mac1": "00-11"}, sent_mn="X1",
        password="778899", st="31", peer="10.0.0.9:5000", at=datetime(2026, 11, 20, tzinfo=UTC),
    )  # fmt: skip
    listed = client.get("/api/v1/devices/pending").json()
    assert [(p["logger_sn"], p["status"], p["cpu_id"]) for p in listed] == [
        ("SN-1", "pending", "CPU-1")
    ]
    taken = client.post("/api/v1/devices/pending/SN-1/approve",
                        json={"credit_code": CREDIT, "point_code": "DA001"})  # fmt: skip
    assert taken.status_code == 422 and "already has device" in taken.text
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO point (enterprise_id, code, name, kind) "
            f"SELECT id, 'DA009', 'new', 'flue_gas' FROM enterprise WHERE credit_code = '{CREDIT}'"
        )
    ok = client.post("/api/v1/devices/pending/SN-1/approve",
                     json={"credit_code": CREDIT, "point_code": "DA009", "mn": "A110000_0009"})  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["assigned_mn"]) == ("approved", "A110000_0009")
    with engine.connect() as conn:
        device = load_devices(conn)["A110000_0009"]
    assert (device.password, device.point_code) == ("778899", "DA009")
    again = client.post("/api/v1/devices/pending/SN-1/approve",
                        json={"credit_code": CREDIT, "point_code": "DA009"})  # fmt: skip
    assert again.status_code == 422
    assert client.post("/api/v1/devices/pending/NOPE/approve",
                       json={"credit_code": CREDIT, "point_code": "DA009"}).status_code == 404  # fmt: skip


# A data frame and a set-password answer as a device sends them; only the secrets differ
# from what the API shows.
SECRET_FRAMES = (
    b"##0101QN=20240501110000000;ST=31;CN=2011;PW=pw-Boiler1-x7Q;MN=" + MN_BOILER_1.encode()
    + b";Flag=5;CP=&&DataTime=20240501110000;a21026-Rtd=12.1,a21026-Flag=N&&1C80\r\n",
    b"QN=20240501110000001;ST=91;CN=1072;PW=old-pw;MN=" + MN_BOILER_1.encode()
    + b";Flag=5;CP=&&NewPW=new-pw&&",
)  # fmt: skip


def test_raw_frames_show_the_device_password_masked_to_every_role(client, engine):  # noqa: F811
    from ecozone.measurements.store import insert_raw_frames

    now = datetime.now(UTC)
    with engine.begin() as conn:
        insert_raw_frames(conn, [
            {"received_at": now, "peer": "10.0.0.7:50300", "mn": MN_BOILER_1, "cn": "2011",
             "qn": None, "data": data, "verdict": "accepted"}
            for data in SECRET_FRAMES
        ])  # fmt: skip
    accounts.create_user(engine, "lj-sup", "lj-sup-password-1", role="supervisor",
                         district="两江新区", actor="tests")  # fmt: skip
    token = accounts.issue_api_token(engine, "lj-sup", actor="tests").token
    district = {"Authorization": f"Bearer {token}"}
    for headers in ({}, district):
        response = client.get("/api/v1/frames", params={"mn": MN_BOILER_1}, headers=headers)
        assert response.status_code == 200, response.text
        shown = [f["data"] for f in response.json()["items"]]
        assert not any(s in text for text in shown for s in ("x7Q", "old-pw", "new-pw"))
        assert (
            f"##0101QN=20240501110000000;ST=31;CN=2011;PW=******;MN={MN_BOILER_1};Flag=5;"
            "CP=&&DataTime=20240501110000;a21026-Rtd=12.1,a21026-Flag=N&&1C80\\r\\n"
        ) in shown
        assert (
            f"QN=20240501110000001;ST=91;CN=1072;PW=******;MN={MN_BOILER_1};Flag=5;"
            "CP=&&NewPW=******&&"
        ) in shown
