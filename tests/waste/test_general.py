"""General industrial solid waste in the same ledger: the kind told by the code's form, the
categories checked against their data file, and kept apart from the hazardous class, balance,
declaration and storage age (tests.waste.data: GENERATOR made 9.0 t of hazardous waste in
2025, 登记)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.waste.data import GENERATOR

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance.model import WorkCalendar
from ecozone.waste import checks, rules, service
from ecozone.waste.model import WasteError, WasteKind, WasteSettings

S = WasteSettings()


def test_the_kind_follows_the_codes_form():
    assert rules.waste_kind("900-041-49") is WasteKind.HAZARDOUS
    assert rules.waste_kind("SW17") is WasteKind.GENERAL
    assert rules.waste_kind(" sw07 ") is WasteKind.GENERAL
    with pytest.raises(WasteError, match=r"NNN-NNN-NN.*SWnn"):
        rules.waste_kind("SW1")


def test_every_general_category_is_marked_unconfirmed():
    (version,) = service.general_lists()
    assert version.version == "2021" and version.category("SW17").name == "可再生类废物"
    assert {c.status for c in version.categories} == {"UNCONFIRMED"}


def test_a_general_category_and_name_are_checked(waste):
    engine, _ids = waste
    with pytest.raises(WasteError, match="类别 SW17 的名称是“可再生类废物”，不是“粉煤灰”"):
        service.record(engine, GENERATOR, kind="generated", at="2025-06-01T09:00", code="SW17",
                       name="粉煤灰", quantity_t=1, actor="t")  # fmt: skip
    with pytest.raises(WasteError, match="SW08 不在"):
        service.record(engine, GENERATOR, kind="generated", at="2025-06-01T09:00", code="SW08",
                       quantity_t=1, actor="t")  # fmt: skip


def test_general_waste_stays_out_of_the_hazardous_figures(waste):
    engine, ids = waste
    # 30 t of SW17 generated and stored, 12 t of it out and transferred: by hand, the general
    # balance is 30 = (30 − 12) + 12 and 18 t are held; the hazardous figures do not move
    for kind, at, tonnes, extra in (
        ("generated", "2025-02-01T09:00", 30, {}),
        ("stored_in", "2025-02-01T10:00", 30, {"facility": "WF01"}),
        ("stored_out", "2025-04-01T08:00", 12, {"facility": "WF01"}),
        ("transferred", "2025-04-01T09:00", 12, {"handler_id": ids["BATTERIES"]}),
    ):
        service.record(engine, GENERATOR, kind=kind, at=at, code="SW17", quantity_t=tonnes,
                       actor="t", **extra)  # fmt: skip
    found = service.waste_file(engine, GENERATOR, SYSTEM_SCOPE, date(2025, 12, 31), S)
    assert found["class"]["class"] == "registered" and found["class"]["generated_t"] == 9.0
    assert (found["balance"]["generated"], found["balance"]["gap"]) == (9.0, 0.0)
    g = found["general_balance"]
    assert (g["generated"], g["stock_change"], g["transferred"], g["gap"]) == (30, 18, 12, 0)
    assert [(s["code"], s["held_t"]) for s in found["general_stock"]] == [("SW17", 18.0)]
    assert "SW17" not in {s["code"] for s in found["stock"]}
    assert "SW17" not in {r["code"] for r in service.declaration(
        engine, GENERATOR, 2025, SYSTEM_SCOPE)["rows"]}  # fmt: skip
    # 2026-02-05: the SW17 lot is past a year; only hazardous lots raise storage-age alerts
    found = checks.conditions(engine, date(2026, 2, 5), S, WorkCalendar())
    assert not any("SW17" in c.condition_key for _e, c in found)
