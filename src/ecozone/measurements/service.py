"""Measurement queries as use cases: check the request, name points, read, shape rows.

Everything a caller can get wrong (kind, source, time range, limit, an unknown
MN, enterprise or outlet) is checked here and raised as QueryError before any
measurement is read, so the CLI and the REST layer only translate errors.
Times are device time, China Standard Time, as HJ 212 transmits them: naive
input means CST, aware input is converted, output carries +08:00. Two
sources: `raw`, what the devices sent (table measurement), and `computed`,
the hourly and daily values ecozone.monitoring derives (table aggregate).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ecozone import times
from ecozone.measurements import columns, store
from ecozone.measurements.model import (
    FORMATS,
    KINDS,
    OUTPUT_COLUMNS,
    VALUE_OUTPUT_COLUMNS,
    NotFoundError,
    PointLabel,
    QueryError,
)
from ecozone.monitoring import store as monitoring_store
from ecozone.monitoring.model import COMPUTED_OUTPUT_COLUMNS, COMPUTED_VALUE_COLUMNS
from ecozone.store.schema import aggregate, measurement
from ecozone.times import CHINA_STANDARD_TIME

#: Where rows come from: what devices sent, or the hourly/daily values derived from it.
SOURCES = ("raw", "computed")
#: Kinds the computed source has (ecozone.monitoring aggregates).
COMPUTED_KINDS = ("hour", "day")


def parse_time(value: datetime | str, name: str = "time") -> datetime:
    """`value` as naive China Standard Time (ecozone.times.parse_time), a QueryError if not."""
    try:
        return times.parse_time(value, name)
    except times.TimeError as exc:
        raise QueryError(str(exc)) from None


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise QueryError(f"unknown data kind {kind!r}; expected one of {', '.join(KINDS)}")
    return kind


def check_source(source: str, kind: str) -> str:
    if source not in SOURCES:
        raise QueryError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    if source == "computed" and kind not in COMPUTED_KINDS:
        raise QueryError(
            f"computed values exist for kind hour and day only, not {kind!r}; "
            "use --source raw for minute and real-time data"
        )
    return source


def columns_of(source: str) -> tuple[str, ...]:
    """The output columns of a source's rows (JSON keys, CSV header)."""
    return COMPUTED_OUTPUT_COLUMNS if source == "computed" else OUTPUT_COLUMNS


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise QueryError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def query(
    engine: sa.Engine,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point: str | None = None,
    pollutant: str | None = None,
    kind: str,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    source: str = "raw",
    enterprise_ids: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Measurements of one data kind, ordered by data_time then pollutant.

    `mn` (device), `credit_code` (enterprise) and `point` (outlet code) narrow
    the points; given together, a point must match them all. None of them
    means every point. The range is half-open: start <= data_time < end.
    `source` "raw" gives rows keyed by OUTPUT_COLUMNS, "computed" (kind hour or
    day) rows keyed by COMPUTED_OUTPUT_COLUMNS: the monitoring aggregates, with
    valid, valid_count, zs_avg and emission_kg. `enterprise_ids` limits the
    points to those enterprises' (None: no limit); a name outside it is
    reported as unknown. data_time is ISO 8601 with +08:00. Raises
    NotFoundError naming an unknown device, enterprise or outlet, and
    QueryError for a bad kind, source, time, range, limit or offset.
    """
    with engine.connect() as conn:
        point_ids, labels, start_time, end_time = _resolve(
            conn, mn=mn, credit_code=credit_code, point=point, kind=kind, start=start, end=end,
            limit=limit, offset=offset, source=source, enterprise_ids=enterprise_ids,
        )  # fmt: skip
        read = store.query_measurements if source == "raw" else monitoring_store.query_aggregates
        rows = read(
            conn,
            point_ids=point_ids,
            pollutant=pollutant,
            kind=kind,
            start=start_time,
            end=end_time,
            limit=limit,
            offset=offset,
        )
        if labels is None:
            labels = store.point_labels(conn, (row["point_id"] for row in rows))
    shape = _output_row if source == "raw" else _computed_row
    return [shape(row, labels[row["point_id"]]) for row in rows]


def _resolve(
    conn: sa.Connection,
    *,
    mn: str | None,
    credit_code: str | None,
    point: str | None,
    kind: str,
    start: datetime | str | None,
    end: datetime | str | None,
    limit: int | None,
    offset: int,
    source: str,
    enterprise_ids: Collection[int] | None,
) -> tuple[Sequence[int] | None, dict[int, PointLabel] | None, datetime | None, datetime | None]:
    """The checked request: point ids (None: every point), their labels when named, and
    the range as naive device times. Raises as `query` says."""
    check_kind(kind)
    check_source(source, kind)
    start_time = parse_time(start, "start") if start is not None else None
    end_time = parse_time(end, "end") if end is not None else None
    if start_time is not None and end_time is not None and end_time <= start_time:
        raise QueryError(
            f"end {end_time.isoformat()} is not after start {start_time.isoformat()}; "
            "the range is start <= data_time < end"
        )
    if limit is not None and limit < 1:
        raise QueryError(f"limit must be at least 1, not {limit}")
    if offset < 0:
        raise QueryError(f"offset must not be negative, not {offset}")
    labels: dict[int, PointLabel] | None = None
    if mn is not None or credit_code is not None or point is not None:
        labels = store.resolve_points(conn, mn=mn, credit_code=credit_code, point_code=point)
        if not labels:
            raise _not_found(conn, mn=mn, credit_code=credit_code, point=point)
        if enterprise_ids is not None:
            visible = monitoring_store.points_of_enterprises(conn, enterprise_ids)
            labels = {i: label for i, label in labels.items() if i in visible}
            if not labels:  # out of sight: said exactly as for a name never registered
                raise _unseen(mn=mn, credit_code=credit_code, point=point)
    point_ids: Sequence[int] | None = sorted(labels) if labels is not None else None
    if point_ids is None and enterprise_ids is not None:
        point_ids = sorted(monitoring_store.points_of_enterprises(conn, enterprise_ids))
    return point_ids, labels, start_time, end_time


def query_columns(
    engine: sa.Engine,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point: str | None = None,
    pollutant: str | None = None,
    kind: str,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    source: str = "raw",
    enterprise_ids: Collection[int] | None = None,
) -> tuple[pa.Table, dict[int, PointLabel]]:
    """The rows `query` gives, as columns (store.read_columns, in API_ORDER) and the labels
    of their points; checked and raising exactly as `query`. Write them with `render_columns`."""
    with engine.connect() as conn:
        point_ids, labels, start_time, end_time = _resolve(
            conn, mn=mn, credit_code=credit_code, point=point, kind=kind, start=start, end=end,
            limit=limit, offset=offset, source=source, enterprise_ids=enterprise_ids,
        )  # fmt: skip
        if point_ids is None:
            point_ids = store.all_point_ids(conn)
    table = store.read_columns(
        engine,
        measurement if source == "raw" else aggregate,
        point_ids=point_ids,
        codes=None if pollutant is None else [pollutant],
        kind=kind,
        start=start_time,
        end=end_time,
        order=store.API_ORDER,
        limit=limit,
        offset=offset,
    )
    if labels is None:
        with engine.connect() as conn:
            labels = store.point_labels(conn, pc.unique(table.column("point_id")).to_pylist())
    return table, labels


def render_columns(table: pa.Table, labels: dict[int, PointLabel], source: str, fmt: str) -> bytes:
    """`query_columns`' rows as the API writes them: the inside of a compact JSON list of
    row objects (fmt "json"), or CSV with its header (fmt "csv"); byte for byte what the
    row dicts of `query` give through JSONResponse and `to_csv`."""
    names = columns_of(source)
    if fmt == "json":
        return columns.json_rows(table, labels, names, format_time)
    check_format(fmt)
    header = to_csv([], names).encode()
    return header + columns.csv_rows(table, labels, names, format_time)


def _not_found(
    conn: sa.Connection, *, mn: str | None, credit_code: str | None, point: str | None
) -> NotFoundError:
    """Which of the names given matches nothing, or which two do not belong together."""
    location = store.device_location(conn, mn) if mn is not None else None
    if mn is not None and location is None:
        return NotFoundError(f"no device with MN {mn}")
    if credit_code is not None and not store.enterprise_exists(conn, credit_code):
        return NotFoundError(f"no enterprise with credit code {credit_code}")
    if location is not None:
        if credit_code is not None and location["credit_code"] != credit_code:
            return NotFoundError(
                f"device MN {mn} belongs to enterprise {location['credit_code']} "
                f"({location['enterprise']}), not to {credit_code}"
            )
        if point is not None and location["point"] != point:
            return NotFoundError(f"device MN {mn} is at outlet {location['point']}, not at {point}")
    if point is not None:
        if credit_code is not None:
            return NotFoundError(f"enterprise {credit_code} has no outlet {point}")
        return NotFoundError(f"no outlet with code {point}")
    return NotFoundError("no point matches the query")  # unreachable with a consistent registry


def _unseen(*, mn: str | None, credit_code: str | None, point: str | None) -> NotFoundError:
    if mn is not None:
        return NotFoundError(f"no device with MN {mn}")
    if credit_code is not None:
        return NotFoundError(f"no enterprise with credit code {credit_code}")
    return NotFoundError(f"no outlet with code {point}")


def format_time(data_time: datetime) -> str:
    """Device time as ISO 8601 with the China Standard Time offset."""
    return data_time.replace(tzinfo=CHINA_STANDARD_TIME).isoformat()


def _output_row(
    row: dict[str, Any], label: PointLabel, columns: Sequence[str] = VALUE_OUTPUT_COLUMNS
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mn": label.mn,
        "point": label.code,
        "pollutant": row["pollutant"],
        "kind": row["kind"],
        "data_time": format_time(row["data_time"]),
    }
    for name in columns:
        value = row[name]
        # PostgreSQL can hold NaN and infinities; JSON cannot, and no valid
        # concentration is one, so they come out as missing values.
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = bool(value) if name == "valid" else value
    return out


def _computed_row(row: dict[str, Any], label: PointLabel) -> dict[str, Any]:
    return _output_row(row, label, COMPUTED_VALUE_COLUMNS)


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    """A JSON list of row objects, one object per line (no trailing newline)."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    if not lines:
        return "[]"
    return "[\n" + ",\n".join(lines) + "\n]"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON output
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = OUTPUT_COLUMNS) -> str:
    """Header and one line per row, in `columns` order (OUTPUT_COLUMNS, or
    COMPUTED_OUTPUT_COLUMNS for computed rows); a missing value is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in columns])
    return buffer.getvalue()


def render(
    rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str] = OUTPUT_COLUMNS
) -> str:
    """Rows in format `fmt` ('json' or 'csv'), ending with a newline."""
    check_format(fmt)
    return to_json(rows) + "\n" if fmt == "json" else to_csv(rows, columns)
