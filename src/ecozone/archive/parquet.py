"""The Parquet side of the archive, through DuckDB (an embedded analytical engine): write a
month's file, count and checksum it, read archived rows and aggregates back.

A file holds one month of measurement rows with the table's columns, sorted by (data_time,
point_id, pollutant) — the history read's order — in zstd-compressed row groups whose
min/max statistics let DuckDB skip groups outside a queried range. Files are written to a
temporary name, fsynced and renamed, so a file under its final name is always whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from ecozone.archive.rules import checksum_of_groups, key_checksum_sql

#: The measurement table's columns and their DuckDB types, in the table's order.
COLUMNS: dict[str, str] = {
    "point_id": "INTEGER", "pollutant": "VARCHAR", "kind": "VARCHAR", "data_time": "TIMESTAMP",
    "rtd": "DOUBLE", "avg": "DOUBLE", "min": "DOUBLE", "max": "DOUBLE", "cou": "DOUBLE",
    "zs_rtd": "DOUBLE", "zs_avg": "DOUBLE", "zs_min": "DOUBLE", "zs_max": "DOUBLE",
    "flag": "VARCHAR", "eflag": "VARCHAR", "received_at": "TIMESTAMPTZ", "resent": "BOOLEAN",
}  # fmt: skip
#: Rows per Parquet row group: small enough for range reads to skip most of a month.
ROW_GROUP_ROWS = 122_880
ORDER = "data_time, point_id, pollutant"


def connect(threads: int = 2, memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection; instants in UTC, bounded threads and memory."""
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    con.execute("SET TimeZone = 'UTC'")
    return con


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_sorted(con: duckdb.DuckDBPyConnection, source: str, part: Path) -> None:
    """Write the rows of DuckDB relation `source` (SQL text) to `part` in the file order and
    sync it; `publish` gives it its final name once verified."""
    part.parent.mkdir(parents=True, exist_ok=True)
    names = ", ".join(COLUMNS)
    con.execute(
        f"COPY (SELECT {names} FROM {source} ORDER BY {ORDER}) TO {_quoted(part)} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
    )
    with open(part, "rb") as handle:
        os.fsync(handle.fileno())


def publish(part: Path, dest: Path) -> int:
    """Rename a verified file to its final name, durably; its size in bytes."""
    os.replace(part, dest)
    directory = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return dest.stat().st_size


def sqlite_source(name: str) -> str:
    """A relation over a registered Arrow table of SQLite's stored values (times as text,
    received_at as UTC digits, resent 0/1), typed as the file keeps them."""
    casts = {
        "data_time": "CAST(data_time AS TIMESTAMP)",
        "received_at": "CAST(CAST(received_at AS TIMESTAMP) AS TIMESTAMPTZ)",
        "resent": "CAST(resent AS BOOLEAN)",
    }
    columns = ", ".join(
        f"{casts[c]} AS {c}" if c in casts else f"CAST({c} AS {t}) AS {c}"
        for c, t in COLUMNS.items()
    )
    return f"(SELECT {columns} FROM {name})"


def to_csv(path: Path, dest: Path) -> None:
    """A file's rows as headerless CSV in PostgreSQL's convention (NULL an empty unquoted
    field), instants with their UTC offset."""
    con = connect()
    try:
        con.execute(
            f"COPY (SELECT {', '.join(COLUMNS)} FROM read_parquet({_quoted(path)})) "
            f"TO {_quoted(dest)} (FORMAT csv, HEADER false)"
        )
    finally:
        con.close()


def iter_rows(path: Path, batch: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """A file's rows in the table's column order, times as datetimes (received_at aware)."""
    con = connect()
    try:
        cursor = con.execute(f"SELECT {', '.join(COLUMNS)} FROM read_parquet({_quoted(path)})")
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        con.close()


def csv_source(path: Path) -> str:
    """A relation over a headerless CSV of the table's columns (PostgreSQL's COPY ... CSV:
    empty unquoted fields are NULL, quoted ones empty text)."""
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items()) + "}"
    return (
        f"read_csv({_quoted(path)}, header = false, columns = {columns}, "
        "allow_quoted_nulls = false, auto_detect = false)"
    )


def file_figures(path: Path, start: datetime, end: datetime) -> tuple[int, int, int]:
    """(rows in [start, end), their key checksum (rules.row_hash summed), all rows): a file
    holding rows of another month cannot pass for the month."""
    con = connect()
    try:
        source = f"read_parquet({_quoted(path)})"
        total = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
        groups = con.execute(
            f"SELECT {key_checksum_sql('duckdb')} FROM {source} "
            "WHERE data_time >= ? AND data_time < ? GROUP BY kind, pollutant",
            [start, end],
        ).fetchall()
    finally:
        con.close()
    inside, checksum = checksum_of_groups(groups)
    return inside, checksum, int(total)


def _files(paths: Sequence[str]) -> str:
    return "read_parquet([" + ", ".join(_quoted(p) for p in paths) + "])"


def _where(
    point_ids: Sequence[int], pollutant: str | None, kind: str, start: datetime, end: datetime
) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in point_ids)
    sql = f"point_id IN ({marks}) AND kind = ? AND data_time >= ? AND data_time < ?"
    params: list[Any] = [*point_ids, kind, start, end]
    if pollutant is not None:
        sql += " AND pollutant = ?"
        params.append(pollutant)
    return sql, params


def read_rows(
    paths: Sequence[str],
    columns: Sequence[str],
    *,
    point_ids: Sequence[int],
    pollutant: str | None,
    kind: str,
    start: datetime,
    end: datetime,
    after: tuple[datetime, int, str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """`columns` of the archived rows matching, in (data_time, point_id, pollutant) order,
    strictly after the key `after`, at most `limit`."""
    if not paths or not point_ids:
        return []
    where, params = _where(point_ids, pollutant, kind, start, end)
    if after is not None:
        where += " AND (data_time, point_id, pollutant) > (?, ?, ?)"
        params += list(after)
    sql = f"SELECT {', '.join(columns)} FROM {_files(paths)} WHERE {where} ORDER BY {ORDER}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    con = connect()
    try:
        cursor = con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def count_rows(
    paths: Sequence[str], *, point_ids: Sequence[int], pollutant: str | None, kind: str,
    start: datetime, end: datetime,
) -> int:  # fmt: skip
    if not paths or not point_ids:
        return 0
    where, params = _where(point_ids, pollutant, kind, start, end)
    con = connect()
    try:
        return int(con.execute(f"SELECT count(*) FROM {_files(paths)} WHERE {where}", params)
                   .fetchone()[0])  # fmt: skip
    finally:
        con.close()


def pollutants(
    paths: Sequence[str], *, point_ids: Sequence[int], kind: str, start: datetime, end: datetime
) -> list[str]:
    if not paths or not point_ids:
        return []
    where, params = _where(point_ids, None, kind, start, end)
    con = connect()
    try:
        sql = f"SELECT DISTINCT pollutant FROM {_files(paths)} WHERE {where} ORDER BY pollutant"
        return [row[0] for row in con.execute(sql, params).fetchall()]
    finally:
        con.close()


def all_rows(path: Path | str, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """Every row of one file, in the table's column order."""
    return con.sql(f"SELECT {', '.join(COLUMNS)} FROM read_parquet({_quoted(path)})")


def period_means(
    paths: Sequence[str], *, bucket: str, kind: str, start: datetime, end: datetime,
    pollutant: str | None = None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """(point_id, pollutant, period start, count, mean of avg, min of min, max of max) per
    point, pollutant and `bucket` ('hour' or 'day') over the archived rows of one kind."""
    if bucket not in ("hour", "day"):
        raise ValueError(f"bucket {bucket!r}: expected hour or day")
    if not paths:
        return []
    sql = (
        f"SELECT point_id, pollutant, date_trunc('{bucket}', data_time) AS period, count(*), "
        f"avg(coalesce(avg, rtd)), min(coalesce(min, rtd)), max(coalesce(max, rtd)) "
        f"FROM {_files(paths)} WHERE kind = ? AND data_time >= ? AND data_time < ?"
    )
    params: list[Any] = [kind, start, end]
    if pollutant is not None:
        sql += " AND pollutant = ?"
        params.append(pollutant)
    sql += " GROUP BY ALL ORDER BY period, point_id, pollutant"
    con = connect()
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
