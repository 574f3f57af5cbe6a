# What virtual instruments read: pure functions of (device, scenario, time), no I/O.
#
# Strategy: every random number is a hash of (seed, MN, what, counter), so any
# instant can be computed on its own and in any order; live uploads and a
# backfill months later give the same numbers. Samples are made one clock hour
# at a time (720 instantaneous values 5 s apart, the CEMS rate of HJ 212-2017
# App. D eq. 23), with per-minute data flags from event episodes keyed by the
# hour they start in. Everything a device sends derives from these hour blocks:
# Rtd is a sample, interval (minute) records aggregate samples, hour records
# aggregate the rounded interval records and day records the rounded hour
# records, so the numbers on the wire add up exactly.

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from ecozone.hj212.codes import DataFlag
from ecozone.simulator import _random as rnd
from ecozone.simulator import power
from ecozone.simulator.model import DeviceSpec, PointKind, Scenario, SimulatorError
from ecozone.simulator.sources import (
    CODES,
    COMBUSTION,
    WATER,
    check_pollutants,
    combustion_type,
    cou_decimals,
    decimals,
    schedule_for,
    water_type,
)

__all__ = [
    "EPOCH",
    "SAMPLE_S",
    "HourBlock",
    "Reading",
    "Record",
    "combine",
    "combine_flags",
    "day_data",
    "hour_block",
    "hour_data",
    "interval_data",
    "interval_records",
    "minute_flags",
    "reading_at",
    "realtime",
    "record_starts",
]

EPOCH = datetime(2000, 1, 1)  # a Saturday; hour and day counters start here
SAMPLE_S = 5
_PER_MINUTE = 60 // SAMPLE_S
_PER_HOUR = 3600 // SAMPLE_S
_OFFSETS = np.arange(_PER_HOUR, dtype=np.int64) * SAMPLE_S

# Flag states as small integers, in precedence order when events overlap: a stopped
# plant outranks maintenance, which outranks a fault, which outranks a calibration.
_N, _C, _D, _M, _F = 0, 1, 2, 3, 4
_FLAG_OF = {_N: DataFlag.N, _C: DataFlag.C, _D: DataFlag.D, _M: DataFlag.M, _F: DataFlag.F}
_PRECEDENCE = (DataFlag.F, DataFlag.M, DataFlag.D, DataFlag.C)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One real-time value (CN 2011): Rtd, its flag and, for flue gas with a reference
    O2, the value converted to it (ZsRtd)."""

    value: float
    flag: DataFlag
    zs: float | None = None


@dataclass(frozen=True)
class Record:
    """One minute, hour or day record (CN 2051/2061/2031), rounded as sent.

    `cou` is the interval's total (HJ 212-2017 App. D): volume in m3 for the point's
    flow, discharged mass in kg for pollutants of a point with a flow, else None.
    """

    avg: float
    min: float
    max: float
    flag: DataFlag
    cou: float | None = None
    zs_avg: float | None = None
    zs_min: float | None = None
    zs_max: float | None = None


@dataclass(frozen=True, eq=False)
class HourBlock:
    """One clock hour of one device: 720 samples per code, one flag per minute."""

    spec: DeviceSpec
    start: datetime
    values: Mapping[str, np.ndarray]
    zs: Mapping[str, np.ndarray]  # codes with a converted value only
    amount: Mapping[str, np.ndarray]  # per-sample m3 or kg, codes with a Cou only
    flags: Mapping[str, np.ndarray]  # 60 states per code


# --- time helpers --------------------------------------------------------------------------


def _index(t: datetime, step_s: int) -> int:
    seconds = (t - EPOCH) // timedelta(seconds=1)
    if (t - EPOCH) % timedelta(seconds=step_s):
        raise SimulatorError(f"{t} is not on a {step_s} s boundary")
    return seconds // step_s


def _hour_of_day(t: np.ndarray) -> np.ndarray:
    return (t % 86400) / 3600.0


def _weekday(t: np.ndarray) -> np.ndarray:
    return (t // 86400 + 5) % 7  # Monday 0; EPOCH was a Saturday


def _season(t: np.ndarray) -> np.ndarray:
    """+1 in mid-January, -1 in mid-July."""
    day = (t / 86400.0) % 365.2425
    return np.cos(2.0 * np.pi * (day - 15.0) / 365.2425)


_SHIFTS = {"day_shift": (8.0, 18.0, 5), "two_shift": (6.5, 23.0, 6)}  # start, stop, workdays


def _running(schedule: str, t: np.ndarray) -> np.ndarray:
    """Whether the plant produces at each time: shift plants stop outside their hours."""
    if schedule not in _SHIFTS:
        return np.ones(len(t), dtype=bool)
    start, stop, workdays = _SHIFTS[schedule]
    h = _hour_of_day(t)
    return (_weekday(t) < workdays) & (h >= start) & (h < stop)


def _production(schedule: str, keys: rnd.Keys, t: np.ndarray) -> np.ndarray:
    """Production load 0..1 per sample; 0 means stopped. Continuous plants follow the day
    (lower at night); shift plants stop outside their hours and ramp up over 30 minutes."""
    h = _hour_of_day(t)
    wobble = 1.0 + 0.05 * rnd.smooth(keys("load"), t, 1800)
    if schedule not in _SHIFTS:
        level = (0.80 + 0.12 * np.sin(2.0 * np.pi * (h - 9.0) / 24.0)) * wobble
        return np.clip(level, 0.3, 1.0)
    start = _SHIFTS[schedule][0]
    ramp = np.clip(0.35 + 0.65 * (h - start) * 2.0, 0.35, 1.0)  # full after 30 minutes
    level = np.clip(0.85 * ramp * wobble, 0.25, 1.0)
    return np.where(_running(schedule, t), level, 0.0)


def _follows_production(spec: DeviceSpec) -> bool:
    """Air and water quality stations and municipal plants run whatever the factories do;
    power meters follow their own shift plan (simulator.power)."""
    if spec.kind in (PointKind.AMBIENT_AIR, PointKind.SURFACE_WATER, PointKind.POWER):
        return False
    return not (spec.kind is PointKind.WASTEWATER and water_type(spec.industry) == "municipal")


# --- events --------------------------------------------------------------------------------


def _episodes(
    key: int,
    hour: int,
    share: float,
    min_minutes: int,
    max_minutes: int,
    start_hours: Sequence[int] | None = None,
) -> list[tuple[int, int, int]]:
    """Episodes overlapping the hour as (begin, end, start hour), in minutes since EPOCH.

    An episode may start in any hour (or only in `start_hours` of the day) with a
    probability chosen so that about `share` of all hours are covered; its start
    minute and length come from the same hash, so the hour it starts in decides it.
    """
    if share <= 0:
        return []
    mean_hours = (min_minutes + max_minutes) / 120.0
    open_hours = 24 if start_hours is None else len(start_hours)
    p_start = min(1.0, share * 24.0 / (open_hours * mean_hours))
    found = []
    for h in range(hour - math.ceil(max_minutes / 60), hour + 1):
        if start_hours is not None and h % 24 not in start_hours:
            continue
        if rnd.u(key, h, 0) >= p_start:
            continue
        begin = h * 60 + int(rnd.u(key, h, 1) * 60)
        end = begin + min_minutes + int(rnd.u(key, h, 2) * (max_minutes - min_minutes + 1))
        if end > hour * 60 and begin < hour * 60 + 60:
            found.append((begin, end, h))
    return found


def _calibrations(key: int, hour: int, per_day: float) -> list[tuple[int, int]]:
    """The daily 10-minute zero/span check of one instrument, at its own time of night."""
    if per_day <= 0:
        return []
    day = hour // 24
    begin = day * 1440 + 60 + int(rnd.u(key, 0) * 180) + int(rnd.u(key, day, 1) * 6)
    if rnd.u(key, day, 0) >= per_day:
        return []
    end = begin + 10
    if end > hour * 60 and begin < hour * 60 + 60:
        return [(begin, end)]
    return []


def _mask(episodes: Sequence[tuple[int, ...]], hour: int) -> np.ndarray:
    minutes = hour * 60 + np.arange(60)
    mask = np.zeros(60, dtype=bool)
    for begin, end, *_ in episodes:
        mask |= (minutes >= begin) & (minutes < end)
    return mask


@dataclass
class _Context:
    level: np.ndarray | None  # production load per sample, None: not production-driven
    flags: dict[str, np.ndarray]
    calibration: dict[str, list[tuple[int, int]]]  # per code
    bursts: dict[str, np.ndarray]  # per code: target factor of the limit per sample, nan: none


def _context(
    spec: DeviceSpec, scenario: Scenario, keys: rnd.Keys, hour: int, *, samples: bool = True
) -> _Context:
    """Flags per minute and, when `samples`, what the generators need per sample."""
    table = CODES[spec.kind]
    if spec.kind is PointKind.POWER:  # meters read on; their episodes are simulator.power's
        return _Context(None, {c: np.zeros(60, dtype=np.int8) for c in spec.pollutants}, {}, {})
    groups: dict[str, list[str]] = {}
    for code in spec.pollutants:
        groups.setdefault(table[code].group, []).append(code)
    flags = {code: np.zeros(60, dtype=np.int8) for code in spec.pollutants}
    calibration: dict[str, list[tuple[int, int]]] = {}
    for group, codes in groups.items():
        checked = [code for code in codes if table[code].span is not None]
        if checked:
            found = _calibrations(keys("calibration", group), hour, scenario.calibration_per_day)
            mask = _mask(found, hour)
            for code in checked:
                calibration[code] = found
                flags[code][mask] = _C
        faults = _episodes(keys("fault", group), hour, scenario.fault_hour_share, 60, 360)
        mask = _mask(faults, hour)
        for code in codes:
            flags[code][mask] = _D
    maintenance = _episodes(
        keys("maintenance"), hour, scenario.maintenance_hour_share, 60, 180, range(9, 17)
    )
    mask = _mask(maintenance, hour)
    for code in spec.pollutants:
        flags[code][mask] = _M

    level = None
    if _follows_production(spec):
        schedule = schedule_for(spec.industry)
        stopped = ~_running(schedule, hour * 3600 + np.arange(60, dtype=np.int64) * 60)
        for code in spec.pollutants:
            flags[code][stopped] = _F
        if samples:
            level = _production(schedule, keys, hour * 3600 + _OFFSETS)

    bursts: dict[str, np.ndarray] = {}
    limited = [code for code in spec.pollutants if table[code].role == "mass"]
    prone = rnd.u(keys("exceedance-prone"), 0) < scenario.exceedance_device_share
    if samples and limited and prone:
        key = keys("exceedance")
        for begin, end, start in _episodes(key, hour, scenario.exceedance_hour_share, 60, 180):
            code = limited[int(rnd.u(key, start, 3) * len(limited))]
            factor = 1.15 + 0.5 * rnd.u(key, start, 4)
            minutes = hour * 60 + _OFFSETS // 60
            active = (minutes >= begin) & (minutes < end)
            target = bursts.setdefault(code, np.full(_PER_HOUR, np.nan))
            target[active] = factor
    return _Context(level, flags, calibration, bursts)


# --- generators: physical values per sample ------------------------------------------------


def _flue_gas(
    spec: DeviceSpec, keys: rnd.Keys, t: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    source = COMBUSTION[combustion_type(spec.reference_o2)]
    level = ctx.level if ctx.level is not None else np.ones(len(t))
    on = level > 0
    counters = t // SAMPLE_S

    def noise(what: str) -> np.ndarray:
        return rnd.gauss(keys("noise", what), counters)

    o2_running = (
        source.o2_full
        + (source.o2_low - source.o2_full) * (1.0 - level) / 0.75
        + 0.25 * rnd.smooth(keys("o2"), t, 600)
        + 0.08 * noise("a19001")
    )
    o2 = np.clip(np.where(on, o2_running, 20.6 + 0.1 * noise("a19001")), 0.5, 20.9)
    flow_rated = source.flow_m3_per_s * rnd.scale(keys("scale", "flow"), 0.4)
    flow = (
        flow_rated
        * np.where(on, 0.2 + 0.8 * level, 0.01)
        * (1.0 + 0.03 * rnd.smooth(keys("flow"), t, 900) + 0.01 * noise("a00000"))
    )
    temp = (
        source.temp_idle
        + np.where(on, (source.temp_full - source.temp_idle) * (0.6 + 0.4 * level), 0.0)
        + 1.5 * rnd.smooth(keys("temp"), t, 1800)
        + 0.3 * noise("a01012")
    )
    humidity = np.where(on, source.humidity, 2.0) + 0.5 * rnd.smooth(keys("hum"), t, 1800)
    values: dict[str, np.ndarray] = {}
    for code in spec.pollutants:
        if code in source.mean:
            mean = source.mean[code] * rnd.scale(keys("scale", code), 0.2)
            at_ref = (
                mean
                * (0.8 + 0.25 * level)
                * np.exp(0.18 * rnd.smooth(keys("level", code), t, 900))
                * (1.0 + 0.04 * noise(code))
            )
            burst = ctx.bursts.get(code)
            if burst is not None:
                at_ref = np.where(
                    np.isnan(burst), at_ref, source.limit[code] * burst * (1 + 0.03 * noise(code))
                )
            if spec.reference_o2 is None:
                measured = at_ref
            else:
                measured = at_ref * (21.0 - o2) / (21.0 - spec.reference_o2)
            idle = mean * 0.03 * (1.0 + 0.3 * np.abs(noise(code)))
            values[code] = np.maximum(np.where(on, measured, idle), 0.0)
        elif code == "a19001":
            values[code] = o2
        elif code == "a00000":
            values[code] = flow
        elif code == "a01012":
            values[code] = temp
        elif code == "a01014":
            values[code] = np.clip(humidity, 0.0, 40.0)
        elif code == "a01011":
            # actual velocity over a duct sized for 12 m/s at full load
            area = flow_rated / 12.0
            actual = flow * (273.0 + temp) / 273.0 / (1.0 - np.clip(humidity, 0, 40) / 100.0)
            values[code] = actual / area
    return values


def _wastewater(
    spec: DeviceSpec, keys: rnd.Keys, t: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    water = WATER[water_type(spec.industry)]
    counters = t // SAMPLE_S
    h = _hour_of_day(t)
    season = _season(t)
    rated = water.flow_l_per_s * rnd.scale(keys("scale", "flow"), 0.5)
    if ctx.level is None:  # municipal plant: inflow follows the city's day, and the rain
        diurnal = (
            1.0
            + 0.22 * np.sin(2 * np.pi * (h - 8.0) / 24)
            + 0.08 * np.sin(4 * np.pi * (h - 10.0) / 24)
        )
        wobble = 1 + 0.05 * rnd.smooth(keys("flow"), t, 1800)
        flow = rated * diurnal * (1.0 - 0.12 * season) * wobble
        level = np.ones(len(t))
    else:
        level = ctx.level
        flow = rated * level * (1 + 0.1 * rnd.smooth(keys("flow"), t, 900))
        flow = flow * (1 + 0.03 * rnd.gauss(keys("noise", "w00000"), counters))
    values: dict[str, np.ndarray] = {}
    for code in spec.pollutants:
        if code == "w00000":
            values[code] = np.maximum(flow, 0.0)
        elif code == "w01001":
            values[code] = (
                water.ph
                + 0.15 * rnd.smooth(keys("level", code), t, 3600)
                + 0.02 * rnd.gauss(keys("noise", code), counters)
            )
        else:
            mean = water.mean[code] * rnd.scale(keys("scale", code), 0.2)
            sigma = 0.35 if code == "w21003" else 0.2
            conc = (
                mean
                * np.exp(sigma * rnd.smooth(keys("level", code), t, 1800))
                * (1.0 + 0.02 * rnd.gauss(keys("noise", code), counters))
            )
            if code == "w21003" and ctx.level is None:
                conc = conc * (1.0 + 0.35 * season)  # nitrification slows in winter
            burst = ctx.bursts.get(code)
            if burst is not None:
                conc = np.where(np.isnan(burst), conc, water.limit[code] * burst)
            values[code] = np.maximum(conc, 0.0)
    return values


def _ambient_air(
    spec: DeviceSpec, keys: rnd.Keys, t: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    # µg/m3 (CO mg/m3) first; the zone's weather is shared by all stations of a seed
    counters = t // SAMPLE_S
    h = _hour_of_day(t)
    season = _season(t)
    weather = np.exp(0.35 * rnd.smooth(rnd.key(keys.seed, "weather"), t, 12 * 3600))
    local = 1.0 + 0.1 * rnd.smooth(keys("local"), t, 3 * 3600)
    traffic = (
        1.0
        + 0.3 * np.exp(-(((h - 8.5) / 1.5) ** 2))
        + 0.35 * np.exp(-(((h - 20.0) / 2.0) ** 2))
        - 0.15 * np.exp(-(((h - 14.0) / 2.5) ** 2))
    )
    sun = np.clip(np.sin(np.pi * (h - 8.0) / 13.0), 0.0, None) ** 1.5  # peaks mid-afternoon
    pm25 = 35.0 * (1.0 + 0.45 * season) * weather * (1.0 + 0.12 * np.cos(2 * np.pi * (h - 9) / 24))
    physical = {
        "a34004": pm25,
        "a34002": pm25 * (1.55 + 0.15 * rnd.smooth(keys("coarse"), t, 6 * 3600)),
        "a21004": 38.0 * (1.0 + 0.25 * season) * weather**0.6 * traffic,
        "a21005": 0.8 * (1.0 + 0.3 * season) * weather**0.7 * traffic**0.5,
        "a21026": 9.0 * (1.0 + 0.3 * season) * weather**0.5,
        "a05024": 70.0 * (1.0 - 0.45 * season) * (0.35 + 1.3 * sun) * weather**-0.3,
    }
    to_sent = {"a34004": 1000.0, "a34002": 1000.0, "a21005": 1.0}  # ng/m3, mg/m3; rest mg/m3
    values: dict[str, np.ndarray] = {}
    for code in spec.pollutants:
        noise = 1.0 + 0.05 * rnd.gauss(keys("noise", code), counters)
        scale = rnd.scale(keys("scale", code), 0.15)
        values[code] = np.maximum(physical[code] * local * noise * scale, 0.0) * to_sent.get(
            code, 0.001
        )
    return values


def _surface_water(
    spec: DeviceSpec, keys: rnd.Keys, t: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    counters = t // SAMPLE_S
    h = _hour_of_day(t)
    season = _season(t)
    temp = 18.0 - 8.0 * season + 0.5 * np.sin(2 * np.pi * (h - 9.0) / 24)
    saturation = 14.6 - 0.39 * temp + 0.0072 * temp**2  # mg/L of O2 in fresh water
    daylight = np.sin(2 * np.pi * (h - 8.0) / 24)  # photosynthesis lifts DO and pH by day
    physical = {
        "w01010": temp + 0.2 * rnd.smooth(keys("level", "w01010"), t, 3 * 3600),
        "w01009": saturation * (0.86 + 0.05 * daylight)
        + 0.2 * rnd.smooth(keys("level", "w01009"), t, 3 * 3600),
        "w01001": 7.9 + 0.12 * daylight + 0.05 * rnd.smooth(keys("level", "w01001"), t, 6 * 3600),
        "w01019": 2.2
        * (1.0 - 0.15 * season)
        * np.exp(0.2 * rnd.smooth(keys("level", "w01019"), t, 6 * 3600)),
        "w21003": 0.15
        * (1.0 + 0.3 * season)
        * np.exp(0.35 * rnd.smooth(keys("level", "w21003"), t, 6 * 3600)),
        "w21011": 0.08 * np.exp(0.25 * rnd.smooth(keys("level", "w21011"), t, 6 * 3600)),
    }
    values: dict[str, np.ndarray] = {}
    for code in spec.pollutants:
        noise = 0.01 * rnd.gauss(keys("noise", code), counters)
        values[code] = np.maximum(physical[code] * (1.0 + noise), 0.0)
    return values


def _power(
    spec: DeviceSpec, keys: rnd.Keys, t: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    """Production and control power (kW) of the logger's pair: the minute plan of
    simulator.power with its labelled episodes; a grid outage reads 0."""
    minutes = t // 60
    production = np.zeros(len(t))
    control = np.zeros(len(t))
    for day in np.unique(minutes // 1440):
        days = power.one_day(keys.seed, spec.mn, EPOCH + timedelta(days=int(day)))
        inside = minutes // 1440 == day
        of_day = minutes[inside] - day * 1440
        production[inside] = np.nan_to_num(days.production_kw[of_day])
        control[inside] = np.nan_to_num(days.control_kw[of_day])
    return {"d20405": production, "d30406": control}


_GENERATORS = {
    PointKind.FLUE_GAS: _flue_gas,
    PointKind.WASTEWATER: _wastewater,
    PointKind.AMBIENT_AIR: _ambient_air,
    PointKind.SURFACE_WATER: _surface_water,
    PointKind.POWER: _power,
}


def _span(spec: DeviceSpec, code: str, span: float) -> float:
    if span >= 0:
        return span
    if spec.kind is PointKind.FLUE_GAS:
        return 2.0 * COMBUSTION[combustion_type(spec.reference_o2)].limit[code]
    return 0.8 * WATER[water_type(spec.industry)].limit[code]


def _apply_states(
    spec: DeviceSpec,
    keys: rnd.Keys,
    hour: int,
    t: np.ndarray,
    ctx: _Context,
    values: dict[str, np.ndarray],
) -> None:
    """What an instrument reads while not measuring: zero then span gas or solution during a
    check (C), a reading stuck at zero (D), erratic readings during maintenance (M)."""
    minutes = hour * 60 + _OFFSETS // 60
    table = CODES[spec.kind]
    for code, flags in ctx.flags.items():
        states = np.repeat(flags, _PER_MINUTE)
        if not states.any():
            continue
        value = values[code]
        entry = table[code]
        for begin, end in ctx.calibration.get(code, ()):
            middle = (begin + end) // 2
            zero = (minutes >= begin) & (minutes < middle) & (states == _C)
            span = (minutes >= middle) & (minutes < end) & (states == _C)
            value[zero] = entry.zero
            value[span] = _span(spec, code, entry.span) * (
                1.0 + 0.002 * rnd.gauss(keys("span", code), t[span] // SAMPLE_S)
            )
        value[states == _D] = 0.0
        erratic = states == _M
        value[erratic] *= 1.2 * rnd.unit(keys("maintenance", code), t[erratic] // SAMPLE_S)


def hour_block(spec: DeviceSpec, scenario: Scenario, hour_start: datetime) -> HourBlock:
    """The samples and minute flags of one clock hour. `hour_start` must be on the hour."""
    check_pollutants(spec)
    hour = _index(hour_start, 3600)
    keys = rnd.Keys(scenario.seed, spec.mn)
    t = hour * 3600 + _OFFSETS
    ctx = _context(spec, scenario, keys, hour)
    values = _GENERATORS[spec.kind](spec, keys, t, ctx)
    _apply_states(spec, keys, hour, t, ctx, values)

    zs: dict[str, np.ndarray] = {}
    amount: dict[str, np.ndarray] = {}
    table = CODES[spec.kind]
    if spec.kind is PointKind.FLUE_GAS and spec.reference_o2 is not None:
        o2 = values.get("a19001")
        if o2 is not None:
            # HJ 212-2017 App. D eq. (28); O2 capped at 19 % so a stopped stack's air
            # does not blow the converted value up (domain.md 2.1)
            factor = (21.0 - spec.reference_o2) / (21.0 - np.minimum(o2, 19.0))
            for code in spec.pollutants:
                if table[code].role == "mass":
                    zs[code] = values[code] * factor
    flow_code = "a00000" if spec.kind is PointKind.FLUE_GAS else "w00000"
    flow = values.get(flow_code)
    if flow is not None:
        if spec.kind is PointKind.FLUE_GAS:
            volume = flow * SAMPLE_S  # m3/s over one sample
            per_mg = 1e-6  # mg/m3 * m3 -> kg, App. D eq. (33)
        else:
            volume = flow * SAMPLE_S / 1000.0  # L/s -> m3, App. D eq. (1)
            per_mg = 1e-3  # mg/L * m3 -> kg, App. D eq. (8)
        amount[flow_code] = volume
        for code in spec.pollutants:
            if table[code].role == "mass":
                amount[code] = volume * values[code] * per_mg
    for arrays in (values, zs, amount):
        for array in arrays.values():
            array.flags.writeable = False
    return HourBlock(spec, hour_start, values, zs, amount, ctx.flags)


def minute_flags(
    spec: DeviceSpec, scenario: Scenario, hour_start: datetime
) -> dict[str, list[DataFlag]]:
    """The data flag of each minute of an hour, per code, without computing values: the
    cheap way to look at event frequencies over long ranges."""
    check_pollutants(spec)
    hour = _index(hour_start, 3600)
    ctx = _context(spec, scenario, rnd.Keys(scenario.seed, spec.mn), hour, samples=False)
    return {code: [_FLAG_OF[s] for s in states.tolist()] for code, states in ctx.flags.items()}


# --- what a device sends ---------------------------------------------------------------------


def reading_at(block: HourBlock, t: datetime) -> dict[str, Reading]:
    """Real-time values at `t` (within the block's hour): the sample taken at or before it."""
    offset = (t - block.start).total_seconds()
    if not 0 <= offset < 3600:
        raise SimulatorError(f"{t} is outside the hour starting {block.start}")
    i = int(offset) // SAMPLE_S
    kind = block.spec.kind
    readings = {}
    for code in block.spec.pollutants:
        places = decimals(kind, code)
        zs = block.zs.get(code)
        readings[code] = Reading(
            value=round(float(block.values[code][i]), places),
            flag=_FLAG_OF[int(block.flags[code][i // _PER_MINUTE])],
            zs=None if zs is None else round(float(zs[i]), places),
        )
    return readings


def combine_flags(kind: PointKind, flags: Sequence[DataFlag]) -> DataFlag:
    """The flag of a record from the flags of what it aggregates (HJ 212-2017 C.16-C.18):
    air: normal when more than 75 % are normal; water: normal only when all are. Otherwise
    the commonest other flag, where the standard writes D for air: a declared stop,
    maintenance or calibration keeps its own name that way."""
    normal = sum(1 for flag in flags if flag is DataFlag.N)
    air = PointKind(kind) in (PointKind.FLUE_GAS, PointKind.AMBIENT_AIR)
    if (air and normal > 0.75 * len(flags)) or (not air and normal == len(flags)):
        return DataFlag.N
    counts = Counter(flag for flag in flags if flag is not DataFlag.N)
    return max(counts, key=lambda flag: (counts[flag], -_PRECEDENCE.index(flag)))


def interval_records(block: HourBlock, minutes: int) -> list[tuple[datetime, dict[str, Record]]]:
    """The hour's minute-data records for a MinInterval of `minutes`, each stamped with the
    start of its interval (HJ 212-2017 C.16). Values aggregate the samples of the
    interval's normal minutes (App. D eq. 23), or all of them when none is normal."""
    if minutes <= 0 or 60 % minutes:
        raise SimulatorError(f"MinInterval {minutes} does not divide an hour")
    kind = block.spec.kind
    count = 60 // minutes
    columns: dict[str, list] = {}
    for code in block.spec.pollutants:
        states = block.flags[code].reshape(count, minutes)
        normal = states == _N
        # rows without a normal minute aggregate all of theirs
        use = np.repeat(normal | ~normal.any(axis=1, keepdims=True), _PER_MINUTE, axis=1)
        places = decimals(kind, code)

        def stats(array: np.ndarray, places: int = places, use: np.ndarray = use) -> list:
            rows = array.reshape(count, minutes * _PER_MINUTE)
            total = np.where(use, rows, 0.0).sum(axis=1)
            mean = total / use.sum(axis=1)
            low = np.where(use, rows, np.inf).min(axis=1)
            high = np.where(use, rows, -np.inf).max(axis=1)
            return [np.round(column, places).tolist() for column in (mean, low, high, total)]

        avg, low, high, _ = stats(block.values[code])
        zs = block.zs.get(code)
        zs_stats = stats(zs) if zs is not None else None
        amount = block.amount.get(code)
        cou_places = cou_decimals(kind, code)
        cou = None
        if amount is not None and cou_places is not None:
            cou = stats(amount, cou_places)[3]
        all_normal = normal.all(axis=1).tolist()
        flags = [
            DataFlag.N if plain else combine_flags(kind, [_FLAG_OF[s] for s in row])
            for plain, row in zip(all_normal, states.tolist(), strict=True)
        ]
        columns[code] = [avg, low, high, flags, cou, zs_stats]
    out = []
    for row in range(count):
        records = {}
        for code, (avg, low, high, flags, cou, zs_stats) in columns.items():
            records[code] = Record(
                avg=avg[row],
                min=low[row],
                max=high[row],
                flag=flags[row],
                cou=None if cou is None else cou[row],
                zs_avg=None if zs_stats is None else zs_stats[0][row],
                zs_min=None if zs_stats is None else zs_stats[1][row],
                zs_max=None if zs_stats is None else zs_stats[2][row],
            )
        out.append((block.start + timedelta(minutes=row * minutes), records))
    return out


def combine(kind: PointKind, records: Sequence[Mapping[str, Record]]) -> dict[str, Record]:
    """An hour record from its interval records, or a day record from its hour records.

    Avg is the mean of the normal records' averages (App. D eq. 24/25, 16/17), Min and
    Max the extremes of theirs, Cou the sum of theirs (eq. 3/4, 10/11); all records
    count when none is normal. Works on the rounded values as sent, so a receiver can
    check the arithmetic.
    """
    if not records:
        raise SimulatorError("no records to combine")
    out = {}
    for code in records[0]:
        entries = [record[code] for record in records]
        flag = combine_flags(kind, [entry.flag for entry in entries])
        chosen = [entry for entry in entries if entry.flag is DataFlag.N] or entries
        places = decimals(kind, code)
        cou_places = cou_decimals(kind, code)

        def mean(values: list[float | None], places: int = places) -> float | None:
            if any(value is None for value in values):
                return None
            return round(math.fsum(values) / len(values), places)  # type: ignore[arg-type]

        out[code] = Record(
            avg=mean([e.avg for e in chosen]),  # type: ignore[arg-type]
            min=min(e.min for e in chosen),
            max=max(e.max for e in chosen),
            flag=flag,
            cou=None
            if cou_places is None or chosen[0].cou is None
            else round(math.fsum(e.cou or 0.0 for e in chosen), cou_places),
            zs_avg=mean([e.zs_avg for e in chosen]),
            zs_min=None if chosen[0].zs_min is None else min(e.zs_min or 0.0 for e in chosen),
            zs_max=None if chosen[0].zs_max is None else max(e.zs_max or 0.0 for e in chosen),
        )
    return out


def record_starts(kind: str, begin: datetime, end: datetime, minutes: int = 1) -> list[datetime]:
    """Start times of the `kind` ("minute", "hour" or "day") records a history request for
    BeginTime..EndTime covers, both ends included (HJ 212-2017 C.20-C.22); BeginTime is
    taken back to the start of its interval."""
    step = {
        "minute": timedelta(minutes=minutes),
        "hour": timedelta(hours=1),
        "day": timedelta(days=1),
    }[kind]
    first = EPOCH + (begin - EPOCH) // step * step
    starts = []
    t = first
    while t <= end:
        starts.append(t)
        t += step
    return starts


# --- conveniences: one call, one answer (tests, backfill without a cache) --------------------


def realtime(spec: DeviceSpec, scenario: Scenario, t: datetime) -> dict[str, Reading]:
    """Real-time values of `spec` at `t`."""
    start = t.replace(minute=0, second=0, microsecond=0)
    return reading_at(hour_block(spec, scenario, start), t)


def interval_data(
    spec: DeviceSpec, scenario: Scenario, start: datetime, minutes: int | None = None
) -> dict[str, Record]:
    """The minute-data record of the interval starting at `start`."""
    minutes = minutes or scenario.min_interval_for(spec.kind)
    if (start - EPOCH) % timedelta(minutes=minutes):
        raise SimulatorError(f"{start} is not on a {minutes}-minute boundary")
    block = hour_block(spec, scenario, start.replace(minute=0))
    for data_time, records in interval_records(block, minutes):
        if data_time == start:
            return records
    raise AssertionError("unreachable: the interval lies in its hour")


def hour_data(
    spec: DeviceSpec, scenario: Scenario, hour_start: datetime, minutes: int | None = None
) -> dict[str, Record]:
    """The hour record (CN 2061) of the hour starting at `hour_start`."""
    minutes = minutes or scenario.min_interval_for(spec.kind)
    block = hour_block(spec, scenario, hour_start)
    return combine(spec.kind, [records for _, records in interval_records(block, minutes)])


def day_data(
    spec: DeviceSpec, scenario: Scenario, day_start: datetime, minutes: int | None = None
) -> dict[str, Record]:
    """The day record (CN 2031) of the day starting at midnight `day_start`."""
    if day_start != day_start.replace(hour=0, minute=0, second=0, microsecond=0):
        raise SimulatorError(f"{day_start} is not a midnight")
    hours = [hour_data(spec, scenario, day_start + timedelta(hours=h), minutes) for h in range(24)]
    return combine(spec.kind, hours)
