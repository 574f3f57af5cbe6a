"""Evaluation: judge monitoring data against permits and raise or extend alerts.

Reads monitoring data point by point and month by month outside the write lock, lets the
rules find conditions (exceedances, unpermitted discharge, constant values, hour
mismatches, fault and maintenance flags, annual caps, offline points), then merges them
into stored alerts in one short write transaction under the evaluation lock: a condition
that continues or touches a stored alert of the same condition key extends it instead of
raising another, and reopens it through the transition table when it had been settled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.compliance import alerts, rules, store, webhooks
from ecozone.compliance._usecase import SYSTEM_ACTOR, instant, write
from ecozone.compliance.model import (
    DEFAULT_SETTINGS,
    AlertAction,
    AlertState,
    AlertType,
    ComplianceError,
    ComplianceSettings,
    Condition,
    Event,
    Limit,
    LimitBasis,
    MarkKind,
)
from ecozone.compliance.rules import DAY, FLOW_CODES, HOUR, format_local
from ecozone.store.schema import alert
from ecozone.times import local_time, parse_time

#: Evaluation reads monitoring data in chunks of this length (memory stays bounded).
CHUNK = timedelta(days=31)
#: States a supervisor has settled; a condition that continues past them reopens the alert.
SETTLED_STATES = (AlertState.CLOSED, AlertState.VERIFIED)


def evaluate(
    engine: sa.Engine,
    *,
    start: datetime,
    end: datetime,
    point_ids: list[int] | None = None,
    now: datetime | None = None,
    settings: ComplianceSettings | None = None,
) -> list[int]:
    """Judge the monitoring data of [start, end) (device time) and raise or extend alerts.

    Called after each aggregation update with the range it touched, and by batch
    recomputation over any range. Checks: exceedances of permit limits on hour and day
    aggregates, annual caps, constant values, fault and maintenance flags, device hourly
    values disagreeing with computed ones, and discharge outside permit validity. Data
    just before `start` is read as well, so a run that began earlier is seen whole.
    Idempotent: a second run over the same data creates and changes nothing. Returns the
    ids of alerts created or changed, ascending.
    """
    settings = settings or DEFAULT_SETTINGS
    start_l = parse_time(start, "start")
    end_l = parse_time(end, "end")
    if end_l <= start_l:
        raise ComplianceError(
            f"end: {format_local(end_l)} is not after start {format_local(start_l)}"
        )
    now_utc = instant(now)
    lookback = HOUR * max(
        settings.constant_hours, settings.fault_hours, settings.maintenance_hours + 1
    )
    changed: set[int] = set()
    with engine.connect() as conn:
        points = store.select_points(conn, point_ids)
        limits = store.limits_for_points(conn, list(points))
    limits_by_point: dict[int, list[Limit]] = defaultdict(list)
    for limit in limits:
        limits_by_point[limit.point_id].append(limit)

    chunk_start = start_l
    while chunk_start < end_l:
        chunk_end = min(chunk_start + CHUNK, end_l)
        conditions: list[Condition] = []
        with engine.connect() as conn:
            for info in points.values():
                conditions += _point_conditions(
                    conn,
                    info,
                    limits_by_point.get(info["id"], []),
                    chunk_start,
                    chunk_end,
                    lookback,
                    settings,
                )
        changed |= record_conditions(engine, conditions, points, now_utc)
        chunk_start = chunk_end

    with engine.connect() as conn:
        conditions = _cap_conditions(
            conn, points, limits_by_point, start_l, end_l, local_time(now_utc), settings
        )
    changed |= record_conditions(engine, conditions, points, now_utc)
    return sorted(changed)


def evaluate_spans(
    engine: sa.Engine,
    spans: Iterable[tuple[int, datetime, datetime]],
    *,
    now: datetime | None = None,
    settings: ComplianceSettings | None = None,
) -> list[int]:
    """evaluate() over the (point_id, start, end) spans an aggregation update rewrote (as
    monitoring's RecomputeSummary.ranges gives them): one call per distinct range, with the
    points that share it. Returns the ids of alerts created or changed, ascending."""
    by_range: dict[tuple[datetime, datetime], set[int]] = defaultdict(set)
    for point_id, start, end in spans:
        by_range[(start, end)].add(point_id)
    changed: set[int] = set()
    for (start, end), point_ids in sorted(by_range.items()):
        changed.update(
            evaluate(
                engine,
                start=start,
                end=end,
                point_ids=sorted(point_ids),
                now=now,
                settings=settings,
            )
        )
    return sorted(changed)


@dataclass(frozen=True)
class _Series:
    """One pollutant's hour (or day) aggregates as parallel arrays in time order; missing
    values are NaN."""

    t: np.ndarray  # period starts, datetime64[us]
    avg: np.ndarray
    zs_avg: np.ndarray
    valid: np.ndarray
    device_avg: np.ndarray
    sample_count: np.ndarray

    def index(self, when: datetime) -> int:
        return int(np.searchsorted(self.t, np.datetime64(when, "us")))


def _series(rows: list[tuple[Any, ...]]) -> dict[str, _Series]:
    """Rows of store.read_aggregates (sorted by pollutant, then time) as series by pollutant."""
    if not rows:
        return {}
    pollutant, data_time, avg, zs_avg, valid, device_avg, sample_count = zip(*rows, strict=True)
    columns = (
        np.array(data_time, dtype="datetime64[us]"),
        np.array(avg, dtype=float),
        np.array(zs_avg, dtype=float),
        np.array(valid, dtype=bool),
        np.array(device_avg, dtype=float),
        np.array([n or 0 for n in sample_count], dtype=np.int64),
    )
    out: dict[str, _Series] = {}
    first = 0
    for last in range(1, len(pollutant) + 1):
        if last == len(pollutant) or pollutant[last] != pollutant[first]:
            out[pollutant[first]] = _Series(*(column[first:last] for column in columns))
            first = last
    return out


def _aligned(t: np.ndarray, other: _Series | None) -> np.ndarray:
    """`other`'s mean at each period start of `t` (NaN where it has none)."""
    out = np.full(t.size, np.nan)
    if other is None or not t.size or not other.t.size:
        return out
    index = np.clip(np.searchsorted(other.t, t), 0, other.t.size - 1)
    hit = other.t[index] == t
    out[hit] = other.avg[index[hit]]
    return out


def _limits_per_period(t: np.ndarray, limits: list[Limit]) -> tuple[np.ndarray, list[Limit]]:
    """The limit applying to each period, the strictest of the permits valid on its date (NaN
    where none is), and the index into `limits` of the one chosen (-1 where none)."""
    days = t.astype("datetime64[D]")
    values = np.full(t.size, np.nan)
    chosen = np.full(t.size, -1)
    order = sorted(range(len(limits)), key=lambda i: -limits[i].limit_value)
    for i in order:  # loosest first, so the strictest applying one is written last
        limit = limits[i]
        valid = (days >= np.datetime64(limit.valid_from, "D")) & (
            days <= np.datetime64(limit.valid_to, "D")
        )
        values[valid] = limit.limit_value
        chosen[valid] = i
    return values, chosen


def _point_conditions(
    conn: sa.Connection,
    info: dict[str, Any],
    limits: list[Limit],
    start: datetime,
    end: datetime,
    lookback: timedelta,
    settings: ComplianceSettings,
) -> list[Condition]:
    point_id = info["id"]
    read_from = rules.floor_period(start, HOUR) - lookback
    marks = store.marks_for(conn, [point_id], read_from - DAY, end + DAY)
    hours = _series(store.read_aggregates(conn, point_id, "hour", read_from, end))
    flow = next((hours[code] for code in FLOW_CODES if code in hours), None)
    has_ref = info["reference_o2"] is not None
    out: list[Condition] = []

    def condition(
        type_: AlertType, key: str, pollutant: str | None, event: Event, detail: dict[str, Any]
    ) -> None:
        out.append(
            Condition(
                type=type_,
                condition_key=key,
                point_id=point_id,
                pollutant=pollutant,
                start=event.start,
                end=event.end,
                peak=event.peak,
                limit_value=event.limit,
                detail=detail,
            )
        )

    # Exceedances of hour- and day-basis limits.
    for basis in LimitBasis:
        by_pollutant: dict[str, list[Limit]] = defaultdict(list)
        for limit in limits:
            if limit.basis is basis:
                by_pollutant[limit.pollutant].append(limit)
        if not by_pollutant:
            continue
        if basis is LimitBasis.HOUR:
            series = hours
        else:
            series = _series(
                store.read_aggregates(
                    conn, point_id, "day", rules.floor_period(start, DAY), end, by_pollutant
                )
            )
        for pollutant, pollutant_limits in by_pollutant.items():
            s = series.get(pollutant)
            if s is None:
                continue
            judged = rules.judged_values(s.avg, s.zs_avg, has_reference_o2=has_ref)
            limit_values, chosen = _limits_per_period(s.t, pollutant_limits)
            excluded = rules.marked(s.t, basis.step, rules.marks_applying(marks, pollutant))
            events = rules.exceedances(
                s.t, judged, limit_values, step=basis.step, valid=s.valid, excluded=excluded
            )
            for event in events:
                limit = pollutant_limits[chosen[s.index(event.start)]]
                condition(
                    AlertType.EXCEEDANCE,
                    f"exceedance:{point_id}:{pollutant}:{basis.value}",
                    pollutant,
                    event,
                    {
                        "basis": basis.value,
                        "unit": limit.unit,
                        "standard": limit.standard,
                        "permit_no": limit.permit_no,
                        "converted_to_reference_o2": has_ref,
                        "reference_o2": info["reference_o2"],
                        "values": _values(event),
                    },
                )

    # Discharge outside every permit's validity, for outlets that hold permit limits:
    # hours with data of any pollutant, unless the flow was zero or a shutdown was declared.
    if limits and hours:
        sampled = [s.t[(s.sample_count > 0) & np.isfinite(s.avg)] for s in hours.values()]
        times = np.unique(np.concatenate(sampled))
        discharging = ~(_aligned(times, flow) <= 0) & ~rules.marked(
            times, HOUR, rules.marks_applying(marks, None, [MarkKind.SHUTDOWN])
        )
        covered = rules.permitted(times, {(lim.valid_from, lim.valid_to) for lim in limits})
        validity = sorted({(lim.permit_no, lim.valid_from, lim.valid_to) for lim in limits})
        for event in rules.unpermitted_discharge(times, discharging, covered):
            condition(
                AlertType.PERMIT_EXPIRED,
                f"permit_expired:{point_id}",
                None,
                event,
                {
                    "hours": event.duration_h,
                    "permits": [
                        {"permit_no": no, "valid_from": f.isoformat(), "valid_to": t.isoformat()}
                        for no, f, t in validity
                    ],
                },
            )

    for pollutant, s in hours.items():
        declared = rules.marked(s.t, HOUR, rules.marks_applying(marks, pollutant))
        # Constant values: a frozen signal outside stops and declared periods.
        if pollutant not in settings.constant_exempt:
            own_flow = s if pollutant in FLOW_CODES else flow
            stop = rules.stopped(s.avg, _aligned(s.t, own_flow))
            for event in rules.constant_runs(
                s.t,
                s.avg,
                min_periods=settings.constant_hours,
                tolerance=settings.constant_tolerance,
                excluded=stop | declared | ~s.valid,
            ):
                condition(
                    AlertType.CONSTANT_VALUE,
                    f"constant_value:{point_id}:{pollutant}",
                    pollutant,
                    event,
                    {"hours": event.duration_h, "value": event.peak},
                )
        # Device hourly values against the computed ones.
        if np.isfinite(s.device_avg).any():
            for event in rules.mismatches(
                s.t,
                s.avg,
                s.device_avg,
                relative=settings.mismatch_relative,
                floor=settings.mismatch_floor,
                valid=s.valid & ~declared,
            ):
                condition(
                    AlertType.HOUR_MISMATCH,
                    f"hour_mismatch:{point_id}:{pollutant}",
                    pollutant,
                    event,
                    {
                        "relative_tolerance": settings.mismatch_relative,
                        "absolute_floor": settings.mismatch_floor,
                        "hours": _mismatch_hours(event, s),
                    },
                )

    # Fault (D) and maintenance (M) flags on the measurements.
    flagged: dict[str, dict[datetime, dict[str, Any]]] = defaultdict(dict)
    for row in store.flag_counts(conn, point_id, read_from, end, ("D", "M")):
        slot = flagged[row["pollutant"]]
        if row["hour"] not in slot or row["kind"] == "minute":  # minute data wins
            slot[row["hour"]] = row
    for pollutant, by_hour in flagged.items():
        times = sorted(by_hour)
        total = [by_hour[t]["total"] for t in times]
        fault = rules.flag_hours([by_hour[t]["count_D"] for t in times], total)
        maintenance = rules.flag_hours([by_hour[t]["count_M"] for t in times], total)
        applying = rules.marks_applying(marks, pollutant)
        declared = rules.marked(times, HOUR, applying)
        # A fault the enterprise has declared is reported already: no alert for it.
        for event in rules.long_runs(times, fault & ~declared, min_periods=settings.fault_hours):
            condition(
                AlertType.DEVICE_FAULT,
                f"device_fault:{point_id}:{pollutant}",
                pollutant,
                event,
                {"flag": "D", "hours": event.duration_h, "threshold_h": settings.fault_hours},
            )
        # Maintenance beyond the allowed time is raised whether declared or not.
        for event in rules.long_runs(
            times, maintenance, min_periods=settings.maintenance_hours + 1
        ):
            covering = [
                m.id
                for m in marks
                if (m.pollutant is None or m.pollutant == pollutant)
                and m.start < event.end
                and m.end > event.start
            ]
            condition(
                AlertType.LONG_MAINTENANCE,
                f"long_maintenance:{point_id}:{pollutant}",
                pollutant,
                event,
                {
                    "flag": "M",
                    "hours": event.duration_h,
                    "allowed_h": settings.maintenance_hours,
                    "declared_marks": sorted(covering),
                },
            )
    return out


def _values(event: Event) -> list[dict[str, Any]]:
    return [{"data_time": format_local(t), "value": v} for t, v in event.values]


def _mismatch_hours(event: Event, s: _Series) -> list[dict[str, Any]]:
    hours = []
    for t, _ in event.values:
        i = s.index(t)
        hours.append(
            {
                "data_time": format_local(t),
                "computed": float(s.avg[i]),
                "device": float(s.device_avg[i]),
            }
        )
    return hours


def _cap_conditions(
    conn: sa.Connection,
    points: Mapping[int, dict[str, Any]],
    limits_by_point: Mapping[int, list[Limit]],
    start: datetime,
    end: datetime,
    now_local: datetime,
    settings: ComplianceSettings,
) -> list[Condition]:
    out: list[Condition] = []
    last_instant = end - timedelta(microseconds=1)
    for year in range(start.year, last_instant.year + 1):
        first, following = rules.year_bounds(year)
        for point_id, limits in limits_by_point.items():
            if point_id not in points:
                continue
            caps: dict[str, list[Limit]] = defaultdict(list)
            for limit in limits:
                overlaps = limit.valid_from < following.date() and limit.valid_to >= first.date()
                if limit.annual_cap_t is not None and overlaps:
                    caps[limit.pollutant].append(limit)
            for pollutant, capped in caps.items():
                limit = min(capped, key=lambda lim: lim.annual_cap_t or 0.0)
                assert limit.annual_cap_t is not None
                emitted_kg, last = store.emission_total(conn, point_id, pollutant, first, following)
                if last is None:
                    continue
                as_of = min(last + HOUR, now_local, following)
                status = rules.cap_status(
                    emitted_kg, limit.annual_cap_t, year=year, as_of=as_of, settings=settings
                )
                if status.level is None:
                    continue
                measured = status.level in ("exceeded", "approaching")
                peak = status.emitted_t if measured else status.projected_t
                out.append(
                    Condition(
                        type=AlertType.CAP_WARNING,
                        condition_key=f"cap_warning:{point_id}:{pollutant}:{year}",
                        point_id=point_id,
                        pollutant=pollutant,
                        start=status.as_of,
                        end=status.as_of,
                        peak=peak,
                        limit_value=status.cap_t,
                        detail={
                            "year": year,
                            "level": status.level,
                            "emitted_t": status.emitted_t,
                            "projected_t": status.projected_t,
                            "cap_t": status.cap_t,
                            "fraction": status.fraction,
                            "as_of": format_local(status.as_of),
                            "permit_no": limit.permit_no,
                            "unit": "t",
                        },
                    )
                )
    return out


def _merge(stored: dict[str, Any], cond: Condition) -> dict[str, Any]:
    """The stored alert's fields after taking in `cond` (same condition key, touching)."""
    if cond.type is AlertType.CAP_WARNING:  # the latest status replaces the last one
        return {
            "start": stored["start"],
            "end": max(stored["end"] or cond.end, cond.end) if cond.end else stored["end"],
            "peak": cond.peak,
            "limit_value": cond.limit_value,
            "detail": dict(cond.detail),
        }
    start = min(stored["start"], cond.start)
    end = None if stored["end"] is None or cond.end is None else max(stored["end"], cond.end)
    detail = dict(stored["detail"] or {})
    detail.update(cond.detail)
    peak, limit_value = stored["peak"], stored["limit_value"]
    if cond.peak is not None and (peak is None or cond.peak >= peak):
        peak, limit_value = cond.peak, cond.limit_value
    for key in ("values", "hours"):
        old, new = (stored["detail"] or {}).get(key), cond.detail.get(key)
        if isinstance(old, list) and isinstance(new, list):
            merged = {item["data_time"]: item for item in old}
            merged.update({item["data_time"]: item for item in new})
            detail[key] = [merged[k] for k in sorted(merged)]
    if end is not None and isinstance(detail.get("hours"), int | float):
        detail["hours"] = (end - start) / HOUR
    if isinstance(detail.get("values"), list) and detail["values"]:
        peak = max(item["value"] for item in detail["values"])
    return {"start": start, "end": end, "peak": peak, "limit_value": limit_value, "detail": detail}


def _touches(stored: dict[str, Any], cond: Condition) -> bool:
    cond_end = cond.end if cond.end is not None else datetime.max
    stored_end = stored["end"] if stored["end"] is not None else datetime.max
    return stored["start"] <= cond_end and stored_end >= cond.start


def record_conditions(
    engine: sa.Engine,
    conditions: list[Condition],
    points: Mapping[int | None, dict[str, Any]],
    now: datetime,
) -> set[int]:
    """Merge conditions into stored alerts in one short write transaction; queue webhook
    deliveries for alerts created. Returns the ids created or changed. A condition's
    enterprise is its own `enterprise_id`, else its point's in `points`."""
    if not conditions:
        return set()
    changed: set[int] = set()
    created: list[int] = []
    with write(engine) as conn, conn.begin():
        store.lock_evaluation(conn)
        by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        caps = {c.condition_key for c in conditions if c.type is AlertType.CAP_WARNING}
        spans = [c for c in conditions if c.type is not AlertType.CAP_WARNING]
        stored = store.alerts_by_keys(conn, caps)  # one per key and year, whatever its span
        if spans:
            stored += store.alerts_by_keys(
                conn,
                {c.condition_key for c in spans},
                since=min(c.start for c in spans),
                until=max(c.end or c.start for c in spans),
            )
        for row in stored:
            by_key[row["condition_key"]].append(row)
        for cond in sorted(conditions, key=lambda c: (c.condition_key, c.start)):
            candidates = by_key[cond.condition_key]
            if cond.type is AlertType.CAP_WARNING:
                match = candidates[0] if candidates else None
            else:
                match = next((a for a in candidates if _touches(a, cond)), None)
            if match is None:
                values = {
                    "type": cond.type.value,
                    "point_id": cond.point_id,
                    "enterprise_id": cond.enterprise_id
                    if cond.enterprise_id is not None
                    else points[cond.point_id]["enterprise_id"],
                    "pollutant": cond.pollutant,
                    "start": cond.start,
                    "end": cond.end,
                    "peak": cond.peak,
                    "limit_value": cond.limit_value,
                    "state": AlertState.OPEN.value,
                    "condition_key": cond.condition_key,
                    "detail": cond.detail,
                    "created_at": now,
                    "updated_at": now,
                }
                alert_id = store.insert_row(conn, alert, values)
                candidates.append({"id": alert_id, **values})
                candidates.sort(key=lambda a: a["start"])
                created.append(alert_id)
                changed.add(alert_id)
                continue
            merged = _merge(match, cond)
            diff = {k: v for k, v in merged.items() if match[k] != v}
            if not diff:
                continue
            extended = (
                merged["end"] is not None
                and match["end"] is not None
                and merged["end"] > match["end"]
            )
            if extended and match["state"] in SETTLED_STATES:
                # The condition came back: the platform reopens it through the table.
                target = alerts.transition(
                    conn,
                    match["id"],
                    match["state"],
                    AlertAction.REOPEN,
                    actor=SYSTEM_ACTOR,
                    at=now,
                    comment="the condition continued after the alert was "
                    f"{match['state']}; it now lasts until {format_local(merged['end'])}",
                )
                match["state"] = target.value
            store.update_row(conn, alert, match["id"], {**diff, "updated_at": now})
            match.update(diff)
            changed.add(match["id"])
        webhooks.queue_new_alerts(conn, created, now)
    return changed


def check_offline(
    engine: sa.Engine,
    now: datetime | None = None,
    *,
    point_ids: list[int] | None = None,
    settings: ComplianceSettings | None = None,
) -> list[int]:
    """Raise `offline` for points with a device that sent no minute or hour data for
    `settings.offline_after`, and end offline alerts of points whose data came back.

    Data covers its period: a minute value until the minute's end, an hourly value until
    the hour's end, so a point sending only hourly data is not offline while its next hour
    is due. A point under a declaration (shutdown, maintenance ...) covering `now` is not
    raised; a point that never sent data is not either. Returns ids created or changed.
    """
    settings = settings or DEFAULT_SETTINGS
    now_utc = instant(now)
    now_l = local_time(now_utc)
    with engine.connect() as conn:
        points = store.select_points(conn, point_ids, with_device=True)
        covered_until = _covered_until(conn, list(points))
        marks = store.marks_for(conn, list(points), now_l, now_l + timedelta(microseconds=1))
    declared = {m.point_id for m in marks if m.pollutant is None}

    changed: set[int] = set()
    created: list[int] = []
    with write(engine) as conn, conn.begin():
        store.lock_evaluation(conn)
        ongoing = {}
        for row in store.open_offline_alerts(conn):
            if point_ids is not None and row["point_id"] not in points:
                continue
            back = store.first_data_since(conn, row["point_id"], row["start"])
            if back is not None:
                store.update_row(conn, alert, row["id"], {"end": back, "updated_at": now_utc})
                changed.add(row["id"])
            else:
                ongoing[row["point_id"]] = row
        for point_id, until in covered_until.items():
            if until is None or point_id in ongoing or point_id in declared:
                continue
            if now_l - until < settings.offline_after:
                continue
            key = f"offline:{point_id}"
            if any(a["start"] == until for a in store.alerts_by_keys(conn, [key])):
                continue  # this gap was raised and has ended (data came back, then was lost)
            alert_id = store.insert_row(
                conn,
                alert,
                {
                    "type": AlertType.OFFLINE.value,
                    "point_id": point_id,
                    "enterprise_id": points[point_id]["enterprise_id"],
                    "pollutant": None,
                    "start": until,
                    "end": None,
                    "state": AlertState.OPEN.value,
                    "condition_key": key,
                    "detail": {
                        "data_until": format_local(until),
                        "checked_at": format_local(now_l),
                        "offline_after_h": settings.offline_after / HOUR,
                    },
                    "created_at": now_utc,
                    "updated_at": now_utc,
                },
            )
            created.append(alert_id)
            changed.add(alert_id)
        webhooks.queue_new_alerts(conn, created, now_utc)
    return sorted(changed)


def _covered_until(conn: sa.Connection, point_ids: list[int]) -> dict[int, datetime | None]:
    """When each point's data stops: the end of the period of its latest value."""
    out: dict[int, datetime | None] = {}
    for point_id, latest in store.last_data_times(conn, point_ids).items():
        ends = [t + rules.DATA_PERIODS[kind] for kind, t in latest.items() if t is not None]
        out[point_id] = max(ends) if ends else None
    return out
