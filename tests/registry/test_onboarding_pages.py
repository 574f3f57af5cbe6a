"""The device onboarding page: pending loggers approved onto a point, device passwords rotated.

Through the test client with a real admin session, on SQLite and PostgreSQL; the
same use cases as the REST API (tests/registry/test_registry_api.py), so the checks
here are about the page: confirmation, Chinese refusals, secrets shown once or never.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.api.conftest import cheap_password_hashing, engine, seeded_url  # noqa: F401
from tests.measurements.data import MN_BOILER_1, PASSWORDS, POWER

from ecozone.accounts import audit
from ecozone.accounts import service as accounts
from ecozone.api import create_app
from ecozone.registry import load_devices
from ecozone.registry.onboarding import record_announcement

LOGGER_PASSWORD = "778899"


@pytest.fixture
def logger(engine: sa.Engine) -> None:  # noqa: F811
    """One logger announced (CN 1001) at 2026-11-20 08:00 UTC = 16:00 CST, and a free point."""
    record_announcement(
        engine, {"logger_sn": "SN-1", "cpu_id": "CPU-1"}, sent_mn="X1", password=LOGGER_PASSWORD,
        st="31", peer="10.0.0.9:5000", at=datetime(2026, 11, 20, 8, tzinfo=UTC),
    )  # fmt: skip
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO point (enterprise_id, code, name, kind) "
            f"SELECT id, 'DA009', '新烟囱', 'flue_gas' FROM enterprise WHERE credit_code = '{POWER}'"
        )


def _client(engine: sa.Engine, username: str, role: str) -> TestClient:  # noqa: F811
    accounts.create_user(engine, username, f"{username}-password", role=role, actor="tests")
    client = TestClient(create_app(engine), follow_redirects=False)
    response = client.post(
        "/login", data={"username": username, "password": f"{username}-password"}
    )
    assert response.status_code == 303
    return client


@pytest.fixture
def admin(engine: sa.Engine, logger) -> Iterator[TestClient]:  # noqa: F811
    with _client(engine, "root", "admin") as client:
        yield client


def test_only_admins_use_the_device_page(engine, logger):  # noqa: F811
    with TestClient(create_app(engine), follow_redirects=False) as anonymous:
        assert anonymous.get("/admin/devices").headers["location"].startswith("/login?next=")
    with _client(engine, "sup", "supervisor") as supervisor:
        assert supervisor.get("/admin/devices").status_code == 403
        refused = supervisor.post(
            "/admin/devices/pending/SN-1/approve",
            data={"point": f"{POWER}|DA009", "confirm": "yes"},
        )
        assert refused.status_code == 403
    assert [p.status for p in _pending(engine)] == ["pending"]


def _pending(engine: sa.Engine):  # noqa: F811
    from ecozone.registry.onboarding import list_pending

    return list_pending(engine)


def test_a_pending_logger_is_listed_without_its_password(admin):
    page = admin.get("/admin/devices").text
    assert '<td data-key="logger_sn"><code>SN-1</code></td>' in page
    assert '<td data-key="sent_mn">X1</td>' in page
    assert '<td data-key="first_seen_at">2026-11-20 16:00</td>' in page  # CST
    assert '<td data-key="peer">10.0.0.9:5000</td>' in page
    assert f'<option value="{POWER}|DA009">' in page  # the free point is offered
    assert f'<option value="{POWER}|DA001">' not in page  # that one has a device
    assert LOGGER_PASSWORD not in page and "v1:" not in page
    assert all(password not in page for password in PASSWORDS)


def test_approval_needs_confirmation_and_a_free_point_and_says_why_in_chinese(admin, engine):  # noqa: F811
    unconfirmed = admin.post("/admin/devices/pending/SN-1/approve",
                             data={"point": f"{POWER}|DA009"})  # fmt: skip
    assert unconfirmed.status_code == 400 and "请先勾选“我已确认”" in unconfirmed.text
    assert f'<option value="{POWER}|DA009" selected>' in unconfirmed.text  # kept
    taken = admin.post("/admin/devices/pending/SN-1/approve",
                       data={"point": f"{POWER}|DA001", "confirm": "yes"})  # fmt: skip
    assert taken.status_code == 400 and f"监测点 DA001 已有设备 {MN_BOILER_1}" in taken.text
    bad_mn = admin.post("/admin/devices/pending/SN-1/approve",
                        data={"point": f"{POWER}|DA009", "mn": "A B", "confirm": "yes"})  # fmt: skip
    assert bad_mn.status_code == 400 and "MN 只能包含字母、数字、_、- 和 ." in bad_mn.text
    assert 'name="mn" value="A B"' in bad_mn.text
    assert [p.status for p in _pending(engine)] == ["pending"]


def test_an_approved_logger_becomes_the_points_device_and_is_audited(admin, engine):  # noqa: F811
    response = admin.post(
        "/admin/devices/pending/SN-1/approve",
        data={"point": f"{POWER}|DA009", "mn": "A110000_0009", "confirm": "yes"},
    )
    assert (response.status_code, response.headers["location"]) == (
        303, "/admin/devices?approved=SN-1")  # fmt: skip
    with engine.connect() as conn:
        device = load_devices(conn)["A110000_0009"]
    assert (device.password, device.point_code) == (LOGGER_PASSWORD, "DA009")
    (entry,) = audit.entries(engine, action="approve")
    assert entry.actor == "root" and entry.after["mn"] == "A110000_0009"
    page = admin.get(response.headers["location"]).text
    assert "记录仪 SN-1 已批准接入" in page and "已批准，待下发" in page
    again = admin.post("/admin/devices/pending/SN-1/approve",
                       data={"point": f"{POWER}|DA009", "confirm": "yes"})  # fmt: skip
    assert (
        again.status_code == 400 and "该记录仪已批准接入，分配的 MN 为 A110000_0009" in again.text
    )
    assert admin.post("/admin/devices/pending/NOPE/approve",
                      data={"point": f"{POWER}|DA009", "confirm": "yes"}).status_code == 404  # fmt: skip


def test_a_rotated_password_is_shown_once_and_audited(admin, engine):  # noqa: F811
    response = admin.post("/admin/devices/password",
                          data={"mn": MN_BOILER_1, "mode": "generate", "confirm": "yes"})  # fmt: skip
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    start = response.text.index('<code id="device-password">') + len('<code id="device-password">')
    password = response.text[start : response.text.index("</code>", start)]
    with engine.connect() as conn:
        assert load_devices(conn)[MN_BOILER_1].password == password
    assert password not in admin.get("/admin/devices").text  # never again
    (entry,) = audit.entries(engine, action="rotate_password")
    assert (entry.actor, entry.after) == ("root", {"mn": MN_BOILER_1, "password": "***"})


def test_a_rotation_is_refused_in_chinese_without_confirmation_or_with_a_bad_password(
    admin, engine,  # noqa: F811
):  # fmt: skip
    def rotate(**data: str):
        return admin.post("/admin/devices/password", data={"mn": MN_BOILER_1, **data})

    unconfirmed = rotate(mode="generate")
    assert unconfirmed.status_code == 400 and "请先勾选“我已确认”" in unconfirmed.text
    bad = rotate(mode="typed", password="a;b", confirm="yes")
    assert bad.status_code == 400 and "密码只能用可打印字符，且不能包含 ; , = &" in bad.text
    assert "a;b" not in bad.text and f'value="{MN_BOILER_1}"' in bad.text
    missing = admin.post("/admin/devices/password",
                         data={"mn": "NOSUCH", "mode": "generate", "confirm": "yes"})  # fmt: skip
    assert missing.status_code == 400 and "没有 MN 为 NOSUCH 的设备" in missing.text
    with engine.connect() as conn:
        assert load_devices(conn)[MN_BOILER_1].password == PASSWORDS[0]
    typed = rotate(mode="typed", password="n3w-Pass", confirm="yes")
    assert typed.status_code == 200 and 'id="device-password">n3w-Pass<' in typed.text
