"""The measurement and raw_frame tables: batch writes, range reads, and the joins that name points.

The one home of measurement SQL. A query names what it wants by MN, credit
code and outlet code; resolve_points and point_labels turn the names into
point ids and back, so the range read works on the table's key.

The gateway writes 100k+ measurement rows a second, so the upsert skips
SQLAlchemy's per-value processing: rows become tuples once (times converted
as schema.UtcDateTime / LocalDateTime would), repeats of a key within the
batch collapse (the later row wins), and the batch is sorted in key order,
which keeps b-tree page writes local. Re-sent data overwrites in place and
never duplicates.

SQLite runs one prepared INSERT ... ON CONFLICT DO UPDATE per row
(executemany, in C). PostgreSQL copies far faster than it inserts, and
re-sent data is rare, so a batch is first COPYed straight into the table
under a savepoint; if any key already exists, that is rolled back and the
batch is COPYed into a session-local staging table and moved with one
INSERT ... SELECT ... ON CONFLICT DO UPDATE.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import pyarrow as pa
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import point_scope_condition, scope_condition
from ecozone.measurements.model import PERIODIC_KINDS as MEASUREMENT_KINDS
from ecozone.measurements.model import PointLabel
from ecozone.store.arrow import fetch_table, literal, time_literal
from ecozone.store.engine import in_lists
from ecozone.store.schema import (
    STORED_KINDS,
    aggregate,
    device,
    enterprise,
    measurement,
    point,
    raw_frame,
)
from ecozone.times import cst_naive

KEY_COLUMNS = ("point_id", "kind", "pollutant", "data_time")
FLOAT_COLUMNS = ("rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max")
VALUE_COLUMNS = (*FLOAT_COLUMNS, "flag", "eflag", "received_at", "resent")
MEASUREMENT_COLUMNS = KEY_COLUMNS + VALUE_COLUMNS
RAW_FRAME_COLUMNS = ("received_at", "peer", "mn", "cn", "qn", "data", "verdict", "reason")

# Rows per SQLite executemany call: bounds the memory of one parameter list.
SQLITE_BATCH_SIZE = 10_000
# Rows per insert_raw_frames statement.
RAW_FRAME_BATCH_SIZE = 1_000


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


_COLUMNS = _quoted(MEASUREMENT_COLUMNS)
_ON_CONFLICT = f"ON CONFLICT ({_quoted(KEY_COLUMNS)}) DO UPDATE SET " + ", ".join(
    f'"{name}" = excluded."{name}"' for name in VALUE_COLUMNS
)
_SQLITE_UPSERT = (
    f"INSERT INTO measurement ({_COLUMNS}) "
    f"VALUES ({', '.join('?' for _ in MEASUREMENT_COLUMNS)}) {_ON_CONFLICT}"
)
_PG_COPY_DIRECT = f"COPY measurement ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
# The staging table lives as long as the database session and is emptied in
# place at commit; creating it in every transaction also works behind a
# transaction-pooling proxy. The DELETE empties it for a second batch in the
# same transaction (and costs nothing on an empty table).
_PG_STAGE = "ecozone_measurement_stage"
_PG_CREATE_STAGE = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_STAGE} (LIKE measurement) ON COMMIT DELETE ROWS"
)
_PG_EMPTY_STAGE = f"DELETE FROM {_PG_STAGE}"
_PG_COPY_STAGE = f"COPY {_PG_STAGE} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_PG_COPY_TYPES = (
    ["int4", "varchar", "varchar", "timestamp"]
    + ["float8"] * len(FLOAT_COLUMNS)
    + ["varchar", "varchar", "timestamptz", "bool"]
)
_PG_UPSERT_STAGED = (
    f"INSERT INTO measurement ({_COLUMNS}) SELECT {_COLUMNS} FROM {_PG_STAGE} {_ON_CONFLICT}"
)


_RAW_COLUMNS = _quoted(RAW_FRAME_COLUMNS)
_SQLITE_RAW_INSERT = (
    f"INSERT INTO raw_frame ({_RAW_COLUMNS}) VALUES ({', '.join('?' for _ in RAW_FRAME_COLUMNS)})"
)
_PG_RAW_COPY = f"COPY raw_frame ({_RAW_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_PG_RAW_TYPES = ["timestamptz", "text", "text", "text", "text", "bytea", "varchar", "text"]


def _local_time(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return cst_naive(value)
    return value


def _utc_instant(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive received_at {value.isoformat()}; it needs a tzinfo")
    return value.astimezone(UTC)


def _sqlite_text(value: datetime) -> str:
    # The text SQLAlchemy's SQLite DateTime stores and parses back.
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _measurement_tuples(rows: Iterable[dict[str, Any]], as_text: bool) -> list[tuple[Any, ...]]:
    """Rows as tuples in MEASUREMENT_COLUMNS order, one per key, sorted by key.

    Times repeat within a batch (one frame, many pollutants), so their
    conversions are memoised.
    """
    now = datetime.now(UTC)
    local: dict[datetime, Any] = {}
    instants: dict[datetime, Any] = {}
    unique: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        get = row.get
        point_id, kind, pollutant, when = (
            get("point_id"), get("kind"), get("pollutant"), get("data_time")
        )  # fmt: skip
        if point_id is None or kind is None or pollutant is None or when is None:
            missing = [name for name in KEY_COLUMNS if get(name) is None]
            raise ValueError(f"measurement row without {', '.join(missing)}: {row!r}")
        data_time = local.get(when)
        if data_time is None:
            data_time = _local_time(when)
            local[when] = data_time = _sqlite_text(data_time) if as_text else data_time
        received = get("received_at") or now
        received_at = instants.get(received)
        if received_at is None:
            received_at = _utc_instant(received)
            instants[received] = received_at = _sqlite_text(received_at) if as_text else received_at
        unique[(point_id, kind, pollutant, data_time)] = (
            point_id, kind, pollutant, data_time,
            get("rtd"), get("avg"), get("min"), get("max"), get("cou"),
            get("zs_rtd"), get("zs_avg"), get("zs_min"), get("zs_max"),
            get("flag"), get("eflag"), received_at,
            bool(get("resent")),
        )  # fmt: skip
    # Keys are unique, so tuple comparison never reaches the values.
    return sorted(unique.values())


def _pg_copy(
    conn: sa.Connection,
    statement: str,
    tuples: list[tuple[Any, ...]],
    types: list[str] = _PG_COPY_TYPES,
) -> None:
    """COPY `tuples` in binary; driver errors come out as SQLAlchemy's, as from execute()."""
    try:
        dbapi_connection: Any = conn.connection.dbapi_connection
        with dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in tuples:
                copy.write_row(row)
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=conn.dialect
        ) from exc


def _pg_upsert(conn: sa.Connection, tuples: list[tuple[Any, ...]]) -> None:
    try:
        # One savepoint per call: callers should write a batch per call rather
        # than many small calls in one transaction (PostgreSQL slows down past
        # 64 subtransactions in a transaction).
        with conn.begin_nested():
            _pg_copy(conn, _PG_COPY_DIRECT, tuples)
        return
    except sa.exc.IntegrityError as exc:
        if not isinstance(exc.orig, psycopg.errors.UniqueViolation):
            raise
    conn.exec_driver_sql(_PG_CREATE_STAGE)
    conn.exec_driver_sql(_PG_EMPTY_STAGE)
    _pg_copy(conn, _PG_COPY_STAGE, tuples)
    conn.exec_driver_sql(_PG_UPSERT_STAGED)


def upsert_measurements(conn: sa.Connection, rows: list[dict[str, Any]]) -> int:
    """Insert or overwrite measurement rows; returns how many distinct keys were written.

    Each row needs the key point_id, kind, pollutant, data_time (device time:
    naive China Standard Time, or aware and converted) and may carry rtd,
    avg, min, max, cou, zs_*, flag, eflag, received_at (aware; default
    now) and resent (RF=1; default False). A re-sent record replaces the
    stored one as a whole: absent values become NULL. When the batch holds a
    key twice, the later row wins. Runs in the caller's transaction and does
    not commit; a database error
    (unknown point, bad kind) raises sqlalchemy.exc.IntegrityError.
    """
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect == "sqlite":
        tuples = _measurement_tuples(rows, as_text=True)
        for start in range(0, len(tuples), SQLITE_BATCH_SIZE):
            conn.exec_driver_sql(_SQLITE_UPSERT, tuples[start : start + SQLITE_BATCH_SIZE])
    elif dialect == "postgresql":
        tuples = _measurement_tuples(rows, as_text=False)
        _pg_upsert(conn, tuples)
    else:
        raise NotImplementedError(f"no measurement upsert for the {dialect} dialect")
    return len(tuples)


def insert_raw_frames(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Append received frames (bytes as received, peer, verdict, reason) for audit.

    Each row needs peer, data (bytes) and verdict ('accepted' or
    'rejected'); mn, cn, qn, reason are optional and received_at (aware)
    defaults to now. Runs in the caller's transaction and does not commit.
    """
    if not rows:
        return
    now = datetime.now(UTC)
    dialect = conn.dialect.name
    # Like the measurement upsert, bypass per-value processing: this runs for every frame.
    if dialect in ("sqlite", "postgresql"):
        as_text = dialect == "sqlite"
        instants: dict[datetime, Any] = {}
        tuples = []
        for row in rows:
            received = row.get("received_at") or now
            received_at = instants.get(received)
            if received_at is None:
                received_at = _utc_instant(received)
                instants[received] = received_at = (
                    _sqlite_text(received_at) if as_text else received_at
                )
            tuples.append(
                (received_at, row["peer"], row.get("mn"), row.get("cn"), row.get("qn"),
                 bytes(row["data"]), row["verdict"], row.get("reason"))
            )  # fmt: skip
        if as_text:
            conn.exec_driver_sql(_SQLITE_RAW_INSERT, tuples)
        else:
            _pg_copy(conn, _PG_RAW_COPY, tuples, _PG_RAW_TYPES)
        return
    completed = [{name: row.get(name) for name in RAW_FRAME_COLUMNS} for row in rows]
    for row in completed:
        if row["received_at"] is None:
            row["received_at"] = now
    stmt = raw_frame.insert()
    for start in range(0, len(completed), RAW_FRAME_BATCH_SIZE):
        conn.execute(stmt, completed[start : start + RAW_FRAME_BATCH_SIZE])


def query_measurements(
    conn: sa.Connection,
    *,
    point_ids: Sequence[int] | None = None,
    pollutant: str | None = None,
    kind: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Measurements of one data kind, ordered by data_time, pollutant (then point).

    The time range is half-open, start <= data_time < end, in device time
    (naive China Standard Time; aware bounds are converted). `point_ids`
    None means every point, an empty list none. received_at comes back
    aware, in UTC.
    """
    if kind not in STORED_KINDS:
        raise ValueError(f"unknown measurement kind {kind!r}; expected one of {STORED_KINDS}")
    m = measurement.c
    # Times are read without SQLAlchemy's per-value processing (a regular expression per
    # value on SQLite); _read_times converts them in bulk below.
    columns = [sa.type_coerce(c, sa.Text) if c.name in _TIME_COLUMNS else c for c in m]
    stmt = sa.select(*columns).where(m.kind == kind)
    if point_ids is None and (start is not None or end is not None):
        # Zone-wide over a time range: naming every point lets the database walk the
        # (point_id, kind, data_time) index point by point instead of scanning the table.
        point_ids = list(conn.execute(sa.select(point.c.id)).scalars())
    ranged = in_range(
        stmt, measurement, point_ids=point_ids, pollutant=pollutant, start=start, end=end,
        limit=limit, offset=offset,
    )  # fmt: skip
    if ranged is None:
        return []
    result = conn.execute(ranged)
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    _read_times(rows)
    return rows


def in_range(
    stmt: sa.Select[Any],
    table: sa.Table,
    *,
    point_ids: Sequence[int] | None,
    pollutant: str | None,
    start: datetime | None,
    end: datetime | None,
    limit: int | None,
    offset: int,
) -> sa.Select[Any] | None:
    """`stmt` over a (point_id, kind, pollutant, data_time) keyed `table` (measurement,
    aggregate) limited to these points and pollutant, start <= data_time < end, ordered by
    data_time, pollutant, point and paged; None when `point_ids` is empty (no rows)."""
    c = table.c
    if point_ids is not None:
        ids = list(point_ids)
        if not ids:
            return None
        stmt = stmt.where(c.point_id.in_(ids))
    if pollutant is not None:
        stmt = stmt.where(c.pollutant == pollutant)
    if start is not None:
        stmt = stmt.where(c.data_time >= start)
    if end is not None:
        stmt = stmt.where(c.data_time < end)
    stmt = stmt.order_by(c.data_time, c.pollutant, c.point_id).offset(offset or None)
    return stmt.limit(limit) if limit is not None else stmt


_TIME_COLUMNS = ("data_time", "received_at")


def _read_times(rows: list[dict[str, Any]]) -> None:
    """data_time as naive China Standard Time, received_at as aware UTC, on both engines."""
    parsed: dict[Any, datetime] = {}
    for row in rows:
        for name in _TIME_COLUMNS:
            value = row[name]
            out = parsed.get(value)
            if out is None:
                out = datetime.fromisoformat(value) if isinstance(value, str) else value
                if name == "received_at":
                    out = out.replace(tzinfo=UTC) if out.tzinfo is None else out.astimezone(UTC)
                elif out.tzinfo is not None:
                    out = cst_naive(out)
                parsed[value] = out
            row[name] = out


# --- naming points ---------------------------------------------------------------


def resolve_points(
    conn: sa.Connection,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point_code: str | None = None,
) -> dict[int, PointLabel]:
    """Points matching every name given, by id; empty when none matches them all."""
    stmt = (
        sa.select(point.c.id, point.c.code, device.c.mn)
        .select_from(point)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .outerjoin(device, device.c.point_id == point.c.id)
    )
    if mn is not None:
        stmt = stmt.where(device.c.mn == mn)
    if credit_code is not None:
        stmt = stmt.where(enterprise.c.credit_code == credit_code)
    if point_code is not None:
        stmt = stmt.where(point.c.code == point_code)
    return {row.id: PointLabel(code=row.code, mn=row.mn) for row in conn.execute(stmt)}


def point_labels(conn: sa.Connection, point_ids: Iterable[int]) -> dict[int, PointLabel]:
    """Outlet code and MN of the given points."""
    ids = sorted(set(point_ids))
    if not ids:
        return {}
    stmt = (
        sa.select(point.c.id, point.c.code, device.c.mn)
        .select_from(point)
        .outerjoin(device, device.c.point_id == point.c.id)
        .where(point.c.id.in_(ids))
    )
    return {row.id: PointLabel(code=row.code, mn=row.mn) for row in conn.execute(stmt)}


def enterprise_exists(conn: sa.Connection, credit_code: str) -> bool:
    stmt = sa.select(enterprise.c.id).where(enterprise.c.credit_code == credit_code)
    return conn.execute(stmt).first() is not None


def device_location(conn: sa.Connection, mn: str) -> dict[str, Any] | None:
    """Where the device with MN `mn` is installed: outlet code, credit code and name."""
    stmt = (
        sa.select(
            point.c.code.label("point"),
            enterprise.c.credit_code,
            enterprise.c.name.label("enterprise"),
        )
        .select_from(device)
        .join(point, point.c.id == device.c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(device.c.mn == mn)
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


# --- reads for the API's frame list and the status page ----------------------------


def recent_frames(
    conn: sa.Connection,
    scope: Scope,
    *,
    mn: str | None = None,
    verdict: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The newest raw frames first, optionally of one MN and one verdict.

    An unlimited scope reads every frame, unregistered MNs included; any other
    reads the frames of the devices of its own enterprises."""
    f = raw_frame.c
    stmt = (
        sa.select(f.id, f.received_at, f.peer, f.mn, f.cn, f.qn, f.verdict, f.reason, f.data)
        .order_by(f.received_at.desc(), f.id.desc())
        .limit(limit)
    )
    if mn is not None:
        stmt = stmt.where(f.mn == mn)
    if verdict is not None:
        stmt = stmt.where(f.verdict == verdict)
    if not scope.everything:
        own_mns = (
            sa.select(device.c.mn)
            .join(point, point.c.id == device.c.point_id)
            .join(enterprise, enterprise.c.id == point.c.enterprise_id)
            .where(scope_condition(scope, own=True))
        )
        stmt = stmt.where(f.mn.in_(own_mns))
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- newest data of points, values at a time, series ---------------------------------------


def latest_data(conn: sa.Connection, point_ids: Sequence[int]) -> dict[int, tuple[str, datetime]]:
    """Per point, the data kind and data_time of its newest measurement (any kind).

    One index seek per point and kind on (point_id, kind, data_time).
    """
    m = measurement.c
    found: dict[int, tuple[str, datetime]] = {}
    for ids in in_lists(list(point_ids)):
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
    for part in in_lists(list(keys), 100):
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


def frame_counts_since(conn: sa.Connection, since: datetime) -> dict[str, int]:
    """Frames received at or after `since` (aware), by verdict; both verdicts always present.

    Reads only the last stretch of the received_at index."""
    stmt = (
        sa.select(raw_frame.c.verdict, sa.func.count())
        .where(raw_frame.c.received_at >= since)
        .group_by(raw_frame.c.verdict)
    )
    counts = {"accepted": 0, "rejected": 0}
    counts.update({verdict: n for verdict, n in conn.execute(stmt)})
    return counts


def latest_data_times(conn: sa.Connection) -> list[dict[str, Any]]:
    """Per point kind (flue_gas, ...): the newest data_time of each data kind, or None.

    One index seek per point and data kind."""
    m = measurement.c
    per_point = sa.select(
        point.c.kind.label("point_kind"),
        *(
            sa.select(sa.func.max(m.data_time))
            .where(m.point_id == point.c.id, m.kind == kind)
            .scalar_subquery()
            .label(kind)
            for kind in MEASUREMENT_KINDS
        ),
    ).subquery()
    stmt = (
        sa.select(
            per_point.c.point_kind,
            *(sa.func.max(per_point.c[kind]).label(kind) for kind in MEASUREMENT_KINDS),
        )
        .group_by(per_point.c.point_kind)
        .order_by(per_point.c.point_kind)
    )
    return [dict(row) for row in conn.execute(stmt).mappings()]


# --- keyset-paged range reads of the history query --------------------------------------------

#: The order of a history query, and the key a page continues after.
PAGE_ORDER = ("data_time", "point_id", "pollutant")


def _history_select(
    columns: Sequence[Any],
    table: sa.Table,
    scope: Scope,
    *,
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: datetime,
    end: datetime,
) -> sa.Select[Any]:
    """`columns` of `table` (measurement or aggregate) of one kind over start <= data_time <
    end, of those points the scope may read (joined through point to its enterprise)."""
    c = table.c
    stmt = (
        sa.select(*columns)
        .select_from(table)
        .join(point, point.c.id == c.point_id)
        .join(enterprise, enterprise.c.id == point.c.enterprise_id)
        .where(
            point_scope_condition(scope, point),
            c.point_id.in_(list(point_ids)),
            c.kind == kind,
            c.data_time >= start,
            c.data_time < end,
        )
    )
    if pollutant is not None:
        stmt = stmt.where(c.pollutant == pollutant)
    return stmt


def history_page(
    conn: sa.Connection,
    table: sa.Table,
    scope: Scope,
    *,
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: datetime,
    end: datetime,
    after: tuple[datetime, int, str] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Up to `limit` rows of `table` ordered by (data_time, point_id, pollutant), strictly
    after the key `after` (keyset paging: no row is skipped or repeated across pages, rows
    sharing a time included, however deep the page)."""
    c = table.c
    stmt = _history_select(
        [col for col in c if col.name not in ("received_at", "computed_at")],
        table, scope, point_ids=point_ids, pollutant=pollutant, kind=kind, start=start, end=end,
    )  # fmt: skip
    if after is not None:
        when, point_id, code = after
        stmt = stmt.where(
            sa.or_(
                c.data_time > when,
                sa.and_(
                    c.data_time == when,
                    sa.or_(
                        c.point_id > point_id, sa.and_(c.point_id == point_id, c.pollutant > code)
                    ),
                ),
            )
        )
    stmt = stmt.order_by(*(c[name] for name in PAGE_ORDER)).limit(limit)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def history_count(
    conn: sa.Connection,
    table: sa.Table,
    scope: Scope,
    *,
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: datetime,
    end: datetime,
) -> int:
    """How many rows the history query holds over all its pages."""
    stmt = _history_select(
        [sa.func.count()], table, scope, point_ids=point_ids, pollutant=pollutant, kind=kind,
        start=start, end=end,
    )  # fmt: skip
    return int(conn.execute(stmt).scalar_one())


def history_pollutants(
    conn: sa.Connection, table: sa.Table, scope: Scope, *, point_ids: Sequence[int], kind: str,
    start: datetime, end: datetime,
) -> list[str]:  # fmt: skip
    """Pollutant codes the query's points hold over the range, in code order."""
    stmt = _history_select(
        [table.c.pollutant], table, scope, point_ids=point_ids, pollutant=None, kind=kind,
        start=start, end=end,
    ).group_by(table.c.pollutant).order_by(table.c.pollutant)  # fmt: skip
    return list(conn.execute(stmt).scalars())


# --- the columnar read: one query's columns as arrays ------------------------------------------

#: Columns `read_columns` returns per table: everything but the times of arrival/computation.
READ_COLUMNS = {
    "measurement": tuple(c.name for c in measurement.c if c.name != "received_at"),
    "aggregate": tuple(c.name for c in aggregate.c if c.name != "computed_at"),
}
#: The order of the REST API and `ecozone query`: time, pollutant, point.
API_ORDER = ("data_time", "pollutant", "point_id")


def _arrow_type(column: sa.Column[Any]) -> pa.DataType:
    if column.name == "data_time":
        return pa.timestamp("us")
    kinds = ((sa.Boolean, pa.bool_()), (sa.Float, pa.float64()), (sa.Integer, pa.int32()))
    return next((arrow for sql, arrow in kinds if isinstance(column.type, sql)), pa.string())


def column_schema(table: sa.Table) -> pa.Schema:
    """The Arrow schema of `read_columns` over `table` (measurement or aggregate)."""
    return pa.schema([(name, _arrow_type(table.c[name])) for name in READ_COLUMNS[table.name]])


def _select_list(table: sa.Table, dialect: str) -> str:
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff': read as whole microseconds since 1970.
    micros = "CAST(strftime('%s', data_time) AS INTEGER) * 1000000 + CAST(substr(data_time, 21, 6) AS INTEGER)"  # noqa: E501
    return ", ".join(
        micros if dialect == "sqlite" and name == "data_time" else f'"{name}"'
        for name in READ_COLUMNS[table.name]
    )


def read_columns(
    engine: sa.Engine,
    table: sa.Table,
    *,
    point_ids: Sequence[int],
    codes: Sequence[str] | None,
    kind: str,
    start: datetime | None,
    end: datetime | None,
    order: Sequence[str] = ("data_time", "point_id", "pollutant"),
    after: Sequence[Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pa.Table:
    """The stored rows of `table` (measurement or aggregate) of these points, pollutant codes
    (None: all) and `kind` over start <= data_time < end (device time), as an Arrow table of
    `column_schema(table)`: one array per column, none of Python objects.

    The rows come in `order` (PAGE_ORDER for the history query, API_ORDER for the REST API),
    strictly after the key `after` (values of the `order` columns; keyset paging: no gap or
    repeat across pages) and/or past `offset` rows, at most `limit` of them. The one read of
    stored history: archived months read elsewhere come back in the same schema, so their
    tables concatenate with this one (pyarrow.concat_tables) before sorting or paging.

    The point ids must be those the viewer may read (the callers check them against the
    scope first); unknown ids simply have no rows."""
    if kind not in STORED_KINDS:
        raise ValueError(f"unknown measurement kind {kind!r}; expected one of {STORED_KINDS}")
    schema = column_schema(table)
    ids = sorted({int(p) for p in point_ids})
    if not ids or (codes is not None and not codes):
        return schema.empty_table()
    dialect = engine.dialect.name
    where = [f"point_id IN ({', '.join(map(str, ids))})", f"kind = {literal(kind)}"]
    if codes is not None:
        where.append(f"pollutant IN ({', '.join(literal(c) for c in sorted(set(codes)))})")
    if start is not None:
        where.append(f"data_time >= {time_literal(_local_time(start))}")
    if end is not None:
        where.append(f"data_time < {time_literal(_local_time(end))}")
    if after is not None:
        key = []
        for name, value in zip(order, after, strict=True):
            if name == "data_time":
                key.append(time_literal(_local_time(value)))
            elif name == "point_id":
                key.append(str(int(value)))
            else:
                key.append(literal(str(value)))
        where.append(f"({', '.join(order)}) > ({', '.join(key)})")
    sql = (
        f"SELECT {_select_list(table, dialect)} FROM {table.name}"
        f" WHERE {' AND '.join(where)} ORDER BY {', '.join(order)}"
    )
    if limit is not None or offset:  # SQLite takes OFFSET only after a LIMIT (-1: none)
        sql += f" LIMIT {int(limit) if limit is not None else -1 if dialect == 'sqlite' else 'ALL'}"
        sql += f" OFFSET {int(offset)}"
    return fetch_table(engine, sql, schema)


def all_point_ids(conn: sa.Connection) -> list[int]:
    """Every point's id: a zone-wide read names them all, so the database walks the
    (point_id, kind, data_time) index point by point instead of scanning the table."""
    return list(conn.execute(sa.select(point.c.id).order_by(point.c.id)).scalars())
