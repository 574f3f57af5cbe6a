"""HJ 663 evaluation of a station's (or an area's) daily values over a year or a period.

Strategy: the daily indicators of HJ 633 (24-h means, O3 daily maximum 8-h mean; NaN where a
day is invalid) are reduced per pollutant to the evaluation items of HJ 663 Table 1 as
domain-2.md §10.5 lists them, compared with GB 3095-2012 grade II (domain.md §1.5) and summed
into the comprehensive index; the daily AQI reports give days by level and primary pollutant.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ecozone.airquality.model import Aqi, Indicator, Level, Pollutant

#: Evaluation items (HJ 663 Table 1, domain-2.md §10.5): the daily indicator each pollutant
#: is evaluated on, the percentile of it, and whether an annual mean is evaluated.
ITEMS: Mapping[Pollutant, tuple[Indicator, int, bool]] = {
    Pollutant.SO2: (Indicator.SO2_24H, 98, True),
    Pollutant.NO2: (Indicator.NO2_24H, 98, True),
    Pollutant.PM10: (Indicator.PM10_24H, 95, True),
    Pollutant.PM2_5: (Indicator.PM2_5_24H, 95, True),
    Pollutant.CO: (Indicator.CO_24H, 95, False),
    Pollutant.O3: (Indicator.O3_8H, 90, False),
}

#: GB 3095-2012 Table 1 grade II (domain.md §1.5): annual-mean limit (None: none) and the
#: 24-h (O3: daily maximum 8-h) limit the percentile is compared with. CO in mg/m3.
GRADE_II: Mapping[Pollutant, tuple[float | None, float]] = {
    Pollutant.SO2: (60, 150),
    Pollutant.NO2: (40, 80),
    Pollutant.PM10: (70, 150),
    Pollutant.PM2_5: (35, 75),
    Pollutant.CO: (None, 4),
    Pollutant.O3: (None, 160),
}

#: Weights of the comprehensive index: HJ 663-2013 practice weighs every pollutant 1; the
#: 2026 weighting (PM2.5 x3, NO2 and O3 x2) is UNCONFIRMED (domain-2.md §10.5), so a setting.
WEIGHTS_2013: Mapping[Pollutant, float] = {p: 1.0 for p in Pollutant}
WEIGHTS_2026: Mapping[Pollutant, float] = {
    **WEIGHTS_2013,
    Pollutant.PM2_5: 3.0,
    Pollutant.NO2: 2.0,
    Pollutant.O3: 2.0,
}

#: Valid daily values an annual mean needs: 324 a year, 27 a month, 25 in February
#: (GB 3095-2012 Table 4 as domain.md §1.6 reads it, UNCONFIRMED).
YEAR_MIN_DAYS = 324
MONTH_MIN_DAYS = 27
FEBRUARY_MIN_DAYS = 25


def percentile(values: Sequence[float] | np.ndarray, p: float) -> float:
    """The p-th percentile by HJ 663's rank-based method (Annex A; domain.md §1.6 names it,
    its formula is UNCONFIRMED there): the n valid values sorted ascending X1 <= ... <= Xn,
    k = 1 + (n - 1) p / 100, s the whole part of k, m_p = Xs + (X(s+1) - Xs)(k - s).
    NaN (invalid days) is left out; NaN when no value is valid."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan
    k = 1 + (n - 1) * p / 100
    s = math.floor(k)
    if s >= n:
        return float(x[-1])
    return float(x[s - 1] + (x[s] - x[s - 1]) * (k - s))


def annual_mean_valid(days: Sequence[date], valid: np.ndarray) -> bool:
    """Whether a year of daily values supports an annual mean: >= 324 valid days, >= 27 in
    every month (25 in February)."""
    valid = np.asarray(valid, dtype=bool)
    if int(valid.sum()) < YEAR_MIN_DAYS:
        return False
    per_month = Counter(d.month for d, ok in zip(days, valid, strict=True) if ok)
    return all(
        per_month.get(m, 0) >= (FEBRUARY_MIN_DAYS if m == 2 else MONTH_MIN_DAYS)
        for m in range(1, 13)
    )


def _rounded(pollutant: Pollutant, value: float) -> float | None:
    """As published: whole µg/m3, CO to 0.1 mg/m3 (GB/T 8170 half to even via round)."""
    if math.isnan(value):
        return None
    return round(value, pollutant.decimals) if pollutant.decimals else float(round(value))


@dataclass(frozen=True)
class PollutantResult:
    pollutant: Pollutant
    valid_days: int
    mean: float | None  # period mean of the valid daily values (annual mean for SO2..PM2.5)
    mean_valid: bool  # enough valid days for an annual mean (a year only)
    percentile: int
    percentile_value: float | None
    mean_attains: bool | None  # against the grade II annual limit; None: no limit or value
    percentile_attains: bool | None
    index: float | None  # C/S of the comprehensive index


@dataclass(frozen=True)
class Evaluation:
    """One station's or area's evaluation over `days`."""

    days: int
    pollutants: tuple[PollutantResult, ...]
    comprehensive_index: float | None
    attains: bool | None  # every evaluated value within grade II; None when one is missing
    valid_aqi_days: int
    good_days: int  # AQI <= 100 (优良天数)
    days_by_level: dict[int, int] = field(default_factory=dict)
    days_by_primary: dict[str, int] = field(default_factory=dict)
    pm25_primary_by_month: dict[int, int] = field(default_factory=dict)
    o3_primary_by_month: dict[int, int] = field(default_factory=dict)

    @property
    def good_rate(self) -> float | None:
        return None if not self.valid_aqi_days else 100.0 * self.good_days / self.valid_aqi_days


def evaluate(
    days: Sequence[date],
    daily: Mapping[Indicator, np.ndarray],
    reports: Sequence[Aqi],
    *,
    weights: Mapping[Pollutant, float] = WEIGHTS_2013,
) -> Evaluation:
    """Evaluate daily indicators (HJ 633 units, NaN invalid) and the daily AQI reports of the
    same `days`. The comprehensive index is sum(w_i C_i / S_i) over the six pollutants, the
    annual means of SO2, NO2, PM10, PM2.5 over their annual limits and the CO 95th and O3
    90th percentiles over their 24-h / 8-h limits (domain-2.md §10.5)."""
    whole_year = len(days) >= 365 and days[0].month == 1 and days[0].day == 1
    results = []
    index_sum, index_ok = 0.0, True
    verdicts: list[bool | None] = []
    for pollutant, (indicator, p, has_mean) in ITEMS.items():
        values = np.asarray(daily[indicator], dtype=float)
        valid = ~np.isnan(values)
        mean = _rounded(pollutant, float(values[valid].mean())) if valid.any() else None
        pct = _rounded(pollutant, percentile(values, p))
        annual_limit, daily_limit = GRADE_II[pollutant]
        mean_attains = None if mean is None or annual_limit is None else mean <= annual_limit
        pct_attains = None if pct is None else pct <= daily_limit
        basis, limit = (mean, annual_limit) if has_mean else (pct, daily_limit)
        index = None if basis is None or limit is None else basis / limit
        if index is None:
            index_ok = False
        else:
            index_sum += weights.get(pollutant, 1.0) * index
        verdicts += [mean_attains, pct_attains] if has_mean else [pct_attains]
        results.append(
            PollutantResult(
                pollutant, int(valid.sum()), mean,
                whole_year and has_mean and annual_mean_valid(days, valid),
                p, pct, mean_attains, pct_attains,
                None if index is None else round(index, 3),
            )
        )  # fmt: skip
    levels: Counter[int] = Counter()
    primary: Counter[str] = Counter()
    pm25_months: Counter[int] = Counter()
    o3_months: Counter[int] = Counter()
    for day, report in zip(days, reports, strict=True):
        if report.level is None:
            continue
        levels[int(report.level)] += 1
        for pollutant in report.primary_pollutants:
            primary[str(pollutant)] += 1
            if pollutant is Pollutant.PM2_5:
                pm25_months[day.month] += 1
            elif pollutant is Pollutant.O3:
                o3_months[day.month] += 1
    attains = False if False in verdicts else None if None in verdicts else True
    valid_days = sum(levels.values())
    good = levels[int(Level.I)] + levels[int(Level.II)]
    return Evaluation(
        days=len(days),
        pollutants=tuple(results),
        comprehensive_index=round(index_sum, 2) if index_ok else None,
        attains=attains,
        valid_aqi_days=valid_days,
        good_days=good,
        days_by_level=dict(sorted(levels.items())),
        days_by_primary=dict(primary.most_common()),
        pm25_primary_by_month=dict(sorted(pm25_months.items())),
        o3_primary_by_month=dict(sorted(o3_months.items())),
    )


def area_daily(stations: Sequence[Mapping[Indicator, np.ndarray]]) -> dict[Indicator, np.ndarray]:
    """An area's (district's) daily values: the mean over its stations of their valid daily
    values, day by day (HJ 663: an area's concentration is the stations' arithmetic mean);
    NaN on a day no station has a valid value."""
    if not stations:
        return {}
    out = {}
    for indicator in stations[0]:
        stack = np.vstack([np.asarray(s[indicator], dtype=float) for s in stations])
        counts = np.count_nonzero(~np.isnan(stack), axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[indicator] = np.where(counts > 0, np.nansum(stack, axis=0) / counts, np.nan)
    return out


def rank(evaluations: Mapping[str, Evaluation]) -> list[tuple[int, str, Evaluation]]:
    """Areas ranked by comprehensive index, the cleanest first (1); an area without an index
    comes last, unranked (0)."""
    ordered = sorted(
        evaluations.items(),
        key=lambda kv: (kv[1].comprehensive_index is None, kv[1].comprehensive_index or 0, kv[0]),
    )
    return [
        (0 if e.comprehensive_index is None else i + 1, name, e)
        for i, (name, e) in enumerate(ordered)
    ]
