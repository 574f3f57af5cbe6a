from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.measurements.data import REGISTRY, _point_ids

from ecozone.archive import store
from ecozone.archive.rules import Month
from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade

#: Three months of hourly SO2 (a21026) and NOx (a21002) at two points: March, April, May 2024.
MONTHS = ((2024, 3), (2024, 4), (2024, 5))


def month_rows(ids: dict, year: int, month: int) -> list[dict]:
    """Hours 0..23 of days 1..3 of the month, two pollutants, two points: 288 rows, with
    values that tell the rows apart (and one empty flag, one NULL flag)."""
    boiler, chem = ids[("91500000MA5U7AH918", "DA001")], ids[("91500112MA60XKQ2EE", "DW001")]
    received = datetime(year, month, 4, 2, 0, 1, 250_000, tzinfo=UTC)
    rows = []
    for day in (1, 2, 3):
        for hour in range(24):
            when = datetime(year, month, day, hour)
            for point_id, code, base in ((boiler, "a21026", 10.0), (boiler, "a21002", 40.0),
                                         (chem, "w01018", 30.0), (chem, "w21003", 2.0)):  # fmt: skip
                rows.append({
                    "point_id": point_id, "pollutant": code, "kind": "hour", "data_time": when,
                    "avg": base + day + hour / 100, "min": base, "max": base + 5,
                    "cou": None if hour % 5 else 0.5, "flag": "N" if hour else None,
                    "eflag": "" if hour == 3 else None, "received_at": received,
                    "resent": hour == 7,
                })  # fmt: skip
    return rows


@pytest.fixture
def archive_db(database_url: str, tmp_path: Path, monkeypatch) -> Iterator[tuple[sa.Engine, dict]]:
    """A migrated database with the registry and three months of hourly data; the archive
    folder under tmp_path."""
    yield from _archive_db(database_url, tmp_path, monkeypatch)


@pytest.fixture
def pg_archive_db(postgres_url: str, tmp_path: Path, monkeypatch) -> Iterator[tuple]:
    """archive_db on PostgreSQL only."""
    yield from _archive_db(postgres_url, tmp_path, monkeypatch)


def _archive_db(database_url: str, tmp_path: Path, monkeypatch) -> Iterator[tuple]:
    monkeypatch.setenv("ECOZONE_ARCHIVE_DIR", str(tmp_path / "archive"))
    upgrade(database_url)
    engine = make_engine(database_url)
    import_registry(engine, REGISTRY)
    with engine.begin() as conn:
        ids = _point_ids(conn)
        for year, month in MONTHS:
            upsert_measurements(conn, month_rows(ids, year, month))
    # PostgreSQL: the rows went to the DEFAULT partition (the migration made partitions only
    # for the months then held and the coming ones); their months' partitions take them over.
    for year, month in MONTHS:
        with engine.begin() as conn:
            if store.is_partitioned(conn):
                assert store.create_partition(conn, Month(year, month))
    yield engine, ids
    engine.dispose()


def all_rows(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT point_id, pollutant, kind, data_time, rtd, avg, min, max, cou, flag, eflag, "
                "resent FROM measurement ORDER BY data_time, point_id, pollutant"
            )
        ).all()
    return [tuple(r) for r in rows]


def hours(n: int) -> timedelta:
    return timedelta(hours=n)
