"""Emission–electricity linkage as pure functions over a common time grid (NumPy).

Strategy: every series is first put on one grid of equal intervals (a
minute, usually), NaN where nothing arrived; a meter's power becomes one
state per interval (off / idle / running / abnormal, domain-2.md §1.4), and
each finding is a run of intervals where a condition holds for at least its
configured duration. Working on arrays keeps a month of minute data for a
zone well under a second, and makes every rule a few lines of boolean logic.
Pure: no I/O, no clock, no settings read here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ecozone.power.model import (
    AbnormalCause,
    Finding,
    FindingType,
    Grid,
    LearnedThresholds,
    LimitRequirement,
    LimitWindow,
    LinkageSettings,
    OperatingState,
    PowerError,
    Response,
    StateRun,
    StateThresholds,
    WeatherWarning,
)

# State codes on the grid; ABNORMAL covers every AbnormalCause.
OFF, IDLE, RUNNING, ABNORMAL = 0, 1, 2, 3
_STATE_OF_CODE = {
    OFF: OperatingState.OFF,
    IDLE: OperatingState.IDLE,
    RUNNING: OperatingState.RUNNING,
    ABNORMAL: OperatingState.ABNORMAL,
}
_NO_CAUSE, _NO_DATA, _CONSTANT, _BACKWARDS = 0, 1, 2, 3
_CAUSE_OF_CODE = {
    _NO_DATA: AbnormalCause.NO_DATA,
    _CONSTANT: AbnormalCause.CONSTANT,
    _BACKWARDS: AbnormalCause.COUNTER_BACKWARDS,
}


@dataclass(frozen=True)
class MeterStates:
    """A meter's state per grid interval and, where abnormal, its cause code."""

    states: np.ndarray  # int8 codes OFF/IDLE/RUNNING/ABNORMAL
    causes: np.ndarray  # int8 cause codes, 0 where not abnormal
    power: np.ndarray  # kW per interval, NaN where unknown


# --- series onto the grid ----------------------------------------------------------


def to_grid(times: Sequence[datetime], values: Sequence[float], grid: Grid) -> np.ndarray:
    """The last value received in each interval of `grid`, NaN where none; values outside the
    grid are ignored."""
    out = np.full(grid.slots, np.nan)
    if not times:
        return out
    offsets = np.array([(t - grid.start) / grid.step for t in times])
    slots = np.floor(offsets).astype(np.int64)
    keep = (slots >= 0) & (slots < grid.slots)
    order = np.argsort(offsets[keep], kind="stable")  # later samples overwrite earlier ones
    out[slots[keep][order]] = np.asarray(values, dtype=float)[keep][order]
    return out


def power_from_current(
    current_a: np.ndarray,
    *,
    voltage_v: float,
    power_factor: float,
    ct_ratio: float = 1.0,
    three_phase: bool = True,
) -> np.ndarray:
    """Active power in kW from a meter's current: P = √3·U·I·cosφ for a balanced three-phase
    load (U line-to-line), U·I·cosφ for one phase; I is the secondary current times the CT
    ratio (IEC 60050-131 definitions of active power)."""
    if voltage_v <= 0 or not 0 < power_factor <= 1 or ct_ratio <= 0:
        raise PowerError("voltage and CT ratio must be positive and 0 < power factor ≤ 1")
    factor = math.sqrt(3) if three_phase else 1.0
    return factor * voltage_v * np.asarray(current_a, float) * ct_ratio * power_factor / 1000


def power_from_energy(counter_kwh: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Mean power per interval from an energy counter (kWh difference / hours) and the mask of
    intervals where the counter went backwards (a meter reset or a tampered counter)."""
    counter = np.asarray(counter_kwh, float)
    hours = grid.step.total_seconds() / 3600
    delta = np.full(counter.shape, np.nan)
    delta[1:] = counter[1:] - counter[:-1]
    backwards = delta < 0
    power = np.where(backwards, np.nan, delta / hours)
    return power, backwards


# --- states -------------------------------------------------------------------------


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in `mask`, end exclusive."""
    padded = np.concatenate(([False], np.asarray(mask, bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _value_runs(codes: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, code) of each run of equal codes."""
    if codes.size == 0:
        return []
    edges = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [codes.size]))
    return [(int(s), int(e), int(codes[s])) for s, e in zip(starts, ends, strict=True)]


def _debounce(codes: np.ndarray, confirm: int) -> np.ndarray:
    """A change of state counts only once it lasts `confirm` intervals; shorter blips keep
    the state before them (a noisy meter does not flip between states)."""
    out = codes.copy()
    previous: int | None = None
    for start, end, code in _value_runs(codes):
        if previous is not None and code != previous and end - start < confirm:
            out[start:end] = previous
        else:
            previous = code
    return out


def classify(
    power: np.ndarray, thresholds: StateThresholds, *, backwards: np.ndarray | None = None
) -> MeterStates:
    """Each interval's operating state by domain-2.md §1.4: OFF below θ_off·P_ref, IDLE below
    θ_low·P_ref, RUNNING above; ABNORMAL for gaps longer than the allowed one (shorter gaps
    keep the last state), a non-zero value frozen for `constant_slots`, or an energy counter
    going backwards. Changes between OFF/IDLE/RUNNING are confirmed over `confirm_slots`."""
    power = np.asarray(power, float)
    n = power.size
    causes = np.zeros(n, np.int8)
    missing = np.isnan(power)
    if backwards is not None:
        causes[np.asarray(backwards, bool)] = _BACKWARDS
        missing &= ~np.asarray(backwards, bool)
    for start, end in runs(missing):
        if end - start > thresholds.max_gap_slots:
            causes[start:end] = _NO_DATA
    valid = ~np.isnan(power)
    same = np.zeros(n, bool)
    same[1:] = valid[1:] & valid[:-1] & (power[1:] == power[:-1])
    for start, end in runs(same):
        first = start - 1  # the run of equal values begins one interval before its first repeat
        if end - first >= thresholds.constant_slots and power[first] > thresholds.off_kw:
            causes[first:end] = _CONSTANT

    codes = np.full(n, -1, np.int8)
    codes[valid] = np.where(
        power[valid] < thresholds.off_kw,
        OFF,
        np.where(power[valid] < thresholds.low_kw, IDLE, RUNNING),
    )
    codes = _forward_fill(codes)
    codes = _debounce(codes, thresholds.confirm_slots)
    codes[causes != _NO_CAUSE] = ABNORMAL
    codes[codes < 0] = ABNORMAL  # a gap at the very start has no state to keep
    causes[(codes == ABNORMAL) & (causes == _NO_CAUSE)] = _NO_DATA
    return MeterStates(codes, causes, power)


def _forward_fill(codes: np.ndarray) -> np.ndarray:
    index = np.where(codes >= 0, np.arange(codes.size), 0)
    np.maximum.accumulate(index, out=index)
    return codes[index]  # leading gaps stay -1: codes[0] is then -1 itself


def state_runs(meter: MeterStates, grid: Grid, thresholds: StateThresholds) -> list[StateRun]:
    """The state timeline as runs, each naming the rule that produced it."""
    rules = {
        OFF: f"P < {thresholds.off_kw:g} kW (θ_off {thresholds.off_fraction:g} × P_ref)",
        IDLE: f"{thresholds.off_kw:g} ≤ P < {thresholds.low_kw:g} kW "
        f"(θ_low {thresholds.low_fraction:g} × P_ref)",
        RUNNING: f"P ≥ {thresholds.low_kw:g} kW",
    }
    cause_rules = {
        _NO_DATA: f"no data for more than {thresholds.max_gap_slots} intervals",
        _CONSTANT: f"same non-zero value for {thresholds.constant_slots} intervals or more",
        _BACKWARDS: "energy counter decreased",
    }
    keyed = meter.states.astype(np.int16) * 8 + meter.causes
    out = []
    for start, end, key in _value_runs(keyed):
        code, cause = divmod(key, 8)
        out.append(
            StateRun(
                _STATE_OF_CODE[code],
                grid.time(start),
                grid.time(end),
                cause_rules[cause] if code == ABNORMAL else rules[code],
                _CAUSE_OF_CODE.get(cause) if code == ABNORMAL else None,
            )
        )
    return out


def learn_thresholds(power: np.ndarray, *, bins: int = 100) -> LearnedThresholds:
    """Off and low levels from the clusters of a meter's own power distribution: the best
    split into three groups (off, idle, running) by least squares over a histogram (Fisher's
    natural breaks, exact on the binned data), or into two when no distinct idle group
    exists. Boundaries lie midway between neighbouring centres; with two groups the idle
    band is 30–60 % of the way up, a heuristic to check against the calibrated power."""
    values = np.asarray(power, float)
    values = values[~np.isnan(values)]
    if values.size < 10:
        raise PowerError(f"{values.size} power values are too few to learn thresholds from")
    low, high = float(values.min()), float(values.max())
    if high <= low:
        raise PowerError("the meter's power never changes: thresholds cannot be learned")
    index = np.minimum(((values - low) / (high - low) * bins).astype(int), bins - 1)
    count = np.concatenate(([0], np.cumsum(np.bincount(index, minlength=bins))))
    total = np.concatenate(([0], np.cumsum(np.bincount(index, values, minlength=bins))))
    squares = np.concatenate(([0], np.cumsum(np.bincount(index, values**2, minlength=bins))))

    def sse(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # of bins [a, b)
        n = count[b] - count[a]
        s = total[b] - total[a]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, squares[b] - squares[a] - s * s / np.maximum(n, 1), 0.0)

    def centre(a: int, b: int) -> float:
        return float((total[b] - total[a]) / (count[b] - count[a]))

    i, j = np.meshgrid(np.arange(1, bins), np.arange(1, bins), indexing="ij")
    cost = np.where(i < j, sse(0, i) + sse(i, j) + sse(j, np.full_like(j, bins)), np.inf)
    cost[(count[i] == 0) | (count[j] == count[i]) | (count[j] == values.size)] = np.inf
    a, b = np.unravel_index(np.argmin(cost), cost.shape)
    first, second = int(a) + 1, int(b) + 1
    split3 = (
        (centre(0, first), centre(first, second), centre(second, bins))
        if np.isfinite(cost[a, b])
        else None
    )
    span = high - low
    if (
        split3 is not None
        and min(np.diff(split3)) > 0.1 * span
        and (count[second] - count[first]) >= 0.02 * values.size
    ):
        centres = split3
        off_kw, low_kw = (centres[0] + centres[1]) / 2, (centres[1] + centres[2]) / 2
    else:
        k = np.arange(1, bins)
        two = sse(np.zeros_like(k), k) + sse(k, np.full_like(k, bins))
        two[(count[k] == 0) | (count[k] == values.size)] = np.inf
        cut = int(np.argmin(two)) + 1
        centres = (centre(0, cut), centre(cut, bins))
        off_kw = centres[0] + 0.3 * (centres[1] - centres[0])
        low_kw = centres[0] + 0.6 * (centres[1] - centres[0])
    return LearnedThresholds(float(off_kw), float(low_kw), tuple(centres), int(values.size))


# --- findings -----------------------------------------------------------------------


def _mean(values: np.ndarray) -> float | None:
    finite = values[~np.isnan(values)]
    return round(float(finite.mean()), 3) if finite.size else None


def _finding(
    kind: FindingType,
    grid: Grid,
    span: tuple[int, int],
    control: str | None,
    production: Mapping[str, MeterStates],
    rule: str,
    **evidence: object,
) -> Finding:
    start, end = span
    running = tuple(k for k, m in production.items() if np.any(m.states[start:end] == RUNNING))
    load = {k: _mean(production[k].power[start:end]) for k in running}
    return Finding(
        kind,
        grid.time(start),
        grid.time(end),
        control,
        running,
        rule,
        {"slots": end - start, "production_kw": load, **evidence},
    )


def _any_running(production: Mapping[str, MeterStates], slots: int) -> np.ndarray:
    running = np.zeros(slots, bool)
    for meter in production.values():
        running |= meter.states == RUNNING
    return running


def find_linkage(
    grid: Grid,
    control_key: str,
    control: MeterStates,
    production: Mapping[str, MeterStates],
    settings: LinkageSettings,
    *,
    excused: np.ndarray | None = None,
) -> list[Finding]:
    """Findings A, B and C for one control facility and the production facilities it serves.

    While any served production runs and the control does not (domain-2.md §1.4):
    a stretch that begins when production starts is a late start (B) once it lasts
    more than T2; one that ends when production stops is an early stop (B) beyond the
    stop tolerance; any other stretch is A where the control is OFF for ≥ T1 and C where
    it idles for ≥ T3. Intervals where the control's own data are abnormal, and
    `excused` ones (declared shutdown or maintenance), are not judged.
    """
    n = grid.slots
    prod_run = _any_running(production, n)
    judged = np.ones(n, bool) if excused is None else ~np.asarray(excused, bool)
    not_running = (control.states == OFF) | (control.states == IDLE)
    gap_mask = prod_run & not_running & judged
    findings: list[Finding] = []
    prod_runs = runs(prod_run)
    starts = {s for s, _ in prod_runs if s > 0}  # a run at the grid's edge has no known start
    stops = {e for _, e in prod_runs if e < n}
    for start, end in runs(gap_mask):
        late, early = start in starts, end in stops
        length = end - start
        ctl_kw = _mean(control.power[start:end])
        if late and not early:
            if length > settings.start_delay_slots:
                findings.append(
                    _finding(
                        FindingType.UNSYNCHRONISED,
                        grid,
                        (start, end),
                        control_key,
                        production,
                        f"control started {length} intervals after production "
                        f"(T2 = {settings.start_delay_slots})",
                        edge="late_start",
                        control_kw=ctl_kw,
                    )
                )
            continue
        if early and not late:
            if length > settings.stop_tolerance_slots:
                findings.append(
                    _finding(
                        FindingType.UNSYNCHRONISED,
                        grid,
                        (start, end),
                        control_key,
                        production,
                        f"control stopped {length} intervals before production "
                        f"(tolerance {settings.stop_tolerance_slots})",
                        edge="early_stop",
                        control_kw=ctl_kw,
                    )
                )
            continue
        window = control.states[start:end]
        for kind, code, least, label in (
            (FindingType.CONTROL_OFF, OFF, settings.control_off_slots, "T1"),
            (FindingType.CONTROL_IDLE, IDLE, settings.control_idle_slots, "T3"),
        ):
            for s, e in runs(window == code):
                if e - s >= least:
                    span = (start + s, start + e)
                    findings.append(
                        _finding(
                            kind,
                            grid,
                            span,
                            control_key,
                            production,
                            f"control {_STATE_OF_CODE[code]} for {e - s} intervals "
                            f"while production runs ({label} = {least})",
                            control_kw=_mean(control.power[span[0] : span[1]]),
                        )
                    )
    return sorted(findings, key=lambda f: (f.start, f.type))


def find_limit_breaches(
    grid: Grid,
    key: str,
    meter: MeterStates,
    windows: Sequence[LimitWindow],
    settings: LinkageSettings,
) -> list[Finding]:
    """Finding D: a production facility running inside a stop order, or above its quota inside
    a limit order, for at least the configured duration (domain-2.md §1.4, 停限产/错峰)."""
    findings = []
    step = np.timedelta64(int(grid.step.total_seconds() * 1e6), "us")
    times = np.datetime64(grid.start, "us") + step * np.arange(grid.slots)
    for window in windows:
        inside = (times >= np.datetime64(window.start, "us")) & (
            times < np.datetime64(window.end, "us")
        )
        if window.requirement is LimitRequirement.STOP:
            breach = inside & (meter.states == RUNNING)
            what = "running during a stop order"
        else:
            if window.quota_kw is None:
                raise PowerError("a production-limit order needs its quota in kW")
            breach = inside & (np.nan_to_num(meter.power, nan=-np.inf) > window.quota_kw)
            what = f"above the quota of {window.quota_kw:g} kW"
        for start, end in runs(breach):
            if end - start >= settings.limit_order_slots:
                findings.append(
                    _finding(
                        FindingType.LIMIT_ORDER,
                        grid,
                        (start, end),
                        None,
                        {key: meter},
                        f"{what} for {end - start} intervals "
                        f"(order {window.level or window.requirement})",
                        order=window.requirement.value,
                        level=window.level,
                        quota_kw=window.quota_kw,
                        max_kw=None
                        if np.all(np.isnan(meter.power[start:end]))
                        else float(np.nanmax(meter.power[start:end])),
                    )
                )
    return findings


def response_windows(
    warnings: Sequence[WeatherWarning], responses: Sequence[Response]
) -> list[LimitWindow]:
    """The limit windows a facility's emergency list makes of declared warnings: at each
    warning, the facility's response for the highest level not above the warning's (a
    higher level keeps the lower levels' measures; domain-2.md §1.4 type D); none when the
    list names nothing at or below it."""
    ranked = sorted(responses, key=lambda r: r.level.rank)
    windows = []
    for warning in warnings:
        chosen = [r for r in ranked if r.level.rank <= warning.level.rank]
        if chosen:
            r = chosen[-1]
            windows.append(
                LimitWindow(
                    warning.start, warning.end, r.requirement, r.quota_kw, warning.level.value
                )
            )
    return windows


def analyser_silence(
    values: np.ndarray,
    flags: Sequence[str | None],
    *,
    quiet_flags: frozenset[str] = frozenset({"F", "M", "D", "C"}),
    near_zero: float = 0.0,
    flat_slots: int = 30,
) -> np.ndarray:
    """Intervals where an emission analyser tells nothing usable: no data, a flag of stop,
    maintenance, fault or calibration (HJ 212-2017 Table 10: F, M, D, C), a value at or below
    `near_zero`, or a value unchanged for `flat_slots` intervals."""
    values = np.asarray(values, float)
    quiet = np.isnan(values) | (np.nan_to_num(values, nan=np.inf) <= near_zero)
    quiet |= np.array([f in quiet_flags for f in flags], bool) if len(flags) else False
    same = np.zeros(values.size, bool)
    same[1:] = values[1:] == values[:-1]
    for start, end in runs(same):
        if end - start + 1 >= flat_slots:
            quiet[start - 1 : end] = True
    return quiet


def find_analyser_silence(
    grid: Grid,
    analyser: str,
    silent: np.ndarray,
    production: Mapping[str, MeterStates],
    settings: LinkageSettings,
    *,
    excused: np.ndarray | None = None,
) -> list[Finding]:
    """Finding E: the outlet's analyser silent while production it serves runs (suspected
    tampering or a stopped analyser), for at least the configured duration."""
    mask = np.asarray(silent, bool) & _any_running(production, grid.slots)
    if excused is not None:
        mask &= ~np.asarray(excused, bool)
    return [
        _finding(
            FindingType.ANALYSER_SILENT,
            grid,
            (s, e),
            None,
            production,
            f"analyser {analyser} silent for {e - s} intervals while production runs",
            analyser=analyser,
        )
        for s, e in runs(mask)
        if e - s >= settings.analyser_silent_slots
    ]


def window_mask(grid: Grid, windows: Sequence[tuple[datetime, datetime]]) -> np.ndarray:
    """Intervals of `grid` that overlap any (start, end) window: declared shutdowns and
    maintenance excuse them."""
    mask = np.zeros(grid.slots, bool)
    for start, end in windows:
        first = max(0, math.floor((start - grid.start) / grid.step))
        last = min(grid.slots, math.ceil((end - grid.start) / grid.step))
        if first < last:
            mask[first:last] = True
    return mask


def estimate_emission_kg(energy_kwh: float, factor_kg_per_kwh: float) -> float:
    """Emission estimated from activity where no analyser exists: E = EF × production
    electricity (the activity-data method; the factor and its source are configured and
    shown with every estimate)."""
    if energy_kwh < 0 or factor_kg_per_kwh < 0:
        raise PowerError("energy and emission factor must not be negative")
    return energy_kwh * factor_kg_per_kwh
