"""The monitoring standards as pure functions: data flags, hour and day validity, conversions.

Strategy: every rule works on NumPy arrays of whole periods at once (a `Periods` table is one
array per column, sorted by pollutant then start), so a year of a point's hours is a handful of
vector operations, never a Python loop over values. Sums run in input (time) order through
`np.bincount`, so the same inputs always give the same bits, whichever range was asked for.
Sources: HJ 212-2017 Table 8 and Appendices C and D; HJ 75-2017 / HJ 76-2017 for flue gas
(through domain.md §2); HJ 355/356-2019 for wastewater (domain.md §3, mostly UNCONFIRMED).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ecozone.hj212 import codes
from ecozone.monitoring.model import (
    FLUE_GAS_FLOW_CODE,
    MINUTE_INTERVALS,
    O2_CODE,
    WASTEWATER_FLOW_CODE,
    LiveState,
    MonitoringError,
    MonitoringSettings,
)
from ecozone.registry.model import PointKind

# --- data flags: HJ 212-2017 §6.6.4 Table 8 ---------------------------------------------------

#: What each Table 8 flag does to a value here. Only N (and T, see
#: MonitoringSettings.over_range_is_valid) counts towards a mean; HJ 75-2017 treats stop,
#: maintenance, calibration and fault periods as missing data (domain.md §2.3, UNCONFIRMED).
FLAG_EFFECTS: Mapping[str, str] = {
    "N": "valid: instrument working normally",
    "F": "invalid: instrument stopped (source or instrument out of operation)",
    "M": "invalid: maintenance period",
    "S": "invalid: value set by hand, not measured",
    "D": "invalid: instrument fault",
    "C": "invalid: calibration",
    "T": "valid by default: reading above the measuring range (at least this high)",
    "B": "invalid: instrument-to-logger communication failure",
}

#: Order in which an abnormal wastewater period takes its flag when its inputs carry several
#: (App. C.16 says "abnormal" without naming a letter): Table 8's own order.
ABNORMAL_FLAG_ORDER = ("F", "M", "S", "D", "C", "T", "B")

#: Flag of a flue-gas period with too few normal inputs (App. C.16/C.17 notes).
FAULT_FLAG = "D"
NORMAL_FLAG = "N"

GAS = "gas"
WATER = "water"

#: Which family of rules each point kind follows.
MEDIUM_OF_POINT_KIND: Mapping[str, str] = {
    PointKind.FLUE_GAS: GAS,
    PointKind.AMBIENT_AIR: GAS,
    PointKind.WASTEWATER: WATER,
    PointKind.SURFACE_WATER: WATER,
    # Meters are averaged over time like flue gas (hourly means of valid minutes).
    PointKind.POWER: GAS,
    # Noise levels combine by energy (ecozone.quality); dust monitors like ambient air; sewer
    # flow and level like wastewater.
    PointKind.NOISE: GAS,
    PointKind.DUST: GAS,
    PointKind.SEWER: WATER,
}


def medium_of(point_kind: str) -> str:
    try:
        return MEDIUM_OF_POINT_KIND[point_kind]
    except KeyError:
        raise MonitoringError(f"unknown point kind {point_kind!r}") from None


def valid_flags(settings: MonitoringSettings) -> frozenset[str]:
    """Flags whose values count towards a mean: N, and T unless the setting says otherwise."""
    return frozenset({"N", "T"} if settings.over_range_is_valid else {"N"})


def normalise_flags(flags: Sequence[Any] | np.ndarray, settings: MonitoringSettings) -> np.ndarray:
    """Flags as upper-case one-letter strings; a missing flag reads as N when unflagged values
    count as normal (MonitoringSettings.unflagged_is_normal), else as '' (never valid)."""
    missing = "N" if settings.unflagged_is_normal else ""
    out = np.array(
        [missing if f is None or str(f).strip() == "" else str(f).strip().upper() for f in flags],
        dtype=object,
    )
    return out


def flag_is_valid(flags: Sequence[Any] | np.ndarray, settings: MonitoringSettings) -> np.ndarray:
    """Which values count towards a mean, by their HJ 212-2017 Table 8 flag."""
    good = valid_flags(settings)
    normalised = normalise_flags(flags, settings)
    return np.fromiter((f in good for f in normalised), dtype=bool, count=len(normalised))


# --- hour and day validity: HJ 212-2017 Appendix D --------------------------------------------


def required_valid_minutes(medium: str, minute_interval: int, settings: MonitoringSettings) -> int:
    """Valid minute values an hour needs.

    Flue gas, App. D eq. (24): 45 <= k for 1-minute data. The appendix counts minute means;
    with a longer MinInterval a device sends 60/interval of them an hour, and the same share
    (45/60 = 75 %) of those is asked, rounded up: 10-minute data needs 5 of 6, 5-minute data
    9 of 12. Wastewater, App. D eq. (16): 1 <= m <= 6, one valid value is enough.
    """
    if medium == WATER:
        return settings.water_hour_min_valid
    expected = 60 // minute_interval
    return math.ceil(settings.gas_hour_min_share * expected - 1e-9)


def hour_is_valid(
    valid_count: np.ndarray | int, medium: str, minute_interval: int, settings: MonitoringSettings
) -> np.ndarray:
    """An hourly mean is valid with enough valid minute means (see required_valid_minutes)."""
    required = required_valid_minutes(medium, minute_interval, settings)
    return np.asarray(valid_count) >= required


#: GB 3095-2012 Table 4 (and HJ 818): an ambient hourly value needs 45 minutes of sampling.
AMBIENT_HOUR_MIN_MINUTES = 45


def infer_interval(sample_counts: np.ndarray, starts: np.ndarray, fallback: int = 1) -> int:
    """The MinInterval a point's minute data shows: the longest HJ 212 interval whose hour
    still holds the commonest number of values sent in an hour (12 a hour: 5 minutes). Never
    longer than the data shows, so a gap cannot lengthen it. The newest hour may still be
    filling and is left out; with no other hour, `fallback` (the configured interval)."""
    counts = np.asarray(sample_counts, dtype=np.int64)
    starts = np.asarray(starts)
    if counts.size:
        counts = counts[starts < starts.max()]
    counts = counts[counts > 0]
    if counts.size == 0:
        return fallback
    common = int(np.bincount(counts).argmax())
    return max(i for i in MINUTE_INTERVALS if 60 // i >= common or i == 1)


def ambient_hour_is_valid(valid_count: np.ndarray | int, minute_interval: int) -> np.ndarray:
    """An ambient station's hourly value is valid with at least 45 minutes of sampling
    (GB 3095-2012 Table 4, HJ 818-2018), whatever the reporting interval: each valid value
    stands for `minute_interval` minutes, so 5-minute data needs 9 of 12 values. Kept apart
    from the CEMS count of HJ 212-2017 App. D eq. (24)."""
    return np.asarray(valid_count) * minute_interval >= AMBIENT_HOUR_MIN_MINUTES


def day_is_valid(
    valid_hours: np.ndarray | int, medium: str, settings: MonitoringSettings
) -> np.ndarray:
    """A daily mean is valid with at least 20 valid hourly means: App. D eq. (25), 20 <= m,
    for flue gas; wastewater follows the same count (MonitoringSettings.water_day_min_hours)."""
    required = settings.gas_day_min_hours if medium == GAS else settings.water_day_min_hours
    return np.asarray(valid_hours) >= required


def gas_period_flag(normal_count: np.ndarray, sample_count: np.ndarray, share: float) -> np.ndarray:
    """Flue gas: N when at least `share` (75 %) of the inputs are normal, else D (instrument
    fault); HJ 212-2017 App. C.16/C.17 notes."""
    normal = np.asarray(normal_count) >= share * np.asarray(sample_count)
    return np.where(normal, NORMAL_FLAG, FAULT_FLAG).astype(object)


def water_period_flag(abnormal_present: np.ndarray) -> np.ndarray:
    """Wastewater: abnormal as soon as one input is (App. C.16/C.17 notes).

    `abnormal_present` is a (periods x len(ABNORMAL_FLAG_ORDER)) boolean table of which
    abnormal flags occur among each period's inputs; the period takes the first of them in
    Table 8's order, and N when none occurs.
    """
    table = np.asarray(abnormal_present, dtype=bool).reshape(-1, len(ABNORMAL_FLAG_ORDER))
    any_abnormal = table.any(axis=1)
    first = np.argmax(table, axis=1)
    letters = np.array(ABNORMAL_FLAG_ORDER, dtype=object)[first]
    return np.where(any_abnormal, letters, NORMAL_FLAG).astype(object)


def abnormal_table(flags: np.ndarray, settings: MonitoringSettings) -> np.ndarray:
    """(n x 7) booleans: which abnormal Table 8 flag each value carries. A flag Table 8 does
    not list counts as D (fault): it is not a normal reading and names no other state."""
    normalised = normalise_flags(flags, settings)
    good = valid_flags(settings)
    table = np.zeros((len(normalised), len(ABNORMAL_FLAG_ORDER)), dtype=bool)
    column = {letter: i for i, letter in enumerate(ABNORMAL_FLAG_ORDER)}
    fault = column[FAULT_FLAG]
    for row, flag in enumerate(normalised):
        if flag not in good:
            table[row, column.get(flag, fault)] = True
    return table


# --- conversions ------------------------------------------------------------------------------

#: Molar masses, g/mol, for ppm (µmol/mol) -> mg/m3 by HJ 212-2017 App. D eq. (20):
#: C = M/22.4 x C_v (domain.md §2.2). NOx is reported as NO2.
MOLAR_MASS: Mapping[str, float] = {
    "a21026": 64.06,  # SO2
    "a21002": 46.01,  # NOx as NO2
    "a21004": 46.01,  # NO2
    "a21003": 30.01,  # NO
    "a21005": 28.01,  # CO
}
MOLAR_VOLUME_L = 22.4  # L/mol at 273 K, 101325 Pa

# Factors to App. B's default unit of the two flow codes.
_FLOW_FACTORS: Mapping[str, Mapping[str, float]] = {
    FLUE_GAS_FLOW_CODE: {"m3/s": 1.0, "m3/h": 1 / 3600},
    WASTEWATER_FLOW_CODE: {"L/s": 1.0, "m3/h": 1000 / 3600, "m3/s": 1000.0},
}

# Concentration units -> mg per litre (water) or per m3 (gas).
_MG_PER: Mapping[str, float] = {
    "mg/m3": 1.0, "µg/m3": 1e-3, "ng/m3": 1e-6,
    "mg/L": 1.0, "µg/L": 1e-3, "ng/L": 1e-6,
}  # fmt: skip


def ppm_to_mg_per_m3(pollutant: str) -> float:
    """mg/m3 per ppm (µmol/mol) at standard state: M/22.4, App. D eq. (20).
    SO2 64.06/22.4 = 2.86, NOx (as NO2) 46.01/22.4 = 2.05 (domain.md §2.2)."""
    try:
        return MOLAR_MASS[pollutant] / MOLAR_VOLUME_L
    except KeyError:
        raise MonitoringError(
            f"no molar mass for {pollutant}: cannot convert its ppm to mg/m3 "
            f"(known: {', '.join(sorted(MOLAR_MASS))})"
        ) from None


def unit_factor(pollutant: str, unit: str | None) -> float:
    """Multiply a value sent in `unit` by this to get App. B's default unit for `pollutant`.

    None or the default unit itself: 1. ppm / µmol/mol of a gas: M/22.4 (eq. (20)). Flue-gas
    flow a00000 (App. B: m3/s) also comes in m3/h; wastewater flow w00000 (App. B: L/s) in
    m3/h or m3/s.
    """
    info = codes.pollutant(pollutant)
    if unit is None or (info is not None and unit == info.unit):
        return 1.0
    if unit in ("ppm", "µmol/mol", "umol/mol"):
        if info is None or info.unit != "mg/m3":
            raise MonitoringError(f"{pollutant} is not a gas concentration; it cannot be in ppm")
        return ppm_to_mg_per_m3(pollutant)
    flow = _FLOW_FACTORS.get(pollutant)
    if flow is not None and unit in flow:
        return flow[unit]
    default = info.unit if info is not None else "its default unit"
    raise MonitoringError(f"cannot convert {pollutant} from {unit!r} to {default}")


def reference_o2_factor(o2: np.ndarray, reference_o2: float, o2_cap: float) -> np.ndarray:
    """(21 - O2_ref)/(21 - O2_meas): HJ 212-2017 App. D eq. (28), HJ 75-2017 (domain.md §2.1 A9).

    NaN (no converted value) where O2 is unknown or at or above `o2_cap`: near 21 % the factor
    grows without bound (start-up, shutdown, air ingress). The cap is a setting; the
    standard's own rule is UNCONFIRMED.
    """
    o2 = np.asarray(o2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = (21.0 - reference_o2) / (21.0 - o2)
    return np.where(np.isfinite(o2) & (o2 < o2_cap), factor, np.nan)


def convert_to_reference_o2(
    concentration: np.ndarray, o2: np.ndarray, reference_o2: float, o2_cap: float
) -> np.ndarray:
    """C_ref = C x (21 - O2_ref)/(21 - O2_meas) on dry standard-state values; NaN past the cap."""
    return np.asarray(concentration, dtype=float) * reference_o2_factor(o2, reference_o2, o2_cap)


def flue_gas_flow_m3_per_h(flow_m3_per_s: np.ndarray) -> np.ndarray:
    """a00000 in App. B's m3/s as m3/h (x 3600), the unit of eq. (31)-(33)."""
    return np.asarray(flow_m3_per_s, dtype=float) * 3600.0


def wastewater_volume_m3(flow_l_per_s: np.ndarray, hours: float) -> np.ndarray:
    """Volume discharged at a mean flow: App. D eq. (1), D = Q (L/s) x T (s) x 1e-3 m3."""
    return np.asarray(flow_l_per_s, dtype=float) * (hours * 3600.0) * 1e-3


def flue_gas_emission_kg(
    concentration_mg_per_m3: np.ndarray, flow_m3_per_h: np.ndarray, hours: float
) -> np.ndarray:
    """Mass emitted: G = C x Q x 1e-6 kg/h (App. D eq. (33)) over `hours`.

    C is the measured dry standard-state concentration, not the reference-O2 value: the mass
    leaving the stack does not depend on the reference (domain.md §2.2).
    """
    rate_kg_per_h = np.asarray(concentration_mg_per_m3, dtype=float) * flow_m3_per_h * 1e-6
    return rate_kg_per_h * hours


def wastewater_emission_kg(concentration_mg_per_l: np.ndarray, volume_m3: np.ndarray) -> np.ndarray:
    """Mass discharged: G = D (m3) x C (mg/L) x 1e-3 kg, App. D eq. (8)."""
    return np.asarray(concentration_mg_per_l, dtype=float) * volume_m3 * 1e-3


def hour_mismatch(
    ours: np.ndarray, theirs: np.ndarray, tolerance: float, *, absolute: float = 0.0
) -> np.ndarray:
    """Where our hourly mean and the device's differ by more than `tolerance` (a share of the
    device's value, 0.05 = 5 %) plus `absolute` (in the value's unit, e.g. the last digit the
    device sends). False where either value is missing: there is nothing to compare."""
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    with np.errstate(invalid="ignore"):
        differ = np.abs(ours - theirs) > tolerance * np.abs(theirs) + absolute
    return differ & np.isfinite(ours) & np.isfinite(theirs)


def capture_rates(
    expected: int, present: np.ndarray, valid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Data capture rate present/expected and valid-data rate valid/expected (0 when nothing
    was expected)."""
    present = np.asarray(present, dtype=float)
    valid = np.asarray(valid, dtype=float)
    if expected <= 0:
        return np.zeros_like(present), np.zeros_like(valid)
    return present / expected, valid / expected


# --- period tables ----------------------------------------------------------------------------

_FLOAT_COLUMNS = (
    "avg", "min", "max", "cou", "zs_avg", "zs_min", "zs_max", "emission_kg", "device_avg",
)  # fmt: skip


@dataclass
class Periods:
    """Values of one point over hours or days, one array per column, sorted by pollutant then
    start. NaN is a missing value; `start` is datetime64[s], device time (CST)."""

    pollutant: np.ndarray  # object: pollutant codes
    start: np.ndarray  # datetime64[s]
    avg: np.ndarray
    min: np.ndarray
    max: np.ndarray
    cou: np.ndarray
    zs_avg: np.ndarray
    zs_min: np.ndarray
    zs_max: np.ndarray
    valid: np.ndarray  # bool
    valid_count: np.ndarray  # int64
    sample_count: np.ndarray  # int64
    emission_kg: np.ndarray
    flag: np.ndarray  # object: one-letter flags
    device_avg: np.ndarray

    def __len__(self) -> int:
        return len(self.pollutant)

    @classmethod
    def empty(cls) -> Periods:
        return cls.build(np.array([], dtype=object), np.array([], dtype="datetime64[s]"))

    @classmethod
    def build(cls, pollutant: np.ndarray, start: np.ndarray, **columns: Any) -> Periods:
        """A table with the given columns, NaN / False / 0 / None for the others, sorted."""
        n = len(pollutant)
        values: dict[str, Any] = {name: np.full(n, np.nan) for name in _FLOAT_COLUMNS}
        values.update(
            valid=np.zeros(n, dtype=bool),
            valid_count=np.zeros(n, dtype=np.int64),
            sample_count=np.zeros(n, dtype=np.int64),
            flag=np.full(n, None, dtype=object),
        )
        for name, column in columns.items():
            values[name] = np.asarray(column, dtype=values[name].dtype)
        table = cls(
            pollutant=np.asarray(pollutant, dtype=object),
            start=np.asarray(start, dtype="datetime64[s]"),
            **values,
        )
        return table.sorted()

    def sorted(self) -> Periods:
        order = np.lexsort((self.start, self.pollutant.astype(str)))
        if np.array_equal(order, np.arange(len(order))):
            return self
        return self.take(order)

    def take(self, index: np.ndarray) -> Periods:
        return Periods(**{name: getattr(self, name)[index] for name in _COLUMNS})

    def concat(self, other: Periods) -> Periods:
        joined = Periods(
            **{name: np.concatenate([getattr(self, name), getattr(other, name)])
               for name in _COLUMNS}
        )  # fmt: skip
        return joined.sorted()


_COLUMNS = tuple(Periods.__dataclass_fields__)


def _group(pollutant: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group index of each (pollutant, start) and the position of each group's first row."""
    codes_, pidx = np.unique(pollutant.astype(str), return_inverse=True)
    del codes_
    key = pidx.astype(np.int64) * (1 << 40) + start.astype("datetime64[s]").astype(np.int64)
    unique_keys, first, group = np.unique(key, return_index=True, return_inverse=True)
    del unique_keys
    return group.reshape(-1), first


def _keys(pollutant: np.ndarray, start: np.ndarray, codes_: np.ndarray) -> np.ndarray:
    pidx = np.searchsorted(codes_, pollutant.astype(str))
    return pidx.astype(np.int64) * (1 << 40) + start.astype("datetime64[s]").astype(np.int64)


def _group_sum(group: np.ndarray, values: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Per-group sum of values[mask], added in input order; NaN where the group has none."""
    sums = np.bincount(group[mask], weights=values[mask], minlength=size)
    counts = np.bincount(group[mask], minlength=size)
    return np.where(counts > 0, sums, np.nan)


def _group_extreme(
    ufunc: np.ufunc, group: np.ndarray, values: np.ndarray, mask: np.ndarray, size: int
) -> np.ndarray:
    fill = np.inf if ufunc is np.minimum else -np.inf
    out = np.full(size, fill)
    ufunc.at(out, group[mask], values[mask])
    return np.where(np.isfinite(out), out, np.nan)


@dataclass(frozen=True)
class MinuteGroups:
    """Minute values of one point summed per (pollutant, hour), as the store returns them
    (the store reads a batch of points at once and hands each its own).

    `valid_sum` is the sum of the valid minute means in time order, `valid_min`/`valid_max`
    their extremes (the minute Min/Max where sent), `cou_sum` the sum of the Cou of valid
    minutes that carry one; `abnormal_flags` the distinct invalid flags seen ("M,C"), read for
    wastewater only.
    """

    pollutant: np.ndarray
    start: np.ndarray
    sample_count: np.ndarray
    valid_count: np.ndarray
    valid_sum: np.ndarray
    valid_min: np.ndarray
    valid_max: np.ndarray
    cou_sum: np.ndarray
    cou_count: np.ndarray
    abnormal_flags: np.ndarray


def hours_from_minutes(
    groups: MinuteGroups, *, medium: str, minute_interval: int, settings: MonitoringSettings
) -> Periods:
    """Hourly values from minute values: HJ 212-2017 App. D eq. (24) for flue gas (mean of
    the valid minute means, valid with 45 of 60) and eq. (16) for wastewater (arithmetic mean,
    valid with one); flags by the App. C.17 note; Cou summed as eq. (3)/(10)."""
    valid_count = np.asarray(groups.valid_count, dtype=np.int64)
    sample_count = np.asarray(groups.sample_count, dtype=np.int64)
    has_valid = valid_count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = np.where(has_valid, np.asarray(groups.valid_sum, float) / valid_count, np.nan)
    cou = np.where(np.asarray(groups.cou_count) > 0, np.asarray(groups.cou_sum, float), np.nan)
    if medium == GAS:
        flag = gas_period_flag(valid_count, sample_count, settings.gas_normal_share)
    else:
        present = np.zeros((len(valid_count), len(ABNORMAL_FLAG_ORDER)), dtype=bool)
        for row, text in enumerate(groups.abnormal_flags):
            if text:
                seen = np.array(text.split(","), dtype=object)
                present[row] = abnormal_table(seen, settings).any(axis=0)
        flag = water_period_flag(present)
    return Periods.build(
        groups.pollutant,
        groups.start,
        avg=avg,
        min=np.where(has_valid, groups.valid_min, np.nan),
        max=np.where(has_valid, groups.valid_max, np.nan),
        cou=cou,
        valid=hour_is_valid(valid_count, medium, minute_interval, settings),
        valid_count=valid_count,
        sample_count=sample_count,
        flag=flag,
    )


def periods_from_device(
    pollutant: np.ndarray,
    start: np.ndarray,
    avg: np.ndarray,
    min_: np.ndarray,
    max_: np.ndarray,
    cou: np.ndarray,
    flag: np.ndarray,
    settings: MonitoringSettings,
) -> Periods:
    """A device's own hourly or daily values as periods, validated by their flag alone: one
    input each (sample_count 1), valid when its flag is (Table 8). Invalid ones keep no mean;
    the device's value stays in device_avg."""
    avg = np.asarray(avg, dtype=float)
    ok = flag_is_valid(flag, settings) & np.isfinite(avg)
    return Periods.build(
        pollutant,
        start,
        avg=np.where(ok, avg, np.nan),
        min=np.where(ok, np.where(np.isfinite(min_), min_, avg), np.nan),
        max=np.where(ok, np.where(np.isfinite(max_), max_, avg), np.nan),
        cou=np.where(ok, cou, np.nan),
        valid=ok,
        valid_count=ok.astype(np.int64),
        sample_count=np.ones(len(avg), dtype=np.int64),
        flag=normalise_flags(flag, settings),
        device_avg=avg,
    )


def merge_device(ours: Periods, device: Periods) -> Periods:
    """Our periods with the device's value beside each (device_avg), plus the device's own
    periods where we have none from finer data (a point sending hourly data only)."""
    if len(device) == 0:
        return ours
    if len(ours) == 0:
        return device
    codes_ = np.unique(np.concatenate([ours.pollutant, device.pollutant]).astype(str))
    our_keys = _keys(ours.pollutant, ours.start, codes_)
    device_keys = _keys(device.pollutant, device.start, codes_)
    order = np.argsort(device_keys)
    at = np.searchsorted(device_keys[order], our_keys)
    at = np.minimum(at, len(order) - 1)
    matched = device_keys[order][at] == our_keys
    device_avg = np.where(matched, device.device_avg[order][at], np.nan)
    merged = replace(ours, device_avg=device_avg)
    extra = ~np.isin(device_keys, our_keys)
    return merged.concat(device.take(np.flatnonzero(extra))) if extra.any() else merged


def apply_units(periods: Periods, factors: Mapping[str, float]) -> Periods:
    """Values sent in other units (ppm, m3/h) brought to App. B's default unit; Cou (an amount,
    kg or m3) is not a rate and stays as it is."""
    if not factors or len(periods) == 0:
        return periods
    factor = np.array([factors.get(p, 1.0) for p in periods.pollutant], dtype=float)
    if np.all(factor == 1.0):
        return periods
    return replace(
        periods,
        avg=periods.avg * factor,
        min=periods.min * factor,
        max=periods.max * factor,
        device_avg=periods.device_avg * factor,
    )


def converts_to_reference_o2(pollutant: str) -> bool:
    """Flue-gas mass concentrations (App. B.2, mg/m3) get a reference-O2 value; O2, flow and
    the other state quantities do not."""
    info = codes.pollutant(pollutant)
    return info is not None and info.medium == codes.FLUE_GAS and info.unit == "mg/m3"


def mg_per_unit(pollutant: str, medium: str) -> float | None:
    """mg per unit of `pollutant`'s concentration (per m3 for gas, per L for water) when its
    discharged amount is a mass; None for flows, O2, pH, temperature and the like."""
    info = codes.pollutant(pollutant)
    if info is None or info.mass_unit not in ("kg", "g", "mg"):
        return None
    factor = _MG_PER.get(info.unit)
    if factor is None or info.unit.endswith("/L") != (medium == WATER):
        return None
    return factor


def finish(
    periods: Periods,
    *,
    medium: str,
    reference_o2: float | None,
    hours: float,
    settings: MonitoringSettings,
) -> Periods:
    """Reference-O2 values, flow volumes and emitted masses of periods `hours` long.

    - zs_*: each flue-gas concentration times (21 - O2_ref)/(21 - O2) with the same period's
      valid O2 mean (a19001), eq. (28); none without a valid O2 or at O2 >= the cap.
    - Flow volume (cou of a00000 / w00000): the Cou sent, else from the mean flow: flue gas
      Q (m3/s) x 3600 x hours (eq. (32)), wastewater Q (L/s) x 3.6 x hours (eq. (1)).
    - emission_kg: flue gas C x Q (m3/h) x 1e-6 x hours (eq. (33)); wastewater C x D (m3) x
      1e-3 (eq. (8)); only where both the concentration and the flow are valid.
    """
    if len(periods) == 0:
        return periods
    pollutant = periods.pollutant.astype(str)
    starts, at = np.unique(periods.start, return_inverse=True)
    at = at.reshape(-1)

    def per_start(code: str, column: np.ndarray, need_valid: bool = True) -> np.ndarray:
        """column of `code`'s row at each row's start (NaN where there is none)."""
        by_start = np.full(len(starts), np.nan)
        rows = np.flatnonzero(pollutant == code)
        if need_valid:
            rows = rows[periods.valid[rows]]
        by_start[at[rows]] = column[rows]
        return by_start[at]

    zs_avg, zs_min, zs_max = periods.zs_avg, periods.zs_min, periods.zs_max
    if medium == GAS and reference_o2 is not None:
        convertible = np.array([converts_to_reference_o2(p) for p in pollutant], dtype=bool)
        factor = reference_o2_factor(per_start(O2_CODE, periods.avg), reference_o2, settings.o2_cap)
        factor = np.where(convertible, factor, np.nan)
        zs_avg, zs_min, zs_max = periods.avg * factor, periods.min * factor, periods.max * factor

    flow_code = FLUE_GAS_FLOW_CODE if medium == GAS else WASTEWATER_FLOW_CODE
    cou = periods.cou.copy()
    is_flow = pollutant == flow_code
    if medium == GAS:
        from_mean = flue_gas_flow_m3_per_h(periods.avg) * hours
    else:
        from_mean = wastewater_volume_m3(periods.avg, hours)
    cou[is_flow] = np.where(np.isfinite(cou[is_flow]), cou[is_flow], from_mean[is_flow])

    mg_factor = np.array([mg_per_unit(p, medium) or np.nan for p in pollutant], dtype=float)
    concentration_mg = np.where(periods.valid, periods.avg * mg_factor, np.nan)
    if medium == GAS:
        flow = flue_gas_flow_m3_per_h(per_start(flow_code, periods.avg))
        emission = flue_gas_emission_kg(concentration_mg, flow, hours)
    else:
        emission = wastewater_emission_kg(concentration_mg, per_start(flow_code, cou))
    return replace(
        periods, zs_avg=zs_avg, zs_min=zs_min, zs_max=zs_max, cou=cou, emission_kg=emission
    )


def days_from_hours(hours: Periods, *, medium: str, settings: MonitoringSettings) -> Periods:
    """Daily values from hourly ones: the mean of the valid hourly means (App. D eq. (25) /
    (17)), valid with 20 of them; extremes of the valid hours; Cou, volumes and masses summed
    over the valid hours (eq. (4), (11), (32), (34)); reference-O2 value the mean of the valid
    hours' values; flag by the App. C.18 note from the hours' flags."""
    if len(hours) == 0:
        return Periods.empty()
    day = hours.start.astype("datetime64[D]")
    group, first = _group(hours.pollutant, day)
    size = len(first)
    valid = hours.valid
    valid_count = np.bincount(group[valid], minlength=size).astype(np.int64)
    sample_count = np.bincount(group, minlength=size).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = _group_sum(group, hours.avg, valid & np.isfinite(hours.avg), size) / valid_count
        zs_ok = valid & np.isfinite(hours.zs_avg)
        zs_avg = _group_sum(group, hours.zs_avg, zs_ok, size) / np.bincount(
            group[zs_ok], minlength=size
        )
    low = np.where(np.isfinite(hours.min), hours.min, hours.avg)
    high = np.where(np.isfinite(hours.max), hours.max, hours.avg)
    zs_low = np.where(np.isfinite(hours.zs_min), hours.zs_min, hours.zs_avg)
    zs_high = np.where(np.isfinite(hours.zs_max), hours.zs_max, hours.zs_avg)
    normal = flag_is_valid(hours.flag, settings)
    if medium == GAS:
        normal_count = np.bincount(group[normal], minlength=size)
        flag = gas_period_flag(normal_count, sample_count, settings.gas_normal_share)
    else:
        table = abnormal_table(hours.flag, settings)
        present = np.stack(
            [np.bincount(group, weights=table[:, i], minlength=size) > 0
             for i in range(len(ABNORMAL_FLAG_ORDER))],
            axis=1,
        )  # fmt: skip
        flag = water_period_flag(present)
    return Periods.build(
        hours.pollutant[first],
        day[first].astype("datetime64[s]"),
        avg=avg,
        min=_group_extreme(np.minimum, group, low, valid & np.isfinite(low), size),
        max=_group_extreme(np.maximum, group, high, valid & np.isfinite(high), size),
        cou=_group_sum(group, hours.cou, valid & np.isfinite(hours.cou), size),
        zs_avg=zs_avg,
        zs_min=_group_extreme(np.minimum, group, zs_low, valid & np.isfinite(zs_low), size),
        zs_max=_group_extreme(np.maximum, group, zs_high, valid & np.isfinite(zs_high), size),
        valid=day_is_valid(valid_count, medium, settings),
        valid_count=valid_count,
        sample_count=sample_count,
        emission_kg=_group_sum(
            group, hours.emission_kg, valid & np.isfinite(hours.emission_kg), size
        ),
        flag=flag,
    )


# --- live state of a point, capture over a window ------------------------------------------


#: A point with no data for this long is offline (ecozone's setting for the map).
OFFLINE_AFTER = timedelta(hours=2)


#: HJ 212-2017 Table 8: D instrument fault, B instrument-to-data-logger link fault.
FAULT_FLAGS = frozenset({"D", "B"})


#: Hours in the capture window of the dashboard.
CAPTURE_WINDOW_HOURS = 24


def live_state(
    latest_data_time: datetime | None,
    latest_flags: Iterable[str | None],
    open_exceedance: bool,
    now: datetime,
    *,
    offline_after: timedelta = OFFLINE_AFTER,
) -> LiveState:
    """The state a point shows on the map, judged in this order:

    offline   no data at all, or the newest data_time is `offline_after` (2 h) or
              more before `now` (both device time, naive CST);
    fault     a value at the newest data_time carries flag D or B (HJ 212-2017 Table 8);
    exceeding an exceedance alert is still open and its condition has not ended;
    normal    otherwise.
    Offline wins because stale data says nothing about now; a faulty instrument's
    values cannot support an exceedance either way.
    """
    if latest_data_time is None or now - latest_data_time >= offline_after:
        return LiveState.OFFLINE
    if any((flag or "").strip().upper() in FAULT_FLAGS for flag in latest_flags):
        return LiveState.FAULT
    if open_exceedance:
        return LiveState.EXCEEDING
    return LiveState.NORMAL


def capture_rate(valid_hours: int, expected_hours: int) -> float | None:
    """Share of expected hourly values that are valid, in percent (HJ 75-2017 数据捕集率 reading:
    valid hours / hours the point should have reported); None when nothing was expected."""
    if valid_hours < 0 or expected_hours < 0:
        raise ValueError(f"hour counts cannot be negative: {valid_hours} of {expected_hours}")
    if expected_hours == 0:
        return None
    return 100.0 * min(valid_hours, expected_hours) / expected_hours
