"""The draw's rules: quotas, weights, caps, hand-worked draws, statistics over many seeds,
recusal as a property, and verification of published records."""

from __future__ import annotations

import copy
import hashlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecozone.supervision import rules
from ecozone.supervision.model import SupervisionError, SupervisionSettings

SEED = "00" * 32
SETTINGS = SupervisionSettings()


def seed_of(n: int) -> str:
    return hashlib.sha256(f"seed {n}".encode()).hexdigest()


def candidate(i: int, weight: float = 1.0, status: str = "eligible", category: str = "general",
              previous: list[int] | None = None) -> dict:  # fmt: skip
    return {"id": i, "credit_code": f"CC{i:03d}", "name": f"企业{i}", "category": category,
            "status": status, "open_alerts": 0, "positive": False, "weight": weight,
            "previous_inspectors": previous or []}  # fmt: skip


def inspector(i: int, conflicts: list[int] | None = None) -> dict:
    return {"id": i, "name": f"检查员{i}", "unit": "执法支队", "certificate_no": f"Z{i}",
            "conflicts": conflicts or []}  # fmt: skip


def inputs(candidates: list[dict], inspectors: list[dict], quotas: dict) -> dict:
    return {"campaign": "测试", "scope": "全区", "period_start": "2026-10-01",
            "period_end": "2026-12-31", "quotas": quotas, "min_inspectors": 2,
            "candidates": candidates, "inspectors": inspectors}  # fmt: skip


# --- quotas, weights, caps ----------------------------------------------------------------


def test_a_ratio_quota_rounds_up_five_percent_of_41_is_3() -> None:
    assert rules.quota_count({"ratio": 0.05}, 41) == 3  # 41 × 0.05 = 2.05 → 3
    assert rules.quota_count({"ratio": 0.05}, 40) == 2  # exactly 2.0, not 3
    assert rules.quota_count({"count": 9}, 4) == 4


def test_weight_is_raised_by_open_alerts_and_lowered_on_the_positive_list() -> None:
    assert rules.weight(0, False, SETTINGS) == 1.0
    assert rules.weight(2, False, SETTINGS) == 2.0  # 1 + 0.5 × 2
    assert rules.weight(2, True, SETTINGS) == 0.4  # 2.0 × 0.2


def test_cap_window_is_the_quarter_for_key_and_the_year_for_general_units() -> None:
    assert rules.cap_window("key", date(2026, 11, 15), SETTINGS) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert rules.cap_window("general", date(2026, 11, 15), SETTINGS) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    two = SupervisionSettings(high_risk_cap_months=2)
    assert rules.cap_window("attention", date(2026, 4, 30), two) == (
        date(2026, 3, 1),
        date(2026, 4, 30),
    )


# --- hand-worked draws --------------------------------------------------------------------


def test_one_of_three_equal_weights_goes_to_the_largest_es_key() -> None:
    seed = bytes.fromhex(SEED)
    keys = {i: rules.es_key(seed, i, 1.0) for i in (1, 2, 3)}
    winner = max(keys, key=keys.get)
    result = rules.draw(inputs([candidate(i) for i in (1, 2, 3)], [inspector(7), inspector(8)],
                               {"general": {"count": 1}}), SEED)  # fmt: skip
    assert [i["enterprise_id"] for i in result["inspections"]] == [winner]
    # ln(u)/w: with u from HMAC-SHA256(seed, "enterprise:<id>") as the docstring says
    mac = rules._mac(seed, f"enterprise:{winner}")
    assert keys[winner] == pytest.approx(__import__("math").log((mac + 0.5) / 2**256))


def test_triggered_checks_are_always_in_and_capped_or_pledged_never() -> None:
    cands = [candidate(1, status="triggered"), candidate(2, status="capped"),
             candidate(3, status="pledged"), candidate(4), candidate(5)]  # fmt: skip
    result = rules.draw(
        inputs(cands, [inspector(7), inspector(8)], {"general": {"count": 2}}), SEED
    )
    drawn = [i["enterprise_id"] for i in result["inspections"]]
    assert drawn[0] == 1 and result["inspections"][0]["triggered"]
    assert len(drawn) == 2 and drawn[1] in (4, 5)  # the triggered one counts toward the 2


def test_two_inspectors_each_with_loads_spread_evenly() -> None:
    # 6 inspections × 2 inspectors = 12 places over 4 inspectors: 3 each
    result = rules.draw(inputs([candidate(i) for i in range(1, 7)],
                               [inspector(i) for i in (11, 12, 13, 14)],
                               {"general": {"count": 6}}), SEED)  # fmt: skip
    loads: dict[int, int] = {}
    for i in result["inspections"]:
        assert len(i["inspectors"]) == 2
        for who in i["inspectors"]:
            loads[who] = loads.get(who, 0) + 1
    assert loads == {11: 3, 12: 3, 13: 3, 14: 3}


def test_dates_are_spread_over_the_period() -> None:
    # 92 days (Oct 1 – Dec 31), 4 inspections: days 0, 23, 46, 69
    result = rules.draw(inputs([candidate(i) for i in range(1, 5)], [inspector(7), inspector(8)],
                               {"general": {"count": 4}}), SEED)  # fmt: skip
    assert [i["date"] for i in result["inspections"]] == [
        "2026-10-01", "2026-10-24", "2026-11-16", "2026-12-09"]  # fmt: skip


def test_the_previous_team_never_returns_to_the_same_enterprise() -> None:
    cands = [candidate(1, previous=[7, 8])]
    result = rules.draw(inputs(cands, [inspector(i) for i in (7, 8, 9, 10)],
                               {"general": {"count": 1}}), SEED)  # fmt: skip
    assert result["inspections"][0]["inspectors"] == [9, 10]


def test_too_few_inspectors_is_named() -> None:
    data = inputs(
        [candidate(1)], [inspector(7), inspector(8, conflicts=[1])], {"general": {"count": 1}}
    )
    assert rules.short_of_inspectors(data) == ["企业1"]
    with pytest.raises(SupervisionError, match="企业1"):
        rules.draw(data, SEED)


# --- statistics over many seeds -----------------------------------------------------------

# Upper 0.1 % points of the chi-square distribution (any statistics table).
CHI2_999 = {3: 16.266, 4: 18.467}
DRAWS = 3000


def _chi_square(counts: list[int], expected: list[float]) -> float:
    return sum((c - e) ** 2 / e for c, e in zip(counts, expected, strict=True))


def _one_of(weights: list[float]) -> list[int]:
    counts = [0] * len(weights)
    data = inputs([candidate(i + 1, w) for i, w in enumerate(weights)],
                  [inspector(90), inspector(91)], {"general": {"count": 1}})  # fmt: skip
    for n in range(DRAWS):
        counts[rules.draw(data, seed_of(n))["inspections"][0]["enterprise_id"] - 1] += 1
    return counts


def test_equal_weights_are_drawn_uniformly() -> None:
    counts = _one_of([1.0] * 5)
    assert _chi_square(counts, [DRAWS / 5] * 5) < CHI2_999[4], counts


def test_unequal_weights_are_drawn_in_proportion() -> None:
    weights = [1.0, 2.0, 3.0, 4.0]  # P = w / 10 for a single draw
    counts = _one_of(weights)
    assert _chi_square(counts, [DRAWS * w / 10 for w in weights]) < CHI2_999[3], counts
    # and uniform is clearly rejected for them: the test has power
    assert _chi_square(counts, [DRAWS / 4] * 4) > CHI2_999[3]


# --- recusal as a property ----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n_enterprises=st.integers(1, 6),
    conflicts=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6)), max_size=12),
    count=st.integers(1, 6),
    seed=st.binary(min_size=32, max_size=32),
)
def test_a_conflicted_inspector_is_never_drawn(n_enterprises, conflicts, count, seed) -> None:
    pool = [inspector(i, sorted({e for who, e in conflicts if who == i})) for i in range(6)]
    data = inputs([candidate(i) for i in range(1, n_enterprises + 1)], pool,
                  {"general": {"count": count}})  # fmt: skip
    if rules.short_of_inspectors(data):
        return
    for item in rules.draw(data, seed.hex())["inspections"]:
        assert len(item["inspectors"]) == 2
        for who in item["inspectors"]:
            assert item["enterprise_id"] not in pool[who]["conflicts"]


# --- verification -------------------------------------------------------------------------


@pytest.fixture
def published() -> dict:
    data = inputs([candidate(i) for i in range(1, 6)], [inspector(i) for i in (7, 8, 9)],
                  {"general": {"count": 2}})  # fmt: skip
    return rules.record(data, SEED, rules.draw(data, SEED))


def test_the_published_record_verifies(published: dict) -> None:
    assert rules.verify(published) == []


def test_an_altered_result_is_named(published: dict) -> None:
    doc = copy.deepcopy(published)
    doc["result"]["inspections"][0]["inspectors"] = [7, 9] if doc["result"]["inspections"][0][
        "inspectors"] != [7, 9] else [8, 9]  # fmt: skip
    [problem] = rules.verify(doc)
    assert "result altered" in problem and "inspectors" in problem


def test_an_altered_input_is_named(published: dict) -> None:
    doc = copy.deepcopy(published)
    doc["inputs"]["candidates"][0]["weight"] = 50.0
    problems = rules.verify(doc)
    assert any("inputs altered" in p for p in problems)


def test_a_seed_not_matching_the_commitment_is_named(published: dict) -> None:
    doc = copy.deepcopy(published)
    doc["seed"] = "11" * 32
    problems = rules.verify(doc)
    assert problems[0] == "种子与承诺值不符 (seed does not match the commitment)"
