"""Compliance use cases: permits, evaluation into alerts, the alert loop, data marks, webhooks.

Each use case validates everything first and writes in one short transaction (BEGIN
IMMEDIATE on SQLite, an advisory lock on PostgreSQL where alerts are raised), so bad input
changes nothing and two evaluations never raise the same alert twice. Evaluation reads
monitoring data point by point and month by month outside the write lock, lets the rules
find conditions, then merges them into stored alerts: a condition that continues or
touches a stored alert of the same condition key extends it instead of raising another.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.compliance import rules, store
from ecozone.compliance.model import (
    DEFAULT_SETTINGS,
    AlertAction,
    AlertState,
    AlertType,
    ComplianceError,
    ComplianceSettings,
    Condition,
    ConflictError,
    Event,
    ImportSummary,
    Limit,
    LimitBasis,
    Mark,
    MarkKind,
    NotFoundError,
    PermitSpec,
    TransitionError,
)
from ecozone.compliance.rules import DAY, FLOW_CODES, HOUR, format_local, local_time
from ecozone.hj212 import codes
from ecozone.store.schema import data_mark, permit, permit_limit, webhook

#: Who the platform itself acts as when it changes an alert.
SYSTEM_ACTOR = "ecozone"
#: Evaluation reads monitoring data in chunks of this length (memory stays bounded).
CHUNK = timedelta(days=31)
_HJ212_TIME = re.compile(r"\d{14}")


# --- shared helpers --------------------------------------------------------------------------


def parse_time(value: datetime | str, name: str = "time") -> datetime:
    """`value` as naive China Standard Time (device time); `name` says which field in errors.

    Accepts a datetime (naive means CST, aware is converted), ISO 8601 text (an offset or Z
    is converted) and HJ 212's YYYYMMDDhhmmss.
    """
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        text = value.strip()
        try:
            if _HJ212_TIME.fullmatch(text):
                return datetime.strptime(text, "%Y%m%d%H%M%S")
            return local_time(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise ComplianceError(
        f"{name}: {value!r} is not a time; write it as ISO 8601, e.g. 2024-05-01T10:00:00"
        " (China Standard Time) or 2024-05-01T02:00:00Z"
    )


def _now(now: datetime | None) -> datetime:
    """An aware UTC instant; a naive `now` is China Standard Time."""
    if now is None:
        return rules.utc_now()
    return rules.instant(now).astimezone(UTC)


def _actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ComplianceError("actor: missing; every change records who made it")
    actor = actor.strip()
    if len(actor) > 100:
        raise ComplianceError(f"actor: {len(actor)} characters; at most 100")
    return actor


def _write(engine: sa.Engine) -> sa.Connection:
    """A connection whose transactions take SQLite's write lock up front."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- permits ---------------------------------------------------------------------------------


def import_permits(engine: sa.Engine, data: Any, *, actor: str = "permit import") -> ImportSummary:
    """Create or update the permits of a permit file (`{"permits": [...]}`), all or nothing.

    Every problem in the file, and every conflict with the registry (unknown credit code,
    unknown outlet, a permit number stored for another enterprise), is collected into one
    ComplianceError naming each by its path, and then nothing is written. Permits are
    matched by number; an imported permit's limits become exactly those listed. Importing
    the same file twice changes nothing the second time.
    """
    actor = _actor(actor)
    specs, errors, warnings = rules.parse_permits(data)
    with _write(engine) as conn, conn.begin():
        summary = _store_permits(conn, specs, errors, warnings, actor)
    return summary


def put_permit(
    engine: sa.Engine,
    data: Any,
    *,
    actor: str,
    permit_no: str | None = None,
    create_only: bool = False,
) -> tuple[dict[str, Any], list[str]]:
    """Create or replace one permit given in the shape of a permit file entry.

    `permit_no`, when given (a URL path), must match the data's. `create_only` refuses a
    permit number that is stored already (ConflictError). Returns the stored permit and
    the warnings.
    """
    actor = _actor(actor)
    spec, errors, warnings = rules.parse_permit(data)
    if spec is not None and permit_no is not None and spec.permit_no != permit_no.upper():
        errors.append(f"permit.permit_no: {spec.permit_no} differs from {permit_no} in the URL")
    specs = [spec] if spec is not None else []
    with _write(engine) as conn, conn.begin():
        if create_only and spec is not None and spec.permit_no in store.stored_permits(conn):
            raise ConflictError(f"permit {spec.permit_no} exists already; use PUT to replace it")
        summary = _store_permits(conn, specs, errors, warnings, actor)
    assert spec is not None
    return get_permit(engine, spec.permit_no), summary.warnings


def _store_permits(
    conn: sa.Connection,
    specs: list[PermitSpec],
    errors: list[str],
    warnings: list[str],
    actor: str,
) -> ImportSummary:
    enterprises = store.enterprise_ids(conn)
    outlets = store.outlets(conn)
    stored = store.stored_permits(conn)
    more_errors, more_warnings = rules.check_against_registry(
        specs,
        enterprises=enterprises,
        outlets={
            cc: {code: kind for code, (_, kind) in by_code.items()}
            for cc, by_code in outlets.items()
        },
        stored_permits={no: row["credit_code"] for no, row in stored.items()},
    )
    errors = errors + more_errors
    if errors:
        count = len(errors)
        raise ComplianceError(
            errors,
            heading=f"permits not stored, {count} error{'s' if count != 1 else ''};"
            " nothing was written",
        )
    summary = ImportSummary(warnings=warnings + more_warnings)
    for spec in specs:
        _write_permit(conn, spec, stored.get(spec.permit_no), enterprises, outlets, summary, actor)
    return summary


def _write_permit(
    conn: sa.Connection,
    spec: PermitSpec,
    row: dict[str, Any] | None,
    enterprises: Mapping[str, int],
    outlets: Mapping[str, Mapping[str, tuple[int, str]]],
    summary: ImportSummary,
    actor: str,
) -> None:
    values = {
        "permit_no": spec.permit_no,
        "enterprise_id": enterprises[spec.credit_code],
        "management_class": spec.management_class.value,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
    }
    changed_fields: dict[str, Any] = {}
    if row is None:
        permit_id = store.insert_row(conn, permit, values)
    else:
        permit_id = row["id"]
        changed_fields = {k: v for k, v in values.items() if row[k] != v}
        if changed_fields:
            store.update_row(conn, permit, permit_id, changed_fields)

    by_code = outlets[spec.credit_code]
    wanted: dict[tuple[int, str, str], dict[str, Any]] = {}
    codes_by_point: dict[int, str] = {}
    for outlet in spec.outlets:
        point_id = by_code[outlet.code][0]
        codes_by_point[point_id] = outlet.code
        for limit in outlet.limits:
            wanted[(point_id, limit.pollutant, limit.basis.value)] = {
                "limit_value": limit.limit_value,
                "unit": limit.unit,
                "standard": limit.standard,
                "annual_cap_t": limit.annual_cap_t,
            }
    existing = {
        (r["point_id"], r["pollutant"], r["basis"]): r
        for r in (store.limits_of_permit(conn, permit_id) if row is not None else [])
    }
    removed = [r["id"] for key, r in existing.items() if key not in wanted]
    store.delete_limits(conn, removed)
    written = 0
    for key, limit_values in wanted.items():
        old = existing.get(key)
        if old is None:
            point_id, pollutant, basis = key
            store.insert_row(
                conn,
                permit_limit,
                {
                    "permit_id": permit_id,
                    "point_id": point_id,
                    "pollutant": pollutant,
                    "basis": basis,
                    **limit_values,
                },
            )
            written += 1
        else:
            diff = {k: v for k, v in limit_values.items() if old[k] != v}
            if diff:
                store.update_row(conn, permit_limit, old["id"], diff)
                written += 1
    summary.limits_written += written
    summary.limits_removed += len(removed)

    def limits_audit(limits: Iterable[tuple[tuple[int, str, str], dict[str, Any]]]) -> list:
        return sorted(
            [
                {
                    "outlet": codes_by_point.get(k[0], k[0]),
                    "pollutant": k[1],
                    "basis": k[2],
                    **{f: v[f] for f in ("limit_value", "unit", "standard", "annual_cap_t")},
                }
                for k, v in limits
            ],
            key=lambda item: (str(item["outlet"]), item["pollutant"], item["basis"]),
        )

    after = {k: _iso(v) for k, v in values.items()} | {"limits": limits_audit(wanted.items())}
    if row is None:
        summary.created.append(spec.permit_no)
        _audit(conn, actor, "create", "permit", spec.permit_no, None, after)
    elif changed_fields or written or removed:
        summary.updated.append(spec.permit_no)
        before = {k: _iso(row[k]) for k in values} | {"limits": limits_audit(existing.items())}
        _audit(conn, actor, "update", "permit", spec.permit_no, before, after)
    else:
        summary.unchanged.append(spec.permit_no)


def _audit(
    conn: sa.Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """One audit_log entry in the caller's transaction (DESIGN: every write is audited)."""
    audit.record(
        conn,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )


def list_permits(
    engine: sa.Engine,
    *,
    credit_code: str | None = None,
    today: date | None = None,
    enterprise_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Stored permits in the shape of a permit file entry, with enterprise name and status
    (of `enterprise_ids` only, when given: the caller's scope)."""
    with engine.connect() as conn:
        rows = store.select_permits(conn, credit_code=credit_code, enterprise_ids=enterprise_ids)
        limits = store.select_permit_limits(conn, [row["id"] for row in rows])
    return _permits_out(rows, limits, today)


def get_permit(engine: sa.Engine, permit_no: str, *, today: date | None = None) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = store.select_permits(conn, permit_no=permit_no.upper())
        if not rows:
            raise NotFoundError(f"no permit {permit_no}")
        limits = store.select_permit_limits(conn, [rows[0]["id"]])
    return _permits_out(rows, limits, today)[0]


def permit_status(valid_from: date, valid_to: date, today: date) -> str:
    """not_yet_valid / valid / renewal_due / expired on `today` (China Standard Time date).

    排污许可管理条例 art. 14: a unit that will go on discharging applies for renewal 60 days
    before the permit expires; from then on the permit is `renewal_due`.
    """
    if today < valid_from:
        return "not_yet_valid"
    if today > valid_to:
        return "expired"
    if valid_to - today < timedelta(days=rules.RENEWAL_NOTICE_DAYS):
        return "renewal_due"
    return "valid"


def _permits_out(
    rows: list[dict[str, Any]], limits: list[dict[str, Any]], today: date | None
) -> list[dict[str, Any]]:
    today = today or local_time(rules.utc_now()).date()
    by_permit: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for limit in limits:
        by_permit[limit["permit_id"]].setdefault(limit["outlet"], []).append(
            {
                "pollutant": limit["pollutant"],
                "limit": limit["limit_value"],
                "unit": limit["unit"],
                "basis": limit["basis"],
                "standard": limit["standard"],
                "annual_cap_t": limit["annual_cap_t"],
            }
        )
    return [
        {
            "permit_no": row["permit_no"],
            "credit_code": row["credit_code"],
            "enterprise": row["enterprise"],
            "class": row["management_class"],
            "valid_from": row["valid_from"].isoformat(),
            "valid_to": row["valid_to"].isoformat(),
            "status": permit_status(row["valid_from"], row["valid_to"], today),
            "outlets": [
                {"code": code, "limits": items} for code, items in by_permit[row["id"]].items()
            ],
        }
        for row in rows
    ]


# --- evaluation ------------------------------------------------------------------------------


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
    now_utc = _now(now)
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
        changed |= _record(engine, conditions, points, now_utc)
        chunk_start = chunk_end

    with engine.connect() as conn:
        conditions = _cap_conditions(
            conn, points, limits_by_point, start_l, end_l, local_time(now_utc), settings
        )
    changed |= _record(engine, conditions, points, now_utc)
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


def _record(
    engine: sa.Engine,
    conditions: list[Condition],
    points: Mapping[int, dict[str, Any]],
    now: datetime,
) -> set[int]:
    """Merge conditions into stored alerts in one short write transaction; queue webhook
    deliveries for alerts created. Returns the ids created or changed."""
    if not conditions:
        return set()
    changed: set[int] = set()
    created: list[int] = []
    with _write(engine) as conn, conn.begin():
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
                    "enterprise_id": points[cond.point_id]["enterprise_id"],
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
                alert_id = store.insert_alert(conn, values)
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
            if extended and match["state"] in (AlertState.CLOSED, AlertState.VERIFIED):
                diff["state"] = AlertState.OPEN.value
                store.insert_action(
                    conn,
                    {
                        "alert_id": match["id"],
                        "at": now,
                        "actor": SYSTEM_ACTOR,
                        "action": AlertAction.REOPEN.value,
                        "comment": "the condition continued after the alert was "
                        f"{match['state']}; it now lasts until {format_local(merged['end'])}",
                    },
                )
            store.update_alert(conn, match["id"], {**diff, "updated_at": now})
            match.update(diff)
            changed.add(match["id"])
        webhooks = [w["id"] for w in store.select_webhooks(conn, active_only=True)]
        store.queue_deliveries(conn, created, webhooks, now)
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
    now_utc = _now(now)
    now_l = local_time(now_utc)
    with engine.connect() as conn:
        points = store.select_points(conn, point_ids, with_device=True)
        covered_until = _covered_until(conn, list(points))
        marks = store.marks_for(conn, list(points), now_l, now_l + timedelta(microseconds=1))
    declared = {m.point_id for m in marks if m.pollutant is None}

    changed: set[int] = set()
    created: list[int] = []
    with _write(engine) as conn, conn.begin():
        store.lock_evaluation(conn)
        ongoing = {}
        for row in store.open_offline_alerts(conn):
            if point_ids is not None and row["point_id"] not in points:
                continue
            back = store.first_data_since(conn, row["point_id"], row["start"])
            if back is not None:
                store.update_alert(conn, row["id"], {"end": back, "updated_at": now_utc})
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
            alert_id = store.insert_alert(
                conn,
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
        webhooks = [w["id"] for w in store.select_webhooks(conn, active_only=True)]
        store.queue_deliveries(conn, created, webhooks, now_utc)
    return sorted(changed)


def _covered_until(conn: sa.Connection, point_ids: list[int]) -> dict[int, datetime | None]:
    """When each point's data stops: the end of the period of its latest value."""
    out: dict[int, datetime | None] = {}
    for point_id, latest in store.last_data_times(conn, point_ids).items():
        ends = [t + rules.DATA_PERIODS[kind] for kind, t in latest.items() if t is not None]
        out[point_id] = max(ends) if ends else None
    return out


# --- alerts ----------------------------------------------------------------------------------

#: Columns of an alert listing as CSV, in order.
ALERT_COLUMNS = (
    "id",
    "type",
    "state",
    "credit_code",
    "mn",
    "point",
    "pollutant",
    "start",
    "end",
    "duration_h",
    "peak",
    "limit",
    "unit",
)
FORMATS = ("json", "csv")


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts to list; every field narrows, None leaves it open."""

    state: str | list[str] | None = None
    type: str | list[str] | None = None
    mn: str | None = None
    credit_code: str | None = None
    point_id: int | None = None
    pollutant: str | None = None
    start: datetime | str | None = None  # alerts lasting into [start, end)
    end: datetime | str | None = None
    limit: int | None = None
    offset: int = 0
    # Only these enterprises' alerts (the caller's scope); None: every enterprise.
    enterprise_ids: frozenset[int] | None = None


def _choices(value: str | list[str] | None, allowed: type, name: str) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value)
    known = [member.value for member in allowed]
    bad = [item for item in items if item not in known]
    if bad:
        raise ComplianceError(
            f"{name}: {', '.join(map(repr, bad))} is not one of {', '.join(known)}"
        )
    return items


def list_alerts(
    engine: sa.Engine, filters: AlertFilter | Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Alerts, newest first, each a dict: id, type, state, credit_code, enterprise, mn,
    point, pollutant, pollutant_name, start, end, duration_h, peak, limit, unit, detail ..."""
    if filters is None:
        filters = AlertFilter()
    elif isinstance(filters, Mapping):
        unknown = set(filters) - set(AlertFilter.__dataclass_fields__)
        if unknown:
            raise ComplianceError(f"unknown alert filter {', '.join(sorted(unknown))}")
        filters = AlertFilter(**filters)
    states = _choices(filters.state, AlertState, "state")
    types = _choices(filters.type, AlertType, "type")
    start = parse_time(filters.start, "start") if filters.start is not None else None
    end = parse_time(filters.end, "end") if filters.end is not None else None
    if filters.limit is not None and filters.limit < 1:
        raise ComplianceError(f"limit: must be at least 1, not {filters.limit}")
    if filters.offset < 0:
        raise ComplianceError(f"offset: must not be negative, not {filters.offset}")
    with engine.connect() as conn:
        rows = store.select_alerts(
            conn,
            states=states,
            types=types,
            point_ids=[filters.point_id] if filters.point_id is not None else None,
            mn=filters.mn,
            credit_code=filters.credit_code,
            pollutant=filters.pollutant,
            start=start,
            end=end,
            limit=filters.limit,
            offset=filters.offset,
            enterprise_ids=filters.enterprise_ids,
        )
    return [_alert_out(row) for row in rows]


def render_alerts(rows: list[dict[str, Any]], fmt: str) -> str:
    """Alerts as JSON (every field, detail included) or CSV (ALERT_COLUMNS), ending with a
    newline."""
    if fmt not in FORMATS:
        raise ComplianceError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ALERT_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name in ALERT_COLUMNS])
    return buffer.getvalue()


def get_alert(engine: sa.Engine, alert_id: int) -> dict[str, Any]:
    """One alert with its actions (who did what, when, with which comment)."""
    with engine.connect() as conn:
        rows = store.select_alerts(conn, alert_ids=[alert_id])
        if not rows:
            raise NotFoundError(f"no alert {alert_id}")
        actions = store.select_actions(conn, [alert_id])
    out = _alert_out(rows[0])
    out["actions"] = [
        {
            "at": a["at"].isoformat(),
            "actor": a["actor"],
            "action": a["action"],
            "comment": a["comment"],
            "cause": a["cause"],
            "measures": a["measures"],
        }
        for a in actions
    ]
    return out


def _alert_out(row: Mapping[str, Any]) -> dict[str, Any]:
    pollutant = codes.pollutant(row["pollutant"]) if row["pollutant"] else None
    detail = row["detail"] or {}
    end = row["end"]
    return {
        "id": row["id"],
        "type": row["type"],
        "state": row["state"],
        "credit_code": row["credit_code"],
        "enterprise": row["enterprise"],
        "mn": row["mn"],
        "point": row["point"],
        "pollutant": row["pollutant"],
        "pollutant_name": pollutant.name if pollutant is not None else None,
        "start": format_local(row["start"]),
        "end": format_local(end),
        "duration_h": (end - row["start"]) / HOUR if end is not None else None,
        "peak": row["peak"],
        "limit": row["limit_value"],
        "unit": detail.get("unit") or (pollutant.unit if pollutant is not None else None),
        "condition_key": row["condition_key"],
        "detail": detail,
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def act(
    engine: sa.Engine,
    alert_id: int,
    action: AlertAction | str,
    *,
    actor: str,
    comment: str | None = None,
    cause: str | None = None,
    measures: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Take one step of the alert's lifecycle and record who took it, when and why."""
    actor = _actor(actor)
    try:
        action = AlertAction(action)
    except ValueError:
        known = ", ".join(AlertAction)
        raise ComplianceError(f"action: {action!r} is not one of {known}") from None
    at = _now(now)
    with _write(engine) as conn, conn.begin():
        rows = store.select_alerts(conn, alert_ids=[alert_id])
        if not rows:
            raise NotFoundError(f"no alert {alert_id}")
        state = rows[0]["state"]
        try:
            target = rules.next_state(
                state, action, comment=comment, cause=cause, measures=measures
            )
        except TransitionError as exc:
            raise TransitionError(f"alert {alert_id}: {exc}") from None
        if not store.set_alert_state(conn, alert_id, state, target.value, at):
            raise TransitionError(f"alert {alert_id} changed meanwhile; read it again and retry")
        step = {"comment": comment, "cause": cause, "measures": measures}
        store.insert_action(
            conn, {"alert_id": alert_id, "at": at, "actor": actor, "action": action.value, **step}
        )
        _audit(
            conn,
            actor,
            action.value,
            "alert",
            alert_id,
            {"state": state},
            {"state": target.value, **{k: v for k, v in step.items() if v is not None}},
        )
    return get_alert(engine, alert_id)


def dispatch(
    engine: sa.Engine,
    alert_id: int,
    actor: str,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A supervisor sends an open alert to its enterprise (派单)."""
    return act(engine, alert_id, AlertAction.DISPATCH, actor=actor, comment=comment, now=now)


def feedback(
    engine: sa.Engine,
    alert_id: int,
    actor: str,
    *,
    cause: str,
    measures: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The enterprise answers a dispatched alert with the cause found and measures taken."""
    return act(
        engine,
        alert_id,
        AlertAction.FEEDBACK,
        actor=actor,
        cause=cause,
        measures=measures,
        comment=comment,
        now=now,
    )


def verify(
    engine: sa.Engine,
    alert_id: int,
    actor: str,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A supervisor confirms the enterprise's answer (核实)."""
    return act(engine, alert_id, AlertAction.VERIFY, actor=actor, comment=comment, now=now)


def close(
    engine: sa.Engine,
    alert_id: int,
    actor: str,
    *,
    comment: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A supervisor closes a verified alert, or an open one as a false alarm (with comment)."""
    return act(engine, alert_id, AlertAction.CLOSE, actor=actor, comment=comment, now=now)


def reopen(
    engine: sa.Engine, alert_id: int, actor: str, *, comment: str, now: datetime | None = None
) -> dict[str, Any]:
    """A supervisor sends an answered, verified or closed alert back to open, saying why."""
    return act(engine, alert_id, AlertAction.REOPEN, actor=actor, comment=comment, now=now)


# --- data marks ------------------------------------------------------------------------------


def declare_mark(
    engine: sa.Engine,
    *,
    kind: str,
    start: datetime | str,
    end: datetime | str,
    reason: str,
    actor: str,
    mn: str | None = None,
    point_id: int | None = None,
    pollutant: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Record an enterprise's declaration that a point's data (or one pollutant's) over
    [start, end) was taken during a shutdown, maintenance, calibration or fault.

    Declarations may be made ahead or after the fact; both are kept, and a late one
    (declared after its range began) is flagged in listings. Name the point by device MN
    or by point id.
    """
    actor = _actor(actor)
    errors: list[str] = []
    try:
        start_l = parse_time(start, "start")
    except ComplianceError as exc:
        errors.append(str(exc))
        start_l = None
    try:
        end_l = parse_time(end, "end")
    except ComplianceError as exc:
        errors.append(str(exc))
        end_l = None
    if start_l is not None and end_l is not None:
        errors += rules.check_mark(
            kind=kind, start=start_l, end=end_l, reason=reason, pollutant=pollutant
        )
    elif kind not in [m.value for m in MarkKind]:
        errors.append(f"kind: {kind!r} is not {', '.join(MarkKind)}")
    if (mn is None) == (point_id is None):
        errors.append("point: name it by mn or by point_id (one of them)")
    at = _now(now)
    with _write(engine) as conn, conn.begin():
        target = None
        if mn is not None:
            target = store.point_by_mn(conn, mn)
            if target is None:
                raise NotFoundError(f"mn: no device with MN {mn}")
        elif point_id is not None:
            target = store.select_points(conn, [point_id]).get(point_id)
            if target is None:
                raise NotFoundError(f"point_id: no point {point_id}")
        if errors:
            raise ComplianceError(errors, heading="declaration not recorded")
        assert target is not None and start_l is not None and end_l is not None
        values = {
            "point_id": target["id"],
            "pollutant": pollutant,
            "kind": kind,
            "start": start_l,
            "end": end_l,
            "reason": reason.strip(),
            "declared_by": actor,
            "declared_at": at,
        }
        mark_id = store.insert_row(conn, data_mark, values)
        _audit(conn, actor, "create", "data_mark", mark_id, None, values)
    return _marks_out(engine, mark_id=mark_id)[0]


def revoke_mark(
    engine: sa.Engine, mark_id: int, *, actor: str, now: datetime | None = None
) -> dict[str, Any]:
    """Withdraw a declaration: it stays on record with revoked_at set, and no longer hides
    data from judgement."""
    actor = _actor(actor)
    at = _now(now)
    with _write(engine) as conn, conn.begin():
        rows = store.select_marks(conn, mark_id=mark_id)
        if not rows:
            raise NotFoundError(f"no data mark {mark_id}")
        if not store.revoke_mark(conn, mark_id, at):
            raise ConflictError(
                f"data mark {mark_id} was revoked already, at {rows[0]['revoked_at'].isoformat()}"
            )
        _audit(conn, actor, "revoke", "data_mark", mark_id, None, {"revoked_at": at})
    return _marks_out(engine, mark_id=mark_id)[0]


def list_marks(
    engine: sa.Engine,
    *,
    mn: str | None = None,
    credit_code: str | None = None,
    point_id: int | None = None,
    start: datetime | str | None = None,
    end: datetime | str | None = None,
    include_revoked: bool = True,
    enterprise_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Declarations overlapping [start, end), oldest first, each flagged for the supervisor:
    `late` (declared after its range began) and `overlaps` (ids of other live declarations
    for the same data)."""
    start_l = parse_time(start, "start") if start is not None else None
    end_l = parse_time(end, "end") if end is not None else None
    return _marks_out(
        engine,
        mn=mn,
        credit_code=credit_code,
        point_id=point_id,
        start=start_l,
        end=end_l,
        include_revoked=include_revoked,
        enterprise_ids=enterprise_ids,
    )


def _marks_out(
    engine: sa.Engine,
    *,
    mark_id: int | None = None,
    mn: str | None = None,
    credit_code: str | None = None,
    point_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_revoked: bool = True,
    enterprise_ids: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        point_ids: list[int] | None = None
        if mn is not None:
            target = store.point_by_mn(conn, mn)
            if target is None:
                raise NotFoundError(f"mn: no device with MN {mn}")
            point_ids = [target["id"]]
        if point_id is not None:
            point_ids = [point_id] if point_ids is None or point_id in point_ids else []
        rows = store.select_marks(
            conn,
            point_ids=point_ids,
            start=start,
            end=end,
            include_revoked=include_revoked,
            mark_id=mark_id,
            enterprise_ids=enterprise_ids,
        )
        if credit_code is not None:
            rows = [row for row in rows if row["credit_code"] == credit_code]
        involved = sorted({row["point_id"] for row in rows})
        everything = store.select_marks(conn, point_ids=involved, include_revoked=False)
    overlaps = rules.overlapping([_as_mark(row) for row in everything])
    out = []
    for row in rows:
        mark = _as_mark(row)
        out.append(
            {
                "id": row["id"],
                "credit_code": row["credit_code"],
                "mn": row["mn"],
                "point": row["point"],
                "pollutant": row["pollutant"],
                "kind": row["kind"],
                "start": format_local(row["start"]),
                "end": format_local(row["end"]),
                "reason": row["reason"],
                "declared_by": row["declared_by"],
                "declared_at": row["declared_at"].isoformat(),
                "revoked_at": row["revoked_at"].isoformat() if row["revoked_at"] else None,
                "late": rules.is_late(mark),
                "overlaps": sorted(overlaps.get(row["id"], [])),
            }
        )
    return out


def _as_mark(row: Mapping[str, Any]) -> Mark:
    return Mark(
        id=row["id"],
        point_id=row["point_id"],
        pollutant=row["pollutant"],
        kind=MarkKind(row["kind"]),
        start=row["start"],
        end=row["end"],
        declared_at=row["declared_at"],
        revoked=row["revoked_at"] is not None,
    )


# --- webhooks --------------------------------------------------------------------------------

#: post(url, body, headers) -> HTTP status code; raises on a network failure.
Post = Callable[[str, bytes, dict[str, str]], int]


def httpx_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST with httpx, 10 s timeout; the production `post` of deliver_pending."""
    import httpx

    return httpx.post(url, content=body, headers=headers, timeout=10.0).status_code


def add_webhook(
    engine: sa.Engine, url: str, *, actor: str, secret: str | None = None
) -> dict[str, Any]:
    """Register a URL that receives every new alert as JSON (signed when a secret is set)."""
    actor = _actor(actor)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ComplianceError(f"url: {url!r} is not an http:// or https:// URL with a host")
    if len(url) > 500:
        raise ComplianceError(f"url: {len(url)} characters; at most 500")
    if secret is not None and not (1 <= len(secret) <= 200):
        raise ComplianceError("secret: must be 1 to 200 characters")
    with _write(engine) as conn, conn.begin():
        if store.webhook_by_url(conn, url) is not None:
            raise ConflictError(f"url: a webhook for {url} exists already")
        webhook_id = store.insert_row(conn, webhook, {"url": url, "secret": secret, "active": True})
        _audit(
            conn,
            actor,
            "create",
            "webhook",
            webhook_id,
            None,
            {"url": url, "secret": "***" if secret else None},
        )
    return next(w for w in list_webhooks(engine) if w["id"] == webhook_id)


def set_webhook_active(
    engine: sa.Engine, webhook_id: int, active: bool, *, actor: str
) -> dict[str, Any]:
    """Pause (False) or resume (True) a webhook; paused ones get no new deliveries."""
    actor = _actor(actor)
    with _write(engine) as conn, conn.begin():
        rows = [w for w in store.select_webhooks(conn) if w["id"] == webhook_id]
        if not rows:
            raise NotFoundError(f"no webhook {webhook_id}")
        if rows[0]["active"] != active:
            store.update_row(conn, webhook, webhook_id, {"active": active})
            _audit(
                conn,
                actor,
                "update",
                "webhook",
                webhook_id,
                {"active": not active},
                {"active": active},
            )
    return next(w for w in list_webhooks(engine) if w["id"] == webhook_id)


def list_webhooks(engine: sa.Engine) -> list[dict[str, Any]]:
    """Webhooks (the secret is never shown) with counts of their deliveries by status."""
    with engine.connect() as conn:
        hooks = store.select_webhooks(conn)
        deliveries = store.select_deliveries(conn)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in deliveries:
        counts[d["webhook_id"]][d["status"]] += 1
    return [
        {
            "id": h["id"],
            "url": h["url"],
            "active": h["active"],
            "signed": h["secret"] is not None,
            "pending": counts[h["id"]]["pending"],
            "delivered": counts[h["id"]]["delivered"],
            "failed": counts[h["id"]]["failed"],
        }
        for h in hooks
    ]


@dataclass
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v}" for k, v in asdict(self).items())


def deliver_pending(
    engine: sa.Engine,
    now: datetime | None = None,
    *,
    post: Post | None = None,
    settings: ComplianceSettings | None = None,
    limit: int = 100,
) -> DeliveryReport:
    """Post the deliveries that are due, each at most once per webhook and alert.

    The body is `{"event": "alert.created", "alert": {...}}` (the alert as list_alerts
    gives it). Headers: X-Ecozone-Event, X-Ecozone-Delivery (the delivery id, for the
    receiver to drop repeats) and, when the webhook has a secret, X-Ecozone-Signature:
    sha256=HMAC-SHA256(secret, body). A 2xx answer delivers; anything else is retried
    after base × 2^(attempts − 1) until the attempts run out. Each delivery is leased
    before it is posted, so concurrent workers never post the same one.
    """
    settings = settings or DEFAULT_SETTINGS
    post = post or httpx_post
    at = _now(now)
    report = DeliveryReport()
    with engine.connect() as conn:
        due = store.due_deliveries(conn, at, limit)
    for delivery in due:
        with _write(engine) as conn, conn.begin():
            claimed = store.claim_delivery(
                conn, delivery["id"], delivery["next_attempt_at"], at, at + settings.webhook_lease
            )
            rows = store.select_alerts(conn, alert_ids=[delivery["alert_id"]]) if claimed else []
        if not claimed or not rows:
            continue
        report.attempted += 1
        body = json.dumps(
            {"event": "alert.created", "alert": _alert_out(rows[0])}, ensure_ascii=False
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Ecozone-Event": "alert.created",
            "X-Ecozone-Delivery": str(delivery["id"]),
        }
        if delivery["secret"]:
            headers[rules.SIGNATURE_HEADER] = rules.signature(delivery["secret"], body)
        error = None
        try:
            status = post(delivery["url"], body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # any failure of the call is recorded and retried
            error = f"{exc.__class__.__name__}: {exc}"
        attempts = delivery["attempts"] + 1
        if error is None:
            values: dict[str, Any] = {
                "status": "delivered",
                "attempts": attempts,
                "delivered_at": at,
                "next_attempt_at": None,
                "last_error": None,
            }
            report.delivered += 1
        elif attempts >= settings.webhook_max_attempts:
            values = {
                "status": "failed",
                "attempts": attempts,
                "last_error": error[:2000],
                "next_attempt_at": None,
            }
            report.failed += 1
        else:
            values = {
                "attempts": attempts,
                "last_error": error[:2000],
                "next_attempt_at": at + rules.retry_delay(attempts, settings),
            }
            report.retrying += 1
        with _write(engine) as conn, conn.begin():
            store.update_delivery(conn, delivery["id"], values)
    return report


def list_deliveries(
    engine: sa.Engine, *, webhook_id: int | None = None, alert_id: int | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = store.select_deliveries(conn, webhook_id=webhook_id, alert_id=alert_id)
    return [
        {
            "id": r["id"],
            "webhook_id": r["webhook_id"],
            "alert_id": r["alert_id"],
            "status": r["status"],
            "attempts": r["attempts"],
            "last_error": r["last_error"],
            "next_attempt_at": r["next_attempt_at"].isoformat() if r["next_attempt_at"] else None,
            "delivered_at": r["delivered_at"].isoformat() if r["delivered_at"] else None,
        }
        for r in rows
    ]
