"""HJ 633-2012 worked by hand from Table 1: IAQI by eq. (1), the notes of Table 1, AQI, primary
pollutants, levels, units, rounding and the validity counts of GB 3095-2012 Table 4."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecozone.airquality import rules
from ecozone.airquality.model import (
    AirQualityError,
    AqiSettings,
    Indicator,
    Level,
    Pollutant,
)
from ecozone.config import airquality_settings

I = Indicator  # noqa: E741
NAN = np.nan


# --- IAQI: eq. (1) --------------------------------------------------------------------------


def test_pm2_5_24h_80_is_iaqi_106_25_rounded_up_to_107():
    # Table 1, PM2.5 24-h: 75 -> 100, 115 -> 150.
    exact = Fraction(150 - 100, 115 - 75) * (80 - 75) + 100  # 50/40 x 5 + 100 = 106.25
    assert exact == Fraction(10625, 100)
    assert rules.iaqi_exact(I.PM2_5_24H, 80) == exact
    assert rules.iaqi(I.PM2_5_24H, 80) == 107


def test_a_concentration_at_a_breakpoint_is_that_breakpoints_iaqi():
    # Both segments meet there: (100-50)/(75-35) x (75-35) + 50 = 100 = (150-100)/... x 0 + 100.
    assert rules.iaqi(I.PM2_5_24H, 75) == 100
    assert rules.iaqi(I.PM10_24H, 150) == 100
    assert rules.iaqi(I.NO2_1H, 700) == 150
    assert rules.iaqi(I.O3_8H, 215) == 150
    assert rules.iaqi(I.SO2_24H, 0) == 0


def test_co_24h_2_2_mg_is_iaqi_55_not_56():
    # (100-50)/(4-2) x (2.2-2) + 50 = 25 x 0.2 + 50 = 55 exactly; in binary floating point the
    # same formula gives 55.00000000000001, which rounded up would be 56.
    assert (100 - 50) / (4 - 2) * (2.2 - 2) + 50 > 55
    assert rules.iaqi_exact(I.CO_24H, 2.2) == 55
    assert rules.iaqi(I.CO_24H, 2.2) == 55
    assert rules.iaqi_array(I.CO_24H, np.array([2.2]))[0] == 55


def test_iaqi_rounding_setting_ceil_round_floor():
    # PM10 24-h 163: (150-100)/(250-150) x (163-150) + 100 = 0.5 x 13 + 100 = 106.5
    assert rules.iaqi_exact(I.PM10_24H, 163) == Fraction(213, 2)
    assert rules.iaqi(I.PM10_24H, 163) == 107
    assert rules.iaqi(I.PM10_24H, 163, AqiSettings(iaqi_rounding="round")) == 107
    assert rules.iaqi(I.PM10_24H, 163, AqiSettings(iaqi_rounding="floor")) == 106
    # 106.25 rounds half up to 106
    assert rules.iaqi(I.PM2_5_24H, 80, AqiSettings(iaqi_rounding="round")) == 106


def test_above_the_top_breakpoint_the_iaqi_is_500():
    assert rules.iaqi(I.PM2_5_24H, 500) == 500
    assert rules.iaqi(I.PM2_5_24H, 650) == 500
    assert rules.iaqi(I.CO_1H, 151) == 500


def test_so2_1h_above_800_has_no_1h_iaqi():
    # Table 1 note 2: the 1-h column stops at 800 (IAQI 200).
    assert rules.iaqi(I.SO2_1H, 800) == 200
    assert rules.iaqi(I.SO2_1H, 801) is None


def test_o3_8h_above_800_has_no_8h_iaqi_in_2012_and_300_in_the_2026_reading():
    assert rules.iaqi(I.O3_8H, 800) == 300
    assert rules.iaqi(I.O3_8H, 801) is None
    assert rules.iaqi(I.O3_8H, 801, AqiSettings(edition="2026")) == 300


def test_hourly_pm_is_read_against_the_24h_column():
    assert rules.breakpoint_column(I.PM2_5_1H) is I.PM2_5_24H
    assert rules.iaqi(I.PM2_5_1H, 80) == rules.iaqi(I.PM2_5_24H, 80) == 107


def test_2026_edition_pm2_5_row_moves_the_iaqi_100_breakpoint_to_60():
    # 2012: (100-50)/(75-35) x (70-35) + 50 = 1.25 x 35 + 50 = 93.75 -> 94
    assert rules.iaqi(I.PM2_5_24H, 70) == 94
    # 2026 (UNCONFIRMED): (150-100)/(115-60) x (70-60) + 100 = 500/55 + 100 = 109.09 -> 110
    assert rules.iaqi_exact(I.PM2_5_24H, 70, "2026") == Fraction(50, 55) * 10 + 100
    assert rules.iaqi(I.PM2_5_24H, 70, AqiSettings(edition="2026")) == 110


def test_iaqi_uses_the_concentration_rounded_as_reported():
    # 74.5 rounds half to even to 74: 1.25 x (74-35) + 50 = 98.75 -> 99;
    # 75.5 to 76: 1.25 x (76-75) + 100 = 101.25 -> 102.
    assert rules.iaqi(I.PM2_5_24H, 74.5) == 99
    assert rules.iaqi(I.PM2_5_24H, 75.5) == 102
    # CO to 0.1 mg/m3: 2.25 -> 2.2 (even) -> 55
    assert rules.iaqi(I.CO_24H, 2.25) == 55


@pytest.mark.parametrize(
    ("value", "message"),
    [(-1.0, "is negative"), (float("nan"), "not finite"), ("80", "not a number")],
)
def test_a_bad_concentration_is_refused_with_the_indicator_named(value, message):
    with pytest.raises(AirQualityError, match=message) as caught:
        rules.iaqi(I.PM2_5_24H, value)
    assert "PM2.5_24h" in str(caught.value)


@given(
    st.sampled_from(list(Indicator)),
    st.integers(min_value=0, max_value=40_000).map(lambda n: n / 10),
    st.sampled_from(["ceil", "round", "floor"]),
)
def test_the_array_iaqi_agrees_with_eq_1_in_fractions(indicator, concentration, rounding):
    settings = AqiSettings(iaqi_rounding=rounding)
    expected = rules.iaqi(indicator, concentration, settings)
    got = rules.iaqi_array(indicator, np.array([concentration]), settings)[0]
    assert (np.isnan(got) and expected is None) or got == expected


# --- units and rounding ---------------------------------------------------------------------


def test_units_sent_by_stations_are_converted_to_the_units_of_table_1():
    # HJ 212-2017 App. B.2: PM ng/m3, gases mg/m3; Table 1: µg/m3, CO mg/m3.
    assert rules.unit_factor("ng/m3", "µg/m3") == 0.001
    assert rules.unit_factor("mg/m3", "µg/m3") == 1000
    assert rules.unit_factor("mg/m3", "mg/m3") == 1
    settings = AqiSettings()
    assert rules.sent_unit(Pollutant.PM2_5.code, settings) == "ng/m3"
    assert rules.sent_unit(Pollutant.PM10.code, settings) == "ng/m3"
    assert rules.sent_unit(Pollutant.SO2.code, settings) == "mg/m3"
    assert rules.sent_unit(Pollutant.O3.code, settings) == "mg/m3"  # a05024, not in App. B
    # 35 000 ng/m3 = 35 µg/m3; 0.102 mg/m3 O3 = 102 µg/m3; 0.8 mg/m3 CO stays 0.8 mg/m3
    assert rules.to_standard_unit(Pollutant.PM2_5, 35_000.0, "ng/m3") == 35.0
    assert rules.to_standard_unit(Pollutant.O3, 0.102, "mg/m3") == 102.0
    assert rules.to_standard_unit(Pollutant.CO, 0.8, "mg/m3") == 0.8


def test_ng_to_ug_divides_by_1000_exactly():
    # 9 ng/m3 is 0.009 µg/m3; 9 x 0.001 would give 0.009000000000000001.
    assert 9 * 0.001 != 0.009
    assert rules.to_standard_unit(Pollutant.PM2_5, np.array([9.0]), "ng/m3")[0] == 0.009
    # 75 500 ng/m3 = 75.5 µg/m3, rounded half to even: 76
    converted = rules.to_standard_unit(Pollutant.PM2_5, np.array([75_500.0]), "ng/m3")
    assert rules.round_concentration(Pollutant.PM2_5, converted)[0] == 76.0


def test_a_unit_setting_overrides_app_b_and_a_bad_unit_is_refused():
    settings = AqiSettings(units={"a34004": "µg/m3"})
    assert rules.sent_unit("a34004", settings) == "µg/m3"
    with pytest.raises(AirQualityError, match="unknown concentration unit 'ppm'"):
        AqiSettings(units={"a21026": "ppm"})
    with pytest.raises(AirQualityError, match="'a19001' is not an AQI pollutant code"):
        AqiSettings(units={"a19001": "mg/m3"})


def test_concentrations_round_half_to_even_as_gb_t_8170_says():
    assert list(rules.round_concentration(Pollutant.PM10, np.array([74.5, 75.5, 75.51]))) == [
        74.0,
        76.0,
        76.0,
    ]
    assert list(rules.round_concentration(Pollutant.CO, np.array([0.25, 0.35, 1.04]))) == [
        0.2,
        0.4,
        1.0,
    ]


# --- levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aqi", "level", "category"),
    [
        (0, Level.I, "优"),
        (50, Level.I, "优"),
        (51, Level.II, "良"),
        (100, Level.II, "良"),
        (101, Level.III, "轻度污染"),
        (150, Level.III, "轻度污染"),
        (151, Level.IV, "中度污染"),
        (200, Level.IV, "中度污染"),
        (201, Level.V, "重度污染"),
        (300, Level.V, "重度污染"),
        (301, Level.VI, "严重污染"),
        (500, Level.VI, "严重污染"),
    ],
)
def test_level_boundaries_of_table_2(aqi, level, category):
    assert rules.level_of(aqi) is level
    assert level.category_zh == category


def test_level_colours_of_annex_a():
    assert [lv.colour for lv in Level] == [
        "#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C", "#7E0023",
    ]  # fmt: skip
    assert [lv.colour_zh for lv in Level] == ["绿色", "黄色", "橙色", "红色", "紫色", "褐红色"]


def test_pm2_5_36_is_aqi_52_and_level_ii():
    # 1.25 x (36-35) + 50 = 51.25 -> 52: one µg/m3 over 35 leaves level I.
    report = rules.daily_aqi({I.PM2_5_24H: 36})
    assert (report.aqi, report.level) == (52, Level.II)


# --- AQI and primary pollutant ---------------------------------------------------------------


def test_hourly_aqi_of_the_six_1h_means():
    # SO2 9: 50/150 x 9 = 3; NO2 41: 50/100 x 41 = 20.5 -> 21; PM10 58 (24-h column):
    # 50/100 x 8 + 50 = 54; CO 0.8: 50/5 x 0.8 = 8; O3 102: 50/160 x 102 = 31.875 -> 32;
    # PM2.5 35: 50. AQI = 54, level II, primary PM10.
    report = rules.hourly_aqi(
        {"SO2_1h": 9, "NO2_1h": 41, "PM10_1h": 58, "CO_1h": 0.8, "O3_1h": 102, "PM2.5_1h": 35}
    )
    got = {e.indicator: e.iaqi for e in report.sub_indices if e.iaqi is not None}
    assert got == {
        I.SO2_1H: 3, I.NO2_1H: 21, I.PM10_1H: 54, I.CO_1H: 8, I.O3_1H: 32, I.PM2_5_1H: 50,
    }  # fmt: skip
    assert (report.aqi, report.level, report.primary_pollutants) == (
        54,
        Level.II,
        (Pollutant.PM10,),
    )
    assert report.exceeding_pollutants == ()
    assert report.missing == ()


def test_no_primary_pollutant_at_aqi_50_or_below():
    report = rules.daily_aqi({I.PM2_5_24H: 35, I.PM10_24H: 20})
    assert (report.aqi, report.primary_pollutants) == (50, ())


def test_primary_pollutant_ties_list_every_pollutant_with_the_largest_iaqi():
    # PM2.5 80: 106.25 -> 107; PM10 163: 0.5 x 13 + 100 = 106.5 -> 107: a tie at 107.
    report = rules.daily_aqi({I.PM2_5_24H: 80, I.PM10_24H: 163, I.NO2_24H: 40})
    assert report.aqi == 107
    assert report.primary_pollutants == (Pollutant.PM10, Pollutant.PM2_5)
    assert report.exceeding_pollutants == (Pollutant.PM10, Pollutant.PM2_5)


def test_o3_with_equal_1h_and_8h_iaqis_is_one_primary_pollutant():
    # O3 1-h 300 -> 150; O3 8-h 215 -> 150
    report = rules.daily_aqi({I.O3_1H: 300, I.O3_8H: 215})
    assert report.primary_indicators == (I.O3_1H, I.O3_8H)
    assert report.primary_pollutants == (Pollutant.O3,)


def test_hourly_so2_above_800_takes_the_iaqi_of_the_24h_mean():
    # SO2 1-h 900 > 800: no 1-h IAQI (note 2). 24-h 500: (200-150)/(800-475) x (500-475) + 150
    # = 50/325 x 25 + 150 = 153.85 -> 154.
    report = rules.hourly_aqi({I.SO2_1H: 900, I.SO2_24H: 500, I.NO2_1H: 40})
    assert report.sub_index(I.SO2_1H).iaqi is None
    assert "Table 1 note 2" in report.sub_index(I.SO2_1H).note
    assert report.sub_index(I.SO2_24H).iaqi == 154
    assert (report.aqi, report.level, report.primary_indicators) == (154, Level.IV, (I.SO2_24H,))


def test_hourly_so2_at_800_still_uses_the_1h_column():
    report = rules.hourly_aqi({I.SO2_1H: 800, I.SO2_24H: 500})
    assert (report.aqi, report.primary_indicators) == (200, (I.SO2_1H,))
    assert report.sub_index(I.SO2_24H) is None


def test_hourly_so2_above_800_without_a_24h_mean_has_no_so2_iaqi():
    report = rules.hourly_aqi({I.SO2_1H: 900, I.NO2_1H: 100})
    assert report.aqi == 50  # NO2 50/100 x 100
    assert I.SO2_24H in report.missing
    assert "no valid 24-h mean" in report.sub_index(I.SO2_1H).note


def test_daily_o3_8h_above_800_reports_the_o3_iaqi_of_the_1h_maximum():
    # O3 8-h 900 > 800: no 8-h IAQI (note 3). O3 1-h 850: (400-300)/(1000-800) x 50 + 300 = 325.
    report = rules.daily_aqi({I.O3_8H: 900, I.O3_1H: 850, I.PM2_5_24H: 50})
    assert report.sub_index(I.O3_8H).iaqi is None
    assert "Table 1 note 3" in report.sub_index(I.O3_8H).note
    assert (report.aqi, report.level, report.primary_indicators) == (325, Level.VI, (I.O3_1H,))


def test_hourly_o3_8h_enters_the_aqi_only_when_the_setting_says_so():
    values = {I.O3_1H: 150, I.O3_8H: 180}  # 1-h: 50/160 x 150 = 46.9 -> 47; 8-h: 50/55 x 20 + 100
    assert rules.hourly_aqi(values).aqi == 47
    assert rules.hourly_aqi(values).sub_index(I.O3_8H).iaqi is None
    with_8h = rules.hourly_aqi(values, AqiSettings(hourly_o3_8h=True))
    assert (with_8h.aqi, with_8h.primary_indicators) == (119, (I.O3_8H,))  # 118.18 -> 119


def test_hourly_pm_basis_setting_chooses_the_1h_or_the_24h_moving_mean():
    values = {I.PM2_5_1H: 80, I.PM2_5_24H: 40}
    assert rules.hourly_aqi(values).aqi == 107
    # 24-h 40: 1.25 x 5 + 50 = 56.25 -> 57
    assert rules.hourly_aqi(values, AqiSettings(pm_hourly_basis="24h")).aqi == 57


def test_an_hour_without_values_has_no_aqi_and_lists_what_is_missing():
    report = rules.hourly_aqi({})
    assert (report.aqi, report.level, report.primary_pollutants) == (None, None, ())
    assert report.missing == (I.SO2_1H, I.NO2_1H, I.PM10_1H, I.CO_1H, I.O3_1H, I.PM2_5_1H)


def test_an_unknown_indicator_is_refused():
    with pytest.raises(AirQualityError, match="unknown indicator 'PM1_1h'"):
        rules.hourly_aqi({"PM1_1h": 3})


# --- validity: GB 3095-2012 Table 4 -------------------------------------------------------------


def test_24h_mean_with_19_valid_hours_is_invalid_and_with_20_valid():
    twenty = np.array([80.0] * 20 + [NAN] * 4)
    nineteen = np.array([80.0] * 19 + [NAN] * 5)
    assert rules.daily_mean(twenty, 20)[0] == 80.0
    assert np.isnan(rules.daily_mean(nineteen, 20)[0])
    # moving: the 24 hours ending at the last one
    assert rules.moving_mean(twenty, 24, 20)[-1] == 80.0
    assert np.isnan(rules.moving_mean(nineteen, 24, 20)[-1])


def test_24h_mean_is_the_mean_of_the_valid_hours():
    day = np.array([60.0] * 10 + [90.0] * 10 + [NAN] * 4)
    # (10 x 60 + 10 x 90) / 20 = 75
    assert rules.daily_mean(day, 20)[0] == 75.0


def test_8h_moving_mean_needs_6_valid_hours():
    six = np.array([NAN, NAN, 100, 110, 120, 130, 140, 150.0])
    five = np.array([NAN, NAN, NAN, 110, 120, 130, 140, 150.0])
    # (100 + 110 + 120 + 130 + 140 + 150) / 6 = 125
    assert rules.moving_mean(six, 8, 6)[-1] == 125.0
    assert np.isnan(rules.moving_mean(five, 8, 6)[-1])
    assert np.isnan(rules.moving_mean(six, 8, 6)[:7]).all()  # windows reaching before the data


def test_o3_daily_max_8h_takes_the_windows_inside_the_day():
    # O3 100 all day except 200 from 12:00 to 15:00 (4 hours): the best window holds all four
    # 200s and four 100s: (4 x 200 + 4 x 100) / 8 = 150.
    day = np.array([100.0] * 12 + [200.0] * 4 + [100.0] * 8)
    assert rules.daily_max_8h(day, 6, 14)[0] == 150.0


def test_o3_daily_max_8h_needs_14_valid_windows_of_17():
    # Hours 0..2 missing: windows k = 0..2 have 5..7 valid hours -> k=0 (5 valid) is invalid,
    # k = 1, 2 valid: 16 valid windows. Hours 0..4 missing: windows 0..2 invalid (3..5 valid),
    # 14 left. Hours 0..5 missing: windows 0..3 invalid, 13 left -> no daily value.
    for missing, valid in ((3, True), (5, True), (6, False)):
        day = np.array([NAN] * missing + [120.0] * (24 - missing))
        got = rules.daily_max_8h(day, 6, 14)[0]
        assert (got == 120.0) if valid else np.isnan(got), missing


def test_o3_daily_max_1h_needs_20_valid_hours():
    day = np.array([50.0] * 19 + [300.0] + [NAN] * 4)
    assert rules.daily_max(day, 20)[0] == 300.0
    assert np.isnan(rules.daily_max(day[:-5].tolist() + [NAN] * 5, 20)[0])


def test_daily_indicators_from_whole_days_of_hours():
    hours = {Pollutant.PM2_5: np.array([80.0] * 24 + [80.0] * 19 + [NAN] * 5)}
    got = rules.daily_indicators(hours, AqiSettings())
    assert got[I.PM2_5_24H][0] == 80.0 and np.isnan(got[I.PM2_5_24H][1])
    with pytest.raises(AirQualityError, match="whole days"):
        rules.daily_indicators({Pollutant.PM2_5: np.zeros(25)}, AqiSettings())


# --- settings -----------------------------------------------------------------------------------


def test_settings_from_the_environment_and_bad_ones_named():
    settings = airquality_settings(
        {
            "ECOZONE_AIRQUALITY_EDITION": "2026",
            "ECOZONE_AIRQUALITY_PM_HOURLY_BASIS": "24h",
            "ECOZONE_AIRQUALITY_HOURLY_O3_8H": "1",
            "ECOZONE_AIRQUALITY_UNITS": "a34004=µg/m3, a34002=µg/m3",
        }
    )
    assert (settings.edition, settings.pm_hourly_basis, settings.hourly_o3_8h) == (
        "2026", "24h", True,
    )  # fmt: skip
    assert dict(settings.units) == {"a34004": "µg/m3", "a34002": "µg/m3"}
    assert airquality_settings({}) == AqiSettings()
    with pytest.raises(AirQualityError, match="unknown edition '2099'"):
        airquality_settings({"ECOZONE_AIRQUALITY_EDITION": "2099"})
    with pytest.raises(AirQualityError, match="not CODE=UNIT"):
        airquality_settings({"ECOZONE_AIRQUALITY_UNITS": "a34004"})
    with pytest.raises(AirQualityError, match="min_hours_24h must be between 1 and 24"):
        AqiSettings(min_hours_24h=25)
