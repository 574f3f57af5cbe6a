"""Emissions statistics from the store: hourly masses summed per outlet, pollutant and month
in one grouped SQL read, caps from compliance's one read of permit limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.compliance import store as compliance_store
from ecozone.statistics import emissions as rules
from ecozone.statistics.emissions import Emitted
from ecozone.statistics.transmission import Period
from ecozone.statistics.transmission_service import (
    Filters,
    month_of,
    point_fields,
    scoped_points,
)
from ecozone.store.schema import aggregate

#: The tables of the statistic: the key each pools by, and the label it shows.
GROUPS = ("enterprise", "district", "industry", "month", "pollutant", "point")
_LABEL_KEY = {"enterprise": "credit_code", "district": "district", "industry": "industry",
              "month": "month", "pollutant": "pollutant", "point": "id"}  # fmt: skip


def monthly_masses(
    conn: sa.Connection, point_ids: list[int], start: datetime, end: datetime
) -> list[tuple[int, str, str, float]]:
    """(point id, pollutant, YYYY-MM, kg): the sum of hourly emission_kg, as
    compliance.store.emission_total sums it, for every outlet and month at once."""
    if not point_ids:
        return []
    a = aggregate.c
    month = month_of(conn, a.data_time)
    stmt = (
        sa.select(a.point_id, a.pollutant, month.label("month"), sa.func.sum(a.emission_kg))
        .where(
            a.point_id.in_(point_ids),
            a.kind == "hour",
            a.data_time >= start,
            a.data_time < end,
            a.emission_kg.is_not(None),
        )
        .group_by(a.point_id, a.pollutant, month)
    )
    return [(p, code, m, float(kg or 0.0)) for p, code, m, kg in conn.execute(stmt)]


@dataclass(frozen=True)
class EmissionsReport:
    period: Period
    rows: tuple[Emitted, ...]
    caps: dict[tuple[int, str], float | None]


def compute(
    engine: sa.Engine, scope: Scope, period: Period, *,
    filters: Filters = Filters(),
) -> EmissionsReport:  # fmt: skip
    """The masses emitted in `period` by the outlets `scope` may read, with their caps for
    the period's year."""
    with engine.connect() as conn:
        points = {p["id"]: p for p in scoped_points(conn, scope, filters)}
        masses = monthly_masses(conn, list(points), period.start, period.end)
        limits = compliance_store.limits_for_points(conn, list(points)) if points else []
    rows = tuple(
        Emitted(pid, code, month, kg, {**points[pid], "month": month})
        for pid, code, month, kg in masses
    )
    caps = {
        (r.point_id, r.pollutant): rules.annual_cap_t(
            [lim for lim in limits if lim.point_id == r.point_id], r.pollutant,
            period.start.year,
        )
        for r in rows
    }  # fmt: skip
    return EmissionsReport(period, rows, caps)


def table(report: EmissionsReport, group: str) -> list[dict[str, Any]]:
    """Rows of one table of the statistic, pooled by `group` (GROUPS) and pollutant."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}")
    out = []
    for r in rules.pooled(report.rows, _LABEL_KEY[group], report.caps):
        labels = r["labels"]
        row: dict[str, Any] = {}
        if group == "enterprise":
            row = {"credit_code": r["key"], "enterprise": labels["enterprise_name"],
                   "district": labels["district"]}  # fmt: skip
        elif group == "point":
            row = point_fields(labels)
        elif group == "pollutant":
            row = {}
        else:
            row = {group: r["key"]}
        out.append({
            **row, "pollutant": r["pollutant"],
            "emitted_t": _round(r["emitted_t"], 4), "cap_t": r["cap_t"],
            "capped_emitted_t": _round(r["capped_emitted_t"], 4),
            "share_pct": _round(r["share_pct"], 2),
        })  # fmt: skip
    return out


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def as_dict(report: EmissionsReport) -> dict[str, Any]:
    return {
        "period": report.period.label,
        "unit": "t",
        **{f"{g}s" if g != "industry" else "industries": table(report, g) for g in GROUPS},
    }
