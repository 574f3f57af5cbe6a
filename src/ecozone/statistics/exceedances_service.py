"""Exceedance statistics from the store: the exceedance alerts of the outlets a scope may
read that overlap the period, in one read (alerts are events, not measurement rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance.model import AlertType
from ecozone.statistics import exceedances as rules
from ecozone.statistics.exceedances import Event
from ecozone.statistics.transmission import Period, StatisticsError
from ecozone.statistics.transmission_service import Filters, point_fields, scoped_points
from ecozone.store.schema import alert

GROUPS = ("enterprise", "district", "month", "pollutant", "point")
_LABEL_KEY = {"enterprise": "credit_code", "district": "district", "month": "month",
              "pollutant": "pollutant", "point": "id"}  # fmt: skip


def stored_events(
    conn: sa.Connection, points: dict[int, dict[str, Any]], start: datetime, end: datetime
) -> list[Event]:
    """Exceedance alerts of `points` overlapping [start, end), false alarms left out."""
    if not points:
        return []
    a = alert.c
    stmt = (
        sa.select(a.id, a.point_id, a.pollutant, a.start, a.end, a.detail)
        .where(
            a.type == AlertType.EXCEEDANCE.value,
            a.point_id.in_(list(points)),
            a.start < end,
            sa.or_(a.end.is_(None), a.end > start),
            sa.or_(a.close_reason.is_(None), a.close_reason != "false_alarm"),
        )
        .order_by(a.start, a.id)
    )
    return [
        Event(row.id, row.point_id, row.pollutant or "", (row.detail or {}).get("basis", "hour"),
              row.start, row.end, points[row.point_id])
        for row in conn.execute(stmt)
    ]  # fmt: skip


@dataclass(frozen=True)
class ExceedanceReport:
    period: Period
    until: datetime
    events: tuple[Event, ...]


def compute(
    engine: sa.Engine, scope: Scope, period: Period, *, now_local: datetime,
    filters: Filters = Filters(),
) -> ExceedanceReport:  # fmt: skip
    until = min(period.end, now_local)
    if until <= period.start:
        raise StatisticsError(f"period {period.label} has not begun yet")
    with engine.connect() as conn:
        points = {p["id"]: p for p in scoped_points(conn, scope, filters)}
        events = stored_events(conn, points, period.start, until)
    return ExceedanceReport(period, until, tuple(events))


def table(report: ExceedanceReport, group: str) -> list[dict[str, Any]]:
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    out = []
    for r in rules.tally(report.events, _LABEL_KEY[group], report.period.start, report.until):
        labels = r["labels"]
        if group == "enterprise":
            row: dict[str, Any] = {"credit_code": r["key"], "enterprise": labels["enterprise_name"],
                                   "district": labels["district"]}  # fmt: skip
        elif group == "point":
            row = point_fields(labels)
        elif group == "pollutant":
            row = {}
        else:
            row = {group: r["key"]}
        out.append({**row, "pollutant": r["pollutant"], "events": r["events"],
                    "hours": r["hours"], "days": r["days"]})  # fmt: skip
    return out


def as_dict(report: ExceedanceReport) -> dict[str, Any]:
    tables = {f"{g}s": table(report, g) for g in GROUPS}
    return {
        "period": report.period.label,
        "until": report.until.isoformat(),
        "total": rules.totals(tables["months"]),
        **tables,
    }
