"""Registry import/export against a real database: SQLite and PostgreSQL (migrated_database_url)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from ecozone.registry import (
    DEFAULT_ZONE,
    DeviceInfo,
    PointKind,
    RegistryError,
    export_registry,
    import_registry,
    load_devices,
)
from ecozone.registry.rules import credit_code_check_char
from ecozone.store import schema
from ecozone.store.engine import make_engine

VALID = "91500000MA5U7AH918"
PILOT = "91350100M0001TGQXM"  # legal, but fails the check character


def valid_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


SECOND = valid_code("91500103MA60000A1")


def registry() -> dict[str, Any]:
    """A file with every optional key used somewhere."""
    return {
        "zone": DEFAULT_ZONE,
        "districts": ["两江新区", "渝中区"],
        "enterprises": [
            {
                "credit_code": VALID,
                "name": "重庆示例热电有限公司",
                "district": "两江新区",
                "industry": "热电联产",
                "address": "两江新区示例路1号",
                "lon": 106.55,
                "lat": 29.71,
                "points": [
                    {
                        "code": "DA001",
                        "name": "1号锅炉烟囱",
                        "kind": "flue_gas",
                        "reference_o2": 6.0,
                        "lon": 106.551,
                        "lat": 29.712,
                        "device": {"mn": "88888880000001", "password": "123456", "st": "31"},
                    },
                    {
                        "code": "DW001",
                        "name": "废水总排口",
                        "kind": "wastewater",
                        "device": {
                            "mn": "010000A8900016F000169DC0",
                            "password": "654321",
                            "st": "32",
                            "lenient": True,
                        },
                    },
                ],
            },
            {
                "credit_code": SECOND,
                "name": "渝中示例环境监测站",
                "district": "渝中区",
                "points": [
                    {
                        "code": "AQ01",
                        "name": "空气自动站",
                        "kind": "ambient_air",
                        "device": {"mn": "88888880000003", "password": "000000", "st": "22"},
                    }
                ],
            },
        ],
    }


@pytest.fixture
def engine(migrated_database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_database_url)
    yield engine
    engine.dispose()


TABLES = (
    schema.zone,
    schema.district,
    schema.enterprise,
    schema.point,
    schema.device,
    schema.audit_log,
)


def contents(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every registry row (and the audit log), to compare before and after."""
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(table.c.id))]
            for table in TABLES
        }


def test_import_then_export_gives_the_same_file_back(engine) -> None:
    data = registry()
    summary = import_registry(engine, copy.deepcopy(data))
    assert summary.created == {"zone": 1, "district": 2, "enterprise": 2, "point": 3, "device": 3}
    assert export_registry(engine, with_secrets=True) == data


def test_an_exported_file_imports_without_changes(engine) -> None:
    import_registry(engine, registry())
    before = contents(engine)
    summary = import_registry(engine, export_registry(engine))
    assert not summary.changed
    assert contents(engine) == before


def test_importing_the_same_file_twice_changes_nothing(engine) -> None:
    import_registry(engine, registry())
    before = contents(engine)
    summary = import_registry(engine, registry())
    assert not summary.changed
    assert summary.unchanged == {"zone": 1, "district": 2, "enterprise": 2, "point": 3, "device": 3}
    assert contents(engine) == before  # no audit entries either


def test_the_zone_defaults_to_the_chongqing_ftz(engine) -> None:
    data = registry()
    del data["zone"]
    import_registry(engine, data)
    assert export_registry(engine)["zone"] == "中国（重庆）自由贸易试验区"


def test_changed_names_and_passwords_are_updated_in_place(engine) -> None:
    import_registry(engine, registry())
    ids_before = {name: [row[0] for row in rows] for name, rows in contents(engine).items()}
    data = registry()
    data["enterprises"][0]["name"] = "重庆示例热电股份有限公司"
    data["enterprises"][0]["points"][0]["device"]["password"] = "a1b2c3"
    del data["enterprises"][0]["industry"]  # left out: reset to empty
    summary = import_registry(engine, data)
    assert summary.updated == {"zone": 0, "district": 0, "enterprise": 1, "point": 0, "device": 1}
    assert export_registry(engine, with_secrets=True) == data
    ids_after = {name: [row[0] for row in rows] for name, rows in contents(engine).items()}
    for table in ("enterprise", "point", "device"):
        assert ids_after[table] == ids_before[table]


def test_changes_are_audited_without_passwords(engine) -> None:
    import_registry(engine, registry(), actor="alice")
    data = registry()
    data["enterprises"][0]["points"][0]["device"]["password"] = "a1b2c3"
    import_registry(engine, data, actor="bob")
    with engine.connect() as conn:
        entries = conn.execute(sa.select(schema.audit_log).order_by(schema.audit_log.c.id)).all()
    assert [e.action for e in entries].count("create") == 11
    assert {e.actor for e in entries if e.action == "create"} == {"alice"}
    (update,) = [e for e in entries if e.action == "update"]
    assert (update.actor, update.entity) == ("bob", "device")
    assert update.before == {"password": "***"} and update.after == {"password": "***"}
    assert "123456" not in repr([tuple(e) for e in entries])


def test_an_mn_can_move_between_points_in_one_import(engine) -> None:
    import_registry(engine, registry())
    data = registry()
    first, second = data["enterprises"][0]["points"]
    first["device"]["mn"], second["device"]["mn"] = second["device"]["mn"], first["device"]["mn"]
    summary = import_registry(engine, data)
    assert summary.updated["device"] == 2
    devices = load_devices_of(engine)
    assert devices["88888880000001"].point_code == "DW001"
    assert devices["010000A8900016F000169DC0"].point_code == "DA001"


def load_devices_of(engine: sa.Engine) -> dict[str, DeviceInfo]:
    with engine.connect() as conn:
        return load_devices(conn)


def test_load_devices_gives_the_gateway_each_device_by_mn(engine) -> None:
    import_registry(engine, registry())
    devices = load_devices_of(engine)
    assert set(devices) == {"88888880000001", "010000A8900016F000169DC0", "88888880000003"}
    stack = devices["88888880000001"]
    assert stack.password == "123456" and stack.st == "31" and not stack.lenient
    assert (stack.credit_code, stack.point_code, stack.kind) == (VALID, "DA001", PointKind.FLUE_GAS)
    assert stack.reference_o2 == 6.0
    with engine.connect() as conn:
        point_id = conn.scalar(sa.select(schema.point.c.id).where(schema.point.c.code == "DA001"))
    assert stack.point_id == point_id
    assert devices["010000A8900016F000169DC0"].lenient
    assert devices["88888880000003"].reference_o2 is None


def test_credit_code_verified_false_lets_a_failing_code_in_and_records_it(engine) -> None:
    data = registry()
    data["enterprises"][1]["credit_code"] = PILOT
    data["enterprises"][1]["credit_code_verified"] = False
    import_registry(engine, data)
    with engine.connect() as conn:
        verified = conn.execute(
            sa.select(schema.enterprise.c.credit_code, schema.enterprise.c.credit_code_verified)
        ).all()
    assert sorted(verified) == sorted([(VALID, True), (PILOT, False)])
    exported = export_registry(engine)["enterprises"][1]
    assert exported["credit_code"] == PILOT and exported["credit_code_verified"] is False


def test_credit_code_verified_false_still_requires_a_well_formed_code(engine) -> None:
    data = registry()
    data["enterprises"][1]["credit_code"] = "91350100M0001TGQXI"
    data["enterprises"][1]["credit_code_verified"] = False
    with pytest.raises(RegistryError, match=r"enterprises\[1\]\.credit_code: .*'I' at position 18"):
        import_registry(engine, data)


def _unknown_district(data):
    data["enterprises"][1]["district"] = "江北区"


def _duplicate_mn_in_file(data):
    data["enterprises"][1]["points"][0]["device"]["mn"] = "88888880000001"


def _bad_credit_code(data):
    data["enterprises"][1]["credit_code"] = SECOND[:17] + ("0" if SECOND[17] != "0" else "1")


def _unknown_kind(data):
    data["enterprises"][0]["points"][1]["kind"] = "waste_water"


def _reference_o2_21(data):
    data["enterprises"][0]["points"][0]["reference_o2"] = 21


def _reference_o2_negative(data):
    data["enterprises"][0]["points"][0]["reference_o2"] = -1


def _missing_name(data):
    del data["enterprises"][1]["name"]


def _empty_password(data):
    data["enterprises"][0]["points"][1]["device"]["password"] = " "


def _bidi_override_in_name(data):
    data["enterprises"][1]["name"] = "渝中示例\u202e站测监"


def _nul_in_address(data):
    data["enterprises"][0]["address"] = "两江新区\x00示例路1号"


def _ansi_escape_in_point_name(data):
    data["enterprises"][0]["points"][0]["name"] = "\x1b[31m1号锅炉烟囱"


def _line_break_in_district(data):
    data["districts"][0] = "两江\n新区"


def _missing_point_kind(data):
    del data["enterprises"][1]["points"][0]["kind"]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (_unknown_district, "enterprises[1].district: unknown district 江北区"),
        (
            _duplicate_mn_in_file,
            "enterprises[1].points[0].device.mn: MN 88888880000001 is already used by"
            " enterprises[0].points[0]",
        ),
        (_bad_credit_code, "enterprises[1].credit_code: credit code "),
        (_unknown_kind, "enterprises[0].points[1].kind: unknown point kind 'waste_water'"),
        (
            _reference_o2_21,
            "enterprises[0].points[0].reference_o2: reference_o2 21 is out of range",
        ),
        (_reference_o2_negative, "enterprises[0].points[0].reference_o2: reference_o2 -1 is out"),
        (_missing_name, "enterprises[1].name: missing"),
        (_empty_password, "enterprises[0].points[1].device.password: is empty"),
        (
            _bidi_override_in_name,
            "enterprises[1].name: character U+202E at position 5 is not allowed",
        ),
        (
            _nul_in_address,
            "enterprises[0].address: character U+0000 (NUL) at position 5 is not allowed",
        ),
        (
            _ansi_escape_in_point_name,
            "enterprises[0].points[0].name: character U+001B (ESC) at position 1 is not allowed",
        ),
        (_line_break_in_district, "districts[0]: character U+000A (LF) at position 3"),
        (_missing_point_kind, "enterprises[1].points[0].kind: missing"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)
def test_a_bad_entry_is_named_by_its_path_and_nothing_is_written(engine, spoil, message) -> None:
    import_registry(engine, registry())
    data = registry()
    data["enterprises"][0]["name"] = "a change that must not be written"
    data["districts"].append("北碚区")
    spoil(data)
    before = contents(engine)
    with pytest.raises(RegistryError) as caught:
        import_registry(engine, data)
    assert any(error.startswith(message) for error in caught.value.errors), caught.value.errors
    assert "nothing was written" in str(caught.value)
    assert contents(engine) == before


def test_bad_entries_on_an_empty_database_write_nothing(engine) -> None:
    data = registry()
    _unknown_kind(data)
    empty = contents(engine)
    with pytest.raises(RegistryError):
        import_registry(engine, data)
    assert contents(engine) == empty


def test_an_mn_owned_by_a_stored_point_is_refused(engine) -> None:
    import_registry(engine, registry())
    newcomer = {
        "districts": ["两江新区"],
        "enterprises": [
            {
                "credit_code": valid_code("91500000MA5U8BBB1"),
                "name": "新企业",
                "district": "两江新区",
                "points": [
                    {
                        "code": "DA001",
                        "name": "烟囱",
                        "kind": "flue_gas",
                        "device": {"mn": "88888880000001", "password": "1", "st": "31"},
                    }
                ],
            }
        ],
    }
    before = contents(engine)
    with pytest.raises(RegistryError) as caught:
        import_registry(engine, newcomer)
    assert caught.value.errors == [
        "enterprises[0].points[0].device.mn: MN 88888880000001 is already used by point DA001"
        f" of enterprise {VALID} in the registry"
    ]
    assert contents(engine) == before


def test_every_error_of_a_file_is_reported_at_once(engine) -> None:
    data = registry()
    for spoil in (_unknown_district, _unknown_kind, _reference_o2_21, _empty_password):
        spoil(data)
    with pytest.raises(RegistryError) as caught:
        import_registry(engine, data)
    assert len(caught.value.errors) == 4
    assert str(caught.value).startswith("registry not imported, 4 errors; nothing was written:")


def test_a_district_of_another_zone_is_refused(engine) -> None:
    import_registry(engine, registry())
    data = registry()
    data["zone"] = "另一个园区"
    with pytest.raises(RegistryError, match=r"districts\[0\]: district 两江新区 belongs to zone"):
        import_registry(engine, data)


def test_export_needs_a_zone_name_when_several_are_stored(engine) -> None:
    import_registry(engine, registry())
    import_registry(engine, {"zone": "另一个园区", "districts": ["北碚区"]})
    with pytest.raises(RegistryError, match="several zones"):
        export_registry(engine)
    assert export_registry(engine, "另一个园区") == {
        "zone": "另一个园区",
        "districts": ["北碚区"],
        "enterprises": [],
    }


def test_export_of_an_empty_registry_is_an_empty_file(engine) -> None:
    assert export_registry(engine) == {"zone": DEFAULT_ZONE, "districts": [], "enterprises": []}


def test_disclosed_enterprise_is_recorded_and_exported(engine) -> None:
    data = registry()
    data["enterprises"][0]["disclosed"] = True
    import_registry(engine, copy.deepcopy(data))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(schema.enterprise.c.credit_code, schema.enterprise.c.disclosed)
        )
        flags = {code: disclosed for code, disclosed in rows}
    assert flags[data["enterprises"][0]["credit_code"]] is True
    assert flags[data["enterprises"][1]["credit_code"]] is False
    assert export_registry(engine, with_secrets=True) == data
