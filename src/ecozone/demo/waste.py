"""The demo's hazardous waste: three licensed handlers and five generators of seed.yaml with a
year of ledger ending today, written through waste.service like any record (demo values).

Chosen so the pages show each case: a 重点 generator by tonnage (化工, 12 t a month) and one
by own disposal (表面处理), a 简化 one (汽车, the demo enterprise user's), a 登记 one
(新能源电池), a lot of spent carbon in its eleventh month (汽车, the storage-age warning) and
a store filling past its capacity (电子科技); the 汽车 company's manifests in every state;
a collection point with two small clients and one run; the 汽车 company's declarations
(by its class), the newest owed filed and the older ones left late; general industrial solid
waste (SWnn) of three generators in a yard of their own, utilised every quarter; and one of
the 汽车 company's manifests of yesterday with its declared route and the vehicle's GPS track,
which leaves the route for about ten minutes on the way (the map shows the deviation).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance.model import WorkCalendar
from ecozone.waste import collection, declarations, legs, manifests, service
from ecozone.waste.model import WasteSettings

DISPOSER, COLLECTOR, CARRIER = "渝危废经第500001号", "渝危废收第500002号", "渝危运第500003号"
HANDLERS = (
    ("重庆示例危险废物处置有限公司", "disposer", DISPOSER, "HW08, HW12, HW49", 3000),
    ("重庆示例危险废物收集有限公司", "collector", COLLECTOR, "HW08, HW31, HW49", 500),
    ("重庆示例危废运输有限公司", "transporter", CARRIER, "HW08, HW12, HW31, HW49", 5000),
)

#: Enterprise name -> (facility capacity t, monthly batches {code: t}, months between
#: transfers (0: none), receiver licence, own disposal t a month).
GENERATORS: dict[str, tuple[float, dict[str, float], int, str, float]] = {
    "重庆两江示例汽车有限公司": (30, {"900-252-12": 0.6, "900-249-08": 0.3, "900-041-49": 0.4},
                      3, DISPOSER, 0.0),
    "重庆南岸示例化工有限公司": (20, {"900-041-49": 12.0}, 1, DISPOSER, 0.0),
    "重庆两江示例新能源电池有限公司": (5, {"900-052-31": 0.8}, 3, COLLECTOR, 0.0),
    "重庆九龙坡示例表面处理有限公司": (10, {"900-041-49": 1.0}, 2, DISPOSER, 0.2),
    "重庆两江示例电子科技有限公司": (2, {"900-039-49": 0.25}, 0, DISPOSER, 0.0),
}  # fmt: skip
MONTHS = 12
#: General industrial solid waste (SWnn, UNCONFIRMED categories): enterprise name -> (yard
#: capacity t, monthly tonnes by category); a quarter's stock is utilised every three months.
GENERAL: dict[str, tuple[float, dict[str, float]]] = {
    "重庆两江示例汽车有限公司": (200, {"SW17": 8.0, "SW59": 1.5}),
    "重庆南岸示例化工有限公司": (300, {"SW16": 20.0, "SW07": 4.0}),
    "重庆两江示例电子科技有限公司": (50, {"SW17": 1.2}),
}  # fmt: skip
#: The 汽车 store's spent carbon, stored this many days ago and still there.
OLD_LOT_DAYS = 340


def seed_waste(engine: sa.Engine, registry: dict[str, Any], today: date) -> int:
    """Handlers, facilities and a year of ledger for the generators found in `registry`;
    how many ledger records were written."""
    codes = {e["name"]: e["credit_code"] for e in registry["enterprises"]}
    ids = {}
    for name, kind, licence, licensed, capacity in HANDLERS:
        ids[licence] = service.add_handler(
            engine, name=name, kind=kind, licence_no=licence, codes=licensed,
            capacity_t=capacity, valid_from=today - timedelta(days=730),
            valid_to=today + timedelta(days=1095), actor="demo")["id"]  # fmt: skip
    written = 0
    for name, (capacity, batches, every, receiver, own) in GENERATORS.items():
        credit_code = codes.get(name)
        if credit_code is None:
            continue
        service.add_facility(engine, credit_code, code="WF01", name="危险废物贮存库",
                             kind="store", capacity_t=capacity, actor="demo")  # fmt: skip

        def put(kind: str, at: datetime, code: str, tonnes: float, **extra: Any) -> None:
            nonlocal written
            service.record(engine, credit_code, kind=kind, at=at, code=code,  # noqa: B023
                           quantity_t=tonnes, actor="demo", **extra)  # fmt: skip
            written += 1

        if name.endswith("汽车有限公司"):
            old = datetime.combine(today - timedelta(days=OLD_LOT_DAYS), time(9))
            put("generated", old, "900-039-49", 0.5, batch="HC-OLD")
            put("stored_in", old + timedelta(hours=1), "900-039-49", 0.5, facility="WF01")
        held: dict[str, float] = defaultdict(float)
        for month in range(MONTHS, 0, -1):
            day = datetime.combine(today - timedelta(days=30 * month - 5), time(9))
            for n, (code, tonnes) in enumerate(batches.items()):
                batch = f"{day:%Y%m}-{n + 1:02d}"
                put("generated", day, code, tonnes, batch=batch, container="吨桶")
                put("stored_in", day + timedelta(hours=1), code, tonnes, facility="WF01",
                    batch=batch)  # fmt: skip
                held[code] += tonnes
            if own:
                code = next(iter(batches))
                put("stored_out", day + timedelta(hours=2), code, own, facility="WF01")
                put("disposed", day + timedelta(hours=3), code, own)
                held[code] -= own
            if every and month % every == 0:
                for code, tonnes in held.items():
                    if tonnes > 0.0005:
                        put("stored_out", day + timedelta(days=2), code, round(tonnes, 3),
                            facility="WF01")  # fmt: skip
                        put("transferred", day + timedelta(days=2, hours=1), code,
                            round(tonnes, 3), handler_id=ids[receiver])  # fmt: skip
                held.clear()
        written += _general(engine, credit_code, name, today)
    _manifests(engine, codes.get(next(iter(GENERATORS))), ids[DISPOSER], ids[CARRIER])
    _tracked(engine, codes.get(next(iter(GENERATORS))), ids[DISPOSER], ids[CARRIER], today)
    _collection_point(engine, codes, ids[COLLECTOR], today)
    _declaration(engine, codes.get(next(iter(GENERATORS))), today)
    return written


def _general(engine: sa.Engine, credit_code: str, name: str, today: date) -> int:
    """A year of general solid waste in yard GY01: generated and stored monthly, the stock
    taken out and utilised every third month; how many records."""
    if name not in GENERAL:
        return 0
    capacity, monthly = GENERAL[name]
    service.add_facility(engine, credit_code, code="GY01", name="一般工业固废贮存场",
                         kind="yard", capacity_t=capacity, actor="demo")  # fmt: skip
    written = 0
    held: dict[str, float] = defaultdict(float)
    for month in range(MONTHS, 0, -1):
        day = datetime.combine(today - timedelta(days=30 * month - 6), time(10))
        for code, tonnes in monthly.items():
            stored = day + timedelta(hours=1)
            for kind, at, extra in (("generated", day, {}),
                                    ("stored_in", stored, {"facility": "GY01"})):  # fmt: skip
                service.record(engine, credit_code, kind=kind, at=at, code=code,
                               quantity_t=tonnes, actor="demo", **extra)  # fmt: skip
                written += 1
            held[code] += tonnes
        if month % 3 == 0:
            for code, tonnes in held.items():
                for kind, hours, extra in (("stored_out", 2, {"facility": "GY01"}),
                                           ("utilised", 3, {})):  # fmt: skip
                    service.record(engine, credit_code, kind=kind,
                                   at=day + timedelta(days=3, hours=hours), code=code,
                                   quantity_t=round(tonnes, 3), actor="demo", **extra)  # fmt: skip
                    written += 1
            held.clear()
    return written


#: The tracked manifest's declared route (WGS-84): from the 汽车 company in 两江新区 by way of
#: 江北 to the disposer in 九龙坡区 (demo coordinates).
ROUTE = ((106.802, 29.662), (106.700, 29.580), (106.520, 29.500))
#: Minutes of the trip, one GPS point a minute; minutes 18 to 29 run about 1 km north of it.
TRIP_MINUTES, DETOUR = 50, range(18, 30)


def _along(fraction: float) -> tuple[float, float]:
    """The point at `fraction` of the route, by waypoint-to-waypoint interpolation (demo)."""
    legs_count = len(ROUTE) - 1
    at = min(fraction * legs_count, legs_count - 1e-9)
    i, part = int(at), at - int(at)
    (x0, y0), (x1, y1) = ROUTE[i], ROUTE[i + 1]
    return x0 + (x1 - x0) * part, y0 + (y1 - y0) * part


def _tracked(engine: sa.Engine, credit_code: str | None, receiver: int, carrier: int,
             today: date) -> None:  # fmt: skip
    """Yesterday's manifest from dispatch at 08:00 to arrival at 08:55, with its route and a
    track that leaves the route (≈ 1.1 km north) from 08:18 to 08:29."""
    if credit_code is None:
        return
    settings = WasteSettings()
    day = today - timedelta(days=1)
    start = datetime.combine(day, time(8))

    def at(minutes: int) -> datetime:
        return (start + timedelta(minutes=minutes)).replace(tzinfo=times.CHINA_STANDARD_TIME)

    made = manifests.draft(engine, credit_code, handler_id=receiver, code="900-249-08",
                           quantity_t=0.3, carrier_id=carrier, packaging="铁桶 2 只",
                           settings=settings, actor="demo", now=at(-30))  # fmt: skip
    arrived = start + timedelta(minutes=TRIP_MINUTES + 5)
    steps = (("dispatch", 0, {"vehicle_plate": "渝A·D5678", "driver": "陈师傅",
                              "route": "两江新区—江北区—九龙坡区"}),
             ("transit", 1, {}),
             ("receive", 70, {"received_t": 0.3,
                              "arrived_at": f"{arrived:%Y-%m-%dT%H:%M}"}))  # fmt: skip
    for action, minutes, values in steps:
        manifests.act(engine, made["id"], action, settings=settings, calendar=WorkCalendar(),
                      actor="demo", now=at(minutes), **values)  # fmt: skip
    legs.set_route(engine, made["id"], [list(w) for w in ROUTE], actor="demo", now=at(-20))
    points = []
    for minute in range(1, TRIP_MINUTES + 1):
        lon, lat = _along(minute / TRIP_MINUTES)
        if minute in DETOUR:
            lat += 0.01  # ≈ 1.1 km north
        points.append({"at": (start + timedelta(minutes=minute)).isoformat(),
                       "lon": round(lon, 6), "lat": round(lat, 6), "speed_kmh": 42.0})  # fmt: skip
    legs.add_points(engine, made["id"], points, actor="demo", source="demo")


def _declaration(engine: sa.Engine, credit_code: str | None, today: date) -> None:
    """File the newest declaration the company owes, on the day its period ended (in time);
    the older ones stay unfiled and show as late."""
    if credit_code is None:
        return
    settings = WasteSettings()
    with engine.connect() as conn:
        eid = service._enterprise(conn, credit_code, SYSTEM_SCOPE)["id"]
        owed = declarations.owed(conn, [eid], today, settings).get(eid, [])
    if owed:
        latest = owed[0][0]
        declarations.file(engine, credit_code, latest.period.value, latest.label, actor="demo",
                          settings=settings, now=datetime.combine(latest.end, time(9)))  # fmt: skip


#: Small generators served by the demo's collection point, with what one run took (t).
SMALL = {"重庆果园港示例物流有限公司": ("900-249-08", 0.15),
         "重庆两江示例汽车零部件有限公司": ("900-041-49", 0.3)}  # fmt: skip


def _collection_point(engine: sa.Engine, codes: dict[str, str], collector: int,
                      today: date) -> None:  # fmt: skip
    point = collection.add_point(engine, code="CP-LJ01", name="两江新区小微企业危废集中收集点",
                                 handler_id=collector, capacity_t=20,
                                 address="两江新区示例路 8 号", actor="demo")  # fmt: skip
    lines = []
    for name, (code, tonnes) in SMALL.items():
        if name in codes:
            collection.add_client(engine, point["id"], codes[name], actor="demo")
            lines.append((codes[name], code, tonnes))
    if lines:
        collection.collect(engine, point["id"], day=today, vehicle_plate="渝A·S5678",
                           driver="刘师傅", lines=lines, settings=WasteSettings(),
                           calendar=WorkCalendar(), actor="demo")  # fmt: skip


#: The demo manifests: how far each is moved on (drafted, dispatched, in transit, received,
#: disposed), 0.2 t of paint waste each out of the 汽车 store.
STEPS = (
    ("dispatch", {"vehicle_plate": "渝A·D1234", "driver": "王师傅", "route": "两江新区—九龙坡区"}),
    ("transit", {}),
    ("receive", {"received_t": 0.2}),
    ("complete", {"method": "disposed"}),
)


def _manifests(engine: sa.Engine, credit_code: str | None, receiver: int, carrier: int) -> None:
    if credit_code is None:
        return
    settings = WasteSettings()
    for steps in range(len(STEPS) + 1):
        made = manifests.draft(engine, credit_code, handler_id=receiver, code="900-252-12",
                               quantity_t=0.2, facility="WF01", carrier_id=carrier,
                               packaging="铁桶 2 只", settings=settings, actor="demo")  # fmt: skip
        for action, values in STEPS[:steps]:
            manifests.act(engine, made["id"], action, settings=settings,
                          calendar=WorkCalendar(), actor="demo", **values)  # fmt: skip
