"""Migrations and engines: every test runs on SQLite and on PostgreSQL (database_url)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ecozone.archive.rules import DEFAULT_PARTITION, partition_month
from ecozone.store import migrate, schema
from ecozone.store.cli import app as db_app
from ecozone.store.engine import display_url, make_engine, normalise_url


def test_upgrade_creates_every_table_of_the_schema(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        # PostgreSQL's monthly partitions of measurement are made at run time (ecozone.archive).
        tables = {t for t in tables if not (partition_month(t) or t == DEFAULT_PARTITION)}
        assert tables == set(schema.metadata.tables) | {"alembic_version"}
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing_and_keeps_data(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        first = migrate.upgrade_engine(engine)
        assert first.before is None and first.changed
        with engine.begin() as conn:
            conn.execute(schema.zone.insert().values(name="Z"))
        second = migrate.upgrade_engine(engine)
        assert second.before == second.after == first.after and not second.changed
        with engine.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(schema.zone)) == 1
    finally:
        engine.dispose()


def test_migrations_produce_exactly_the_schema_of_schema_py(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.check(database_url)  # raises when autogenerate would find a difference


def test_foreign_keys_are_enforced(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(schema.district.insert().values(zone_id=999, name="nowhere"))
    finally:
        engine.dispose()


def test_a_rolled_back_savepoint_undoes_only_its_own_writes(database_url: str) -> None:
    # On SQLite this needs the engine's own BEGIN: the sqlite3 module's legacy
    # mode lets a SAVEPOINT escape the enclosing transaction.
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(schema.zone.insert().values(name="kept"))
            savepoint = conn.begin_nested()
            conn.execute(schema.zone.insert().values(name="undone"))
            savepoint.rollback()
        with engine.connect() as conn:
            assert list(conn.scalars(sa.select(schema.zone.c.name))) == ["kept"]
    finally:
        engine.dispose()


def test_sqlite_engine_is_durable_on_commit_with_wal_foreign_keys_and_busy_timeout(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'ecozone.db'}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL: fsync per commit
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert (tmp_path / "new" / "dir").is_dir()
    finally:
        engine.dispose()


def test_sqlite_synchronous_normal_can_be_chosen(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'e.db'}", sqlite_synchronous="NORMAL")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u:p@db/ecozone", "postgresql+psycopg"),
        ("postgres://u:p@db/ecozone", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db/ecozone", "postgresql+psycopg"),
        ("postgresql+psycopg2://u:p@db/ecozone", "postgresql+psycopg2"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_bare_postgresql_urls_use_psycopg_3(given: str, driver: str) -> None:
    assert normalise_url(given).drivername == driver


def test_display_url_hides_the_password() -> None:
    shown = display_url("postgresql://ecozone:s3cret@db:5432/ecozone")
    assert "s3cret" not in shown
    assert shown == "postgresql+psycopg://ecozone:***@db:5432/ecozone"


def test_db_upgrade_command_reports_database_and_revision(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOZONE_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    first = runner.invoke(db_app, ["upgrade"])
    assert first.exit_code == 0, first.output
    head = migrate.head_revision()
    assert f"database: {sqlite_url}" in first.output
    assert f"upgraded: empty database -> {head}" in first.output
    second = runner.invoke(db_app, ["upgrade"])
    assert second.exit_code == 0, second.output
    assert f"already at revision {head}" in second.output


def test_0004_seals_stored_passwords_and_keeps_measurements(database_url: str) -> None:
    from alembic import command

    from ecozone.registry.secrets import PREFIX, open_sealed

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            cfg = migrate.alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            conn.commit()
        with engine.begin() as conn:
            for sql in (
                "INSERT INTO zone (id, name) VALUES (1, 'Z')",
                "INSERT INTO district (id, zone_id, name) VALUES (1, 1, 'D')",
                "INSERT INTO enterprise (id, credit_code, name, district_id)"
                " VALUES (1, '91500000MA5U7AH918', 'E', 1)",
                "INSERT INTO point (id, enterprise_id, code, name, kind)"
                " VALUES (1, 1, 'DA001', 'P', 'flue_gas')",
                "INSERT INTO device (id, point_id, mn, password, st)"
                " VALUES (1, 1, '88888880000001', '123456', '31')",
                "INSERT INTO measurement (point_id, pollutant, kind, data_time, avg, received_at)"
                " VALUES (1, 'a21026', 'hour', '2026-11-20 08:00:00', 21.5,"
                " '2026-11-20 00:05:00+00:00')",
            ):
                conn.exec_driver_sql(sql)
        migrate.upgrade_engine(engine)
        with engine.connect() as conn:
            stored = conn.execute(sa.select(schema.device.c.password)).scalar_one()
            row = conn.execute(sa.select(schema.measurement)).one()._mapping
        assert stored.startswith(PREFIX) and "123456" not in stored
        assert open_sealed(stored, "device.password") == "123456"
        assert (row["pollutant"], row["avg"], row["resent"]) == ("a21026", 21.5, False)
        with engine.begin() as conn:  # the HJ 212-2025 kinds pass the check constraint
            conn.execute(
                schema.measurement.insert().values(
                    point_id=1, pollutant="a01901", kind="five_min",
                    data_time=row["data_time"], avg=850.0, received_at=row["received_at"],
                )
            )  # fmt: skip
    finally:
        engine.dispose()
