"""GB 3838-2002 Table 1 single-factor evaluation, with cases worked by hand from the table
(domain-2.md §10.1)."""

from __future__ import annotations

import pytest

from ecozone.waterquality import rules
from ecozone.waterquality.model import Body, WaterClass, WaterSettings

I, II, III, IV, V, WORSE = (*WaterClass,)  # noqa: E741 - the standard's names
S = WaterSettings()


def test_cod_at_the_limit_shared_by_i_and_ii_is_class_i():
    # Table 1: COD ≤ 15 for both I and II; the value at the limit meets I, the better class.
    assert rules.classify("w01018", 15.0, Body.RIVER) is I
    assert rules.classify("w01018", 15.01, Body.RIVER) is III  # ≤ 20
    assert rules.classify("w01017", 3.0, Body.RIVER) is I  # BOD5 shares 3 for I and II


def test_value_at_a_boundary_belongs_to_the_better_class():
    assert rules.classify("w21003", 0.5, Body.RIVER) is II  # NH3-N II ≤ 0.5
    assert rules.classify("w21003", 0.51, Body.RIVER) is III
    assert rules.classify("w01009", 5.0, Body.RIVER) is III  # DO III ≥ 5


def test_do_below_the_v_limit_is_worse_than_v():
    # DO is a minimum: V needs ≥ 2 mg/L; 1.9 meets no class.
    assert rules.classify("w01009", 1.9, Body.RIVER) is WORSE
    assert rules.classify("w01009", 2.0, Body.RIVER) is V
    assert rules.classify("w01009", 7.5, Body.RIVER) is I
    assert WORSE.label == "劣Ⅴ"


def test_tp_of_a_river_and_of_a_lake_differ():
    # 0.05 mg/L: river II (0.02 < 0.05 ≤ 0.1); lake III (0.025 < 0.05 ≤ 0.05).
    assert rules.classify("w21011", 0.05, Body.RIVER) is II
    assert rules.classify("w21011", 0.05, Body.LAKE) is III
    # 0.25: river IV (≤ 0.3); lake 劣V (> 0.2, the lake V limit, not the river's 0.4).
    assert rules.classify("w21011", 0.25, Body.RIVER) is IV
    assert rules.classify("w21011", 0.25, Body.LAKE) is WORSE


def test_tn_counts_for_lakes_only():
    assert "w21001" not in rules.evaluated_codes(Body.RIVER, S)
    assert "w21001" in rules.evaluated_codes(Body.LAKE, S)
    assert rules.classify("w21001", 1.2, Body.LAKE) is IV


def test_ph_outside_6_to_9_is_worse_than_v():
    assert rules.classify("w01001", 6.0, Body.RIVER) is I
    assert rules.classify("w01001", 9.2, Body.RIVER) is WORSE


def test_overall_class_is_the_worst_parameter_and_multiples_against_target():
    values = {"w01001": 7.8, "w01009": 6.5, "w01019": 4.2, "w21003": 1.2, "w21011": 0.08,
              "w21001": 3.0}  # fmt: skip
    e = rules.evaluate(values, Body.RIVER, III, S)
    # DO 6.5 → II; CODMn 4.2 → III (≤ 6); NH3-N 1.2 → IV (≤ 1.5); TP 0.08 → II; TN left out.
    assert {p.code: p.water_class for p in e.parameters} == {
        "w01001": I, "w01009": II, "w01019": III, "w21003": IV, "w21011": II}  # fmt: skip
    assert e.water_class is IV
    (nh3,) = e.exceeding
    # (1.2 − 1.0) / 1.0 = 0.2 times over the class III limit.
    assert nh3.code == "w21003" and nh3.multiple == pytest.approx(0.2)


def test_do_short_of_the_target_exceeds_without_a_multiple_unless_set():
    e = rules.evaluate({"w01009": 4.0}, Body.RIVER, III, S)
    assert e.water_class is IV and e.exceeding[0].multiple is None
    shortfall = rules.evaluate(
        {"w01009": 4.0}, Body.RIVER, III, WaterSettings(multiple_for_do=True)
    )
    # (5 − 4) / 5 = 0.2
    assert shortfall.exceeding[0].multiple == pytest.approx(0.2)


def test_a_months_class_from_daily_values():
    # Three days of NH3-N: 0.9, 1.1, 1.3 → mean 1.1 → IV (1.0 < 1.1 ≤ 1.5), though day 1 is III.
    daily = [("w21003", 0.9), ("w21003", 1.1), ("w21003", 1.3), ("w01009", 6.0), ("w01009", 8.0)]
    means = rules.period_means(daily)
    assert means == pytest.approx({"w21003": 1.1, "w01009": 7.0})
    e = rules.evaluate(means, Body.RIVER, III, S)
    assert e.water_class is IV
    assert e.exceeding[0].multiple == pytest.approx(0.1)  # (1.1 − 1.0) / 1.0


def test_empty_values_have_no_class():
    assert rules.evaluate({}, Body.LAKE, II, S).water_class is None
