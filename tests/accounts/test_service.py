"""Account use cases on SQLite and PostgreSQL: users, login, sessions, tokens, demo users, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from tests.accounts.data import CHEMICAL, LIANGJIANG, POWER, XIYONG

from ecozone.accounts import audit, rules, service
from ecozone.accounts.model import (
    AccountError,
    AuthError,
    DuplicateUserError,
    RateLimited,
    UnknownUserError,
)
from ecozone.store.schema import auth_token, enterprise, user_account

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
IP = "10.0.0.1"


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def enterprise_id(engine: sa.Engine, credit_code: str) -> int:
    with engine.connect() as conn:
        stmt = sa.select(enterprise.c.id).where(enterprise.c.credit_code == credit_code)
        return conn.execute(stmt).scalar_one()


def add(engine: sa.Engine, username: str, role: str = "admin", **scope) -> None:
    service.create_user(engine, username, f"{username}-password", role=role, actor="tests",
                        **scope)  # fmt: skip


# --- users ---------------------------------------------------------------------------


def test_created_user_keeps_a_hash_and_an_audit_entry_without_the_password(engine):
    user = service.create_user(engine, "power-user", "s3cret-pass", role="enterprise",
                               actor="root", enterprises=[POWER])  # fmt: skip
    assert (user.username, user.role, user.enterprises, user.active) == (
        "power-user", "enterprise", (POWER,), True,
    )  # fmt: skip
    with engine.connect() as conn:
        stored = conn.execute(sa.select(user_account.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    [entry] = audit.entries(engine, entity="user_account")
    assert (entry.actor, entry.action, entry.entity_id, entry.before) == (
        "root", "create", "power-user", None,
    )  # fmt: skip
    assert entry.after == {
        "username": "power-user", "role": "enterprise", "display_name": None, "district": None,
        "enterprises": [POWER], "active": True, "password": "***",
    }  # fmt: skip


def test_bad_user_names_every_problem_and_stores_nothing(engine):
    with pytest.raises(AccountError) as caught:
        service.create_user(engine, "x y", "short", role="enterprise", actor="root",
                            district="江北区", enterprises=["91500000000000000X"])  # fmt: skip
    assert str(caught.value) == (
        "user 'x y' not created: "
        "username 'x y' is not allowed: use 2 to 64 characters, letters, digits and . _ @ -, "
        "starting with a letter or digit; "
        "password is 5 characters long; it must have at least 8; "
        "only a supervisor has a district, not role enterprise; "
        f"no district named '江北区' (known: {LIANGJIANG}, {XIYONG}); "
        "no enterprise with credit code 91500000000000000X"
    )
    assert count(engine, user_account) == 0
    assert audit.entries(engine, entity="user_account") == []


def test_username_is_unique(engine):
    add(engine, "alice")
    with pytest.raises(DuplicateUserError, match="user 'alice' exists already"):
        add(engine, "alice", role="coordinator")


def test_last_active_admin_can_be_neither_disabled_nor_demoted(engine):
    add(engine, "root")
    with pytest.raises(AccountError, match="root is the last active admin"):
        service.disable_user(engine, "root", actor="root")
    with pytest.raises(AccountError, match="root is the last active admin"):
        service.update_user(engine, "root", actor="root", role="coordinator")
    add(engine, "root2")
    assert service.disable_user(engine, "root", actor="root2").active is False


def test_update_audits_the_changed_fields_before_and_after(engine):
    add(engine, "lj", role="supervisor", district=LIANGJIANG)
    user = service.update_user(engine, "lj", actor="root", district=None, display_name="李工")
    assert (user.district, user.display_name) == (None, "李工")
    [entry] = audit.entries(engine, action="update")
    assert (entry.actor, entry.entity, entry.entity_id) == ("root", "user_account", "lj")
    assert entry.before == {"display_name": None, "district": LIANGJIANG}
    assert entry.after == {"display_name": "李工", "district": None}


def test_role_change_must_leave_a_consistent_scope(engine):
    add(engine, "power", role="enterprise", enterprises=[POWER])
    with pytest.raises(AccountError) as caught:
        service.update_user(engine, "power", actor="root", role="supervisor")
    assert str(caught.value) == (
        "user 'power' not changed: "
        "only an enterprise user is bound to enterprises, not role supervisor"
    )
    user = service.update_user(engine, "power", actor="root", role="supervisor", enterprises=[])
    assert (user.role, user.enterprises) == ("supervisor", ())


def test_unknown_user_is_named(engine):
    with pytest.raises(UnknownUserError, match="no user named 'nobody'"):
        service.set_password(engine, "nobody", "long-enough", actor="root")


# --- login ----------------------------------------------------------------------------


def test_login_returns_the_principal_and_a_token_stored_only_as_its_sha256(engine):
    add(engine, "power", role="enterprise", enterprises=[POWER, CHEMICAL])
    principal, token = service.login(engine, "power", "power-password", client_ip=IP, now=T0)
    assert (principal.username, principal.role, principal.district_id) == (
        "power", "enterprise", None,
    )  # fmt: skip
    assert principal.enterprise_ids == {enterprise_id(engine, POWER),
                                        enterprise_id(engine, CHEMICAL)}  # fmt: skip
    with engine.connect() as conn:
        row = conn.execute(sa.select(auth_token)).mappings().one()
    assert row["token_hash"] == rules.token_hash(token) != token
    assert (row["kind"], row["created_at"], row["expires_at"]) == (
        "session", T0, T0 + timedelta(hours=8),
    )  # fmt: skip
    [entry] = audit.entries(engine, action="login")
    assert (entry.actor, entry.entity_id, entry.after) == ("power", "power", {"client_ip": IP})


def test_wrong_password_and_unknown_user_get_the_same_answer(engine):
    add(engine, "alice")
    for username, password in (("alice", "wrong-password"), ("nobody", "alice-password")):
        with pytest.raises(AuthError) as caught:
            service.login(engine, username, password, client_ip=IP)
        assert str(caught.value) == "wrong username or password"
    assert count(engine, auth_token) == 0


def fail(engine: sa.Engine, username: str, ip: str, at: datetime) -> None:
    with pytest.raises(AuthError):
        service.login(engine, username, "guess-guess", client_ip=ip, now=at)


def test_fourth_failure_in_a_row_waits_one_second_then_two(engine):
    add(engine, "alice")
    for n in range(3):  # three free tries
        fail(engine, "alice", IP, T0 + timedelta(seconds=n))
    # 3 failures, newest at T0+2 s: the next try waits 1 s, until T0+3 s.
    with pytest.raises(RateLimited) as caught:
        service.login(engine, "alice", "alice-password", client_ip=IP,
                      now=T0 + timedelta(seconds=2.5))  # fmt: skip
    assert caught.value.retry_after_s == 1
    assert str(caught.value) == (
        "too many failed logins for this username or from this address; try again in 1 s"
    )
    fail(engine, "alice", IP, T0 + timedelta(seconds=3))
    # 4 failures, newest at T0+3 s: 2 s, so at T0+4 s one more second to go.
    with pytest.raises(RateLimited):
        service.login(engine, "alice", "alice-password", client_ip=IP,
                      now=T0 + timedelta(seconds=4))  # fmt: skip
    service.login(engine, "alice", "alice-password", client_ip=IP, now=T0 + timedelta(seconds=5))


def test_failures_elsewhere_do_not_keep_the_user_out_of_a_known_address(engine):
    add(engine, "alice")
    home = "10.0.0.1"
    service.login(engine, "alice", "alice-password", client_ip=home, now=T0)
    for n in range(10):  # someone guesses alice's password from 10 addresses, as fast as allowed
        fail(engine, "alice", f"198.51.100.{n}", T0 + timedelta(seconds=31 * n))
    at = T0 + timedelta(seconds=31 * 9 + 1)
    service.login(engine, "alice", "alice-password", client_ip=home, now=at)
    # A new address is slowed down (at most ACCOUNT_BACKOFF's 30 s), never locked out.
    with pytest.raises(RateLimited) as caught:
        service.login(engine, "alice", "alice-password", client_ip="203.0.113.7", now=at)
    assert caught.value.retry_after_s <= 30
    service.login(engine, "alice", "alice-password", client_ip="203.0.113.7",
                  now=at + timedelta(seconds=30))  # fmt: skip


def test_throttle_state_is_shared_by_every_process(engine, monkeypatch):
    add(engine, "alice")
    for n in range(3):
        fail(engine, "alice", IP, T0 + timedelta(seconds=n))
    # Another worker process: its own throttle object, the same database.
    monkeypatch.setattr(service, "LOGIN_THROTTLE", service.LoginThrottle())
    with pytest.raises(RateLimited):
        service.login(engine, "alice", "alice-password", client_ip=IP,
                      now=T0 + timedelta(seconds=2.5))  # fmt: skip


def test_a_password_over_the_maximum_length_is_refused_without_hashing(engine, monkeypatch):
    add(engine, "alice")

    def no_hashing(*_args):
        raise AssertionError("a 1 MB password must not reach Argon2")

    monkeypatch.setattr(rules, "verify_password", no_hashing)
    with pytest.raises(AuthError):
        service.login(engine, "alice", "x" * 1_000_000, client_ip=IP, now=T0)


def test_disabled_user_cannot_log_in(engine):
    add(engine, "root")
    add(engine, "bob", role="coordinator")
    service.disable_user(engine, "bob", actor="root")
    with pytest.raises(AuthError, match="this account is disabled; ask an administrator"):
        service.login(engine, "bob", "bob-password", client_ip=IP)


def test_login_rehashes_a_password_hashed_with_old_parameters(engine, monkeypatch):
    add(engine, "alice")  # hashed with the tests' m=8,t=1,p=1
    monkeypatch.setattr(rules, "PASSWORD_HASHER", PasswordHasher(time_cost=2, memory_cost=16,
                                                                  parallelism=1))  # fmt: skip
    service.login(engine, "alice", "alice-password", client_ip=IP)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(user_account.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    [entry] = audit.entries(engine, action="login")
    assert entry.after["password"] == "(rehashed with current parameters)"
    # The new hash still verifies.
    service.login(engine, "alice", "alice-password", client_ip=IP)


# --- sessions and tokens ---------------------------------------------------------------


def test_session_expires_8_hours_after_its_last_use(engine):
    add(engine, "alice")
    _, token = service.login(engine, "alice", "alice-password", client_ip=IP, now=T0)
    # 09:00 login; unused until 17:00:01, it has expired (17:00 was the end).
    assert service.authenticate(engine, token, now=T0 + timedelta(hours=8, seconds=1)) is None
    _, token = service.login(engine, "alice", "alice-password", client_ip=IP, now=T0)
    # Used at 16:00, it lasts until 24:00; at 23:00 it is still good though past 17:00.
    assert service.authenticate(engine, token, now=T0 + timedelta(hours=7)) is not None
    assert service.authenticate(engine, token, now=T0 + timedelta(hours=14)) is not None
    with engine.connect() as conn:
        row = conn.execute(sa.select(auth_token).where(
            auth_token.c.token_hash == rules.token_hash(token))).mappings().one()  # fmt: skip
    # Last use 23:00 (T0 + 14 h): expires 07:00 next day (T0 + 22 h).
    assert (row["last_used_at"], row["expires_at"]) == (
        T0 + timedelta(hours=14), T0 + timedelta(hours=22),
    )  # fmt: skip


def test_api_token_expires_after_its_days_without_sliding(engine):
    add(engine, "alice")
    issued = service.issue_api_token(engine, "alice", actor="alice", days=1, now=T0)
    assert issued.expires_at == T0 + timedelta(days=1)
    assert service.authenticate(engine, issued.token, now=T0 + timedelta(hours=23)) is not None
    assert service.authenticate(engine, issued.token, now=T0 + timedelta(days=1)) is None
    [entry] = audit.entries(engine, entity="auth_token")
    assert (entry.actor, entry.action) == ("alice", "create")
    assert entry.after == {"user": "alice", "kind": "api",
                           "expires_at": "2026-03-03T09:00:00+00:00"}  # fmt: skip


def test_api_token_is_not_a_session_cookie(engine):
    add(engine, "alice")
    issued = service.issue_api_token(engine, "alice", actor="alice")
    assert service.authenticate(engine, issued.token, kinds=("session",)) is None
    assert service.authenticate(engine, issued.token, kinds=("api",)).username == "alice"


def test_logout_ends_the_session(engine):
    add(engine, "alice")
    _, token = service.login(engine, "alice", "alice-password", client_ip=IP)
    assert service.logout(engine, token) is True
    assert service.authenticate(engine, token) is None
    assert service.logout(engine, token) is False


def test_new_password_ends_sessions_and_disabling_ends_tokens_too(engine):
    add(engine, "root")
    add(engine, "alice", role="coordinator")
    _, session = service.login(engine, "alice", "alice-password", client_ip=IP)
    api = service.issue_api_token(engine, "alice", actor="root").token
    service.set_password(engine, "alice", "new-password-1", actor="root")
    assert service.authenticate(engine, session) is None
    assert service.authenticate(engine, api) is not None
    [entry] = audit.entries(engine, action="update")
    assert (entry.before, entry.after) == ({"password": "***"}, {"password": "(changed)"})
    service.disable_user(engine, "alice", actor="root")
    assert service.authenticate(engine, api) is None
    assert service.login(engine, "root", "root-password", client_ip=IP)[0].role == "admin"


def test_token_of_a_disabled_user_stops_working_at_once(engine):
    add(engine, "root")
    add(engine, "alice", role="coordinator")
    api = service.issue_api_token(engine, "alice", actor="root").token
    with engine.begin() as conn:  # disabled behind the service's back: tokens still stored
        conn.execute(user_account.update().where(user_account.c.username == "alice")
                     .values(active=False))  # fmt: skip
    assert service.authenticate(engine, api) is None


# --- demo ---------------------------------------------------------------------------------


def test_demo_users_one_per_role_idempotent(engine):
    first = service.ensure_demo_users(engine)
    assert first == [
        ("admin", "demo-admin-2026", "admin"),
        ("supervisor", "demo-supervisor-2026", "supervisor"),
        ("district-supervisor", "demo-district-2026", "supervisor"),
        ("enterprise", "demo-enterprise-2026", "enterprise"),
        ("coordinator", "demo-coordinator-2026", "coordinator"),
        ("bank", "demo-bank-2026", "bank"),
    ]
    assert service.ensure_demo_users(engine) == first
    users = {user.username: user for user in service.list_users(engine)}
    assert len(users) == 6
    assert users["district-supervisor"].district == LIANGJIANG  # the first district
    assert users["supervisor"].district is None  # city-wide
    assert users["enterprise"].enterprises == (POWER,)  # the first enterprise
    for username, password, role in first:
        assert service.login(engine, username, password, client_ip=IP)[0].role == role


def test_demo_users_without_a_registry_skip_the_scoped_ones(sqlite_url):
    from ecozone.store.engine import make_engine
    from ecozone.store.migrate import upgrade

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        assert [u for u, _, _ in service.ensure_demo_users(engine)] == [
            "admin", "supervisor", "coordinator", "bank",
        ]  # fmt: skip
    finally:
        engine.dispose()
