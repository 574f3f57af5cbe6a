"""Queries of accounts: user_account, user_enterprise, auth_token, audit_log, and scope reads.

The only module of the package with SQL (SQLAlchemy Core, explicit
statements, rows returned as dicts). Callers own the transactions. Token
lookups go through the unique index on token_hash, so authenticating a
request is one indexed join however many tokens exist.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Role, Scope
from ecozone.store.schema import (
    audit_log,
    auth_token,
    device,
    district,
    enterprise,
    login_attempt,
    point,
    user_account,
    user_enterprise,
)

_USER_COLUMNS = (
    user_account.c.id,
    user_account.c.username,
    user_account.c.role,
    user_account.c.display_name,
    user_account.c.district_id,
    user_account.c.active,
    user_account.c.created_at,
)

# --- users -------------------------------------------------------------------------


def user_by_username(conn: sa.Connection, username: str) -> dict[str, Any] | None:
    """The user row with its password hash, or None."""
    stmt = sa.select(*_USER_COLUMNS, user_account.c.password_hash).where(
        user_account.c.username == username
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def enterprise_ids_of_user(conn: sa.Connection, user_id: int) -> frozenset[int]:
    stmt = sa.select(user_enterprise.c.enterprise_id).where(user_enterprise.c.user_id == user_id)
    return frozenset(conn.execute(stmt).scalars())


def list_users(conn: sa.Connection, *, username: str | None = None) -> list[dict[str, Any]]:
    """Users by username, each with its district name and bound credit codes."""
    stmt = (
        sa.select(*_USER_COLUMNS, district.c.name.label("district"))
        .select_from(user_account)
        .outerjoin(district, district.c.id == user_account.c.district_id)
        .order_by(user_account.c.username)
    )
    if username is not None:
        stmt = stmt.where(user_account.c.username == username)
    users = [dict(row) for row in conn.execute(stmt).mappings()]
    codes: dict[int, list[str]] = {user["id"]: [] for user in users}
    if codes:
        bound = (
            sa.select(user_enterprise.c.user_id, enterprise.c.credit_code)
            .join(enterprise, enterprise.c.id == user_enterprise.c.enterprise_id)
            .where(user_enterprise.c.user_id.in_(sorted(codes)))
            .order_by(enterprise.c.credit_code)
        )
        for user_id, credit_code in conn.execute(bound):
            codes[user_id].append(credit_code)
    for user in users:
        user["enterprises"] = tuple(codes[user["id"]])
    return users


def insert_user(conn: sa.Connection, values: dict[str, Any]) -> int:
    stmt = user_account.insert().values(**values).returning(user_account.c.id)
    return conn.execute(stmt).scalar_one()


def update_user(conn: sa.Connection, user_id: int, values: dict[str, Any]) -> None:
    if values:
        conn.execute(user_account.update().where(user_account.c.id == user_id).values(**values))


def set_user_enterprises(conn: sa.Connection, user_id: int, enterprise_ids: Iterable[int]) -> None:
    conn.execute(user_enterprise.delete().where(user_enterprise.c.user_id == user_id))
    rows = [{"user_id": user_id, "enterprise_id": eid} for eid in sorted(set(enterprise_ids))]
    if rows:
        conn.execute(user_enterprise.insert(), rows)


def count_active_admins(conn: sa.Connection) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(user_account)
        .where(user_account.c.role == "admin", user_account.c.active.is_(True))
    )
    return conn.execute(stmt).scalar_one()


def district_ids_by_name(conn: sa.Connection) -> dict[str, int]:
    return {name: id_ for id_, name in conn.execute(sa.select(district.c.id, district.c.name))}


def enterprise_ids_by_credit_code(
    conn: sa.Connection, credit_codes: Collection[str]
) -> dict[str, int]:
    if not credit_codes:
        return {}
    stmt = sa.select(enterprise.c.credit_code, enterprise.c.id).where(
        enterprise.c.credit_code.in_(sorted(set(credit_codes)))
    )
    return {credit_code: id_ for credit_code, id_ in conn.execute(stmt)}


def first_district(conn: sa.Connection) -> dict[str, Any] | None:
    row = conn.execute(sa.select(district.c.id, district.c.name).order_by(district.c.id)).first()
    return dict(row._mapping) if row is not None else None


def first_enterprise(conn: sa.Connection) -> dict[str, Any] | None:
    stmt = sa.select(enterprise.c.id, enterprise.c.credit_code).order_by(enterprise.c.id)
    row = conn.execute(stmt).first()
    return dict(row._mapping) if row is not None else None


# --- tokens ------------------------------------------------------------------------


def insert_token(
    conn: sa.Connection,
    *,
    user_id: int,
    token_hash: str,
    kind: str,
    created_at: datetime,
    expires_at: datetime,
) -> int:
    stmt = (
        auth_token.insert()
        .values(
            user_id=user_id,
            token_hash=token_hash,
            kind=kind,
            created_at=created_at,
            expires_at=expires_at,
        )
        .returning(auth_token.c.id)
    )
    return conn.execute(stmt).scalar_one()


def token_with_user(conn: sa.Connection, token_hash: str, now: datetime) -> dict[str, Any] | None:
    """The unexpired token with this hash and its active user, or None."""
    stmt = (
        sa.select(
            auth_token.c.id.label("token_id"),
            auth_token.c.kind,
            auth_token.c.created_at.label("token_created_at"),
            auth_token.c.expires_at,
            auth_token.c.last_used_at,
            *_USER_COLUMNS,
        )
        .select_from(auth_token)
        .join(user_account, user_account.c.id == auth_token.c.user_id)
        .where(
            auth_token.c.token_hash == token_hash,
            auth_token.c.expires_at > now,
            user_account.c.active.is_(True),
        )
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def touch_token(
    conn: sa.Connection, token_id: int, *, last_used_at: datetime, expires_at: datetime
) -> None:
    conn.execute(
        auth_token.update()
        .where(auth_token.c.id == token_id)
        .values(last_used_at=last_used_at, expires_at=expires_at)
    )


def delete_token(conn: sa.Connection, token_hash: str) -> dict[str, Any] | None:
    """Delete the token with this hash; its id, kind and username, or None if there was none."""
    stmt = (
        sa.select(auth_token.c.id, auth_token.c.kind, user_account.c.username)
        .join(user_account, user_account.c.id == auth_token.c.user_id)
        .where(auth_token.c.token_hash == token_hash)
    )
    row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    conn.execute(auth_token.delete().where(auth_token.c.id == row["id"]))
    return dict(row)


def delete_user_tokens(conn: sa.Connection, user_id: int, *, kind: str | None = None) -> int:
    stmt = auth_token.delete().where(auth_token.c.user_id == user_id)
    if kind is not None:
        stmt = stmt.where(auth_token.c.kind == kind)
    return conn.execute(stmt).rowcount


def delete_expired_tokens(conn: sa.Connection, now: datetime, *, user_id: int | None = None) -> int:
    """Delete tokens expired by `now`: one user's (an index seek), or everybody's."""
    stmt = auth_token.delete().where(auth_token.c.expires_at <= now)
    if user_id is not None:
        stmt = stmt.where(auth_token.c.user_id == user_id)
    return conn.execute(stmt).rowcount


# --- scope -------------------------------------------------------------------------


def scope_condition(
    scope: Scope, *, own: bool = False, table: sa.Table = enterprise
) -> sa.ColumnElement[bool]:
    """The SQL form of `Scope.can_read` (or of `Scope.owns` with `own`): a condition on
    `table`, the `enterprise` table or an alias of it, that the statement joins.

    The one place where access becomes SQL: every list of enterprise-owned rows
    (points, permits, alerts, marks, frames...) filters with it.
    """
    if scope.disclosed_only:
        return table.c.disclosed.is_(True) if not own else sa.false()
    if scope.everything:
        return sa.true()
    if scope.role == Role.SUPERVISOR:
        return table.c.district_id == scope.district_id
    if scope.role == Role.ENTERPRISE and scope.enterprise_ids:
        return table.c.id.in_(sorted(scope.enterprise_ids))
    return sa.false()


def point_district_id(point_table: sa.Table, table: sa.Table = enterprise) -> sa.ColumnElement[int]:
    """The district a point stands in: its own, else its enterprise's (`table`)."""
    return sa.func.coalesce(point_table.c.district_id, table.c.district_id)


def point_scope_condition(
    scope: Scope, point_table: sa.Table, *, table: sa.Table = enterprise
) -> sa.ColumnElement[bool]:
    """`scope_condition` for lists of points: a district supervisor reads the points that
    stand in the district (an air station run by a zone-wide centre included), whoever
    owns them; the other roles read as for the owning enterprise."""
    if scope.role == Role.SUPERVISOR and not scope.everything and not scope.disclosed_only:
        return point_district_id(point_table, table) == scope.district_id
    return scope_condition(scope, table=table)


def visible_enterprise_ids(conn: sa.Connection, scope: Scope) -> set[int] | None:
    """Ids of the enterprises `scope` may read; None means all of them."""
    if scope.everything:
        return None
    stmt = sa.select(enterprise.c.id).where(scope_condition(scope))
    return set(conn.execute(stmt).scalars())


def enterprise_access(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    """id, district_id and disclosed of the enterprise with this credit code."""
    stmt = sa.select(enterprise.c.id, enterprise.c.district_id, enterprise.c.disclosed).where(
        enterprise.c.credit_code == credit_code
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def device_access(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    """id, district_id and disclosed of the enterprise owning the device with MN `mn`."""
    stmt = (
        sa.select(enterprise.c.id, enterprise.c.district_id, enterprise.c.disclosed)
        .select_from(device)
        .join(point, point.c.id == device.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(device.c.mn == mn)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


# --- audit -------------------------------------------------------------------------


def insert_audit(conn: sa.Connection, entry: dict[str, Any]) -> int:
    stmt = audit_log.insert().values(**entry).returning(audit_log.c.id)
    return conn.execute(stmt).scalar_one()


def select_audit(
    conn: sa.Connection,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Audit entries, newest first, matching every filter given (until is exclusive)."""
    a = audit_log.c
    stmt = sa.select(audit_log).order_by(a.at.desc(), a.id.desc()).limit(limit).offset(offset)
    for column, value in (
        (a.actor, actor),
        (a.action, action),
        (a.entity, entity),
        (a.entity_id, entity_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(a.at >= since)
    if until is not None:
        stmt = stmt.where(a.at < until)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- API tokens as admins see them ---------------------------------------------------


def _api_tokens_query() -> sa.Select:
    return (
        sa.select(
            auth_token.c.id,
            user_account.c.username,
            auth_token.c.created_at,
            auth_token.c.expires_at,
            auth_token.c.last_used_at,
        )
        .join(user_account, user_account.c.id == auth_token.c.user_id)
        .where(auth_token.c.kind == "api")
    )


def list_api_tokens(conn: sa.Connection, *, now: datetime) -> list[dict[str, Any]]:
    """Unexpired API tokens with their holder, newest first."""
    stmt = (
        _api_tokens_query()
        .where(auth_token.c.expires_at > now)
        .order_by(auth_token.c.created_at.desc(), auth_token.c.id.desc())
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def api_token_by_id(conn: sa.Connection, token_id: int) -> dict[str, Any] | None:
    row = conn.execute(_api_tokens_query().where(auth_token.c.id == token_id)).mappings().first()
    return dict(row) if row is not None else None


def delete_token_by_id(conn: sa.Connection, token_id: int) -> None:
    conn.execute(auth_token.delete().where(auth_token.c.id == token_id))


# --- login attempts (the throttle) ---------------------------------------------------


def login_failures(
    conn: sa.Connection, username: str, client_ip: str, since: datetime
) -> list[dict[str, Any]]:
    """Failures after `since` of `username` (any address) or from `client_ip` (any
    username), oldest first: at, username, client_ip."""
    rows = conn.execute(
        sa.select(login_attempt.c.at, login_attempt.c.username, login_attempt.c.client_ip)
        .where(login_attempt.c.at > since, login_attempt.c.succeeded.is_(False))
        .where(sa.or_(login_attempt.c.username == username, login_attempt.c.client_ip == client_ip))
        .order_by(login_attempt.c.at)
    )
    return [dict(row._mapping) for row in rows]


def logged_in_from(conn: sa.Connection, username: str, client_ip: str, since: datetime) -> bool:
    found = conn.execute(
        sa.select(sa.literal(1))
        .where(login_attempt.c.username == username, login_attempt.c.client_ip == client_ip)
        .where(login_attempt.c.succeeded.is_(True), login_attempt.c.at > since)
        .limit(1)
    ).first()
    return found is not None


def insert_login_attempt(conn: sa.Connection, values: dict[str, Any]) -> None:
    conn.execute(login_attempt.insert().values(values))


def forget_login_attempts(
    conn: sa.Connection,
    *,
    failed_before: datetime,
    succeeded_before: datetime,
    username: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Delete old attempts, and every attempt of the pair (`username`, `client_ip`) if given."""
    old = sa.or_(
        sa.and_(login_attempt.c.succeeded.is_(False), login_attempt.c.at <= failed_before),
        login_attempt.c.at <= succeeded_before,
    )
    if username is not None:
        pair = sa.and_(login_attempt.c.username == username, login_attempt.c.client_ip == client_ip)
        old = sa.or_(old, pair)
    conn.execute(login_attempt.delete().where(old))
