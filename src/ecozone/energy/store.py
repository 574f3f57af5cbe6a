"""Queries of energy and carbon: meters, monthly statistics, output, targets, district
statistics, forest sinks, and the meters' HJ 212 readings (table measurement).

Lists filter with accounts.store.scope_condition(own=True): energy data is an enterprise's
own business, never disclosed to the public. Zone sums run in SQL, a CASE over the carriers
multiplying each amount by its coefficient, so thousands of enterprise-months are one query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    district,
    district_energy,
    energy_meter,
    energy_month,
    energy_output,
    energy_target,
    enterprise,
    forest_sink,
    measurement,
)


def enterprises(
    conn: sa.Connection, scope: Scope, credit_code: str | None = None
) -> list[dict[str, Any]]:
    """Enterprises whose energy data the scope may read, by district then name."""
    e = enterprise.c
    stmt = (
        sa.select(e.id, e.credit_code, e.name, e.industry, e.district_id,
                  district.c.name.label("district"))
        .select_from(enterprise).outerjoin(district, district.c.id == e.district_id)
        .where(scope_condition(scope, own=True))
        .order_by(district.c.name, e.name)
    )  # fmt: skip
    if credit_code is not None:
        stmt = stmt.where(e.credit_code == credit_code)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def districts(conn: sa.Connection) -> list[dict[str, Any]]:
    stmt = sa.select(district.c.id, district.c.name).order_by(district.c.name)
    return [dict(r) for r in conn.execute(stmt).mappings()]


# --- meters ---------------------------------------------------------------------------------


def meters(conn: sa.Connection, enterprise_ids: Sequence[int]) -> list[dict[str, Any]]:
    m = energy_meter.c
    stmt = (
        sa.select(energy_meter).where(m.enterprise_id.in_(list(enterprise_ids)))
        .order_by(m.enterprise_id, m.code)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def save_meter(conn: sa.Connection, values: dict[str, Any]) -> dict[str, Any] | None:
    """Insert or replace the meter (enterprise_id, code); the row before, if any."""
    m = energy_meter.c
    where = sa.and_(m.enterprise_id == values["enterprise_id"], m.code == values["code"])
    before = conn.execute(sa.select(energy_meter).where(where)).mappings().first()
    if before is None:
        conn.execute(sa.insert(energy_meter).values(**values))
        return None
    conn.execute(sa.update(energy_meter).where(where).values(**values))
    return dict(before)


def readings(
    conn: sa.Connection, point_id: int, channel: str, kind: str, start: datetime, end: datetime
) -> list[tuple[datetime, float | None]]:
    """(data_time, cou or avg) of a channel's rows of `kind` in [start, end)."""
    c = measurement.c
    stmt = (
        sa.select(c.data_time, sa.func.coalesce(c.cou, c.avg))
        .where(c.point_id == point_id, c.pollutant == channel, c.kind == kind,
               c.data_time >= start, c.data_time < end)
        .order_by(c.data_time)
    )  # fmt: skip
    return [(r[0], r[1]) for r in conn.execute(stmt).all()]


def reading_count(
    conn: sa.Connection, point_id: int, channel: str, kind: str, start: datetime, end: datetime
) -> int:
    c = measurement.c
    stmt = sa.select(sa.func.count()).where(
        c.point_id == point_id, c.pollutant == channel, c.kind == kind,
        c.data_time >= start, c.data_time < end,
    )  # fmt: skip
    return int(conn.execute(stmt).scalar() or 0)


# --- monthly statistics and output ---------------------------------------------------------


def months(
    conn: sa.Connection, enterprise_ids: Sequence[int], start: date, end: date
) -> list[dict[str, Any]]:
    """Statistics rows of the enterprises with month in [start, end)."""
    s = energy_month.c
    stmt = (
        sa.select(energy_month)
        .where(s.enterprise_id.in_(list(enterprise_ids)), s.month >= start, s.month < end)
        .order_by(s.enterprise_id, s.month, s.carrier)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def save_month(conn: sa.Connection, values: dict[str, Any]) -> dict[str, Any] | None:
    """Insert or replace one statistic (enterprise, month, carrier); the row before, if any."""
    s = energy_month.c
    where = sa.and_(s.enterprise_id == values["enterprise_id"], s.month == values["month"],
                    s.carrier == values["carrier"])  # fmt: skip
    before = conn.execute(
        sa.select(s.amount, s.ncv_gj, s.source, s.entered_by).where(where)
    ).mappings().first()
    if before is None:
        conn.execute(sa.insert(energy_month).values(**values))
        return None
    conn.execute(sa.update(energy_month).where(where).values(**values))
    return dict(before)


def upsert_many(
    conn: sa.Connection, table: sa.Table, keys: Sequence[str], rows: list[dict[str, Any]]
) -> dict[tuple, dict[str, Any]]:
    """Insert or replace `rows` of a table keyed by enterprise_id, month (and `keys`): the
    existing rows read in one query, the new ones inserted by one executemany. Returns the
    rows before, by key, of those replaced."""
    if not rows:
        return {}
    c = table.c
    ids = sorted({r["enterprise_id"] for r in rows})
    months = [r["month"] for r in rows]
    existing = {
        tuple(r[k] for k in keys): dict(r) for r in conn.execute(
            sa.select(table).where(c.enterprise_id.in_(ids), c.month >= min(months),
                                   c.month <= max(months))
        ).mappings()
    }  # fmt: skip
    fresh, before = [], {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in existing:
            before[key] = existing[key]
            where = sa.and_(*(c[k] == v for k, v in zip(keys, key, strict=True)))
            conn.execute(sa.update(table).where(where).values(**row))
        else:
            fresh.append(row)
    if fresh:
        conn.execute(sa.insert(table), fresh)
    return before


def upsert_months(conn: sa.Connection, rows: list[dict[str, Any]]) -> dict[tuple, dict]:
    return upsert_many(conn, energy_month, ("enterprise_id", "month", "carrier"), rows)


def upsert_outputs(conn: sa.Connection, rows: list[dict[str, Any]]) -> dict[tuple, dict]:
    return upsert_many(conn, energy_output, ("enterprise_id", "month"), rows)


def newest_month(conn: sa.Connection, enterprise_id: int) -> date | None:
    """The newest month with statistics of the enterprise."""
    s = energy_month.c
    found = conn.execute(sa.select(sa.func.max(s.month)).where(s.enterprise_id == enterprise_id))
    value = found.scalar()
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def outputs(
    conn: sa.Connection, enterprise_ids: Sequence[int], start: date, end: date
) -> list[dict[str, Any]]:
    o = energy_output.c
    stmt = sa.select(energy_output).where(
        o.enterprise_id.in_(list(enterprise_ids)), o.month >= start, o.month < end
    ).order_by(o.enterprise_id, o.month)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def save_output(conn: sa.Connection, values: dict[str, Any]) -> dict[str, Any] | None:
    o = energy_output.c
    where = sa.and_(o.enterprise_id == values["enterprise_id"], o.month == values["month"])
    before = conn.execute(sa.select(energy_output).where(where)).mappings().first()
    if before is None:
        conn.execute(sa.insert(energy_output).values(**values))
        return None
    conn.execute(sa.update(energy_output).where(where).values(**values))
    return dict(before)


# --- targets and district statistics -------------------------------------------------------


def _upsert(conn: sa.Connection, table: sa.Table, keys: dict[str, Any],
            values: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    where = sa.and_(*(table.c[k] == v for k, v in keys.items()))
    before = conn.execute(sa.select(table).where(where)).mappings().first()
    if before is None:
        conn.execute(sa.insert(table).values(**keys, **values))
        return None
    conn.execute(sa.update(table).where(where).values(**values))
    return dict(before)


def save_target(conn: sa.Connection, enterprise_id: int, year: int,
                values: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    return _upsert(conn, energy_target, {"enterprise_id": enterprise_id, "year": year}, values)


def targets(conn: sa.Connection, enterprise_ids: Sequence[int], year: int) -> dict[int, dict]:
    t = energy_target.c
    stmt = sa.select(energy_target).where(t.enterprise_id.in_(list(enterprise_ids)),
                                          t.year == year)  # fmt: skip
    return {r["enterprise_id"]: dict(r) for r in conn.execute(stmt).mappings()}


def save_district_year(conn: sa.Connection, district_id: int, year: int,
                       values: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    return _upsert(conn, district_energy, {"district_id": district_id, "year": year}, values)


def district_years(conn: sa.Connection, years: Sequence[int]) -> dict[tuple[int, int], dict]:
    d = district_energy.c
    stmt = sa.select(district_energy).where(d.year.in_(list(years)))
    return {(r["district_id"], r["year"]): dict(r) for r in conn.execute(stmt).mappings()}


# --- zone sums in SQL ---------------------------------------------------------------------


def _weighted(coefficients: Mapping[str, tuple[float, float | None]]) -> sa.ColumnElement[float]:
    """amount × coefficient per carrier; a measured NCV (GJ) × its per-GJ coefficient where
    the carrier has one. `coefficients`: carrier → (per unit, per GJ of NCV or None)."""
    s = energy_month.c
    whens = []
    for carrier, (per_unit, per_gj) in coefficients.items():
        factor: Any = sa.literal(per_unit)
        if per_gj is not None:
            factor = sa.func.coalesce(s.ncv_gj * per_gj, per_unit)
        whens.append((s.carrier == carrier, s.amount * factor))
    return sa.case(*whens, else_=0.0) if whens else sa.literal(0.0)


def monthly_sums(
    conn: sa.Connection,
    scope: Scope,
    start: date,
    end: date,
    coefficients: Mapping[str, Mapping[str, tuple[float, float | None]]],
) -> list[dict[str, Any]]:
    """Per enterprise and month in [start, end): Σ amount × coefficient for each named set of
    coefficients (e.g. {"tce": ..., "t_co2": ...}), with the enterprise's district and
    industry. Grouped on the statistics' own key only; the names join afterwards."""
    s, e = energy_month.c, enterprise.c
    sums = [sa.func.sum(_weighted(c)).label(name) for name, c in coefficients.items()]
    stmt = (
        sa.select(s.enterprise_id, s.month, *sums)
        .where(s.month >= start, s.month < end)
        .group_by(s.enterprise_id, s.month)
        .order_by(s.enterprise_id, s.month)
    )  # fmt: skip
    if not scope.everything:
        visible = sa.select(e.id).where(scope_condition(scope, own=True))
        stmt = stmt.where(s.enterprise_id.in_(visible))
    names = {
        r["id"]: dict(r) for r in conn.execute(
            sa.select(e.id, e.name, e.credit_code, e.industry, e.district_id,
                      district.c.name.label("district"))
            .select_from(enterprise).outerjoin(district, district.c.id == e.district_id)
            .where(scope_condition(scope, own=True))
        ).mappings()
    }  # fmt: skip
    out = []
    for r in conn.execute(stmt).mappings():
        info = names.get(r["enterprise_id"])
        if info is not None:
            out.append({**r, **{k: v for k, v in info.items() if k != "id"}})
    return out


def value_added_sums(
    conn: sa.Connection, scope: Scope, start: date, end: date
) -> dict[int, float]:
    """Σ value added (10⁴ yuan) per enterprise over [start, end)."""
    o = energy_output.c
    stmt = (
        sa.select(o.enterprise_id, sa.func.sum(o.value_added_10k_yuan))
        .join(enterprise, enterprise.c.id == o.enterprise_id)
        .where(o.month >= start, o.month < end, scope_condition(scope, own=True))
        .group_by(o.enterprise_id)
    )  # fmt: skip
    return {r[0]: r[1] for r in conn.execute(stmt).all() if r[1] is not None}


# --- forest sinks ---------------------------------------------------------------------------


def sinks(conn: sa.Connection) -> list[dict[str, Any]]:
    f = forest_sink.c
    stmt = (
        sa.select(forest_sink, district.c.name.label("district"))
        .outerjoin(district, district.c.id == f.district_id).order_by(f.id)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def add_sink(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(forest_sink).values(**values)).inserted_primary_key[0])
