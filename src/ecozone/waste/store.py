"""Queries of hazardous waste: handlers, storage facilities, the class overrides and the ledger
(tables waste_*). Sums over the ledger run in SQL; only the FIFO walk for storage age reads
into-storage rows, and only of the codes still in stock.

Waste is an enterprise's own business, never disclosed: lists filter with
scope_condition(scope, own=True), so the public and coordinators read none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ecozone.accounts.model import Scope
from ecozone.accounts.store import scope_condition
from ecozone.store.schema import (
    district,
    enterprise,
    waste_declaration,
    waste_entry,
    waste_facility,
    waste_generator,
    waste_handler,
    waste_manifest,
    waste_route,
    waste_track_point,
)
from ecozone.waste.model import EntryKind

E = waste_entry.c
#: General industrial solid waste rows carry a category code SWnn (rules.waste_kind); the
#: hazardous sums (class, balance, declaration, overview, licences) leave them out.
GENERAL = E.code.like("SW%")
HAZARDOUS = sa.not_(GENERAL)


def _kind(general: bool) -> sa.ColumnElement[bool]:
    return GENERAL if general else HAZARDOUS


def enterprise_by_code(
    conn: sa.Connection, credit_code: str, scope: Scope
) -> dict[str, Any] | None:
    """The enterprise with `credit_code` if its waste is the scope's business."""
    stmt = (
        sa.select(enterprise.c.id, enterprise.c.credit_code, enterprise.c.name,
                  enterprise.c.district_id, district.c.name.label("district"))
        .select_from(enterprise)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .where(enterprise.c.credit_code == credit_code, scope_condition(scope, own=True))
    )  # fmt: skip
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def enterprises(conn: sa.Connection, scope: Scope) -> list[dict[str, Any]]:
    """Enterprises whose waste the scope may read, by name."""
    stmt = (
        sa.select(enterprise.c.id, enterprise.c.credit_code, enterprise.c.name,
                  district.c.name.label("district"))
        .select_from(enterprise)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .where(scope_condition(scope, own=True))
        .order_by(enterprise.c.name, enterprise.c.id)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


# --- handlers --------------------------------------------------------------------------------


def handlers(conn: sa.Connection, handler_id: int | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(waste_handler).order_by(waste_handler.c.kind, waste_handler.c.name)
    if handler_id is not None:
        stmt = stmt.where(waste_handler.c.id == handler_id)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def handler_by_licence(conn: sa.Connection, licence_no: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(waste_handler).where(waste_handler.c.licence_no == licence_no)
    ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def insert_handler(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        sa.insert(waste_handler).values(**values).returning(waste_handler.c.id)
    ).scalar_one()


def received_in_year(conn: sa.Connection, handler_id: int, year: int) -> float:
    """Tonnes transferred to a handler in a calendar year, from every generator's ledger."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(E.quantity_t), 0.0)).where(
        E.handler_id == handler_id, E.kind == EntryKind.TRANSFERRED.value, HAZARDOUS,
        E.at >= datetime(year, 1, 1), E.at < datetime(year + 1, 1, 1),
    )  # fmt: skip
    return float(conn.execute(stmt).scalar_one())


def licensed_enterprises(conn: sa.Connection, enterprise_ids: Sequence[int]) -> set[int]:
    stmt = sa.select(waste_handler.c.enterprise_id).where(
        waste_handler.c.enterprise_id.in_(list(enterprise_ids))
    )
    return set(conn.execute(stmt).scalars())


# --- facilities ------------------------------------------------------------------------------


def facilities(conn: sa.Connection, enterprise_id: int) -> list[dict[str, Any]]:
    stmt = (
        sa.select(waste_facility)
        .where(waste_facility.c.enterprise_id == enterprise_id)
        .order_by(waste_facility.c.code)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def insert_facility(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        sa.insert(waste_facility).values(**values).returning(waste_facility.c.id)
    ).scalar_one()


# --- management class --------------------------------------------------------------------------


def override(conn: sa.Connection, enterprise_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(waste_generator).where(waste_generator.c.enterprise_id == enterprise_id)
    ).mappings().first()  # fmt: skip
    return dict(row) if row else None


def overrides(conn: sa.Connection, enterprise_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    stmt = sa.select(waste_generator).where(
        waste_generator.c.enterprise_id.in_(list(enterprise_ids))
    )
    return {r["enterprise_id"]: dict(r) for r in conn.execute(stmt).mappings()}


def save_override(conn: sa.Connection, enterprise_id: int, cls: str | None, reason: str) -> None:
    conn.execute(sa.delete(waste_generator).where(waste_generator.c.enterprise_id == enterprise_id))
    if cls is not None:
        conn.execute(sa.insert(waste_generator).values(
            enterprise_id=enterprise_id, class_override=cls, reason=reason))  # fmt: skip


def generated_by_enterprise(
    conn: sa.Connection, enterprise_ids: Sequence[int], year: int
) -> dict[int, float]:
    """Tonnes generated in `year` per enterprise (HJ 1259-2022 counts a year's generation)."""
    stmt = (
        sa.select(E.enterprise_id, sa.func.sum(E.quantity_t))
        .where(E.enterprise_id.in_(list(enterprise_ids)), E.kind == EntryKind.GENERATED.value,
               HAZARDOUS, E.at >= datetime(year, 1, 1), E.at < datetime(year + 1, 1, 1))
        .group_by(E.enterprise_id)
    )  # fmt: skip
    return {k: float(v) for k, v in conn.execute(stmt).all()}


def own_handlers(conn: sa.Connection, enterprise_ids: Sequence[int]) -> set[int]:
    """Enterprises with own utilisation or disposal records."""
    stmt = (
        sa.select(E.enterprise_id)
        .distinct()
        .where(
            E.enterprise_id.in_(list(enterprise_ids)),
            E.kind.in_([EntryKind.UTILISED.value, EntryKind.DISPOSED.value]),
            HAZARDOUS,
        )
    )
    return set(conn.execute(stmt).scalars())


# --- the ledger --------------------------------------------------------------------------------


def insert_entry(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(sa.insert(waste_entry).values(**values).returning(E.id)).scalar_one()


def entries(
    conn: sa.Connection,
    enterprise_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Ledger rows of an enterprise, newest first, with facility and handler names."""
    stmt = (
        sa.select(E.id, E.kind, E.at, E.code, E.name, E.edition, E.quantity_t, E.facility_id,
                  E.handler_id, E.batch, E.container, E.recorded_by,
                  waste_facility.c.code.label("facility"),
                  waste_handler.c.name.label("handler"))
        .select_from(waste_entry)
        .outerjoin(waste_facility, waste_facility.c.id == E.facility_id)
        .outerjoin(waste_handler, waste_handler.c.id == E.handler_id)
        .where(E.enterprise_id == enterprise_id)
        .order_by(E.at.desc(), E.id.desc())
    )  # fmt: skip
    if start is not None:
        stmt = stmt.where(E.at >= start)
    if end is not None:
        stmt = stmt.where(E.at < end)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def sums(
    conn: sa.Connection, enterprise_id: int, start: datetime, end: datetime,
    general: bool = False,
) -> dict[str, float]:  # fmt: skip
    """Tonnes per record kind over [start, end) of hazardous (or general) waste: the mass
    balance's terms."""
    stmt = (
        sa.select(E.kind, sa.func.sum(E.quantity_t))
        .where(E.enterprise_id == enterprise_id, E.at >= start, E.at < end, _kind(general))
        .group_by(E.kind)
    )
    return {k: float(v) for k, v in conn.execute(stmt).all()}


def by_code(
    conn: sa.Connection, enterprise_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Tonnes per hazardous code and record kind over [start, end): the declaration's rows."""
    stmt = (
        sa.select(E.code, sa.func.min(E.name).label("name"), E.kind,
                  sa.func.sum(E.quantity_t).label("quantity_t"))
        .where(E.enterprise_id == enterprise_id, E.at >= start, E.at < end, HAZARDOUS)
        .group_by(E.code, E.kind)
        .order_by(E.code)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _storage_totals(enterprise_ids: Sequence[int], until: datetime | None) -> sa.Subquery:
    signed = sa.case((E.kind == EntryKind.STORED_IN.value, E.quantity_t), else_=-E.quantity_t)
    stmt = (
        sa.select(E.enterprise_id, E.facility_id, E.code,
                  sa.func.sum(signed).label("held_t"),
                  sa.func.sum(sa.case((E.kind == EntryKind.STORED_OUT.value, E.quantity_t),
                                      else_=0.0)).label("out_t"))
        .where(E.enterprise_id.in_(list(enterprise_ids)),
               E.kind.in_([EntryKind.STORED_IN.value, EntryKind.STORED_OUT.value]))
        .group_by(E.enterprise_id, E.facility_id, E.code)
    )  # fmt: skip
    if until is not None:
        stmt = stmt.where(E.at < until)
    return stmt.subquery()


def stock(
    conn: sa.Connection, enterprise_ids: Sequence[int], until: datetime | None = None
) -> list[dict[str, Any]]:
    """Stock per facility and code (into minus out of storage, in SQL), with what has left
    (out_t) and the time-ordered into-storage rows of what is held, for the FIFO age."""
    totals = _storage_totals(enterprise_ids, until)
    held = conn.execute(
        sa.select(totals, waste_facility.c.code.label("facility"),
                  waste_facility.c.name.label("facility_name"),
                  waste_facility.c.capacity_t)
        .join(waste_facility, waste_facility.c.id == totals.c.facility_id)
        .where(totals.c.held_t > 0.0005)
        .order_by(totals.c.enterprise_id, waste_facility.c.code, totals.c.code)
    ).mappings().all()  # fmt: skip
    rows = [dict(r) for r in held]
    if not rows:
        return rows
    ins: dict[tuple[int, str], list[tuple[datetime, float]]] = {}
    stmt = (
        sa.select(E.facility_id, E.code, E.at, E.quantity_t)
        .where(E.facility_id.in_(sorted({r["facility_id"] for r in rows})),
               E.kind == EntryKind.STORED_IN.value)
        .order_by(E.facility_id, E.code, E.at, E.id)
    )  # fmt: skip
    if until is not None:
        stmt = stmt.where(E.at < until)
    for facility_id, code, at, quantity in conn.execute(stmt).all():
        ins.setdefault((facility_id, code), []).append((at, quantity))
    for r in rows:
        r["ins"] = ins.get((r["facility_id"], r["code"]), [])
    return rows


def held(conn: sa.Connection, facility_id: int, code: str) -> float:
    signed = sa.case((E.kind == EntryKind.STORED_IN.value, E.quantity_t), else_=-E.quantity_t)
    stmt = sa.select(sa.func.coalesce(sa.func.sum(signed), 0.0)).where(
        E.facility_id == facility_id, E.code == code,
        E.kind.in_([EntryKind.STORED_IN.value, EntryKind.STORED_OUT.value]),
    )  # fmt: skip
    return float(conn.execute(stmt).scalar_one())


# --- the zone ----------------------------------------------------------------------------------


def generation_by_category(conn: sa.Connection, scope: Scope, year: int) -> list[dict[str, Any]]:
    """Tonnes generated in `year` by district and category (the code's last two digits)."""
    cat = sa.func.substr(E.code, 9, 2)
    stmt = (
        sa.select(district.c.name.label("district"), cat.label("hw"),
                  sa.func.sum(E.quantity_t).label("quantity_t"),
                  sa.func.count(sa.distinct(E.enterprise_id)).label("enterprises"))
        .select_from(waste_entry)
        .join(enterprise, enterprise.c.id == E.enterprise_id)
        .outerjoin(district, district.c.id == enterprise.c.district_id)
        .where(scope_condition(scope, own=True), E.kind == EntryKind.GENERATED.value, HAZARDOUS,
               E.at >= datetime(year, 1, 1), E.at < datetime(year + 1, 1, 1))
        .group_by(district.c.name, cat)
        .order_by(district.c.name, cat)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def flows(conn: sa.Connection, scope: Scope, year: int) -> list[dict[str, Any]]:
    """Tonnes transferred in `year` from each generator to each handler."""
    stmt = (
        sa.select(enterprise.c.name.label("source"), waste_handler.c.name.label("target"),
                  waste_handler.c.kind.label("kind"),
                  sa.func.sum(E.quantity_t).label("quantity_t"))
        .select_from(waste_entry)
        .join(enterprise, enterprise.c.id == E.enterprise_id)
        .join(waste_handler, waste_handler.c.id == E.handler_id)
        .where(scope_condition(scope, own=True), E.kind == EntryKind.TRANSFERRED.value,
               HAZARDOUS, E.at >= datetime(year, 1, 1), E.at < datetime(year + 1, 1, 1))
        .group_by(enterprise.c.name, waste_handler.c.name, waste_handler.c.kind)
        .order_by(enterprise.c.name, waste_handler.c.name)
    )  # fmt: skip
    return [dict(r) for r in conn.execute(stmt).mappings()]


def latest_year(conn: sa.Connection) -> int | None:
    newest = conn.execute(sa.select(sa.func.max(E.at))).scalar()
    return newest.year if newest is not None else None


# --- transfer manifests ----------------------------------------------------------------------

M = waste_manifest.c
_receiver = enterprise.alias("receiver_enterprise")
_carrier = waste_handler.alias("carrier")
_carrier_enterprise = enterprise.alias("carrier_enterprise")


def manifest_visible(scope: Scope) -> sa.ColumnElement[bool]:
    """A manifest is the business of its consignor's, its receiver's and its carrier's
    enterprise."""
    return sa.or_(scope_condition(scope, own=True),
                  sa.and_(_receiver.c.id.is_not(None),
                          scope_condition(scope, own=True, table=_receiver)),
                  sa.and_(_carrier_enterprise.c.id.is_not(None),
                          scope_condition(scope, own=True, table=_carrier_enterprise)))  # fmt: skip


def _manifests() -> sa.Select[Any]:
    carrier = _carrier
    return (
        sa.select(waste_manifest, enterprise.c.credit_code, enterprise.c.name.label("consignor"),
                  enterprise.c.district_id, waste_handler.c.name.label("receiver"),
                  enterprise.c.lon.label("consignor_lon"),
                  enterprise.c.lat.label("consignor_lat"),
                  waste_handler.c.licence_no.label("receiver_licence"),
                  waste_handler.c.enterprise_id.label("receiver_enterprise_id"),
                  _receiver.c.district_id.label("receiver_district_id"),
                  _receiver.c.lon.label("receiver_lon"), _receiver.c.lat.label("receiver_lat"),
                  carrier.c.enterprise_id.label("carrier_enterprise_id"),
                  carrier.c.name.label("carrier"), waste_facility.c.code.label("facility"))
        .select_from(waste_manifest)
        .join(enterprise, enterprise.c.id == M.enterprise_id)
        .join(waste_handler, waste_handler.c.id == M.handler_id)
        .outerjoin(_receiver, _receiver.c.id == waste_handler.c.enterprise_id)
        .outerjoin(carrier, carrier.c.id == M.carrier_id)
        .outerjoin(_carrier_enterprise, _carrier_enterprise.c.id == carrier.c.enterprise_id)
        .outerjoin(waste_facility, waste_facility.c.id == M.facility_id)
    )  # fmt: skip


def manifests(
    conn: sa.Connection, scope: Scope, state: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    stmt = _manifests().where(manifest_visible(scope)).order_by(M.drafted_at.desc(), M.id.desc())
    if state:
        stmt = stmt.where(M.state == state)
    return [dict(r) for r in conn.execute(stmt.limit(limit)).mappings()]


def manifest(conn: sa.Connection, manifest_id: int, scope: Scope) -> dict[str, Any] | None:
    stmt = _manifests().where(M.id == manifest_id, manifest_visible(scope))
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def next_running(conn: sa.Connection, prefix: str) -> int:
    """The next running number of the numbers that start with `prefix` (year and area)."""
    stmt = sa.select(sa.func.max(M.number)).where(M.number.like(prefix + "%"))
    last = conn.execute(stmt).scalar()
    return int(last[len(prefix):]) + 1 if last else 1


def insert_manifest(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(sa.insert(waste_manifest).values(**values).returning(M.id)).scalar_one()


def update_manifest(
    conn: sa.Connection, manifest_id: int, state: str, values: dict[str, Any]
) -> bool:
    """Move a manifest on from `state` only if it is still there (no double action)."""
    done = conn.execute(
        sa.update(waste_manifest).where(M.id == manifest_id, M.state == state).values(**values)
    )
    return done.rowcount == 1


# --- carrier legs: declared routes and GPS tracks ------------------------------------------

TP = waste_track_point.c


def route(conn: sa.Connection, manifest_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(waste_route).where(waste_route.c.manifest_id == manifest_id))
    found = row.mappings().first()
    return dict(found) if found else None


def routes(conn: sa.Connection) -> dict[int, list[list[float]]]:
    stmt = sa.select(waste_route.c.manifest_id, waste_route.c.waypoints)
    return {m: w for m, w in conn.execute(stmt).all()}


def save_route(conn: sa.Connection, manifest_id: int, values: dict[str, Any]) -> None:
    stmt = sa.update(waste_route).where(waste_route.c.manifest_id == manifest_id)
    done = conn.execute(stmt.values(**values))
    if done.rowcount == 0:
        conn.execute(sa.insert(waste_route).values(manifest_id=manifest_id, **values))


def track_points(conn: sa.Connection, manifest_id: int) -> list[dict[str, Any]]:
    stmt = sa.select(TP.at, TP.lon, TP.lat, TP.speed_kmh).where(TP.manifest_id == manifest_id)
    return [dict(r) for r in conn.execute(stmt.order_by(TP.at)).mappings()]


def tracks_by_manifest(conn: sa.Connection, since: datetime | None = None) -> dict[int, list[Any]]:
    """Every track, in time order, of the manifests with a point at or after `since`."""
    from ecozone.waste.tracks import TrackPoint

    stmt = sa.select(TP.manifest_id, TP.at, TP.lon, TP.lat, TP.speed_kmh)
    if since is not None:
        recent = sa.select(TP.manifest_id).where(TP.at >= since).distinct()
        stmt = stmt.where(TP.manifest_id.in_(recent))
    found: dict[int, list[Any]] = {}
    for m, at, lon, lat, speed in conn.execute(stmt.order_by(TP.manifest_id, TP.at)).all():
        found.setdefault(m, []).append(TrackPoint(at, lon, lat, speed))
    return found


def add_track_points(conn: sa.Connection, manifest_id: int, rows: list[dict[str, Any]]) -> int:
    """Insert the points not stored yet (by time); how many were added."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    before = conn.execute(sa.select(sa.func.count()).where(TP.manifest_id == manifest_id)).scalar()
    for start in range(0, len(rows), 5_000):
        conn.execute(insert(waste_track_point).on_conflict_do_nothing(), rows[start:start + 5_000])
    after = conn.execute(sa.select(sa.func.count()).where(TP.manifest_id == manifest_id)).scalar()
    return int(after or 0) - int(before or 0)


# --- declarations (HJ 1259-2022) ------------------------------------------------------------

D = waste_declaration.c


def declarations(conn: sa.Connection, enterprise_id: int) -> list[dict[str, Any]]:
    """An enterprise's filed declarations, newest period first."""
    stmt = (
        sa.select(waste_declaration)
        .where(D.enterprise_id == enterprise_id)
        .order_by(D.start.desc(), D.period, D.id)
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def filed(conn: sa.Connection, enterprise_ids: Sequence[int]) -> set[tuple[int, str, str]]:
    """(enterprise id, period, label) of every declaration filed by these enterprises."""
    stmt = sa.select(D.enterprise_id, D.period, D.label).where(
        D.enterprise_id.in_(list(enterprise_ids))
    )
    return {(e, p, label) for e, p, label in conn.execute(stmt).all()}


def insert_declaration(conn: sa.Connection, values: dict[str, Any]) -> int:
    return conn.execute(
        sa.insert(waste_declaration).values(**values).returning(D.id)
    ).scalar_one()


def first_records(conn: sa.Connection) -> dict[int, datetime]:
    """The time of each enterprise's first hazardous ledger record: enterprises with records
    owe declarations from the period of that record on."""
    stmt = sa.select(E.enterprise_id, sa.func.min(E.at)).where(HAZARDOUS).group_by(E.enterprise_id)
    return {e: at for e, at in conn.execute(stmt).all()}
