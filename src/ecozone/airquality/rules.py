"""HJ 633-2012 as pure functions: units, rounding, IAQI, AQI, levels and primary pollutants, with
the moving and daily means of GB 3095-2012 Table 4 / HJ 663-2013 that feed them.

Strategy: concentrations are NumPy arrays on a dense hourly grid (NaN: no valid value), so a
station's year is a few vector operations. IAQI is computed in integers: a concentration rounded
to its reported digits (GB/T 8170 half-even) is a whole number of 1 µg/m3 or 0.1 mg/m3, the
breakpoints are whole numbers in the same unit, and eq. (1) then rounds without binary error at
a breakpoint. `iaqi_exact` is eq. (1) in fractions, for tests and for checking a figure by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ecozone.airquality.model import (
    IAQI_STEPS,
    AirQualityError,
    Aqi,
    AqiSettings,
    Edition,
    Indicator,
    Level,
    Pollutant,
    ReportKind,
    SubIndex,
)
from ecozone.hj212 import codes

# --- breakpoints: HJ 633-2012 Table 1 (domain.md §1.1) ----------------------------------------

_TABLE_1_2012: Mapping[Indicator, tuple[float, ...]] = MappingProxyType(
    {
        Indicator.SO2_24H: (0, 50, 150, 475, 800, 1600, 2100, 2620),
        Indicator.SO2_1H: (0, 150, 500, 650, 800),  # note 2: above 800 use the 24-h IAQI
        Indicator.NO2_24H: (0, 40, 80, 180, 280, 565, 750, 940),
        Indicator.NO2_1H: (0, 100, 200, 700, 1200, 2340, 3090, 3840),
        Indicator.PM10_24H: (0, 50, 150, 250, 350, 420, 500, 600),
        Indicator.CO_24H: (0, 2, 4, 14, 24, 36, 48, 60),
        Indicator.CO_1H: (0, 5, 10, 35, 60, 90, 120, 150),
        Indicator.O3_1H: (0, 160, 200, 300, 400, 800, 1000, 1200),
        Indicator.O3_8H: (0, 100, 160, 215, 265, 800),  # note 3: above 800 use the 1-h IAQI
        Indicator.PM2_5_24H: (0, 35, 75, 115, 150, 250, 350, 500),
    }
)

EDITIONS: Mapping[str, Edition] = MappingProxyType(
    {
        "2012": Edition(
            key="2012",
            name="HJ 633-2012",
            effective=date(2016, 1, 1),  # nationwide, with GB 3095-2012 (pilot regions earlier)
            breakpoints=_TABLE_1_2012,
            o3_8h_above_top="use_1h",
            confirmed=True,
            source="HJ 633-2012 Table 1 and notes (domain.md §1.1)",
        ),
        "2026": Edition(
            key="2026",
            name="HJ 633-2026",
            effective=date(2026, 3, 1),
            breakpoints=MappingProxyType(
                {
                    **_TABLE_1_2012,
                    Indicator.PM10_24H: (0, 50, 120, 250, 350, 420, 500, 600),
                    Indicator.PM2_5_24H: (0, 35, 60, 115, 150, 250, 350, 500),
                }
            ),
            o3_8h_above_top="cap",
            confirmed=False,
            source="public code describing HJ 633-2026; UNCONFIRMED against MEE (domain.md §1.4)",
        ),
    }
)


def breakpoint_column(indicator: Indicator) -> Indicator:
    """The Table 1 column an indicator is read against. Table 1 has no 1-h PM column: a 1-h
    PM10/PM2.5 mean of the real-time report is read against the 24-h column, as the national
    platform and public code do (domain.md §1.1 pitfalls; model.AqiSettings.pm_hourly_basis)."""
    if indicator is Indicator.PM10_1H:
        return Indicator.PM10_24H
    if indicator is Indicator.PM2_5_1H:
        return Indicator.PM2_5_24H
    return indicator


def edition_of(settings: AqiSettings) -> Edition:
    return EDITIONS[settings.edition]


# --- units: HJ 212-2017 App. B.2 as sent -> HJ 633 / GB 3095 units -----------------------------

#: Mass concentration units, as the power of ten of grams per cubic metre.
UNIT_EXPONENTS: Mapping[str, int] = MappingProxyType(
    {"ng/m3": -9, "µg/m3": -6, "μg/m3": -6, "ug/m3": -6, "mg/m3": -3, "g/m3": 0}
)

#: O3 is not in App. B.2; stations send it as a05024 (HJ 524-2009) in mg/m3 like other gases.
_UNITS_OUTSIDE_APP_B = {"a05024": "mg/m3"}


def unit_exponent(from_unit: str, to_unit: str) -> int:
    """k such that a value in `from_unit` times 10**k is the value in `to_unit`."""
    for unit in (from_unit, to_unit):
        if unit not in UNIT_EXPONENTS:
            raise AirQualityError(
                f"unknown concentration unit {unit!r}; expected one of {', '.join(UNIT_EXPONENTS)}"
            )
    return UNIT_EXPONENTS[from_unit] - UNIT_EXPONENTS[to_unit]


def unit_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in `from_unit` by this to get it in `to_unit`: ng/m3 -> µg/m3 0.001,
    mg/m3 -> µg/m3 1000, mg/m3 -> mg/m3 1."""
    return 10.0 ** unit_exponent(from_unit, to_unit)


def sent_unit(code: str, settings: AqiSettings) -> str:
    """The unit stored values of `code` are in: the setting, else HJ 212-2017 App. B's default
    (ng/m3 for a34002 PM10 and a34004 PM2.5, mg/m3 for the gases), mg/m3 for a05024 O3."""
    if code in settings.units:
        return settings.units[code]
    entry = codes.pollutant(code)
    if entry is not None:
        return entry.unit
    if code in _UNITS_OUTSIDE_APP_B:
        return _UNITS_OUTSIDE_APP_B[code]
    raise AirQualityError(f"no unit known for pollutant code {code!r}")


def to_standard_unit(pollutant: Pollutant, values: np.ndarray | float, unit: str) -> np.ndarray:
    """Values sent in `unit` in the unit of HJ 633 Table 1 (µg/m3; CO mg/m3).

    Scaled by dividing or multiplying by an exact power of ten, so a value sent as decimal
    text converts to the nearest float of the converted decimal (9 ng/m3 -> 0.009 µg/m3,
    where multiplying by 0.001 gives 0.009000000000000001).
    """
    k = unit_exponent(unit, pollutant.unit)
    array = np.asarray(values, dtype=float)
    return array * 10**k if k >= 0 else array / 10 ** (-k)


# --- rounding: GB/T 8170-2008 (cited by HJ 663-2013) -------------------------------------------


def _scaled(pollutant: Pollutant, values: np.ndarray) -> np.ndarray:
    """Concentrations as whole numbers of the last reported digit (1 µg/m3, CO 0.1 mg/m3),
    rounded half to even (GB/T 8170-2008 §3.3: a 5 followed by nothing rounds to the even
    digit). Float noise below 1e-6 of that digit is removed first, so 74.5 sent as 0.0745
    mg/m3 rounds as 74.5. NaN stays NaN."""
    scaled = np.asarray(values, dtype=float) * 10**pollutant.decimals
    return np.rint(np.round(scaled, 6))


def round_concentration(pollutant: Pollutant, values: np.ndarray | float) -> np.ndarray:
    """Concentrations as reported: integers, CO to 0.1 mg/m3 (half to even, GB/T 8170)."""
    return _scaled(pollutant, np.asarray(values, dtype=float)) / 10**pollutant.decimals + 0.0


def _round_decimal(pollutant: Pollutant, concentration: float) -> Decimal:
    try:
        value = Decimal(repr(float(concentration)))
        return value.quantize(Decimal(1).scaleb(-pollutant.decimals), rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError, OverflowError):
        raise AirQualityError(f"{concentration!r} is not a concentration") from None


# --- IAQI: HJ 633-2012 §4.2 eq. (1) ------------------------------------------------------------


def _check_concentration(indicator: Indicator, concentration: float) -> float:
    if isinstance(concentration, bool) or not isinstance(concentration, int | float):
        raise AirQualityError(f"{indicator}: {concentration!r} is not a number")
    if not math.isfinite(concentration):
        raise AirQualityError(f"{indicator}: concentration {concentration!r} is not finite")
    if concentration < 0:
        raise AirQualityError(
            f"{indicator}: concentration {concentration} {indicator.pollutant.unit} is negative"
        )
    return float(concentration)


def iaqi_exact(
    indicator: Indicator, concentration: float, edition: str = "2012"
) -> Fraction | None:
    """IAQI_P = (IAQI_Hi - IAQI_Lo)/(BP_Hi - BP_Lo) x (C_P - BP_Lo) + IAQI_Lo (HJ 633-2012 eq.
    (1)), unrounded, on C_P rounded to its reported digits.

    Above the top breakpoint: 500 (domain.md §1.2, as public code does); for SO2 1-h above
    800 µg/m3 and (2012) O3 8-h above 800 µg/m3 None: Table 1 notes 2 and 3 say not to
    compute them.
    """
    _check_concentration(indicator, concentration)
    book = EDITIONS[edition]
    column = breakpoint_column(indicator)
    bps = [Fraction(b) for b in book.breakpoints[column]]
    c = Fraction(_round_decimal(indicator.pollutant, concentration))
    if c > bps[-1]:
        if len(bps) == len(IAQI_STEPS):
            return Fraction(IAQI_STEPS[-1])
        if column is Indicator.O3_8H and book.o3_8h_above_top == "cap":
            return Fraction(IAQI_STEPS[len(bps) - 1])
        return None
    hi = next(i for i, bp in enumerate(bps) if i > 0 and c <= bp)
    lo = hi - 1
    return (
        Fraction(IAQI_STEPS[hi] - IAQI_STEPS[lo], 1) / (bps[hi] - bps[lo]) * (c - bps[lo])
        + IAQI_STEPS[lo]
    )


def _round_iaqi(exact: Fraction, rounding: str) -> int:
    if rounding == "ceil":
        return math.ceil(exact)
    if rounding == "floor":
        return math.floor(exact)
    return math.floor(exact + Fraction(1, 2))


def iaqi(
    indicator: Indicator, concentration: float, settings: AqiSettings | None = None
) -> int | None:
    """The IAQI of one concentration (HJ 633 unit), rounded as `settings.iaqi_rounding` says
    (default: up to the next integer); None where Table 1's notes say not to compute it."""
    settings = settings or AqiSettings()
    exact = iaqi_exact(indicator, concentration, settings.edition)
    return None if exact is None else _round_iaqi(exact, settings.iaqi_rounding)


def iaqi_array(
    indicator: Indicator, concentrations: np.ndarray, settings: AqiSettings | None = None
) -> np.ndarray:
    """`iaqi` over an array: floats holding whole IAQIs, NaN where the concentration is NaN or
    negative or Table 1's notes say not to compute it. Integer arithmetic: equal to `iaqi` for
    every input (tests/airquality check this with generated values)."""
    settings = settings or AqiSettings()
    book = edition_of(settings)
    column = breakpoint_column(indicator)
    digits = 10**indicator.pollutant.decimals
    bps = np.rint(np.asarray(book.breakpoints[column], dtype=float) * digits).astype(np.int64)
    steps = np.asarray(IAQI_STEPS[: len(bps)], dtype=np.int64)
    scaled = _scaled(indicator.pollutant, concentrations)
    usable = np.isfinite(scaled) & (scaled >= 0)
    c = np.where(usable, scaled, 0).astype(np.int64)
    hi = np.clip(np.searchsorted(bps, c, side="left"), 1, len(bps) - 1)
    lo = hi - 1
    num = (steps[hi] - steps[lo]) * (c - bps[lo])
    den = bps[hi] - bps[lo]
    if settings.iaqi_rounding == "ceil":
        part = -((-num) // den)
    elif settings.iaqi_rounding == "floor":
        part = num // den
    else:
        part = (2 * num + den) // (2 * den)
    out = (steps[lo] + part).astype(float)
    above = c > bps[-1]
    if len(bps) == len(IAQI_STEPS):
        top = float(IAQI_STEPS[-1])
    elif column is Indicator.O3_8H and book.o3_8h_above_top == "cap":
        top = float(steps[-1])
    else:
        top = np.nan
    out = np.where(above, top, out)
    return np.where(usable, out, np.nan)


# --- levels: HJ 633-2012 Table 2 and Annex A ---------------------------------------------------


def level_of(aqi: int) -> Level:
    """The level of an AQI: 0-50 I 优, 51-100 II 良, 101-150 III, 151-200 IV, 201-300 V,
    above 300 VI (HJ 633-2012 Table 2)."""
    if isinstance(aqi, bool) or not isinstance(aqi, int) or aqi < 0:
        raise AirQualityError(f"an AQI is a whole number of at least 0, not {aqi!r}")
    return next(level for level in Level if aqi <= level.upper)


# --- means: GB 3095-2012 Table 4, HJ 663-2013 ---------------------------------------------------


def moving_mean(values: np.ndarray, window: int, min_valid: int) -> np.ndarray:
    """Mean of each hour and the `window` - 1 hours before it (the CNEMC reading: "the 8-h
    moving mean is the mean of the preceding 8 hourly values", domain.md §1.6), of the valid
    (non-NaN) ones, where at least `min_valid` are; NaN for the first `window` - 1 hours,
    whose window reaches before the array. Each window is summed on its own, so a value never
    depends on how much was read before it."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    if len(values) < window:
        return out
    windows = sliding_window_view(values, window)
    counts = np.count_nonzero(~np.isnan(windows), axis=1)
    sums = np.nansum(windows, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[window - 1 :] = np.where(counts >= min_valid, sums / counts, np.nan)
    return out


def _by_day(hours: np.ndarray) -> np.ndarray:
    hours = np.asarray(hours, dtype=float)
    if hours.ndim != 1 or len(hours) % 24:
        raise AirQualityError(f"daily values need whole days of hourly values, not {hours.shape}")
    return hours.reshape(-1, 24)


def daily_mean(hours: np.ndarray, min_valid: int) -> np.ndarray:
    """24-h mean of each natural day (hours 00:00-23:00 by their start) of the valid hours,
    where at least `min_valid` (20) are valid (GB 3095-2012 Table 4)."""
    days = _by_day(hours)
    counts = np.count_nonzero(~np.isnan(days), axis=1)
    sums = np.nansum(days, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= min_valid, sums / counts, np.nan)


def daily_max(hours: np.ndarray, min_valid: int) -> np.ndarray:
    """Largest valid hourly value of each day, where at least `min_valid` hours are valid (O3
    daily maximum 1-h mean, HJ 633-2012 §5.1)."""
    days = _by_day(hours)
    counts = np.count_nonzero(~np.isnan(days), axis=1)
    filled = np.where(np.isnan(days), -np.inf, days)
    return np.where(counts >= min_valid, filled.max(axis=1), np.nan)


def daily_max_8h(hours: np.ndarray, min_hours: int, min_windows: int) -> np.ndarray:
    """O3 daily maximum 8-h mean (HJ 663-2013): the largest of the day's 8-h moving means
    ending at 08:00 ... 24:00, i.e. of hours [k, k+8) for k = 0..16, all inside the day. A
    window needs `min_hours` (6) valid hours (GB 3095-2012 Table 4), the day `min_windows`
    (14) valid windows of 17 (domain.md §1.6, UNCONFIRMED)."""
    days = _by_day(hours)
    windows = sliding_window_view(days, 8, axis=1)  # (days, 17, 8)
    counts = np.count_nonzero(~np.isnan(windows), axis=2)
    sums = np.nansum(windows, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts >= min_hours, sums / counts, np.nan)
    valid = np.count_nonzero(~np.isnan(means), axis=1)
    filled = np.where(np.isnan(means), -np.inf, means)
    return np.where(valid >= min_windows, filled.max(axis=1), np.nan)


# --- the two reports: HJ 633-2012 §5 ------------------------------------------------------------

#: Hours of history a real-time report needs before its first hour (24-h moving means).
HISTORY_HOURS = 23

#: The nine indicators of the real-time report (HJ 633-2012 §5.2), in Table 1 order.
HOURLY_INDICATORS: tuple[Indicator, ...] = (
    Indicator.SO2_1H,
    Indicator.NO2_1H,
    Indicator.PM10_1H,
    Indicator.PM10_24H,
    Indicator.CO_1H,
    Indicator.O3_1H,
    Indicator.O3_8H,
    Indicator.PM2_5_1H,
    Indicator.PM2_5_24H,
)

#: The seven indicators of the daily report (HJ 633-2012 §5.1), all of which enter the AQI.
DAILY_INDICATORS: tuple[Indicator, ...] = (
    Indicator.SO2_24H,
    Indicator.NO2_24H,
    Indicator.PM10_24H,
    Indicator.CO_24H,
    Indicator.O3_1H,
    Indicator.O3_8H,
    Indicator.PM2_5_24H,
)


def report_indicators(kind: ReportKind) -> tuple[Indicator, ...]:
    return HOURLY_INDICATORS if ReportKind(kind) is ReportKind.HOUR else DAILY_INDICATORS


def aqi_indicators(kind: ReportKind, settings: AqiSettings) -> tuple[Indicator, ...]:
    """The indicators whose IAQIs make the AQI.

    Daily (HJ 633-2012 §5.1): all seven. Real-time: the 1-h SO2, NO2, CO and O3 IAQIs (Table 1
    note 1: the 1-h columns are for the real-time report), PM10 and PM2.5 by
    `settings.pm_hourly_basis`, and the O3 8-h moving mean if `settings.hourly_o3_8h`.
    """
    if ReportKind(kind) is ReportKind.DAY:
        return DAILY_INDICATORS
    pm = (
        (Indicator.PM10_1H, Indicator.PM2_5_1H)
        if settings.pm_hourly_basis == "1h"
        else (Indicator.PM10_24H, Indicator.PM2_5_24H)
    )
    chosen = {Indicator.SO2_1H, Indicator.NO2_1H, Indicator.CO_1H, Indicator.O3_1H, *pm}
    if settings.hourly_o3_8h:
        chosen.add(Indicator.O3_8H)
    return tuple(i for i in HOURLY_INDICATORS if i in chosen)


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def hourly_indicators(
    hours: Mapping[Pollutant, np.ndarray], settings: AqiSettings
) -> dict[Indicator, np.ndarray]:
    """The real-time report's indicators for each hour, from hourly means (HJ 633 units, NaN
    invalid) that start `HISTORY_HOURS` (23) hours before the first reported hour: 1-h means,
    the O3 8-h and the 24-h moving means (the 24-h SO2 mean too, for Table 1 note 2)."""
    lengths = {len(np.asarray(v)) for v in hours.values()}
    if len(lengths) > 1:
        raise AirQualityError(f"hourly series of different lengths: {sorted(lengths)}")
    length = lengths.pop() if lengths else HISTORY_HOURS
    if length < HISTORY_HOURS:
        raise AirQualityError(f"{length} hours given; the first {HISTORY_HOURS} are history")
    n = length - HISTORY_HOURS

    def series(p: Pollutant) -> np.ndarray:
        found = hours.get(p)
        return _nan(length) if found is None else np.asarray(found, dtype=float)

    def one_hour(p: Pollutant) -> np.ndarray:
        return series(p)[HISTORY_HOURS:]

    def moving(p: Pollutant, window: int, min_valid: int) -> np.ndarray:
        return moving_mean(series(p), window, min_valid)[HISTORY_HOURS:]

    h24, h8 = settings.min_hours_24h, settings.min_hours_8h
    out = {
        Indicator.SO2_1H: one_hour(Pollutant.SO2),
        Indicator.SO2_24H: moving(Pollutant.SO2, 24, h24),
        Indicator.NO2_1H: one_hour(Pollutant.NO2),
        Indicator.PM10_1H: one_hour(Pollutant.PM10),
        Indicator.PM10_24H: moving(Pollutant.PM10, 24, h24),
        Indicator.CO_1H: one_hour(Pollutant.CO),
        Indicator.O3_1H: one_hour(Pollutant.O3),
        Indicator.O3_8H: moving(Pollutant.O3, 8, h8),
        Indicator.PM2_5_1H: one_hour(Pollutant.PM2_5),
        Indicator.PM2_5_24H: moving(Pollutant.PM2_5, 24, h24),
    }
    assert all(len(v) == n for v in out.values())
    return out


def daily_indicators(
    hours: Mapping[Pollutant, np.ndarray], settings: AqiSettings
) -> dict[Indicator, np.ndarray]:
    """The daily report's seven indicators for each natural day of hourly means (whole days,
    starting at 00:00): 24-h means, the O3 daily maximum 1-h and 8-h means."""
    lengths = {len(np.asarray(v)) for v in hours.values()}
    if len(lengths) > 1:
        raise AirQualityError(f"hourly series of different lengths: {sorted(lengths)}")
    length = lengths.pop() if lengths else 0

    def series(p: Pollutant) -> np.ndarray:
        found = hours.get(p)
        return _nan(length) if found is None else np.asarray(found, dtype=float)

    h24 = settings.min_hours_24h
    return {
        Indicator.SO2_24H: daily_mean(series(Pollutant.SO2), h24),
        Indicator.NO2_24H: daily_mean(series(Pollutant.NO2), h24),
        Indicator.PM10_24H: daily_mean(series(Pollutant.PM10), h24),
        Indicator.CO_24H: daily_mean(series(Pollutant.CO), h24),
        Indicator.O3_1H: daily_max(series(Pollutant.O3), settings.min_hours_o3_1h_day),
        Indicator.O3_8H: daily_max_8h(
            series(Pollutant.O3), settings.min_hours_8h, settings.min_windows_o3_8h
        ),
        Indicator.PM2_5_24H: daily_mean(series(Pollutant.PM2_5), h24),
    }


NOTE_SO2_1H_ABOVE_800 = (
    "SO2 1-h mean above 800 µg/m3: no 1-h IAQI; the SO2 IAQI is that of the 24-h mean "
    "(HJ 633-2012 Table 1 note 2)"
)
NOTE_SO2_24H_IN_PLACE = "IAQI in place of the 1-h one (HJ 633-2012 Table 1 note 2)"
NOTE_SO2_24H_MISSING = (
    "SO2 1-h mean above 800 µg/m3 and no valid 24-h mean: SO2 has no IAQI this hour "
    "(HJ 633-2012 Table 1 note 2)"
)
NOTE_O3_8H_ABOVE_800 = (
    "O3 8-h mean above 800 µg/m3: no 8-h IAQI; the O3 IAQI is that of the 1-h mean "
    "(HJ 633-2012 Table 1 note 3)"
)
NOTE_O3_8H_CAPPED = "O3 8-h mean above 800 µg/m3: IAQI held at 300 (HJ 633-2026, UNCONFIRMED)"


def reports(
    kind: ReportKind,
    indicators: Mapping[Indicator, np.ndarray],
    settings: AqiSettings,
    size: int = 0,
) -> list[Aqi]:
    """One `Aqi` per position of the indicator arrays (HJ 633 units, unrounded; NaN missing;
    `size` of them when no array is given).

    AQI = max of the IAQIs (HJ 633-2012 §4.3 eq. (2)); the primary pollutants, only when AQI > 50,
    are those whose IAQI equals it, all of them on a tie; exceeding pollutants have an IAQI
    above 100 (domain.md §1.2). The special cases of Table 1 notes 2 and 3 apply.
    """
    kind = ReportKind(kind)
    shown = report_indicators(kind)
    entering = aqi_indicators(kind, settings)
    sizes = {len(np.asarray(v)) for v in indicators.values()}
    if len(sizes) > 1:
        raise AirQualityError(f"indicator series of different lengths: {sorted(sizes)}")
    n = sizes.pop() if sizes else size

    def conc(indicator: Indicator) -> np.ndarray:
        found = indicators.get(indicator)
        raw = _nan(n) if found is None else np.asarray(found, dtype=float)
        rounded = round_concentration(indicator.pollutant, raw)
        return np.where(rounded >= 0, rounded, np.nan)  # a negative mean is no concentration

    concentrations = {i: conc(i) for i in (*shown, Indicator.SO2_24H)}
    sub = {i: iaqi_array(i, concentrations[i], settings) for i in entering}
    notes: dict[Indicator, np.ndarray] = {}
    # Table 1 note 2 (real-time only: the daily report has no 1-h SO2)
    so2_substituted = np.zeros(n, dtype=bool)
    if Indicator.SO2_1H in sub:
        so2_substituted = concentrations[Indicator.SO2_1H] > 800
        from_24h = iaqi_array(Indicator.SO2_24H, concentrations[Indicator.SO2_24H], settings)
        sub[Indicator.SO2_24H] = np.where(so2_substituted, from_24h, np.nan)
        sub[Indicator.SO2_1H] = np.where(so2_substituted, np.nan, sub[Indicator.SO2_1H])
        notes[Indicator.SO2_1H] = np.where(
            so2_substituted,
            np.where(np.isnan(from_24h), NOTE_SO2_24H_MISSING, NOTE_SO2_1H_ABOVE_800),
            None,
        )
    # Table 1 note 3: the O3 1-h IAQI, which every report with the 8-h one has, stands alone
    o3_8h_over = concentrations[Indicator.O3_8H] > 800
    o3_note = (
        NOTE_O3_8H_ABOVE_800
        if edition_of(settings).o3_8h_above_top == "use_1h"
        else NOTE_O3_8H_CAPPED
    )
    notes[Indicator.O3_8H] = np.where(o3_8h_over, o3_note, None)

    order = [i for i in (*shown, Indicator.SO2_24H) if i in sub]
    matrix = np.vstack([sub[i] for i in order]) if order else np.empty((0, n))
    with np.errstate(invalid="ignore"):
        has_any = (~np.isnan(matrix)).any(axis=0) if order else np.zeros(n, dtype=bool)
        aqi = np.where(has_any, np.nanmax(np.where(np.isnan(matrix), -1, matrix), axis=0), np.nan)

    results = []
    for k in range(n):
        value = None if np.isnan(aqi[k]) else int(aqi[k])
        entries = []
        for indicator in shown:
            c = concentrations[indicator][k]
            s = sub.get(indicator)
            note = notes.get(indicator)
            entries.append(
                SubIndex(
                    indicator=indicator,
                    concentration=None if np.isnan(c) else float(c),
                    iaqi=None if s is None or np.isnan(s[k]) else int(s[k]),
                    note=None if note is None else note[k],
                )
            )
        missing = tuple(i for i in entering if np.isnan(concentrations[i][k]))
        if so2_substituted[k]:
            c = concentrations[Indicator.SO2_24H][k]
            s = sub[Indicator.SO2_24H][k]
            entries.insert(
                1,
                SubIndex(
                    indicator=Indicator.SO2_24H,
                    concentration=None if np.isnan(c) else float(c),
                    iaqi=None if np.isnan(s) else int(s),
                    note=NOTE_SO2_24H_IN_PLACE,
                ),
            )
            if np.isnan(s):
                missing += (Indicator.SO2_24H,)
        iaqis = [(i, int(sub[i][k])) for i in order if not np.isnan(sub[i][k])]
        results.append(_aqi(value, iaqis, tuple(entries), missing))
    return results


def _unique(pollutants: Sequence[Pollutant]) -> tuple[Pollutant, ...]:
    return tuple(p for p in Pollutant if p in set(pollutants))


def _aqi(
    value: int | None,
    iaqis: Sequence[tuple[Indicator, int]],
    entries: tuple[SubIndex, ...],
    missing: tuple[Indicator, ...],
) -> Aqi:
    if value is None:
        return Aqi(None, None, (), (), (), entries, missing)
    primary = tuple(i for i, v in iaqis if v == value) if value > 50 else ()
    return Aqi(
        aqi=value,
        level=level_of(value),
        primary_pollutants=_unique([i.pollutant for i in primary]),
        primary_indicators=primary,
        exceeding_pollutants=_unique([i.pollutant for i, v in iaqis if v > 100]),
        sub_indices=entries,
        missing=missing,
    )


def _one(
    kind: ReportKind,
    concentrations: Mapping[Indicator | str, float | None],
    settings: AqiSettings | None,
) -> Aqi:
    settings = settings or AqiSettings()
    arrays: dict[Indicator, np.ndarray] = {}
    for key, value in concentrations.items():
        try:
            indicator = Indicator(key)
        except ValueError:
            raise AirQualityError(
                f"unknown indicator {key!r}; expected one of {', '.join(Indicator)}"
            ) from None
        if value is not None:
            _check_concentration(indicator, value)
        arrays[indicator] = np.array([np.nan if value is None else float(value)])
    return reports(kind, arrays, settings, size=1)[0]


def hourly_aqi(
    concentrations: Mapping[Indicator | str, float | None], settings: AqiSettings | None = None
) -> Aqi:
    """The real-time report (HJ 633-2012 §5.2) of one hour from its indicators' concentrations
    in HJ 633 units: e.g. {SO2_1h: 12, NO2_1h: 41, CO_1h: 0.8, O3_1h: 102, PM10_1h: 58,
    PM2.5_1h: 35, SO2_24h: ...}. SO2_24h is used only when SO2_1h is above 800 (note 2)."""
    return _one(ReportKind.HOUR, concentrations, settings)


def daily_aqi(
    concentrations: Mapping[Indicator | str, float | None], settings: AqiSettings | None = None
) -> Aqi:
    """The daily report (HJ 633-2012 §5.1) from the seven indicators' concentrations: 24-h
    means of SO2, NO2, PM10, CO, PM2.5, the O3 daily maximum 1-h and 8-h means."""
    return _one(ReportKind.DAY, concentrations, settings)


# --- display units of station values -------------------------------------------------------


#: Ambient pollutants shown per air station, in GB 3095-2012 order, with their display unit.
AMBIENT_POLLUTANTS: tuple[tuple[str, str], ...] = (
    ("a34004", "µg/m3"),  # PM2.5
    ("a34002", "µg/m3"),  # PM10
    ("a05024", "µg/m3"),  # O3
    ("a21004", "µg/m3"),  # NO2
    ("a21026", "µg/m3"),  # SO2
    ("a21005", "mg/m3"),  # CO
)


# HJ 212-2017 App. B.2 default units of the transmitted values: ng/m3 for PM10 and PM2.5,
# mg/m3 for the gases; a05024 (O3, HJ 524-2009) is left out of B.2 and is sent in mg/m3 too.
_TRANSMITTED_TO_DISPLAY = {
    "a34004": 0.001,  # ng/m3 -> µg/m3
    "a34002": 0.001,
    "a05024": 1000.0,  # mg/m3 -> µg/m3
    "a21004": 1000.0,
    "a21026": 1000.0,
    "a21005": 1.0,  # mg/m3 stays mg/m3 (GB 3095-2012 reports CO in mg/m3)
}


def ambient_display(code: str, value: float | None) -> tuple[float | None, str]:
    """An air station's transmitted value in the unit GB 3095-2012 reports it in.

    The station sends HJ 212-2017 App. B.2 default units (PM in ng/m3, gases in
    mg/m3); the public reads µg/m3 (CO: mg/m3). Unknown codes pass unchanged.
    """
    factor = _TRANSMITTED_TO_DISPLAY.get(code)
    unit = dict(AMBIENT_POLLUTANTS).get(code, "")
    if value is None or factor is None:
        return value, unit
    return value * factor, unit
