"""Emissions statistics as pure functions: emitted amounts against permitted annual amounts.

Strategy: the store sums the hourly masses (aggregate.emission_kg, the same quantity
compliance.store.emission_total sums for the cap warnings) per point, pollutant and month in
one grouped read; this module picks each outlet's annual cap the way compliance's cap check
does (the smallest cap of the permits in force during the year, compliance.evaluation) and
pools outlets into enterprises, districts, industries and months. The share of the cap used
is emitted ÷ permitted annual amount (许可排放量, 排污许可管理条例 art. 13), in percent; for a
month it is the month's emission against the year's cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ecozone.compliance.model import Limit


def annual_cap_t(limits: Iterable[Limit], pollutant: str, year: int) -> float | None:
    """The permitted annual amount (t) of one outlet's pollutant in `year`: the smallest cap
    among the limits whose permit is in force at some time in the year, as the cap warnings
    judge it (compliance.evaluation._cap_conditions); None when no permit caps it."""
    first, following = date(year, 1, 1), date(year + 1, 1, 1)
    caps = [
        lim.annual_cap_t
        for lim in limits
        if lim.pollutant == pollutant
        and lim.annual_cap_t is not None
        and lim.valid_from < following
        and lim.valid_to >= first
    ]
    return min(caps) if caps else None


@dataclass(frozen=True)
class Emitted:
    """One outlet's mass of one pollutant in one month, with where the outlet sits."""

    point_id: int
    pollutant: str
    month: str  # YYYY-MM
    emitted_kg: float
    labels: Mapping[str, Any]


def share_pct(emitted_t: float, cap_t: float | None) -> float | None:
    """Share of the permitted annual amount used, %: 12.5 t of a 50 t cap is 25.0 %."""
    if cap_t is None or cap_t <= 0:
        return None
    return 100.0 * emitted_t / cap_t


def pooled(
    rows: Sequence[Emitted],
    key: str,
    caps: Mapping[tuple[int, str], float | None],
) -> list[dict[str, Any]]:
    """Emissions summed by (`key`, pollutant): key is a label of the rows ('credit_code',
    'district', 'industry', 'id'), 'pollutant' (the zone's) or 'month'. The group's cap is
    the sum of the caps of its distinct outlets that have one (an enterprise's permitted
    amount is its outlets' together); `capped_emitted_t` is what those capped outlets
    emitted, so the share compares like with like when some outlets have no cap."""
    groups: dict[tuple[Any, str], dict[str, Any]] = {}
    for row in rows:
        group = {"month": row.month, "pollutant": row.pollutant}.get(key) or row.labels.get(key)
        entry = groups.setdefault(
            (group, row.pollutant),
            {"key": group, "pollutant": row.pollutant, "emitted_kg": 0.0, "capped_kg": 0.0,
             "points": set(), "labels": row.labels},
        )  # fmt: skip
        entry["emitted_kg"] += row.emitted_kg
        cap = caps.get((row.point_id, row.pollutant))
        if cap is not None:
            entry["capped_kg"] += row.emitted_kg
            entry["points"].add(row.point_id)
    out = []
    for entry in groups.values():
        cap_values = [caps[(pid, entry["pollutant"])] for pid in entry["points"]]
        cap_t = sum(c for c in cap_values if c is not None) if cap_values else None
        capped_t = entry["capped_kg"] / 1000.0
        out.append({
            "key": entry["key"], "pollutant": entry["pollutant"],
            "emitted_t": entry["emitted_kg"] / 1000.0,
            "capped_emitted_t": capped_t if cap_t is not None else None,
            "cap_t": cap_t, "share_pct": share_pct(capped_t, cap_t),
            "labels": entry["labels"],
        })  # fmt: skip
    out.sort(key=lambda r: (str(r["key"]), r["pollutant"]))
    return out
