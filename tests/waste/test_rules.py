"""The waste rules with hand-worked values: the list's code form and edition by date, HJ
1259-2022 classes, FIFO stock and storage age, the limit's warning day, the mass balance and
the receiver's licence."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ecozone.waste import rules, service
from ecozone.waste.model import (
    AgeState,
    Entry,
    EntryKind,
    Handler,
    HandlerKind,
    ManagementClass,
    Period,
    WasteError,
    WasteSettings,
)

S = WasteSettings()
IN, OUT = EntryKind.STORED_IN, EntryKind.STORED_OUT


def test_the_category_is_hw_and_the_codes_last_two_digits():
    assert rules.category("900-041-49") == "HW49"
    assert rules.category("900-249-08") == "HW08"


@pytest.mark.parametrize("code", ["900-04149", "90-041-49", "900-041-4X", "HW49"])
def test_a_code_not_of_the_form_nnn_nnn_nn_is_refused(code):
    with pytest.raises(WasteError, match="NNN-NNN-NN"):
        rules.check_code(code)


def test_the_edition_in_force_follows_the_records_date():
    editions = service.editions()
    assert rules.edition_on(editions, date(2024, 12, 31)).edition == "2021"
    assert rules.edition_on(editions, date(2025, 1, 1)).edition == "2025"
    with pytest.raises(WasteError, match="2021-01-01"):
        rules.edition_on(editions, date(2020, 12, 31))


def test_a_name_not_matching_the_list_is_refused_with_the_lists_name():
    # the pitfall of domain-2.md §3.2: 900-041-49 is not 废矿物油
    with pytest.raises(WasteError, match="含有或沾染危险废物的废弃包装物") as caught:
        rules.check_listed(service.editions(), "900-041-49", "废矿物油", date(2025, 6, 1))
    assert "不是“废矿物油”" in str(caught.value)
    found = rules.check_listed(service.editions(), "900-052-31", None, date(2025, 6, 1))
    assert (found.name, found.category) == ("废铅蓄电池", "HW31")


def test_an_unlisted_identified_waste_is_900_000_xx_with_a_name_of_its_own():
    found = rules.check_listed(service.editions(), "900-000-49", "实验室废液", date(2025, 6, 1))
    assert found.name == "实验室废液"
    with pytest.raises(WasteError, match="须写明废物名称"):
        rules.check_listed(service.editions(), "900-000-49", "", date(2025, 6, 1))
    with pytest.raises(WasteError, match="不在国家危险废物名录（2025年版）中"):
        rules.check_listed(service.editions(), "900-999-49", None, date(2025, 6, 1))


@pytest.mark.parametrize(("tonnes", "own", "licensed", "expected"), [
    (100.0, False, False, ManagementClass.KEY),  # ≥ 100 t/a
    (99.9, False, False, ManagementClass.SIMPLIFIED),  # ≥ 10 t/a
    (10.0, False, False, ManagementClass.SIMPLIFIED),
    (9.999, False, False, ManagementClass.REGISTERED),  # < 10 t/a
    (1.0, True, False, ManagementClass.KEY),  # own utilisation or disposal
    (1.0, False, True, ManagementClass.KEY),  # a business licence
])  # fmt: skip
def test_management_class_by_hj_1259(tonnes, own, licensed, expected):
    assert rules.management_class(tonnes, own_handling=own, licensed=licensed,
                                  settings=S) is expected  # fmt: skip


def test_declaration_periods_annual_plus_monthly_for_key_quarterly_for_simplified():
    assert rules.declaration_periods(ManagementClass.KEY) == (Period.MONTHLY, Period.ANNUAL)
    assert rules.declaration_periods(ManagementClass.SIMPLIFIED) == (Period.QUARTERLY,
                                                                      Period.ANNUAL)  # fmt: skip
    assert rules.declaration_periods(ManagementClass.REGISTERED) == (Period.ANNUAL,)


def _e(kind, day, tonnes, code="900-041-49"):
    return Entry(kind, datetime.fromisoformat(day), code, tonnes, facility_id=1)


def test_out_of_storage_takes_from_the_oldest_lot_first():
    entries = [_e(IN, "2025-01-10", 2.5), _e(IN, "2025-03-20", 3.0), _e(OUT, "2025-05-05", 4.0),
               _e(IN, "2025-11-30", 1.5)]  # fmt: skip
    # 4.0 out: all 2.5 of January, 1.5 of March; left 1.5 of March and 1.5 of November
    left = rules.lots(entries)
    assert [(lot.since.date(), lot.quantity_t) for lot in left] == [
        (date(2025, 3, 20), 1.5),
        (date(2025, 11, 30), 1.5),
    ]
    (held,) = rules.stock(entries, date(2025, 12, 31))
    # 2025-03-20 is day 79 of the year, 2025-12-31 day 365: 286 days in storage
    assert (held.quantity_t, held.age_days) == (3.0, 286)
    assert rules.fifo_oldest([(e.at, e.quantity_t) for e in entries if e.kind is IN],
                             4.0) == datetime(2025, 3, 20)  # fmt: skip


def test_storage_age_warns_from_day_330_and_is_over_after_day_365():
    since = date(2025, 3, 20)
    # 2025-03-20 + 330 days = 2026-02-13 (day 79 + 330 = 409 = 365 + 44, and Feb 13 is day 44)
    assert rules.age_days(since, date(2026, 2, 12)) == 329
    assert rules.age_state(329, S) is AgeState.FINE
    assert rules.age_days(since, date(2026, 2, 13)) == 330
    assert rules.age_state(330, S) is AgeState.APPROACHING
    # one year (365 days) is still within the limit; 2026-03-21 is day 366 and over it
    assert rules.age_state(rules.age_days(since, date(2026, 3, 20)), S) is AgeState.APPROACHING
    assert rules.age_state(rules.age_days(since, date(2026, 3, 21)), S) is AgeState.OVER


def test_taking_out_more_than_the_ledger_holds_is_refused():
    with pytest.raises(WasteError, match=r"库存只有 3 t，不能出库 3\.5 t"):
        rules.check_out(3.0, 3.5, "900-041-49", "危废贮存库")


def test_mass_balance_generated_equals_stock_change_plus_handled():
    entries = [Entry(EntryKind.GENERATED, datetime(2025, 1, 1), "900-041-49", 9.0),
               Entry(IN, datetime(2025, 1, 1), "900-041-49", 9.0),
               Entry(OUT, datetime(2025, 2, 1), "900-041-49", 5.2),
               Entry(EntryKind.TRANSFERRED, datetime(2025, 2, 1), "900-041-49", 5.0)]  # fmt: skip
    b = rules.balance(entries, datetime(2025, 1, 1), datetime(2026, 1, 1))
    # 9.0 − ((9.0 − 5.2) + 5.0) = 0.2 unexplained: broken beyond 0.01 t
    assert b.stock_change == pytest.approx(3.8) and b.gap == pytest.approx(0.2)
    assert not rules.balanced(b, S)


HANDLER = Handler(1, "处置中心", HandlerKind.DISPOSER, "渝危废经第001号", ("HW49", "900-249-08"),
                  50.0, date(2024, 1, 1), date(2027, 12, 31))  # fmt: skip


def test_a_receiver_not_licensed_for_the_code_is_refused_naming_why():
    why = rules.transfer_refusal(HANDLER, "900-052-31", 1.0, 0.0, date(2025, 6, 1))
    assert why == "处置中心 的许可证 渝危废经第001号 未核准经营 900-052-31（HW31）"
    assert rules.transfer_refusal(HANDLER, "900-039-49", 1.0, 0.0, date(2025, 6, 1)) is None
    assert rules.transfer_refusal(HANDLER, "900-249-08", 1.0, 0.0, date(2025, 6, 1)) is None
    assert rules.transfer_refusal(HANDLER, "900-214-08", 1.0, 0.0, date(2025, 6, 1)) is not None


def test_a_transfer_over_the_receivers_capacity_or_outside_its_validity_is_refused():
    # 45 + 5.5 = 50.5 > 50 t a year
    assert "超出" in rules.transfer_refusal(HANDLER, "900-041-49", 5.5, 45.0, date(2025, 6, 1))
    assert rules.transfer_refusal(HANDLER, "900-041-49", 5.0, 45.0, date(2025, 6, 1)) is None
    assert "有效期" in rules.transfer_refusal(HANDLER, "900-041-49", 1.0, 0.0, date(2028, 1, 1))
