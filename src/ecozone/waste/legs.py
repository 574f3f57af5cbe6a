"""Use cases of a manifest's carrier leg (order 23 Part 2: vehicle, plate, driver, route): the
declared route (waypoints), the vehicle's GPS track sent as a JSON batch or imported from a
CSV, xlsx or GPX file, and the leg as the manifest page shows it, with its findings
(tracks.findings: deviations from the route, long stops).

A batch is checked whole before anything is stored: a bad row (unreadable, out of range, out
of order, outside the manifest's dispatch..arrival window) rejects it with every problem named
by its row. Points are keyed by (manifest, time), so a batch sent again adds nothing.
Who may write: staff, and the consignor's or the carrier's enterprise; who may read: whoever
may read the manifest (consignor, carrier, receiver, staff of the district).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Role, Scope
from ecozone.errors import Forbidden
from ecozone.waste import store, tracks
from ecozone.waste.model import ManifestState, WasteError, WasteNotFound, WasteSettings
from ecozone.waste.tracks import TrackPoint

#: How many problems a rejected batch names before "and n more".
SHOWN_PROBLEMS = 20
#: Columns of an imported track, English or Chinese headers.
COLUMNS = {
    "at": ("at", "time", "时间", "定位时间", "gps_time"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "speed_kmh": ("speed_kmh", "speed", "速度", "速度km/h"),
}
#: States in which a leg is under way or done: a track belongs to a dispatched manifest.
MOVING = tuple(s.value for s in ManifestState if s is not ManifestState.DRAFTED)


def _manifest(conn: sa.Connection, manifest_id: int, scope: Scope) -> dict[str, Any]:
    row = store.manifest(conn, manifest_id, scope)
    if row is None:
        raise WasteNotFound(f"没有编号为 {manifest_id} 的转移联单")
    return row


def _may_write(row: Mapping[str, Any], scope: Scope) -> None:
    if scope.role in (Role.ADMIN, Role.SUPERVISOR):
        return
    sides = (row["enterprise_id"], row["carrier_enterprise_id"])
    if scope.role == Role.ENTERPRISE and any(e in scope.enterprise_ids for e in sides):
        return
    raise Forbidden("只有该联单的移出人、承运人或监管人员可以申报路线和上传轨迹")


def window(row: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The manifest's dispatch..arrival window in CST (arrival open while under way)."""
    start = times.local_time(row["dispatched_at"]) if row["dispatched_at"] else None
    return start, row["arrived_at"]


def ends(row: Mapping[str, Any]) -> list[tuple[float, float]]:
    """Where the vehicle may stand long: the consignor and the receiver, when located."""
    found = []
    for prefix in ("consignor", "receiver"):
        lon, lat = row.get(f"{prefix}_lon"), row.get(f"{prefix}_lat")
        if lon is not None and lat is not None:
            found.append((float(lon), float(lat)))
    return found


# --- the declared route -------------------------------------------------------------------------


def parse_waypoints(text: str) -> list[tuple[float, float]]:
    """Waypoints typed one a line (or separated by ';') as "lon,lat"."""
    found: list[tuple[float, float]] = []
    parts = [p.strip() for line in text.replace(";", "\n").splitlines()
             for p in [line] if p.strip()]  # fmt: skip
    for i, part in enumerate(parts, 1):
        pieces = part.replace("，", ",").replace(" ", ",").split(",")
        pieces = [p for p in pieces if p]
        if len(pieces) != 2:
            raise WasteError(f"第 {i} 个途经点“{part}”应写作“经度,纬度”")
        try:
            found.append((float(pieces[0]), float(pieces[1])))
        except ValueError:
            raise WasteError(f"第 {i} 个途经点“{part}”不是数字") from None
    return found


def set_route(
    engine: sa.Engine,
    manifest_id: int,
    waypoints: Sequence[Sequence[float]],
    *,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Declare (or declare again) the leg's route; audited with the route it replaces."""
    route = tracks.check_route(waypoints)
    instant = times.as_instant(now) if now is not None else times.utc_now()
    with engine.begin() as conn:
        row = _manifest(conn, manifest_id, scope)
        _may_write(row, scope)
        before = store.route(conn, manifest_id)
        values = {"waypoints": [list(w) for w in route], "set_by": actor, "set_at": instant}
        store.save_route(conn, manifest_id, values)
        audit.record(conn, actor=actor, action="update" if before else "create",
                     entity="waste_route", entity_id=str(manifest_id),
                     before={"waypoints": before["waypoints"]} if before else None,
                     after={"waypoints": values["waypoints"]})  # fmt: skip
    return {"manifest_id": manifest_id, **values}


# --- track points ------------------------------------------------------------------------------


def _number(value: Any, field: str, where: str, optional: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise WasteError(f"{where}：缺少{field}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise WasteError(f"{where}：{field}“{value}”不是数字") from None
    if not math.isfinite(number):
        raise WasteError(f"{where}：{field}“{value}”不是有限数")
    return number


def _point(item: Mapping[str, Any], where: str) -> TrackPoint:
    raw = item.get("at")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise WasteError(f"{where}：缺少时间")
    try:
        at = times.parse_time(raw, "时间")
    except (times.TimeError, TypeError):
        raise WasteError(f"{where}：时间“{raw}”无法识别，应为 ISO 8601（北京时间）") from None
    lon = _number(item.get("lon"), "经度", where)
    lat = _number(item.get("lat"), "纬度", where)
    speed = _number(item.get("speed_kmh"), "速度", where, optional=True)
    return TrackPoint(at, lon, lat, speed)  # type: ignore[arg-type]


def _read(items: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> list[TrackPoint]:
    points, problems = [], []
    for item, where in zip(items, labels, strict=True):
        try:
            points.append(_point(item, where))
        except WasteError as exc:  # every row's problem is collected, then raised
            problems.append(str(exc))
    _reject(problems)
    return points


def _reject(problems: list[str], prefix: str = "") -> None:
    if not problems:
        return
    shown = "；".join(problems[:SHOWN_PROBLEMS])
    extra = len(problems) - SHOWN_PROBLEMS
    more = f"；另有 {extra} 处问题" if extra > 0 else ""
    raise WasteError(f"{prefix}轨迹未保存，共 {len(problems)} 处问题：{shown}{more}")


def add_points(
    engine: sa.Engine,
    manifest_id: int,
    items: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    labels: Sequence[str] | None = None,
    source: str = "api",
) -> dict[str, Any]:
    """Store a batch of track points ({at, lon, lat, speed_kmh?}); all or nothing. Returns how
    many were received, added, and already there (a batch sent again)."""
    if not items:
        raise WasteError("没有轨迹点")
    if len(items) > tracks.MAX_POINTS:
        raise WasteError(f"一次最多上传 {tracks.MAX_POINTS} 个轨迹点，本次 {len(items)} 个")
    labels = labels or [f"第 {i} 个点" for i in range(1, len(items) + 1)]
    points = _read(items, labels)
    with engine.begin() as conn:
        row = _manifest(conn, manifest_id, scope)
        _may_write(row, scope)
        if row["state"] not in MOVING:
            raise WasteError("联单尚未运行，不能上传轨迹")
        start, end = window(row)
        _reject(tracks.track_problems(points, start, end, labels))
        added = store.add_track_points(conn, manifest_id, [
            {"manifest_id": manifest_id, "at": p.at, "lon": p.lon, "lat": p.lat,
             "speed_kmh": p.speed_kmh} for p in points])  # fmt: skip
        if added:
            audit.record(conn, actor=actor, action="create", entity="waste_track",
                         entity_id=str(manifest_id), before=None,
                         after={"source": source, "points": len(points), "added": added,
                                "first": points[0].at.isoformat(),
                                "last": points[-1].at.isoformat()})  # fmt: skip
    return {"manifest_id": manifest_id, "received": len(points), "added": added,
            "already": len(points) - added}  # fmt: skip


def _rows(name: str, content: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """(points as dicts, row labels) of a CSV (UTF-8), xlsx or GPX file."""
    lower = name.lower()
    if lower.endswith(".gpx"):
        return _gpx(name, content)
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            rows = sheet.iter_rows(values_only=True)  # type: ignore[union-attr]
            table = [list(r) for r in rows]
        except Exception:
            raise WasteError(f"{name}：不是可读取的 xlsx 文件") from None
    elif lower.endswith(".csv"):
        try:
            decoded = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WasteError(f"{name}：不是 UTF-8 编码的 CSV 文件") from None
        table = list(csv.reader(io.StringIO(decoded)))
    else:
        raise WasteError(f"{name}：应为 .csv、.xlsx 或 .gpx 文件")
    if not table:
        raise WasteError(f"{name}：文件为空")
    header = [str(h or "").strip().lower() for h in table[0]]
    index: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
                break
    missing = [COLUMNS[k][2] if len(COLUMNS[k]) > 2 else k for k in ("at", "lon", "lat")
               if k not in index]  # fmt: skip
    if missing:
        raise WasteError(f"{name}：表头缺少列 {'、'.join(missing)}（时间 at、经度 lon、纬度 lat）")
    items, labels = [], []
    for r, values in enumerate(table[1:], 2):
        if not any(v not in (None, "") for v in values):
            continue
        items.append({k: (values[i] if i < len(values) else None) for k, i in index.items()})
        labels.append(f"第 {r} 行")
    return items, labels


def _gpx(name: str, content: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    import gpxpy
    import gpxpy.gpx

    try:
        parsed = gpxpy.parse(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, gpxpy.gpx.GPXException):
        raise WasteError(f"{name}：不是可读取的 GPX 文件") from None
    items, labels = [], []
    n = 0
    for track in parsed.tracks:
        for segment in track.segments:
            for p in segment.points:
                n += 1
                # GPX times are UTC; a point without one is reported by its number
                speed = p.speed * 3.6 if p.speed is not None else None
                items.append({"at": p.time, "lon": p.longitude, "lat": p.latitude,
                              "speed_kmh": speed})
                labels.append(f"第 {n} 个轨迹点")
    return items, labels


def import_points(
    engine: sa.Engine,
    manifest_id: int,
    name: str,
    content: bytes,
    *,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Import a track file (CSV or xlsx with columns at/时间, lon/经度, lat/纬度 and optionally
    speed_kmh/速度; or GPX); all or nothing, as add_points."""
    with engine.connect() as conn:  # 404 before reading a file of a manifest not one's own
        _may_write(_manifest(conn, manifest_id, scope), scope)
    items, labels = _rows(name, content)
    if not items:
        raise WasteError(f"{name}：没有轨迹点")
    return add_points(engine, manifest_id, items, actor=actor, scope=scope, labels=labels,
                      source=name)  # fmt: skip


# --- the leg as shown, and its findings ---------------------------------------------------------


def _findings(
    row: Mapping[str, Any],
    route: list[tuple[float, float]] | None,
    points: list[TrackPoint],
    settings: WasteSettings,
) -> list[tracks.TrackFinding]:
    return tracks.findings(points, route, ends(row), settings)


def leg(
    engine: sa.Engine, manifest_id: int, scope: Scope, settings: WasteSettings
) -> dict[str, Any]:
    """The leg of a manifest the scope may read: its route, track and findings."""
    with engine.connect() as conn:
        row = _manifest(conn, manifest_id, scope)
        saved = store.route(conn, manifest_id)
        points = [TrackPoint(p["at"], p["lon"], p["lat"], p["speed_kmh"])
                  for p in store.track_points(conn, manifest_id)]  # fmt: skip
    route = [tuple(w) for w in saved["waypoints"]] if saved else None
    found = _findings(row, route, points, settings)  # type: ignore[arg-type]
    return {
        "manifest_id": manifest_id,
        "number": row["number"],
        "route": [list(w) for w in route] if route else None,
        "route_set_by": saved["set_by"] if saved else None,
        "track": [
            {"at": p.at.isoformat(), "lon": p.lon, "lat": p.lat, "speed_kmh": p.speed_kmh}
            for p in points
        ],
        "ends": [list(e) for e in ends(row)],
        "findings": [finding_dict(f) for f in found],
        "may_write": _writable(row, scope),
    }


def _writable(row: Mapping[str, Any], scope: Scope) -> bool:
    try:
        _may_write(row, scope)
    except Forbidden:
        return False
    return True


def finding_dict(f: tracks.TrackFinding) -> dict[str, Any]:
    return {"kind": f.kind.value, "start": f.start.isoformat(), "end": f.end.isoformat(),
            "minutes": f.minutes, "max_distance_m": f.max_distance_m, "lon": round(f.lon, 6),
            "lat": round(f.lat, 6), "first": f.first, "last": f.last}  # fmt: skip


def all_findings(
    conn: sa.Connection, settings: WasteSettings, since: datetime | None = None
) -> tuple[list[tuple[dict[str, Any], tracks.TrackFinding]], set[int]]:
    """(manifest, finding) of every leg with a track point since `since`, for the checks,
    and the ids of the manifests judged."""
    found = []
    routes = store.routes(conn)
    by_manifest = store.tracks_by_manifest(conn, since)
    for manifest_id, points in by_manifest.items():
        row = store.manifest(conn, manifest_id, SYSTEM_SCOPE)
        if row is None:
            continue
        route = [tuple(w) for w in routes[manifest_id]] if manifest_id in routes else None
        for f in _findings(row, route, points, settings):  # type: ignore[arg-type]
            found.append((row, f))
    return found, set(by_manifest)
