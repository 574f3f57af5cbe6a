"""SQL of the plan package: progress reports (table plan_progress) and their evidence
files (plan_evidence, whose content lives in stored_file).

The measures themselves ship as data (data/plan.yaml); only what coordinators report is
stored. A report is never updated in place: a correction is a new report, so the history
of a measure is the table itself. Rows come back as ProgressReport values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.plan.model import EvidenceFile, ProgressReport, Status
from ecozone.store.schema import plan_evidence, plan_progress, stored_file


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
    rows = list(conn.execute(stmt).mappings())
    files = select_evidence(conn, [row["id"] for row in rows])
    return [_report(row, files.get(row["id"], ())) for row in rows]


def insert_evidence(conn: sa.Connection, progress_id: int, files: list[EvidenceFile]) -> None:
    """Link kept files (stored_file) to a report under the names they were uploaded with."""
    if files:
        conn.execute(
            plan_evidence.insert(),
            [{"progress_id": progress_id, "sha256": f.sha256, "name": f.name} for f in files],
        )


def select_evidence(
    conn: sa.Connection, progress_ids: list[int]
) -> dict[int, tuple[EvidenceFile, ...]]:
    """The evidence files of each report id, in name order."""
    if not progress_ids:
        return {}
    stmt = (
        sa.select(
            plan_evidence.c.progress_id,
            plan_evidence.c.sha256,
            plan_evidence.c.name,
            stored_file.c.media_type,
            stored_file.c.size,
        )
        .join(stored_file, stored_file.c.sha256 == plan_evidence.c.sha256)
        .where(plan_evidence.c.progress_id.in_(progress_ids))
        .order_by(plan_evidence.c.progress_id, plan_evidence.c.name)
    )
    out: dict[int, list[EvidenceFile]] = {}
    for row in conn.execute(stmt):
        out.setdefault(row.progress_id, []).append(
            EvidenceFile(row.sha256, row.name, row.media_type, row.size)
        )
    return {key: tuple(value) for key, value in out.items()}


def _report(row: sa.RowMapping, files: tuple[EvidenceFile, ...]) -> ProgressReport:
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
        evidence_files=files,
    )


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value
