"""Compliance queries over permit, permit_limit, alert, alert_action, data_mark, webhook,
webhook_delivery, and reads of aggregate and measurement.

The only module of the package with SQL (SQLAlchemy Core, explicit statements). Reads of
monitoring data go by the tables' keys: one point over a time range, or per-point maxima
that the (point_id, kind, data_time) index answers without a scan. Writes happen inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import (
    OPEN_ALERT_STATES,
    Limit,
    LimitBasis,
    Mark,
    MarkKind,
    MarkReview,
)
from ecozone.registry.store import insert_row as insert_row  # the one row writer
from ecozone.registry.store import update_row as update_row
from ecozone.store.engine import in_lists
from ecozone.store.schema import (
    aggregate,
    alert,
    alert_action,
    data_mark,
    device,
    district,
    enterprise,
    measurement,
    permit,
    permit_limit,
    point,
    webhook,
    webhook_delivery,
)

# Any number: PostgreSQL advisory lock key serialising alert evaluation across processes
# ("ecozone" in ASCII).
_EVALUATION_LOCK = 0x65636F7A6F6E65


def lock_evaluation(conn: sa.Connection) -> None:
    """Serialise evaluations, so two never raise the same alert at once.

    On SQLite the caller's BEGIN IMMEDIATE already does it; PostgreSQL takes a transaction
    advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_EVALUATION_LOCK)))


# --- registry reads --------------------------------------------------------------------------


def enterprise_ids(conn: sa.Connection) -> dict[str, int]:
    """Every enterprise id by credit code."""
    rows = conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id))
    return {row.credit_code: row.id for row in rows}


def outlets(conn: sa.Connection) -> dict[str, dict[str, tuple[int, str]]]:
    """credit code -> {outlet code: (point id, point kind)}."""
    stmt = sa.select(enterprise.c.credit_code, point.c.code, point.c.id, point.c.kind).join(
        enterprise, enterprise.c.id == point.c.enterprise_id
    )
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for row in conn.execute(stmt):
        out.setdefault(row.credit_code, {})[row.code] = (row.id, row.kind)
    return out


_POINT_COLUMNS = (
    point.c.id,
    point.c.enterprise_id,
    point.c.code,
    point.c.kind,
    point.c.reference_o2,
    device.c.mn,
    enterprise.c.credit_code,
)


def select_points(
    conn: sa.Connection, point_ids: Sequence[int] | None = None, *, with_device: bool = False
) -> dict[int, dict[str, Any]]:
    """Points by id with their enterprise's credit code and their device's MN."""
    stmt = (
        sa.select(*_POINT_COLUMNS)
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .join(device, device.c.point_id == point.c.id, isouter=not with_device)
        .order_by(point.c.id)
    )
    if point_ids is not None:
        stmt = stmt.where(point.c.id.in_(list(point_ids)))
    return {row["id"]: dict(row) for row in conn.execute(stmt).mappings()}


def point_by_mn(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    stmt = (
        sa.select(*_POINT_COLUMNS)
        .select_from(device)
        .join(point, point.c.id == device.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(device.c.mn == mn)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


# --- permits ---------------------------------------------------------------------------------


def stored_permits(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """Every permit by number, with its enterprise's credit code."""
    stmt = sa.select(permit, enterprise.c.credit_code).join(
        enterprise, enterprise.c.id == permit.c.enterprise_id
    )
    return {row["permit_no"]: dict(row) for row in conn.execute(stmt).mappings()}


def delete_limits(conn: sa.Connection, limit_ids: Sequence[int]) -> None:
    if limit_ids:
        conn.execute(permit_limit.delete().where(permit_limit.c.id.in_(list(limit_ids))))


def permits(
    conn: sa.Connection,
    enterprise_ids: Iterable[int] | None = None,
    *,
    credit_code: str | None = None,
    permit_no: str | None = None,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Permits with their enterprise (credit code and name), newest validity first: the
    one read of permits for the API, the CLI and the pages. `scope` keeps those of the
    enterprises the viewer may read."""
    stmt = (
        sa.select(permit, enterprise.c.credit_code, enterprise.c.name.label("enterprise"))
        .join(enterprise, enterprise.c.id == permit.c.enterprise_id)
        .order_by(enterprise.c.credit_code, permit.c.valid_from.desc(), permit.c.permit_no)
    )
    if enterprise_ids is not None:
        stmt = stmt.where(permit.c.enterprise_id.in_(sorted(enterprise_ids)))
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    if permit_no is not None:
        stmt = stmt.where(permit.c.permit_no == permit_no)
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def limits(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int] | None = None,
    permit_ids: Sequence[int] | None = None,
    valid_on: date | None = None,
) -> list[dict[str, Any]]:
    """Permit limits with their permit (number, validity) and point (code, name), by point
    code, pollutant and basis; `valid_on` keeps permits in force that day. The one read of
    limits for permits, evaluation and the pages."""
    pl = permit_limit.c
    stmt = (
        sa.select(
            pl.id,
            pl.permit_id,
            permit.c.permit_no,
            permit.c.valid_from,
            permit.c.valid_to,
            pl.point_id,
            point.c.code.label("point_code"),
            point.c.name.label("point_name"),
            pl.pollutant,
            pl.limit_value,
            pl.unit,
            pl.basis,
            pl.standard,
            pl.annual_cap_t,
        )
        .join(permit, pl.permit_id == permit.c.id)
        .join(point, pl.point_id == point.c.id)
        .order_by(point.c.code, pl.pollutant, pl.basis, pl.id)
    )
    if point_ids is not None:
        stmt = stmt.where(pl.point_id.in_(list(point_ids)))
    if permit_ids is not None:
        stmt = stmt.where(pl.permit_id.in_(list(permit_ids)))
    if valid_on is not None:
        stmt = stmt.where(permit.c.valid_from <= valid_on, permit.c.valid_to >= valid_on)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def limits_for_points(conn: sa.Connection, point_ids: Sequence[int] | None) -> list[Limit]:
    """Every stored limit of the given points (None: all), with its permit's validity."""
    return [
        Limit(
            permit_no=row["permit_no"],
            point_id=row["point_id"],
            pollutant=row["pollutant"],
            limit_value=row["limit_value"],
            unit=row["unit"],
            basis=LimitBasis(row["basis"]),
            standard=row["standard"],
            annual_cap_t=row["annual_cap_t"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
        )
        for row in limits(conn, point_ids=point_ids)
    ]


# --- monitoring data -------------------------------------------------------------------------

_AGGREGATE_COLUMNS = (
    aggregate.c.pollutant,
    aggregate.c.data_time,
    aggregate.c.avg,
    aggregate.c.zs_avg,
    aggregate.c.valid,
    aggregate.c.device_avg,
    aggregate.c.sample_count,
)


def read_aggregates(
    conn: sa.Connection,
    point_id: int,
    kind: str,
    start: datetime,
    end: datetime,
    pollutants: Iterable[str] | None = None,
) -> list[tuple[Any, ...]]:
    """Hour or day aggregates of one point, start <= data_time < end, by pollutant and time:
    tuples (pollutant, data_time, avg, zs_avg, valid, device_avg, sample_count)."""
    stmt = (
        sa.select(*_AGGREGATE_COLUMNS)
        .where(
            aggregate.c.point_id == point_id,
            aggregate.c.kind == kind,
            aggregate.c.data_time >= start,
            aggregate.c.data_time < end,
        )
        .order_by(aggregate.c.pollutant, aggregate.c.data_time)
    )
    if pollutants is not None:
        stmt = stmt.where(aggregate.c.pollutant.in_(sorted(set(pollutants))))
    return [tuple(row) for row in conn.execute(stmt)]


def emission_total(
    conn: sa.Connection, point_id: int, pollutant: str, start: datetime, end: datetime
) -> tuple[float, datetime | None]:
    """Sum of hourly emission_kg of one pollutant in [start, end), and the last hour with data."""
    stmt = sa.select(
        sa.func.coalesce(sa.func.sum(aggregate.c.emission_kg), 0.0),
        sa.func.max(aggregate.c.data_time),
    ).where(
        aggregate.c.point_id == point_id,
        aggregate.c.kind == "hour",
        aggregate.c.pollutant == pollutant,
        aggregate.c.data_time >= start,
        aggregate.c.data_time < end,
        aggregate.c.emission_kg.is_not(None),
    )
    total, last = conn.execute(stmt).one()
    if isinstance(last, str):  # SQLite returns max() of a datetime as text
        last = datetime.fromisoformat(last)
    return float(total or 0.0), last


def _hour_of(conn: sa.Connection, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return sa.func.date_trunc("hour", column)
    return sa.func.strftime("%Y-%m-%d %H:00:00", column)


def flag_counts(
    conn: sa.Connection, point_id: int, start: datetime, end: datetime, flags: Sequence[str]
) -> list[dict[str, Any]]:
    """Per pollutant and hour of one point, how many minute values carry each of `flags`
    and how many values there are; only hours where some value carries one of them.

    Hourly values sent by the device (kind 'hour') count as an hour of one value each, for
    points that send no minute data. Rows: pollutant, hour, count_<flag>..., total.
    """
    flag = sa.func.upper(sa.func.trim(measurement.c.flag))
    counts = [
        sa.func.sum(sa.case((flag == name, 1), else_=0)).label(f"count_{name}") for name in flags
    ]
    any_flag = sa.func.sum(sa.case((flag.in_(list(flags)), 1), else_=0))
    hour = _hour_of(conn, measurement.c.data_time).label("hour")
    rows: list[dict[str, Any]] = []
    for kind, bucket in (("minute", hour), ("hour", measurement.c.data_time.label("hour"))):
        stmt = (
            sa.select(measurement.c.pollutant, bucket, *counts, sa.func.count().label("total"))
            .where(
                measurement.c.point_id == point_id,
                measurement.c.kind == kind,
                measurement.c.data_time >= start,
                measurement.c.data_time < end,
            )
            .group_by(measurement.c.pollutant, bucket)
            .having(any_flag > 0)
        )
        for row in conn.execute(stmt).mappings():
            entry = dict(row)
            if isinstance(entry["hour"], str):
                entry["hour"] = datetime.fromisoformat(entry["hour"])
            entry["kind"] = kind
            rows.append(entry)
    return rows


def last_data_times(
    conn: sa.Connection, point_ids: Sequence[int]
) -> dict[int, dict[str, datetime | None]]:
    """Latest minute and hour data_time of each point ({kind: time}); each maximum is one
    probe of the (point_id, kind, data_time) index."""
    out: dict[int, dict[str, datetime | None]] = {}
    for point_id in point_ids:
        out[point_id] = {}
        for kind in ("minute", "hour"):
            value = conn.execute(
                sa.select(sa.func.max(measurement.c.data_time)).where(
                    measurement.c.point_id == point_id, measurement.c.kind == kind
                )
            ).scalar()
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            out[point_id][kind] = value
    return out


def first_data_since(conn: sa.Connection, point_id: int, since: datetime) -> datetime | None:
    """Earliest minute or hour data_time of the point at or after `since`."""
    first = None
    for kind in ("minute", "hour"):
        value = conn.execute(
            sa.select(sa.func.min(measurement.c.data_time)).where(
                measurement.c.point_id == point_id,
                measurement.c.kind == kind,
                measurement.c.data_time >= since,
            )
        ).scalar()
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value is not None and (first is None or value < first):
            first = value
    return first


# --- data marks ------------------------------------------------------------------------------


def mark_of(row: Mapping[str, Any]) -> Mark:
    """A data_mark row as the rules take it."""
    return Mark(
        id=row["id"],
        point_id=row["point_id"],
        pollutant=row["pollutant"],
        kind=MarkKind(row["kind"]),
        start=row["start"],
        end=row["end"],
        declared_at=row["declared_at"],
        revoked=row["revoked_at"] is not None,
        rejected=row.get("review_state") == MarkReview.REJECTED,
    )


def marks(
    conn: sa.Connection,
    enterprise_id: int | None = None,
    *,
    point_ids: Sequence[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_revoked: bool = True,
    mark_id: int | None = None,
    scope: Scope | None = None,
    limit: int | None = 500,
    kinds: Sequence[str] | None = None,
    district_id: int | None = None,
    review_states: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Declarations with their point (code as `point`, name), MN, enterprise and district,
    newest period first: the one read of marks for the API, evaluation and the pages.
    [start, end) keeps those overlapping it; `scope` those of enterprises the viewer may
    read; `kinds`, `district_id` and `review_states` narrow it further."""
    stmt = (
        sa.select(
            data_mark,
            point.c.code.label("point"),
            point.c.name.label("point_name"),
            point.c.enterprise_id,
            device.c.mn,
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
            enterprise.c.district_id,
            district.c.name.label("district"),
        )
        .select_from(data_mark)
        .join(point, point.c.id == data_mark.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .outerjoin(device, device.c.point_id == point.c.id)
        .order_by(data_mark.c.start.desc(), data_mark.c.id.desc())
    )
    if enterprise_id is not None:
        stmt = stmt.where(point.c.enterprise_id == enterprise_id)
    if mark_id is not None:
        stmt = stmt.where(data_mark.c.id == mark_id)
    if point_ids is not None:
        stmt = stmt.where(data_mark.c.point_id.in_(list(point_ids)))
    if start is not None:
        stmt = stmt.where(data_mark.c.end > start)
    if end is not None:
        stmt = stmt.where(data_mark.c.start < end)
    if not include_revoked:
        stmt = stmt.where(data_mark.c.revoked_at.is_(None))
    if kinds is not None:
        stmt = stmt.where(data_mark.c.kind.in_(list(kinds)))
    if district_id is not None:
        stmt = stmt.where(enterprise.c.district_id == district_id)
    if review_states is not None:
        stmt = stmt.where(data_mark.c.review_state.in_(list(review_states)))
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def marks_for(
    conn: sa.Connection,
    point_ids: Sequence[int] | None,
    start: datetime,
    end: datetime,
) -> list[Mark]:
    """The declarations that excuse data: of the points, overlapping [start, end), neither
    revoked nor rejected by a supervisor (pending and accepted ones excuse)."""
    rows = marks(
        conn,
        point_ids=point_ids,
        start=start,
        end=end,
        include_revoked=False,
        limit=None,
        review_states=(MarkReview.PENDING, MarkReview.ACCEPTED),
    )
    return [mark_of(row) for row in rows]


def revoke_mark(conn: sa.Connection, mark_id: int, at: datetime) -> bool:
    """Set revoked_at if not set yet; False when the mark was revoked already."""
    result = conn.execute(
        data_mark.update()
        .where(data_mark.c.id == mark_id, data_mark.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount == 1


def review_mark(
    conn: sa.Connection, mark_id: int, state: str, comment: str | None, actor: str, at: datetime
) -> bool:
    """Record a supervisor's review of a live (not revoked) mark; False when it is revoked."""
    result = conn.execute(
        data_mark.update()
        .where(data_mark.c.id == mark_id, data_mark.c.revoked_at.is_(None))
        .values(review_state=state, review_comment=comment, reviewed_by=actor, reviewed_at=at)
    )
    return result.rowcount == 1


# --- alerts ----------------------------------------------------------------------------------


def alerts_by_keys(
    conn: sa.Connection,
    keys: Iterable[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Stored alerts of the given condition keys, by key then start; with `since`/`until`,
    only those whose span reaches [since, until] (touching counts). The (condition_key,
    start) index serves it. The rows stay locked until the caller's transaction ends (FOR
    UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE locks already), so a person's step on
    one of them waits for the merge, and a reopen sees the state it moves from."""
    wanted = sorted(set(keys))
    rows: list[dict[str, Any]] = []
    for i in range(0, len(wanted), 500):  # bounded IN lists
        stmt = (
            sa.select(alert)
            .where(alert.c.condition_key.in_(wanted[i : i + 500]))
            .order_by(alert.c.condition_key, alert.c.start)
            .with_for_update()
        )
        if until is not None:
            stmt = stmt.where(alert.c.start <= until)
        if since is not None:
            stmt = stmt.where(sa.or_(alert.c.end.is_(None), alert.c.end >= since))
        rows += [dict(row) for row in conn.execute(stmt).mappings()]
    return rows


def unacted_alerts(
    conn: sa.Connection, types: Sequence[str], keys: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Alerts of these types (and condition keys) nobody has acted on yet (state open),
    locked for the caller's transaction."""
    stmt = sa.select(alert.c.id, alert.c.condition_key).where(
        alert.c.type.in_(list(types)), alert.c.state == "open").with_for_update()  # fmt: skip
    if keys is not None:
        stmt = stmt.where(alert.c.condition_key.in_(list(keys)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def open_offline_alerts(conn: sa.Connection) -> list[dict[str, Any]]:
    """Offline alerts whose condition has not ended."""
    stmt = sa.select(alert).where(alert.c.type == "offline", alert.c.end.is_(None))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def set_alert_state(conn: sa.Connection, alert_id: int, old: str, new: str, at: datetime) -> bool:
    """Move an alert from state `old` to `new`; False if it is no longer in `old`."""
    result = conn.execute(
        alert.update()
        .where(alert.c.id == alert_id, alert.c.state == old)
        .values(state=new, updated_at=at)
    )
    return result.rowcount == 1


def select_actions(conn: sa.Connection, alert_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not alert_ids:
        return []
    stmt = (
        sa.select(alert_action)
        .where(alert_action.c.alert_id.in_(list(alert_ids)))
        .order_by(alert_action.c.alert_id, alert_action.c.at, alert_action.c.id)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def select_alerts(
    conn: sa.Connection,
    *,
    alert_ids: Sequence[int] | None = None,
    states: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    point_ids: Sequence[int] | None = None,
    mn: str | None = None,
    credit_code: str | None = None,
    pollutant: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    enterprise_ids: Iterable[int] | None = None,
    scope: Scope | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Alerts with point, MN, enterprise and district; newest first. [start, end) keeps
    alerts whose time span overlaps it (an alert without an end lasts); `since` keeps those
    that started at or after it; `scope` those the viewer may read."""
    stmt = (
        sa.select(
            alert,
            point.c.code.label("point"),
            point.c.name.label("point_name"),
            device.c.mn,
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
            enterprise.c.disclosed,
            enterprise.c.district_id,
            district.c.name.label("district"),
        )
        .select_from(alert)
        .join(enterprise, enterprise.c.id == alert.c.enterprise_id)
        .join(district, district.c.id == enterprise.c.district_id)
        .outerjoin(point, point.c.id == alert.c.point_id)
        .outerjoin(device, device.c.point_id == alert.c.point_id)
        .order_by(alert.c.start.desc(), alert.c.id.desc())
        .offset(offset)
    )
    if alert_ids is not None:
        stmt = stmt.where(alert.c.id.in_(list(alert_ids)))
    if enterprise_ids is not None:
        stmt = stmt.where(alert.c.enterprise_id.in_(sorted(enterprise_ids)))
    if states:
        stmt = stmt.where(alert.c.state.in_(list(states)))
    if types:
        stmt = stmt.where(alert.c.type.in_(list(types)))
    if point_ids is not None:
        stmt = stmt.where(alert.c.point_id.in_(list(point_ids)))
    if mn is not None:
        stmt = stmt.where(device.c.mn == mn)
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    if pollutant is not None:
        stmt = stmt.where(alert.c.pollutant == pollutant)
    if end is not None:
        stmt = stmt.where(alert.c.start < end)
    if start is not None:
        stmt = stmt.where(sa.or_(alert.c.end.is_(None), alert.c.end > start))
    if scope is not None:
        stmt = stmt.where(scope_condition(scope))
    if since is not None:
        stmt = stmt.where(alert.c.start >= since)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- webhooks --------------------------------------------------------------------------------


def select_webhooks(conn: sa.Connection, *, active_only: bool = False) -> list[dict[str, Any]]:
    stmt = sa.select(webhook).order_by(webhook.c.id)
    if active_only:
        stmt = stmt.where(webhook.c.active.is_(True))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def webhook_by_url(conn: sa.Connection, url: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(webhook).where(webhook.c.url == url)).mappings().first()
    return dict(row) if row is not None else None


def queue_deliveries(
    conn: sa.Connection, alert_ids: Sequence[int], webhook_ids: Sequence[int], at: datetime
) -> int:
    """One pending delivery per (webhook, alert); returns how many were queued."""
    rows = [
        {"webhook_id": w, "alert_id": a, "attempts": 0, "status": "pending", "next_attempt_at": at}
        for a in alert_ids
        for w in webhook_ids
    ]
    if rows:
        conn.execute(webhook_delivery.insert(), rows)
    return len(rows)


def due_deliveries(conn: sa.Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come, oldest first, with their webhook's URL/secret."""
    stmt = (
        sa.select(
            webhook_delivery,
            webhook.c.url,
            webhook.c.secret,
        )
        .join(webhook, webhook.c.id == webhook_delivery.c.webhook_id)
        .where(
            webhook_delivery.c.status == "pending",
            webhook_delivery.c.next_attempt_at <= now,
            webhook.c.active.is_(True),
        )
        .order_by(webhook_delivery.c.next_attempt_at, webhook_delivery.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def claim_delivery(
    conn: sa.Connection, delivery_id: int, due_at: datetime, now: datetime, until: datetime
) -> bool:
    """Lease a due delivery until `until`; False if another worker took it first."""
    result = conn.execute(
        webhook_delivery.update()
        .where(
            webhook_delivery.c.id == delivery_id,
            webhook_delivery.c.status == "pending",
            webhook_delivery.c.next_attempt_at == due_at,
            webhook_delivery.c.next_attempt_at <= now,
        )
        .values(next_attempt_at=until)
    )
    return result.rowcount == 1


def select_deliveries(
    conn: sa.Connection, *, webhook_id: int | None = None, alert_id: int | None = None
) -> list[dict[str, Any]]:
    stmt = sa.select(webhook_delivery).order_by(webhook_delivery.c.id)
    if webhook_id is not None:
        stmt = stmt.where(webhook_delivery.c.webhook_id == webhook_id)
    if alert_id is not None:
        stmt = stmt.where(webhook_delivery.c.alert_id == alert_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- alert figures of the pages ------------------------------------------------------------


def open_exceedance_points(conn: sa.Connection, point_ids: Sequence[int]) -> set[int]:
    """Points with an exceedance alert still open whose condition has not ended."""
    found: set[int] = set()
    for ids in in_lists(list(point_ids)):
        stmt = (
            sa.select(alert.c.point_id)
            .where(
                alert.c.point_id.in_(ids),
                alert.c.type == "exceedance",
                alert.c.state.in_(OPEN_ALERT_STATES),
                alert.c.end.is_(None),
            )
            .distinct()
        )
        found.update(conn.execute(stmt).scalars())
    return found


def alert_state_counts(conn: sa.Connection, enterprise_id: int) -> dict[str, int]:
    stmt = (
        sa.select(alert.c.state, sa.func.count())
        .where(alert.c.enterprise_id == enterprise_id)
        .group_by(alert.c.state)
    )
    return {state: n for state, n in conn.execute(stmt)}


def exceedance_count(conn: sa.Connection, enterprise_id: int, since: datetime) -> int:
    stmt = sa.select(sa.func.count()).where(
        alert.c.enterprise_id == enterprise_id,
        alert.c.type == "exceedance",
        alert.c.start >= since,
    )
    return int(conn.execute(stmt).scalar_one())


def district_alert_figures(
    conn: sa.Connection, district_ids: Sequence[int], window_start: datetime
) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """Open alerts per district, and the exceedance alerts overlapping the window
    (district_id, start, end) for the caller to sum hours over."""
    if not district_ids:
        return {}, []
    base = alert.join(enterprise, alert.c.enterprise_id == enterprise.c.id)
    open_counts = dict(
        conn.execute(
            sa.select(enterprise.c.district_id, sa.func.count())
            .select_from(base)
            .where(
                enterprise.c.district_id.in_(list(district_ids)),
                alert.c.state.in_(OPEN_ALERT_STATES),
            )
            .group_by(enterprise.c.district_id)
        ).all()
    )
    spans = conn.execute(
        sa.select(enterprise.c.district_id, alert.c.start, alert.c.end)
        .select_from(base)
        .where(
            enterprise.c.district_id.in_(list(district_ids)),
            alert.c.type == "exceedance",
            sa.or_(alert.c.end.is_(None), alert.c.end > window_start),
        )
    )
    return open_counts, [dict(row) for row in spans.mappings()]
