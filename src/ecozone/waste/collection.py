"""Collection points for small and micro generators (plan item 18: 危废集中收集贮存): a licensed
collector's point, the enterprises it serves, and its collection runs. A run is one vehicle's
round on one day; each client's waste on it travels on a manifest of its own (order 23:
several consignors on one vehicle each need their own form), drafted and dispatched together
and consolidated under the run.

Staff keep the points and record the runs (a district supervisor for clients in the
district). Every line of a run is checked (list, client, licence, stock) before any is
written, so a refused run stores nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.accounts.store import scope_condition
from ecozone.compliance.model import WorkCalendar
from ecozone.store.schema import (
    enterprise,
    waste_collection_point,
    waste_collection_run,
    waste_handler,
    waste_manifest,
    waste_point_client,
)
from ecozone.textguard import check_text
from ecozone.waste import manifests, rules, store
from ecozone.waste.model import WasteError, WasteNotFound, WasteSettings
from ecozone.waste.service import _day, _enterprise, _handler, _number, editions

P = waste_collection_point.c


def add_point(
    engine: sa.Engine, *, code: str, name: str, handler_id: int, capacity_t: Any,
    address: str | None = None, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """A collection point run by a registered collector (its licence names the codes)."""
    code, name = check_text(code.strip(), "编号"), check_text(name.strip(), "名称")
    if not code or not name:
        raise WasteError("须填写收集点编号和名称")
    capacity = _number(capacity_t, "贮存能力")
    if capacity <= 0:
        raise WasteError("贮存能力须大于 0 t")
    with engine.begin() as conn:
        found = store.handlers(conn, handler_id)
        if not found or found[0]["kind"] != "collector":
            raise WasteError("收集点须由已登记的收集单位运营")
        if conn.execute(sa.select(P.id).where(P.code == code)).first():
            raise WasteError(f"收集点编号 {code} 已存在")
        values = {"code": code, "name": name, "handler_id": handler_id,
                  "address": (address or "").strip() or None, "capacity_t": capacity}  # fmt: skip
        point_id = conn.execute(sa.insert(waste_collection_point).values(**values)
                                .returning(P.id)).scalar_one()  # fmt: skip
        audit.record(conn, actor=actor, action="create", entity="waste_collection_point",
                     entity_id=str(point_id), before=None, after=values)  # fmt: skip
    return {"id": point_id, **values}


def points(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every collection point with its collector and number of clients."""
    clients = (sa.select(sa.func.count()).where(waste_point_client.c.point_id == P.id)
               .scalar_subquery())  # fmt: skip
    stmt = (
        sa.select(waste_collection_point, waste_handler.c.name.label("collector"),
                  waste_handler.c.licence_no, clients.label("clients"))
        .join(waste_handler, waste_handler.c.id == P.handler_id)
        .order_by(P.code)
    )  # fmt: skip
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def point(engine: sa.Engine, point_id: int, scope: Scope) -> dict[str, Any]:
    """A point with the clients and runs the scope may see, each run with its manifests."""
    found = [p for p in points(engine) if p["id"] == point_id]
    if not found:
        raise WasteNotFound(f"没有编号为 {point_id} 的收集点")
    with engine.connect() as conn:
        clients = [dict(r) for r in conn.execute(
            sa.select(enterprise.c.id, enterprise.c.credit_code, enterprise.c.name)
            .join(waste_point_client, waste_point_client.c.enterprise_id == enterprise.c.id)
            .where(waste_point_client.c.point_id == point_id,
                   scope_condition(scope, own=True))
            .order_by(enterprise.c.name)).mappings()]  # fmt: skip
        runs = [dict(r) for r in conn.execute(
            sa.select(waste_collection_run).where(waste_collection_run.c.point_id == point_id)
            .order_by(waste_collection_run.c.day.desc(), waste_collection_run.c.id.desc())
        ).mappings()]  # fmt: skip
        sent = [m for m in store.manifests(conn, scope, limit=100_000)
                if m["run_id"] in {r["id"] for r in runs}]  # fmt: skip
    for r in runs:
        r["manifests"] = [m for m in sent if m["run_id"] == r["id"]]
        r["total_t"] = round(sum(m["quantity_t"] for m in r["manifests"]), 3)
    return {**found[0], "client_list": clients, "runs": runs}


def add_client(
    engine: sa.Engine, point_id: int, credit_code: str, *, actor: str, scope: Scope = SYSTEM_SCOPE
) -> None:
    """An enterprise the point serves (one the scope may act for)."""
    with engine.begin() as conn:
        if not conn.execute(sa.select(P.id).where(P.id == point_id)).first():
            raise WasteNotFound(f"没有编号为 {point_id} 的收集点")
        owner = _enterprise(conn, credit_code.strip(), scope)
        key = {"point_id": point_id, "enterprise_id": owner["id"]}
        if conn.execute(sa.select(waste_point_client).filter_by(**key)).first():
            raise WasteError(f"{owner['name']} 已是该收集点的服务对象")
        conn.execute(sa.insert(waste_point_client).values(**key))
        audit.record(conn, actor=actor, action="create", entity="waste_point_client",
                     entity_id=f"{point_id}:{owner['id']}", before=None, after=key)  # fmt: skip


def collect(
    engine: sa.Engine,
    point_id: int,
    *,
    day: date | str,
    vehicle_plate: str,
    driver: str,
    lines: list[tuple[str, str, Any]],
    settings: WasteSettings,
    calendar: WorkCalendar,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A collection run: for each (client credit code, waste code, tonnes) a manifest from the
    client to the point's collector, dispatched on the run's vehicle."""
    the_day = _day(day, "收集日期")
    plate = check_text(vehicle_plate.strip(), "车牌号")
    person = check_text(driver.strip(), "驾驶员")
    if not plate or not person:
        raise WasteError("收集车辆须填写车牌号和驾驶员")
    if not lines:
        raise WasteError("收集清单为空")
    instant = times.as_instant(now) if now is not None else times.utc_now()
    checked = []
    with engine.connect() as conn:
        found = conn.execute(sa.select(waste_collection_point).where(P.id == point_id)).first()
        if found is None:
            raise WasteNotFound(f"没有编号为 {point_id} 的收集点")
        collector = _handler(store.handlers(conn, found.handler_id)[0])
        members = set(conn.execute(sa.select(waste_point_client.c.enterprise_id).where(
            waste_point_client.c.point_id == point_id)).scalars())  # fmt: skip
        per_code: dict[str, float] = {}
        for n, (credit_code, code, tonnes) in enumerate(lines, 1):
            owner = _enterprise(conn, credit_code.strip(), scope)
            if owner["id"] not in members:
                raise WasteError(f"第 {n} 行：{owner['name']} 不是该收集点的服务对象")
            entry = rules.check_listed(editions(), code, None, the_day)
            quantity = rules.check_quantity(_number(tonnes, f"第 {n} 行数量"))
            per_code[entry.code] = per_code.get(entry.code, 0.0) + quantity
            checked.append((owner["credit_code"], entry.code, quantity))
        taken = store.received_in_year(conn, collector.id, the_day.year)
        for code, quantity in per_code.items():
            why = rules.transfer_refusal(collector, code, quantity, taken, the_day)
            if why is not None:
                raise WasteError(f"拒绝收集：{why}")
            taken += quantity
    with engine.begin() as conn:
        run_id = conn.execute(sa.insert(waste_collection_run).values(
            point_id=point_id, day=the_day, vehicle_plate=plate, driver=person,
            created_by=actor, created_at=instant).returning(waste_collection_run.c.id)
        ).scalar_one()  # fmt: skip
        after = {"point_id": point_id, "day": str(the_day), "lines": checked}
        audit.record(conn, actor=actor, action="create", entity="waste_collection_run",
                     entity_id=str(run_id), before=None, after=after)  # fmt: skip
    for credit_code, code, quantity in checked:
        made = manifests.draft(engine, credit_code, handler_id=collector.id, code=code,
                               quantity_t=quantity, settings=settings, actor=actor,
                               now=now)  # fmt: skip
        with engine.begin() as conn:
            conn.execute(sa.update(waste_manifest).where(waste_manifest.c.id == made["id"])
                         .values(run_id=run_id))  # fmt: skip
        manifests.act(engine, made["id"], "dispatch", settings=settings,
                      calendar=calendar, actor=actor, vehicle_plate=plate, driver=person,
                      now=now)  # fmt: skip
    return point(engine, point_id, SYSTEM_SCOPE)
