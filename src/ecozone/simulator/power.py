# Virtual meters of a production line and its control facility, minute by minute, with
# labelled episodes of each linkage finding among normal operation (domain-2.md §1.4).
#
# Strategy: each day of a (seed, enterprise) pair draws its plan from hashed randomness
# (simulator._random), so any day can be computed alone and a backfill draws what a live
# run drew. A day is one production shift; the control facility follows it within the
# tolerances, and at most one episode is injected per kind. Hard cases that must NOT raise
# a finding are labelled too: planned shutdowns of both (declared), a control start a few
# minutes late within tolerance, noisy meters, grid outages (both meters silent) and a
# production-limit order obeyed. Pure: no I/O.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from ecozone.power.model import FindingType
from ecozone.simulator import _random as rnd

DAY_MINUTES = 1440


@dataclass(frozen=True)
class Episode:
    """A labelled stretch: `type` None for a hard case that must raise nothing."""

    type: FindingType | None
    start: datetime
    end: datetime
    label: str


@dataclass
class LinkageDays:
    """Minute series of one pair over whole days, with what was injected."""

    start: datetime
    production_kw: np.ndarray
    control_kw: np.ndarray
    analyser: np.ndarray  # the outlet's particulate concentration, NaN when silent
    analyser_flags: list[str]
    episodes: list[Episode] = field(default_factory=list)
    orders: list[tuple[datetime, datetime, str]] = field(default_factory=list)  # stop orders
    declared: list[tuple[datetime, datetime]] = field(default_factory=list)  # shutdown marks

    def time(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)


@dataclass(frozen=True)
class PairSpec:
    """A production line and the control facility serving it, with their rated powers."""

    key: str  # unique within the scenario (e.g. the enterprise's credit code)
    production_kw: float = 250.0
    control_kw: float = 75.0


def pair_for(key: str) -> PairSpec:
    """The rated powers of a metering logger's pair, drawn from its key (the MN), so the
    demo's configuration and its virtual meters agree without sharing state."""
    production = 150 + 150 * rnd.u(rnd.key("power-rating", key), 0)
    control = 45 + 30 * rnd.u(rnd.key("power-rating", key), 1)
    return PairSpec(key, production_kw=round(production), control_kw=round(control))


@lru_cache(maxsize=512)
def one_day(seed: int, key: str, day_start: datetime) -> LinkageDays:
    """One day of a pair's meters (cached: a device asks for it minute after minute)."""
    return linkage_days(seed, pair_for(key), day_start, 1)


#: Chance per day of each injected episode, and of each hard case.
RATES = {
    FindingType.CONTROL_OFF: 0.18,
    FindingType.UNSYNCHRONISED: 0.18,
    FindingType.CONTROL_IDLE: 0.15,
    FindingType.LIMIT_ORDER: 0.08,
    FindingType.ANALYSER_SILENT: 0.12,
    "planned_shutdown": 0.05,
    "late_within_tolerance": 0.25,
    "grid_outage": 0.05,
    "order_obeyed": 0.08,
}


def _u(seed: int, pair: str, day: int, what: str) -> float:
    return rnd.u(rnd.key(seed, pair, "power", what), day)


def _between(seed: int, pair: str, day: int, what: str, lo: int, hi: int) -> int:
    return lo + int(_u(seed, pair, day, what) * (hi - lo + 1))


def linkage_days(seed: int, spec: PairSpec, start: datetime, days: int) -> LinkageDays:
    """`days` whole days from `start` (a midnight) of the pair's meters and analyser."""
    n = days * DAY_MINUTES
    production = np.zeros(n)
    control = np.zeros(n)
    out = LinkageDays(start, production, control, np.zeros(n), ["N"] * n)
    for d in range(days):
        _day(seed, spec, d, out)
    minutes = np.arange(n)
    noise_key = rnd.key(seed, spec.key, "power", "noise")
    running_p = production > 0
    running_c = control > 0
    # noisy meters: 2 % of rated power, only while a facility draws power
    production += np.where(running_p, 0.02 * spec.production_kw * rnd.gauss(noise_key, minutes), 0)
    control += np.where(running_c, 0.02 * spec.control_kw * rnd.gauss(noise_key ^ 1, minutes), 0)
    np.maximum(production, 0, out=production)
    np.maximum(control, 0, out=control)
    # the analyser reads dust that wobbles while the line runs, near nothing when it stops
    dust = 12 + 3 * rnd.gauss(noise_key ^ 2, minutes)
    out.analyser = np.where(
        running_p, np.maximum(dust, 0.5), 0.3 + 0.1 * rnd.unit(noise_key ^ 3, minutes)
    )
    _silence(out)
    return out


def _day(seed: int, spec: PairSpec, d: int, out: LinkageDays) -> None:
    base = d * DAY_MINUTES
    key = spec.key

    def chance(what: object) -> bool:
        return _u(seed, key, d, str(what)) < RATES[what]

    def at(minute: int) -> datetime:
        return out.time(base + minute)

    if chance("planned_shutdown"):  # both stopped all day, declared beforehand
        out.declared.append((at(0), at(DAY_MINUTES)))
        out.episodes.append(Episode(None, at(0), at(DAY_MINUTES), "planned_shutdown"))
        return
    p_on = _between(seed, key, d, "p_on", 7 * 60, 9 * 60)
    p_off = _between(seed, key, d, "p_off", 18 * 60, 21 * 60)
    c_on = p_on - _between(seed, key, d, "c_lead", 0, 3)  # control starts first, as it should
    c_off = p_off + _between(seed, key, d, "c_lag", 0, 3)
    load = spec.production_kw * (0.75 + 0.2 * _u(seed, key, d, "load"))
    out.production_kw[base + p_on : base + p_off] = load
    late = chance(FindingType.UNSYNCHRONISED)
    if not late and chance("late_within_tolerance"):
        c_on = p_on + _between(seed, key, d, "late_small", 1, 3)
        out.episodes.append(Episode(None, at(p_on), at(c_on), "late_within_tolerance"))
    if late:
        if _u(seed, key, d, "late_or_early") < 0.5:
            c_on = p_on + _between(seed, key, d, "late_big", 10, 25)
            out.episodes.append(
                Episode(FindingType.UNSYNCHRONISED, at(p_on), at(c_on), "late_start")
            )
        else:
            c_off = p_off - _between(seed, key, d, "early_big", 10, 25)
            out.episodes.append(
                Episode(FindingType.UNSYNCHRONISED, at(c_off), at(p_off), "early_stop")
            )
    out.control_kw[base + c_on : base + c_off] = spec.control_kw * 0.8
    # mid-shift episodes in separate thirds of the shift, so they never touch each other
    third = (p_off - p_on) // 3
    slots = {"off": p_on + 30, "idle": p_on + third + 10, "silent": p_on + 2 * third + 10}
    if chance(FindingType.CONTROL_OFF):
        s = slots["off"] + _between(seed, key, d, "off_at", 0, 30)
        e = s + _between(seed, key, d, "off_len", 15, 60)
        out.control_kw[base + s : base + e] = 0
        out.episodes.append(Episode(FindingType.CONTROL_OFF, at(s), at(e), "control_off"))
    if chance(FindingType.CONTROL_IDLE):
        s = slots["idle"] + _between(seed, key, d, "idle_at", 0, 30)
        e = s + _between(seed, key, d, "idle_len", 15, 45)
        out.control_kw[base + s : base + e] = spec.control_kw * 0.18
        out.episodes.append(Episode(FindingType.CONTROL_IDLE, at(s), at(e), "control_idle"))
    if chance(FindingType.ANALYSER_SILENT):
        s = slots["silent"] + _between(seed, key, d, "silent_at", 0, 30)
        e = s + _between(seed, key, d, "silent_len", 15, 40)
        out.analyser_flags[base + s : base + e] = ["M"] * (e - s)
        out.episodes.append(
            Episode(FindingType.ANALYSER_SILENT, at(s), at(e), "analyser_maintenance")
        )
    if chance("grid_outage"):  # every meter of the site goes quiet together
        s = p_off + 30 if p_off + 90 < DAY_MINUTES else 60
        e = s + _between(seed, key, d, "outage_len", 20, 50)
        out.production_kw[base + s : base + e] = np.nan
        out.control_kw[base + s : base + e] = np.nan
        out.episodes.append(Episode(None, at(s), at(e), "grid_outage"))
    if chance(FindingType.LIMIT_ORDER):  # an evening order the line ignores
        s, e = p_off - 90, p_off - 30
        out.orders.append((at(s), at(e), "橙色预警"))
        out.episodes.append(Episode(FindingType.LIMIT_ORDER, at(s), at(e), "order_ignored"))
    elif chance("order_obeyed"):  # an order for the night, when the line is stopped anyway
        out.orders.append((at(p_off + 60), at(min(p_off + 240, DAY_MINUTES)), "黄色预警"))
        out.episodes.append(Episode(None, at(p_off + 60), at(p_off + 120), "order_obeyed"))


def _silence(out: LinkageDays) -> None:
    """The analyser reports nothing usable under a maintenance flag or a grid outage."""
    flags = np.array([f == "M" for f in out.analyser_flags])
    out.analyser[flags | np.isnan(out.production_kw)] = np.nan
