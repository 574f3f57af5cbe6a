"""Use cases of monitoring: recompute hourly and daily values, follow the gateway, rates.

Strategy: one function, `_compute_hours`, turns points' stored measurements over whole
hours into hourly values (SQL sums per hour, then the rules on arrays), and one,
`_compute_days`, turns hourly values into daily ones. `recompute` runs them over batches of
points and calendar months, so memory stays bounded by one batch-month whatever the range;
the streaming `update_for_rows` runs them over just the hours and days a gateway commit
touched, reading a day's other hours back from the table. Both write only through
`store.replace_periods`, in a transaction that holds the points' locks, and the sums do not
depend on the range read, so their results agree to the bit.
"""

from __future__ import annotations

import concurrent.futures
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone import config
from ecozone.monitoring import rules, store
from ecozone.monitoring.model import (
    DAY,
    FLUE_GAS_FLOW_CODE,
    HOUR,
    WASTEWATER_FLOW_CODE,
    CaptureRate,
    MonitoringError,
    MonitoringSettings,
    RecomputeSummary,
    Span,
    Total,
)
from ecozone.monitoring.rules import MinuteGroups, Periods
from ecozone.registry.model import PointKind
from ecozone.times import cst_naive

ONE_HOUR = timedelta(hours=1)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Point:
    id: int
    kind: str
    reference_o2: float | None

    @property
    def medium(self) -> str:
        return rules.medium_of(self.kind)


# --- time helpers -------------------------------------------------------------------------------


def device_time(value: datetime) -> datetime:
    """Naive China Standard Time, the way data_time is stored; aware values are converted."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return cst_naive(value)
    return value.replace(tzinfo=None)


def hour_start(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def day_start(value: datetime) -> datetime:
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def _next_month(value: datetime) -> datetime:
    return (value.replace(day=1) + timedelta(days=32)).replace(day=1)


def _merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Adjacent or overlapping spans of a point joined; sorted."""
    merged: list[Span] = []
    for point_id, start, end in sorted(spans):
        if merged and merged[-1][0] == point_id and start <= merged[-1][2]:
            last = merged[-1]
            merged[-1] = (point_id, last[1], max(last[2], end))
        else:
            merged.append((point_id, start, end))
    return tuple(merged)


# --- the two computations -----------------------------------------------------------------------


def check_settings(settings: MonitoringSettings) -> None:
    """Refuse units the rules cannot convert before anything is read or written."""
    for code, unit in settings.units.items():
        rules.unit_factor(code, unit)
    for point_id, units in settings.point_units.items():
        for code, unit in units.items():
            try:
                rules.unit_factor(code, unit)
            except MonitoringError as exc:
                raise MonitoringError(f"point {point_id}: {exc}") from None


def _unit_factors(
    point: _Point, codes: Iterable[str], settings: MonitoringSettings
) -> dict[str, float]:
    factors = {}
    for code in codes:
        unit = settings.unit_of(point.id, code)
        if unit is not None:
            try:
                factors[code] = rules.unit_factor(code, unit)
            except MonitoringError as exc:
                raise MonitoringError(f"point {point.id}: {exc}") from None
    return factors


def _compute_hours(
    conn: sa.Connection,
    points: Sequence[_Point],
    minute_codes: Sequence[str],
    start: datetime,
    end: datetime,
    settings: MonitoringSettings,
) -> dict[int, Periods]:
    """Hourly values of points of one medium over the whole hours [start, end), by point."""
    medium = points[0].medium
    ids = [p.id for p in points]
    groups = store.minute_groups(
        conn,
        ids,
        minute_codes,
        start,
        end,
        valid_flags=rules.valid_flags(settings),
        unflagged_is_normal=settings.unflagged_is_normal,
        with_flags=medium == rules.WATER,
    )
    devices = _devices(conn, ids, HOUR, start, end, settings)
    out = {}
    for p in points:
        found = groups.get(p.id)
        ours = (
            rules.hours_from_minutes(
                found,
                medium=medium,
                minute_interval=settings.interval_of(p.id),
                settings=settings,
            )
            if found is not None
            else Periods.empty()
        )
        if found is not None and p.kind == PointKind.AMBIENT_AIR:
            ours = replace(
                ours,
                valid=rules.ambient_hour_is_valid(
                    ours.valid_count, _interval(p.id, found, settings)
                ),
            )
        hours = rules.merge_device(ours, devices.get(p.id, Periods.empty()))
        hours = rules.apply_units(hours, _unit_factors(p, set(hours.pollutant), settings))
        out[p.id] = rules.finish(
            hours, medium=medium, reference_o2=p.reference_o2, hours=1.0, settings=settings
        )
    return out


def _interval(point_id: int, found: MinuteGroups, settings: MonitoringSettings) -> int:
    """A station's MinInterval: configured per point, else as its data shows."""
    configured = settings.minute_intervals.get(point_id)
    if configured is not None:
        return configured
    return rules.infer_interval(found.sample_count, found.start, settings.minute_interval)


def _devices(
    conn: sa.Connection,
    point_ids: Sequence[int],
    kind: str,
    start: datetime,
    end: datetime,
    settings: MonitoringSettings,
) -> dict[int, Periods]:
    unit = "datetime64[h]" if kind == HOUR else "datetime64[D]"
    return {
        point_id: rules.periods_from_device(
            raw["pollutant"],
            raw["start"].astype(unit),  # a period starts on its hour / day, whatever the seconds
            raw["avg"],
            raw["min"],
            raw["max"],
            raw["cou"],
            raw["flag"],
            settings,
        )
        for point_id, raw in store.device_periods(conn, point_ids, kind, start, end).items()
    }


def _compute_days(
    conn: sa.Connection,
    points: Sequence[_Point],
    hours: dict[int, Periods],
    start: datetime,
    end: datetime,
    settings: MonitoringSettings,
) -> dict[int, Periods]:
    """Daily values of points over the whole days [start, end), from their hourly values
    (`hours` must hold every hour of those days) and the devices' own daily values."""
    devices = _devices(conn, [p.id for p in points], DAY, start, end, settings)
    out = {}
    for p in points:
        days = rules.days_from_hours(hours.get(p.id, Periods.empty()), medium=p.medium,
                                     settings=settings)  # fmt: skip
        device = devices.get(p.id, Periods.empty())
        device = rules.apply_units(device, _unit_factors(p, set(device.pollutant), settings))
        has_hours = np.isin(_key(device.pollutant, device.start), _key(days.pollutant, days.start))
        # Days with hours: add the device's value beside ours. Days without: the device's
        # value, finished as a 24-hour period.
        days = rules.merge_device(days, device.take(np.flatnonzero(has_hours)))
        only_device = device.take(np.flatnonzero(~has_hours))
        if len(only_device):
            only_device = rules.finish(
                only_device,
                medium=p.medium,
                reference_o2=p.reference_o2,
                hours=24.0,
                settings=settings,
            )
            days = days.concat(only_device)
        out[p.id] = days
    return out


def _key(pollutant: np.ndarray, start: np.ndarray) -> np.ndarray:
    return np.char.add(pollutant.astype(str), np.datetime_as_string(start.astype("datetime64[s]")))


# --- batch recomputation ------------------------------------------------------------------------


def _load_points(conn: sa.Connection, point_ids: Sequence[int] | None) -> list[_Point]:
    rows = store.select_points(conn, point_ids)
    if point_ids is not None:
        missing = sorted(set(point_ids) - {row["id"] for row in rows})
        if missing:
            raise MonitoringError(f"no point with id {', '.join(map(str, missing))}")
    points = [_Point(row["id"], row["kind"], row["reference_o2"]) for row in rows]
    for p in points:
        rules.medium_of(p.kind)
    return points


def _write_transaction(engine: sa.Engine) -> Any:
    # SQLite: take the write lock before reading, so no commit can slip between our read of a
    # point's data and our write of its aggregates.
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


#: Points recomputed per statement and transaction. PostgreSQL: the gateway writes every
#: point's minute side by side, so rows of many points share a page and a batch reads each
#: page once. SQLite: its table is stored by point, and the transaction holds the database's
#: only write lock, so one point at a time keeps it short.
POINTS_PER_BATCH = {"postgresql": 50, "sqlite": 1}
#: Days per transaction (chunks never cross a calendar month, the unit of the locks). With
#: a batch of points, this bounds the rows one statement returns and the memory they take.
DAYS_PER_CHUNK = {"postgresql": 8, "sqlite": 31}


def _chunks(start: datetime, end: datetime, days: int) -> list[tuple[datetime, datetime]]:
    chunks = []
    while start < end:
        stop = min(_next_month(start), start + timedelta(days=days), end)
        chunks.append((start, stop))
        start = stop
    return chunks


def recompute(
    engine: sa.Engine,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    point_ids: list[int] | None = None,
    settings: MonitoringSettings | None = None,
    workers: int = 1,
) -> RecomputeSummary:
    """Recompute hourly and daily aggregates of the points (all for None) over [start, end).

    The range is widened to whole days (a day's value needs all its hours) and narrowed to
    the data each point has (or its aggregates, which go when their data has gone); None
    means from the first or to the last value. Work goes by batches of points
    (POINTS_PER_BATCH) and chunks of days (DAYS_PER_CHUNK), each in its own transaction, so
    memory is bounded by one batch-chunk whatever the range. `workers` > 1 runs that many
    chunks at once (useful on PostgreSQL; SQLite has one writer). Raises MonitoringError for
    an unknown point id, an empty range or a unit that cannot be converted; nothing is
    written then.
    """
    settings = settings or config.monitoring_settings()
    lo = day_start(device_time(start)) if start is not None else None
    hi = device_time(end) if end is not None else None
    if hi is not None and day_start(hi) != hi:
        hi = day_start(hi) + ONE_DAY
    if lo is not None and hi is not None and hi <= lo:
        raise MonitoringError(
            f"end {device_time(end).isoformat()} is not after start "  # type: ignore[arg-type]
            f"{device_time(start).isoformat()}; the range is start <= data_time < end"  # type: ignore[arg-type]
        )
    if workers < 1:
        raise MonitoringError(f"workers must be at least 1, not {workers}")
    check_settings(settings)
    spans: dict[int, tuple[datetime, datetime]] = {}
    codes: dict[int, list[str]] = {}
    with engine.connect() as conn:
        points = _load_points(conn, point_ids)
        for p in points:
            edges = store.extent(conn, p.id)
            if edges is None:
                continue
            first, last = day_start(edges[0]), day_start(edges[1]) + ONE_DAY
            span = (
                max(lo, first) if lo is not None else first,
                min(hi, last) if hi is not None else last,
            )
            if span[0] < span[1]:
                spans[p.id] = span
                codes[p.id] = store.pollutants(conn, p.id, "minute")
    size = POINTS_PER_BATCH.get(engine.dialect.name, 1)
    days = DAYS_PER_CHUNK.get(engine.dialect.name, 31)
    tasks = []
    for medium in (rules.GAS, rules.WATER):
        same = [p for p in points if p.medium == medium and p.id in spans]
        for i in range(0, len(same), size):
            batch = same[i : i + size]
            first = min(spans[p.id][0] for p in batch)
            last = max(spans[p.id][1] for p in batch)
            tasks += [(batch, a, b) for a, b in _chunks(first, last, days)]

    def one(task: tuple[list[_Point], datetime, datetime]) -> tuple[int, int]:
        batch, chunk_start, chunk_end = task
        chunk = [p for p in batch if spans[p.id][0] < chunk_end and chunk_start < spans[p.id][1]]
        if not chunk:
            return 0, 0
        return _recompute_chunk(engine, chunk, codes, spans, chunk_start, chunk_end, settings)

    if workers == 1:
        written = [one(task) for task in tasks]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            written = list(pool.map(one, tasks))
    span_list = tuple((point_id, s, e) for point_id, (s, e) in sorted(spans.items()))
    return RecomputeSummary(
        hours_written=sum(h for h, _ in written),
        days_written=sum(d for _, d in written),
        hour_ranges=span_list,
        day_ranges=span_list,
    )


def _recompute_chunk(
    engine: sa.Engine,
    chunk: list[_Point],
    codes: dict[int, list[str]],
    spans: dict[int, tuple[datetime, datetime]],
    start: datetime,
    end: datetime,
    settings: MonitoringSettings,
) -> tuple[int, int]:
    """Recompute points of one medium over whole days [start, end) within one month; only the
    part inside each point's own span is replaced. Returns (hours, days) written."""
    chunk_codes = sorted({code for p in chunk for code in codes[p.id]})
    hours_written = days_written = 0
    with _write_transaction(engine) as conn, conn.begin():
        store.lock_points(conn, [p.id for p in chunk], [(start, end)])
        hours = _compute_hours(conn, chunk, chunk_codes, start, end, settings)
        days = _compute_days(conn, chunk, hours, start, end, settings)
        now = datetime.now(UTC)
        # Points whose span covers the whole chunk (all but at their ends) in one write each.
        by_range: dict[tuple[datetime, datetime], list[int]] = defaultdict(list)
        for p in chunk:
            by_range[(max(start, spans[p.id][0]), min(end, spans[p.id][1]))].append(p.id)
        for (lo, hi), ids in sorted(by_range.items()):
            hours_written += store.replace_periods(
                conn, HOUR, lo, hi, {i: _within(hours[i], lo, hi) for i in ids}, now
            )
            days_written += store.replace_periods(
                conn, DAY, lo, hi, {i: _within(days[i], lo, hi) for i in ids}, now
            )
    return hours_written, days_written


def _within(periods: Periods, start: datetime, end: datetime) -> Periods:
    keep = (periods.start >= np.datetime64(start, "s")) & (periods.start < np.datetime64(end, "s"))
    return periods if keep.all() else periods.take(np.flatnonzero(keep))


# --- streaming: after each gateway commit -------------------------------------------------------


def affected_periods(rows: list[dict[str, Any]]) -> list[tuple[int, datetime, datetime]]:
    """The (point_id, start, end) hours and days whose aggregates the measurement `rows`
    change: a minute or hour value its hour and that hour's day, a day value its day;
    real-time values none (aggregates are made from minute data). Sorted, without repeats."""
    found: set[tuple[int, datetime, datetime]] = set()
    for row in rows:
        kind = row.get("kind")
        if kind not in ("minute", "hour", "day") or row.get("data_time") is None:
            continue
        when = device_time(row["data_time"])
        day = day_start(when)
        found.add((row["point_id"], day, day + ONE_DAY))
        if kind != "day":
            hour = hour_start(when)
            found.add((row["point_id"], hour, hour + ONE_HOUR))
    return sorted(found)


#: Points brought up to date per transaction after a commit: one statement reads them all,
#: and on SQLite the transaction holds the only write lock the gateway is waiting for.
STREAM_POINTS_PER_BATCH = 100


def update_for_rows(
    engine: sa.Engine,
    rows: list[dict[str, Any]],
    *,
    settings: MonitoringSettings | None = None,
) -> RecomputeSummary:
    """Bring the aggregates up to date with measurement rows just committed (the gateway's
    after-commit hook). Gives the same aggregates as `recompute` over the same data.

    Points whose rows touch the same hours and days (after a gateway commit: all of them,
    the current minute) are brought up to date together, up to STREAM_POINTS_PER_BATCH per
    transaction.
    """
    periods = affected_periods(rows)
    if not periods:
        return RecomputeSummary()
    settings = settings or config.monitoring_settings()
    check_settings(settings)
    wanted: dict[int, tuple[list[Span], list[Span]]] = defaultdict(lambda: ([], []))
    for point_id, start, end in periods:
        wanted[point_id][0 if end - start == ONE_HOUR else 1].append((point_id, start, end))
    with engine.connect() as conn:
        points = _load_points(conn, sorted(wanted))
    # Points of one medium that need the same hours and days are read and written together.
    groups: dict[tuple[Any, ...], list[_Point]] = defaultdict(list)
    for p in points:
        hour_runs = tuple((s, e) for _, s, e in _merge(wanted[p.id][0]))
        day_runs = tuple((s, e) for _, s, e in _merge(wanted[p.id][1]))
        groups[(p.medium, hour_runs, day_runs)].append(p)
    hours_written = days_written = 0
    hour_spans: list[Span] = []
    day_spans: list[Span] = []
    for (_, hour_runs, day_runs), members in sorted(groups.items(), key=lambda g: g[1][0].id):
        for i in range(0, len(members), STREAM_POINTS_PER_BATCH):
            batch = members[i : i + STREAM_POINTS_PER_BATCH]
            ids = [p.id for p in batch]
            with _write_transaction(engine) as conn, conn.begin():
                store.lock_points(conn, ids, hour_runs + day_runs)
                now = datetime.now(UTC)
                for start, end in hour_runs:
                    codes = store.codes_in_range(conn, ids, "minute", start, end)
                    hours = _compute_hours(conn, batch, codes, start, end, settings)
                    hours_written += store.replace_periods(conn, HOUR, start, end, hours, now)
                    hour_spans += [(p, start, end) for p in ids]
                for start, end in day_runs:
                    stored = store.read_periods(conn, ids, HOUR, start, end)
                    days = _compute_days(conn, batch, stored, start, end, settings)
                    days_written += store.replace_periods(conn, DAY, start, end, days, now)
                    day_spans += [(p, start, end) for p in ids]
    return RecomputeSummary(hours_written, days_written, _merge(hour_spans), _merge(day_spans))


# --- capture rates and totals -------------------------------------------------------------------


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None or end is None:
        raise MonitoringError("both start and end are needed")
    lo, hi = device_time(start), device_time(end)
    if hi <= lo:
        raise MonitoringError(
            f"end {hi.isoformat()} is not after start {lo.isoformat()}; "
            "the range is start <= data_time < end"
        )
    return lo, hi


def capture(
    engine: sa.Engine,
    point_id: int,
    *,
    start: datetime,
    end: datetime,
    basis: str = HOUR,
) -> list[CaptureRate]:
    """Data capture and valid-data rates per pollutant of a point over [start, end), counted
    in hours (or days): expected = the periods in the range, present = those with any value,
    valid = those whose value is valid (HJ 212-2017 App. D counts). The range is cut to whole
    periods: a period counts when it starts in the range."""
    if basis not in (HOUR, DAY):
        raise MonitoringError(f"unknown basis {basis!r}; expected hour or day")
    lo, hi = _range(start, end)
    step = ONE_HOUR if basis == HOUR else ONE_DAY
    first = hour_start(lo) if basis == HOUR else day_start(lo)
    if first < lo:
        first += step
    expected = max(0, -((first - hi) // step))  # periods starting in [lo, hi)
    with engine.connect() as conn:
        _load_points(conn, [point_id])
        counts = store.count_periods(conn, point_id, basis, lo, hi)
    present = np.array([c[1] for c in counts], dtype=float)
    valid = np.array([c[2] for c in counts], dtype=float)
    capture_rate, valid_rate = rules.capture_rates(expected, present, valid)
    return [
        CaptureRate(
            pollutant=code,
            basis=basis,
            expected=expected,
            present=int(present[i]),
            valid=int(valid[i]),
            capture_rate=float(capture_rate[i]),
            valid_rate=float(valid_rate[i]),
        )
        for i, (code, _, _) in enumerate(counts)
    ]


def totals(engine: sa.Engine, point_id: int, *, start: datetime, end: datetime) -> list[Total]:
    """Emitted masses and discharged volumes of a point per pollutant over the days starting
    in [start, end) (a year for an annual total)."""
    lo, hi = _range(start, end)
    flows = (FLUE_GAS_FLOW_CODE, WASTEWATER_FLOW_CODE)
    with engine.connect() as conn:
        _load_points(conn, [point_id])
        rows = store.sum_days(conn, point_id, lo, hi)
    return [
        Total(
            pollutant=row["pollutant"],
            emission_kg=row["emission_kg"],
            emission_days=int(row["emission_days"]),
            volume_m3=row["cou"] if row["pollutant"] in flows else None,
            valid_days=int(row["valid_days"]),
        )
        for row in rows
    ]
