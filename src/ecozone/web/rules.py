"""Pure rules behind the pages: a point's live state, capture rate, late marks, permit status.

No I/O: plain values in, plain values out, so each rule is tested with
hand-worked numbers. Device times are naive China Standard Time (UTC+8) as
HJ 212 sends them; instants the platform records are aware.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ecozone.times import cst_naive
from ecozone.web.model import LiveState, PermitStatus

#: A point with no data for this long is offline (ecozone's setting for the map).
OFFLINE_AFTER = timedelta(hours=2)
#: HJ 212-2017 Table 8: D instrument fault, B instrument-to-data-logger link fault.
FAULT_FLAGS = frozenset({"D", "B"})
#: 排污许可管理条例 (2021) Art. 14: apply to renew at least 60 days before the permit ends.
RENEWAL_NOTICE_DAYS = 60
#: Hours in the capture window of the dashboard.
CAPTURE_WINDOW_HOURS = 24

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


def local_time(instant: datetime) -> datetime:
    """The naive China Standard Time wall clock of an aware instant (HJ 212 DataTime)."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant.isoformat()} given for an instant")
    return cst_naive(instant)


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


def overlap_hours(
    start: datetime, end: datetime | None, window_start: datetime, window_end: datetime
) -> float:
    """Hours of [start, end) inside [window_start, window_end); no `end` lasts to window_end."""
    stop = min(end if end is not None else window_end, window_end)
    begin = max(start, window_start)
    return max((stop - begin).total_seconds(), 0.0) / 3600.0


def mark_is_late(start: datetime, declared_at: datetime) -> bool:
    """A data-marking declaration is late when it was made after its period began.

    Marks are meant to be declared ahead of time; a declaration made once the
    marked data already exists (事后标记) is allowed but must be looked at.
    `start` is device time (naive CST), `declared_at` an aware instant.
    """
    return local_time(declared_at) > start


def permit_status(
    valid_from: date, valid_to: date, today: date, *, notice_days: int = RENEWAL_NOTICE_DAYS
) -> PermitStatus:
    """Where a permit stands on `today`; renewal is due within `notice_days` of its last day
    (排污许可管理条例 Art. 14: apply 60 days before the permit ends)."""
    if today < valid_from:
        return PermitStatus.NOT_YET_VALID
    if today > valid_to:
        return PermitStatus.EXPIRED
    if (valid_to - today).days < notice_days:
        return PermitStatus.RENEWAL_DUE
    return PermitStatus.VALID


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


def rank_districts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Districts worst first: most open alerts, then most exceedance hours, then by name;
    each row gains its 1-based `rank`."""
    ordered = sorted(
        rows, key=lambda r: (-r["open_alerts"], -round(r["exceedance_hours"], 6), r["name"])
    )
    return [{**row, "rank": i} for i, row in enumerate(ordered, start=1)]


def schematic_position(
    centre: tuple[float, float], point_id: int, *, radius_deg: float = 0.025
) -> tuple[float, float]:
    """A stable place near a district's centre for a point registered without coordinates.

    The offset comes from a hash of the id, so the marker does not move between
    refreshes and points of one district do not sit on top of each other.
    """
    digest = hashlib.sha256(str(point_id).encode()).digest()
    dx = (digest[0] / 255.0 - 0.5) * 2 * radius_deg
    dy = (digest[1] / 255.0 - 0.5) * 2 * radius_deg
    return round(centre[0] + dx, 5), round(centre[1] + dy, 5)
