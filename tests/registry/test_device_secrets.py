"""Device passwords and SM4 keys are sealed at rest; rotation is audited."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.registry.test_registry_service import registry

from ecozone import config
from ecozone.registry import RegistryError, export_registry, import_registry, load_devices
from ecozone.registry.secrets import SecretError, key_material, open_sealed, seal
from ecozone.registry.service import set_device_password
from ecozone.store import schema
from ecozone.store.engine import make_engine

MN = "88888880000001"


@pytest.fixture
def engine(migrated_database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


def _with_sm4(data):
    device = data["enterprises"][0]["points"][0]["device"]
    device.update(sm4_key="0000000000000000", encryption_required=True)
    return data


def _dump(engine: sa.Engine) -> str:
    """Everything a database dump of the device and audit tables would show."""
    with engine.connect() as conn:
        rows = [tuple(r) for t in (schema.device, schema.audit_log)
                for r in conn.execute(sa.select(t))]  # fmt: skip
    return repr(rows)


def test_a_database_dump_reveals_no_device_password_or_sm4_key(engine) -> None:
    import_registry(engine, _with_sm4(registry()))
    dump = _dump(engine)
    for secret in ("123456", "654321", "0000000000000000"):
        assert secret not in dump
    with engine.connect() as conn:
        device = load_devices(conn)[MN]
    assert device.password == "123456"
    assert device.sm4_key == b"0" * 16 and device.encryption_required


def test_secrets_sealed_with_another_key_cannot_be_read(engine, monkeypatch) -> None:
    import_registry(engine, registry())
    monkeypatch.setenv("ECOZONE_SECRET_KEY", "a-different-secret-key")
    with engine.connect() as conn, pytest.raises(SecretError, match="cannot be opened"):
        load_devices(conn)


def test_export_with_secrets_opens_them_and_reimports_without_changes(engine) -> None:
    import_registry(engine, _with_sm4(registry()))
    exported = export_registry(engine, with_secrets=True)
    device = exported["enterprises"][0]["points"][0]["device"]
    assert (device["password"], device["sm4_key"]) == ("123456", "0000000000000000")
    assert not import_registry(engine, exported).changed


def test_export_leaves_secrets_out_by_default_and_its_reimport_keeps_them(engine) -> None:
    import_registry(engine, _with_sm4(registry()))
    exported = export_registry(engine)
    text = repr(exported)
    for secret in ("123456", "654321", "0000000000000000"):
        assert secret not in text
    device = exported["enterprises"][0]["points"][0]["device"]
    assert device == {"mn": MN, "st": "31", "encryption_required": True}
    assert not import_registry(engine, exported).changed
    with engine.connect() as conn:
        kept = load_devices(conn)[MN]
    assert (kept.password, kept.sm4_key) == ("123456", b"0" * 16)


def test_a_masked_secret_keeps_the_stored_one_and_null_removes_the_sm4_key(engine) -> None:
    import_registry(engine, _with_sm4(registry()))
    data = _with_sm4(registry())
    device = data["enterprises"][0]["points"][0]["device"]
    device.update(password="******", sm4_key="******")
    assert not import_registry(engine, data).changed
    device.update(sm4_key=None, encryption_required=False)
    import_registry(engine, data)
    with engine.connect() as conn:
        kept = load_devices(conn)[MN]
    assert (kept.password, kept.sm4_key) == ("123456", None)


def test_a_new_device_without_a_password_is_refused_and_nothing_is_stored(engine) -> None:
    data = registry()
    del data["enterprises"][0]["points"][0]["device"]["password"]
    with pytest.raises(RegistryError) as caught:
        import_registry(engine, data)
    assert caught.value.errors == [
        "enterprises[0].points[0].device.password: missing; a new device needs its password"
        " (exports leave passwords out unless --with-secrets)"
    ]
    assert export_registry(engine)["enterprises"] == []


def test_rotating_a_password_is_audited_and_takes_effect(engine) -> None:
    import_registry(engine, registry())
    set_device_password(engine, MN, "a1b2c3", actor="admin")
    with engine.connect() as conn:
        assert load_devices(conn)[MN].password == "a1b2c3"
        entry = conn.execute(
            sa.select(schema.audit_log).where(schema.audit_log.c.action == "rotate_password")
        ).one()
    assert (entry.actor, entry.entity) == ("admin", "device")
    assert entry.after == {"mn": MN, "password": "***"}
    assert "a1b2c3" not in _dump(engine)
    with pytest.raises(RegistryError, match="no device has MN"):
        set_device_password(engine, "NOSUCHMN", "a1b2c3", actor="admin")
    with pytest.raises(RegistryError, match="none of ; , = &"):
        set_device_password(engine, MN, "a;b", actor="admin")


def test_without_a_configured_key_one_is_generated_in_the_data_dir_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("ECOZONE_SECRET_KEY")
    monkeypatch.setenv("ECOZONE_DATA_DIR", str(tmp_path / "data"))
    material = key_material()
    path = config.load().secret_key_file
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key_material() == material  # read back, not regenerated
    sealed = seal("123456", "device.password")
    assert open_sealed(sealed, "device.password") == "123456"
    with pytest.raises(SecretError):  # bound to its purpose
        open_sealed(sealed, "device.sm4_key")
