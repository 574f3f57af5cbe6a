"""SQL of monitoring: minute values summed per hour, device periods, the `aggregate` table.

The heavy step, summing minute values per (point, pollutant, hour), runs in the database,
a batch of points and one range per statement, and returns one row per hour. Sums must not
depend on the range asked (the streaming path sums one hour, recompute a month; both must
agree to the bit), so: on SQLite the statement walks temporary (point) x (pollutant) x (hour)
key tables and seeks each hour's rows through the measurement key, which feeds every hour's
rows to sum() in time order with no sort; on PostgreSQL, whose plans may read rows in any
order, values are summed as integers in millionths (exact, so order-free; HJ 212 data types
carry at most 6 decimals, N1.6). Aggregates are written by deleting the range and upserting
(INSERT ... ON CONFLICT DO UPDATE; on PostgreSQL one INSERT ... SELECT FROM unnest(arrays)).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import psycopg
import sqlalchemy as sa
from psycopg.adapt import Dumper, PyFormat
from psycopg.pq import Format

from ecozone.measurements import store as measurements_store
from ecozone.monitoring.rules import MinuteGroups, Periods
from ecozone.store.engine import in_lists
from ecozone.store.schema import aggregate, enterprise, measurement, point

# Values the ingest path accepts (ingest.rules.MAX_ABS_VALUE); anything else is no reading.
VALUE_BOUND = 1e12
MICRO = 1_000_000

AGGREGATE_KEY = ("point_id", "kind", "pollutant", "data_time")
AGGREGATE_VALUES = (
    "avg", "min", "max", "cou", "zs_avg", "zs_min", "zs_max", "valid", "valid_count",
    "sample_count", "emission_kg", "flag", "device_avg", "computed_at",
)  # fmt: skip
AGGREGATE_COLUMNS = AGGREGATE_KEY + AGGREGATE_VALUES
_FLOATS = ("avg", "min", "max", "cou", "zs_avg", "zs_min", "zs_max", "emission_kg", "device_avg")


def _q(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


_ON_CONFLICT = f"ON CONFLICT ({_q(AGGREGATE_KEY)}) DO UPDATE SET " + ", ".join(
    f'"{name}" = excluded."{name}"' for name in AGGREGATE_VALUES
)
_SQLITE_UPSERT = (
    f"INSERT INTO aggregate ({_q(AGGREGATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in AGGREGATE_COLUMNS)}) {_ON_CONFLICT}"
)
_PG_TYPES = {
    "point_id": "int4", "kind": "varchar", "pollutant": "varchar", "data_time": "timestamp",
    **{name: "float8" for name in _FLOATS},
    "valid": "bool", "valid_count": "int4", "sample_count": "int4", "flag": "varchar",
}  # fmt: skip
_PG_UNNESTED = [name for name in AGGREGATE_COLUMNS if name != "computed_at"]
# Floats travel as NaN for a missing value (their arrays are packed by NumPy, which has no
# NULL) and become NULL here; no stored value is NaN (see VALUE_BOUND).
_PG_UPSERT = (
    f"INSERT INTO aggregate ({_q(AGGREGATE_COLUMNS)}) SELECT "
    + ", ".join(f"nullif(u.{n}, 'NaN')" if n in _FLOATS else f"u.{n}" for n in _PG_UNNESTED)
    + ", %(computed_at)s FROM unnest("
    + ", ".join(f"%({name})b::{_PG_TYPES[name]}[]" for name in _PG_UNNESTED)
    + f") AS u ({', '.join(_PG_UNNESTED)}) {_ON_CONFLICT}"
)


def sqlite_text(value: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores (and compares) for a naive time."""
    return value.isoformat(" ", "microseconds")


# --- points and extents -----------------------------------------------------------------------


def select_points(conn: sa.Connection, point_ids: Sequence[int] | None) -> list[dict[str, Any]]:
    """id, kind and reference_o2 of the given points (all points for None), by id."""
    stmt = sa.select(point.c.id, point.c.kind, point.c.reference_o2).order_by(point.c.id)
    if point_ids is not None:
        stmt = stmt.where(point.c.id.in_(list(point_ids)))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def points_of_enterprises(conn: sa.Connection, enterprise_ids: Iterable[int]) -> set[int]:
    """Ids of the points of these enterprises (a caller's view, ecozone.accounts)."""
    ids = list(enterprise_ids)
    if not ids:
        return set()
    stmt = sa.select(point.c.id).where(point.c.enterprise_id.in_(ids))
    return set(conn.scalars(stmt))


def point_owner(conn: sa.Connection, point_id: int) -> dict[str, Any] | None:
    """The enterprise a point belongs to: id, district_id, disclosed; None for no such point."""
    stmt = (
        sa.select(enterprise.c.id, enterprise.c.district_id, enterprise.c.disclosed)
        .join(point, point.c.enterprise_id == enterprise.c.id)
        .where(point.c.id == point_id)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def _edge(conn: sa.Connection, table: sa.Table, point_id: int, kind: str, last: bool) -> Any:
    # One min() or max() per statement: both engines answer it with one index seek.
    column = table.c.data_time
    func = sa.func.max(column) if last else sa.func.min(column)
    stmt = sa.select(func).where(table.c.point_id == point_id, table.c.kind == kind)
    return conn.execute(stmt).scalar()


def extent(conn: sa.Connection, point_id: int) -> tuple[datetime, datetime] | None:
    """First and last data_time of the point's minute, hour and day measurements and of its
    stored aggregates; None when it has none of them."""
    edges = [
        _edge(conn, table, point_id, kind, last)
        for table, kinds in ((measurement, ("minute", "hour", "day")), (aggregate, ("hour", "day")))
        for kind in kinds
        for last in (False, True)
    ]
    present = [edge for edge in edges if edge is not None]
    if not present:
        return None
    return min(present), max(present)


def pollutants(conn: sa.Connection, point_id: int, kind: str) -> list[str]:
    """The codes a point has measurements of, for one kind: a walk down the key, one seek per
    code, instead of a scan of the point's rows."""
    m = measurement.c
    found: list[str] = []
    last: str | None = None
    while True:
        stmt = sa.select(sa.func.min(m.pollutant)).where(m.point_id == point_id, m.kind == kind)
        if last is not None:
            stmt = stmt.where(m.pollutant > last)
        code = conn.execute(stmt).scalar()
        if code is None:
            return found
        found.append(code)
        last = code


def codes_in_range(
    conn: sa.Connection, point_ids: Sequence[int], kind: str, start: datetime, end: datetime
) -> list[str]:
    """The codes the points have `kind` measurements of in [start, end); read from the
    (point_id, kind, data_time) index, which carries the code as part of the key."""
    m = measurement.c
    stmt = (
        sa.select(m.pollutant)
        .distinct()
        .where(
            m.point_id.in_(list(point_ids)),
            m.kind == kind,
            m.data_time >= start,
            m.data_time < end,
        )
        .order_by(m.pollutant)
    )
    return list(conn.scalars(stmt))


# --- minute values summed per hour --------------------------------------------------------------


def _flag_sql(valid_flags: Iterable[str], unflagged_is_normal: bool) -> str:
    """SQL truth of "this minute value counts", on the raw flag as stored.

    A chain of equalities, N first: inside CASE WHEN it stops at the first match, so the
    common case costs one comparison (an IN list costs a lookup per evaluation on SQLite).
    """
    letters = sorted(valid_flags, key=lambda f: (f != "N", f))
    tests = [f"m.flag = '{letter}'" for flag in letters for letter in (flag, flag.lower())]
    if unflagged_is_normal:
        tests += ["m.flag IS NULL", "m.flag = ''"]
    return "(" + " OR ".join(tests) + ")"


def minute_groups(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    valid_flags: Iterable[str],
    unflagged_is_normal: bool,
    with_flags: bool,
) -> dict[int, MinuteGroups]:
    """The points' minute values in [start, end), summed per (pollutant, hour), by point.

    One statement for all the points: on PostgreSQL, where rows of many points share a page
    (the gateway writes every point's minute together), each page is read once. Only values
    within ±VALUE_BOUND count as present. `start` and `end` are whole hours. `with_flags`
    (wastewater) also sums Cou and lists each hour's distinct invalid flags; flue gas needs
    neither (its volume and mass come from mean flows, App. D eq. (31)-(34)).
    """
    if not codes or not point_ids or end <= start:
        return {}
    valid = _flag_sql(valid_flags, unflagged_is_normal)
    if conn.dialect.name == "sqlite":
        rows = _sqlite_minute_groups(conn, point_ids, codes, start, end, valid, with_flags)
    elif conn.dialect.name == "postgresql":
        rows = _pg_minute_groups(conn, point_ids, start, end, valid, with_flags)
    else:
        raise NotImplementedError(f"no minute aggregation for the {conn.dialect.name} dialect")
    return _groups_by_point(rows)


def _sqlite_minute_groups(
    conn: sa.Connection,
    point_ids: Sequence[int],
    codes: Sequence[str],
    start: datetime,
    end: datetime,
    valid: str,
    with_flags: bool,
) -> list[tuple[Any, ...]]:
    # WITHOUT ROWID key tables: the planner knows the loops come out in key order, so the
    # GROUP BY needs no sorter and each hour's rows reach sum() in data_time order.
    for ddl in (
        "CREATE TEMP TABLE IF NOT EXISTS ecozone_points (id INTEGER PRIMARY KEY) WITHOUT ROWID",
        "CREATE TEMP TABLE IF NOT EXISTS ecozone_codes (code TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TEMP TABLE IF NOT EXISTS ecozone_hours "
        "(start TEXT PRIMARY KEY, stop TEXT NOT NULL) WITHOUT ROWID",
        "DELETE FROM temp.ecozone_points",
        "DELETE FROM temp.ecozone_codes",
        "DELETE FROM temp.ecozone_hours",
    ):
        conn.exec_driver_sql(ddl)
    conn.exec_driver_sql("INSERT INTO temp.ecozone_points VALUES (?)", [(i,) for i in point_ids])
    conn.exec_driver_sql("INSERT INTO temp.ecozone_codes VALUES (?)", [(c,) for c in codes])
    hours = int((end - start) / timedelta(hours=1))
    edges = [sqlite_text(start + timedelta(hours=i)) for i in range(hours + 1)]
    conn.exec_driver_sql(
        "INSERT INTO temp.ecozone_hours VALUES (?, ?)", list(itertools.pairwise(edges))
    )
    water = (
        f"""sum(CASE WHEN {valid} THEN m.cou END), count(CASE WHEN {valid} THEN m.cou END),
            group_concat(DISTINCT CASE WHEN NOT {valid} THEN coalesce(m.flag, '') END)"""
        if with_flags
        else "NULL, 0, NULL"
    )
    sql = f"""
        SELECT p.id, c.code, h.start, count(*), count(CASE WHEN {valid} THEN 1 END),
               sum(CASE WHEN {valid} THEN m.avg END),
               min(CASE WHEN {valid} THEN coalesce(m.min, m.avg) END),
               max(CASE WHEN {valid} THEN coalesce(m.max, m.avg) END),
               {water}
        FROM temp.ecozone_points AS p
        CROSS JOIN temp.ecozone_codes AS c
        CROSS JOIN temp.ecozone_hours AS h
        CROSS JOIN measurement AS m
        WHERE m.point_id = p.id AND m.kind = 'minute' AND m.pollutant = c.code
          AND m.data_time >= h.start AND m.data_time < h.stop
          AND m.avg BETWEEN -{VALUE_BOUND} AND {VALUE_BOUND}
        GROUP BY p.id, c.code, h.start
    """
    return list(conn.exec_driver_sql(sql).fetchall())


def _pg_minute_groups(
    conn: sa.Connection,
    point_ids: Sequence[int],
    start: datetime,
    end: datetime,
    valid: str,
    with_flags: bool,
) -> list[tuple[Any, ...]]:
    cou_ok = f"{valid} AND m.cou BETWEEN -{VALUE_BOUND} AND {VALUE_BOUND}"
    # Integer sums in millionths are exact; numeric / 1e6 is exact too, and the one rounding
    # to float8 at the end is the same whatever order the rows came in.
    water = (
        f"""(sum(round(m.cou * {MICRO})::bigint) FILTER (WHERE {cou_ok}) / {MICRO}.0)::float8,
            count(m.cou) FILTER (WHERE {cou_ok}),
            string_agg(DISTINCT coalesce(m.flag, ''), ',') FILTER (WHERE NOT {valid})"""
        if with_flags
        else "NULL, 0, NULL"
    )
    sql = f"""
        SELECT m.point_id, m.pollutant, date_trunc('hour', m.data_time), count(*),
               count(*) FILTER (WHERE {valid}),
               (sum(round(m.avg * {MICRO})::bigint) FILTER (WHERE {valid}) / {MICRO}.0)::float8,
               min(coalesce(m.min, m.avg)) FILTER (WHERE {valid}),
               max(coalesce(m.max, m.avg)) FILTER (WHERE {valid}),
               {water}
        FROM measurement AS m
        WHERE m.point_id = ANY(%(point_ids)s) AND m.kind = 'minute'
          AND m.data_time >= %(start)s AND m.data_time < %(end)s
          AND m.avg BETWEEN -{VALUE_BOUND} AND {VALUE_BOUND}
        GROUP BY 1, 2, 3
    """
    params = {"point_ids": list(point_ids), "start": start, "end": end}
    return list(conn.exec_driver_sql(sql, params).fetchall())


def _floats(values: Sequence[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _split(point_id: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(point id, indices of its rows, in their order) for each point present."""
    order = np.argsort(point_id, kind="stable")
    ids, first = np.unique(point_id[order], return_index=True)
    return [(int(i), rows) for i, rows in zip(ids, np.split(order, first[1:]), strict=True)]


def _groups_by_point(rows: list[tuple[Any, ...]]) -> dict[int, MinuteGroups]:
    if not rows:
        return {}
    columns = list(zip(*rows, strict=True))
    point_id = np.array(columns[0], dtype=np.int64)
    arrays = (
        np.array(columns[1], dtype=object),
        np.array(columns[2], dtype="datetime64[s]"),
        np.array(columns[3], dtype=np.int64),
        np.array(columns[4], dtype=np.int64),
        _floats(columns[5]),
        _floats(columns[6]),
        _floats(columns[7]),
        _floats(columns[8]),
        np.array(columns[9], dtype=np.int64),
        np.array(columns[10], dtype=object),
    )
    return {point: MinuteGroups(*(a[index] for a in arrays)) for point, index in _split(point_id)}


# --- device periods and stored aggregates -------------------------------------------------------

DEVICE_COLUMNS = ("pollutant", "start", "avg", "min", "max", "cou", "flag")


def device_periods(
    conn: sa.Connection, point_ids: Sequence[int], kind: str, start: datetime, end: datetime
) -> dict[int, dict[str, np.ndarray]]:
    """The devices' own `kind` ('hour'/'day') values in [start, end), as arrays by point, in
    (pollutant, data_time) order."""
    m = measurement.c
    stmt = (
        sa.select(m.point_id, m.pollutant, m.data_time, m.avg, m.min, m.max, m.cou, m.flag)
        .where(
            m.point_id.in_(list(point_ids)),
            m.kind == kind,
            m.data_time >= start,
            m.data_time < end,
            m.avg.between(-VALUE_BOUND, VALUE_BOUND),
        )
        .order_by(m.point_id, m.pollutant, m.data_time)
    )
    rows = conn.execute(stmt).fetchall()
    if not rows:
        return {}
    columns = list(zip(*rows, strict=True))
    arrays = (
        np.array(columns[1], dtype=object),
        np.array(columns[2], dtype="datetime64[s]"),
        _floats(columns[3]),
        _floats(columns[4]),
        _floats(columns[5]),
        _floats(columns[6]),
        np.array(columns[7], dtype=object),
    )
    point_id = np.array(columns[0], dtype=np.int64)
    return {
        point: dict(zip(DEVICE_COLUMNS, (a[index] for a in arrays), strict=True))
        for point, index in _split(point_id)
    }


def read_periods(
    conn: sa.Connection, point_ids: Sequence[int], kind: str, start: datetime, end: datetime
) -> dict[int, Periods]:
    """Stored aggregates of the points in [start, end), by point, in (pollutant, data_time)
    order."""
    a = aggregate.c
    names = ("point_id", "pollutant", "data_time", *AGGREGATE_VALUES[:-1])
    stmt = (
        sa.select(*(a[name] for name in names))
        .where(
            a.point_id.in_(list(point_ids)),
            a.kind == kind,
            a.data_time >= start,
            a.data_time < end,
        )
        .order_by(a.point_id, a.pollutant, a.data_time)
    )
    rows = conn.execute(stmt).fetchall()
    if not rows:
        return {}
    columns = dict(zip(names, zip(*rows, strict=True), strict=True))
    point_id = np.array(columns.pop("point_id"), dtype=np.int64)
    arrays = {
        "pollutant": np.array(columns["pollutant"], dtype=object),
        "start": np.array(columns["data_time"], dtype="datetime64[s]"),
        "valid": np.array(columns["valid"], dtype=bool),
        "valid_count": np.array(columns["valid_count"], dtype=np.int64),
        "sample_count": np.array(columns["sample_count"], dtype=np.int64),
        "flag": np.array(columns["flag"], dtype=object),
        **{name: _floats(columns[name]) for name in _FLOATS},
    }
    return {
        point: Periods(**{name: arrays[name][index] for name in Periods.__dataclass_fields__})
        for point, index in _split(point_id)
    }


_LOCK_NAMESPACE = 2120 << 48


def lock_points(
    conn: sa.Connection, point_ids: Iterable[int], spans: Iterable[tuple[datetime, datetime]]
) -> None:
    """Serialise recomputations of these points' data in the calendar months the half-open
    `spans` cover, until the transaction ends.

    On PostgreSQL one transaction-scoped advisory lock per (point, month), taken in key
    order so two writers never deadlock; recomputations of other months of the same point
    go on at the same time. On SQLite the IMMEDIATE transaction the caller opened already
    holds the only write lock.
    """
    if conn.dialect.name != "postgresql":
        return
    months = set()
    for start, end in spans:
        last = end - timedelta(microseconds=1)
        months.update(range(start.year * 12 + start.month - 1, last.year * 12 + last.month))
    keys = sorted(_LOCK_NAMESPACE | month << 32 | p for month in months for p in set(point_ids))
    # One round trip; the locks are taken in the order the rows come, which ORDER BY fixes.
    conn.exec_driver_sql(
        "SELECT count(pg_advisory_xact_lock(k)) FROM "
        "(SELECT k FROM unnest(%(keys)s::bigint[]) AS k ORDER BY k) AS ordered",
        {"keys": keys},
    )


def replace_periods(
    conn: sa.Connection,
    kind: str,
    start: datetime,
    end: datetime,
    periods: dict[int, Periods],
    computed_at: datetime,
) -> int:
    """Make the `kind` aggregates of each point of `periods` in [start, end) exactly its
    periods: delete the range, then upsert. Returns the rows written. Runs in the caller's
    transaction."""
    if not periods:
        return 0
    a = aggregate.c
    conn.execute(
        sa.delete(aggregate).where(
            a.point_id.in_(sorted(periods)), a.kind == kind, a.data_time >= start, a.data_time < end
        )
    )
    return upsert_periods(conn, kind, periods, computed_at)


def _nullable(values: np.ndarray) -> list[Any]:
    return [None if v != v else v for v in values.tolist()]  # NaN -> NULL


class PgArray:
    """A one-dimensional PostgreSQL array in binary wire format, packed from a NumPy array
    in one step (psycopg would adapt a Python list element by element)."""

    # PostgreSQL type oids: element, array; NumPy big-endian type of an element.
    TYPES: Mapping[str, tuple[int, int, str]] = {
        "float8": (701, 1022, ">f8"),
        "int4": (23, 1007, ">i4"),
        "bool": (16, 1000, "u1"),
        "timestamp": (1114, 1115, ">i8"),  # microseconds since 2000-01-01
    }
    _EPOCH = np.datetime64("2000-01-01T00:00:00", "us")

    def __init__(self, values: np.ndarray, pg_type: str) -> None:
        element_oid, self.oid, dtype = self.TYPES[pg_type]
        if pg_type == "timestamp":
            values = (values.astype("datetime64[us]") - self._EPOCH).astype(np.int64)
        width = np.dtype(dtype).itemsize
        body = np.empty(len(values), dtype=[("length", ">i4"), ("value", dtype)])
        body["length"] = width
        body["value"] = values
        # ndim, has-nulls flag, element oid, then per dimension: size, lower bound.
        header = np.array([1, 0, element_oid, len(values), 1], dtype=">i4")
        self.data = header.tobytes() + body.tobytes()


class _PgArrayDumper(Dumper):
    format = Format.BINARY

    def dump(self, obj: PgArray) -> bytes:
        return obj.data

    def get_key(self, obj: PgArray, format: PyFormat) -> Any:
        return (PgArray, obj.oid)

    def upgrade(self, obj: PgArray, format: PyFormat) -> Dumper:
        dumper = _PgArrayDumper(PgArray)
        dumper.connection = self.connection
        dumper.oid = obj.oid
        return dumper


def _pg_execute_binary(conn: sa.Connection, statement: str, params: dict[str, Any]) -> None:
    """Run `statement`, whose %(name)b placeholders send lists as binary arrays (packed in
    C, instead of quoting every element as text). Errors come out as SQLAlchemy's, as from
    execute()."""
    try:
        dbapi_connection: Any = conn.connection.dbapi_connection
        with dbapi_connection.cursor() as cursor:
            cursor.adapters.register_dumper(PgArray, _PgArrayDumper)
            cursor.execute(statement, params)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc


def upsert_periods(
    conn: sa.Connection, kind: str, periods: dict[int, Periods], computed_at: datetime
) -> int:
    """Insert or overwrite the `kind` aggregates of the points of `periods`, in one statement
    (INSERT ... ON CONFLICT DO UPDATE on the key point_id, kind, pollutant, data_time)."""
    tables = [(point_id, periods[point_id]) for point_id in sorted(periods)]
    n = sum(len(table) for _, table in tables)
    if n == 0:
        return 0

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(table, name) for _, table in tables])

    point_ids = np.concatenate([np.full(len(table), point_id) for point_id, table in tables])
    columns: dict[str, list[Any]] = {
        "point_id": point_ids.tolist(),
        "kind": [kind] * n,
        "pollutant": joined("pollutant").tolist(),
        "flag": joined("flag").tolist(),
    }
    start = joined("start")
    computed_at = computed_at.astimezone(UTC)
    if conn.dialect.name == "sqlite":
        columns.update(
            valid=joined("valid").tolist(),
            valid_count=joined("valid_count").tolist(),
            sample_count=joined("sample_count").tolist(),
        )
        for name in _FLOATS:
            columns[name] = _nullable(joined(name))
        text = np.char.replace(np.datetime_as_string(start, unit="us"), "T", " ")
        columns["data_time"] = text.tolist()
        columns["valid"] = [int(v) for v in columns["valid"]]
        columns["computed_at"] = [sqlite_text(computed_at.replace(tzinfo=None))] * n
        rows = list(zip(*(columns[name] for name in AGGREGATE_COLUMNS), strict=True))
        conn.exec_driver_sql(_SQLITE_UPSERT, rows)
    elif conn.dialect.name == "postgresql":
        params: dict[str, Any] = {
            "point_id": PgArray(point_ids, "int4"),
            "kind": columns["kind"],
            "pollutant": columns["pollutant"],
            "data_time": PgArray(start, "timestamp"),
            "valid": PgArray(joined("valid"), "bool"),
            "valid_count": PgArray(joined("valid_count"), "int4"),
            "sample_count": PgArray(joined("sample_count"), "int4"),
            "flag": columns["flag"],
            **{name: PgArray(joined(name), "float8") for name in _FLOATS},
            "computed_at": computed_at,
        }
        _pg_execute_binary(conn, _PG_UPSERT, params)
    else:
        raise NotImplementedError(f"no aggregate upsert for the {conn.dialect.name} dialect")
    return n


# --- reads for queries, capture rates and totals --------------------------------------------------


def query_aggregates(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int] | None,
    pollutant: str | None,
    kind: str,
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    offset: int,
) -> list[dict[str, Any]]:
    """Aggregate rows of one kind, ordered by data_time, pollutant, point; half-open range."""
    ranged = measurements_store.in_range(
        sa.select(aggregate).where(aggregate.c.kind == kind), aggregate, point_ids=point_ids,
        pollutant=pollutant, start=start, end=end, limit=limit, offset=offset,
    )  # fmt: skip
    if ranged is None:
        return []
    return [dict(row) for row in conn.execute(ranged).mappings()]


def count_periods(
    conn: sa.Connection, point_id: int, kind: str, start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """Per pollutant: (code, periods with any value, valid periods) in [start, end)."""
    a = aggregate.c
    stmt = (
        sa.select(
            a.pollutant,
            sa.func.count().filter(a.sample_count > 0),
            sa.func.count().filter(a.valid.is_(True)),
        )
        .where(a.point_id == point_id, a.kind == kind, a.data_time >= start, a.data_time < end)
        .group_by(a.pollutant)
        .order_by(a.pollutant)
    )
    return [(code, int(present), int(valid)) for code, present, valid in conn.execute(stmt)]


def sum_days(
    conn: sa.Connection, point_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Per pollutant over the daily aggregates in [start, end): emitted mass (kg), volume or
    Cou sum, and how many days carried each."""
    a = aggregate.c
    stmt = (
        sa.select(
            a.pollutant,
            sa.func.sum(a.emission_kg).label("emission_kg"),
            sa.func.count(a.emission_kg).label("emission_days"),
            sa.func.sum(a.cou).label("cou"),
            sa.func.count(a.cou).label("cou_days"),
            sa.func.count().filter(a.valid.is_(True)).label("valid_days"),
        )
        .where(a.point_id == point_id, a.kind == "day", a.data_time >= start, a.data_time < end)
        .group_by(a.pollutant)
        .order_by(a.pollutant)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- computed values of the pages: aggregates, capture, newest hourly means ----------------


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
    for ids in in_lists(list(point_ids)):
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
