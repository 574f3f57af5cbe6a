"""Use cases of the measurement archive: keep partitions ahead, archive months past the
retention to Parquet, restore them, list the catalogue.

Archiving a month goes in two committed steps, so that a crash anywhere loses nothing:
1. export — in one snapshot, the month's row count and key checksum are read and its rows
   written to a temporary file, which DuckDB reads back and must match in count and checksum
   before it takes its final name; the catalogue then says 'exported'. The rows are still live.
2. drop — with writes to the month held, count and checksum are read again and must equal the
   catalogue's; the partition is detached and dropped (SQLite: the rows deleted) and the
   catalogue says 'archived', in one transaction.
A failed verification removes the file and drops nothing; a crash between the steps leaves
an 'exported' month whose verified file the next run reuses; rows that arrived in between
make the next run export again.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.archive import parquet, rules, store
from ecozone.archive.model import ArchiveError, ArchiveResult, VerificationError
from ecozone.archive.rules import Month
from ecozone.compliance._usecase import audited

log = logging.getLogger("ecozone.archive")

#: Exports of one month a run tries before it gives up on rows that keep arriving.
EXPORT_ATTEMPTS = 2


def _write(engine: sa.Engine) -> sa.Connection:
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def file_path(archive_dir: Path, month: Month) -> Path:
    return archive_dir / "measurement" / f"{month.year:04d}" / f"measurement-{month}.parquet"


def ensure_partitions(engine: sa.Engine, now: datetime, ahead: int) -> list[Month]:
    """PostgreSQL: make the partitions of this month and `ahead` more that are missing;
    the months made (none on SQLite or an unpartitioned table)."""
    made = []
    with engine.begin() as conn:
        if not store.is_partitioned(conn):
            return []
    for month in rules.months_to_create(now, ahead):
        with engine.begin() as conn:
            if store.create_partition(conn, month):
                made.append(month)
    return made


def _export(engine: sa.Engine, month: Month, dest: Path) -> tuple[int, int, int]:
    """Step 1: the month's rows into a verified file at `dest`; (rows, checksum, bytes)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(dest.name + ".csv")
    part = dest.with_name(dest.name + ".part")
    duck = parquet.connect()
    try:
        snapshot = engine.connect()
        if engine.dialect.name == "postgresql":
            snapshot = snapshot.execution_options(isolation_level="REPEATABLE READ")
        with snapshot as conn, conn.begin():
            rows, checksum = store.month_figures(conn, month)
            if engine.dialect.name == "postgresql":
                store.copy_month_csv(conn, month, staging)
                source = parquet.csv_source(staging)
            else:
                duck.register("month_rows", store.sqlite_month_table(conn, month))
                source = parquet.sqlite_source("month_rows")
        parquet.write_sorted(duck, source, part)
    finally:
        duck.close()
        staging.unlink(missing_ok=True)
    in_month, file_checksum, total = parquet.file_figures(part, month.start, month.end)
    if (in_month, file_checksum, total) != (rows, checksum, rows):
        part.unlink(missing_ok=True)
        raise VerificationError(
            f"archive of {month} failed verification: the database holds {rows} rows "
            f"(checksum {checksum}), the file {total} rows, {in_month} of the month "
            f"(checksum {file_checksum}); nothing was dropped"
        )
    size = parquet.publish(part, dest)
    return rows, checksum, size


def _reusable(found: dict[str, Any] | None, month: Month) -> bool:
    """An 'exported' month whose file is there and still matches its catalogue figures."""
    if found is None or found["state"] != "exported" or not os.path.exists(found["path"]):
        return False
    in_month, checksum, total = parquet.file_figures(Path(found["path"]), month.start, month.end)
    return (in_month, checksum, total) == (found["rows"], found["checksum"], found["rows"])


def archive_month(
    engine: sa.Engine, month: Month, *, actor: str, archive_dir: Path | None = None
) -> ArchiveResult | None:
    """Archive one month (see the module's steps); None when the month holds no rows.
    Safe to repeat: an archived month with nothing live is left as it is."""
    began = time.perf_counter()
    archive_dir = archive_dir or config.load().archive_dir
    dest = file_path(archive_dir, month).resolve()
    with engine.connect() as conn:
        found = store.entry(conn, month)
        live = store.month_has_rows(conn, month)
    if found is not None and found["state"] == "archived":
        if live:
            raise ArchiveError(
                f"{month} is already archived and rows of it arrived since; "
                f"restore it (ecozone archive restore {month}), then archive it again"
            )
        return None
    if not live:
        return None
    exported = False
    for _attempt in range(EXPORT_ATTEMPTS):
        if not _reusable(found, month):
            rows, checksum, size = _export(engine, month, dest)
            exported = True
            with _write(engine) as conn, conn.begin():
                store.save_entry(conn, month, {
                    "path": str(dest), "rows": rows, "checksum": checksum, "file_bytes": size,
                    "state": "exported", "created_at": store.now_utc(), "archived_at": None,
                    "restored_at": None, "actor": actor,
                })  # fmt: skip
            with engine.connect() as conn:
                found = store.entry(conn, month)
        assert found is not None
        with _write(engine) as conn, conn.begin():
            store.lock_month(conn, month)
            rows, checksum = store.month_figures(conn, month)
            if (rows, checksum) != (found["rows"], found["checksum"]):
                conn.rollback()
                found = None  # rows changed since the export: export again
                continue
            store.drop_month(conn, month)
            store.save_entry(conn, month, {"state": "archived", "archived_at": store.now_utc()})
            audited(conn, actor, "archive", "measurement_archive", str(month), None,
                    {"rows": rows, "checksum": checksum, "path": found["path"]})  # fmt: skip
        return ArchiveResult(
            month, found["path"], rows, checksum, found["file_bytes"], exported,
            time.perf_counter() - began,
        )  # fmt: skip
    raise ArchiveError(
        f"rows of {month} kept changing during its export; nothing was dropped, try again"
    )


def archive_due(
    engine: sa.Engine, now: datetime, *, live_months: int, actor: str,
    archive_dir: Path | None = None,
) -> list[ArchiveResult]:  # fmt: skip
    """Archive every month the retention no longer keeps live, oldest first."""
    with engine.connect() as conn:
        held = store.months_held(conn)
    done = []
    for month in rules.months_due(now, live_months, held):
        result = archive_month(engine, month, actor=actor, archive_dir=archive_dir)
        if result is not None:
            done.append(result)
    return done


def restore_month(engine: sa.Engine, month: Month, *, actor: str) -> int:
    """Put an archived month's rows back into the live table (a live row of the same key,
    newer by construction, is kept); returns the rows inserted. The file stays."""
    with engine.connect() as conn:
        found = store.entry(conn, month)
    if found is None or found["state"] != "archived":
        state = "not archived" if found is None else f"{found['state']}, not archived"
        raise ArchiveError(f"{month} is {state}; there is nothing to restore")
    path = Path(found["path"])
    if not path.exists():
        raise ArchiveError(f"the archive file of {month} is missing: {path}")
    in_month, checksum, total = parquet.file_figures(path, month.start, month.end)
    if (in_month, checksum, total) != (found["rows"], found["checksum"], found["rows"]):
        raise VerificationError(
            f"the archive file of {month} no longer matches its catalogue "
            f"({total} rows, checksum {checksum}; catalogue {found['rows']}, "
            f"{found['checksum']}); nothing was restored"
        )
    with _write(engine) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            if store.is_partitioned(conn):
                store.create_partition(conn, month)
            staging = path.with_name(path.name + ".restore.csv")
            try:
                parquet.to_csv(path, staging)
                inserted = store.insert_missing_csv(conn, staging)
            finally:
                staging.unlink(missing_ok=True)
        else:
            inserted = store.insert_missing_rows(conn, parquet.iter_rows(path))
        store.save_entry(conn, month, {"state": "restored", "restored_at": store.now_utc()})
        audited(conn, actor, "restore", "measurement_archive", str(month), None,
                {"rows": inserted, "path": str(path)})  # fmt: skip
    return inserted


def catalogue(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every month of the catalogue, oldest first, with its month as rules.Month."""
    with engine.connect() as conn:
        found = store.entries(conn)
    for row in found:
        row["month"] = Month.of(row["month"])
    return found


def maintain(engine: sa.Engine, now: datetime, settings: config.Settings | None = None) -> None:
    """The pipeline's maintenance round: partitions ahead, then the retention (if set)."""
    settings = settings or config.load()
    made = ensure_partitions(engine, now, settings.partition_months_ahead)
    if made:
        log.info("measurement partitions made: %s", ", ".join(map(str, made)))
    if settings.archive_live_months > 0:
        for result in archive_due(
            engine, now, live_months=settings.archive_live_months, actor="system",
            archive_dir=settings.archive_dir,
        ):  # fmt: skip
            log.info("archived %s: %d rows to %s", result.month, result.rows, result.path)
