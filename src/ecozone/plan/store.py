"""SQL of the plan package: progress reports (table plan_progress).

The measures themselves ship as data (data/plan.yaml); only what coordinators report is
stored. A report is never updated in place: a correction is a new report, so the history
of a measure is the table itself. Rows come back as ProgressReport values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.plan.model import ProgressReport, Status
from ecozone.store.schema import plan_progress


def insert_progress(conn: sa.Connection, values: dict[str, Any]) -> int:
    """Store one report; returns its id."""
    result = conn.execute(plan_progress.insert(), values)
    return int(result.inserted_primary_key[0])


def select_progress(
    conn: sa.Connection,
    *,
    measure: int | None = None,
    unit: str | None = None,
    district: str | None = None,
) -> list[ProgressReport]:
    """Reports matching the filters given, oldest first (by id, the order they were made)."""
    stmt = sa.select(plan_progress).order_by(plan_progress.c.id)
    if measure is not None:
        stmt = stmt.where(plan_progress.c.measure == measure)
    if unit is not None:
        stmt = stmt.where(plan_progress.c.unit == unit)
    if district is not None:
        stmt = stmt.where(plan_progress.c.district == district)
    return [_report(row) for row in conn.execute(stmt).mappings()]


def _report(row: sa.RowMapping) -> ProgressReport:
    indicators = row["indicators"] or {}
    return ProgressReport(
        id=row["id"],
        measure=row["measure"],
        unit=row["unit"],
        district=row["district"],
        period=row["period"],
        status=Status(row["status"]),
        narrative=row["narrative"],
        evidence=row["evidence"],
        indicators={code: float(value) for code, value in indicators.items()},
        due_date=_date(row["due_date"]),
        reported_by=row["reported_by"],
        reported_at=row["reported_at"],
    )


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value
