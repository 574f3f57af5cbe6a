"""Transmission effectiveness from the store: the points of a scope, their live shutdown
marks, and the uploads received and valid per point and month in one grouped SQL read (the
measurement rows never leave the database); transmission.py does the arithmetic.

Validity in SQL follows monitoring.rules.flag_is_valid: a value counts when its flag is one
of monitoring.rules.valid_flags (N, and T unless configured otherwise), or when it has no
flag and unflagged values count as normal.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import point_district_id, point_scope_condition, scope_condition
from ecozone.errors import NotFound
from ecozone.monitoring.model import MonitoringSettings
from ecozone.monitoring.rules import valid_flags
from ecozone.statistics import transmission as rules
from ecozone.statistics.transmission import (
    Counts,
    Period,
    PointMonth,
    StatisticsError,
    TransmissionSettings,
)
from ecozone.store.schema import data_mark, device, district, enterprise, measurement, point


def month_of(conn: sa.Connection, column: Any) -> Any:
    """YYYY-MM of a device time, in SQL."""
    if conn.dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _epoch(conn: sa.Connection, column: Any) -> Any:
    """Seconds of a naive time, comparable between columns (both sides read the same way)."""
    if conn.dialect.name == "postgresql":
        return sa.extract("epoch", column)
    return sa.cast(sa.func.strftime("%s", column), sa.Integer)


def current_settings() -> TransmissionSettings:
    """The settings in force: ECOZONE_STATISTICS_* over the defaults."""
    return TransmissionSettings.from_environ(os.environ)


@dataclass(frozen=True)
class Filters:
    """Which points a statistic covers, within the viewer's scope: a district (its name) and
    an enterprise (its credit code), each optional."""

    district: str | None = None
    credit_code: str | None = None


def scoped_points(
    conn: sa.Connection, scope: Scope, filters: Filters, kinds: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The points with a device that `scope` may read (as for the owner: the public reads no
    statistic), with enterprise, district and operating_from; optionally of `kinds`.
    A filter naming an enterprise outside the scope raises UnknownEnterprise."""
    check_filters(conn, scope, filters)
    stmt = (
        sa.select(
            point.c.id, point.c.code, point.c.name, point.c.kind, point.c.operating_from,
            enterprise.c.id.label("enterprise_id"), enterprise.c.credit_code,
            enterprise.c.name.label("enterprise_name"), enterprise.c.industry,
            district.c.id.label("district_id"), district.c.name.label("district"),
            device.c.mn,
        )
        .select_from(
            point.join(enterprise, point.c.enterprise_id == enterprise.c.id)
            .join(district, point_district_id(point) == district.c.id)
            .join(device, device.c.point_id == point.c.id)
        )
        .where(_scope(scope))
        .order_by(district.c.name, enterprise.c.credit_code, point.c.code)
    )  # fmt: skip
    if kinds is not None:
        stmt = stmt.where(point.c.kind.in_(kinds))
    if filters.district:
        stmt = stmt.where(district.c.name == filters.district)
    if filters.credit_code:
        stmt = stmt.where(enterprise.c.credit_code == filters.credit_code)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def point_fields(p: dict[str, Any]) -> dict[str, Any]:
    """How a statistic's row names its point: id, outlet code, name, MN, enterprise."""
    return {"point_id": p["id"], "point": p["code"], "point_name": p["name"], "mn": p["mn"],
            "enterprise": p["enterprise_name"], "credit_code": p["credit_code"],
            "district": p["district"]}  # fmt: skip


class UnknownEnterprise(StatisticsError, NotFound):
    """The enterprise filter names an enterprise that is missing or outside the scope."""


def check_filters(conn: sa.Connection, scope: Scope, filters: Filters) -> None:
    """An enterprise filter outside the scope answers like a missing enterprise; an unknown
    district is named."""
    if filters.credit_code:
        found = conn.execute(
            sa.select(enterprise.c.id).where(
                enterprise.c.credit_code == filters.credit_code,
                sa.false() if scope.disclosed_only else scope_condition(scope),
            )
        ).first()
        if found is None:
            raise UnknownEnterprise(f"no enterprise {filters.credit_code} here")
    if filters.district:
        known = conn.execute(sa.select(district.c.id).where(district.c.name == filters.district))
        if known.first() is None:
            raise StatisticsError(f"unknown district {filters.district!r}")


def _scope(scope: Scope) -> sa.ColumnElement[bool]:
    if scope.disclosed_only:  # statistics are the owner's and the supervisor's business
        return sa.false()
    return point_scope_condition(scope, point)


def _mark_condition(settings: TransmissionSettings) -> list[sa.ColumnElement[bool]]:
    return [
        data_mark.c.pollutant.is_(None),  # a shutdown is the whole point's
        data_mark.c.kind.in_(settings.excluded_mark_kinds),
        data_mark.c.review_state.in_(settings.excluded_mark_reviews),
        data_mark.c.revoked_at.is_(None),
    ]


def excusing_marks(
    conn: sa.Connection, point_ids: list[int], start: datetime, end: datetime,
    settings: TransmissionSettings,
) -> dict[int, list[tuple[datetime, datetime]]]:  # fmt: skip
    """The live marks of the excused kinds that overlap [start, end), by point."""
    out: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if not point_ids:
        return out
    stmt = sa.select(data_mark.c.point_id, data_mark.c.start, data_mark.c.end).where(
        data_mark.c.point_id.in_(point_ids),
        data_mark.c.start < end,
        data_mark.c.end > start,
        *_mark_condition(settings),
    )
    for point_id, mark_start, mark_end in conn.execute(stmt):
        out[point_id].append((mark_start, mark_end))
    return out


def upload_counts(
    conn: sa.Connection,
    scope: Scope,
    filters: Filters,
    start: datetime,
    end: datetime,
    settings: TransmissionSettings,
    monitoring: MonitoringSettings,
) -> dict[tuple[int, str], tuple[int, int]]:
    """(received, valid) uploads per (point id, YYYY-MM) in [start, end), one grouped read.

    Inner grouping: one row per upload (point, DataTime), valid when its least valid value
    is; uploads before the point's operating_from and in periods a live excused mark touches
    are left out, as transmission.expected_uploads leaves them out of what was owed.
    """
    m = measurement.c
    flag = sa.func.upper(sa.func.trim(m.flag))
    good = sorted(valid_flags(monitoring))
    value_ok = flag.in_(good)
    if monitoring.unflagged_is_normal:
        value_ok = sa.or_(value_ok, m.flag.is_(None), flag == "")
    step_s = int(settings.step.total_seconds())
    marked = (
        sa.select(sa.literal(1))
        .select_from(data_mark)
        .where(
            data_mark.c.point_id == m.point_id,
            data_mark.c.end > m.data_time,
            _epoch(conn, data_mark.c.start) < _epoch(conn, m.data_time) + step_s,
            *_mark_condition(settings),
        )
        .exists()
    )
    # The points first, so that each point's uploads are one index range (point_id, kind,
    # data_time) and never a scan of the whole table.
    chosen = (
        sa.select(point.c.id)
        .select_from(
            point.join(enterprise, enterprise.c.id == point.c.enterprise_id).join(
                district, point_district_id(point) == district.c.id
            )
        )
        .where(point.c.kind.in_(settings.point_kinds), _scope(scope))
    )
    if filters.credit_code:
        chosen = chosen.where(enterprise.c.credit_code == filters.credit_code)
    if filters.district:
        chosen = chosen.where(district.c.name == filters.district)
    uploads = (
        sa.select(
            m.point_id.label("point_id"),
            m.data_time.label("data_time"),
            sa.func.min(sa.case((value_ok, 1), else_=0)).label("ok"),
        )
        .select_from(measurement.join(point, point.c.id == m.point_id))
        .where(
            m.point_id.in_(chosen.scalar_subquery()),
            m.kind == settings.data_kind,
            m.data_time >= start,
            m.data_time < end,
            sa.or_(point.c.operating_from.is_(None), m.data_time >= point.c.operating_from),
            ~marked,
        )
        .group_by(m.point_id, m.data_time)
    )
    inner = uploads.subquery()
    if end <= rules.month_start(start, 1):  # one month: no per-row month label, no sort
        month: Any = sa.literal(f"{start.year}-{start.month:02d}")
    else:
        month = month_of(conn, inner.c.data_time)
    stmt = sa.select(
        inner.c.point_id, month.label("month"), sa.func.count(), sa.func.sum(inner.c.ok)
    ).group_by(inner.c.point_id, *([] if isinstance(month, sa.BindParameter) else [month]))
    return {
        (point_id, label): (int(received), int(valid or 0))
        for point_id, label, received, valid in conn.execute(stmt)
    }


@dataclass(frozen=True)
class TransmissionReport:
    """A period's statistic: one PointMonth per point and month, the settings it used and
    the device time up to which uploads were owed (the period's end, or the last full hour
    of a period still running)."""

    period: Period
    until: datetime
    rows: tuple[PointMonth, ...]
    settings: TransmissionSettings


def compute(
    engine: sa.Engine,
    scope: Scope,
    period: Period,
    *,
    now_local: datetime,
    settings: TransmissionSettings,
    monitoring: MonitoringSettings,
    filters: Filters = Filters(),
) -> TransmissionReport:
    """The transmission statistic of the points `scope` may read over `period`; uploads are
    owed only up to the last full period before `now_local` (device time)."""
    until = min(period.end, rules._floor(now_local, settings.step))
    if until <= period.start:
        raise StatisticsError(f"period {period.label} has not begun yet")
    with engine.connect() as conn:
        points = scoped_points(conn, scope, filters, settings.point_kinds)
        ids = [p["id"] for p in points]
        marks = excusing_marks(conn, ids, period.start, until, settings)
        counts = upload_counts(conn, scope, filters, period.start, until, settings, monitoring)
    rows: list[PointMonth] = []
    for p in points:
        for label in period.months():
            start, end = rules.month_bounds(label)
            end = min(end, until)
            if end <= start:
                continue
            expected = rules.expected_uploads(
                start, end, operating_from=p["operating_from"], marks=marks.get(p["id"], ()),
                step=settings.step,
            )  # fmt: skip
            received, valid = counts.get((p["id"], label), (0, 0))
            rows.append(PointMonth(p["id"], label, Counts(expected, received, valid), p))
    return TransmissionReport(period, until, tuple(rows), settings)


# --- the report's tables as plain rows ----------------------------------------------------


def _rate_fields(counts: Counts) -> dict[str, Any]:
    r = rules.rates(counts)
    return {
        "expected": counts.expected, "received": counts.received, "valid": counts.valid,
        "transmission_pct": _round(r.transmission_pct),
        "effectiveness_pct": _round(r.effectiveness_pct),
        "transmission_effectiveness_pct": _round(r.transmission_effectiveness_pct),
    }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def point_rows(report: TransmissionReport) -> list[dict[str, Any]]:
    """One row per point over the whole period, with `below` against the threshold."""
    by_point: dict[int, Counts] = {}
    labels: dict[int, Any] = {}
    for row in report.rows:
        by_point[row.point_id] = by_point.get(row.point_id, rules.ZERO) + row.counts
        labels[row.point_id] = row.labels
    out = []
    for point_id, counts in by_point.items():
        p = labels[point_id]
        fields = _rate_fields(counts)
        out.append({
            **point_fields(p), **fields,
            "below": rules.below(rules.rates(counts), report.settings.threshold_pct),
        })  # fmt: skip
    return out


def grouped_rows(report: TransmissionReport, key: str) -> list[dict[str, Any]]:
    """Counts pooled by 'enterprise', 'district' or 'month', with their rates."""
    label_key = {"enterprise": "credit_code", "district": "district", "month": "month"}[key]
    names = {r.labels.get("credit_code"): r.labels.get("enterprise_name") for r in report.rows}
    out = []
    for group, counts in rules.summed(report.rows, label_key).items():
        row: dict[str, Any] = {key: group}
        if key == "enterprise":
            row = {"credit_code": group, "enterprise": names.get(group)}
        out.append({**row, **_rate_fields(counts)})
    if key == "month":
        out.sort(key=lambda r: r["month"])
    return out


def zone_total(report: TransmissionReport) -> dict[str, Any]:
    total = rules.ZERO
    for row in report.rows:
        total = total + row.counts
    return _rate_fields(total)


def as_dict(report: TransmissionReport) -> dict[str, Any]:
    """The whole statistic as the API answers it."""
    points = point_rows(report)
    return {
        "period": report.period.label,
        "until": report.until.isoformat(),
        "data_kind": report.settings.data_kind,
        "threshold_pct": report.settings.threshold_pct,
        "total": zone_total(report),
        "points": points,
        "below_threshold": [p for p in points if p["below"]],
        "enterprises": grouped_rows(report, "enterprise"),
        "districts": grouped_rows(report, "district"),
        "months": grouped_rows(report, "month"),
    }
