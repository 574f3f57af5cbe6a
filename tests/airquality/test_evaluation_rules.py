"""HJ 663 evaluation worked by hand: percentiles, validity, the comprehensive index,
attainment against GB 3095-2012 grade II, days by level and primary pollutant."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest

from ecozone.airquality import rules as aqi_rules
from ecozone.airquality.evaluation import rules
from ecozone.airquality.model import AqiSettings, Indicator, Pollutant, ReportKind


def test_percentile_by_rank_interpolation():
    # n = 5: k = 1 + 4 x 0.95 = 4.8, s = 4: X4 + (X5 - X4) x 0.8 = 40 + 10 x 0.8 = 48.
    assert rules.percentile([50, 10, 40, 20, 30], 95) == pytest.approx(48.0)
    # 98th: k = 1 + 4 x 0.98 = 4.92: 40 + 10 x 0.92 = 49.2.
    assert rules.percentile([10, 20, 30, 40, 50], 98) == pytest.approx(49.2)
    # 90th of 10, 20, ..., 100: k = 1 + 9 x 0.9 = 9.1: 90 + 10 x 0.1 = 91; invalid days skipped.
    values = [*range(10, 101, 10), math.nan, math.nan]
    assert rules.percentile(values, 90) == pytest.approx(91.0)
    assert rules.percentile([7.0], 95) == 7.0
    assert math.isnan(rules.percentile([math.nan], 95))


def test_an_o3_8h_value_with_5_invalid_hours_is_invalid():
    hours = np.array([100.0, np.nan, np.nan, np.nan, np.nan, np.nan, 120.0, 140.0])
    assert math.isnan(aqi_rules.moving_mean(hours, 8, 6)[-1])  # 3 valid of 8
    hours[1:3] = 110.0  # now 5 valid: still short of 6
    assert math.isnan(aqi_rules.moving_mean(hours, 8, 6)[-1])
    hours[3] = 130.0  # 6 valid: (100 + 110 + 110 + 130 + 120 + 140) / 6 = 118.33
    assert aqi_rules.moving_mean(hours, 8, 6)[-1] == pytest.approx(710 / 6)


def _days(n: int, first: date = date(2025, 1, 1)) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def _daily(n: int, **values: float) -> dict[Indicator, np.ndarray]:
    base = {
        Indicator.SO2_24H: 30.0, Indicator.NO2_24H: 40.0, Indicator.PM10_24H: 70.0,
        Indicator.CO_24H: 1.0, Indicator.O3_1H: 100.0, Indicator.O3_8H: 80.0,
        Indicator.PM2_5_24H: 35.0,
    }  # fmt: skip
    base.update({Indicator[name]: v for name, v in values.items()})
    return {i: np.full(n, v) for i, v in base.items()}


def _reports(daily):
    return aqi_rules.reports(ReportKind.DAY, daily, AqiSettings())


def test_a_clean_period_worked_by_hand():
    days = _days(10)
    daily = _daily(10)
    result = rules.evaluate(days, daily, _reports(daily))
    # Index: 30/60 + 40/40 + 70/70 + 35/35 + CO 1.0/4 + O3 80/160 = 4.25.
    assert result.comprehensive_index == pytest.approx(4.25)
    assert result.attains is True
    by = {r.pollutant: r for r in result.pollutants}
    assert (by[Pollutant.SO2].mean, by[Pollutant.SO2].percentile_value) == (30, 30)
    assert by[Pollutant.CO].percentile == 95 and by[Pollutant.O3].percentile == 90
    assert by[Pollutant.SO2].mean_valid is False  # 10 days are not a year
    # Every day: PM10 70 is IAQI 50 + 20/100 x 50 = 60, the largest: AQI 60, level II, PM10.
    assert result.days_by_level == {2: 10}
    assert result.days_by_primary == {"PM10": 10}
    assert (result.good_days, result.good_rate) == (10, 100.0)


def test_exceedance_and_the_co_control_view():
    days = _days(4, date(2025, 7, 1))
    daily = _daily(4)
    daily[Indicator.PM2_5_24H] = np.array([80.0, 20.0, 20.0, np.nan])
    daily[Indicator.O3_8H] = np.array([100.0, 200.0, 120.0, 100.0])
    result = rules.evaluate(days, daily, _reports(daily))
    by = {r.pollutant: r for r in result.pollutants}
    # PM2.5: 3 valid days, mean (80 + 20 + 20) / 3 = 40 > 35; 95th: k = 1 + 2 x 0.95 = 2.9,
    # 20 + (80 - 20) x 0.9 = 74 <= 75.
    assert (by[Pollutant.PM2_5].valid_days, by[Pollutant.PM2_5].mean) == (3, 40)
    assert (by[Pollutant.PM2_5].mean_attains, by[Pollutant.PM2_5].percentile_value) == (False, 74)
    # O3 90th of 100, 100, 120, 200: k = 1 + 3 x 0.9 = 3.7: 120 + 80 x 0.7 = 176 > 160.
    assert (by[Pollutant.O3].percentile_value, by[Pollutant.O3].percentile_attains) == (176, False)
    assert result.attains is False
    # Day 1: PM2.5 80 is IAQI 100 + 5/40 x 50 = 106.25 -> 107, above PM10's 60: PM2.5.
    # Day 2: O3_8h 200 is IAQI 100 + 40/55 x 50 = 136.4 -> 137: O3. Day 3: O3_8h 120 is
    # 50 + 20/60 x 50 = 66.7 -> 67 > 60: O3. Day 4: O3_8h 100 is 50 < 60: PM10.
    assert result.days_by_primary == {"O3": 2, "PM2.5": 1, "PM10": 1}
    assert (result.pm25_primary_by_month, result.o3_primary_by_month) == ({7: 1}, {7: 2})
    assert result.days_by_level == {2: 2, 3: 2}  # 67 and 60 good; 107 and 137 lightly polluted


def test_a_year_needs_324_days_and_27_a_month():
    days = _days(365)
    valid = np.ones(365, dtype=bool)
    assert rules.annual_mean_valid(days, valid)
    valid[31:35] = False  # February keeps 24 of 28 days: short of 25
    assert not rules.annual_mean_valid(days, valid)
    valid[:] = True
    # Drop 4 days of each 31-day month (7 x 4), 3 of each 30-day month (4 x 3), 1 of
    # February: 41 gone, 324 valid, every month at 27 (February 27, the 30-day ones 27).
    for i, d in enumerate(days):
        drop = {31: 4, 30: 3, 28: 1}[_month_length(d)]
        valid[i] = d.day > drop
    assert int(valid.sum()) == 324
    assert rules.annual_mean_valid(days, valid)
    valid[days.index(date(2025, 2, 10))] = False  # 323: short of the year's 324
    assert not rules.annual_mean_valid(days, valid)


def _month_length(d: date) -> int:
    following = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return (following - date(d.year, d.month, 1)).days


def test_district_mean_and_ranking():
    a = {Indicator.PM2_5_24H: np.array([30.0, np.nan, 50.0])}
    b = {Indicator.PM2_5_24H: np.array([50.0, 40.0, np.nan])}
    mean = rules.area_daily([a, b])[Indicator.PM2_5_24H]
    assert mean.tolist() == [40.0, 40.0, 50.0]
    days = _days(3)
    clean, dirty = _daily(3), _daily(3, PM2_5_24H=70.0)
    ranked = rules.rank(
        {
            "渝北区": rules.evaluate(days, dirty, _reports(dirty)),
            "南岸区": rules.evaluate(days, clean, _reports(clean)),
        }
    )
    assert [(r, name) for r, name, _ in ranked] == [(1, "南岸区"), (2, "渝北区")]
    assert ranked[1][2].comprehensive_index == pytest.approx(4.25 - 1 + 2)  # 70/35 = 2
