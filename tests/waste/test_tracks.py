"""The vehicle-track checks (waste.tracks), worked by hand on a straight east-west route.

The route runs along latitude 29.6° from 106.50° E to 106.60° E (≈ 9.7 km). A point due north
of it at latitude 29.6° + δ is at the meridian arc from 29.6° to 29.6° + δ from the route (the
foot is straight south on the route). That arc is computed here independently from the WGS-84
meridian radius of curvature M = a(1 − e²) / (1 − e² sin²φ)^1.5 at the mid latitude, times
δ in radians. The geodesic between the waypoints bulges north of the parallel by under 1.1 m
at mid-route (L²/8 · tan φ / R = 9 700² / 8 · 0.568 / 6.371e6), hence the 2 m tolerance.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from ecozone.waste import tracks
from ecozone.waste.model import WasteError, WasteSettings
from ecozone.waste.tracks import FindingKind, TrackPoint

ROUTE = [(106.50, 29.60), (106.60, 29.60)]
T0 = datetime(2026, 5, 1, 8, 0)
A, F = 6_378_137.0, 1 / 298.257223563
E2 = F * (2 - F)


def meridian_arc_m(lat1: float, lat2: float) -> float:
    mid = math.radians((lat1 + lat2) / 2)
    m = A * (1 - E2) / (1 - E2 * math.sin(mid) ** 2) ** 1.5
    return m * math.radians(abs(lat2 - lat1))


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def test_distance_of_a_point_north_of_an_east_west_route_is_the_meridian_arc() -> None:
    lats = [29.60, 29.603, 29.606, 29.61]
    got = tracks.distances_to_route([106.55] * 4, lats, ROUTE)
    for lat, d in zip(lats, got, strict=True):
        assert d == pytest.approx(meridian_arc_m(29.60, lat), abs=2.0)
    # 0.006° north at 29.6°: M ≈ 6 351 266 · 0.0001047 ≈ 665 m, beyond the 500 m corridor
    assert got[2] == pytest.approx(665.2, abs=2.5)


def test_a_point_beyond_the_route_end_is_measured_to_the_end_waypoint() -> None:
    # 0.01° east of the east end on the same parallel: 0.01° of that parallel,
    # N cos φ · δ with N = a / sqrt(1 − e² sin²φ)
    got = tracks.distances_to_route([106.61], [29.60], ROUTE)[0]
    n = A / math.sqrt(1 - E2 * math.sin(math.radians(29.6)) ** 2)
    assert got == pytest.approx(n * math.cos(math.radians(29.6)) * math.radians(0.01), abs=1.0)


def test_deviation_sustained_for_the_setting_minutes_is_found_with_its_largest_distance() -> None:
    settings = WasteSettings(route_corridor_m=500, route_deviation_minutes=5)
    # one point a minute going east; minutes 10..16 at 0.006° north (≈ 665 m), minute 13 at
    # 0.008° north (≈ 887 m); everything else on the route
    points = []
    for minute in range(30):
        lat = 29.60
        if 10 <= minute <= 16:
            lat = 29.608 if minute == 13 else 29.606
        points.append(TrackPoint(at(minute), 106.50 + minute * 0.003, lat))
    found = tracks.deviations(points, ROUTE, settings)
    assert len(found) == 1
    f = found[0]
    assert (f.kind, f.start, f.end, f.minutes) == (FindingKind.DEVIATION, at(10), at(16), 6.0)
    assert f.max_distance_m == pytest.approx(meridian_arc_m(29.60, 29.608), abs=2.0)
    assert (f.lon, f.lat) == (pytest.approx(106.539), 29.608)


def test_deviation_shorter_than_the_setting_is_no_finding() -> None:
    settings = WasteSettings(route_corridor_m=500, route_deviation_minutes=5)
    # outside for minutes 10..14 only: 4 minutes from its first to its last point
    points = [TrackPoint(at(m), 106.50 + m * 0.003, 29.606 if 10 <= m <= 14 else 29.60)
              for m in range(30)]  # fmt: skip
    assert tracks.deviations(points, ROUTE, settings) == []
    # a point 0.004° north (≈ 443 m) is inside the 500 m corridor however long it stays
    inside = [TrackPoint(at(m), 106.50 + m * 0.003, 29.604) for m in range(30)]
    assert tracks.deviations(inside, ROUTE, settings) == []


def _stop_track(stop_lon: float, stop_lat: float) -> list[TrackPoint]:
    """Driving east at one point a minute for 10 minutes, standing still (jitter of a few
    metres) from minute 10 to minute 50, then driving on."""
    points = [TrackPoint(at(m), 106.50 + m * 0.003, 29.60) for m in range(10)]
    for k, m in enumerate(range(10, 51)):
        jitter = 0.00002 * (k % 3)  # ≈ 2 m
        points.append(TrackPoint(at(m), stop_lon + jitter, stop_lat + jitter, 0.0))
    points += [TrackPoint(at(m), stop_lon + (m - 50) * 0.003, 29.60) for m in range(51, 60)]
    return points


def test_a_long_stop_on_the_way_is_found_on_its_minutes() -> None:
    settings = WasteSettings(stop_radius_m=100, stop_minutes=30, stop_end_radius_m=500)
    found = tracks.stops(_stop_track(106.55, 29.60), ROUTE, settings)
    assert len(found) == 1
    f = found[0]
    # the 40 minutes from 08:10 to 08:50, located where it stood
    assert (f.kind, f.start, f.end, f.minutes) == (FindingKind.STOP, at(10), at(50), 40.0)
    assert f.lon == pytest.approx(106.55, abs=0.0001)
    assert f.lat == pytest.approx(29.60, abs=0.0001)


def test_a_stop_no_longer_than_the_setting_is_no_finding() -> None:
    settings = WasteSettings(stop_radius_m=100, stop_minutes=40)
    assert tracks.stops(_stop_track(106.55, 29.60), ROUTE, settings) == []


def test_a_stop_at_the_receiver_is_not_flagged() -> None:
    settings = WasteSettings(stop_radius_m=100, stop_minutes=30, stop_end_radius_m=500)
    receiver = (106.60, 29.60)
    track = _stop_track(106.598, 29.60)  # ≈ 194 m west of the receiver
    assert tracks.stops(track, [receiver], settings) == []
    # the same stop is a finding when only a far point counts as an end
    assert len(tracks.stops(track, [(106.50, 29.60)], settings)) == 1
    # findings() takes the route's ends as ends too (the track drives on past the route's
    # end afterwards, a deviation, but no stop)
    kinds = [f.kind for f in tracks.findings(track, ROUTE, [], settings)]
    assert FindingKind.STOP not in kinds


def test_route_needs_two_distinct_waypoints_in_range() -> None:
    with pytest.raises(WasteError, match="至少"):
        tracks.check_route([(106.5, 29.6)])
    with pytest.raises(WasteError, match=r"第 2 个途经点.*纬度 95"):
        tracks.check_route([(106.5, 29.6), (106.6, 95)])
    with pytest.raises(WasteError, match="与上一个相同"):
        tracks.check_route([(106.5, 29.6), (106.5, 29.6)])


def test_track_problems_name_the_row_and_the_field() -> None:
    points = [TrackPoint(at(0), 106.5, 29.6), TrackPoint(at(1), 186.0, 29.6),
              TrackPoint(at(1), 106.5, 29.6, -3.0), TrackPoint(at(99), 106.5, 29.6)]  # fmt: skip
    problems = tracks.track_problems(points, at(0), at(60), rows=[f"第 {r} 行" for r in (2, 3, 4, 5)])
    assert problems == [
        "第 3 行：经度 186.0 超出 −180 至 180",
        "第 4 行：速度 -3.0 km/h 超出 0 至 300",
        "第 4 行：时间 2026-05-01 08:01:00 不晚于上一个点，顺序错乱或重复",
        "第 5 行：时间 2026-05-01 09:39:00 晚于到达时间 2026-05-01 09:00",
    ]
