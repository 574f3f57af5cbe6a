"""Pure rules of the dashboard's composition: district ranking, hours in a window, map positions.

No I/O: plain values in, plain values out, so each rule is tested with
hand-worked numbers. The rules of each capability live in its own package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any


def overlap_hours(
    start: datetime, end: datetime | None, window_start: datetime, window_end: datetime
) -> float:
    """Hours of [start, end) inside [window_start, window_end); no `end` lasts to window_end."""
    stop = min(end if end is not None else window_end, window_end)
    begin = max(start, window_start)
    return max((stop - begin).total_seconds(), 0.0) / 3600.0


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
