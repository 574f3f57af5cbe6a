"""Energy and carbon rules against figures worked by hand from domain.md §4, §5 and
domain-2.md §4 (GB/T 2589 coefficients, NDRC fuel defaults, data-quality thresholds)."""

from __future__ import annotations

from datetime import date

import pytest

from ecozone.energy import factors, rules
from ecozone.energy.model import (
    Carrier,
    CheckName,
    ElectricityMethod,
    EnergyError,
    EnergySettings,
    FactorSet,
    GridFactorKind,
    Quantity,
    UserClass,
)

SETS = factors.load()
DAY = date(2026, 11, 1)
ENERGY = rules.choose(SETS, "energy", DAY)
EQUAL = rules.choose(SETS, "electricity_equal_value", DAY)
FUEL = rules.choose(SETS, "fuel", DAY)
HEAT = rules.choose(SETS, "heat", DAY)
MARKET = rules.choose(SETS, "grid_market", DAY)
STATISTICAL = rules.choose(SETS, "grid_statistical", DAY)
S = EnergySettings()

MONTH = [
    Quantity(Carrier.ELECTRICITY, 100_000),  # kWh
    Quantity(Carrier.NATURAL_GAS, 20_000),  # m3
    Quantity(Carrier.STEAM, 500),  # t
]


def test_a_month_of_electricity_gas_and_steam_in_tce_equivalent_value():
    result = rules.comprehensive_tce(MONTH, ENERGY, EQUAL, ElectricityMethod.EQUIVALENT)
    # GB/T 2589 table (domain.md §4): 0.1229 kgce/kWh, 1.2143 kgce/m3 (gas field), steam
    # 0.1286 kgce/kg = 128.6 kgce/t.
    # 100 000 × 0.1229 = 12 290 kgce; 20 000 × 1.2143 = 24 286 kgce; 500 × 128.6 = 64 300 kgce
    assert [ln.tce for ln in result.lines] == pytest.approx([12.290, 24.286, 64.300])
    assert result.tce == pytest.approx(12.290 + 24.286 + 64.300)  # 100.876 tce
    assert "GB/T 2589-2020" in result.factor_sets[0]


def test_the_same_month_with_equal_value_electricity():
    result = rules.comprehensive_tce(MONTH, ENERGY, EQUAL, ElectricityMethod.EQUAL_VALUE)
    # 100 000 kWh × 0.3150 = 31 500 kgce; gas and steam unchanged.
    assert result.tce == pytest.approx(31.500 + 24.286 + 64.300)  # 120.086 tce
    assert len(result.factor_sets) == 2 and "0.3150" in result.factor_sets[1]


def test_oilfield_gas_coefficient_is_a_choice():
    gas = [Quantity(Carrier.NATURAL_GAS, 1000)]
    result = rules.comprehensive_tce(gas, ENERGY, EQUAL, ElectricityMethod.EQUIVALENT,
                                     "natural_gas_oilfield")  # fmt: skip
    assert result.tce == pytest.approx(1.330)  # 1 000 m3 × 1.33 kgce


def test_a_measured_heating_value_takes_precedence():
    # 1 t of coal measured at 25.0 GJ/t: 25 000 000 kJ / 29 307 = 853.03 kgce.
    coal = [Quantity(Carrier.RAW_COAL, 1, ncv_gj=25.0)]
    result = rules.comprehensive_tce(coal, ENERGY, EQUAL, ElectricityMethod.EQUIVALENT)
    assert result.tce == pytest.approx(25_000_000 / 29_307 / 1000)


def test_water_is_listed_but_not_converted():
    result = rules.comprehensive_tce([Quantity(Carrier.WATER, 5000)], ENERGY, EQUAL,
                                     ElectricityMethod.EQUIVALENT)  # fmt: skip
    assert result.lines[0].kgce_per_unit is None and result.tce == 0


def test_a_carbon_account_with_diesel_gas_and_electricity():
    quantities = [
        Quantity(Carrier.DIESEL, 10),  # t
        Quantity(Carrier.NATURAL_GAS, 20_000),  # m3
        Quantity(Carrier.ELECTRICITY, 100_000),  # kWh
    ]
    account = rules.carbon_account(quantities, FUEL, MARKET, HEAT, GridFactorKind.MARKET)
    # Diesel: 10 t × 42.652 GJ/t = 426.52 GJ = 0.42652 TJ × 20.2 tC/TJ = 8.615704 tC
    #         × 0.98 = 8.44339 tC × 44/12 = 30.9591 tCO2
    diesel = 10 * 42.652 / 1000 * 20.2 * 0.98 * 44 / 12
    assert diesel == pytest.approx(30.9591, abs=1e-4)
    # Gas: 20 000 m3 = 2 × 10^4 Nm3 × 389.31 GJ = 778.62 GJ = 0.77862 TJ × 15.3 × 0.99
    #      = 11.912886 tC × 0.99 = 11.793757 tC × 44/12 = 43.2438 tCO2
    #      (domain.md §5.2 rounds it to 2.1622 kgCO2/m3)
    gas = 0.77862 * 15.3 * 0.99 * 44 / 12
    assert gas == pytest.approx(43.2438, abs=1e-4)
    assert gas == pytest.approx(2 * 21.62, abs=0.01)
    # Electricity: 100 MWh × 0.5703 tCO2/MWh = 57.03 tCO2 (market reporting factor)
    assert account.scope1 == pytest.approx(diesel + gas)
    assert account.scope2 == pytest.approx(57.03)
    assert account.total == pytest.approx(30.9591 + 43.2438 + 57.03, abs=1e-3)
    statistical = rules.carbon_account(quantities, FUEL, STATISTICAL, HEAT,
                                       GridFactorKind.STATISTICAL)  # fmt: skip
    assert statistical.scope2 == pytest.approx(100 * 0.5306)  # MEE/NBS 2023
    assert any("0.5703" in s for s in account.factor_sets)


def test_purchased_steam_and_heat_are_scope_2():
    account = rules.carbon_account(
        [Quantity(Carrier.STEAM, 100), Quantity(Carrier.HEAT, 50)], FUEL, MARKET, HEAT,
        GridFactorKind.MARKET)  # fmt: skip
    # steam 100 t × 3.763 GJ/t × 0.11 t/GJ = 41.393; heat 50 GJ × 0.11 = 5.5
    assert account.scope1 == 0 and account.scope2 == pytest.approx(41.393 + 5.5)


def test_factor_sets_are_chosen_by_date():
    assert rules.choose(SETS, "grid_market", date(2021, 6, 1)).values["electricity"] == 0.5810
    assert rules.choose(SETS, "grid_market", date(2022, 1, 1)).values["electricity"] == 0.5703
    assert rules.choose(SETS, "grid_statistical", date(2022, 12, 31)).values[
        "electricity"] == 0.5366
    with pytest.raises(EnergyError, match="no grid_market factor set"):
        rules.choose(SETS, "grid_market", date(2019, 1, 1))


def test_key_energy_users_by_annual_tce():
    assert rules.user_class(10_000, S) is UserClass.KEY
    assert rules.user_class(9_999.9, S) is UserClass.DESIGNATED
    assert rules.user_class(5_000, S) is UserClass.DESIGNATED
    assert rules.user_class(4_999.9, S) is UserClass.OTHER


def test_completeness_at_89_9_fails_and_at_90_passes():
    expected = rules.expected_realtime(30, 15)
    assert expected == 30 * 96 == 2880
    # 89.9 % of 1 000 uploads: 899 fails; 900 (exactly 90 %) passes.
    low = rules.completeness_check(CheckName.REALTIME, 899, 1000, S)
    assert low.figure == pytest.approx(89.9) and low.passed is False
    at = rules.completeness_check(CheckName.REALTIME, 900, 1000, S)
    assert at.figure == pytest.approx(90.0) and at.passed is True
    # 2 592 of 2 880 quarter-hours is exactly 90 %.
    assert rules.completeness_check(CheckName.REALTIME, 2592, 2880, S).passed is True
    assert rules.completeness_check(CheckName.REALTIME, 2591, 2880, S).passed is False


def test_the_realtime_interval_may_be_relaxed():
    assert rules.expected_realtime(30, 60) == 720
    with pytest.raises(EnergyError, match="须整除一天"):
        rules.expected_realtime(30, 7)


def test_daily_sums_within_5_percent_of_the_monthly_total():
    at = rules.daily_vs_monthly_check(1050.0, 1000.0, S)  # |1050 − 1000| / 1000 = 5 %
    assert at.figure == pytest.approx(5.0) and at.passed is True
    over = rules.daily_vs_monthly_check(1050.1, 1000.0, S)  # 5.01 %
    assert over.passed is False
    under = rules.daily_vs_monthly_check(950.0, 1000.0, S)
    assert under.passed is True
    assert rules.daily_vs_monthly_check(None, 1000.0, S).passed is None


def test_daily_timestamps_within_one_minute():
    assert rules.timestamp_check([0, 60, 30], S).passed is True
    late = rules.timestamp_check([0, 61], S)
    assert late.passed is False and late.figure == 61


def test_plan_item_1_industrial_decline_at_least_gdp_decline():
    # Industrial 0.50 → 0.46 tce/10^4 yuan: 8 % decline; GDP 0.40 → 0.38: 5 % decline.
    industrial = rules.decline_pct(0.50, 0.46)
    gdp = rules.decline_pct(0.40, 0.38)
    assert industrial == pytest.approx(8.0) and gdp == pytest.approx(5.0)
    assert rules.item1_met(industrial, gdp) is True
    assert rules.item1_met(4.9, 5.0) is False
    assert rules.item1_met(5.0, 5.0) is True


def test_sql_coefficients_agree_with_the_rules():
    c = rules.sql_coefficients(ENERGY, EQUAL, ElectricityMethod.EQUIVALENT, FUEL, MARKET, HEAT)
    assert c["tce"]["electricity"] == (pytest.approx(0.0001229), None)
    assert c["t_co2"]["diesel"][0] == pytest.approx(42.652 / 1000 * 20.2 * 0.98 * 44 / 12)
    assert "water" not in c["tce"] and "water" not in c["t_co2"]


def test_a_factor_file_with_an_unknown_kind_is_refused():
    with pytest.raises(EnergyError, match="unknown kind"):
        factors.parse({"grid": []})
    assert isinstance(factors.load()[0], FactorSet)


def test_settings_come_from_the_environment_and_bad_ones_are_named():
    from ecozone import config

    settings = config.energy_settings({"ECOZONE_ENERGY_REALTIME_MINUTES": "30",
                                       "ECOZONE_ENERGY_GRID_KIND": "statistical",
                                       "ECOZONE_ENERGY_ELECTRICITY_METHOD": "equal_value"})
    assert settings.realtime_minutes == 30
    assert settings.grid_kind is GridFactorKind.STATISTICAL
    assert settings.electricity_method is ElectricityMethod.EQUAL_VALUE
    assert config.energy_settings({}) == EnergySettings()
    with pytest.raises(EnergyError, match="ECOZONE_ENERGY_GRID_KIND"):
        config.energy_settings({"ECOZONE_ENERGY_GRID_KIND": "regional"})
    with pytest.raises(EnergyError, match="NATURAL_GAS"):
        config.energy_settings({"ECOZONE_ENERGY_NATURAL_GAS": "lng"})
