"""What the power pages show: an enterprise's facilities with their live states and
electricity, and one facility's day (power, states, thresholds, findings).

Reads only, through `evaluation.evaluate` and the store with the viewer's Scope; the
pages (views.py) and their JSON share these functions.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.errors import NotFound
from ecozone.power import evaluation, rules, store
from ecozone.power.model import FacilityRole, FindingType, PowerSettings

LINKAGE_ALERT_TYPES = tuple(t.value for t in FindingType)


def _kwh(timeline: evaluation.FacilityTimeline, grid_hours: float, first: int) -> float:
    """Energy of the power series from slot `first` on: Σ P·Δt over intervals with data."""
    power = timeline.meter.power[first:]
    return float(np.nansum(power) * grid_hours) if power.size else 0.0


def enterprise_overview(
    engine: sa.Engine,
    credit_code: str,
    *,
    now: datetime,
    scope: Scope,
    settings: PowerSettings,
) -> dict[str, Any]:
    """Facilities with their state now, today's and this year's electricity (kWh), the
    production and control totals, and the latest linkage alerts. `now`: device time."""
    day_start = datetime.combine(now.date(), time())
    result = evaluation.evaluate(
        engine, credit_code, day_start, now, scope=scope, settings=settings
    )
    first = settings.lookback_slots
    hours = result.grid.step.total_seconds() / 3600
    with engine.connect() as conn:
        facilities = store.facilities(conn, [result.enterprise["id"]])
        channels = store.channels(conn, [m.id for f in facilities for m in f.meters])
        year = store.hourly_energy(conn, channels, datetime(now.year, 1, 1), now)
        alerts = store.alerts_of(conn, result.enterprise["id"], LINKAGE_ALERT_TYPES)
        factors = store.factors(conn, [f.id for f in facilities])
        outlets = {
            pid: code for code, pid in store.points_of(conn, result.enterprise["id"]).items()
        }
    code_of = {f.id: f.code for f in facilities}
    rows, estimates = [], []
    totals = {"production": [0.0, 0.0], "control": [0.0, 0.0]}
    for f in facilities:
        timeline = result.timelines.get(f.id)
        last = timeline.runs[-1] if timeline and timeline.runs else None
        today = _kwh(timeline, hours, first) if timeline else 0.0
        this_year = sum(year.get(m.id, 0.0) for m in f.meters)
        totals[f.role.value][0] += today
        totals[f.role.value][1] += this_year
        for factor in factors.get(f.id, []):
            estimates.append(
                {
                    "facility": f.code,
                    "name": f.name,
                    "pollutant": factor["pollutant"],
                    "kg_per_kwh": factor["kg_per_kwh"],
                    "source": factor["source"],
                    "today_kg": round(rules.estimate_emission_kg(today, factor["kg_per_kwh"]), 3),
                    "year_kg": round(
                        rules.estimate_emission_kg(this_year, factor["kg_per_kwh"]), 3
                    ),
                }
            )
        rows.append(
            {
                "id": f.id,
                "code": f.code,
                "name": f.name,
                "role": f.role.value,
                "kind": f.kind,
                "outlet": outlets.get(f.point_id) if f.point_id else None,
                "serves": [code_of[p] for p in f.serves],
                "meters": len(f.meters),
                "state": last.state.value if last else None,
                "state_since": last.start if last else None,
                "state_rule": last.rule if last else None,
                "reference_kw": timeline.thresholds.reference_kw if timeline else None,
                "today_kwh": round(today, 1),
                "year_kwh": round(this_year, 1),
            }
        )
    return {
        "enterprise": result.enterprise,
        "facilities": rows,
        "totals": {
            role: {"today_kwh": round(a, 1), "year_kwh": round(b, 1)}
            for role, (a, b) in totals.items()
        },
        "findings_today": [evaluation.finding_out(x) for x in result.findings],
        "estimates": estimates,
        "alerts": alerts,
    }


def facility_day(
    engine: sa.Engine,
    credit_code: str,
    facility_code: str,
    day: datetime,
    *,
    now: datetime,
    scope: Scope,
    settings: PowerSettings,
) -> dict[str, Any]:
    """One facility's power over a day (until `now` for today) with its state runs, the
    thresholds that made them, its meters and the findings that involve it."""
    start = datetime.combine(day.date(), time())
    end = min(start + timedelta(days=1), max(now, start + timedelta(minutes=1)))
    result = evaluation.evaluate(engine, credit_code, start, end, scope=scope, settings=settings)
    timeline = next(
        (t for t in result.timelines.values() if t.facility.code == facility_code), None
    )
    if timeline is None:
        raise NotFound(f"facility {facility_code} of {credit_code} not found")
    first = settings.lookback_slots
    grid = result.grid
    series = [
        [grid.time(i), None if np.isnan(v) else round(float(v), 3)]
        for i, v in enumerate(timeline.meter.power)
        if i >= first
    ]
    facility = timeline.facility
    involved = [
        evaluation.finding_out(x)
        for x in result.findings
        if x.control == facility.code or facility.code in x.production
    ]
    return {
        "enterprise": result.enterprise,
        "facility": {
            "code": facility.code,
            "name": facility.name,
            "role": facility.role.value,
            "kind": facility.kind,
            "normal_kw": facility.normal_kw,
            "commissioned_on": facility.commissioned_on,
            "has_evidence": facility.evidence_sha256 is not None,
        },
        "role_is_control": facility.role is FacilityRole.CONTROL,
        "thresholds": {
            "reference_kw": timeline.thresholds.reference_kw,
            "off_kw": timeline.thresholds.off_kw,
            "low_kw": timeline.thresholds.low_kw,
            "confirm_slots": timeline.thresholds.confirm_slots,
        },
        "meters": [
            {
                "code": m.code,
                "rated_kw": round(m.rated_power_kw, 3),
                "off_fraction": m.off_fraction,
                "low_fraction": m.low_fraction,
                "learned_off_kw": m.learned_off_kw,
                "learned_low_kw": m.learned_low_kw,
                "use_learned": m.use_learned,
            }
            for m in facility.meters
        ],
        "series": series,
        "runs": [
            evaluation.run_out(r) | {"start": max(r.start, start)}
            for r in timeline.runs
            if r.end > start
        ],
        "findings": involved,
        "start": start,
        "end": end,
    }
