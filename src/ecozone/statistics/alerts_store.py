"""The one read of the alert-handling statistics: a row per alert of the period with the times
of its first dispatch, last close and first answer, aggregated from alert_action in SQL and
handed over as column arrays (statistics.alerts.AlertFacts).

Instants become epoch seconds and dates epoch days in SQL (PostgreSQL EXTRACT, SQLite
julianday), so the rows arrive as plain numbers and NumPy takes them without a per-row
conversion; enterprises and districts come as ids, named from one small read each.
Narrowed by `accounts.store.scope_condition(scope, own=True)` like the desk.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import AlertAction
from ecozone.statistics.alerts import AlertFacts, empty_facts
from ecozone.store.schema import alert, alert_action, district, enterprise

#: China Standard Time is UTC+8 all year: an instant's CST day is (epoch + 8 h) // 1 day.
CST_OFFSET_S = 8 * 3600
DAY_S = 86400


def _epoch_s(column: sa.ColumnElement, dialect: str) -> sa.ColumnElement[float]:
    if dialect == "sqlite":  # UtcDateTime keeps naive UTC text there
        return (sa.func.julianday(column) - 2440587.5) * DAY_S
    return sa.extract("epoch", column)


def _epoch_day(column: sa.ColumnElement, dialect: str) -> sa.ColumnElement[float]:
    """A Date column as days since 1970-01-01."""
    if dialect == "sqlite":
        return sa.func.julianday(column) - 2440587.5
    return column - sa.literal(date(1970, 1, 1))


def _month(column: sa.ColumnElement, dialect: str) -> sa.ColumnElement[str]:
    if dialect == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(column, "YYYY-MM")


def _names(conn: sa.Connection, table: sa.Table, ids: set[int]) -> dict[int, str]:
    rows = conn.execute(sa.select(table.c.id, table.c.name).where(table.c.id.in_(sorted(ids))))
    return dict(rows.all())


def read_facts(conn: sa.Connection, scope: Scope, start: datetime, end: datetime) -> AlertFacts:
    """The alerts whose condition started in [start, end) (device time, CST) that `scope`
    owns, with their handling times."""
    dialect = conn.dialect.name
    at = alert_action.c.at
    action = alert_action.c.action
    steps = (
        sa.select(
            alert_action.c.alert_id,
            sa.func.min(sa.case((action == AlertAction.DISPATCH.value, at))).label("dispatched"),
            sa.func.max(sa.case((action == AlertAction.CLOSE.value, at))).label("closed"),
            sa.func.min(
                sa.case((action.in_([AlertAction.FEEDBACK.value, AlertAction.CLOSE.value]), at))
            ).label("answered"),
        )
        .join(alert, alert.c.id == alert_action.c.alert_id)
        .where(alert.c.start >= start, alert.c.start < end)  # the period's actions only
        .group_by(alert_action.c.alert_id)
        .subquery()
    )
    answered_s = _epoch_s(steps.c.answered, dialect)  # to a CST day below, in NumPy
    stmt = (
        sa.select(
            alert.c.type,
            alert.c.state,
            alert.c.enterprise_id,
            enterprise.c.district_id,
            _month(alert.c.start, dialect),
            _epoch_s(alert.c.created_at, dialect),
            _epoch_s(steps.c.dispatched, dialect),
            _epoch_s(steps.c.closed, dialect),
            _epoch_day(alert.c.deadline, dialect),
            answered_s,
        )
        .select_from(
            alert.join(enterprise, enterprise.c.id == alert.c.enterprise_id).outerjoin(
                steps, steps.c.alert_id == alert.c.id
            )
        )
        .where(scope_condition(scope, own=True), alert.c.start >= start, alert.c.start < end)
    )
    rows = conn.execute(stmt).all()
    if not rows:
        return empty_facts()
    columns = list(zip(*rows, strict=True))
    # enterprises and districts travel as ids (less to fetch); their names are mapped once
    names = _names(conn, enterprise, set(columns[2])), _names(conn, district, set(columns[3]))
    for i, found in ((2, names[0]), (3, names[1])):
        ids, inverse = np.unique(np.array(columns[i]), return_inverse=True)
        columns[i] = np.array([found[int(k)] for k in ids], dtype=object)[inverse]
    text = [np.array(c, dtype=object) for c in columns[:5]]
    numbers = [np.array(c, dtype=float) for c in columns[5:]]
    numbers[-1] = np.floor((numbers[-1] + CST_OFFSET_S) / DAY_S)  # the answer's CST day
    return AlertFacts(*text, *numbers)
