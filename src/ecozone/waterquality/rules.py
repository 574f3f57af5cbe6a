"""GB 3838-2002 single-factor evaluation: pure functions over Table 1.

Strategy: the table is data (EDITION, LIMITS) keyed by HJ 212 code; a value takes the best
class whose limit it meets (so a value at a limit shared by I and II is class I), a section the
worst class of its parameters, and a period the class of each parameter's mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ecozone.waterquality.model import (
    Body,
    Evaluation,
    ParameterClass,
    WaterClass,
    WaterSettings,
)

EDITION = "GB 3838-2002"


@dataclass(frozen=True)
class Limit:
    """One row of Table 1: the limits of classes I-V; `minimum` for DO (≥), else maximums."""

    code: str
    name: str
    unit: str
    limits: tuple[float, float, float, float, float]
    minimum: bool = False


#: GB 3838-2002 Table 1 (mg/L; fecal coliform 个/L), basic items evaluated for sections, as
#: copied in domain-2.md §10.1. TP and TN differ for lakes and reservoirs (湖、库).
LIMITS: Mapping[str, Limit] = {
    row.code: row
    for row in (
        Limit("w01009", "溶解氧", "mg/L", (7.5, 6, 5, 3, 2), minimum=True),
        Limit("w01019", "高锰酸盐指数", "mg/L", (2, 4, 6, 10, 15)),
        Limit("w01018", "化学需氧量", "mg/L", (15, 15, 20, 30, 40)),
        Limit("w01017", "五日生化需氧量", "mg/L", (3, 3, 4, 6, 10)),
        Limit("w21003", "氨氮", "mg/L", (0.15, 0.5, 1.0, 1.5, 2.0)),
        Limit("w21011", "总磷", "mg/L", (0.02, 0.1, 0.2, 0.3, 0.4)),
        Limit("w02003", "粪大肠菌群", "个/L", (200, 2000, 10000, 20000, 40000)),
    )
}
#: Table 1 TP "湖、库" column and TN (lakes and reservoirs).
LAKE_LIMITS: Mapping[str, Limit] = {
    "w21011": Limit("w21011", "总磷", "mg/L", (0.01, 0.025, 0.05, 0.1, 0.2)),
    "w21001": Limit("w21001", "总氮", "mg/L", (0.2, 0.5, 1.0, 1.5, 2.0)),
}
PH = "w01001"
PH_RANGE = (6.0, 9.0)  # Table 1: pH 6-9 for every class

#: Order of the parameters on pages and in answers.
ORDER = ("w01001", "w01009", "w01019", "w01018", "w01017", "w21003", "w21011", "w21001",
         "w02003")  # fmt: skip
NAMES = {PH: "pH", **{c: r.name for c, r in LIMITS.items()}, "w21001": "总氮"}


def limit_of(code: str, body: Body) -> Limit | None:
    """The Table 1 row that applies to `code` in a river or a lake; None for TN in a river
    (Table 1 gives TN for lakes and reservoirs only) and for codes outside the table."""
    if body is Body.LAKE and code in LAKE_LIMITS:
        return LAKE_LIMITS[code]
    return LIMITS.get(code)


def evaluated_codes(body: Body, settings: WaterSettings) -> tuple[str, ...]:
    """The parameters a section's class rests on: the river evaluation leaves out TN and fecal
    coliform (环办〔2011〕22号, setting `river_excluded`)."""
    left_out = set(settings.river_excluded) if body is Body.RIVER else set()
    return tuple(
        c for c in ORDER if c not in left_out and (c == PH or limit_of(c, body) is not None)
    )


def classify(code: str, value: float, body: Body) -> WaterClass:
    """GB 3838-2002 §4 and Table 1: the best class whose limit `value` meets (≤ for maximums,
    ≥ for DO), so a value at a boundary belongs to the better class; worse than V is 劣V.
    pH within 6-9 meets class I (one range for all classes), outside it is 劣V."""
    if code == PH:
        low, high = PH_RANGE
        return WaterClass.I if low <= value <= high else WaterClass.WORSE_THAN_V
    row = limit_of(code, body)
    if row is None:
        raise ValueError(f"{code} has no GB 3838-2002 Table 1 limit for a {body}")
    for water_class, limit in zip(WaterClass, row.limits, strict=False):
        if (value >= limit) if row.minimum else (value <= limit):
            return water_class
    return WaterClass.WORSE_THAN_V


def exceedance_multiple(
    code: str, value: float, body: Body, target: WaterClass, settings: WaterSettings
) -> float | None:
    """超标倍数 against the target class (环办〔2011〕22号): (value − limit) / limit for a
    value over a maximum; None where the target is met. pH and DO have no multiple there
    (R); with `multiple_for_do` DO's shortfall (limit − value) / limit is given instead."""
    if code == PH:
        return None
    row = limit_of(code, body)
    if row is None:
        return None
    limit = row.limits[target - 1]
    if row.minimum:
        if value >= limit or not settings.multiple_for_do:
            return None
        return (limit - value) / limit
    return (value - limit) / limit if value > limit else None


def evaluate(
    values: Mapping[str, float], body: Body, target: WaterClass, settings: WaterSettings
) -> Evaluation:
    """Single-factor evaluation (GB 3838-2002 §5.1 / 环办〔2011〕22号): each evaluated
    parameter's class, the section's class the worst of them, and those worse than target."""
    parameters = []
    for code in evaluated_codes(body, settings):
        value = values.get(code)
        if value is None:
            continue
        water_class = classify(code, value, body)
        multiple = exceedance_multiple(code, value, body, target, settings)
        parameters.append(ParameterClass(code, value, water_class, water_class > target, multiple))
    worst = max((p.water_class for p in parameters), default=None)
    return Evaluation(worst, tuple(parameters))


def period_means(daily: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Arithmetic mean per parameter of the period's daily means: a month's or a year's value
    (环办〔2011〕22号: the period's class is that of the mean concentration)."""
    sums: dict[str, list[float]] = {}
    for code, value in daily:
        sums.setdefault(code, []).append(value)
    return {code: sum(v) / len(v) for code, v in sums.items()}
