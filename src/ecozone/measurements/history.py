"""The history query (历史数据查询) as use cases: check the request, read one page, walk them all.

A query is some points, one pollutant or all, one data kind (the devices' real-time, minute,
hourly or daily data, or the hourly and daily values monitoring computed) over whole days.
Pages are keyset-paged on (data_time, point, pollutant): a page continues after the last key
of the one before, so every row comes exactly once however deep the reader goes, and an
export walks the same pages to the end (or to its row cap, which it then states). Each page
is one columnar read (store.read_columns): arrays from the driver, turned into row dicts only
for the page's or the batch's rows. A point the viewer may not read answers NotFoundError
exactly like one that does not exist, before anything is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.archive import read as archive_read
from ecozone.compliance import store as compliance_store
from ecozone.measurements import store
from ecozone.measurements.model import NotFoundError, QueryError
from ecozone.registry import store as registry_store
from ecozone.store.schema import aggregate, measurement
from ecozone.times import TimeError, parse_time

#: Data kinds the query offers: stored as sent, then computed by monitoring (aggregate).
QUERY_KINDS = ("rtd", "minute", "hour", "day", "computed_hour", "computed_day")
#: How long one value of a kind stands for; marks overlapping that period are shown with it.
_PERIODS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
#: Longest range one query may span, so a slip of the date picker does not read years.
MAX_DAYS = 366


class HistoryError(QueryError):
    """A query the page refuses; `key` and `params` let a page say it in its language."""

    def __init__(self, key: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.key, self.params = key, params


@dataclass(frozen=True)
class HistoryQuery:
    """What to read: points, a pollutant (None: all), a kind of QUERY_KINDS, [start, end)."""

    point_ids: tuple[int, ...]
    pollutant: str | None
    kind: str
    start: datetime
    end: datetime

    @property
    def computed(self) -> bool:
        return self.kind.startswith("computed_")

    @property
    def stored_kind(self) -> str:
        return self.kind.removeprefix("computed_")

    @property
    def table(self) -> sa.Table:
        return aggregate if self.computed else measurement

    @property
    def period(self) -> timedelta:
        return _PERIODS.get(self.stored_kind, timedelta(0))


@dataclass(frozen=True)
class Page:
    """One page of a query: its rows (each with `marks`, the data marks overlapping it),
    the key to continue after (None on the last page) and the rows of all pages."""

    rows: list[dict[str, Any]]
    next_after: str | None
    total: int


def _day(value: date | str | None, name: str) -> date:
    if value is None or value == "":
        raise HistoryError("missing_date", f"{name} date is missing; pick a day")
    try:
        return parse_time(value, name).date()
    except TimeError as exc:
        raise HistoryError("bad_date", str(exc), value=str(value)) from None


def check_query(
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: date | str | None,
    end: date | str | None,
) -> HistoryQuery:
    """The query for whole days `start` to `end` (both included, device time)."""
    if kind not in QUERY_KINDS:
        raise HistoryError(
            "bad_kind", f"unknown data kind {kind!r}; expected one of {', '.join(QUERY_KINDS)}"
        )
    ids = tuple(sorted(set(point_ids)))
    if not ids:
        raise HistoryError("no_point", "pick at least one monitoring point")
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise HistoryError("end_before_start", f"end date {last} is before start date {first}")
    if (last - first).days + 1 > MAX_DAYS:
        days = (last - first).days + 1
        raise HistoryError(
            "too_long", f"a query spans at most {MAX_DAYS} days, not {days}", days=MAX_DAYS
        )
    begin = datetime(first.year, first.month, first.day)
    finish = datetime(last.year, last.month, last.day) + timedelta(days=1)
    return HistoryQuery(ids, pollutant or None, kind, begin, finish)


def encode_after(row: dict[str, Any]) -> str:
    """The key a page continues after: "2024-05-01T10:00:00~12~a21026"."""
    return f"{row['data_time'].isoformat()}~{row['point_id']}~{row['pollutant']}"


def decode_after(text: str | None) -> tuple[datetime, int, str] | None:
    if not text:
        return None
    try:
        when, point_id, code = text.split("~", 2)
        return datetime.fromisoformat(when), int(point_id), code
    except ValueError:
        raise HistoryError("bad_after", f"page key {text!r} is not one this page gave") from None


def visible_points(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """The points the viewer may query, with their enterprise and kind."""
    with engine.connect() as conn:
        return registry_store.points_in_scope(conn, scope)


def points_of(conn: sa.Connection, scope: Scope, q: HistoryQuery) -> dict[int, dict[str, Any]]:
    """The query's points by id; NotFoundError for one missing or out of sight (alike)."""
    seen = {p["id"]: p for p in registry_store.points_in_scope(conn, scope)}
    for point_id in q.point_ids:
        if point_id not in seen:
            raise NotFoundError(f"no monitoring point {point_id}")
    return {point_id: seen[point_id] for point_id in q.point_ids}


def _where(q: HistoryQuery) -> dict[str, Any]:
    return {
        "point_ids": q.point_ids, "pollutant": q.pollutant, "kind": q.stored_kind,
        "start": q.start, "end": q.end,
    }  # fmt: skip


def _with_marks(conn: sa.Connection, q: HistoryQuery, rows: list[dict[str, Any]]) -> None:
    """Each row's `marks`: the live data marks of its point (and pollutant, or all of them)
    overlapping the row's time or period."""
    if not rows:
        return
    found = compliance_store.marks(
        conn,
        point_ids=sorted({r["point_id"] for r in rows}),
        start=rows[0]["data_time"],
        end=rows[-1]["data_time"] + (q.period or timedelta(microseconds=1)),
        include_revoked=False,
        limit=None,
    )
    for row in rows:
        begin = row["data_time"]
        finish = begin + (q.period or timedelta(microseconds=1))  # an instant: [t, t + 1 µs)
        row["marks"] = [
            m
            for m in found
            if m["point_id"] == row["point_id"]
            and m["pollutant"] in (None, row["pollutant"])
            and m["start"] < finish
            and m["end"] > begin
        ]


def read_columns(q: HistoryQuery, engine: sa.Engine, after: Any, limit: int) -> pa.Table:
    """Up to `limit` rows of the query after the key `after` (a PAGE_ORDER tuple, or None
    for the first), as columns (store.read_columns over q.table)."""
    return store.read_columns(
        engine, q.table, point_ids=q.point_ids,
        codes=None if q.pollutant is None else [q.pollutant], kind=q.stored_kind,
        start=q.start, end=q.end, order=store.PAGE_ORDER, after=after, limit=limit,
    )  # fmt: skip


def rows_of(table: pa.Table) -> list[dict[str, Any]]:
    """A page's columns as row dicts for shaping (a page or an export batch, not more)."""
    return table.to_pylist()


def read_page(
    engine: sa.Engine, scope: Scope, q: HistoryQuery, after: str | None, size: int
) -> tuple[Page, dict[int, dict[str, Any]]]:
    """The page after key `after` (None: the first), and the query's points."""
    key = decode_after(after)
    with engine.connect() as conn:
        points = points_of(conn, scope, q)
    rows = rows_of(read_columns(q, engine, key, size + 1))
    with engine.connect() as conn:
        # archived months (ecozone.archive): their Parquet rows, in key order before live ones
        rows = archive_read.with_archived(conn, q.table, rows, **_where(q), after=key,
                                          limit=size + 1)  # fmt: skip
        more = len(rows) > size
        rows = rows[:size]
        _with_marks(conn, q, rows)
        total = store.history_count(conn, q.table, scope, **_where(q))
        total = archive_read.count_with_archived(conn, q.table, total, **_where(q))  # archived
    return Page(rows, encode_after(rows[-1]) if more else None, total), points


def walk(
    engine: sa.Engine, scope: Scope, q: HistoryQuery, cap: int, batch: int = 5000
) -> tuple[dict[int, dict[str, Any]], int, Iterator[list[dict[str, Any]]]]:
    """The query's points, its total row count and an iterator over its rows, batch by batch
    in page order, ending after `cap` rows (the caller states the cap when total > cap).
    Each batch is one columnar read after the last key of the one before, so a slow
    download holds no connection open between batches."""
    with engine.connect() as conn:
        points = points_of(conn, scope, q)
        total = store.history_count(conn, q.table, scope, **_where(q))
        total = archive_read.count_with_archived(conn, q.table, total, **_where(q))  # archived

    def batches() -> Iterator[list[dict[str, Any]]]:
        key, left = None, cap
        while left > 0:
            rows = rows_of(read_columns(q, engine, key, min(batch, left)))
            with engine.connect() as conn:
                # archived months (ecozone.archive), as in read_page
                rows = archive_read.with_archived(conn, q.table, rows, **_where(q), after=key,
                                                  limit=min(batch, left))  # fmt: skip
                _with_marks(conn, q, rows)
            if not rows:
                return
            yield rows
            left -= len(rows)
            last = rows[-1]
            key = (last["data_time"], last["point_id"], last["pollutant"])

    return points, total, batches()


def pollutants(engine: sa.Engine, scope: Scope, q: HistoryQuery) -> list[str]:
    """Pollutant codes the query's points hold over its range (for the picker)."""
    with engine.connect() as conn:
        points_of(conn, scope, q)
        where = _where(q)
        where.pop("pollutant")
        live = store.history_pollutants(conn, q.table, scope, **where)
        # archived months (ecozone.archive)
        return archive_read.pollutants_with_archived(conn, q.table, live, **where)
