"""The counting rules of the annual self-monitoring report, as pure functions over plain data.

Periods are half-open [start, end) ranges of naive device time (China
Standard Time); every hour count is whole hours of such ranges, so the
report's arithmetic can be checked by hand. Nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from ecozone.hj212 import codes
from ecozone.hj212.codes import DataFlag
from ecozone.reports.model import GAP_CAUSES, PermitLimit, YearOutOfRange
from ecozone.times import CHINA_STANDARD_TIME

#: The first year a report can be asked for: HJ/T 212 online monitoring platforms
#: and their stored data start in the 2000s; earlier years cannot hold data.
MIN_YEAR = 2000

HOUR = timedelta(hours=1)

Window = tuple[datetime, datetime]


def check_year(year: int, today: date) -> None:
    """A report covers a year from MIN_YEAR up to the current one (year to date)."""
    if not MIN_YEAR <= year <= today.year:
        raise YearOutOfRange(
            f"year {year} is out of range; a report covers a year from {MIN_YEAR} "
            f"to {today.year} (the current year, reported to date)"
        )


def year_bounds(year: int) -> Window:
    """The calendar year as device time: [1 Jan 00:00, next 1 Jan 00:00)."""
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def hours_in(windows: Iterable[Window]) -> int:
    """Whole hours in non-overlapping windows (8784 for the leap year 2024)."""
    return sum(int((end - start) / HOUR) for start, end in windows)


def union(windows: Iterable[Window]) -> list[Window]:
    """Overlapping or touching windows merged, in time order; empty ones dropped."""
    merged: list[Window] = []
    for start, end in sorted(w for w in windows if w[0] < w[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clip(windows: Iterable[Window], bounds: Sequence[Window]) -> list[Window]:
    """The parts of `windows` inside `bounds` (both sets of windows), merged."""
    parts = [
        (max(start, lo), min(end, hi))
        for start, end in windows
        for lo, hi in bounds
        if start < hi and lo < end
    ]
    return union(parts)


def monitoring_period(
    year: int, validities: Iterable[tuple[date, date]], *, until: datetime | None = None
) -> list[Window]:
    """The hours of `year` in which outlets were expected to report: the year itself, or,
    where the enterprise holds discharge permits touching the year, the part of the year
    they were valid. `valid_to` is the last valid day (inclusive), as permits print it.
    A year not yet over counts only its complete hours before `until` (device time).

    The capture rate's denominator is then "hours of the permit's validity within the
    year" (or the year's hours) as the annual report's brief asks.
    """
    start, end = year_bounds(year)
    if until is not None:
        end = max(start, min(end, floor_hour(until)))
    bounds = [(start, end)]
    ranges = [
        (datetime.combine(valid_from, datetime.min.time()),
         datetime.combine(valid_to, datetime.min.time()) + timedelta(days=1))
        for valid_from, valid_to in validities
    ]  # fmt: skip
    period = clip(ranges, bounds)
    return period if period else [w for w in bounds if w[0] < w[1]]


def floor_hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def ceil_hour(value: datetime) -> datetime:
    floored = floor_hour(value)
    return floored if floored == value else floored + HOUR


def declared_windows(marks: Iterable[Window], period: Sequence[Window]) -> list[Window]:
    """Hours touched by data-marking declarations, inside the monitoring period.

    An hour counts as declared when any part of it lies in a declared range (a
    maintenance from 13:30 to 16:00 declares the hours 13, 14 and 15): the hourly
    value of such an hour is built from data taken during the declared state.
    Overlapping declarations count once.
    """
    return clip(((floor_hour(start), ceil_hour(end)) for start, end in marks), period)


def exceedance_hours(start: datetime, end: datetime | None, year: int, now: datetime) -> int:
    """Hours of one exceedance event inside `year`.

    `end` is the end of the last exceeding hour (exclusive), so an event of the
    hours 09:00 and 10:00 runs from 09:00 to 11:00: 2 hours. An event still going
    on (no end) is counted up to `now` (naive device time). A part of an hour
    counts as a whole exceeding hour.
    """
    year_start, year_end = year_bounds(year)
    stop = min(end if end is not None else max(now, start), year_end)
    begin = max(start, year_start)
    if stop <= begin:
        return 0
    seconds = (stop - begin).total_seconds()
    return int(-(-seconds // 3600))


def is_late(declared_at: datetime, start: datetime) -> bool:
    """A declaration is late when it was made after the declared period began.

    `declared_at` is an aware instant; `start` is naive device time (CST).
    """
    return declared_at > start.replace(tzinfo=CHINA_STANDARD_TIME)


def gap_cause(flag: str | None) -> str:
    """The GAP_CAUSES key of an hour that has data but failed validity, by its flag
    (HJ 212-2017 Table 8: F stopped, M maintenance, C calibration, D fault, B link
    fault, T over range, S set value, N normal but too few values)."""
    parsed = DataFlag.parse(flag)
    return "other" if parsed is None else parsed.value


def gap_hours(
    invalid_hours_by_flag: Mapping[str | None, int], expected_hours: int, hours_with_data: int
) -> dict[str, int]:
    """Hours of the monitoring period without valid data, by cause.

    Hours with data that failed validity are counted by their flag; expected hours
    with no data are "missing": expected_hours - hours_with_data. The causes add up
    to expected_hours - valid_hours.
    """
    gaps = dict.fromkeys(GAP_CAUSES, 0)
    for flag, hours in invalid_hours_by_flag.items():
        gaps[gap_cause(flag)] += hours
    gaps["missing"] = max(expected_hours - hours_with_data, 0)
    return gaps


def rate(count: int, expected: int | None) -> float | None:
    """count / expected as a fraction; None where nothing was expected."""
    if not expected:
        return None
    return count / expected


def value_basis(reference_o2: float | None) -> str:
    """Which hourly value is judged: the value converted to the reference O2 (zs_avg,
    HJ 75-2017 formula A9) where the outlet has a reference O2, else the measured avg."""
    return "zs_avg" if reference_o2 is not None else "avg"


def choose_limit(limits: Iterable[Mapping]) -> tuple[PermitLimit | None, float | None]:
    """The concentration limit and annual cap of one outlet and pollutant.

    `limits` are permit_limit rows with their permit's `valid_from`. The latest
    permit touching the year states them (a renewed permit replaces the old one);
    of its limits the hourly one is shown, else the daily one. The cap is the
    largest annual_cap_t the permit gives the pair (the hour and day rows
    normally repeat the same cap).
    """
    rows = list(limits)
    if not rows:
        return None, None
    latest = max(row["valid_from"] for row in rows)
    rows = [row for row in rows if row["valid_from"] == latest]
    rows.sort(key=lambda row: (row["basis"] != "hour", row["basis"]))
    first = rows[0]
    limit = PermitLimit(
        limit_value=first["limit_value"],
        unit=first["unit"],
        basis=first["basis"],
        standard=first["standard"],
    )
    caps = [row["annual_cap_t"] for row in rows if row["annual_cap_t"] is not None]
    return limit, (max(caps) if caps else None)


def is_reported_pollutant(code: str) -> bool:
    """Pollutants get report lines; flows and state parameters (flow, O2, temperature,
    pressure, moisture: medium "parameter" in HJ 212-2017 App. B) do not."""
    entry = codes.pollutant(code)
    return entry is None or entry.medium != codes.PARAMETER


def pollutant_label(code: str) -> tuple[str, str]:
    """Chinese name and concentration unit of a pollutant code (HJ 212-2017 App. B)."""
    entry = codes.pollutant(code)
    if entry is None:
        return code, ""
    return entry.name, entry.unit
