"""Energy and carbon arithmetic over plain data and the factor sets passed in (no I/O).

GB/T 2589-2020 comprehensive energy consumption, the NDRC enterprise GHG guideline formula
(domain.md §5.2, domain-2.md §5 recap), key energy users and dual control (domain-2.md §4),
and the online-monitoring data-quality checks (domain-2.md §4, 技术规范 as quoted there).
Figures compare after rounding to 9 places, so 90 % of 1 000 readings is exactly 900.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from ecozone.energy.model import (
    PURCHASED,
    CarbonLine,
    CarbonResult,
    Carrier,
    Check,
    CheckName,
    ElectricityMethod,
    EnergyError,
    EnergySettings,
    FactorSet,
    FuelFactor,
    GridFactorKind,
    Quantity,
    TceLine,
    TceResult,
    UserClass,
)

#: 1 kgce = 29 307 kJ (GB/T 2589 §6.2 as quoted in domain.md §4).
KJ_PER_KGCE = 29_307.0
#: Mass of CO2 per mass of carbon.
CO2_PER_C = 44 / 12
_PLACES = 9


def choose(sets: Sequence[FactorSet], kind: str, day: date) -> FactorSet:
    """The set of `kind` in force on `day`: the latest valid_from not after it."""
    candidates = [s for s in sets if s.kind == kind and s.valid_from <= day]
    if not candidates:
        raise EnergyError(f"没有 {day} 适用的 {kind} 系数集（no {kind} factor set valid on {day}）")
    return max(candidates, key=lambda s: s.valid_from)


def kgce_per_unit(
    q: Quantity,
    energy: FactorSet,
    equal_value: FactorSet | None,
    method: ElectricityMethod,
    gas_key: str = "natural_gas",
) -> float | None:
    """kgce per unit of `q.carrier`. A measured low heating value takes precedence over the
    table (GB/T 2589 §5.3.2): kgce = NCV (kJ) ÷ 29 307. Electricity by the method chosen;
    water has no coefficient (None)."""
    if q.ncv_gj is not None and q.carrier not in PURCHASED:
        return q.ncv_gj * 1e6 / KJ_PER_KGCE
    if q.carrier is Carrier.ELECTRICITY and method is ElectricityMethod.EQUAL_VALUE:
        if equal_value is None:
            raise EnergyError("等价值折标需要电力等价值系数集（no equal-value factor set）")
        return equal_value.values["electricity"]
    key = gas_key if q.carrier is Carrier.NATURAL_GAS else q.carrier.value
    return energy.values.get(key)


def comprehensive_tce(
    quantities: Iterable[Quantity],
    energy: FactorSet,
    equal_value: FactorSet | None,
    method: ElectricityMethod,
    gas_key: str = "natural_gas",
) -> TceResult:
    """Comprehensive energy consumption (GB/T 2589-2020 §4: the sum of each energy used,
    converted to standard coal): Σ amount × kgce per unit ÷ 1 000, in tce."""
    lines = []
    for q in quantities:
        if q.amount < 0:
            raise EnergyError(f"{q.carrier.value}：用量不能为负（{q.amount}）")
        coefficient = kgce_per_unit(q, energy, equal_value, method, gas_key)
        tce = q.amount * coefficient / 1000 if coefficient is not None else 0.0
        lines.append(TceLine(q.carrier, q.amount, coefficient, tce))
    used = [energy.label]
    if method is ElectricityMethod.EQUAL_VALUE and equal_value is not None:
        used.append(equal_value.label)
    return TceResult(tuple(lines), method, tuple(used))


def fuel_factor(fuel: FactorSet, carrier: Carrier, ncv_gj: float | None = None) -> FuelFactor:
    """NCV (GJ per unit), carbon content (tC/TJ) and oxidation rate of a fuel; a measured
    NCV replaces the default one."""
    key = carrier.value
    try:
        default_ncv = fuel.values[f"{key}.ncv"]
        cc = fuel.values[f"{key}.cc"]
        of = fuel.values[f"{key}.of"]
    except KeyError:
        raise EnergyError(f"{key}：系数集 {fuel.version} 中没有该燃料的排放因子") from None
    return FuelFactor(ncv_gj if ncv_gj is not None else default_ncv, cc, of)


def combustion_t_co2(amount: float, factor: FuelFactor) -> float:
    """E = AD × NCV × CC × OF × 44/12 (domain.md §5.2), with NCV in GJ per unit and CC in
    tC/TJ: amount × NCV (GJ) ÷ 1 000 (TJ) × CC × OF × 44/12 tCO2."""
    return amount * factor.ncv_gj / 1000 * factor.carbon_tc_per_tj * factor.oxidation * CO2_PER_C


def carbon_account(
    quantities: Iterable[Quantity],
    fuel: FactorSet,
    grid: FactorSet,
    heat: FactorSet,
    grid_kind: GridFactorKind,
) -> CarbonResult:
    """Scope 1 + 2 CO2 of an enterprise (domain-2.md §5 recap): fuel combustion by the NDRC
    formula; purchased electricity MWh × grid EF; purchased heat GJ × EF, steam converted to
    GJ by the heat set's GJ per tonne. Water carries no emission."""
    lines = []
    for q in quantities:
        if q.amount == 0 or q.carrier is Carrier.WATER:
            continue
        if q.carrier is Carrier.ELECTRICITY:
            ef = grid.values["electricity"] / 1000  # tCO2/kWh
            lines.append(CarbonLine(q.carrier, 2, q.amount, ef, q.amount * ef))
        elif q.carrier is Carrier.HEAT:
            ef = heat.values["heat"]
            lines.append(CarbonLine(q.carrier, 2, q.amount, ef, q.amount * ef))
        elif q.carrier is Carrier.STEAM:
            ef = heat.values["heat"] * heat.values["steam_gj_per_t"]
            lines.append(CarbonLine(q.carrier, 2, q.amount, ef, q.amount * ef))
        else:
            factor = fuel_factor(fuel, q.carrier, q.ncv_gj)
            per_unit = combustion_t_co2(1.0, factor)
            lines.append(CarbonLine(q.carrier, 1, q.amount, per_unit,
                                    combustion_t_co2(q.amount, factor)))  # fmt: skip
    return CarbonResult(tuple(lines), grid_kind, (fuel.label, grid.label, heat.label))


def user_class(annual_tce: float, settings: EnergySettings) -> UserClass:
    """重点用能单位: ≥ 10 000 tce a year; 5 000 to < 10 000 tce may be designated
    (domain-2.md §4, (R) 节约能源法 art. 52; thresholds are settings)."""
    if annual_tce >= settings.key_user_tce:
        return UserClass.KEY
    if annual_tce >= settings.designated_user_tce:
        return UserClass.DESIGNATED
    return UserClass.OTHER


def intensity(tce: float, denominator: float | None) -> float | None:
    """Energy per unit (tce per 10⁴ yuan of value added, or per unit of product)."""
    if denominator is None or denominator <= 0:
        return None
    return tce / denominator


def decline_pct(previous: float | None, current: float | None) -> float | None:
    """Year-on-year decline of an intensity in %: (previous − current) ÷ previous × 100."""
    if previous is None or current is None or previous <= 0:
        return None
    return (previous - current) / previous * 100


def item1_met(industrial_decline: float | None, gdp_decline: float | None) -> bool | None:
    """Plan item 1: the decline of energy per unit of above-scale industrial value added is at
    least the decline of energy per unit of GDP (domain-2.md §4, (S) plan item 1)."""
    if industrial_decline is None or gdp_decline is None:
        return None
    return round(industrial_decline, _PLACES) >= round(gdp_decline, _PLACES)


def expected_realtime(days: int, minutes: int) -> int:
    """Real-time indicators expected in `days` at one every `minutes` (15, relaxable)."""
    if minutes <= 0 or (24 * 60) % minutes:
        raise EnergyError(f"实时数据间隔 {minutes} 分钟无效：须整除一天（15、30 或 60）")
    return days * 24 * 60 // minutes


def completeness_check(
    name: CheckName, received: int, expected: int, settings: EnergySettings
) -> Check:
    """Completeness = actual ÷ expected uploads, at least 90 % (domain-2.md §4)."""
    if expected <= 0:
        return Check(name, None, settings.completeness_pct, None, "无应传数据")
    figure = min(received, expected) / expected * 100
    passed = round(figure, _PLACES) >= settings.completeness_pct
    return Check(name, figure, settings.completeness_pct, passed, f"{received}/{expected}")


def daily_vs_monthly_check(
    daily_sum: float | None, monthly: float | None, settings: EnergySettings
) -> Check:
    """Daily sums within 5 % of the monthly total: |Σ daily − monthly| ÷ monthly (§4)."""
    name = CheckName.DAILY_VS_MONTHLY
    if daily_sum is None or monthly is None:
        return Check(name, None, settings.daily_monthly_pct, None, "缺日或月数据")
    if monthly == 0:
        passed = daily_sum == 0
        return Check(name, 0.0 if passed else None, settings.daily_monthly_pct, passed)
    figure = abs(daily_sum - monthly) / monthly * 100
    passed = round(figure, _PLACES) <= settings.daily_monthly_pct
    return Check(name, figure, settings.daily_monthly_pct, passed,
                 f"Σ日 {daily_sum:g} / 月 {monthly:g}")  # fmt: skip


def monthly_total_check(has_monthly: bool) -> Check:
    """The month has a monthly total (daily and monthly indicators are both required)."""
    return Check(CheckName.MONTHLY, 1.0 if has_monthly else 0.0, 1.0, has_monthly)


def timestamp_check(offsets_s: Sequence[float], settings: EnergySettings) -> Check:
    """Daily totals stamped within ≤ 1 min of the day boundary (domain-2.md §4: statistical
    time offset ≤ 1 min daily): the figure is the largest offset in seconds."""
    name = CheckName.TIMESTAMP
    if not offsets_s:
        return Check(name, None, settings.daily_offset_s, None, "无日数据")
    worst = max(abs(o) for o in offsets_s)
    late = sum(1 for o in offsets_s if abs(o) > settings.daily_offset_s)
    return Check(name, worst, settings.daily_offset_s, late == 0, f"{late}/{len(offsets_s)}")


def sql_coefficients(
    energy: FactorSet,
    equal_value: FactorSet | None,
    method: ElectricityMethod,
    fuel: FactorSet,
    grid: FactorSet,
    heat: FactorSet,
    gas_key: str = "natural_gas",
) -> dict[str, dict[str, tuple[float, float | None]]]:
    """The same arithmetic as comprehensive_tce and carbon_account, as linear coefficients
    per carrier for a sum in SQL: {"tce": {carrier: (tce per unit, tce per GJ of measured
    NCV or None)}, "t_co2": {carrier: (tCO2 per unit, tCO2 per GJ of NCV or None)}}."""
    tce: dict[str, tuple[float, float | None]] = {}
    co2: dict[str, tuple[float, float | None]] = {}
    per_gj_tce = 1e6 / KJ_PER_KGCE / 1000
    for carrier in Carrier:
        per_unit = kgce_per_unit(Quantity(carrier, 0.0), energy, equal_value, method, gas_key)
        if per_unit is not None:
            tce[carrier.value] = (per_unit / 1000,
                                  None if carrier in PURCHASED else per_gj_tce)  # fmt: skip
        one = carbon_account([Quantity(carrier, 1.0)], fuel, grid, heat, GridFactorKind.MARKET)
        if one.lines:
            line = one.lines[0]
            per_gj = None
            if line.scope == 1:
                f = fuel_factor(fuel, carrier)
                per_gj = combustion_t_co2(1.0, FuelFactor(1.0, f.carbon_tc_per_tj, f.oxidation))
            co2[carrier.value] = (line.factor, per_gj)
    return {"tce": tce, "t_co2": co2}
