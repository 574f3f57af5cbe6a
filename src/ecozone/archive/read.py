"""Reads of archived months, through DuckDB over their Parquet files: the history query's
rows, counts and pollutant codes, and period aggregates for statistics.

Archived months are always older than the live ones (the retention archives from the oldest
month up), so a history read returns the archived rows first, in the live read's order and
shape, then the live rows. Access is checked before: the caller passes only point ids the
viewer may read (measurements.history.points_of raises NotFoundError otherwise).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.archive import parquet, store

#: Columns of a history row (the live read leaves received_at out).
HISTORY_COLUMNS = tuple(c for c in parquet.COLUMNS if c != "received_at")


def archived_measurements(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: datetime,
    end: datetime,
    after: tuple[datetime, int, str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Archived measurement rows of these points (one pollutant, or all with None) and data
    kind over start <= data_time < end, ordered by (data_time, point_id, pollutant), strictly
    after the key `after`, at most `limit`: the shape of measurements.store.history_page."""
    paths = store.archived_paths(conn, start, end)
    return parquet.read_rows(
        paths, HISTORY_COLUMNS, point_ids=point_ids, pollutant=pollutant, kind=kind,
        start=start, end=end, after=after, limit=limit,
    )  # fmt: skip


def archived_count(
    conn: sa.Connection, *, point_ids: Sequence[int], pollutant: str | None, kind: str,
    start: datetime, end: datetime,
) -> int:  # fmt: skip
    """How many archived rows archived_measurements would return without paging."""
    paths = store.archived_paths(conn, start, end)
    return parquet.count_rows(
        paths, point_ids=point_ids, pollutant=pollutant, kind=kind, start=start, end=end
    )


def archived_pollutants(
    conn: sa.Connection, *, point_ids: Sequence[int], kind: str, start: datetime, end: datetime
) -> list[str]:
    """Pollutant codes the archived rows of these points hold over the range."""
    paths = store.archived_paths(conn, start, end)
    return parquet.pollutants(paths, point_ids=point_ids, kind=kind, start=start, end=end)


def archived_period_means(
    conn: sa.Connection, *, bucket: str, kind: str, start: datetime, end: datetime,
    pollutant: str | None = None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """(point_id, pollutant, period, count, mean, min, max) per hour or day of the archived
    months over [start, end): the archived half of a long-range statistic."""
    paths = store.archived_paths(conn, start, end)
    return parquet.period_means(
        paths, bucket=bucket, kind=kind, start=start, end=end, pollutant=pollutant
    )


def live_period_means(
    conn: sa.Connection, *, bucket: str, kind: str, start: datetime, end: datetime,
    pollutant: str | None = None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """The same aggregate over the live table (PostgreSQL's date_trunc; SQLite's strftime)."""
    if bucket not in ("hour", "day"):
        raise ValueError(f"bucket {bucket!r}: expected hour or day")
    if conn.dialect.name == "postgresql":
        period = f"date_trunc('{bucket}', data_time)"
    else:
        period = "strftime('%Y-%m-%d %H:00:00', data_time)" if bucket == "hour" else (
            "strftime('%Y-%m-%d 00:00:00', data_time)")  # fmt: skip
    where = "kind = :kind AND data_time >= :start AND data_time < :end"
    params: dict[str, Any] = {"kind": kind, "start": start, "end": end}
    if conn.dialect.name == "sqlite":
        params["start"] = start.isoformat(" ", "microseconds")
        params["end"] = end.isoformat(" ", "microseconds")
    if pollutant is not None:
        where += " AND pollutant = :pollutant"
        params["pollutant"] = pollutant
    sql = (
        f"SELECT point_id, pollutant, {period} AS period, count(*), avg(coalesce(avg, rtd)), "
        f"min(coalesce(min, rtd)), max(coalesce(max, rtd)) FROM measurement WHERE {where} "
        f"GROUP BY point_id, pollutant, period ORDER BY period, point_id, pollutant"
    )
    rows = conn.execute(sa.text(sql), params).all()
    if conn.dialect.name == "sqlite":
        return [(r[0], r[1], datetime.fromisoformat(r[2]), *r[3:]) for r in rows]
    return [tuple(r) for r in rows]


def period_means(
    conn: sa.Connection, *, bucket: str, kind: str, start: datetime, end: datetime,
    pollutant: str | None = None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """The aggregate over archived and live months alike (archived ones first: older)."""
    options = {"bucket": bucket, "kind": kind, "start": start, "end": end, "pollutant": pollutant}
    return archived_period_means(conn, **options) + live_period_means(conn, **options)


# --- the history query's seam (measurements.history calls these, one line each) ----------------


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return row["data_time"], row["point_id"], row["pollutant"]


def with_archived(
    conn: sa.Connection, table: sa.Table, live: list[dict[str, Any]], *,
    point_ids: Sequence[int], pollutant: str | None, kind: str, start: datetime, end: datetime,
    after: tuple[datetime, int, str] | None, limit: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """A page of the live read (`live`: up to `limit` rows of `table` after `after`) with the
    archived rows of the same query put in: the first `limit` of both in key order. Archived
    months precede the live ones, so this is the archived rows, then the live ones; merging
    keeps the order even for rows that reached an archived month after it was archived."""
    if table.name != "measurement":
        return live
    archived = archived_measurements(
        conn, point_ids=point_ids, pollutant=pollutant, kind=kind, start=start, end=end,
        after=after, limit=limit,
    )  # fmt: skip
    if not archived:
        return live
    return list(heapq.merge(archived, live, key=_key))[:limit]


def count_with_archived(
    conn: sa.Connection, table: sa.Table, live: int, *, point_ids: Sequence[int],
    pollutant: str | None, kind: str, start: datetime, end: datetime,
) -> int:  # fmt: skip
    """The live row count of a history query plus its archived rows."""
    if table.name != "measurement":
        return live
    return live + archived_count(
        conn, point_ids=point_ids, pollutant=pollutant, kind=kind, start=start, end=end
    )


def pollutants_with_archived(
    conn: sa.Connection, table: sa.Table, live: list[str], *, point_ids: Sequence[int],
    kind: str, start: datetime, end: datetime,
) -> list[str]:  # fmt: skip
    """The live pollutant codes of a history query and those of its archived rows, sorted."""
    if table.name != "measurement":
        return live
    archived = archived_pollutants(conn, point_ids=point_ids, kind=kind, start=start, end=end)
    return sorted(set(live) | set(archived))
