"""The standards behind noise, dust and overflows as pure functions over plain values.

Noise follows GB 3096-2008 (Table 1 limits by functional zone, §5.4 night sudden noise) and
GB 12523-2011 (construction boundary); levels combine by energy, never arithmetically. Dust
rules are data (domain-2.md §10.4 found no Chongqing standard): each names its metric,
window, basis, limit and the exceedances a day may have. Overflow events are runs of wet
samples, their volume from measured flow or a weir formula, the method stated.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from ecozone.quality.model import (
    DustBasis,
    DustDay,
    DustExceedance,
    DustRule,
    HourLevel,
    NightApproval,
    NightFinding,
    NoiseLimits,
    OverflowEvent,
    Period,
    PeriodLevel,
    QualitySettings,
    SewerRole,
    VolumeMethod,
    ZoneClass,
)

#: GB 3096-2008 Table 1: (day, night) Leq limits in dB(A) per functional zone.
ZONE_LIMITS: dict[ZoneClass, tuple[float, float]] = {
    ZoneClass.C0: (50.0, 40.0),
    ZoneClass.C1: (55.0, 45.0),
    ZoneClass.C2: (60.0, 50.0),
    ZoneClass.C3: (65.0, 55.0),
    ZoneClass.C4A: (70.0, 55.0),
    ZoneClass.C4B: (70.0, 60.0),
}

#: HJ 212-2017 Table B.3 codes of a noise upload: equivalent level and greatest level.
LEQ = "Leq"
LMAX = "LMx"
#: HJ 212-2017 Table B.2: TSP and PM10.
TSP = "a34001"
PM10 = "a34002"
DUST_METRICS = (PM10, TSP)
GRAVITY = 9.81


def energy_mean(levels: Iterable[float]) -> float:
    """Equivalent level of equal-duration levels: 10·lg(mean(10^(L/10))) (GB 3096-2008 §3.4,
    the Leq definition applied to intervals of equal length)."""
    values = list(levels)
    if not values:
        raise ValueError("no levels to combine")
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def zone_limits(zone: ZoneClass, settings: QualitySettings) -> NoiseLimits:
    """GB 3096-2008 Table 1 limits of a zone; night Lmax margin per §5.4."""
    day, night = ZONE_LIMITS[zone]
    return NoiseLimits(day, night, settings.sudden_margin_db)


def construction_limits(settings: QualitySettings) -> NoiseLimits:
    """GB 12523-2011 §4.1 boundary limits (70/55) and the night Lmax margin (§4.2, (R))."""
    return NoiseLimits(
        settings.construction_day_db,
        settings.construction_night_db,
        settings.construction_sudden_margin_db,
    )


def hour_levels(samples: Iterable[tuple[datetime, float | None, float | None]]) -> list[HourLevel]:
    """Each clock hour's Leq (energy mean of the period Leq values that start in it) and Lmax
    (the greatest), from (time, Leq, Lmax) samples of equal duration."""
    leqs: dict[datetime, list[float]] = defaultdict(list)
    maxes: dict[datetime, list[float]] = defaultdict(list)
    for at, leq, lmax in samples:
        hour = at.replace(minute=0, second=0, microsecond=0)
        if leq is not None:
            leqs[hour].append(leq)
        if lmax is not None:
            maxes[hour].append(lmax)
    return [
        HourLevel(
            hour,
            energy_mean(leqs[hour]),
            max(maxes[hour]) if maxes[hour] else None,
            len(leqs[hour]),
        )
        for hour in sorted(leqs)
    ]


def period_of(hour: datetime, settings: QualitySettings) -> tuple[date, Period]:
    """The day or night an hour belongs to (GB 3096-2008 §3.7: 昼间 06:00-22:00, 夜间
    22:00-06:00); a night is dated by the evening it begins, so 02:00 on the 5th is the
    night of the 4th."""
    h = hour.hour
    if settings.day_start_hour <= h < settings.night_start_hour:
        return hour.date(), Period.DAY
    if h >= settings.night_start_hour:
        return hour.date(), Period.NIGHT
    return hour.date() - timedelta(days=1), Period.NIGHT


def day_night(
    hours: Sequence[HourLevel], limits: NoiseLimits, settings: QualitySettings
) -> list[PeriodLevel]:
    """Day and night Leq (energy mean of the hourly Leq), their Lmax, against the limits;
    nights carry the sudden-noise limit (night limit + margin, GB 3096-2008 §5.4)."""
    groups: dict[tuple[date, Period], list[HourLevel]] = defaultdict(list)
    for h in hours:
        groups[period_of(h.start, settings)].append(h)
    out = []
    for (day, period), members in sorted(groups.items()):
        maxes = [h.lmax for h in members if h.lmax is not None]
        night = period is Period.NIGHT
        out.append(
            PeriodLevel(
                day,
                period,
                energy_mean(h.leq for h in members),
                max(maxes) if maxes else None,
                len(members),
                limits.night if night else limits.day,
                limits.night_lmax if night else None,
            )
        )
    return out


def sudden_noise(lmax: float, limits: NoiseLimits) -> bool:
    """True when a night's Lmax exceeds the night limit by more than the margin (§5.4: the
    sudden noise may exceed the limit by at most 15 dB(A); at +15 exactly it is allowed)."""
    return lmax > limits.night_lmax


def approval_covers(approval: NightApproval, at: datetime) -> bool:
    """Whether night work at `at` falls in an approval: on one of its days, between its start
    and end time; a window that passes midnight belongs to the day it starts on."""
    start, end = approval.start, approval.end
    moment = at.time()
    crosses = end <= start
    if not crosses:
        return approval.first_day <= at.date() <= approval.last_day and start <= moment < end
    if moment >= start:
        return approval.first_day <= at.date() <= approval.last_day
    if moment < end:
        return approval.first_day <= at.date() - timedelta(days=1) <= approval.last_day
    return False


def night_findings(
    hours: Sequence[HourLevel],
    approvals: Sequence[NightApproval],
    limits: NoiseLimits,
    settings: QualitySettings,
) -> list[NightFinding]:
    """Night hours at a site boundary with Leq over the GB 12523-2011 night limit that no
    approval covers (night work without a permit), consecutive hours merged into one."""
    out: list[NightFinding] = []
    current: list[HourLevel] = []

    def close() -> None:
        if current:
            out.append(
                NightFinding(
                    current[0].start,
                    current[-1].start + timedelta(hours=1),
                    max(h.leq for h in current),
                    limits.night,
                )
            )
            current.clear()

    for h in sorted(hours, key=lambda h: h.start):
        unapproved = (
            period_of(h.start, settings)[1] is Period.NIGHT
            and h.leq > limits.night
            and not any(approval_covers(a, h.start) for a in approvals)
        )
        if unapproved and current and h.start != current[-1].start + timedelta(hours=1):
            close()
        if unapproved:
            current.append(h)
        else:
            close()
    close()
    return out


# --- construction dust ----------------------------------------------------------------------


def rule_in_force(rules: Iterable[DustRule], code: str, day: date) -> DustRule | None:
    """The newest version of rule `code` in effect on `day`."""
    found = [r for r in rules if r.code == code and r.effective_from <= day]
    return max(found, key=lambda r: r.version, default=None)


def window_means(
    samples: Iterable[tuple[datetime, float]], window_min: int
) -> dict[datetime, float]:
    """Arithmetic mean of the values in each window of `window_min` minutes, windows aligned
    to midnight (a 60-minute window is the clock hour)."""
    if window_min <= 0:
        raise ValueError("window must be positive")
    sums: dict[datetime, list[float]] = defaultdict(list)
    for at, value in samples:
        minutes = at.hour * 60 + at.minute
        start = datetime(at.year, at.month, at.day) + timedelta(
            minutes=minutes - minutes % window_min
        )
        sums[start].append(value)
    return {k: sum(v) / len(v) for k, v in sorted(sums.items())}


def dust_days(
    rule: DustRule,
    site_means: dict[datetime, float],
    background_means: dict[datetime, float] | None = None,
) -> list[DustDay]:
    """Each day with windows over the rule's limit: the value judged is the site's mean, or
    for a background rule its excess over the district's mean of the same window (a window
    without background is not judged). A day breaks the rule when it has more exceedances
    than the rule allows (domain-2.md §10.4: Hebei allows 2, Shanghai 1)."""
    found: dict[date, list[DustExceedance]] = defaultdict(list)
    for start, value in sorted(site_means.items()):
        background = None
        judged = value
        if rule.basis is DustBasis.BACKGROUND:
            background = (background_means or {}).get(start)
            if background is None:
                continue
            judged = value - background
        if judged > rule.limit:
            found[start.date()].append(DustExceedance(start, value, background, judged))
    return [
        DustDay(day, tuple(items), rule.allowed_per_day) for day, items in sorted(found.items())
    ]


# --- sewer overflows ------------------------------------------------------------------------


def weir_flow_m3_per_s(head_m: float, width_m: float, cd: float) -> float:
    """Rectangular sharp-crested weir: Q = 2/3·Cd·b·√(2g)·h^1.5 (h the head over the crest)."""
    if head_m <= 0:
        return 0.0
    return 2 / 3 * cd * width_m * math.sqrt(2 * GRAVITY) * head_m**1.5


def overflow_events(
    samples: Sequence[tuple[datetime, float]],
    role: SewerRole,
    interval: timedelta,
    settings: QualitySettings,
    *,
    crest_m: float | None = None,
    weir_width_m: float | None = None,
) -> list[OverflowEvent]:
    """Runs of wet samples (flow over the dry threshold, or level over the crest), each sample
    standing for `interval`; a gap of more than one interval ends a run. Volume: Σ flow·Δt for
    a flow meter (L/s), the weir formula for a level gauge with its width, else none."""
    if role is SewerRole.LEVEL and crest_m is None:
        return []
    wet_above = settings.overflow_min_l_per_s if role is SewerRole.OVERFLOW else crest_m
    runs: list[list[tuple[datetime, float]]] = []
    for at, value in sorted(samples):
        if value is None or value <= wet_above:  # type: ignore[operator]
            continue
        if runs and at - runs[-1][-1][0] <= interval:
            runs[-1].append((at, value))
        else:
            runs.append([(at, value)])
    seconds = interval.total_seconds()
    out = []
    for run in runs:
        if role is SewerRole.OVERFLOW:
            volume: float | None = sum(v for _t, v in run) * seconds / 1000
            method = VolumeMethod.FLOW
        elif weir_width_m:
            volume = (
                sum(
                    weir_flow_m3_per_s(v - crest_m, weir_width_m, settings.weir_cd)  # type: ignore[operator]
                    for _t, v in run
                )
                * seconds
            )
            method = VolumeMethod.WEIR
        else:
            volume, method = None, VolumeMethod.NONE
        out.append(
            OverflowEvent(run[0][0], run[-1][0] + interval, max(v for _t, v in run), volume, method)
        )
    return out


def rainfall_mm(rain: Iterable[tuple[datetime, float]], start: datetime, end: datetime) -> float:
    """Rain that fell from `start` to `end` (sum of the gauge's interval totals)."""
    return sum(v for at, v in rain if start <= at < end)


def monthly_stats(events: Iterable[OverflowEvent]) -> list[dict[str, object]]:
    """Per month (by start): number of overflows, their hours, volume where estimated, and
    how many came with rain."""
    months: dict[str, dict[str, float]] = {}
    for e in events:
        key = f"{e.start:%Y-%m}"
        m = months.setdefault(
            key, {"events": 0, "hours": 0.0, "volume_m3": 0.0, "unestimated": 0, "with_rain": 0}
        )
        m["events"] += 1
        m["hours"] += e.hours
        if e.volume_m3 is None:
            m["unestimated"] += 1
        else:
            m["volume_m3"] += e.volume_m3
        if e.rainfall_mm:
            m["with_rain"] += 1
    return [{"month": k, **v} for k, v in sorted(months.items())]
