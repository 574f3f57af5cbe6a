"""The zone energy dashboard: tce and CO2 by district and industry for a year, key energy
users, energy per unit of value added against enterprise and district targets (dual
control), the plan's item-1 indicator per district, and key users' data completeness.

Sums run in SQL (store.monthly_sums) with the coefficients of the year's factor sets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.energy import rules, service, store
from ecozone.energy.model import EnergySettings, UserClass


def enterprise_years(
    engine: sa.Engine, scope: Scope, year: int, settings: EnergySettings
) -> dict[int, dict[str, Any]]:
    """Per enterprise with statistics in `year`: tce, CO2, months reported, class."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    with engine.connect() as conn:
        rows = store.monthly_sums(conn, scope, start, end, service.coefficients(start, settings))
        value_added = store.value_added_sums(conn, scope, start, end)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        e = out.setdefault(r["enterprise_id"], {
            "enterprise_id": r["enterprise_id"], "name": r["name"],
            "credit_code": r["credit_code"], "industry": r["industry"] or "—",
            "district_id": r["district_id"], "district": r["district"] or "—",
            "tce": 0.0, "t_co2": 0.0, "months": 0,
        })  # fmt: skip
        e["tce"] += r["tce"] or 0.0
        e["t_co2"] += r["t_co2"] or 0.0
        e["months"] += 1
    for e in out.values():
        e["user_class"] = rules.user_class(e["tce"], settings).value
        e["value_added_10k_yuan"] = value_added.get(e["enterprise_id"])
        e["tce_per_10k_yuan"] = rules.intensity(e["tce"], e["value_added_10k_yuan"])
    return out


def dashboard(
    engine: sa.Engine, scope: Scope, year: int, settings: EnergySettings, today: date
) -> dict[str, Any]:
    year = service.check_year(year)
    now = enterprise_years(engine, scope, year, settings)
    before = enterprise_years(engine, scope, year - 1, settings)
    with engine.connect() as conn:
        targets = store.targets(conn, list(now), year)
        district_rows = store.district_years(conn, [year - 1, year])
        districts = {d["id"]: d["name"] for d in store.districts(conn)}
    by_district: dict[str, float] = defaultdict(float)
    by_industry: dict[str, float] = defaultdict(float)
    for e in now.values():
        by_district[e["district"]] += e["tce"]
        by_industry[e["industry"]] += e["tce"]
        target = targets.get(e["enterprise_id"], {})
        e["target_tce_per_10k_yuan"] = target.get("tce_per_10k_yuan")
        e["meets_target"] = (
            None if e["tce_per_10k_yuan"] is None or e["target_tce_per_10k_yuan"] is None
            else round(e["tce_per_10k_yuan"], 9) <= e["target_tce_per_10k_yuan"]
        )  # fmt: skip
    elapsed = 12 if today.year > year else max(today.month - 1, 0) if today.year == year else 0
    key_users = []
    for e in sorted(now.values(), key=lambda x: -x["tce"]):
        if e["user_class"] == UserClass.OTHER.value:
            continue
        checks = service.quality(engine, scope, e["credit_code"],
                                 date(year, max(min(elapsed, 12), 1), 1), settings)  # fmt: skip
        realtime = [c["figure"] for q in checks for c in q["checks"]
                    if c["name"] == "realtime_completeness" and c["figure"] is not None]
        key_users.append({**e, "months_expected": elapsed,
                          "realtime_pct": min(realtime) if realtime else None})  # fmt: skip
    return {
        "year": year,
        "enterprises": sorted(now.values(), key=lambda x: (x["district"], x["name"])),
        "by_district": sorted(by_district.items()),
        "by_industry": sorted(by_industry.items(), key=lambda kv: -kv[1]),
        "districts": _item1(now, before, district_rows, districts, year),
        "key_users": key_users,
        "tce": sum(by_district.values()),
        "t_co2": sum(e["t_co2"] for e in now.values()),
        "sinks_t_co2": sum(s["annual_t_co2"] for s in service.sinks(engine)),
        "factor_sets": service.used_sets(date(year, 1, 1), settings),
        "method": settings.electricity_method.value,
    }


def _item1(now: dict, before: dict, district_rows: dict, names: dict[int, str],
           year: int) -> list[dict[str, Any]]:  # fmt: skip
    """Plan item 1 per district: the decline of industrial energy per unit of value added
    (from the enterprises' statistics) against the decline of energy per unit of GDP (the
    district statistics staff enter), and the industrial intensity against its target."""

    def industrial(group: dict, district_id: int) -> float | None:
        members = [e for e in group.values() if e["district_id"] == district_id]
        tce = sum(e["tce"] for e in members)
        va = sum(e["value_added_10k_yuan"] or 0 for e in members)
        return rules.intensity(tce, va) if members else None

    def gdp(district_id: int, y: int) -> float | None:
        row = district_rows.get((district_id, y), {})
        return rules.intensity(row.get("gdp_energy_tce") or 0.0, row.get("gdp_10k_yuan"))

    out = []
    for district_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        current, previous = industrial(now, district_id), industrial(before, district_id)
        ind_decline = rules.decline_pct(previous, current)
        gdp_decline = rules.decline_pct(gdp(district_id, year - 1), gdp(district_id, year))
        target = district_rows.get((district_id, year), {}).get(
            "industrial_target_tce_per_10k_yuan")
        if current is None and gdp(district_id, year) is None and target is None:
            continue
        out.append({
            "district_id": district_id, "district": name, "industrial_intensity": current,
            "industrial_intensity_previous": previous, "industrial_decline_pct": ind_decline,
            "gdp_intensity": gdp(district_id, year),
            "gdp_intensity_previous": gdp(district_id, year - 1),
            "gdp_decline_pct": gdp_decline, "item1_met": rules.item1_met(ind_decline, gdp_decline),
            "target": target,
            "meets_target": None if current is None or target is None
            else round(current, 9) <= target,
        })  # fmt: skip
    return out
