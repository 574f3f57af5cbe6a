"""The waste checks raised into the alert desk: storage age approaching or over its limit
(固废法 art. 81, a setting), stock over a facility's capacity, the year's mass balance broken
beyond its tolerance (HJ 1259-2022), a manifest not confirmed within 5 working days of its
hand-over to the carrier, a receipt differing from the dispatch beyond its tolerance
(order 23), a declaration due within its warning days or late (HJ 1259-2022), and a carrier
vehicle's track leaving its declared route or stopping too long on the way (waste.tracks).
Run by the periodic timer (pipeline.run_checks) and `ecozone waste checks`.

Each finding is a compliance Condition with a stable key, recorded through
compliance.evaluation.record_conditions like every other alert, so a check run again merges
into the alert it raised instead of raising another. Waste alerts name no monitoring point.
A track finding that is gone when the leg is judged again (a route declared anew, the
points corrected) closes its alert while nobody has acted on it yet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance import alerts
from ecozone.compliance._usecase import SYSTEM_ACTOR
from ecozone.compliance.evaluation import record_conditions
from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    AlertType,
    CloseReason,
    Condition,
    WorkCalendar,
)
from ecozone.compliance.rules import add_working_days
from ecozone.waste import declarations, legs, rules, store
from ecozone.waste.model import AgeState, DeclarationState, ManifestState, WasteSettings
from ecozone.waste.service import _balance, stock_rows


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def conditions(
    engine: sa.Engine, day: date, settings: WasteSettings, calendar: WorkCalendar
) -> list[tuple[int, Condition]]:
    """(enterprise id, condition) of every waste finding on `day` (CST)."""
    found: list[tuple[int, Condition]] = []
    with engine.connect() as conn:
        ids = [e["id"] for e in store.enterprises(conn, SYSTEM_SCOPE)]
        stock = stock_rows(conn, ids, day, settings)
        held: dict[int, float] = defaultdict(float)
        for s in stock:
            held[s["facility_id"]] += s["held_t"]
            if s["age_state"] == AgeState.FINE.value:
                continue
            since = s["oldest"].date()
            warn_from = since + timedelta(days=settings.storage_limit_days
                                          - settings.storage_warning_days)  # fmt: skip
            found.append((s["enterprise_id"], Condition(
                AlertType.WASTE_STORAGE_AGE, f"waste:age:{s['facility_id']}:{s['code']}:{since}",
                None, None, _midnight(warn_from), None,
                peak=float(s["age_days"]), limit_value=float(settings.storage_limit_days),
                detail={"facility": s["facility"], "code": s["code"], "held_t": s["held_t"],
                        "state": s["age_state"], "since": str(since)})))  # fmt: skip
        capacity = {s["facility_id"]: (s["enterprise_id"], s["facility"], s["capacity_t"])
                    for s in stock}  # fmt: skip
        for facility_id, total in held.items():
            eid, code, limit = capacity[facility_id]
            if total > limit + rules.EPSILON_T:
                found.append((eid, Condition(
                    AlertType.WASTE_OVER_CAPACITY, f"waste:capacity:{facility_id}", None, None,
                    _midnight(day), None, peak=round(total, 3), limit_value=limit,
                    detail={"facility": code, "held_t": round(total, 3)})))  # fmt: skip
        start = datetime(day.year, 1, 1)
        for eid in ids:
            b = _balance(store.sums(conn, eid, start, _midnight(day) + timedelta(days=1)))
            if not rules.balanced(b, settings):
                found.append((eid, Condition(
                    AlertType.WASTE_BALANCE, f"waste:balance:{eid}:{day.year}", None, None,
                    start, None, peak=round(b.gap, 3), limit_value=settings.balance_tolerance_t,
                    detail={**b.__dict__, "gap": round(b.gap, 3)})))  # fmt: skip
        found += _manifest_conditions(conn, day, settings, calendar)
        found += _declaration_conditions(conn, ids, day, settings)
        found += track_conditions(conn, day, settings)[0]
    return found


#: Legs judged again by each run: those with a point in the last days (a track is only sent
#: while a leg is under way, and corrected soon after).
TRACK_LOOKBACK_DAYS = 31
TRACK_TYPES = {"deviation": AlertType.WASTE_ROUTE_DEVIATION, "stop": AlertType.WASTE_LONG_STOP}


def track_key(kind: str, manifest_id: int, start: datetime) -> str:
    return f"waste:track:{kind}:{manifest_id}:{start:%Y%m%dT%H%M%S}"


def track_conditions(
    conn: sa.Connection, day: date, settings: WasteSettings
) -> tuple[list[tuple[int, Condition]], set[int]]:
    """(enterprise id, condition) of every deviation and long stop on the legs with a recent
    track, and the ids of the manifests judged. The consignor's enterprise answers for it."""
    since = _midnight(day) - timedelta(days=TRACK_LOOKBACK_DAYS)
    found: list[tuple[int, Condition]] = []
    findings, judged = legs.all_findings(conn, settings, since)
    for m, f in findings:
        deviation = f.kind.value == "deviation"
        found.append((m["enterprise_id"], Condition(
            TRACK_TYPES[f.kind.value], track_key(f.kind.value, m["id"], f.start), None, None,
            f.start, f.end,
            peak=f.max_distance_m if deviation else f.minutes,
            limit_value=settings.route_corridor_m if deviation else settings.stop_minutes,
            detail={"number": m["number"], "manifest_id": m["id"],
                    "vehicle_plate": m["vehicle_plate"], "minutes": f.minutes,
                    "max_distance_m": f.max_distance_m, "lon": round(f.lon, 6),
                    "lat": round(f.lat, 6), "until": f.end.isoformat()},
            enterprise_id=m["enterprise_id"])))  # fmt: skip
    return found, judged


def close_resolved_tracks(
    engine: sa.Engine, day: date, settings: WasteSettings, instant: datetime
) -> set[int]:
    """Close the open (not yet dispatched) track alerts of the legs judged today whose
    finding is no longer there; the ids closed."""
    closed: set[int] = set()
    with engine.begin() as conn:
        found, judged = track_conditions(conn, day, settings)
        keys = {c.condition_key for _eid, c in found}
        for row in alerts.unacted(conn, [t.value for t in TRACK_TYPES.values()]):
            manifest_id = int(row["condition_key"].split(":")[3])
            if row["condition_key"] in keys or manifest_id not in judged:
                continue
            alerts.transition(conn, row["id"], AlertState.OPEN, AlertAction.CLOSE,
                              actor=SYSTEM_ACTOR, at=instant, reason=CloseReason.FALSE_ALARM,
                              comment="复核轨迹后不再构成该情形（路线或轨迹已更正）")  # fmt: skip
            closed.add(row["id"])
    return closed


def _declaration_conditions(
    conn: sa.Connection, ids: list[int], day: date, settings: WasteSettings
) -> list[tuple[int, Condition]]:
    """A declaration not filed: "due" from `declaration_warning_days` before its deadline,
    "late" from the day after it (HJ 1259-2022; the annual one by 31 March)."""
    found: list[tuple[int, Condition]] = []
    for eid, periods in declarations.owed(conn, ids, day, settings).items():
        for p, state in periods:
            if state is DeclarationState.LATE:
                kind, since = AlertType.WASTE_DECLARATION_LATE, p.due + timedelta(days=1)
            elif state is DeclarationState.DUE:
                kind = AlertType.WASTE_DECLARATION_DUE
                since = p.due - timedelta(days=settings.declaration_warning_days)
            else:
                continue
            found.append((eid, Condition(
                kind, f"waste:declaration:{state.value}:{eid}:{p.period.value}:{p.label}",
                None, None, _midnight(max(since, p.end)), None,
                detail={"period": p.period.value, "label": p.label,
                        "due": str(p.due)})))  # fmt: skip
    return found


def _manifest_conditions(
    conn: sa.Connection, day: date, settings: WasteSettings, calendar: WorkCalendar
) -> list[tuple[int, Condition]]:
    found: list[tuple[int, Condition]] = []
    for m in store.manifests(conn, SYSTEM_SCOPE, limit=100_000):
        if m["state"] == ManifestState.IN_TRANSIT.value:
            handed = times.local_time(m["in_transit_at"]).date()
            due = add_working_days(handed, settings.confirm_working_days, calendar)
            if day > due:
                found.append((m["enterprise_id"], Condition(
                    AlertType.WASTE_MANIFEST_LATE, f"waste:manifest:{m['id']}", None, None,
                    _midnight(due + timedelta(days=1)), None,
                    detail={"number": m["number"], "receiver": m["receiver"],
                            "due": str(due)})))  # fmt: skip
        elif m["received_t"] is not None:
            diff, major = rules.receipt_difference(m["quantity_t"], m["received_t"],
                                                   settings.receipt_tolerance)  # fmt: skip
            if major:
                at = m["arrived_at"]
                found.append((m["enterprise_id"], Condition(
                    AlertType.WASTE_RECEIPT_DIFFERENCE, f"waste:difference:{m['id']}", None,
                    None, at, at, peak=m["received_t"], limit_value=m["quantity_t"],
                    detail={"number": m["number"], "difference_t": diff,
                            "note": m["difference_note"]})))  # fmt: skip
    return found


def raise_alerts(
    engine: sa.Engine,
    settings: WasteSettings,
    calendar: WorkCalendar,
    now: datetime | None = None,
) -> set[int]:
    """Record the findings of `now`'s day as alerts (merged with the ones they continue);
    the ids of alerts created or changed."""
    instant = times.as_instant(now) if now is not None else times.utc_now()
    day = times.cst_naive(instant).date()
    by_enterprise: dict[int, list[Condition]] = defaultdict(list)
    for eid, cond in conditions(engine, day, settings, calendar):
        by_enterprise[eid].append(cond)
    changed: set[int] = set()
    for eid, found in by_enterprise.items():
        # no point: the one "point" key None carries the enterprise of this batch
        points: dict[Any, dict[str, Any]] = {None: {"enterprise_id": eid}}
        changed |= record_conditions(engine, found, points, instant)
    changed |= close_resolved_tracks(engine, day, settings, instant)
    return changed
