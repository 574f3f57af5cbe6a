"""Archiving months to Parquet and back, on SQLite and PostgreSQL: the file holds exactly the
month's rows, a crash or a failed verification loses nothing, reads span archived and live
months as if nothing had moved, and restore puts the rows back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from tests.archive.conftest import all_rows
from typer.testing import CliRunner

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.archive import parquet, read, rules, service, store
from ecozone.archive.model import ArchiveError, VerificationError
from ecozone.archive.rules import Month
from ecozone.cli import app
from ecozone.measurements import history

MARCH, APRIL, MAY = Month(2024, 3), Month(2024, 4), Month(2024, 5)
ROWS_PER_MONTH = 3 * 24 * 4  # days 1..3, 24 hours, 4 point-pollutant pairs


def _archive_dir() -> Path:
    from ecozone import config

    return config.load().archive_dir


def _month_rows(rows: list[tuple], month: Month) -> list[tuple]:
    def when(value):
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    return [r for r in rows if month.start <= when(r[3]) < month.end]


def _file_rows(path: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT point_id, pollutant, kind, data_time, rtd, avg, min, max, cou, flag, eflag, "
            f"resent FROM read_parquet('{path}') ORDER BY data_time, point_id, pollutant"
        ).fetchall()
    finally:
        con.close()


def _as_datetimes(rows: list[tuple]) -> list[tuple]:
    """SQLite hands data_time back as text; the file keeps a timestamp."""
    return [
        (*r[:3], r[3] if isinstance(r[3], datetime) else datetime.fromisoformat(r[3]), *r[4:11],
         bool(r[11]))
        for r in rows
    ]  # fmt: skip


def test_archiving_a_month_writes_a_parquet_file_holding_exactly_its_rows(archive_db):
    engine, _ = archive_db
    before = all_rows(engine)
    march = _month_rows(before, MARCH)
    assert len(march) == ROWS_PER_MONTH == 288

    result = service.archive_month(engine, MARCH, actor="test")

    assert result is not None and result.rows == 288 and result.exported
    assert _file_rows(result.path) == _as_datetimes(march)  # every value, NULL and '' alike
    # the catalogue's checksum is Σ row_hash over the month's keys, computed here in Python
    expected = sum(rules.row_hash(r[0], r[2], r[1], r[3]) for r in _as_datetimes(march))
    catalogue = service.catalogue(engine)
    assert [(e["month"], e["state"], e["rows"], e["checksum"]) for e in catalogue] == [
        (MARCH, "archived", 288, expected)
    ]
    assert Path(result.path).stat().st_size == catalogue[0]["file_bytes"]
    assert all_rows(engine) == [r for r in before if r not in march]  # only March left
    with engine.connect() as conn:
        assert store.month_figures(conn, MARCH) == (0, 0)
        assert MARCH not in store.partitions(conn)
        assert APRIL in store.partitions(conn) or engine.dialect.name == "sqlite"
    # archiving it again changes nothing
    assert service.archive_month(engine, MARCH, actor="test") is None


def test_a_crash_between_export_and_drop_loses_nothing_and_a_rerun_finishes(
    archive_db, monkeypatch
):
    engine, _ = archive_db
    before = all_rows(engine)

    def crash(conn, month):
        raise RuntimeError("power cut before the drop")

    monkeypatch.setattr(store, "drop_month", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        service.archive_month(engine, APRIL, actor="test")
    assert all_rows(engine) == before  # nothing lost
    [entry] = service.catalogue(engine)
    assert (entry["month"], entry["state"], entry["rows"]) == (APRIL, "exported", 288)
    assert Path(entry["path"]).exists()
    # the history read does not read an 'exported' month from its file: no row twice
    q = history.check_query(_points(engine), None, "hour", "2024-04-01", "2024-04-30")
    assert history.read_page(engine, SYSTEM_SCOPE, q, None, 10)[0].total == 288

    monkeypatch.undo()
    result = service.archive_month(engine, APRIL, actor="test")
    assert result is not None and not result.exported  # the verified file was reused
    assert _file_rows(result.path) == _as_datetimes(_month_rows(before, APRIL))
    assert all_rows(engine) == [r for r in before if r not in _month_rows(before, APRIL)]
    assert service.catalogue(engine)[0]["state"] == "archived"


@pytest.mark.postgres
def test_rows_arriving_between_export_and_drop_make_the_month_export_again(
    pg_archive_db, monkeypatch
):
    """PostgreSQL only: on SQLite the write lock is taken before the step, so no row can
    slip in between."""
    from ecozone.measurements.store import upsert_measurements

    engine, ids = pg_archive_db
    real_lock = store.lock_month
    calls = []

    def late_row_then_lock(conn, month):
        if not calls:  # once: a re-sent hour of 1 April 05:00 arrives for a new pollutant
            with engine.begin() as other:
                upsert_measurements(other, [{
                    "point_id": ids[("91500000MA5U7AH918", "DA001")], "pollutant": "a34013",
                    "kind": "hour", "data_time": datetime(2024, 4, 1, 5), "avg": 7.0,
                }])  # fmt: skip
        calls.append(month)
        real_lock(conn, month)

    monkeypatch.setattr(store, "lock_month", late_row_then_lock)
    result = service.archive_month(engine, APRIL, actor="test")
    assert result is not None and result.rows == 289 and len(calls) == 2
    assert len(_file_rows(result.path)) == 289


def test_a_failed_verification_drops_nothing_and_leaves_no_file(archive_db, monkeypatch):
    engine, _ = archive_db
    before = all_rows(engine)
    real_write = parquet.write_sorted

    def lose_a_row(con, source, part):  # a writer that silently drops one row
        real_write(con, f"(SELECT * FROM {source} LIMIT {ROWS_PER_MONTH - 1})", part)

    monkeypatch.setattr(parquet, "write_sorted", lose_a_row)
    with pytest.raises(VerificationError, match=r"database holds 288 rows.*file 287 rows"):
        service.archive_month(engine, MAY, actor="test")
    assert all_rows(engine) == before
    assert service.catalogue(engine) == []
    assert not any(p.is_file() for p in _archive_dir().rglob("*"))


def _points(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT id FROM point ORDER BY id")).scalars())


def _read_all(engine, q, size):
    rows, after = [], None
    while True:
        page, _ = history.read_page(engine, SYSTEM_SCOPE, q, after, size)
        rows += [{k: v for k, v in r.items() if k != "marks"} for r in page.rows]
        if page.next_after is None:
            return rows, page.total
        after = page.next_after


def test_the_history_read_over_archived_and_live_months_returns_the_rows_of_before(archive_db):
    engine, ids = archive_db
    q = history.check_query(_points(engine), None, "hour", "2024-03-02", "2024-05-02")
    one = history.check_query([ids[("91500112MA60XKQ2EE", "DW001")]], "w01018", "hour",
                              "2024-03-01", "2024-05-31")  # fmt: skip
    before, total = _read_all(engine, q, 50)
    before_one, _ = _read_all(engine, one, 7)
    pollutants = history.pollutants(engine, SYSTEM_SCOPE, q)
    # days 2..3 of March, 1..3 of April, 1..2 of May: 7 days · 24 hours · 4 pairs
    assert total == len(before) == 7 * 24 * 4

    service.archive_month(engine, MARCH, actor="test")
    service.archive_month(engine, APRIL, actor="test")

    after, total_after = _read_all(engine, q, 50)  # pages of 50 cross both month borders
    assert total_after == total
    assert after == before
    assert _read_all(engine, one, 7)[0] == before_one
    assert history.pollutants(engine, SYSTEM_SCOPE, q) == pollutants
    _, walked_total, batches = history.walk(engine, SYSTEM_SCOPE, q, cap=10_000, batch=100)
    walked = [{k: v for k, v in r.items() if k != "marks"} for b in batches for r in b]
    assert (walked_total, walked) == (total, before)


def test_restore_puts_an_archived_month_back(archive_db):
    engine, _ = archive_db
    before = all_rows(engine)
    service.archive_month(engine, MARCH, actor="test")
    assert service.restore_month(engine, MARCH, actor="test") == 288
    assert all_rows(engine) == before
    assert service.catalogue(engine)[0]["state"] == "restored"
    with engine.connect() as conn:
        assert store.month_figures(conn, MARCH)[0] == 288
        if engine.dialect.name == "postgresql":
            assert MARCH in store.partitions(conn)
    with pytest.raises(ArchiveError, match="2024-03 is restored, not archived"):
        service.restore_month(engine, MARCH, actor="test")
    # and it can be archived again
    assert service.archive_month(engine, MARCH, actor="test").rows == 288


def test_the_retention_archives_the_months_before_the_live_ones(archive_db):
    engine, _ = archive_db
    done = service.archive_due(engine, datetime(2024, 5, 20, 8), live_months=2, actor="test")
    assert [r.month for r in done] == [MARCH]  # April and May stay live
    assert service.archive_due(engine, datetime(2024, 5, 20, 8), live_months=2,
                               actor="test") == []  # fmt: skip


def test_a_daily_aggregate_over_archived_and_live_months_is_the_one_of_before(archive_db):
    engine, _ = archive_db
    options = {"bucket": "day", "kind": "hour", "start": datetime(2024, 3, 1),
               "end": datetime(2024, 6, 1)}  # fmt: skip
    with engine.connect() as conn:
        live = read.period_means(conn, **options)
    # 3 months · 3 days · 4 pairs; the SO2 mean of 1 March at the boiler by hand:
    # avg = 10 + 1 + h/100 over h = 0..23 → 11 + (0+…+23)/100/24 = 11 + 2.76/24 = 11.115
    assert len(live) == 36
    so2 = [r for r in live if r[1] == "a21026" and r[2] == datetime(2024, 3, 1)]
    assert so2[0][3] == 24 and so2[0][4] == pytest.approx(11.115)
    service.archive_month(engine, MARCH, actor="test")
    service.archive_month(engine, APRIL, actor="test")
    with engine.connect() as conn:
        mixed = read.period_means(conn, **options)
        archived_only = read.archived_period_means(conn, **options)
    assert len(archived_only) == 24
    assert [r[:4] for r in mixed] == [r[:4] for r in live]
    assert [r[4:] for r in mixed] == [pytest.approx(r[4:]) for r in live]


def test_the_command_line_archives_lists_and_refuses_a_bad_month(archive_db, monkeypatch):
    engine, _ = archive_db
    monkeypatch.setenv("ECOZONE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    done = runner.invoke(app, ["archive", "month", "2024-03", "--actor", "ops"])
    assert done.exit_code == 0, done.output
    assert '"rows": 288' in done.output
    listed = runner.invoke(app, ["archive", "list"])
    assert '"month": "2024-03"' in listed.output and '"state": "archived"' in listed.output
    bad = runner.invoke(app, ["archive", "month", "2024-13"])
    assert bad.exit_code == 2 and "month" in bad.output
    again = runner.invoke(app, ["archive", "restore", "2024-05"])
    assert again.exit_code == 2 and "2024-05 is not archived" in again.output
