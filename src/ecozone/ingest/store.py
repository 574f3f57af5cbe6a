"""The ingestion's own reads: what is already stored for a point."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ecozone.store.schema import measurement


def latest_data_times(
    conn: sa.Connection, point_id: int, kind: str, before: datetime, n: int = 2
) -> list[datetime]:
    """The newest `n` distinct data times of a point and kind before a time, newest first."""
    m = measurement.c
    stmt = (
        sa.select(m.data_time)
        .where(m.point_id == point_id, m.kind == kind, m.data_time < before)
        .group_by(m.data_time)
        .order_by(m.data_time.desc())
        .limit(n)
    )
    return list(conn.execute(stmt).scalars())
