"""Vehicle GPS tracks of a manifest's carrier leg (order 23: the carrier records its vehicle
and actual route): the declared route as a polyline, track points checked and judged against
it. Pure: plain data in, findings out; no clock, no database, no settings read here.

Strategy: distances that decide a finding are geodesic on WGS-84 (pyproj.Geod). The foot of a
track point on the route is found on a local equirectangular plane around the route (its
error is far below the corridor at a leg's scale), then the point's distance to that foot is
taken on the ellipsoid, all vectorised with NumPy. A deviation is a run of points outside
the corridor lasting long enough; a long stop is a stay-point (every point within a radius of
the first for longer than a setting) away from the route's two ends and the consignor and
receiver. The corridor, the durations and the radii are UNCONFIRMED settings (WasteSettings).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
from pyproj import Geod

from ecozone.waste.model import WasteError, WasteSettings

GEOD = Geod(ellps="WGS84")
#: Mean earth radius (m) of the local plane used only to find the foot point.
_R = 6_371_008.8
#: At most this many waypoints in a declared route, and points in one batch.
MAX_WAYPOINTS = 2_000
MAX_POINTS = 200_000


class FindingKind(StrEnum):
    DEVIATION = "deviation"  # 偏离申报路线
    STOP = "stop"  # 异常停留


@dataclass(frozen=True)
class TrackPoint:
    at: datetime  # naive CST, as devices send it
    lon: float
    lat: float
    speed_kmh: float | None = None


@dataclass(frozen=True)
class TrackFinding:
    """One finding on a leg: its kind, first and last point's times, how long it lasted, the
    largest distance from the route (deviation) and where it happened (the farthest point of
    a deviation, the centre of a stop)."""

    kind: FindingKind
    start: datetime
    end: datetime
    minutes: float
    max_distance_m: float | None
    lon: float
    lat: float
    first: int  # index of the first point of the finding in the track
    last: int


# --- checking what is sent ---------------------------------------------------------------------


def check_coordinate(lon: float, lat: float, where: str) -> None:
    """WGS-84 longitude −180..180 and latitude −90..90, finite."""
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise WasteError(f"{where}：经度 {lon} 超出 −180 至 180")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise WasteError(f"{where}：纬度 {lat} 超出 −90 至 90")


def check_route(waypoints: Sequence[Sequence[float]]) -> list[tuple[float, float]]:
    """A declared route: at least two (lon, lat) waypoints in range, two in a row not the same."""
    if len(waypoints) < 2:
        raise WasteError("申报路线至少需要起点和终点两个途经点")
    if len(waypoints) > MAX_WAYPOINTS:
        raise WasteError(f"申报路线最多 {MAX_WAYPOINTS} 个途经点")
    route: list[tuple[float, float]] = []
    for i, wp in enumerate(waypoints, 1):
        if len(wp) != 2:
            raise WasteError(f"第 {i} 个途经点应为“经度,纬度”")
        lon, lat = float(wp[0]), float(wp[1])
        check_coordinate(lon, lat, f"第 {i} 个途经点")
        if route and route[-1] == (lon, lat):
            raise WasteError(f"第 {i} 个途经点与上一个相同")
        route.append((lon, lat))
    return route


def track_problems(
    points: Sequence[TrackPoint],
    start: datetime | None,
    end: datetime | None,
    rows: Sequence[str] | None = None,
) -> list[str]:
    """What is wrong with a batch of points, one message per row naming it: coordinates or
    speed out of range, a time not after the one before (out of order or repeated), a time
    outside the manifest's dispatch..arrival window [start, end]. Empty when all is well."""
    problems: list[str] = []
    for i, p in enumerate(points):
        where = rows[i] if rows is not None else f"第 {i + 1} 个点"
        try:
            check_coordinate(p.lon, p.lat, where)
        except WasteError as exc:
            problems.append(str(exc))
        if p.speed_kmh is not None and not (math.isfinite(p.speed_kmh)
                                            and 0 <= p.speed_kmh <= 300):  # fmt: skip
            problems.append(f"{where}：速度 {p.speed_kmh} km/h 超出 0 至 300")
        if i and p.at <= points[i - 1].at:
            problems.append(f"{where}：时间 {p.at:%Y-%m-%d %H:%M:%S} "
                            "不晚于上一个点，顺序错乱或重复")
        if start is not None and p.at < start:
            problems.append(f"{where}：时间 {p.at:%Y-%m-%d %H:%M:%S} 早于联单运行时间 "
                            f"{start:%Y-%m-%d %H:%M}")  # fmt: skip
        if end is not None and p.at > end:
            problems.append(f"{where}：时间 {p.at:%Y-%m-%d %H:%M:%S} 晚于到达时间 "
                            f"{end:%Y-%m-%d %H:%M}")  # fmt: skip
    return problems


# --- geometry ------------------------------------------------------------------------------------


def _plane(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float) -> tuple[np.ndarray, ...]:
    x = np.radians(lon - lon0) * _R * math.cos(math.radians(lat0))
    y = np.radians(lat - lat0) * _R
    return x, y


def distances_to_route(
    lon: Sequence[float] | np.ndarray,
    lat: Sequence[float] | np.ndarray,
    route: Sequence[tuple[float, float]],
) -> np.ndarray:
    """Geodesic distance (m) of each point to the route polyline: the foot on the nearest
    segment is found on the local plane, the distance to it is measured on the ellipsoid."""
    plon, plat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if plon.size == 0:
        return np.zeros(0)
    rlon = np.array([w[0] for w in route], dtype=float)
    rlat = np.array([w[1] for w in route], dtype=float)
    lon0, lat0 = float(rlon.mean()), float(rlat.mean())
    px, py = _plane(plon, plat, lon0, lat0)
    rx, ry = _plane(rlon, rlat, lon0, lat0)
    ax, ay, bx, by = rx[:-1], ry[:-1], rx[1:], ry[1:]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    # points (n, 1) against segments (1, m): the parameter of the foot, clamped to the segment
    u = ((px[:, None] - ax) * dx + (py[:, None] - ay) * dy) / np.where(length2 > 0, length2, 1)
    u = np.clip(u, 0.0, 1.0)
    fx, fy = ax + u * dx, ay + u * dy
    nearest = np.argmin((px[:, None] - fx) ** 2 + (py[:, None] - fy) ** 2, axis=1)
    rows = np.arange(plon.size)
    foot_x, foot_y = fx[rows, nearest], fy[rows, nearest]
    foot_lon = lon0 + np.degrees(foot_x / (_R * math.cos(math.radians(lat0))))
    foot_lat = lat0 + np.degrees(foot_y / _R)
    _az, _back, dist = GEOD.inv(plon, plat, foot_lon, foot_lat)
    return np.asarray(dist, dtype=float)


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 60


# --- the checks ---------------------------------------------------------------------------------


def deviations(
    points: Sequence[TrackPoint], route: Sequence[tuple[float, float]], settings: WasteSettings
) -> list[TrackFinding]:
    """Runs of consecutive points farther than `route_corridor_m` from the route lasting at
    least `route_deviation_minutes` (first to last point of the run)."""
    if len(points) == 0 or len(route) < 2:
        return []
    dist = distances_to_route([p.lon for p in points], [p.lat for p in points], route)
    outside = dist > settings.route_corridor_m
    found: list[TrackFinding] = []
    i, n = 0, len(points)
    while i < n:
        if not outside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and outside[j + 1]:
            j += 1
        minutes = _minutes(points[i].at, points[j].at)
        if minutes >= settings.route_deviation_minutes:
            k = i + int(np.argmax(dist[i:j + 1]))
            found.append(TrackFinding(FindingKind.DEVIATION, points[i].at, points[j].at,
                                      round(minutes, 1), round(float(dist[k]), 1),
                                      points[k].lon, points[k].lat, i, j))  # fmt: skip
        i = j + 1
    return found


def stops(
    points: Sequence[TrackPoint],
    ends: Sequence[tuple[float, float]],
    settings: WasteSettings,
) -> list[TrackFinding]:
    """Stay-points: from a point, the following points all within `stop_radius_m` of it for
    longer than `stop_minutes`; a stay whose centre lies within `stop_end_radius_m` of one of
    `ends` (loading at the consignor, unloading at the receiver) is no finding."""
    n = len(points)
    if n < 2:
        return []
    lon = np.array([p.lon for p in points])
    lat = np.array([p.lat for p in points])
    x, y = _plane(lon, lat, float(lon.mean()), float(lat.mean()))
    radius2 = settings.stop_radius_m ** 2
    # A stay from point i longer than the setting needs the first point k later than that
    # (k = the first time past t_i + stop) within the radius of i as well: found for all i at
    # once, so the moving stretches are skipped without looking further.
    t0 = points[0].at
    t = np.array([(p.at - t0).total_seconds() for p in points])
    k = np.searchsorted(t, t + settings.stop_minutes * 60, side="right")
    has_k = k < n
    kk = np.where(has_k, k, 0)
    starts = np.flatnonzero(has_k & ((x[kk] - x) ** 2 + (y[kk] - y) ** 2 <= radius2))
    found: list[TrackFinding] = []
    done_until = -1  # points up to here belong to a stop found
    for i in starts.tolist():
        if i <= done_until:
            continue
        j = _last_within(x, y, i, radius2)
        minutes = _minutes(points[i].at, points[j].at)
        if minutes > settings.stop_minutes:
            clon, clat = float(lon[i:j + 1].mean()), float(lat[i:j + 1].mean())
            if not _near(clon, clat, ends, settings.stop_end_radius_m):
                found.append(TrackFinding(FindingKind.STOP, points[i].at, points[j].at,
                                          round(minutes, 1), None, clon, clat, i, j))  # fmt: skip
            done_until = j
    return found


def _last_within(x: np.ndarray, y: np.ndarray, i: int, radius2: float) -> int:
    """The last index j ≥ i such that points i..j all lie within the radius of point i:
    windows of doubling size, so the cost follows the stay's length, not the track's."""
    n, size, start = len(x), 8, i + 1
    while start < n:
        end = min(n, start + size)
        far = np.nonzero((x[start:end] - x[i]) ** 2 + (y[start:end] - y[i]) ** 2 > radius2)[0]
        if far.size:
            return start + int(far[0]) - 1
        start, size = end, size * 2
    return n - 1


def _near(lon: float, lat: float, ends: Sequence[tuple[float, float]], radius_m: float) -> bool:
    if not ends:
        return False
    elon = np.array([e[0] for e in ends])
    elat = np.array([e[1] for e in ends])
    _az, _back, dist = GEOD.inv(np.full(elon.size, lon), np.full(elat.size, lat), elon, elat)
    return bool(np.min(dist) <= radius_m)


def findings(
    points: Sequence[TrackPoint],
    route: Sequence[tuple[float, float]] | None,
    ends: Sequence[tuple[float, float]],
    settings: WasteSettings,
) -> list[TrackFinding]:
    """Deviations (when a route is declared) and long stops of one leg, in time order. The
    route's first and last waypoints count as ends besides those given."""
    route = list(route or [])
    all_ends = [*ends, *([route[0], route[-1]] if route else [])]
    found = deviations(points, route, settings) + stops(points, all_ends, settings)
    return sorted(found, key=lambda f: (f.start, f.kind.value))
