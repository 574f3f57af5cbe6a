"""`ecozone registry import/export` as a user runs them (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ecozone.registry.cli import app
from ecozone.store import migrate

FILE = """\
districts: [两江新区, 渝中区]
enterprises:
  - credit_code: 91500000MA5U7AH918
    name: 重庆示例热电有限公司
    district: 两江新区
    points:
      - code: DA001
        name: 1号锅炉烟囱
        kind: flue_gas          # flue_gas | wastewater | ambient_air | surface_water
        reference_o2: 6.0
        device: {mn: "88888880000001", password: "123456", st: "31"}
"""


@pytest.fixture
def database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ECOZONE_DATABASE_URL", sqlite_url)
    return sqlite_url


def test_import_prints_what_it_created_then_that_nothing_changed(database, tmp_path) -> None:
    migrate.upgrade(database)
    path = tmp_path / "registry.yaml"
    path.write_text(FILE, encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["import", str(path)])
    assert first.exit_code == 0, first.output
    assert "created: 1 zone, 2 districts, 1 enterprise, 1 point, 1 device" in first.output
    second = runner.invoke(app, ["import", str(path)])
    assert "created: nothing" in second.output and "updated: nothing" in second.output


def test_import_of_a_bad_file_prints_every_error_and_exits_1(database, tmp_path) -> None:
    migrate.upgrade(database)
    path = tmp_path / "registry.yaml"
    path.write_text(
        FILE.replace("两江新区\n", "江北区\n").replace("flue_gas ", "fluegas "), "utf-8"
    )
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert "enterprises[0].district: unknown district 江北区" in result.output
    assert "enterprises[0].points[0].kind: unknown point kind 'fluegas'" in result.output


def test_import_of_a_file_that_is_not_yaml_exits_1(database, tmp_path) -> None:
    migrate.upgrade(database)
    path = tmp_path / "registry.yaml"
    path.write_text("districts: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 1 and "not a readable YAML file" in result.output


def test_commands_ask_for_an_upgrade_on_a_database_without_schema(database, tmp_path) -> None:
    result = CliRunner().invoke(app, ["export"])
    assert result.exit_code == 1 and "ecozone db upgrade" in result.output


def test_export_writes_readable_chinese_yaml_to_stdout_or_a_file(database, tmp_path) -> None:
    migrate.upgrade(database)
    source = tmp_path / "registry.yaml"
    source.write_text(FILE, encoding="utf-8")
    runner = CliRunner()
    runner.invoke(app, ["import", str(source)])
    shown = runner.invoke(app, ["export"])
    assert shown.exit_code == 0, shown.output
    assert "name: 重庆示例热电有限公司" in shown.output  # not \\u escapes
    assert "password" not in shown.output  # secrets only with --with-secrets
    target: Path = tmp_path / "out.yaml"
    written = runner.invoke(app, ["export", "--with-secrets", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert yaml.safe_load(target.read_text(encoding="utf-8")) == {
        "zone": "中国（重庆）自由贸易试验区",
        **yaml.safe_load(FILE),
    }


def test_set_password_pending_and_approve(database, tmp_path) -> None:
    from datetime import UTC, datetime

    from ecozone.registry import load_devices
    from ecozone.registry.onboarding import record_announcement
    from ecozone.store.engine import make_engine

    migrate.upgrade(database)
    path = tmp_path / "registry.yaml"
    path.write_text(FILE + "      - {code: DA002, name: 2号锅炉烟囱, kind: flue_gas}\n",
                    encoding="utf-8")  # fmt: skip
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    changed = runner.invoke(app, ["set-password", "88888880000001", "--actor", "ops"],
                            input="a1b2c3\na1b2c3\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "password of MN 88888880000001 changed" in changed.output
    assert runner.invoke(app, ["pending"]).output == "no pending loggers\n"
    engine = make_engine(database)
    record_announcement(engine, {"logger_sn": "SN-7"}, sent_mn=None, password="112233", st="31",
                        peer="10.0.0.7:4000", at=datetime(2026, 11, 20, tzinfo=UTC))  # fmt: skip
    listed = runner.invoke(app, ["pending"])
    assert listed.output.startswith("SN-7\tpending\t")
    approved = runner.invoke(app, ["approve", "SN-7", "--enterprise", "91500000MA5U7AH918",
                                   "--point", "DA002"])  # fmt: skip
    assert approved.exit_code == 0, approved.output
    with engine.connect() as conn:
        devices = load_devices(conn)
    engine.dispose()
    assert devices["88888880000001"].password == "a1b2c3"
    (new_mn,) = set(devices) - {"88888880000001"}
    assert f"logger SN-7 approved as MN {new_mn} on point DA002" in approved.output
    assert devices[new_mn].password == "112233" and len(new_mn) == 24
    refused = runner.invoke(app, ["set-password", "NOSUCH", "--password", "x1"])
    assert refused.exit_code == 1 and "no device has MN NOSUCH" in refused.output


def test_an_exported_file_without_secrets_reimports_and_keeps_the_password(
    database, tmp_path
) -> None:
    from ecozone.registry import load_devices
    from ecozone.store.engine import make_engine

    migrate.upgrade(database)
    source = tmp_path / "registry.yaml"
    source.write_text(FILE, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(source)]).exit_code == 0
    exported = tmp_path / "exported.yaml"
    assert runner.invoke(app, ["export", "--output", str(exported)]).exit_code == 0
    assert "123456" not in exported.read_text(encoding="utf-8")
    again = runner.invoke(app, ["import", str(exported)])
    assert again.exit_code == 0, again.output
    assert "updated: nothing" in again.output
    engine = make_engine(database)
    with engine.connect() as conn:
        assert load_devices(conn)["88888880000001"].password == "123456"
    engine.dispose()


def _dump(database: str) -> str:
    from ecozone.registry import export_registry
    from ecozone.store.engine import make_engine

    engine = make_engine(database)
    try:
        return repr(export_registry(engine, with_secrets=True))
    finally:
        engine.dispose()


def test_an_alias_bomb_or_a_repeated_key_is_refused_and_nothing_changes(database, tmp_path) -> None:
    migrate.upgrade(database)
    source = tmp_path / "registry.yaml"
    source.write_text(FILE, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(source)]).exit_code == 0
    before = _dump(database)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
        + "enterprises: *a9\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(bomb)])
    assert result.exit_code == 1
    assert result.output == (
        f"{bomb}: line 1: anchors and aliases (& and *) are not allowed; write each value out\n"
    )
    twice = tmp_path / "twice.yaml"
    twice.write_text(FILE.replace('st: "31"}', 'st: "31", password: "999999"}'), "utf-8")
    result = runner.invoke(app, ["import", str(twice)])
    assert result.exit_code == 1
    assert "line 11: key 'password' is repeated (first at line 11)" in result.output
    assert _dump(database) == before
