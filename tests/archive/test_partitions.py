"""PostgreSQL's monthly partitions of measurement (revision 0033): the migration moves every
row of an existing table into them, upserts land in their month's partition and still
overwrite rather than duplicate, the coming months' partitions are made ahead, and the
downgrade puts one plain table back. SQLite stays one table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from tests.archive.conftest import all_rows, month_rows
from tests.measurements.data import REGISTRY, _point_ids

from ecozone.archive import service, store
from ecozone.archive.rules import Month
from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import alembic_config, upgrade


def _where_rows_are(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT tableoid::regclass::text, count(*) FROM measurement GROUP BY 1"
        ).all()
    return dict(rows)


def _relkind(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT relkind FROM pg_class WHERE oid = 'measurement'::regclass"
        ).scalar()


@pytest.mark.postgres
def test_the_migration_partitions_a_table_holding_data_and_keeps_every_row(postgres_url):
    command.upgrade(alembic_config(postgres_url), "0029")
    engine = make_engine(postgres_url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            ids = _point_ids(conn)
            upsert_measurements(conn, month_rows(ids, 2024, 3) + month_rows(ids, 2024, 4))
        before = all_rows(engine)
        assert _relkind(engine) == "r" and len(before) == 576

        upgrade(postgres_url)
        assert _relkind(engine) == "p"
        assert all_rows(engine) == before
        assert _where_rows_are(engine) == {"measurement_p202403": 288, "measurement_p202404": 288}
        with engine.connect() as conn:
            made = set(store.partitions(conn))
        this = Month.of(datetime.now(UTC))
        assert {Month(2024, 3), Month(2024, 4), this.plus(1), this.plus(3)} <= made

        command.downgrade(alembic_config(postgres_url), "0029")
        assert _relkind(engine) == "r"
        assert all_rows(engine) == before
        upgrade(postgres_url)  # and up again
        assert all_rows(engine) == before
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_upserts_land_in_their_months_partition_and_overwrite_in_place(postgres_url):
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            ids = _point_ids(conn)
        this = Month.of(datetime.now(UTC))
        point = ids[("91500000MA5U7AH918", "DA001")]
        row = {"point_id": point, "pollutant": "a21026", "kind": "hour", "avg": 1.0}
        with engine.begin() as conn:
            upsert_measurements(conn, [
                {**row, "data_time": this.start.replace(hour=5)},
                {**row, "data_time": datetime(2031, 7, 1, 0)},  # no partition: the default
            ])  # fmt: skip
        assert _where_rows_are(engine) == {this.partition: 1, "measurement_default": 1}
        # re-sent: the staged INSERT ... ON CONFLICT overwrites in the partition
        with engine.begin() as conn:
            upsert_measurements(conn, [{**row, "data_time": this.start.replace(hour=5),
                                        "avg": 2.5}])  # fmt: skip
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                f"SELECT avg FROM {this.partition}").scalars().all() == [2.5]  # fmt: skip
        # the month's partition made later takes the row over from the default one
        with engine.begin() as conn:
            assert store.create_partition(conn, Month(2031, 7))
            assert not store.create_partition(conn, Month(2031, 7))  # already there
        assert _where_rows_are(engine) == {this.partition: 1, "measurement_p203107": 1}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_maintenance_round_makes_the_coming_months_partitions(postgres_url):
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        later = datetime(2040, 11, 15)
        assert service.ensure_partitions(engine, later, 2) == [
            Month(2040, 11),
            Month(2040, 12),
            Month(2041, 1),
        ]
        assert service.ensure_partitions(engine, later, 2) == []  # safe to repeat
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_downgrade_refuses_while_a_month_lives_only_in_parquet(postgres_url, tmp_path):
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            upsert_measurements(conn, month_rows(_point_ids(conn), 2024, 3))
        service.archive_month(engine, Month(2024, 3), actor="test", archive_dir=tmp_path)
        with pytest.raises(RuntimeError, match="2024-03 are archived to Parquet only"):
            command.downgrade(alembic_config(postgres_url), "0029")
        service.restore_month(engine, Month(2024, 3), actor="test")
        command.downgrade(alembic_config(postgres_url), "0029")
        assert len(all_rows(engine)) == 288
    finally:
        engine.dispose()


def test_sqlite_stays_one_table_and_makes_no_partitions(sqlite_url):
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        assert service.ensure_partitions(engine, datetime(2026, 12, 3), 3) == []
        with engine.connect() as conn:
            assert not store.is_partitioned(conn) and store.partitions(conn) == {}
    finally:
        engine.dispose()
