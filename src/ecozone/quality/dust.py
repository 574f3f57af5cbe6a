"""Use cases of construction dust: monitors on sites, the dust rules as versioned data, the
exceedances of each site's monitors against the rules in force and the alerts for a day that
breaks one, and the ten-rules checklist of a site inspection.

No Chongqing numeric standard was found (domain-2.md §10.4, UNCONFIRMED): the rules are rows
of dust_rule, seeded from data/dust.yaml and changed by adding a version.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.compliance.model import AlertType, Condition
from ecozone.quality import rules, service, store
from ecozone.quality.model import DustBasis, DustDay, DustRule, QualityError, QualityNotFound
from ecozone.times import cst_naive, utc_now

DUST = "dust"
MAX_DAYS = 62


@cache
def reference() -> dict[str, Any]:
    """data/dust.yaml: the starting rules and the checklist."""
    text = (resources.files("ecozone.quality") / "data" / "dust.yaml").read_text("utf-8")
    return yaml.safe_load(text)  # type: ignore[no-any-return]


def checklist() -> list[dict[str, str]]:
    """The ten dust-control rules a site inspection checks, in order."""
    return list(reference()["checklist"])


def attach_monitor(
    engine: sa.Engine, point_id: int, site_id: int, *, actor: str, scope: Scope | None = None
) -> None:
    """Put a dust point on a site; audited."""
    with engine.begin() as conn:
        service.point_of_kind(conn, point_id, DUST, scope)
        if not store.sites(conn, scope, site_id):
            raise QualityNotFound(f"no construction site with id {site_id}")
        store.save_dust_monitor(conn, point_id, site_id)
        audit.record(
            conn,
            actor=actor,
            action="update",
            entity="dust_monitor",
            entity_id=str(point_id),
            before=None,
            after={"site_id": site_id},
        )


def monitors(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.dust_monitors(conn, scope)


def newest_day(engine: sa.Engine, scope: Scope | None) -> date:
    """The newest day with data at the monitors the scope may read, else today (CST)."""
    with engine.connect() as conn:
        newest = store.latest_time(conn, [m["point_id"] for m in store.dust_monitors(conn, scope)])
    return newest.date() if newest is not None else cst_naive(utc_now()).date()


# --- rules -----------------------------------------------------------------------------------


def add_rule(
    engine: sa.Engine,
    *,
    code: str,
    metric: str,
    window_min: int | str,
    basis: str,
    limit: float | str,
    allowed_per_day: int | str,
    action: str,
    effective_from: date | str,
    actor: str,
) -> DustRule:
    """A new version of rule `code` (its first when new), in force from `effective_from`;
    earlier versions stay for the days before. Audited."""
    if metric not in rules.DUST_METRICS:
        raise QualityError(
            "bad_metric", f"metric {metric!r}: expected a34002 (PM10) or a34001 (TSP)", value=metric
        )
    try:
        the_basis = DustBasis(basis)
    except ValueError:
        raise QualityError(
            "bad_basis", f"basis {basis!r}: expected absolute or background", value=basis
        ) from None
    window = service.number(window_min, "window_min", positive=True)
    allowed = service.number(allowed_per_day, "allowed_per_day")
    if window is None or window != int(window) or window > 1440:
        raise QualityError(
            "bad_window", f"window_min {window_min!r}: whole minutes, 1 to 1440", value=window_min
        )
    if allowed is None or allowed != int(allowed) or allowed < 0:
        raise QualityError(
            "bad_allowed",
            f"allowed_per_day {allowed_per_day!r}: a whole number, 0 or more",
            value=allowed_per_day,
        )
    values = {
        "code": service.text(code, "code", most=32),
        "metric": metric,
        "window_min": int(window),
        "basis": the_basis.value,
        "limit_value": service.number(limit, "limit", positive=True),
        "allowed_per_day": int(allowed),
        "action": service.text(action, "action"),
        "effective_from": service.day(effective_from, "effective_from"),
    }
    with engine.begin() as conn:
        versions = [r.version for r in store.dust_rules(conn) if r.code == values["code"]]
        version = max(versions, default=0) + 1
        rule_id = store.insert_rule(conn, {**values, "version": version, "created_by": actor})
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="dust_rule",
            entity_id=str(rule_id),
            before=None,
            after={**values, "version": version, "effective_from": str(values["effective_from"])},
        )
        return next(r for r in store.dust_rules(conn) if r.id == rule_id)


def all_rules(engine: sa.Engine) -> list[DustRule]:
    with engine.connect() as conn:
        return store.dust_rules(conn)


def seed_rules(engine: sa.Engine, *, actor: str) -> int:
    """The rules of data/dust.yaml, when no rule is held yet; how many were added."""
    if all_rules(engine):
        return 0
    for r in reference()["rules"]:
        add_rule(
            engine,
            code=r["code"],
            metric=r["metric"],
            window_min=r["window_min"],
            basis=r["basis"],
            limit=r["limit"],
            allowed_per_day=r["allowed_per_day"],
            action=r["action"],
            effective_from=r["effective_from"],
            actor=actor,
        )
    return len(reference()["rules"])


def rule_dict(r: DustRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "code": r.code,
        "version": r.version,
        "metric": r.metric,
        "window_min": r.window_min,
        "basis": r.basis.value,
        "limit": r.limit,
        "allowed_per_day": r.allowed_per_day,
        "action": r.action,
        "effective_from": r.effective_from.isoformat(),
    }


# --- exceedances -----------------------------------------------------------------------------


def exceedances(
    engine: sa.Engine, scope: Scope | None, first: date, last: date
) -> list[tuple[dict[str, Any], DustRule, DustDay]]:
    """For each monitor the scope may read, each rule and each day from first to last with
    windows over the rule in force that day: (monitor, rule, day)."""
    if last < first:
        raise QualityError("empty_period", f"empty period: {first} is after {last}")
    if (last - first).days > MAX_DAYS:
        raise QualityError("too_long_period", f"at most {MAX_DAYS} days at once", most=MAX_DAYS)
    start = datetime(first.year, first.month, first.day)
    end = datetime(last.year, last.month, last.day) + timedelta(days=1)
    with engine.connect() as conn:
        chosen = store.dust_monitors(conn, scope)
        held = store.dust_rules(conn)
        ids = [m["point_id"] for m in chosen]
        districts = sorted({m["district_id"] for m in chosen if m["district_id"] is not None})
        ambient = {d: store.ambient_points(conn, d) for d in districts}
        ids += sorted({p for ps in ambient.values() for p in ps})
        # Monitors and stations report minute data (HJ 212 CN 2051); the rules' windows are
        # built from it, whatever hourly values the devices send besides.
        rows = store.values(conn, ids, rules.DUST_METRICS, start, end, kinds=("minute",))
    # (point, metric, day) -> samples; a district's background pools its stations' values.
    samples: dict[tuple[Any, str, date], list[tuple[datetime, float]]] = defaultdict(list)
    for pid, _kind, code, at, value in rows:
        samples[(pid, code, at.date())].append((at, value))
    for district_id, stations in ambient.items():
        for pid in stations:
            for (p, code, on), values in list(samples.items()):
                if p == pid:
                    samples[(("district", district_id), code, on)].extend(values)
    codes = sorted({r.code for r in held})
    out = []
    for m in chosen:
        for code in codes:
            for offset in range((last - first).days + 1):
                on = first + timedelta(days=offset)
                rule = rules.rule_in_force(held, code, on)
                if rule is None:
                    continue
                site_means = rules.window_means(
                    samples.get((m["point_id"], rule.metric, on), ()), rule.window_min
                )
                background = None
                if rule.basis is DustBasis.BACKGROUND:
                    # The district's mean: each window's mean over all its stations' values.
                    background = rules.window_means(
                        samples.get((("district", m["district_id"]), rule.metric, on), ()),
                        rule.window_min,
                    )
                for d in rules.dust_days(rule, site_means, background):
                    out.append((m, rule, d))
    return out


def exceedance_dict(m: dict[str, Any], rule: DustRule, d: DustDay) -> dict[str, Any]:
    return {
        "point_id": m["point_id"],
        "code": m["code"],
        "site_id": m["site_id"],
        "site": m["site"],
        "rule": rule.code,
        "version": rule.version,
        "basis": rule.basis.value,
        "limit": rule.limit,
        "day": d.day.isoformat(),
        "exceedances": len(d.exceedances),
        "allowed": d.allowed,
        "breached": d.breached,
        "peak": round(d.peak, 1),
        "action": rule.action,
        "windows": [
            {
                "start": e.start.isoformat(),
                "value": round(e.value, 1),
                "background": None if e.background is None else round(e.background, 1),
                "judged": round(e.judged, 1),
            }
            for e in d.exceedances
        ],
    }


def check_dust(
    engine: sa.Engine, first: date, last: date, now: datetime | None = None
) -> list[tuple[dict[str, Any], DustRule, DustDay]]:
    """Raise a dust_exceedance alert for each monitor, rule and day that breaks the rule (more
    exceedances than allowed); returns those days."""
    breached = [x for x in exceedances(engine, None, first, last) if x[2].breached]
    conditions = [
        Condition(
            AlertType.DUST_EXCEEDANCE,
            f"quality:dust:{m['point_id']}:{rule.code}",
            m["point_id"],
            rule.metric,
            d.exceedances[0].start,
            d.exceedances[-1].start + timedelta(minutes=rule.window_min),
            round(d.peak, 1),
            rule.limit,
            {
                "unit": "µg/m3",
                "site_id": m["site_id"],
                "site": m["site"],
                "rule": f"{rule.code} v{rule.version}",
                "basis": rule.basis.value,
                "exceedances": len(d.exceedances),
                "allowed": d.allowed,
                "action": rule.action,
            },
        )
        for m, rule, d in breached
    ]
    service.raise_alerts(
        engine, conditions, {m["point_id"]: m["enterprise_id"] for m, _r, _d in breached}, now
    )
    return breached


# --- inspections -----------------------------------------------------------------------------


def record_inspection(
    engine: sa.Engine,
    scope: Scope | None,
    *,
    site_id: int,
    inspected_on: date | str,
    inspector: str,
    met: set[str] | list[str],
    remarks: str = "",
    actor: str,
) -> dict[str, Any]:
    """One site inspection against the ten rules: every item met or not; audited."""
    keys = [c["key"] for c in checklist()]
    unknown = sorted(set(met) - set(keys))
    if unknown:
        raise QualityError("bad_item", f"unknown checklist item {unknown[0]!r}", value=unknown[0])
    values = {
        "inspected_on": service.day(inspected_on, "inspected_on"),
        "inspector": service.text(inspector, "inspector", most=100),
        "remarks": service.text(remarks, "remarks", required=False, most=1000),
        "items": {k: k in set(met) for k in keys},
        "checklist_version": int(reference()["checklist_version"]),
    }
    service.site(engine, scope, site_id)
    with engine.begin() as conn:
        made = store.insert_inspection(conn, {**values, "site_id": site_id, "created_by": actor})
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="dust_inspection",
            entity_id=str(made),
            before=None,
            after={**values, "site_id": site_id, "inspected_on": str(values["inspected_on"])},
        )
        return next(i for i in store.inspections(conn, [site_id]) if i["id"] == made)


def inspections(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    """The inspections of the sites the scope may read, newest first, with the items failed."""
    with engine.connect() as conn:
        by_id = {s.id: s for s in store.sites(conn, scope)}
        found = store.inspections(conn, list(by_id))
    names = {c["key"]: c for c in checklist()}
    return [
        {
            **i,
            "site": by_id[i["site_id"]].project,
            "site_code": by_id[i["site_id"]].code,
            "met": sum(1 for v in i["items"].values() if v),
            "total": len(i["items"]),
            # In the checklist's order (a JSONB column keeps no key order).
            "failed": [c for k, c in names.items() if i["items"].get(k) is False]
            + [
                {"key": k, "zh": k, "en": k}
                for k, v in i["items"].items()
                if not v and k not in names
            ],
        }
        for i in found
    ]
