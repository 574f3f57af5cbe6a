"""Hand-worked cases of GB 3096-2008, GB 12523-2011, the dust rules and the overflow events."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest

from ecozone.quality import rules
from ecozone.quality.model import (
    DustBasis,
    DustRule,
    HourLevel,
    NightApproval,
    Period,
    QualitySettings,
    SewerRole,
    VolumeMethod,
    ZoneClass,
)

S = QualitySettings()


def test_energy_mean_of_equal_levels_is_that_level() -> None:
    assert rules.energy_mean([60.0, 60.0, 60.0]) == pytest.approx(60.0)


def test_energy_mean_of_60_and_70_by_hand() -> None:
    # 10^6 + 10^7 = 11 000 000; mean 5 500 000; 10·lg(5.5e6) = 67.404 dB, not the 65 of an
    # arithmetic mean.
    assert rules.energy_mean([60.0, 70.0]) == pytest.approx(10 * math.log10(5.5e6))
    assert rules.energy_mean([60.0, 70.0]) == pytest.approx(67.40, abs=0.005)


def test_hourly_leq_of_twelve_five_minute_values() -> None:
    # Eleven 5-minute periods at 50 dB and one at 70: 10·lg((11·10^5 + 10^7)/12)
    # = 10·lg(1 141 666.7 / ... ) → 10·lg(9.25e5) = 59.66 dB.
    day = datetime(2026, 11, 5, 10)
    samples = [(day + timedelta(minutes=5 * i), 50.0, 55.0) for i in range(11)]
    samples.append((day + timedelta(minutes=55), 70.0, 78.0))
    (hour,) = rules.hour_levels(samples)
    assert hour.start == day
    assert hour.count == 12
    assert hour.leq == pytest.approx(10 * math.log10((11 * 1e5 + 1e7) / 12))
    assert hour.leq == pytest.approx(59.66, abs=0.005)
    assert hour.lmax == 78.0


def test_day_and_night_split_at_06_and_22() -> None:
    assert rules.period_of(datetime(2026, 11, 5, 5), S) == (date(2026, 11, 4), Period.NIGHT)
    assert rules.period_of(datetime(2026, 11, 5, 6), S) == (date(2026, 11, 5), Period.DAY)
    assert rules.period_of(datetime(2026, 11, 5, 21), S) == (date(2026, 11, 5), Period.DAY)
    assert rules.period_of(datetime(2026, 11, 5, 22), S) == (date(2026, 11, 5), Period.NIGHT)
    assert rules.period_of(datetime(2026, 11, 6, 0), S) == (date(2026, 11, 5), Period.NIGHT)


def test_night_noise_against_a_class_1_zone() -> None:
    # Class 1 (residential): night limit 45. Night of the 5th: 22:00 at 44, 23:00 at 48 →
    # 10^4.4 = 25 118.9, 10^4.8 = 63 095.7, mean 44 107.3, 10·lg = 46.45 dB, ΔL = +1.45.
    limits = rules.zone_limits(ZoneClass.C1, S)
    assert (limits.day, limits.night) == (55.0, 45.0)
    hours = [
        HourLevel(datetime(2026, 11, 5, 21), 54.0, 60.0, 12),
        HourLevel(datetime(2026, 11, 5, 22), 44.0, 55.0, 12),
        HourLevel(datetime(2026, 11, 5, 23), 48.0, 58.0, 12),
    ]
    day, night = rules.day_night(hours, limits, S)
    assert (day.period, day.leq, day.exceeds) == (Period.DAY, 54.0, False)
    assert night.period is Period.NIGHT and night.hours == 2
    assert night.leq == pytest.approx(10 * math.log10((10**4.4 + 10**4.8) / 2))
    assert night.delta == pytest.approx(1.45, abs=0.005)
    assert night.exceeds
    assert night.lmax_limit == 60.0  # 45 + 15


def test_sudden_noise_allows_exactly_15_db_over_the_night_limit() -> None:
    limits = rules.zone_limits(ZoneClass.C2, S)  # night 50 → Lmax limit 65
    assert not rules.sudden_noise(65.0, limits)
    assert rules.sudden_noise(65.1, limits)


def test_zone_4b_and_construction_limits() -> None:
    assert rules.zone_limits(ZoneClass.C4B, S).night == 60.0
    c = rules.construction_limits(S)
    assert (c.day, c.night, c.night_lmax) == (70.0, 55.0, 70.0)


def _approval(first: date, last: date, start: str, end: str) -> NightApproval:
    return NightApproval(
        1, 1, "YJ-1", first, last, time.fromisoformat(start), time.fromisoformat(end)
    )


def test_approval_across_midnight_covers_the_early_hours_of_the_next_day() -> None:
    a = _approval(date(2026, 11, 5), date(2026, 11, 5), "22:00", "02:00")
    assert rules.approval_covers(a, datetime(2026, 11, 5, 22))
    assert rules.approval_covers(a, datetime(2026, 11, 6, 1))
    assert not rules.approval_covers(a, datetime(2026, 11, 6, 2))
    assert not rules.approval_covers(a, datetime(2026, 11, 5, 1))  # the night before
    assert not rules.approval_covers(a, datetime(2026, 11, 6, 22))


def test_site_without_approval_is_found_and_one_with_approval_is_not() -> None:
    limits = rules.construction_limits(S)  # night 55
    hours = [
        HourLevel(datetime(2026, 11, 5, 21), 68.0, None, 12),  # day: not night work
        HourLevel(datetime(2026, 11, 5, 22), 62.0, None, 12),
        HourLevel(datetime(2026, 11, 5, 23), 58.0, None, 12),
        HourLevel(datetime(2026, 11, 6, 0), 54.0, None, 12),  # under 55: no work heard
        HourLevel(datetime(2026, 11, 6, 3), 60.0, None, 12),
    ]
    found = rules.night_findings(hours, [], limits, S)
    assert [(f.start, f.end, f.peak_leq) for f in found] == [
        (datetime(2026, 11, 5, 22), datetime(2026, 11, 6, 0), 62.0),
        (datetime(2026, 11, 6, 3), datetime(2026, 11, 6, 4), 60.0),
    ]
    approved = _approval(date(2026, 11, 5), date(2026, 11, 5), "22:00", "04:00")
    assert rules.night_findings(hours, [approved], limits, S) == []
    # An approval for another night does not cover this one.
    other = _approval(date(2026, 11, 7), date(2026, 11, 9), "22:00", "04:00")
    assert len(rules.night_findings(hours, [other], limits, S)) == 2


def _rule(
    basis: DustBasis,
    limit: float,
    allowed: int,
    version: int = 1,
    effective: date = date(2020, 1, 1),
) -> DustRule:
    return DustRule(version, "r", version, rules.PM10, 60, basis, limit, allowed, "通报", effective)


def test_dust_difference_from_background_counts_exceedances() -> None:
    # Site hourly PM10 and the district's hourly mean; rule: site − background > 80, at most
    # 2 a day. Differences: 08h 200−100=100 (over), 09h 170−100=70, 10h 185−90=95 (over),
    # 11h 260−120=140 (over), 12h no background (not judged) → 3 exceedances > 2: breached.
    d = datetime(2026, 11, 5)
    site = {
        d.replace(hour=8): 200.0,
        d.replace(hour=9): 170.0,
        d.replace(hour=10): 185.0,
        d.replace(hour=11): 260.0,
        d.replace(hour=12): 400.0,
    }
    background = {
        d.replace(hour=8): 100.0,
        d.replace(hour=9): 100.0,
        d.replace(hour=10): 90.0,
        d.replace(hour=11): 120.0,
    }
    (day,) = rules.dust_days(_rule(DustBasis.BACKGROUND, 80, 2), site, background)
    assert [e.start.hour for e in day.exceedances] == [8, 10, 11]
    assert [e.judged for e in day.exceedances] == [100.0, 95.0, 140.0]
    assert day.breached and day.peak == 140.0
    (same,) = rules.dust_days(_rule(DustBasis.BACKGROUND, 80, 3), site, background)
    assert not same.breached
    # The same values against an absolute limit of 150: all five hours are over.
    (absolute,) = rules.dust_days(_rule(DustBasis.ABSOLUTE, 150, 0), site)
    assert len(absolute.exceedances) == 5


def test_dust_window_means_align_to_the_window() -> None:
    d = datetime(2026, 11, 5, 8)
    means = rules.window_means(
        [(d, 100.0), (d.replace(minute=10), 200.0), (d.replace(minute=15), 90.0)], 15
    )
    assert means == {d: 150.0, d.replace(minute=15): 90.0}


def test_rule_in_force_is_the_newest_version_begun() -> None:
    old = _rule(DustBasis.ABSOLUTE, 150, 0, 1, date(2020, 1, 1))
    new = _rule(DustBasis.ABSOLUTE, 120, 0, 2, date(2026, 11, 10))
    assert rules.rule_in_force([old, new], "r", date(2026, 11, 9)) is old
    assert rules.rule_in_force([old, new], "r", date(2026, 11, 10)) is new


def test_overflow_volume_from_flow_by_hand() -> None:
    # 5-minute flow samples: 0, 20, 40, 20, 0 L/s → one event 10:05-10:20, volume
    # (20+40+20) L/s × 300 s = 24 000 L = 24 m3.
    t0 = datetime(2026, 7, 1, 10)
    flows = [(t0 + timedelta(minutes=5 * i), v) for i, v in enumerate([0, 20, 40, 20, 0])]
    (event,) = rules.overflow_events(flows, SewerRole.OVERFLOW, timedelta(minutes=5), S)
    assert (event.start, event.end) == (t0 + timedelta(minutes=5), t0 + timedelta(minutes=20))
    assert event.volume_m3 == pytest.approx(24.0)
    assert event.method is VolumeMethod.FLOW and event.peak == 40


def test_overflow_volume_from_a_weir_by_hand() -> None:
    # Crest 1.2 m, level 1.3 m for one 10-minute sample, weir 2 m wide, Cd 0.62:
    # Q = 2/3·0.62·2·√(2·9.81)·0.1^1.5 = 0.11579 m3/s; × 600 s = 69.48 m3.
    t0 = datetime(2026, 7, 1, 10)
    levels = [(t0, 1.1), (t0 + timedelta(minutes=10), 1.3), (t0 + timedelta(minutes=20), 1.1)]
    (event,) = rules.overflow_events(
        levels, SewerRole.LEVEL, timedelta(minutes=10), S, crest_m=1.2, weir_width_m=2.0
    )
    q = 2 / 3 * 0.62 * 2 * math.sqrt(2 * 9.81) * 0.1**1.5
    assert event.volume_m3 == pytest.approx(q * 600)
    assert event.volume_m3 == pytest.approx(69.48, abs=0.01)
    assert event.method is VolumeMethod.WEIR


def test_a_gap_ends_an_overflow_and_months_are_counted() -> None:
    t0 = datetime(2026, 7, 31, 23)
    flows = [(t0, 10.0), (t0 + timedelta(minutes=5), 10.0), (t0 + timedelta(hours=2), 5.0)]
    events = rules.overflow_events(flows, SewerRole.OVERFLOW, timedelta(minutes=5), S)
    assert len(events) == 2
    stats = rules.monthly_stats(events)
    assert [s["month"] for s in stats] == ["2026-07", "2026-08"]
    assert stats[0]["events"] == 1 and stats[0]["volume_m3"] == pytest.approx(6.0)


def test_a_county_may_move_the_night_and_bad_settings_are_named():
    from ecozone import config

    moved = config.quality_settings({"ECOZONE_QUALITY_NIGHT_START_HOUR": "23"})
    assert rules.period_of(datetime(2026, 11, 5, 22), moved) == (date(2026, 11, 5), Period.DAY)
    with pytest.raises(ValueError, match="ECOZONE_QUALITY_WEIR_CD"):
        config.quality_settings({"ECOZONE_QUALITY_WEIR_CD": "wide"})
    with pytest.raises(ValueError, match="DAY_START_HOUR must be before"):
        config.quality_settings({"ECOZONE_QUALITY_DAY_START_HOUR": "23"})
