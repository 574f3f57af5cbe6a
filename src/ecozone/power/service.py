"""Linkage use cases: configure an enterprise's facilities, evaluate a period, raise alerts.

`configure` replaces an enterprise's facilities, meters, channels, links and limit
orders from one document (a power file or an API body), validated whole before
anything is written, and audited. `evaluate` reads the meters' readings, puts them
on one grid, classifies each facility and runs the findings of `rules`; `raise_alerts`
turns findings into alerts of the common alert desk through compliance's one path
(`record_conditions`), so they merge, reopen and are handled like every other alert.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import AlertType, Condition
from ecozone.errors import NotFound
from ecozone.power import rules, store
from ecozone.power.model import (
    Facility,
    FacilityRole,
    Finding,
    Grid,
    LimitRequirement,
    PowerError,
    PowerSettings,
    Quantity,
    StateRun,
    StateThresholds,
)
from ecozone.store.schema import power_channel, power_facility, power_meter, power_order
from ecozone.textguard import check_text
from ecozone.times import as_instant, parse_time, utc_now

# --- configuration ------------------------------------------------------------------


def _text(value: Any, where: str, *, limit: int, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PowerError(f"{where}: missing")
        return None
    if not isinstance(value, str | int):
        raise PowerError(f"{where}: expected text, got {type(value).__name__}")
    text = check_text(str(value).strip(), where)
    if len(text) > limit:
        raise PowerError(f"{where}: {len(text)} characters; at most {limit}")
    return text


def _number(
    value: Any, where: str, *, positive: bool = True, upper: float | None = None
) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PowerError(f"{where}: expected a number, got {value!r}")
    if positive and value <= 0:
        raise PowerError(f"{where}: must be above 0, got {value}")
    if upper is not None and value > upper:
        raise PowerError(f"{where}: must be at most {upper}, got {value}")
    return float(value)


def _meter_values(doc: Mapping[str, Any], where: str) -> dict[str, Any]:
    values = {
        "code": _text(doc.get("code"), f"{where}.code", limit=32),
        "rated_kw": _number(doc.get("rated_kw"), f"{where}.rated_kw"),
        "rated_current_a": _number(doc.get("rated_current_a"), f"{where}.rated_current_a"),
        "voltage_v": _number(doc.get("voltage_v", 380), f"{where}.voltage_v"),
        "power_factor": _number(doc.get("power_factor", 0.85), f"{where}.power_factor", upper=1),
        "ct_ratio": _number(doc.get("ct_ratio", 1), f"{where}.ct_ratio"),
        "three_phase": bool(doc.get("three_phase", True)),
        "off_fraction": _number(
            doc.get("off_fraction"), f"{where}.off_fraction", positive=False, upper=1
        ),
        "low_fraction": _number(doc.get("low_fraction"), f"{where}.low_fraction", upper=1),
    }
    if values["rated_kw"] is None and values["rated_current_a"] is None:
        raise PowerError(
            f"{where}: give rated_kw or rated_current_a (the state thresholds need one)"
        )
    off, low = values["off_fraction"], values["low_fraction"]
    if off is not None and low is not None and not off < low:
        raise PowerError(f"{where}: off_fraction ({off}) must be below low_fraction ({low})")
    return values


def configure(
    engine: sa.Engine, doc: Mapping[str, Any], *, actor: str, scope: Scope = SYSTEM_SCOPE
) -> dict[str, int]:
    """Replace one enterprise's linkage configuration with `doc`; counts of what was written.

    `doc`: {enterprise: credit code, facilities: [{code, name, role, kind, outlet?,
    normal_kw?, serves?: [production codes], meters: [{code, rated_kw | rated_current_a,
    voltage_v?, power_factor?, ct_ratio?, three_phase?, off_fraction?, low_fraction?,
    channels: [{mn, code, quantity}]}]}], orders?: [{facility, start, end, requirement,
    quota_kw?, level?}]}. Every error names its place (facilities[1].meters[0].rated_kw)."""
    if not isinstance(doc, Mapping):
        raise PowerError("a power configuration is a mapping with enterprise and facilities")
    code = _text(doc.get("enterprise"), "enterprise", limit=18)
    facilities_doc = doc.get("facilities") or []
    orders_doc = doc.get("orders") or []
    if not isinstance(facilities_doc, list) or not isinstance(orders_doc, list):
        raise PowerError("facilities and orders must be lists")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        owner = store.enterprise_by_code(conn, code, scope)
        if owner is None:
            raise NotFound(f"enterprise {code} not found")
        points = store.points_of(conn, owner["id"])
        plan = _plan(conn, facilities_doc, orders_doc, owner["id"], points)
        store.delete_configuration(conn, owner["id"])
        counts = _write(conn, plan, owner["id"])
        audit.record(
            conn,
            actor=actor,
            action="configure",
            entity="power",
            entity_id=code,
            before=None,
            after=counts,
        )
    return counts


def _plan(
    conn: sa.Connection,
    facilities_doc: list[Any],
    orders_doc: list[Any],
    enterprise_id: int,
    points: dict[str, int],
) -> dict[str, Any]:
    """The rows to write, all checked; nothing is written while any is wrong."""
    facilities: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for i, f in enumerate(facilities_doc):
        where = f"facilities[{i}]"
        if not isinstance(f, Mapping):
            raise PowerError(f"{where}: expected a mapping")
        fcode = _text(f.get("code"), f"{where}.code", limit=32)
        if fcode in seen:
            raise PowerError(f"{where}.code: {fcode} appears twice")
        role = f.get("role")
        if role not in tuple(FacilityRole):
            raise PowerError(f"{where}.role: {role!r}; expected production or control")
        outlet = _text(f.get("outlet"), f"{where}.outlet", limit=32, required=False)
        if outlet is not None and outlet not in points:
            raise PowerError(f"{where}.outlet: the enterprise has no point {outlet}")
        meters = []
        for j, m in enumerate(f.get("meters") or []):
            mwhere = f"{where}.meters[{j}]"
            if not isinstance(m, Mapping):
                raise PowerError(f"{mwhere}: expected a mapping")
            channels = []
            for k, c in enumerate(m.get("channels") or []):
                cwhere = f"{mwhere}.channels[{k}]"
                mn = _text(c.get("mn"), f"{cwhere}.mn", limit=27)
                located = store.point_by_mn(conn, mn)
                if located is None or located["enterprise_id"] != enterprise_id:
                    raise PowerError(f"{cwhere}.mn: no device {mn} at this enterprise")
                quantity = c.get("quantity")
                if quantity not in tuple(Quantity):
                    raise PowerError(
                        f"{cwhere}.quantity: {quantity!r}; one of {', '.join(Quantity)}"
                    )
                channels.append(
                    {
                        "point_id": located["id"],
                        "code": _text(c.get("code"), f"{cwhere}.code", limit=16),
                        "quantity": quantity,
                    }
                )
            meters.append({"values": _meter_values(m, mwhere), "channels": channels})
        seen[fcode] = role
        facilities.append(
            {
                "values": {
                    "code": fcode,
                    "name": _text(f.get("name"), f"{where}.name", limit=200),
                    "role": role,
                    "kind": _text(f.get("kind"), f"{where}.kind", limit=32),
                    "point_id": points.get(outlet) if outlet else None,
                    "normal_kw": _number(f.get("normal_kw"), f"{where}.normal_kw"),
                    "commissioned_on": _date(f.get("commissioned_on"), f"{where}.commissioned_on"),
                },
                "meters": meters,
                "serves": list(f.get("serves") or []),
                "where": where,
            }
        )
    for f in facilities:
        for production in f["serves"]:
            if f["values"]["role"] != FacilityRole.CONTROL:
                raise PowerError(f"{f['where']}.serves: only a control facility serves others")
            if seen.get(production) != FacilityRole.PRODUCTION:
                raise PowerError(
                    f"{f['where']}.serves: {production!r} is not a production facility here"
                )
    orders = []
    for i, o in enumerate(orders_doc):
        where = f"orders[{i}]"
        if not isinstance(o, Mapping):
            raise PowerError(f"{where}: expected a mapping")
        facility = o.get("facility")
        if seen.get(facility) != FacilityRole.PRODUCTION:
            raise PowerError(f"{where}.facility: {facility!r} is not a production facility here")
        requirement = o.get("requirement")
        if requirement not in tuple(LimitRequirement):
            raise PowerError(f"{where}.requirement: {requirement!r}; expected stop or limit")
        start = parse_time(o.get("start"), f"{where}.start")
        end = parse_time(o.get("end"), f"{where}.end")
        if not start < end:
            raise PowerError(f"{where}: start must be before end")
        quota = _number(o.get("quota_kw"), f"{where}.quota_kw", positive=False)
        if requirement == LimitRequirement.LIMIT and quota is None:
            raise PowerError(f"{where}.quota_kw: a limit order needs its quota in kW")
        orders.append(
            {
                "facility": facility,
                "start": start,
                "end": end,
                "requirement": requirement,
                "quota_kw": quota,
                "level": _text(o.get("level"), f"{where}.level", limit=32, required=False) or "",
            }
        )
    return {"facilities": facilities, "orders": orders}


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PowerError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _write(conn: sa.Connection, plan: dict[str, Any], enterprise_id: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    counts = {"facilities": 0, "meters": 0, "channels": 0, "links": 0, "orders": 0}
    for f in plan["facilities"]:
        fid = store.insert(conn, power_facility, {**f["values"], "enterprise_id": enterprise_id})
        ids[f["values"]["code"]] = fid
        counts["facilities"] += 1
        for m in f["meters"]:
            mid = store.insert(conn, power_meter, {**m["values"], "facility_id": fid})
            counts["meters"] += 1
            for c in m["channels"]:
                store.insert(conn, power_channel, {**c, "meter_id": mid})
                counts["channels"] += 1
    for f in plan["facilities"]:
        for production in f["serves"]:
            store.insert_link(conn, ids[f["values"]["code"]], ids[production])
            counts["links"] += 1
    for o in plan["orders"]:
        store.insert(
            conn,
            power_order,
            {**{k: v for k, v in o.items() if k != "facility"}, "facility_id": ids[o["facility"]]},
        )
        counts["orders"] += 1
    return counts


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


def _meter_power(
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
            power, back = _meter_power(by_meter.get(m.id, []), data, m, grid)
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
    so a finding that continues in the next evaluation extends the same alert."""
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
                condition_key=f"power:{finding.type.value}:{facility.id}",
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


def raise_alerts(
    engine: sa.Engine, evaluation: Evaluation, *, now: datetime | None = None
) -> set[int]:
    """Record the evaluation's findings as alerts (merged with the ones they continue);
    `now` naive means China Standard Time."""
    found = conditions(evaluation)
    points = {c.point_id: {"enterprise_id": evaluation.enterprise["id"]} for c in found}
    return record_conditions(engine, found, points, utc_now() if now is None else as_instant(now))


# --- reads for the doors --------------------------------------------------------------


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


def enterprises(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises with metered facilities that `scope` may read, with facility counts."""
    with engine.connect() as conn:
        return store.enterprises_with_facilities(conn, scope)


def configuration(engine: sa.Engine, credit_code: str, scope: Scope) -> dict[str, Any]:
    """One enterprise's facilities with meters, channels and links, as `configure` takes
    them (so a read configuration can be written back as it is)."""
    with engine.connect() as conn:
        owner = store.enterprise_by_code(conn, credit_code, scope)
        if owner is None:
            raise NotFound(f"enterprise {credit_code} not found")
        facilities = store.facilities(conn, [owner["id"]])
        channels = store.channels(conn, [m.id for f in facilities for m in f.meters])
        codes = {code: pid for code, pid in store.points_of(conn, owner["id"]).items()}
    outlet_of = {pid: code for code, pid in codes.items()}
    code_of = {f.id: f.code for f in facilities}
    by_meter: dict[int, list[dict[str, Any]]] = {}
    for c in channels:
        by_meter.setdefault(c["meter_id"], []).append(
            {"mn": c["mn"], "code": c["code"], "quantity": c["quantity"]}
        )
    out = []
    for f in facilities:
        item: dict[str, Any] = {
            "code": f.code,
            "name": f.name,
            "role": f.role.value,
            "kind": f.kind,
            "outlet": outlet_of.get(f.point_id) if f.point_id else None,
            "normal_kw": f.normal_kw,
            "serves": [code_of[p] for p in f.serves],
            "meters": [
                {
                    "code": m.code,
                    "rated_kw": m.rated_kw,
                    "rated_current_a": m.rated_current_a,
                    "voltage_v": m.voltage_v,
                    "power_factor": m.power_factor,
                    "ct_ratio": m.ct_ratio,
                    "three_phase": m.three_phase,
                    "off_fraction": m.off_fraction,
                    "low_fraction": m.low_fraction,
                    "learned_off_kw": m.learned_off_kw,
                    "learned_low_kw": m.learned_low_kw,
                    "use_learned": m.use_learned,
                    "channels": by_meter.get(m.id, []),
                }
                for m in f.meters
            ],
        }
        out.append(item)
    return {"enterprise": owner["credit_code"], "name": owner["name"], "facilities": out}
