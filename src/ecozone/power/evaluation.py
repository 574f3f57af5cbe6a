"""Linkage evaluation: meters' readings on one grid, facility states, findings A–E, alerts.

`evaluate` reads the meters' readings, puts them on one grid, classifies each facility
and runs the findings of `rules`; `raise_alerts` turns findings into alerts of the common
alert desk through compliance's one path (`record_conditions`), so they merge, reopen and
are handled like every other alert.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import AlertType, Condition
from ecozone.errors import NotFound
from ecozone.power import rules, store
from ecozone.power.model import (
    Facility,
    FacilityRole,
    Finding,
    FindingType,
    Grid,
    LimitRequirement,
    PowerError,
    PowerSettings,
    Quantity,
    Response,
    StateRun,
    StateThresholds,
    WarningLevel,
    WeatherWarning,
)
from ecozone.times import as_instant, cst_naive, utc_now

log = logging.getLogger(__name__)

# --- evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityTimeline:
    """A facility's power and states over an evaluation's grid, with the thresholds used."""

    facility: Facility
    thresholds: StateThresholds
    meter: rules.MeterStates
    runs: list[StateRun]


@dataclass(frozen=True)
class Evaluation:
    """What `evaluate` found for one enterprise over a period."""

    enterprise: dict[str, Any]
    grid: Grid
    period_start: datetime
    timelines: dict[int, FacilityTimeline]
    findings: list[Finding] = field(default_factory=list)
    channel_points: dict[int, int] = field(default_factory=dict)  # facility -> a meter's point


def thresholds_for(facility: Facility, settings: PowerSettings) -> StateThresholds:
    """A facility's thresholds: its calibrated normal power (else the meters' rated power)
    as reference; a meter's own fractions, or its learned levels when chosen, override the
    deployment's settings."""
    reference = facility.normal_kw or sum(m.rated_power_kw for m in facility.meters)
    off, low = settings.off_fraction, settings.low_fraction
    learned = [m for m in facility.meters if m.use_learned and m.learned_off_kw is not None]
    if facility.meters and len(learned) == len(facility.meters):
        off = sum(m.learned_off_kw or 0 for m in learned) / reference
        low = sum(m.learned_low_kw or 0 for m in learned) / reference
    elif len(facility.meters) == 1:
        off = (
            facility.meters[0].off_fraction if facility.meters[0].off_fraction is not None else off
        )
        low = (
            facility.meters[0].low_fraction if facility.meters[0].low_fraction is not None else low
        )
    return StateThresholds(
        reference_kw=reference,
        off_fraction=off,
        low_fraction=min(low, 1.0),
        confirm_slots=settings.confirm_slots,
        max_gap_slots=settings.max_gap_slots,
        constant_slots=settings.constant_slots,
    )


def meter_power(
    meter_channels: list[dict[str, Any]],
    data: Mapping[tuple[int, str], tuple[list[datetime], list[float]]],
    meter: Any,
    grid: Grid,
) -> tuple[np.ndarray, np.ndarray | None]:
    """A meter's power on the grid from its best channel: power, else energy, else current."""
    by_quantity = {c["quantity"]: c for c in meter_channels}
    for quantity in (Quantity.POWER, Quantity.ENERGY, Quantity.CURRENT):
        channel = by_quantity.get(quantity.value)
        if channel is None:
            continue
        times, values = data.get((channel["point_id"], channel["code"]), ([], []))
        series = rules.to_grid(times, values, grid)
        if quantity is Quantity.POWER:
            return series, None
        if quantity is Quantity.ENERGY:
            return rules.power_from_energy(series, grid)
        return rules.power_from_current(
            series,
            voltage_v=meter.voltage_v,
            power_factor=meter.power_factor,
            ct_ratio=meter.ct_ratio,
            three_phase=meter.three_phase,
        ), None
    return np.full(grid.slots, np.nan), None


def evaluate(
    engine: sa.Engine,
    credit_code: str,
    start: datetime,
    end: datetime,
    *,
    scope: Scope = SYSTEM_SCOPE,
    settings: PowerSettings | None = None,
) -> Evaluation:
    """Facility states and findings A–E for one enterprise over [start, end) (device time).

    Readings from `lookback_slots` before `start` are read too, so the state at `start`
    and a production start just before it are known; findings ending before `start` are
    left out. Declared shutdowns and maintenance (data marks) on a control facility's
    outlet or its meters' points excuse those intervals."""
    settings = settings or PowerSettings()
    if not start < end:
        raise PowerError("the period's start must be before its end")
    step = timedelta(seconds=settings.grid_seconds)
    grid_start = start - step * settings.lookback_slots
    slots = math.ceil((end - grid_start) / step)
    if slots > 31 * 24 * 3600 // settings.grid_seconds + settings.lookback_slots:
        raise PowerError("evaluate at most 31 days at a time")
    grid = Grid(grid_start, step, slots)
    with engine.connect() as conn:
        owner = store.enterprise_by_code(conn, credit_code, scope)
        if owner is None:
            raise NotFound(f"enterprise {credit_code} not found")
        facilities = store.facilities(conn, [owner["id"]])
        meter_ids = [m.id for f in facilities for m in f.meters]
        channels = store.channels(conn, meter_ids)
        data = store.readings(conn, [(c["point_id"], c["code"]) for c in channels], grid_start, end)
        production_ids = [f.id for f in facilities if f.role is FacilityRole.PRODUCTION]
        orders = store.orders(conn, production_ids, grid_start, end)
        warnings = [
            WeatherWarning(WarningLevel(w["level"]), w["start"], w["end"])
            for w in store.warnings_for(conn, owner["district_id"], grid_start, end)
        ]
        if warnings:  # the emergency list turns each declared warning into limit windows
            lists: dict[int, list[Response]] = {}
            for r in store.responses(conn, production_ids):
                lists.setdefault(r["facility_id"], []).append(
                    Response(
                        WarningLevel(r["level"]), LimitRequirement(r["requirement"]), r["quota_kw"]
                    )
                )
            for facility_id, answers in lists.items():
                orders.setdefault(facility_id, []).extend(rules.response_windows(warnings, answers))
        mark_points = {f.point_id for f in facilities if f.point_id} | {
            c["point_id"] for c in channels
        }
        marks = store.excusing_marks(conn, sorted(mark_points), grid_start, end)
        analysers = {
            f.point_id: store.analyser_series(conn, f.point_id, grid_start, end)
            for f in facilities
            if f.role is FacilityRole.CONTROL and f.point_id is not None
        }
    by_meter: dict[int, list[dict[str, Any]]] = {}
    for c in channels:
        by_meter.setdefault(c["meter_id"], []).append(c)
    timelines: dict[int, FacilityTimeline] = {}
    for f in facilities:
        if not f.meters:
            continue
        powers, backwards = [], np.zeros(grid.slots, bool)
        for m in f.meters:
            power, back = meter_power(by_meter.get(m.id, []), data, m, grid)
            powers.append(power)
            if back is not None:
                backwards |= back
        total = np.sum(powers, axis=0)  # NaN where any meter is silent: never a false "off"
        thresholds = thresholds_for(f, settings)
        states = rules.classify(total, thresholds, backwards=backwards)
        timelines[f.id] = FacilityTimeline(
            f, thresholds, states, rules.state_runs(states, grid, thresholds)
        )
    findings = _findings(grid, facilities, timelines, by_meter, orders, marks, analysers, settings)
    findings = [x for x in findings if x.end > start]
    channel_points = {
        f.id: by_meter[m.id][0]["point_id"]
        for f in facilities
        for m in f.meters
        if by_meter.get(m.id)
    }
    return Evaluation(owner, grid, start, timelines, findings, channel_points)


def _findings(
    grid: Grid,
    facilities: list[Facility],
    timelines: dict[int, FacilityTimeline],
    by_meter: dict[int, list[dict[str, Any]]],
    orders: dict[int, list[Any]],
    marks: dict[int, list[tuple[datetime, datetime]]],
    analysers: dict[int, dict[str, Any]],
    settings: PowerSettings,
) -> list[Finding]:
    linkage = settings.linkage
    by_id = {f.id: f for f in facilities}
    out: list[Finding] = []
    for f in facilities:
        if f.role is FacilityRole.PRODUCTION and f.id in timelines and orders.get(f.id):
            out += rules.find_limit_breaches(
                grid, f.code, timelines[f.id].meter, orders[f.id], linkage
            )
        if f.role is not FacilityRole.CONTROL:
            continue
        production = {by_id[p].code: timelines[p].meter for p in f.serves if p in timelines}
        if not production:
            continue
        points = {f.point_id} if f.point_id else set()
        points |= {c["point_id"] for m in f.meters for c in by_meter.get(m.id, [])}
        excused = rules.window_mask(grid, [w for p in points for w in marks.get(p, [])])
        if f.id in timelines:
            out += rules.find_linkage(
                grid, f.code, timelines[f.id].meter, production, linkage, excused=excused
            )
        series = analysers.get(f.point_id) if f.point_id else None
        if series is not None:
            silent = _analyser_silent(series, grid, settings)
            out += [
                _with_control(x, f.code)
                for x in rules.find_analyser_silence(
                    grid, f.code, silent, production, linkage, excused=excused
                )
            ]
    return sorted(out, key=lambda x: (x.start, x.type))


def _with_control(finding: Finding, control: str) -> Finding:
    return Finding(
        finding.type,
        finding.start,
        finding.end,
        control,
        finding.production,
        finding.rule,
        finding.evidence,
    )


def _analyser_silent(series: dict[str, Any], grid: Grid, settings: PowerSettings) -> np.ndarray:
    """Silent where every pollutant of the outlet is silent (no value, a stop, maintenance,
    fault or calibration flag, near zero, or flat)."""
    silent = np.ones(grid.slots, bool)
    for times, values, flags in series.values():
        on_grid = rules.to_grid(times, [np.nan if v is None else v for v in values], grid)
        flag_grid: list[str | None] = [None] * grid.slots
        for t, flag in zip(times, flags, strict=True):
            slot = int((t - grid.start) / grid.step)
            if 0 <= slot < grid.slots:
                flag_grid[slot] = flag
        silent &= rules.analyser_silence(
            on_grid,
            flag_grid,
            near_zero=settings.analyser_near_zero,
            flat_slots=settings.analyser_flat_slots,
        )
    return silent


# --- alerts -------------------------------------------------------------------------


def conditions(evaluation: Evaluation) -> list[Condition]:
    """The findings as alert conditions: one condition key per finding type and facility,
    so a finding that continues in the next evaluation extends the same alert. A and B
    share one key: a control stop seen while production still runs is A until production
    stops too, when the same stretch reads as an early stop (B); it stays one alert."""
    by_code = {t.facility.code: t.facility for t in evaluation.timelines.values()}
    out = []
    for finding in evaluation.findings:
        subject = finding.control or (finding.production[0] if finding.production else None)
        facility = by_code.get(subject) if subject else None
        if facility is None:
            continue
        point_id = facility.point_id or evaluation.channel_points.get(facility.id)
        if point_id is None:
            continue
        out.append(
            Condition(
                type=AlertType(finding.type.value),
                condition_key=f"power:{_key_kind(finding.type)}:{facility.id}",
                point_id=point_id,
                pollutant=None,
                start=finding.start,
                end=finding.end,
                detail={
                    "rule": finding.rule,
                    "facility": facility.code,
                    "facility_name": facility.name,
                    "production": list(finding.production),
                    "minutes": finding.duration.total_seconds() / 60,
                    **{k: v for k, v in finding.evidence.items() if v is not None},
                },
            )
        )
    return out


def _key_kind(kind: FindingType) -> str:
    if kind in (FindingType.CONTROL_OFF, FindingType.UNSYNCHRONISED):
        return "control_not_running"
    return kind.value


def raise_alerts(
    engine: sa.Engine, evaluation: Evaluation, *, now: datetime | None = None
) -> set[int]:
    """Record the evaluation's findings as alerts (merged with the ones they continue);
    `now` naive means China Standard Time."""
    found = conditions(evaluation)
    points = {c.point_id: {"enterprise_id": evaluation.enterprise["id"]} for c in found}
    return record_conditions(engine, found, points, utc_now() if now is None else as_instant(now))


def finding_out(finding: Finding) -> dict[str, Any]:
    """A finding as the API, the CLI and the pages show it."""
    return {
        "type": finding.type.value,
        "start": finding.start,
        "end": finding.end,
        "minutes": finding.duration.total_seconds() / 60,
        "control": finding.control,
        "production": list(finding.production),
        "rule": finding.rule,
        "evidence": finding.evidence,
    }


def run_out(run: StateRun) -> dict[str, Any]:
    return {
        "state": run.state.value,
        "start": run.start,
        "end": run.end,
        "rule": run.rule,
        "cause": run.cause.value if run.cause else None,
    }


def evaluate_rows(
    engine: sa.Engine, rows: list[dict[str, Any]], *, settings: PowerSettings | None = None
) -> set[int]:
    """After a commit: evaluate each enterprise whose meters or outlet analysers sent some
    of `rows` over the device times they cover (with the usual lookback before), and raise
    the findings; what data arrives late is judged when it arrives."""
    spans: dict[int, list[datetime]] = {}
    for row in rows:
        if row.get("kind") in ("rtd", "minute"):
            span = spans.setdefault(row["point_id"], [row["data_time"], row["data_time"]])
            span[0], span[1] = min(span[0], row["data_time"]), max(span[1], row["data_time"])
    if not spans:
        return set()
    step = timedelta(seconds=(settings or PowerSettings()).grid_seconds)
    with engine.connect() as conn:
        metered = store.enterprises_at_points(conn, list(spans))
    changed: set[int] = set()
    for credit_code, point_ids in metered.items():
        start = min(spans[p][0] for p in point_ids)
        end = max(spans[p][1] for p in point_ids) + step
        try:
            result = evaluate(engine, credit_code, start, end, settings=settings)
            changed |= raise_alerts(engine, result)
        except Exception:
            log.exception("power evaluation of %s after a commit failed", credit_code)
    return changed


def evaluate_recent(
    engine: sa.Engine,
    *,
    hours: float = 2.0,
    now: datetime | None = None,
    settings: PowerSettings | None = None,
) -> set[int]:
    """Evaluate every enterprise with metered facilities over the last `hours` and raise the
    findings as alerts (the periodic check); one enterprise's failure is logged, not fatal.
    Alerts created or extended are returned."""
    local_now = cst_naive(now or utc_now()).replace(second=0, microsecond=0)
    start = local_now - timedelta(hours=hours)
    changed: set[int] = set()
    for item in _metered_enterprises(engine):
        try:
            result = evaluate(engine, item, start, local_now, settings=settings)
            changed |= raise_alerts(engine, result, now=now)
        except Exception:
            log.exception("power evaluation of %s failed", item)
    return changed


def _metered_enterprises(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [e["credit_code"] for e in store.enterprises_with_facilities(conn, SYSTEM_SCOPE)]
