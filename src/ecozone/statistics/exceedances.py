"""Exceedance statistics as pure functions over stored exceedance alerts.

Strategy: compliance stores each exceedance (超标) as one alert: a run of consecutive periods
over the permit limit, [start, end) in device time, with its basis (hour or day) in the
detail (compliance.rules.exceedances). An event is counted in the month it starts; its
exceeding time is split over the months it spans: hours for hourly limits (超标小时数),
days for daily limits. An event still running counts up to the statistic's cut-off. An
alert closed as a false alarm (误报) is left out: a supervisor judged nothing exceeded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ecozone.statistics.transmission import month_start

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Event:
    """One stored exceedance: its alert, where, which pollutant, basis, [start, end)."""

    alert_id: int
    point_id: int
    pollutant: str
    basis: str  # hour / day
    start: datetime
    end: datetime | None  # None: still exceeding
    labels: Mapping[str, Any]


def split_by_month(start: datetime, end: datetime) -> list[tuple[str, timedelta]]:
    """[start, end) cut at month boundaries: (YYYY-MM, time in that month). An event from
    31 May 22:00 to 1 June 03:00 is 2 h in May and 3 h in June."""
    out = []
    cursor = start
    while cursor < end:
        following = month_start(cursor, 1)
        part_end = min(end, following)
        out.append((f"{cursor.year}-{cursor.month:02d}", part_end - cursor))
        cursor = part_end
    return out


def tally(
    events: Iterable[Event], key: str, start: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Events, exceedance hours (hourly limits) and days (daily limits) by (`key`,
    pollutant), within [start, until): key is a label of the events ('credit_code',
    'district', 'id'), 'pollutant' (the zone's) or 'month'. Events count in the month
    they start, when that month is in the range; their time counts in each month it falls in."""
    groups: dict[tuple[Any, str], dict[str, Any]] = {}

    def entry(group: Any, event: Event) -> dict[str, Any]:
        return groups.setdefault(
            (group, event.pollutant),
            {"key": group, "pollutant": event.pollutant, "events": 0, "hours": 0.0,
             "days": 0.0, "labels": event.labels},
        )  # fmt: skip

    for event in events:
        end = min(event.end or until, until)
        first = max(event.start, start)
        if key == "month":
            if start <= event.start < until:
                entry(f"{event.start.year}-{event.start.month:02d}", event)["events"] += 1
            for month, length in split_by_month(first, end):
                _add_time(entry(month, event), event.basis, length)
            continue
        group = event.pollutant if key == "pollutant" else event.labels.get(key)
        target = entry(group, event)
        if start <= event.start < until:
            target["events"] += 1
        if end > first:
            _add_time(target, event.basis, end - first)
    out = [
        {"key": g["key"], "pollutant": g["pollutant"], "events": g["events"],
         "hours": round(g["hours"], 2), "days": round(g["days"], 2), "labels": g["labels"]}
        for g in groups.values()
    ]  # fmt: skip
    out.sort(key=lambda r: (str(r["key"]), r["pollutant"]))
    return out


def _add_time(target: dict[str, Any], basis: str, length: timedelta) -> None:
    if basis == "day":
        target["days"] += length / DAY
    else:
        target["hours"] += length / HOUR


def totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    return {
        "events": sum(r["events"] for r in rows),
        "hours": round(sum(r["hours"] for r in rows), 2),
        "days": round(sum(r["days"] for r in rows), 2),
    }
