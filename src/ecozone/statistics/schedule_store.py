"""SQL of the statistical reports: the generated reports with their files, subscriptions and
the in-app notifications. Writes happen inside the caller's transaction.

Who reads which report is decided here once: a report's scope is the zone or one district;
admins and city-wide supervisors read them all, a district supervisor the reports of that
district only (a zone report holds the other districts' figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Role, Scope
from ecozone.statistics.schedule import scope_key
from ecozone.store.schema import (
    notification,
    statistics_report,
    statistics_subscription,
    user_account,
)

_LISTED = [c for c in statistics_report.c if c.name not in ("xlsx", "pdf")]


def _readable(scope: Scope) -> sa.ColumnElement[bool]:
    if scope.everything:
        return sa.true()
    if scope.role == Role.SUPERVISOR and scope.district_id is not None:
        return statistics_report.c.scope_key == scope_key(scope.district_id)
    return sa.false()


def report_id(conn: sa.Connection, kind: str, period: str, key: str) -> int | None:
    return conn.execute(
        sa.select(statistics_report.c.id).where(
            statistics_report.c.kind == kind,
            statistics_report.c.period == period,
            statistics_report.c.scope_key == key,
        )
    ).scalar()


def insert_report(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        statistics_report.insert().values(**values).returning(statistics_report.c.id)
    ).scalar_one()


def reports(conn: sa.Connection, scope: Scope, *, limit: int = 200) -> list[dict[str, Any]]:
    """The reports `scope` may read, newest period first (no file content)."""
    stmt = (
        sa.select(*_LISTED)
        .where(_readable(scope))
        .order_by(
            statistics_report.c.period.desc(),
            statistics_report.c.kind,
            statistics_report.c.id.desc(),
        )
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def report_file(conn: sa.Connection, scope: Scope, rid: int, fmt: str) -> dict[str, Any] | None:
    """A report's row with the content of its `fmt` file (xlsx | pdf) as "content"; None
    when missing or not readable by `scope`."""
    column = statistics_report.c[fmt]
    row = (
        conn.execute(
            sa.select(*_LISTED, column.label("content")).where(
                statistics_report.c.id == rid, _readable(scope)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def subscribe(
    conn: sa.Connection, username: str, kind: str, email: str | None, now: datetime
) -> None:
    """Subscribe (or change the e-mail address of a subscription)."""
    found = conn.execute(
        sa.select(statistics_subscription.c.id).where(
            statistics_subscription.c.username == username,
            statistics_subscription.c.kind == kind,
        )
    ).scalar()
    if found is None:
        conn.execute(
            statistics_subscription.insert().values(
                username=username, kind=kind, email=email, created_at=now
            )
        )
    else:
        conn.execute(
            statistics_subscription.update()
            .where(statistics_subscription.c.id == found)
            .values(email=email)
        )


def unsubscribe(conn: sa.Connection, username: str, kind: str) -> int:
    return conn.execute(
        statistics_subscription.delete().where(
            statistics_subscription.c.username == username,
            statistics_subscription.c.kind == kind,
        )
    ).rowcount


def subscriptions_of(conn: sa.Connection, username: str) -> dict[str, str | None]:
    """kind -> e-mail address (None: in-app only) of the user's subscriptions."""
    rows = conn.execute(
        sa.select(statistics_subscription.c.kind, statistics_subscription.c.email).where(
            statistics_subscription.c.username == username
        )
    )
    return dict(rows.all())


def subscribers(conn: sa.Connection, kind: str, district_id: int | None) -> list[dict[str, Any]]:
    """Active users subscribed to `kind` who may read a report of that scope: admins and
    city-wide supervisors always, a district's supervisors for their district's reports."""
    may_read = sa.or_(
        user_account.c.role == Role.ADMIN.value,
        sa.and_(user_account.c.role == Role.SUPERVISOR.value, user_account.c.district_id.is_(None)),
    )
    if district_id is not None:
        may_read = sa.or_(
            may_read,
            sa.and_(
                user_account.c.role == Role.SUPERVISOR.value,
                user_account.c.district_id == district_id,
            ),
        )
    stmt = (
        sa.select(statistics_subscription.c.username, statistics_subscription.c.email)
        .join(user_account, user_account.c.username == statistics_subscription.c.username)
        .where(statistics_subscription.c.kind == kind, user_account.c.active.is_(True), may_read)
        .order_by(statistics_subscription.c.username)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def notify(
    conn: sa.Connection, usernames: Sequence[str], text: str, href: str, now: datetime
) -> None:
    if usernames:
        conn.execute(
            notification.insert(),
            [{"username": u, "text": text, "href": href, "created_at": now} for u in usernames],
        )


def unread_count(conn: sa.Connection, username: str) -> int:
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(notification)
        .where(notification.c.username == username, notification.c.read_at.is_(None))
    ).scalar_one()


def notifications(conn: sa.Connection, username: str, *, limit: int = 100) -> list[dict]:
    stmt = (
        sa.select(notification)
        .where(notification.c.username == username)
        .order_by(notification.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def mark_read(conn: sa.Connection, username: str, now: datetime) -> int:
    """Every unread notification of the user marked read; how many."""
    return conn.execute(
        notification.update()
        .where(notification.c.username == username, notification.c.read_at.is_(None))
        .values(read_at=now)
    ).rowcount
