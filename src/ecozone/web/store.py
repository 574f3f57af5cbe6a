"""The web pages' SQL: read models over the registry, measurements, aggregates and alerts.

Plain SQLAlchemy Core selects returning dicts; the only writes are an
enterprise's alert feedback and its audit entry, used when the compliance
package is not installed. Every list takes a `Scope` and filters in SQL.
Big tables are read through their (point_id, kind, data_time) indexes and
over bounded time windows; device passwords are never selected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    MEASUREMENT_KINDS,
    aggregate,
    alert,
    alert_action,
    audit_log,
    data_mark,
    device,
    district,
    enterprise,
    measurement,
    permit,
    permit_limit,
    point,
)
from ecozone.web.model import OPEN_ALERT_STATES

_CHUNK = 200  # ids per IN (...) list, well below every engine's bind limit


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- registry ---------------------------------------------------------------------------


def _point_select() -> sa.Select:
    return (
        sa.select(
            point.c.id,
            point.c.code,
            point.c.name,
            point.c.kind,
            point.c.reference_o2,
            point.c.lon,
            point.c.lat,
            enterprise.c.id.label("enterprise_id"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise_name"),
            enterprise.c.lon.label("enterprise_lon"),
            enterprise.c.lat.label("enterprise_lat"),
            enterprise.c.disclosed,
            district.c.id.label("district_id"),
            district.c.name.label("district"),
            device.c.mn,
            device.c.st,
            device.c.protocol,
            device.c.last_seen_at,
        )
        .select_from(
            point.join(enterprise, point.c.enterprise_id == enterprise.c.id)
            .join(district, enterprise.c.district_id == district.c.id)
            .outerjoin(device, device.c.point_id == point.c.id)
        )
        .order_by(district.c.name, enterprise.c.credit_code, point.c.code)
    )


def list_points(
    conn: sa.Connection, scope: Scope, *, enterprise_id: int | None = None
) -> list[dict[str, Any]]:
    """Monitoring points the scope may list, with their enterprise, district and device."""
    stmt = _point_select().where(scope_condition(scope))
    if enterprise_id is not None:
        stmt = stmt.where(enterprise.c.id == enterprise_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def get_point(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    row = conn.execute(_point_select().where(point.c.id == point_id)).mappings().first()
    return dict(row) if row is not None else None


def get_enterprise(conn: sa.Connection, credit_code: str) -> dict[str, Any] | None:
    stmt = (
        sa.select(enterprise, district.c.name.label("district"))
        .join(district, enterprise.c.district_id == district.c.id)
        .where(enterprise.c.credit_code == credit_code)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def list_enterprises(
    conn: sa.Connection, scope: Scope, *, ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    stmt = (
        sa.select(enterprise, district.c.name.label("district"))
        .join(district, enterprise.c.district_id == district.c.id)
        .where(scope_condition(scope))
        .order_by(district.c.name, enterprise.c.name)
    )
    if ids is not None:
        stmt = stmt.where(enterprise.c.id.in_(sorted(ids)))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def list_districts(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Districts a viewer sees on rankings: one for a district's supervisor, else all."""
    stmt = sa.select(district.c.id, district.c.name).order_by(district.c.name)
    if not scope.everything and scope.district_id is not None:
        stmt = stmt.where(district.c.id == scope.district_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- measurements ----------------------------------------------------------------------


def latest_data(conn: sa.Connection, point_ids: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """Per point, the data kind and data_time of its newest measurement (any kind).

    One index seek per point and kind on (point_id, kind, data_time).
    """
    m = measurement.c
    found: dict[int, tuple[str, datetime]] = {}
    for ids in _chunks(list(point_ids)):
        stmt = sa.select(
            point.c.id,
            *(
                sa.select(sa.func.max(m.data_time))
                .where(m.point_id == point.c.id, m.kind == kind)
                .scalar_subquery()
                .label(kind)
                for kind in MEASUREMENT_KINDS
            ),
        ).where(point.c.id.in_(ids))
        for row in conn.execute(stmt).mappings():
            times = [(row[kind], kind) for kind in MEASUREMENT_KINDS if row[kind] is not None]
            if times:
                newest, kind = max(times, key=lambda pair: pair[0])
                found[row["id"]] = (kind, newest)
    return found


def flags_at(
    conn: sa.Connection, keys: Sequence[tuple[int, str, datetime]]
) -> dict[int, list[str | None]]:
    """The flags of every pollutant at each (point_id, kind, data_time)."""
    m = measurement.c
    flags: dict[int, list[str | None]] = defaultdict(list)
    for part in _chunks(list(keys), 100):
        condition = sa.or_(
            *(sa.and_(m.point_id == p, m.kind == k, m.data_time == t) for p, k, t in part)
        )
        for point_id, flag in conn.execute(sa.select(m.point_id, m.flag).where(condition)):
            flags[point_id].append(flag)
    return flags


def values_at(
    conn: sa.Connection, point_id: int, kind: str, data_time: datetime
) -> list[dict[str, Any]]:
    """Every pollutant's values of one point at one data time."""
    m = measurement.c
    stmt = (
        sa.select(m.pollutant, m.rtd, m.avg, m.min, m.max, m.zs_rtd, m.zs_avg, m.flag, m.data_time)
        .where(m.point_id == point_id, m.kind == kind, m.data_time == data_time)
        .order_by(m.pollutant)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def point_pollutants(conn: sa.Connection, point_id: int, since: datetime) -> list[str]:
    """Pollutant codes a point sent at or after `since` (device time), in code order.

    Naming every data kind lets both engines range-scan (point_id, kind, data_time)
    per kind instead of reading the point's whole history.
    """
    m = measurement.c
    stmt = (
        sa.select(m.pollutant)
        .where(m.point_id == point_id, m.kind.in_(MEASUREMENT_KINDS), m.data_time >= since)
        .group_by(m.pollutant)
        .order_by(m.pollutant)
    )
    return list(conn.execute(stmt).scalars())


def series(
    conn: sa.Connection,
    point_id: int,
    kind: str,
    pollutant: str,
    start: datetime,
    end: datetime,
    *,
    limit: int = 20000,
) -> list[dict[str, Any]]:
    """One pollutant's values over [start, end): rtd/zs_rtd for real-time data, else avg/zs_avg."""
    m = measurement.c
    value, converted = (m.rtd, m.zs_rtd) if kind == "rtd" else (m.avg, m.zs_avg)
    stmt = (
        sa.select(m.data_time, value.label("value"), converted.label("zs_value"), m.flag)
        .where(
            m.point_id == point_id,
            m.kind == kind,
            m.pollutant == pollutant,
            m.data_time >= start,
            m.data_time < end,
        )
        .order_by(m.data_time)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- computed aggregates ---------------------------------------------------------------


def aggregates(
    conn: sa.Connection,
    point_id: int,
    kind: str,
    start: datetime,
    end: datetime,
    *,
    limit: int = 2000,
) -> list[dict[str, Any]]:
    """Hourly or daily values computed for a point over [start, end), newest first."""
    a = aggregate.c
    stmt = (
        sa.select(
            a.data_time,
            a.pollutant,
            a.avg,
            a.min,
            a.max,
            a.zs_avg,
            a.valid,
            a.valid_count,
            a.sample_count,
            a.emission_kg,
            a.flag,
            a.device_avg,
        )
        .where(a.point_id == point_id, a.kind == kind, a.data_time >= start, a.data_time < end)
        .order_by(a.data_time.desc(), a.pollutant)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def capture_counts(
    conn: sa.Connection,
    point_ids: Sequence[int],
    window_start: datetime,
    window_end: datetime,
    expected_since: datetime,
) -> dict[int, tuple[int, int]]:
    """Per point: (valid hourly values in the window, pollutants it reported hourly since
    `expected_since`). Two grouped scans of the aggregate table's point/kind/time index."""
    a = aggregate.c
    counts: dict[int, tuple[int, int]] = {}
    for ids in _chunks(list(point_ids)):
        valid = dict(
            conn.execute(
                sa.select(a.point_id, sa.func.count())
                .where(
                    a.point_id.in_(ids),
                    a.kind == "hour",
                    a.valid.is_(True),
                    a.data_time >= window_start,
                    a.data_time < window_end,
                )
                .group_by(a.point_id)
            ).all()
        )
        pollutants = dict(
            conn.execute(
                sa.select(a.point_id, sa.func.count(sa.distinct(a.pollutant)))
                .where(
                    a.point_id.in_(ids),
                    a.kind == "hour",
                    a.data_time >= expected_since,
                    a.data_time < window_end,
                )
                .group_by(a.point_id)
            ).all()
        )
        for point_id in ids:
            counts[point_id] = (valid.get(point_id, 0), pollutants.get(point_id, 0))
    return counts


def latest_hourly(
    conn: sa.Connection, point_ids: Sequence[int], pollutants: Sequence[str], since: datetime
) -> dict[int, dict[str, dict[str, Any]]]:
    """Per point and pollutant, the newest hourly mean at or after `since`.

    Computed aggregates and device-sent hour data are both read; the newer
    wins, the computed one on a tie (it is checked for validity).
    """
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    if not point_ids:
        return found
    for table, source in ((measurement, "device"), (aggregate, "computed")):
        c = table.c
        newest = (
            sa.select(c.point_id, c.pollutant, sa.func.max(c.data_time).label("data_time"))
            .where(
                c.point_id.in_(list(point_ids)),
                c.kind == "hour",
                c.pollutant.in_(list(pollutants)),
                c.data_time >= since,
            )
            .group_by(c.point_id, c.pollutant)
            .subquery()
        )
        valid = c.valid if table is aggregate else sa.literal(None).label("valid")
        stmt = sa.select(c.point_id, c.pollutant, c.data_time, c.avg, valid).join(
            newest,
            sa.and_(
                c.point_id == newest.c.point_id,
                c.pollutant == newest.c.pollutant,
                c.data_time == newest.c.data_time,
                c.kind == "hour",
            ),
        )
        for row in conn.execute(stmt).mappings():
            held = found[row["point_id"]].get(row["pollutant"])
            if held is None or row["data_time"] >= held["data_time"]:
                found[row["point_id"]][row["pollutant"]] = {**row, "source": source}
    return found


# --- permits ---------------------------------------------------------------------------


def permits(conn: sa.Connection, enterprise_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not enterprise_ids:
        return []
    stmt = (
        sa.select(permit)
        .where(permit.c.enterprise_id.in_(list(enterprise_ids)))
        .order_by(permit.c.enterprise_id, permit.c.valid_to.desc())
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


def limits(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int] | None = None,
    permit_ids: Sequence[int] | None = None,
    valid_on: date | None = None,
) -> list[dict[str, Any]]:
    """Permit limits with their permit and point; `valid_on` keeps permits in force that day."""
    pl = permit_limit.c
    stmt = (
        sa.select(
            pl.id,
            pl.permit_id,
            permit.c.permit_no,
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
        .order_by(point.c.code, pl.pollutant, pl.basis)
    )
    if point_ids is not None:
        stmt = stmt.where(pl.point_id.in_(list(point_ids)))
    if permit_ids is not None:
        stmt = stmt.where(pl.permit_id.in_(list(permit_ids)))
    if valid_on is not None:
        stmt = stmt.where(permit.c.valid_from <= valid_on, permit.c.valid_to >= valid_on)
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- alerts ----------------------------------------------------------------------------


def _alert_select() -> sa.Select:
    return (
        sa.select(
            alert.c.id,
            alert.c.type,
            alert.c.state,
            alert.c.pollutant,
            alert.c.start,
            alert.c.end,
            alert.c.peak,
            alert.c.limit_value,
            alert.c.created_at,
            alert.c.updated_at,
            alert.c.point_id,
            point.c.code.label("point_code"),
            point.c.name.label("point_name"),
            enterprise.c.id.label("enterprise_id"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise_name"),
            enterprise.c.disclosed,
            district.c.id.label("district_id"),
            district.c.name.label("district"),
        )
        .select_from(
            alert.join(enterprise, alert.c.enterprise_id == enterprise.c.id)
            .join(district, enterprise.c.district_id == district.c.id)
            .outerjoin(point, alert.c.point_id == point.c.id)
        )
        .order_by(alert.c.start.desc(), alert.c.id.desc())
    )


def list_alerts(
    conn: sa.Connection,
    scope: Scope,
    *,
    states: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    since: datetime | None = None,
    point_id: int | None = None,
    enterprise_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Alerts newest first; `since` bounds their start (device time)."""
    stmt = _alert_select().where(scope_condition(scope)).limit(limit)
    if states is not None:
        stmt = stmt.where(alert.c.state.in_(list(states)))
    if types is not None:
        stmt = stmt.where(alert.c.type.in_(list(types)))
    if since is not None:
        stmt = stmt.where(alert.c.start >= since)
    if point_id is not None:
        stmt = stmt.where(alert.c.point_id == point_id)
    if enterprise_id is not None:
        stmt = stmt.where(alert.c.enterprise_id == enterprise_id)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def get_alert(conn: sa.Connection, alert_id: int) -> dict[str, Any] | None:
    row = conn.execute(_alert_select().where(alert.c.id == alert_id)).mappings().first()
    return dict(row) if row is not None else None


def open_exceedance_points(conn: sa.Connection, point_ids: Sequence[int]) -> set[int]:
    """Points with an exceedance alert still open whose condition has not ended."""
    found: set[int] = set()
    for ids in _chunks(list(point_ids)):
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


def alert_actions(conn: sa.Connection, alert_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each alert's handling history, oldest first."""
    actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ids in _chunks(list(alert_ids)):
        stmt = (
            sa.select(alert_action)
            .where(alert_action.c.alert_id.in_(ids))
            .order_by(alert_action.c.at, alert_action.c.id)
        )
        for row in conn.execute(stmt).mappings():
            actions[row["alert_id"]].append(dict(row))
    return actions


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


# --- data marking ----------------------------------------------------------------------


def marks(conn: sa.Connection, enterprise_id: int, *, limit: int = 500) -> list[dict[str, Any]]:
    """Data-marking declarations of an enterprise's points, newest period first."""
    stmt = (
        sa.select(
            data_mark,
            point.c.code.label("point_code"),
            point.c.name.label("point_name"),
        )
        .join(point, data_mark.c.point_id == point.c.id)
        .where(point.c.enterprise_id == enterprise_id)
        .order_by(data_mark.c.start.desc(), data_mark.c.id.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- writes: alert feedback without the compliance package ---------------------------------


def insert_feedback(
    conn: sa.Connection,
    alert_id: int,
    actor: str,
    *,
    cause: str,
    measures: str,
    at: datetime,
    new_state: str | None,
) -> int:
    """Record an enterprise's feedback on an alert, moving its state when `new_state` is given."""
    action_id = conn.execute(
        alert_action.insert()
        .values(
            alert_id=alert_id, at=at, actor=actor, action="feedback", cause=cause, measures=measures
        )
        .returning(alert_action.c.id)
    ).scalar_one()
    if new_state is not None:
        conn.execute(
            alert.update().where(alert.c.id == alert_id).values(state=new_state, updated_at=at)
        )
    return int(action_id)


def insert_audit(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> None:
    conn.execute(
        audit_log.insert().values(
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )
