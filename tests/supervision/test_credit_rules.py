"""Credit rules against hand-worked cases from the rule files (data/credit-*.yaml).

Chongqing points used below (credit-chongqing.yaml, version cq-2021-7/1): violation none -2,
minor -5, serious -15; penalty warning -1, fine bands [0, 10000) -3, [10000, 100000) -6,
≥ 100000 -12; exceedance -1 each, cap -10; valid-data rate < 75 % -6, < 90 % -3; overdue
alert -2 each, cap -10; rectification late -3, on time +1; clean year +8; levels 诚信 ≥ 100,
良好 ≥ 80, 警示 ≥ 60, 不良 below. The national file: on time 0, clean year 0, ceiling 100,
levels 绿 ≥ 90, 蓝 ≥ 75, 黄 ≥ 60, 红 below.
"""

from __future__ import annotations

from datetime import date

import pytest

from ecozone.supervision import credit
from ecozone.supervision.credit_rules import (
    CreditError,
    FactorKind,
    Facts,
    add_months,
    evaluate,
    parse_rule_set,
    penalty_points,
    repair_refusal,
)

CQ = credit.rule_set("chongqing")
NATIONAL = credit.rule_set("national")
YEAR_END = date(2025, 12, 31)


def violation(n: int, harm: str, found: str, due: str | None, done: str | None, **kw):
    return {"id": n, "found_on": date.fromisoformat(found), "provision": "大气法第九十九条",
            "item": f"违法行为{n}", "harm": harm, "state": "rectified" if done else "open",
            "rectify_by": date.fromisoformat(due) if due else None,
            "rectified_on": date.fromisoformat(done) if done else None, **kw}  # fmt: skip


def penalty(n: int, violation_id: int, outcome: str, amount: float | None, day: str):
    return {"id": n, "violation_id": violation_id, "outcome": outcome, "amount_yuan": amount,
            "decided_on": date.fromisoformat(day)}  # fmt: skip


CASE_A = Facts(
    year=2025,
    violations=[violation(1, "minor", "2025-04-10", "2025-05-10", "2025-05-05")],
    penalties=[penalty(1, 1, "penalty", 8000, "2025-04-20")],
    exceedances=[{"id": i} for i in (31, 32, 33)],
    data_quality=[{"point": "DA001", "pollutant": "a21026", "valid_rate": 0.95},
                  {"point": "DA002", "pollutant": "a21002", "valid_rate": 0.80}],
)


def test_case_a_chongqing_is_good_at_87():
    # 100 - 5 (minor) + 1 (on time) - 3 (fine 8000) - 3 (3 exceedances) - 3 (80 % < 90 %)
    found = evaluate(CQ, CASE_A, as_of=YEAR_END)
    assert found.score == 100 - 5 + 1 - 3 - 3 - 3 == 87
    assert (found.level.code, found.level.name) == ("good", "环保良好企业")
    kinds = [ln.kind for ln in found.lines]
    assert kinds == [FactorKind.VIOLATION, FactorKind.RECTIFICATION, FactorKind.PENALTY,
                     FactorKind.EXCEEDANCE, FactorKind.DATA_QUALITY]  # fmt: skip
    assert "DA002 a21002 有效数据率 80.0%" in found.lines[-1].fact


def test_case_a_national_is_blue_at_86():
    # no bonus for rectifying on time nationally: 100 - 5 - 3 - 3 - 3 = 86 ≥ 75 → 蓝牌
    found = evaluate(NATIONAL, CASE_A, as_of=YEAR_END)
    assert found.score == 86
    assert (found.level.code, found.level.colour) == ("good", "blue")


def test_a_clean_year_is_honest_108_in_chongqing_and_green_100_nationally():
    assert evaluate(CQ, Facts(year=2025), as_of=YEAR_END).score == 108
    assert evaluate(CQ, Facts(year=2025), as_of=YEAR_END).level.code == "honest"
    national = evaluate(NATIONAL, Facts(year=2025), as_of=YEAR_END)
    assert (national.score, national.level.colour) == (100, "green")


def test_fine_bands_take_the_lower_bound_inclusive():
    assert penalty_points(CQ, "penalty", 9999.99) == -3
    assert penalty_points(CQ, "penalty", 10000) == -6
    assert penalty_points(CQ, "penalty", 99999) == -6
    assert penalty_points(CQ, "penalty", 100000) == -12
    assert penalty_points(CQ, "warning", None) == -1
    assert penalty_points(CQ, "exempt", None) == 0


def test_exceedances_and_overdue_alerts_stop_at_their_caps():
    facts = Facts(year=2025, exceedances=[{"id": i} for i in range(12)],
                  overdue_alerts=[{"id": i} for i in range(7)])  # fmt: skip
    found = evaluate(CQ, facts, as_of=YEAR_END)
    # 12 × -1 = -12 capped at -10; 7 × -2 = -14 capped at -10: 100 - 20 = 80, still 良好
    assert [ln.points for ln in found.lines] == [-10, -10]
    assert (found.score, found.level.code) == (80, "good")


def test_an_open_rectification_is_late_only_after_its_date():
    v = violation(1, "none", "2025-11-01", "2025-12-01", None)
    before = evaluate(CQ, Facts(year=2025, violations=[v]), as_of=date(2025, 12, 1))
    after = evaluate(CQ, Facts(year=2025, violations=[v]), as_of=date(2025, 12, 2))
    assert before.score == 100 - 2 == 98
    assert before.level.code == "good"
    assert after.score == 100 - 2 - 3 == 95


def test_serious_violation_fined_100000_is_vetoed_to_poor():
    facts = Facts(year=2025, violations=[violation(1, "serious", "2025-03-01", None, None)],
                  penalties=[penalty(1, 1, "penalty", 100000, "2025-03-20")])  # fmt: skip
    found = evaluate(CQ, facts, as_of=YEAR_END)
    # 100 - 15 - 12 = 73 would be 警示, but the veto makes it 不良
    assert found.score == 73
    assert (found.vetoed, found.level.code) == (True, "poor")


def test_repair_restores_the_violations_deductions():
    repaired = Facts(**{**CASE_A.__dict__, "repairs": {1: date(2025, 9, 1)}})
    found = evaluate(CQ, repaired, as_of=YEAR_END)
    # the violation's -5 and its fine's -3 come back (+8); the on-time bonus stays: 87 + 8
    assert found.lines[-1].kind is FactorKind.REPAIR and found.lines[-1].points == 8
    assert found.score == 95


def test_repair_needs_rectification_and_the_publicity_period():
    v = violation(1, "minor", "2025-04-10", "2025-05-10", "2025-05-05")
    published = date(2025, 4, 22)
    assert repair_refusal(CQ, v, published, date(2025, 7, 21)) is not None  # 3 months: 07-22
    assert repair_refusal(CQ, v, published, date(2025, 7, 22)) is None
    serious = {**v, "harm": "serious"}
    assert "2025-10-22" in repair_refusal(CQ, serious, published, date(2025, 9, 1))
    assert "尚未整改" in repair_refusal(CQ, {**v, "state": "open", "rectified_on": None},
                                        published, date(2026, 1, 1))  # fmt: skip


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_a_rule_file_with_levels_out_of_order_is_refused():
    with pytest.raises(CreditError, match="highest first"):
        parse_rule_set({"scheme": "x", "version": "1", "title": "t", "source": "s", "base": 100,
                        "floor": 0, "ceiling": 100,
                        "levels": [{"code": "a", "name": "A", "colour": "red", "min": 0},
                                   {"code": "b", "name": "B", "colour": "blue", "min": 60}]})


def test_the_shipped_files_carry_version_and_source():
    assert CQ.version == "cq-2021-7/1" and "渝环规〔2021〕7号" in CQ.source
    assert [lv.min for lv in CQ.levels] == [100, 80, 60, 0] and CQ.ceiling == 108
    assert NATIONAL.scheme == "national" and "环发〔2013〕150号" in NATIONAL.source
