"""Plain data of energy and carbon: carriers, meters, monthly statistics, factor sets, checks.

Frozen dataclasses and enums only. Every coefficient or factor a result used travels with
the result as a `FactorSet` reference (version and source), so a page or a file can print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ecozone.errors import Invalid, NotFound


class EnergyError(Invalid):
    """Bad input to an energy or carbon use case; the message says what is wrong."""


class EnergyNotFound(NotFound):
    """No such energy record that the caller may see."""


class Carrier(StrEnum):
    """Energy carriers of the monthly statistics, each in one canonical unit (UNITS)."""

    ELECTRICITY = "electricity"
    NATURAL_GAS = "natural_gas"
    RAW_COAL = "raw_coal"
    COKE = "coke"
    DIESEL = "diesel"
    GASOLINE = "gasoline"
    FUEL_OIL = "fuel_oil"
    LPG = "lpg"
    STEAM = "steam"
    HEAT = "heat"
    WATER = "water"


UNITS: dict[Carrier, str] = {
    Carrier.ELECTRICITY: "kWh",
    Carrier.NATURAL_GAS: "m3",
    Carrier.RAW_COAL: "t",
    Carrier.COKE: "t",
    Carrier.DIESEL: "t",
    Carrier.GASOLINE: "t",
    Carrier.FUEL_OIL: "t",
    Carrier.LPG: "t",
    Carrier.STEAM: "t",
    Carrier.HEAT: "GJ",
    Carrier.WATER: "t",
}

NAMES: dict[Carrier, tuple[str, str]] = {
    Carrier.ELECTRICITY: ("电力", "Electricity"),
    Carrier.NATURAL_GAS: ("天然气", "Natural gas"),
    Carrier.RAW_COAL: ("原煤", "Raw coal"),
    Carrier.COKE: ("焦炭", "Coke"),
    Carrier.DIESEL: ("柴油", "Diesel"),
    Carrier.GASOLINE: ("汽油", "Gasoline"),
    Carrier.FUEL_OIL: ("燃料油", "Fuel oil"),
    Carrier.LPG: ("液化石油气", "LPG"),
    Carrier.STEAM: ("蒸汽", "Steam"),
    Carrier.HEAT: ("热力", "Heat"),
    Carrier.WATER: ("水", "Water"),
}

#: Carriers bought in as secondary energy: scope 2 in the carbon account.
PURCHASED = (Carrier.ELECTRICITY, Carrier.STEAM, Carrier.HEAT)


class ElectricityMethod(StrEnum):
    """How electricity becomes tce (GB/T 2589-2020): 当量值 by its heat content, 等价值 by
    the coal burnt to generate it that year."""

    EQUIVALENT = "equivalent"  # 当量值 0.1229 kgce/kWh
    EQUAL_VALUE = "equal_value"  # 等价值, by year


class GridFactorKind(StrEnum):
    """Which electricity CO2 factor: the carbon market's reporting factor or the MEE/NBS
    statistical grid factor (domain-2.md §5; kept apart, as the reference asks)."""

    MARKET = "market"
    STATISTICAL = "statistical"


class StatSource(StrEnum):
    FORM = "form"
    IMPORT = "import"
    API = "api"
    METER = "meter"  # summed from the meter's HJ 212 daily totals


class UserClass(StrEnum):
    """重点用能单位 (domain-2.md §4, (R) 节约能源法 art. 52)."""

    KEY = "key"  # ≥ 10,000 tce a year
    DESIGNATED = "designated"  # 5,000 to < 10,000 tce, may be designated
    OTHER = "other"


class CheckName(StrEnum):
    """The online-monitoring data-quality checks of domain-2.md §4."""

    REALTIME = "realtime_completeness"  # 15-min indicators received ÷ expected
    DAILY = "daily_completeness"  # days with a daily total ÷ days of the month
    MONTHLY = "monthly_total"  # a monthly total exists
    DAILY_VS_MONTHLY = "daily_vs_monthly"  # |Σ daily − monthly| ÷ monthly
    TIMESTAMP = "timestamp_offset"  # daily totals stamped within the tolerance of midnight


@dataclass(frozen=True)
class FactorSet:
    """One versioned set of coefficients or factors, as read from its data file."""

    kind: str  # energy | fuel | grid_market | grid_statistical | heat
    version: str
    source: str
    valid_from: date
    values: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.version} ({self.source})"


@dataclass(frozen=True)
class FuelFactor:
    """NCV (GJ per unit), carbon content (tC/TJ), oxidation rate: domain.md §5.2."""

    ncv_gj: float
    carbon_tc_per_tj: float
    oxidation: float


@dataclass(frozen=True)
class Quantity:
    carrier: Carrier
    amount: float  # in UNITS[carrier]
    ncv_gj: float | None = None  # measured low heating value, GJ per unit, if any


@dataclass(frozen=True)
class TceLine:
    carrier: Carrier
    amount: float
    kgce_per_unit: float | None  # None: no coefficient (water, a medium not converted)
    tce: float


@dataclass(frozen=True)
class TceResult:
    lines: tuple[TceLine, ...]
    method: ElectricityMethod
    factor_sets: tuple[str, ...]

    @property
    def tce(self) -> float:
        return sum(line.tce for line in self.lines)


@dataclass(frozen=True)
class CarbonLine:
    carrier: Carrier
    scope: int  # 1 combustion, 2 purchased electricity and heat
    amount: float
    factor: float  # tCO2 per unit
    t_co2: float


@dataclass(frozen=True)
class CarbonResult:
    lines: tuple[CarbonLine, ...]
    grid_kind: GridFactorKind
    factor_sets: tuple[str, ...]

    @property
    def scope1(self) -> float:
        return sum(x.t_co2 for x in self.lines if x.scope == 1)

    @property
    def scope2(self) -> float:
        return sum(x.t_co2 for x in self.lines if x.scope == 2)

    @property
    def total(self) -> float:
        return self.scope1 + self.scope2


@dataclass(frozen=True)
class Check:
    """One data-quality check with its figure and its threshold."""

    name: CheckName
    figure: float | None  # None: nothing to judge
    threshold: float
    passed: bool | None
    detail: str = ""


@dataclass(frozen=True)
class EnergySettings:
    """What the reference marks (C), (R) or UNCONFIRMED (domain-2.md §4, domain.md §4, §5)."""

    realtime_minutes: int = 15  # relaxable to 30 or 60
    completeness_pct: float = 90.0
    daily_monthly_pct: float = 5.0
    daily_offset_s: int = 60
    key_user_tce: float = 10_000.0
    designated_user_tce: float = 5_000.0
    electricity_method: ElectricityMethod = ElectricityMethod.EQUIVALENT
    grid_kind: GridFactorKind = GridFactorKind.MARKET
    natural_gas: str = "natural_gas"  # or natural_gas_oilfield (1.33 kgce/m3)
