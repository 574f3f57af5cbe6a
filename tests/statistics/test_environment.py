"""Environmental-quality statistics on a hand-built month: days by AQI level and the share of
good days from the HJ 633 daily AQI; sections by GB 3838 class against their targets."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from ecozone.airquality import rules as aqi_rules
from ecozone.airquality.model import AqiSettings, Indicator, ReportKind
from ecozone.statistics import environment
from ecozone.waterquality.model import Evaluation, WaterClass


def hand_built_april() -> tuple[list[date], dict[Indicator, np.ndarray]]:
    """April 2026 (30 days). PM2.5 24-h means: 10 days at 30, 12 days at 60, 6 days at 100
    µg/m3, 2 days invalid (every pollutant NaN). The others are low on every valid day:
    SO2 5, NO2 10, PM10 20 µg/m3, CO 0.5 mg/m3, O3 8-h 50 µg/m3 (IAQI 5, 13, 20, 13, 25).

    HJ 633 Table 1, PM2.5 24 h: 0-35 -> 0-50, 35-75 -> 50-100, 75-115 -> 100-150:
      30:  50 / 35 * 30 = 42.9 -> 43, level I (优)
      60:  50 + (60 - 35) * 50 / 40 = 81.25 -> 82, level II (良)
      100: 100 + (100 - 75) * 50 / 40 = 131.25 -> 132, level III (轻度污染)
    so PM2.5 is the AQI every valid day."""
    days = [date(2026, 4, 1) + timedelta(days=i) for i in range(30)]
    pm25 = np.array([30.0] * 10 + [60.0] * 12 + [100.0] * 6 + [np.nan] * 2)
    valid = ~np.isnan(pm25)

    def low(value: float) -> np.ndarray:
        return np.where(valid, value, np.nan)

    return days, {
        Indicator.SO2_24H: low(5.0), Indicator.NO2_24H: low(10.0),
        Indicator.PM10_24H: low(20.0), Indicator.CO_24H: low(0.5),
        Indicator.O3_8H: low(50.0), Indicator.PM2_5_24H: pm25,
    }  # fmt: skip


def test_days_by_level_and_the_share_of_good_days():
    days, daily = hand_built_april()
    reports = aqi_rules.reports(ReportKind.DAY, daily, AqiSettings())
    ((whole, e),) = environment.air_slices(days, daily, reports,
                                           environment.month_slices(days, "2026-04"))  # fmt: skip
    row = environment.air_row(e)
    assert whole.label == "2026-04"
    assert (row["days"], row["valid_days"]) == (30, 28)
    assert (row["level_1"], row["level_2"], row["level_3"], row["level_4"]) == (10, 12, 6, 0)
    # good (优 + 良) 22 of the 28 valid days: 22 / 28 = 78.57 % -> 78.6
    assert row["good_days"] == 22
    assert row["good_rate"] == 78.6
    # PM2.5 period mean (10*30 + 12*60 + 6*100) / 28 = 1620 / 28 = 57.86 -> 58 µg/m3
    assert row["PM2.5_mean"] == 58


def test_a_period_over_two_months_gets_each_month_and_the_whole():
    days, daily = hand_built_april()
    extended = [*days, date(2026, 5, 1)]
    more = {k: np.append(v, v[0]) for k, v in daily.items()}  # 1 May like 1 April: level I
    reports = aqi_rules.reports(ReportKind.DAY, more, AqiSettings())
    slices = environment.month_slices(extended, "2026")
    assert [s.label for s in slices] == ["2026-04", "2026-05", "2026"]
    rows = {s.label: environment.air_row(e)
            for s, e in environment.air_slices(extended, more, reports, slices)}  # fmt: skip
    assert rows["2026-05"]["good_days"] == 1
    assert (rows["2026"]["good_days"], rows["2026"]["valid_days"]) == (23, 29)


def _evaluation(water_class: WaterClass | None) -> Evaluation:
    return Evaluation(water_class, ())


def test_sections_by_class_and_meeting_their_target():
    # targets III, III, II, IV, III; classes II, IV, II, 劣V, none (no valid value)
    pairs = [
        (WaterClass.III, _evaluation(WaterClass.II)),  # meets
        (WaterClass.III, _evaluation(WaterClass.IV)),  # misses
        (WaterClass.II, _evaluation(WaterClass.II)),  # meets
        (WaterClass.IV, _evaluation(WaterClass.WORSE_THAN_V)),  # misses
        (WaterClass.III, _evaluation(None)),  # not evaluated
    ]
    row = environment.water_row(environment.water_summary(pairs))
    assert (row["sections"], row["evaluated"]) == (5, 4)
    assert (row["class_2"], row["class_4"], row["class_6"]) == (2, 1, 1)
    assert row["good_iii"] == 2
    # 2 of the 4 evaluated meet their target: 50 %
    assert (row["meeting_target"], row["meeting_rate"]) == (2, 50.0)


@pytest.mark.parametrize("text", ["2026-13", "26-01", "2026/01", ""])
def test_a_bad_period_is_named(text):
    from ecozone.statistics.schedule import ReportError, parse_period

    with pytest.raises(ReportError, match=r"period|month|year"):
        parse_period(text)
