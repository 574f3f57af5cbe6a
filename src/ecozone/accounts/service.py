"""Account use cases: users and their scope, login and logout, sessions and API tokens, demo users.

Each use case checks its input with rules.py first and raises AccountError
naming every problem before anything is written; writes run in one
transaction together with their audit entry (audit.record). Read-then-write
use cases take SQLite's write lock up front (sqlite_begin=IMMEDIATE) so the
state they checked cannot change under them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit, rules, store
from ecozone.accounts.model import (
    AccountError,
    ApiToken,
    AuthError,
    DuplicateUserError,
    IssuedToken,
    Principal,
    Role,
    TokenKind,
    UnknownTokenError,
    UnknownUserError,
    User,
)
from ecozone.accounts.throttle import LoginThrottle
from ecozone.textguard import UnstorableText, check_optional

log = logging.getLogger(__name__)

SESSION_TTL = rules.SESSION_TTL
SESSION_MAX_AGE = rules.SESSION_MAX_AGE

#: Login attempts, kept in the database for every process (throttle.py).
LOGIN_THROTTLE = LoginThrottle()

#: Argon2 verifications running at once in this process. Each takes 64 MiB and
#: ~0.1-0.2 s of CPU; a burst of logins on a 40-thread pool would otherwise ask
#: for 2.5 GiB. Beyond this many, logins queue.
PASSWORD_CHECKS_AT_ONCE = 4
_password_checks = threading.BoundedSemaphore(PASSWORD_CHECKS_AT_ONCE)


def _hash(password: str) -> str:
    with _password_checks:
        return rules.hash_password(password)


_SECRET = "***"  # what the audit log shows for a password
_UNSET: Any = object()

#: The demo's users: fixed passwords, for `ecozone demo` and nothing else.
DEMO_USERS = (
    ("admin", "demo-admin-2026", Role.ADMIN),
    ("supervisor", "demo-supervisor-2026", Role.SUPERVISOR),
    ("district-supervisor", "demo-district-2026", Role.SUPERVISOR),
    ("enterprise", "demo-enterprise-2026", Role.ENTERPRISE),
    ("coordinator", "demo-coordinator-2026", Role.COORDINATOR),
    ("bank", "demo-bank-2026", Role.BANK),
)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _write(engine: sa.Engine) -> sa.Connection:
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


# --- users -------------------------------------------------------------------------


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        display_name=row["display_name"],
        district=row["district"],
        enterprises=tuple(row["enterprises"]),
        active=row["active"],
        created_at=row["created_at"],
    )


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(row) for row in store.list_users(conn)]


def get_user(engine: sa.Engine, username: str) -> User:
    with engine.connect() as conn:
        return _get_user(conn, username)


def _get_user(conn: sa.Connection, username: str) -> User:
    rows = store.list_users(conn, username=username)
    if not rows:
        raise UnknownUserError(f"no user named {username!r}")
    return _user(rows[0])


def _resolve_scope(
    conn: sa.Connection, district: str | None, enterprises: Sequence[str]
) -> tuple[int | None, list[int], list[str]]:
    """District id and enterprise ids for the names given, and what could not be found."""
    problems = []
    district_id = None
    if district is not None:
        known = store.district_ids_by_name(conn)
        district_id = known.get(district)
        if district_id is None:
            names = ", ".join(sorted(known)) or "none registered"
            problems.append(f"no district named {district!r} (known: {names})")
    ids = store.enterprise_ids_by_credit_code(conn, enterprises)
    missing = [code for code in enterprises if code not in ids]
    if missing:
        problems.append(f"no enterprise with credit code {', '.join(missing)}")
    return district_id, [ids[code] for code in enterprises if code in ids], problems


def create_user(
    engine: sa.Engine,
    username: str,
    password: str,
    *,
    role: str,
    actor: str,
    display_name: str | None = None,
    district: str | None = None,
    enterprises: Sequence[str] = (),
) -> User:
    """A new active user. `district` (name) scopes a supervisor, `enterprises`
    (credit codes) bind an enterprise user; every problem is named at once."""
    problems = []
    for check in (lambda: rules.check_username(username), lambda: rules.check_role(role)):
        try:
            check()
        except AccountError as exc:
            problems.append(str(exc))
    problems += rules.password_problems(password, username)
    problems += rules.binding_problems(role, district=district, enterprises=enterprises)
    problems += _display_name_problems(display_name)
    # Hashed before the transaction: on SQLite it holds the write lock the gateway needs.
    password_hash = _hash(password) if not problems else ""
    with _write(engine) as conn, conn.begin():
        district_id, enterprise_ids, missing = _resolve_scope(conn, district, enterprises)
        problems += missing
        if problems:
            raise AccountError(f"user {username!r} not created: " + "; ".join(problems))
        if store.user_by_username(conn, username) is not None:
            raise DuplicateUserError(f"user {username!r} exists already")
        values = {
            "username": username,
            "password_hash": password_hash,
            "role": role,
            "display_name": display_name,
            "district_id": district_id,
            "active": True,
            "created_at": datetime.now(UTC),
        }
        try:
            with conn.begin_nested():
                user_id = store.insert_user(conn, values)
        except sa.exc.IntegrityError:  # PostgreSQL: created by a concurrent request
            raise DuplicateUserError(f"user {username!r} exists already") from None
        store.set_user_enterprises(conn, user_id, enterprise_ids)
        user = _get_user(conn, username)
        after = {**_audited(user), "password": _SECRET}
        audit.record(conn, actor=actor, action="create", entity="user_account",
                     entity_id=username, before=None, after=after)  # fmt: skip
    return user


def _display_name_problems(display_name: str | None) -> list[str]:
    """A display name is shown on every page and export: no control or bidi characters."""
    try:
        check_optional(display_name, "display name")
    except UnstorableText as exc:
        return [str(exc)]
    return []


def _audited(user: User) -> dict[str, Any]:
    fields = user.as_dict()
    del fields["created_at"]
    return fields


def update_user(
    engine: sa.Engine,
    username: str,
    *,
    actor: str,
    role: str = _UNSET,
    display_name: str | None = _UNSET,
    district: str | None = _UNSET,
    enterprises: Sequence[str] = _UNSET,
    active: bool = _UNSET,
    password: str = _UNSET,
) -> User:
    """Change what is given, leave the rest. The result must satisfy the same rules as
    a new user; the last active admin cannot be demoted or disabled. Disabling ends
    every session and token of the user; a new password ends their sessions."""
    password_hash = None
    if password is not _UNSET and not rules.password_problems(password, username):
        password_hash = _hash(password)  # before the transaction, as in create_user
    with _write(engine) as conn, conn.begin():
        user = _get_user(conn, username)
        row = store.user_by_username(conn, username)
        assert row is not None
        new_role = role if role is not _UNSET else user.role
        new_district = district if district is not _UNSET else user.district
        new_enterprises = list(enterprises) if enterprises is not _UNSET else list(user.enterprises)
        new_active = active if active is not _UNSET else user.active
        problems = []
        if role is not _UNSET:
            try:
                rules.check_role(role)
            except AccountError as exc:
                problems.append(str(exc))
        if password is not _UNSET:
            problems += rules.password_problems(password, username)
        if display_name is not _UNSET:
            problems += _display_name_problems(display_name)
        problems += rules.binding_problems(
            new_role, district=new_district, enterprises=new_enterprises
        )
        district_id, enterprise_ids, missing = _resolve_scope(conn, new_district, new_enterprises)
        problems += missing
        was_admin = user.role == Role.ADMIN and user.active
        stays_admin = new_role == Role.ADMIN and new_active
        if was_admin and not stays_admin and store.count_active_admins(conn) <= 1:
            problems.append(f"{username} is the last active admin; make another user admin first")
        if problems:
            raise AccountError(f"user {username!r} not changed: " + "; ".join(problems))

        values: dict[str, Any] = {}
        if new_role != user.role:
            values["role"] = new_role
        if display_name is not _UNSET and display_name != user.display_name:
            values["display_name"] = display_name
        if district_id != row["district_id"]:
            values["district_id"] = district_id
        if new_active != user.active:
            values["active"] = new_active
        if password_hash is not None:
            values["password_hash"] = password_hash
        store.update_user(conn, user.id, values)
        if sorted(new_enterprises) != sorted(user.enterprises):
            store.set_user_enterprises(conn, user.id, enterprise_ids)
        if not new_active:
            store.delete_user_tokens(conn, user.id)
        elif password is not _UNSET:
            store.delete_user_tokens(conn, user.id, kind=TokenKind.SESSION)

        changed = _get_user(conn, username)
        before, after = _audited(user), _audited(changed)
        keys = [key for key in after if before[key] != after[key]]
        before = {key: before[key] for key in keys}
        after = {key: after[key] for key in keys}
        if password is not _UNSET:
            before["password"], after["password"] = _SECRET, "(changed)"
        if keys or password is not _UNSET:
            audit.record(conn, actor=actor, action="update", entity="user_account",
                         entity_id=username, before=before, after=after)  # fmt: skip
    return changed


def set_password(engine: sa.Engine, username: str, password: str, *, actor: str) -> User:
    return update_user(engine, username, actor=actor, password=password)


def disable_user(engine: sa.Engine, username: str, *, actor: str) -> User:
    return update_user(engine, username, actor=actor, active=False)


# --- login, sessions and tokens ----------------------------------------------------

_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """A hash under the current parameters, verified for unknown usernames so their
    answer takes as long as a wrong password's (no username probing by timing)."""
    key = id(rules.PASSWORD_HASHER)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = rules.hash_password(rules.new_token())
    return _dummy_hashes[key]


def _principal(row: dict[str, Any], enterprise_ids: frozenset[int]) -> Principal:
    return Principal(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        district_id=row["district_id"],
        enterprise_ids=enterprise_ids,
    )


def login(
    engine: sa.Engine,
    username: str,
    password: str,
    *,
    client_ip: str,
    now: datetime | None = None,
) -> tuple[Principal, str]:
    """Check the password and open a browser session; returns the principal and the
    session token (shown once). Refused with RateLimited while failures for the username
    or the address ask for a wait (throttle.py), else AuthError."""
    now = _now(now)
    with engine.connect() as conn:
        LOGIN_THROTTLE.check(conn, username, client_ip, now)
        row = store.user_by_username(conn, username)
    if len(password) > rules.MAX_PASSWORD_LENGTH:  # no user has one; hashing it costs
        matches, rehash = False, False
    else:
        with _password_checks:
            if row is None:
                rules.verify_password(_dummy_hash(), password)
                matches, rehash = False, False
            else:
                matches, rehash = rules.verify_password(row["password_hash"], password)
    if not matches:
        with _write(engine) as conn, conn.begin():
            LOGIN_THROTTLE.record(conn, username, client_ip, now, succeeded=False)
        log.warning("failed login", extra={"username": username, "client_ip": client_ip})
        raise AuthError("wrong username or password")
    assert row is not None
    if not row["active"]:
        raise AuthError("this account is disabled; ask an administrator")
    token = rules.new_token()
    new_hash = _hash(password) if rehash else None
    with _write(engine) as conn, conn.begin():
        if new_hash is not None:
            store.update_user(conn, row["id"], {"password_hash": new_hash})
        LOGIN_THROTTLE.record(conn, username, client_ip, now, succeeded=True)
        store.delete_expired_tokens(conn, now, user_id=row["id"])
        store.insert_token(
            conn,
            user_id=row["id"],
            token_hash=rules.token_hash(token),
            kind=TokenKind.SESSION,
            created_at=now,
            expires_at=rules.session_expiry(now, now),
        )
        after: dict[str, Any] = {"client_ip": client_ip}
        if rehash:
            after["password"] = "(rehashed with current parameters)"
        audit.record(conn, actor=username, action="login", entity="user_account",
                     entity_id=username, before=None, after=after)  # fmt: skip
        enterprise_ids = store.enterprise_ids_of_user(conn, row["id"])
    return _principal(row, enterprise_ids), token


def logout(engine: sa.Engine, token: str) -> bool:
    """End the session (or revoke the API token) `token`; False if it did not exist."""
    with engine.begin() as conn:
        deleted = store.delete_token(conn, rules.token_hash(token))
        if deleted is not None:
            audit.record(conn, actor=deleted["username"], action="logout", entity="auth_token",
                         entity_id=str(deleted["id"]), before={"kind": deleted["kind"]},
                         after=None)  # fmt: skip
    return deleted is not None


def authenticate(
    engine: sa.Engine,
    token: str,
    *,
    kinds: Collection[str] = (TokenKind.SESSION, TokenKind.API),
    now: datetime | None = None,
) -> Principal | None:
    """The principal holding `token`, or None if it is unknown, expired, of another kind
    or its user is disabled. Using a token records last_used_at, and a session's
    expiry slides forward (at most once per rules.TOKEN_TOUCH_INTERVAL)."""
    now = _now(now)
    with engine.connect() as conn:
        row = store.token_with_user(conn, rules.token_hash(token), now)
        if row is None or row["kind"] not in kinds:
            return None
        enterprise_ids = (
            store.enterprise_ids_of_user(conn, row["id"])
            if row["role"] == Role.ENTERPRISE
            else frozenset()
        )
    if rules.is_due_for_touch(row["last_used_at"], now):
        expires_at = (
            rules.session_expiry(row["token_created_at"], now)
            if row["kind"] == TokenKind.SESSION
            else row["expires_at"]
        )
        try:
            with engine.begin() as conn:
                store.touch_token(conn, row["token_id"], last_used_at=now, expires_at=expires_at)
        except sa.exc.OperationalError:  # busy database: the next request touches it
            log.warning("token use not recorded", exc_info=True)
    return _principal(row, enterprise_ids)


def issue_api_token(
    engine: sa.Engine,
    username: str,
    *,
    actor: str,
    days: int = rules.API_TOKEN_DEFAULT_DAYS,
    now: datetime | None = None,
) -> IssuedToken:
    """A new API token for an active user, valid for `days`; the token is shown once."""
    now = _now(now)
    rules.check_token_days(days)
    token = rules.new_token()
    expires_at = now + timedelta(days=days)
    with _write(engine) as conn, conn.begin():
        row = store.user_by_username(conn, username)
        if row is None:
            raise UnknownUserError(f"no user named {username!r}")
        if not row["active"]:
            raise AccountError(f"user {username!r} is disabled; enable it before issuing a token")
        token_id = store.insert_token(
            conn,
            user_id=row["id"],
            token_hash=rules.token_hash(token),
            kind=TokenKind.API,
            created_at=now,
            expires_at=expires_at,
        )
        audit.record(conn, actor=actor, action="create", entity="auth_token",
                     entity_id=str(token_id), before=None,
                     after={"user": username, "kind": "api", "expires_at": expires_at})  # fmt: skip
    return IssuedToken(token=token, kind=TokenKind.API, username=username, expires_at=expires_at)


# --- demo --------------------------------------------------------------------------


def ensure_demo_users(engine: sa.Engine) -> list[tuple[str, str, str]]:
    """One user per role for the demo (DEMO_USERS), created when missing.

    The district supervisor gets the first district, the enterprise user the
    first enterprise (by id); without a district or an enterprise those two
    are skipped. Existing users are left as they are, so calling it again
    changes nothing. Returns (username, password, role) of the demo users.
    """
    with engine.connect() as conn:
        first_district = store.first_district(conn)
        first_enterprise = store.first_enterprise(conn)
        existing = {user["username"] for user in store.list_users(conn)}
    result = []
    for username, password, role in DEMO_USERS:
        scope: dict[str, Any] = {}
        if username == "district-supervisor":
            if first_district is None:
                continue
            scope["district"] = first_district["name"]
        if role == Role.ENTERPRISE:
            if first_enterprise is None:
                continue
            scope["enterprises"] = [first_enterprise["credit_code"]]
        if username not in existing:
            with contextlib.suppress(DuplicateUserError):  # made meanwhile elsewhere
                create_user(engine, username, password, role=role, actor="demo", **scope)
        result.append((username, password, role.value))
    return result


# --- administration: finding and changing users, password resets, API tokens ------------


def find_users(
    engine: sa.Engine,
    *,
    role: str | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> list[User]:
    """Users of `role` and state `active` whose username or display name contains `search`
    (ignoring case); None matches everything. Users are few, so filtering is done here."""
    needle = (search or "").strip().casefold()
    return [
        user
        for user in list_users(engine)
        if (role is None or user.role == role)
        and (active is None or user.active == active)
        and (not needle or needle in f"{user.username}\n{user.display_name or ''}".casefold())
    ]


def change_user(engine: sa.Engine, username: str, *, actor: str, **changes: Any) -> User:
    """update_user as an administrator asks it: refused when the change would lock the
    administrator themself out (rules.self_change_problems)."""
    problems = rules.self_change_problems(
        actor, username, role=changes.get("role"), active=changes.get("active")
    )
    if problems:
        raise AccountError(f"user {username!r} not changed: " + "; ".join(problems))
    return update_user(engine, username, actor=actor, **changes)


def reset_password(
    engine: sa.Engine, username: str, *, actor: str, password: str | None = None
) -> tuple[User, str]:
    """Give the user `password`, or a generated one-time password; returns the user and the
    password, which is shown once and stored only as its hash. Their sessions end."""
    new = password if password is not None else rules.new_password()
    return update_user(engine, username, actor=actor, password=new), new


def list_api_tokens(engine: sa.Engine, *, now: datetime | None = None) -> list[ApiToken]:
    """The API tokens still valid, newest first, with holder and last use; never a secret."""
    with engine.connect() as conn:
        return [ApiToken(**row) for row in store.list_api_tokens(conn, now=_now(now))]


def revoke_api_token(engine: sa.Engine, token_id: int, *, actor: str) -> ApiToken:
    """End an API token at once; audited."""
    with _write(engine) as conn, conn.begin():
        row = store.api_token_by_id(conn, token_id)
        if row is None:
            raise UnknownTokenError(f"no API token with id {token_id}")
        store.delete_token_by_id(conn, token_id)
        audit.record(conn, actor=actor, action="revoke", entity="auth_token",
                     entity_id=str(token_id), after=None,
                     before={"user": row["username"], "kind": "api",
                             "expires_at": row["expires_at"]})  # fmt: skip
    return ApiToken(**row)
