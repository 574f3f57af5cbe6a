"""The ledger's pure rules with hand-worked numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ecozone.trading import rules
from ecozone.trading.model import (
    BasePrice,
    Line,
    Market,
    StateError,
    TradeState,
    TradeStep,
    TradingError,
    TradingSettings,
    Unit,
)

S = TradingSettings()
CQEA_2025 = Unit(Market.CARBON, "CQEA", 2025)
COD_2026 = Unit(Market.DISCHARGE, "w01018", 2026)


def test_quantities_are_exact_decimals_and_floats_are_refused():
    assert rules.amount("12.5", "q") == D("12.5000")
    assert rules.amount(3, "q") == D("3.0000")
    with pytest.raises(TradingError, match="浮点"):
        rules.amount(0.1, "q")
    for bad in ("0", "-1", "abc", "NaN", "1.00001", "Infinity"):
        with pytest.raises(TradingError):
            rules.amount(bad, "q")
    assert rules.price("56.78") == D("56.78")
    with pytest.raises(TradingError):
        rules.price("56.789")


def test_a_balanced_transaction_sums_to_zero_per_unit():
    units = {1: CQEA_2025, 2: CQEA_2025, 3: COD_2026, 4: COD_2026}
    rules.check_balanced([Line(1, D("-10")), Line(2, D("10")),
                          Line(3, D("-2.5")), Line(4, D("2.5"))], units)  # fmt: skip
    # 10 allowances out of one unit cannot become 10 t/a of COD: per unit, not in total.
    with pytest.raises(TradingError, match="不为 0"):
        rules.check_balanced([Line(1, D("-10")), Line(4, D("10"))], units)
    with pytest.raises(TradingError, match="两行"):
        rules.check_balanced([Line(1, D("0"))], units)
    with pytest.raises(TradingError, match="两次"):
        rules.check_balanced([Line(1, D("-1")), Line(1, D("1"))], units)


def test_an_enterprise_account_may_not_go_below_zero_but_the_issuer_may():
    balances = {1: D("-500"), 2: D("30")}  # 1 the issuer, 2 an enterprise
    assert rules.overdrawn(balances, rules.transfer(2, 1, D("30")), [2]) == {}
    assert rules.overdrawn(balances, rules.transfer(2, 1, D("30.0001")), [2]) == {2: D("-0.0001")}
    assert rules.overdrawn(balances, rules.transfer(1, 2, D("1000")), [2]) == {}


def test_a_reversal_negates_every_line():
    lines = rules.transfer(1, 2, D("7"))
    assert rules.reversal(lines) == (Line(1, D("7")), Line(2, D("-7")))


def test_discharge_rights_issued_in_2026_are_valid_to_the_end_of_2030():
    # 5 years: 2026, 2027, 2028, 2029, 2030.
    assert rules.discharge_expiry(2026, 5) == date(2030, 12, 31)
    assert rules.discharge_expiry(2026, 1) == date(2026, 12, 31)


def test_permitted_amounts_sum_the_outlets_caps_of_the_four_pollutants():
    limits = [("a21026", 20.0), ("a21002", 40.0), ("a21026", 12.5), ("w01018", 60.0),
              ("w21003", 6.0), ("a34013", 6.0), ("w01018", None)]  # fmt: skip
    # SO2 20 + 12.5 = 32.5; particulates are not a discharge right here; a missing cap adds 0.
    assert rules.permitted_amounts(limits) == {
        "w01018": D("60"), "w21003": D("6"), "a21026": D("32.5"), "a21002": D("40")}


def test_carbon_position_counts_banked_vintages_not_later_ones():
    holdings = {2024: D("100"), 2025: D("800"), 2026: D("5000")}
    p = rules.carbon_position(2025, D("1200"), D("200"), holdings, S)
    # outstanding 1200 - 200 = 1000; usable 100 + 800 = 900 (2026 is not usable) → short 100.
    assert p.outstanding_t == D("1000") and p.usable_t == D("900") and p.shortfall_t == D("100")
    assert p.deadline == date(2026, 12, 31)
    # 60 days before 2026-12-31 is 2026-11-01.
    assert not rules.shortfall_due(p, date(2026, 10, 31), S)
    assert rules.shortfall_due(p, date(2026, 11, 1), S)
    covered = rules.carbon_position(2025, D("1200"), D("300"), holdings, S)
    assert covered.shortfall_t == 0 and not rules.shortfall_due(covered, date(2026, 12, 1), S)


def test_the_deadline_follows_the_setting():
    june = TradingSettings(surrender_month=6, surrender_day=30)
    assert rules.surrender_deadline(2025, june) == date(2026, 6, 30)


def test_trade_steps():
    assert rules.next_state(TradeState.OFFERED, TradeStep.ACCEPT) is TradeState.ACCEPTED
    assert rules.next_state(TradeState.ACCEPTED, TradeStep.APPROVE) is TradeState.APPROVED
    with pytest.raises(StateError):
        rules.next_state(TradeState.OFFERED, TradeStep.APPROVE)  # the buyer has not accepted
    with pytest.raises(StateError):
        rules.next_state(TradeState.APPROVED, TradeStep.WITHDRAW)


def test_the_base_price_in_force_is_chosen_by_date():
    old = BasePrice(Market.DISCHARGE, "w01018", D("1360"), date(2015, 1, 1), "2015", "s")
    new = BasePrice(Market.DISCHARGE, "w01018", D("1500"), date(2027, 1, 1), "2027", "s")
    assert rules.base_price([old, new], Market.DISCHARGE, "w01018", date(2026, 6, 1)) is old
    assert rules.base_price([old, new], Market.DISCHARGE, "w01018", date(2027, 1, 1)) is new
    assert rules.base_price([old], Market.DISCHARGE, "w01018", date(2014, 1, 1)) is None


def test_price_series_weights_the_mean_by_volume():
    series = rules.price_series([("2026-10", D("100"), D("40")), ("2026-10", D("300"), D("50")),
                                 ("2026-11", D("10"), D("60"))])  # fmt: skip
    # (100 × 40 + 300 × 50) / 400 = 19000 / 400 = 47.50
    assert series[0] == {"period": "2026-10", "trades": 2, "volume": D("400"),
                         "value": D("19000.00"), "mean_price": D("47.50"),
                         "low": D("40"), "high": D("50")}  # fmt: skip
    assert series[1]["mean_price"] == D("60.00")


def test_settings_come_from_the_environment_and_bad_ones_are_named():
    from ecozone import config

    chosen = config.trading_settings({"ECOZONE_TRADING_SURRENDER_DEADLINE": "06-30",
                                      "ECOZONE_TRADING_WARN_DAYS": "30",
                                      "ECOZONE_TRADING_DISCHARGE_VALIDITY_YEARS": "3"})  # fmt: skip
    assert chosen == TradingSettings(surrender_month=6, surrender_day=30, warn_days=30,
                                     discharge_validity_years=3)  # fmt: skip
    assert config.trading_settings({}) == TradingSettings()
    for name, bad in (("SURRENDER_DEADLINE", "02-30"), ("SURRENDER_DEADLINE", "June"),
                      ("WARN_DAYS", "-1"), ("DISCHARGE_VALIDITY_YEARS", "0")):  # fmt: skip
        with pytest.raises(TradingError, match=name):
            config.trading_settings({f"ECOZONE_TRADING_{name}": bad})
