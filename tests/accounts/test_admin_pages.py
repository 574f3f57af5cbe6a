"""The admin pages of accounts through the test client: users, API tokens and the audit log.

Signed in for real (POST /login sets the session cookie), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.accounts.data import LIANGJIANG, POWER

from ecozone.accounts import messages, rules, service, store
from ecozone.accounts.model import AccountError
from ecozone.store.schema import audit_log, auth_token, user_account

PAGES = ("/admin/users", "/admin/users/new", "/admin/users/root", "/admin/tokens",
         "/admin/audit")  # fmt: skip


@pytest.fixture
def users(engine: sa.Engine) -> None:
    for username, role, scope in (
        ("root", "admin", {}),
        ("lj", "supervisor", {"district": LIANGJIANG}),
        ("power", "enterprise", {"enterprises": [POWER]}),
    ):
        service.create_user(engine, username, f"{username}-password", role=role, actor="tests",
                            **scope)  # fmt: skip
    with engine.begin() as conn:  # the audit entries of the setting up are not under test
        conn.execute(audit_log.delete())


@pytest.fixture
def signed_in(app: FastAPI, users) -> Iterator[Callable[[str], TestClient]]:
    """signed_in("root"): a client with that user's session cookie."""
    clients: list[TestClient] = []

    def make(username: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        response = client.post(
            "/login", data={"username": username, "password": f"{username}-password"}
        )
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def admin(signed_in) -> TestClient:
    return signed_in("root")


def _active(engine: sa.Engine, username: str) -> bool:
    return service.get_user(engine, username).active


# --- who may use the pages -------------------------------------------------------------


def test_the_public_is_sent_to_login_and_other_roles_are_forbidden(app, signed_in):
    with TestClient(app, follow_redirects=False) as anonymous:
        for path in PAGES:
            response = anonymous.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        refused = anonymous.post("/admin/users", data={"username": "x1", "role": "admin",
                                                        "password": "long-enough-1"})  # fmt: skip
        assert refused.status_code == 303
    for username in ("lj", "power"):
        client = signed_in(username)
        for path in PAGES:
            assert client.get(path).status_code == 403, (username, path)
        response = client.post("/admin/users/lj/active", data={"active": "0", "confirm": "yes"})
        assert response.status_code == 403
    assert _active(app.state.engine, "lj")


def test_the_admin_menu_holds_the_admin_pages_for_admins_only(admin, signed_in):
    menu = admin.get("/admin/users").text
    for href, label in (("/admin/users", "用户"), ("/admin/audit", "审计日志"),
                        ("/admin/devices", "设备接入")):  # fmt: skip
        assert f'<a href="{href}"' in menu and f">{label}</a>" in menu
    assert "系统管理" in menu
    supervisor_home = signed_in("lj").get("/").text
    assert "系统管理" not in supervisor_home and "/admin/users" not in supervisor_home


# --- users -------------------------------------------------------------------------------


def test_the_pages_speak_english_with_lang_en(admin):
    for path, heading in (("/admin/users", "<h1>Users</h1>"), ("/admin/tokens", "<h1>API tokens</h1>"),
                          ("/admin/audit", "<h1>Audit log</h1>"),
                          ("/admin/users/new", "<h1>New user</h1>")):  # fmt: skip
        page = admin.get(path, params={"lang": "en"}).text
        assert heading in page, path
    refused = admin.post("/admin/users?lang=en", data={"username": "lj", "role": "coordinator",
                                                        "password": "long-enough-1"})  # fmt: skip
    assert "User name &#39;lj&#39; is taken" in refused.text


def test_users_are_listed_with_role_state_and_search_filters(admin, engine):
    service.change_user(engine, "power", actor="root", active=False)
    page = admin.get("/admin/users").text
    assert all(f'href="/admin/users/{u}"' in page for u in ("root", "lj", "power"))
    assert LIANGJIANG in page and POWER in page  # their scopes
    supervisors = admin.get("/admin/users", params={"role": "supervisor"}).text
    assert 'href="/admin/users/lj"' in supervisors and '/admin/users/root"' not in supervisors
    disabled = admin.get("/admin/users", params={"state": "disabled"}).text
    assert 'href="/admin/users/power"' in disabled and 'href="/admin/users/lj"' not in disabled
    found = admin.get("/admin/users", params={"q": "ROO"}).text
    assert 'href="/admin/users/root"' in found and 'href="/admin/users/lj"' not in found


def test_a_new_district_supervisor_is_created_and_audited(admin, engine):
    response = admin.post("/admin/users", data={
        "username": "li.inspector", "display_name": "李检查", "role": "supervisor",
        "district": LIANGJIANG, "password": "inspector-2026",
        "enterprises": [POWER],  # left selected on the form: not for a supervisor
    })  # fmt: skip
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/users/li.inspector?created=1"
    user = service.get_user(engine, "li.inspector")
    assert (user.role, user.district, user.enterprises, user.display_name) == (
        "supervisor", LIANGJIANG, (), "李检查")  # fmt: skip
    page = admin.get(response.headers["location"]).text
    assert "用户已创建" in page and LIANGJIANG in page
    (entry,) = service_audit(engine, action="create")
    assert (entry.actor, entry.entity, entry.entity_id) == ("root", "user_account", "li.inspector")
    assert entry.after["password"] == "***"


def service_audit(engine: sa.Engine, **filters: str):
    from ecozone.accounts import audit

    return audit.entries(engine, **filters)


def test_bad_input_is_named_by_field_in_chinese_and_what_was_typed_is_kept(admin, engine):
    response = admin.post("/admin/users", data={
        "username": "x", "display_name": "张三", "role": "enterprise", "password": "Qz7%k",
    })  # fmt: skip
    assert response.status_code == 400
    page = response.text
    # one message per problem, each under its field
    assert '<p class="field-error" id="err-username" role="alert">用户名“x”不可用' in page
    assert (
        '<p class="field-error" id="err-password" role="alert">密码只有 5 个字符，至少需要 8 个'
        in page
    )
    assert ('<p class="field-error" id="err-enterprises" role="alert">企业用户至少要绑定一家企业'
            in page)  # fmt: skip
    assert 'name="username" value="x"' in page and 'name="display_name" value="张三"' in page
    assert '<option value="enterprise" selected>' in page
    assert "Qz7%k" not in page  # a password is never sent back
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(user_account)).scalar() == 3


def test_a_taken_username_and_a_missing_role_are_named(admin):
    taken = admin.post("/admin/users", data={"username": "lj", "role": "coordinator",
                                             "password": "long-enough-1"})  # fmt: skip
    assert taken.status_code == 409 and "用户名“lj”已被使用" in taken.text
    no_role = admin.post("/admin/users", data={"username": "new1", "password": "long-enough-1"})
    assert no_role.status_code == 400 and "请选择角色" in no_role.text


def test_role_and_scope_are_changed_on_the_users_page(admin, engine):
    response = admin.post("/admin/users/lj", data={"display_name": "两江监管", "role": "enterprise",
                                                   "district": LIANGJIANG, "enterprises": [POWER]})  # fmt: skip
    assert response.status_code == 303
    user = service.get_user(engine, "lj")
    assert (user.role, user.district, user.enterprises) == ("enterprise", None, (POWER,))
    assert "修改已保存" in admin.get(response.headers["location"]).text


def test_an_admin_cannot_disable_themself_nor_drop_their_own_admin_role(admin, engine):
    response = admin.post("/admin/users/root/active", data={"active": "0", "confirm": "yes"})
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.text
    demoted = admin.post("/admin/users/root", data={"role": "supervisor"})
    assert demoted.status_code == 400 and "不能取消自己的管理员角色" in demoted.text
    api = admin.patch("/api/v1/users/root", json={"active": False})
    assert api.status_code == 400 and "cannot disable your own account" in api.text
    user = service.get_user(engine, "root")
    assert (user.active, user.role) == (True, "admin")


def test_the_last_admin_cannot_be_disabled_and_the_page_says_so(engine, users):
    with pytest.raises(AccountError, match="root is the last active admin") as refused:
        service.change_user(engine, "root", actor="cli:ops", active=False)
    assert messages.explain(str(refused.value), "zh") == [
        ("active", "root 是最后一位在用的管理员，请先把另一位用户设为管理员")
    ]
    assert _active(engine, "root")


def test_disabling_needs_confirmation_and_ends_the_users_sessions(admin, signed_in, engine):
    lj = signed_in("lj")
    assert lj.get("/").status_code == 200
    unconfirmed = admin.post("/admin/users/lj/active", data={"active": "0"})
    assert unconfirmed.status_code == 400 and "请先勾选“我已确认”" in unconfirmed.text
    assert _active(engine, "lj")
    response = admin.post("/admin/users/lj/active", data={"active": "0", "confirm": "yes"})
    assert (response.status_code, response.headers["location"]) == (
        303, "/admin/users/lj?disabled=1")  # fmt: skip
    assert not _active(engine, "lj")
    assert lj.get("/").status_code == 200 and 'data-role="supervisor"' not in lj.get("/").text
    again = TestClient(admin.app, follow_redirects=False)
    refused = again.post("/login", data={"username": "lj", "password": "lj-password"})
    assert refused.status_code == 401
    enabled = admin.post("/admin/users/lj/active", data={"active": "1", "confirm": "yes"})
    assert enabled.status_code == 303 and _active(engine, "lj")


def test_a_generated_password_is_shown_once_and_works(admin, engine, app):
    response = admin.post("/admin/users/lj/password", data={"mode": "generate"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    start = response.text.index('<code id="one-time-password">') + len(
        '<code id="one-time-password">'
    )
    password = response.text[start : response.text.index("</code>", start)]
    assert len(password) == rules.GENERATED_PASSWORD_LENGTH
    assert password not in admin.get("/admin/users/lj").text  # never again
    with TestClient(app, follow_redirects=False) as client:
        login = client.post("/login", data={"username": "lj", "password": password})
        assert login.status_code == 303
    (entry,) = service_audit(engine, action="update", entity_id="lj")
    assert entry.after == {"password": "(changed)"} and password not in repr(entry)


def test_a_typed_password_is_checked_and_set(admin, app):
    short = admin.post("/admin/users/lj/password", data={"mode": "typed", "password": "abc"})
    assert short.status_code == 400 and "密码只有 3 个字符，至少需要 8 个" in short.text
    typed = admin.post("/admin/users/lj/password", data={"mode": "typed",
                                                        "password": "typed-by-admin"})  # fmt: skip
    assert typed.status_code == 200 and "typed-by-admin" not in typed.text
    assert 'id="one-time-password"' not in typed.text
    with TestClient(app, follow_redirects=False) as client:
        assert client.post("/login", data={"username": "lj", "password": "typed-by-admin"}
                           ).status_code == 303  # fmt: skip


def test_an_unknown_user_is_404(admin):
    assert admin.get("/admin/users/nobody").status_code == 404
    assert admin.post("/admin/users/nobody/active",
                      data={"active": "0", "confirm": "yes"}).status_code == 404  # fmt: skip


# --- API tokens --------------------------------------------------------------------------


def _shown_token(html: str) -> str:
    start = html.index('<code id="new-token">') + len('<code id="new-token">')
    return html[start : html.index("</code>", start)]


def test_a_token_is_shown_once_stored_hashed_listed_and_revoked(admin, engine, app):
    response = admin.post("/admin/tokens", data={"username": "lj", "days": "30"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    token = _shown_token(response.text)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(auth_token).where(auth_token.c.kind == "api")).all()
    assert [row.token_hash for row in rows] == [rules.token_hash(token)]
    assert token not in repr(rows)  # only the SHA-256 digest is stored
    listed = admin.get("/admin/tokens").text
    assert token not in listed
    (token_id,) = [row.id for row in rows]
    assert f'id="token-{token_id}"' in listed and 'href="/admin/users/lj"' in listed
    with TestClient(app) as client:
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["username"] == "lj"
        unconfirmed = admin.post(f"/admin/tokens/{token_id}/revoke")
        assert unconfirmed.status_code == 400 and "请先勾选“我已确认”" in unconfirmed.text
        revoked = admin.post(f"/admin/tokens/{token_id}/revoke", data={"confirm": "yes"})
        assert revoked.headers["location"] == f"/admin/tokens?revoked={token_id}"
        gone = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert gone.json()["authenticated"] is False
    assert f'id="token-{token_id}"' not in admin.get("/admin/tokens").text
    entries = {(e.action, e.entity, e.entity_id)
               for e in service_audit(engine, actor="root", entity="auth_token")}  # fmt: skip
    assert entries == {("create", "auth_token", str(token_id)),
                       ("revoke", "auth_token", str(token_id))}  # fmt: skip
    assert admin.post(f"/admin/tokens/{token_id}/revoke",
                      data={"confirm": "yes"}).status_code == 404  # fmt: skip


def test_a_token_for_a_disabled_user_or_of_bad_length_is_refused_in_chinese(admin, engine):
    service.change_user(engine, "power", actor="root", active=False)
    disabled = admin.post("/admin/tokens", data={"username": "power", "days": "30"})
    assert disabled.status_code == 400 and "用户“power”已停用，启用后才能发放令牌" in disabled.text
    too_long = admin.post("/admin/tokens", data={"username": "lj", "days": "999"})
    assert (
        too_long.status_code == 400
        and "令牌有效期 999 天超出范围，应为 1 至 366 天" in too_long.text
    )
    assert 'name="days" inputmode="numeric" value="999"' in too_long.text  # kept as typed
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(auth_token)
                            .where(auth_token.c.kind == "api")).scalar() == 0  # fmt: skip


# --- the audit log -------------------------------------------------------------------------


def _entries(engine: sa.Engine) -> None:
    """Only four entries, at hand-picked instants. 2026-03-01T15:59:59Z is 23:59:59 CST on 1 March;
    2026-03-01T16:00:00Z is midnight CST starting 2 March."""
    rows = [
        (datetime(2026, 3, 1, 2, 0, tzinfo=UTC), "root", "create", "user_account", "a1"),
        (datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC), "root", "update", "user_account", "a1"),
        (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), "ops", "approve", "device", "7"),
        (datetime(2026, 3, 3, 1, 0, tzinfo=UTC), "root", "revoke", "auth_token", "9"),
    ]
    with engine.begin() as conn:
        conn.execute(audit_log.delete())  # the admin's login, recorded as the test began
        for at, actor, action, entity, entity_id in rows:
            store.insert_audit(conn, {"at": at, "actor": actor, "action": action,
                                      "entity": entity, "entity_id": entity_id,
                                      "before": None, "after": {"note": "测试"}})  # fmt: skip


def test_audit_filters_by_actor_action_target_and_cst_days(admin, engine):
    _entries(engine)

    def targets(**params: str) -> list[str]:
        response = admin.get("/admin/audit", params={**params, "format": "csv"})
        assert response.status_code == 200, response.text
        return [row[4] for row in csv.reader(io.StringIO(response.text.lstrip("\ufeff")))][1:]

    assert targets() == ["9", "7", "a1", "a1"]  # newest first
    assert targets(actor="ops") == ["7"]
    assert targets(action="update") == ["a1"]
    assert targets(target="a1") == ["a1", "a1"]
    assert targets(entity="device") == ["7"]
    assert targets(since="2026-03-02", until="2026-03-02") == ["7"]  # the CST day 2 March
    assert targets(until="2026-03-01") == ["a1", "a1"]  # 1 March CST includes 23:59:59
    assert targets(since="2026-03-03") == ["9"]
    page = admin.get("/admin/audit", params={"actor": "ops"}).text
    assert 'name="actor" value="ops"' in page and "approve" in page and "revoke" not in page
    assert 'href="/admin/audit?actor=ops&amp;format=xlsx"' in page


def test_audit_export_as_xlsx_holds_the_filtered_rows(admin, engine):
    _entries(engine)
    response = admin.get("/admin/audit", params={"actor": "root", "format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象类型", "对象", "修改前", "修改后")
    # times are naive CST in a spreadsheet: 2026-03-03T01:00Z is 09:00 CST
    assert [r[:5] for r in rows[1:]] == [
        (datetime(2026, 3, 3, 9, 0), "root", "revoke", "auth_token", "9"),
        (datetime(2026, 3, 1, 23, 59, 59), "root", "update", "user_account", "a1"),
        (datetime(2026, 3, 1, 10, 0), "root", "create", "user_account", "a1"),
    ]
    assert rows[1][6] == '{"note": "测试"}'


def test_a_bad_date_is_named_in_chinese_and_kept(admin, engine):
    response = admin.get("/admin/audit", params={"since": "2026-13-01", "actor": "root"})
    assert response.status_code == 400
    assert "日期“2026-13-01”格式不对" in response.text
    assert 'name="since" value="2026-13-01"' in response.text
    reversed_ = admin.get("/admin/audit", params={"since": "2026-03-02", "until": "2026-03-01"})
    assert reversed_.status_code == 400 and "截止日期不能早于起始日期" in reversed_.text


def test_audit_pages_hold_fifty_entries_each(admin, engine):
    with engine.begin() as conn:
        for n in range(60):
            store.insert_audit(conn, {"at": datetime(2026, 3, 1, 0, n, tzinfo=UTC),
                                      "actor": "root", "action": "update", "entity": "x",
                                      "entity_id": f"n{n}", "before": None, "after": None})  # fmt: skip
    first = admin.get("/admin/audit", params={"entity": "x"}).text
    assert first.count('<td data-key="entity_id">n') == 50
    assert ">n59<" in first and ">n10<" in first and ">n9<" not in first
    assert 'href="?entity=x&amp;page=2" rel="next"' in first
    second = admin.get("/admin/audit", params={"entity": "x", "page": "2"}).text
    assert second.count('<td data-key="entity_id">n') == 10 and 'rel="next"' not in second
    assert 'href="?entity=x&amp;page=1" rel="prev"' in second


# --- the same token use cases through the REST API and the CLI ------------------------------


def test_the_api_lists_and_revokes_tokens_for_admins_only(app, engine, users):
    issued = service.issue_api_token(engine, "lj", actor="tests", days=30)
    root = service.issue_api_token(engine, "root", actor="tests").token
    (token_id,) = [t.id for t in service.list_api_tokens(engine) if t.username == "lj"]
    with TestClient(app) as client:
        as_lj = {"Authorization": f"Bearer {issued.token}"}
        assert client.get("/api/v1/tokens", headers=as_lj).status_code == 403
        as_root = {"Authorization": f"Bearer {root}"}
        listed = client.get("/api/v1/tokens", headers=as_root).json()["items"]
        assert {(t["id"], t["username"]) for t in listed} >= {(token_id, "lj")}
        assert issued.token not in repr(listed)
        assert client.delete(f"/api/v1/tokens/{token_id}", headers=as_root).status_code == 204
        assert client.get("/api/v1/auth/me", headers=as_lj).json()["authenticated"] is False
        assert client.delete(f"/api/v1/tokens/{token_id}", headers=as_root).status_code == 404
    (entry,) = service_audit(engine, action="revoke")
    assert (entry.actor, entry.entity_id, entry.before["user"]) == ("root", str(token_id), "lj")


def test_the_cli_lists_and_revokes_tokens(engine, seeded_url, users, monkeypatch):
    from typer.testing import CliRunner

    from ecozone.accounts.cli import app as cli

    monkeypatch.setenv("ECOZONE_DATABASE_URL", seeded_url)
    issued = service.issue_api_token(engine, "power", actor="tests", days=30)
    (token_id,) = [t.id for t in service.list_api_tokens(engine)]
    runner = CliRunner()
    listed = runner.invoke(cli, ["tokens"])
    assert listed.exit_code == 0 and listed.stdout.startswith(f"{token_id}\tpower\t")
    assert listed.stdout.rstrip().endswith("never used") and issued.token not in listed.stdout
    revoked = runner.invoke(cli, ["revoke-token", str(token_id)])
    assert revoked.stdout == f"API token {token_id} of power revoked\n"
    assert service.list_api_tokens(engine) == []
    missing = runner.invoke(cli, ["revoke-token", str(token_id)])
    assert missing.exit_code == 1 and f"no API token with id {token_id}" in missing.output
