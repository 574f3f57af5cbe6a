"""The access matrix: every role × every route the application serves × every kind of target.

The routes come from the application itself (create_app, as served: the web
pages at /, the API under /api/v1, operations and static files), so a route
nobody classified fails here by name. POLICY says, per (method, path
template), who passes the role gate, how the route refuses the others, and
how its objects are scoped; the expectations follow from that and from the
one access rule of the platform (DESIGN.md "Who uses it", accounts'
Principal):

    admin, city supervisor       every enterprise
    district supervisor (A)      the enterprises of district A
    enterprise user (E1)         E1 only, disclosed or not, "and nobody else's"
    coordinator, the public      the disclosed enterprises; never alerts or marks

Refused by role: the API answers 401 (anonymous, WWW-Authenticate: Bearer) or
403; a page sends the anonymous to /login?next=... (303) and answers others
403. Outside the scope: 404 with the same status and the same body as an id
that does not exist. A list holds a target's rows exactly when the target is in
scope. A refused write leaves what it aimed at as it was; an allowed write is
made on a scratch object and must change it. The world: tests.accounts.matrix_data.

Each case is one test, `role-METHOD path [variant]-target`. To classify a new
route, add it to POLICY: its role set (EVERYONE open, LOGGED_IN, STAFF
staff-only, ADMIN admin-only, PLAN_* coordinator, READERS/DECLARERS, ...), its
refusal style, and one Variant per way of calling it: OPEN (no enterprise's
object), OBJECT (the target's credit code, point id, MN, alert id, permit
number, mark id or report in the request; `visible` = `sees`, or `own_business`
for alerts and marks) or LIST (a `marker` of the target in the answer).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.accounts import matrix_data as world_data
from tests.accounts.conftest import CHEAP_HASHER, build_app
from tests.accounts.matrix_data import DISTRICT_A, Target
from tests.web.data import add_alert

from ecozone.accounts import rules as account_rules
from ecozone.accounts import service as accounts
from ecozone.accounts.deps import SESSION_COOKIE
from ecozone.accounts.model import Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.disclosure import service as disclosure
from ecozone.errors import NotFound
from ecozone.projects import service as projects
from ecozone.quality import service as quality_service
from ecozone.store.schema import (
    alert,
    alert_attachment,
    auth_token,
    construction_site,
    credit_evaluation,
    data_mark,
    disclosure_report,
    district_energy,
    dust_inspection,
    dust_monitor,
    dust_rule,
    eia_pause,
    eia_project,
    eia_sampling,
    emergency_drill,
    emergency_plan,
    emergency_resource,
    energy_meter,
    energy_month,
    energy_output,
    energy_target,
    forest_sink,
    honking_event,
    incident,
    incident_action,
    inspection,
    inspection_campaign,
    inspection_file,
    inspection_trigger,
    inspector,
    inspector_conflict,
    layer_version,
    night_approval,
    noise_station,
    penalty_decision,
    permit,
    permit_limit,
    plan_progress,
    power_facility,
    power_meter,
    risk_source,
    sewer_monitor,
    soil_site,
    stored_file,
    supervision_listing,
    trading_trade,
    trading_txn,
    trading_verified,
    user_account,
    violation,
    waste_collection_point,
    waste_collection_run,
    waste_declaration,
    waste_entry,
    waste_facility,
    waste_generator,
    waste_handler,
    waste_manifest,
    waste_point_client,
    water_section,
    weather_warning,
    webhook,
)
from ecozone.store.schema import alert_action as alert_action_table
from ecozone.supervision import credit
from ecozone.supervision import inspections as enforcement
from ecozone.supervision import service as supervision
from ecozone.supervision.model import SupervisionSettings
from ecozone.trading import service as trading
from ecozone.trading.model import TradingSettings
from ecozone.waste import collection as waste_collection
from ecozone.waste import manifests as waste_manifests
from ecozone.waste import service as waste_service
from ecozone.waste.model import WasteSettings
from ecozone.zoning import emergency as zoning_emergency
from ecozone.zoning import soil as zoning_soil
from ecozone.zoning.model import EmergencySettings

# --- who asks -------------------------------------------------------------------------

#: role name -> (username, stored role, scope); "public" is the anonymous visitor.
USERS = {
    "admin": ("m-admin", "admin", {}),
    "city": ("m-city", "supervisor", {}),
    "district": ("m-district", "supervisor", {"district": DISTRICT_A}),
    "enterprise": ("m-enterprise", "enterprise", {"enterprises": [world_data.POWER]}),
    "coordinator": ("m-coordinator", "coordinator", {}),
    "bank": ("m-bank", "bank", {}),
}
ROLES = (*USERS, "public")
TARGETS = ("own", "same_district", "other_district", "disclosed")

EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset(USERS)
ADMIN = frozenset({"admin"})
STAFF = frozenset({"admin", "city", "district"})
READERS = STAFF | {"enterprise"}  # alerts and data marks
DECLARERS = frozenset({"admin", "enterprise"})  # feedback, data marks
PLAN_READERS = STAFF | {"coordinator"}
PLAN_WRITERS = frozenset({"admin", "coordinator"})
ENTERPRISE_ONLY = frozenset({"enterprise"})
BANK_READERS = frozenset({"admin", "bank"})  # the green-finance feed


def sees(role: str, t: Target) -> bool:
    """Read access to an enterprise's registry entry and monitoring data."""
    if role in ("admin", "city"):
        return True
    if role == "district":
        return t.district == DISTRICT_A
    if role == "enterprise":
        return t.name == "own"
    return t.disclosed  # coordinator, bank, public


def own_business(role: str, t: Target) -> bool:
    """Alerts, their handling and data marks: the viewer's own business, never disclosed."""
    return role not in ("coordinator", "bank", "public") and sees(role, t)


# --- the policy -------------------------------------------------------------------------

OPEN, OBJECT, LIST = "open", "object", "list"


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, Any] | None = None
    keys: tuple[str, ...] = ()  # object keys in the request, blanked to compare with a missing one
    files: dict[str, Any] | None = None  # multipart uploads


@dataclass(frozen=True)
class Variant:
    """One way of calling a route. `scope`: OPEN (no object), OBJECT (the target's object
    in the request; outside the scope 404 like a missing one) or LIST (a list that holds
    the target's `marker` exactly when it is in scope)."""

    name: str
    call: Callable[[Target, int], Call]
    scope: str = OPEN
    visible: Callable[[str, Target], bool] = sees
    marker: Callable[[Target], str] | None = None
    ok: int | dict[str, int] = 200
    heavy: str | None = None  # why only the first allowed case renders; the rest are skipped
    roles: frozenset[str] | None = None  # who passes the role gate, when not the route's roles


@dataclass(frozen=True)
class Write:
    """How to check a write: `prepare` makes the scratch object it acts on (returns the target
    with its keys replaced), `probe` reads what must not change when it is refused."""

    probe: Callable[[sa.Engine, Target], Any]
    prepare: Callable[[sa.Engine, Target, int], Target] | None = None
    changes: bool = True  # an allowed call changes what `probe` reads (False: idempotent)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # who passes the role gate
    refusal: str  # "api": 401/403; "page": 303 to /login, 403; "web": 401/403 JSON
    variants: tuple[Variant, ...]
    write: Write | None = None
    fresh_credentials: bool = False  # the call ends the session or token it carries


def variant(name: str, url: str, scope: str = OPEN, **kw: Any) -> Variant:
    params = kw.pop("params", {})
    keys = kw.pop("keys", ())

    def call(t: Target, n: int) -> Call:
        filled = {k: v.format(t=t) if isinstance(v, str) else v for k, v in params.items()}
        return Call("GET", url.format(t=t), filled, keys=tuple(k.format(t=t) for k in keys))

    return Variant(name, call, scope, **kw)


def one(url: str, **kw: Any) -> tuple[Variant, ...]:
    return (variant("", url, **kw),)


def cc(t: Target) -> str:
    return t.credit_code


def link(t: Target) -> str:
    return f"/enterprises/{t.credit_code}"


def point_link(t: Target) -> str:
    return f"/points/{t.point_id}"


def station_link(t: Target) -> str:
    return f"/airquality/stations/{t.station_id}"


MEASURED = {"kind": "hour", "start": "2024-05-01T00:00", "end": "2024-05-02T00:00"}
YEAR = {"start": "2024-01-01", "end": "2025-01-01"}
QUERY = {"point": "{t.point_id}", "kind": "hour", "start": "2024-05-01", "end": "2024-05-01"}
TABLE = "/web/api/points/{t.point_id}/tables/"
FILE = "/web/api/enterprises/{t.credit_code}/tables/"
ALERT_STATES_BEFORE = {"dispatch": "open", "urge": "dispatched", "feedback": "dispatched",
                       "send_back": "feedback", "verify": "feedback", "close": "verified",
                       "reopen": "closed"}  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
PNG_SHA256 = hashlib.sha256(PNG).hexdigest()


def _permit_body(t: Target, permit_no: str) -> dict[str, Any]:
    basis = "hour" if t.pollutant == "a21026" else "day"
    return {"permit_no": permit_no, "credit_code": t.credit_code, "class": "key",
            "valid_from": "2023-01-01", "valid_to": "2099-12-31",
            "outlets": [{"code": t.outlet, "limits": [
                {"pollutant": t.pollutant, "limit": 50.0, "unit": "mg/m3" if basis == "hour"
                 else "mg/L", "basis": basis, "standard": "GB 0000"}]}]}  # fmt: skip


def _count(table: sa.Table) -> Callable[[sa.Engine, Target], int]:
    def probe(engine: sa.Engine, t: Target) -> int:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    return probe


def _permit_rows(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(permit).order_by(permit.c.id)).all(),
            conn.execute(sa.select(permit_limit).order_by(permit_limit.c.id)).all(),
        )


def _power_rows(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(
            power_facility.c.enterprise_id, power_facility.c.code, power_facility.c.name,
            power_facility.c.role, power_facility.c.point_id)).all())  # fmt: skip


def _meter_rows(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(power_meter).order_by(power_meter.c.id)).all()


def _alert_row(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(alert).where(alert.c.id == t.alert_id)).one_or_none()


def _mark_row(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(data_mark).where(data_mark.c.id == t.mark_id)).one_or_none()


def _scratch_alert(state: str) -> Callable[[sa.Engine, Target, int], Target]:
    """A new alert of the target's enterprise in `state`, the one the action starts from."""

    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        if t.name == "missing":
            return t
        with engine.begin() as conn:
            alert_id = add_alert(
                conn, type="offline", point_id=t.point_id, enterprise_id=t.enterprise_id,
                start=world_data.MEASURED_AT, state=state, condition_key=f"matrix:{n}",
                created_at=NOW, updated_at=NOW,
            )  # fmt: skip
        return replace(t, alert_id=alert_id)

    return prepare


def _scratch_attachment(engine: sa.Engine, t: Target, n: int) -> Target:
    """An answered alert of the target's enterprise with a photo attached to its feedback."""
    t = _scratch_alert("feedback")(engine, t, n)
    if t.name == "missing":
        return t
    with engine.begin() as conn:
        if not conn.execute(
            sa.select(stored_file.c.sha256).where(stored_file.c.sha256 == PNG_SHA256)
        ).first():
            conn.execute(stored_file.insert().values(sha256=PNG_SHA256, media_type="image/png",
                                                     size=len(PNG), content=PNG))  # fmt: skip
        action_id = conn.execute(
            alert_action_table.insert().values(alert_id=t.alert_id, at=NOW, actor="seed",
                                               action="feedback", cause="c", measures="m")
            .returning(alert_action_table.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(alert_attachment.insert().values(alert_action_id=action_id,
                                                      sha256=PNG_SHA256, name="现场.png"))  # fmt: skip
    return t


def _scratch_mark(engine: sa.Engine, t: Target, n: int) -> Target:
    if t.name == "missing":
        return t
    with engine.begin() as conn:
        mark_id = conn.execute(
            data_mark.insert()
            .values(point_id=t.point_id, pollutant=None, kind="maintenance",
                    start=world_data.MEASURED_AT + timedelta(days=n),
                    end=world_data.MEASURED_AT + timedelta(days=n, hours=1), reason=f"m{n}",
                    declared_by="seed", declared_at=NOW)
            .returning(data_mark.c.id)
        ).scalar_one()  # fmt: skip
    return replace(t, mark_id=mark_id)


def _water_row(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(water_section).where(water_section.c.point_id == t.water_id)
        ).one_or_none()


def _water_target_iii(engine: sa.Engine, t: Target, n: int) -> Target:
    """The target's section back at class III, so that setting IV changes it."""
    with engine.begin() as conn:
        conn.execute(water_section.update().where(water_section.c.point_id == t.water_id)
                     .values(target_class=3))  # fmt: skip
    return t



def _energy_rows(table: sa.Table) -> Callable[[sa.Engine, Target], Any]:
    def probe(engine: sa.Engine, t: Target) -> Any:
        with engine.connect() as conn:
            return conn.execute(sa.select(table).where(table.c.enterprise_id == t.enterprise_id)
                                .order_by(*table.primary_key.columns)).all()  # fmt: skip

    return probe


def _energy_month(n: int) -> str:
    """A month of its own for each call, so an allowed write always adds a row."""
    return f"{2030 + n // 12 % 150}-{n % 12 + 1:02d}"


def energy_object(method: str, path: str, roles: frozenset[str], refusal: str, **kw: Any) -> Rule:
    """A route on one enterprise's energy data: `path` with {cc} and, for writes, a {month}
    or {year} of the call's own."""
    body = kw.pop("json", None)
    data = kw.pop("data", None)
    table = kw.pop("table", None)
    query = kw.pop("params", {})

    def call(t: Target, n: int) -> Call:
        fields = {"month": _energy_month(n), "year": 2030 + n % 150, "n": n}
        url = path.format(cc=t.credit_code, **fields)
        filled = {k: v.format(**fields) for k, v in (data or {}).items()}
        sent = {k: (v.format(**fields) if isinstance(v, str) else v)
                for k, v in (body or {}).items()} if body is not None else None  # fmt: skip
        return Call(method, url, query, json=sent, data=filled or None, keys=(t.credit_code,))

    write = Write(_energy_rows(table)) if table is not None else None
    return Rule(roles, refusal, (Variant("", call, OBJECT, **kw),), write=write)
def _generator_rows(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(waste_generator).order_by(
            waste_generator.c.enterprise_id)).all()  # fmt: skip


def _no_override(engine: sa.Engine, t: Target, n: int) -> Target:
    """No class override, so that setting one changes what is stored."""
    with engine.begin() as conn:
        conn.execute(waste_generator.delete())
    return t


def _no_declarations(engine: sa.Engine, t: Target, n: int) -> Target:
    """No declaration filed, so that filing the 2024 one adds a row."""
    with engine.begin() as conn:
        conn.execute(waste_declaration.delete())
    return t


WASTE_ENTRY = {"kind": "generated", "at": "2025-06-01T09:00", "code": "900-041-49",
               "quantity_t": "1.5"}  # fmt: skip


def _handler_form(n: int) -> dict[str, str]:
    return {"name": f"处置中心{n}", "kind": "disposer", "licence_no": f"MX-LIC-{n}",
            "codes": "HW49", "capacity_t": "100", "valid_from": "2025-01-01",
            "valid_to": "2027-12-31"}  # fmt: skip


# Waste manifests: a receiver licensed to the target's own enterprise, made fresh per case, and
# a manifest of the target moved on to the state an action starts from.
WASTE_HANDLERS: dict[int, int] = {}
WASTE_MANIFESTS: dict[int, int] = {}
MANIFEST_STEPS = (("dispatch", {"vehicle_plate": "渝A00001", "driver": "张三"}),
                  ("transit", {}), ("receive", {"received_t": 1.0}))  # fmt: skip


def _waste_receiver(engine: sa.Engine, t: Target, n: int) -> Target:
    if t.name != "missing" and n not in WASTE_HANDLERS:
        WASTE_HANDLERS[n] = waste_service.add_handler(
            engine, name=f"处置{n}", kind="disposer", licence_no=f"MX-M-{n}", codes="HW49",
            capacity_t=1000, valid_from="2020-01-01", valid_to="2099-12-31", actor="seed",
            credit_code=t.credit_code)["id"]  # fmt: skip
    return t


def _scratch_manifest(steps: int) -> Callable[[sa.Engine, Target, int], Target]:
    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        if t.name == "missing":
            return t
        _waste_receiver(engine, t, n)
        made = waste_manifests.draft(engine, t.credit_code, handler_id=WASTE_HANDLERS[n],
                                     code="900-041-49", quantity_t=1, settings=WasteSettings(),
                                     actor="seed")  # fmt: skip
        for action, values in MANIFEST_STEPS[:steps]:
            waste_manifests.act(engine, made["id"], action, settings=WasteSettings(),
                                calendar=WorkCalendar(), actor="seed", **values)  # fmt: skip
        WASTE_MANIFESTS[n] = made["id"]
        return t

    return prepare


def _manifest_id(t: Target, n: int) -> int:
    """The case's scratch manifest; a missing-object twin (another n) one that does not exist."""
    return 999_994 if t.name == "missing" else WASTE_MANIFESTS[n]


def _manifest_states(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(waste_manifest.c.id, waste_manifest.c.state)
                            .order_by(waste_manifest.c.id)).all()  # fmt: skip


def manifest_action(prefix: str, action: str, steps: int, body: dict[str, Any]) -> Rule:
    page = prefix == ""
    return Rule(DECLARERS, "page" if page else "api", (Variant("", lambda t, n: Call(
        "POST", f"{prefix}/waste/manifests/{_manifest_id(t, n)}/{action}",
        data=body if page else None, json=None if page else body,
        keys=(str(_manifest_id(t, n)),)), OBJECT, visible=own_business,
        ok=303 if page else 200),), write=Write(_manifest_states, _scratch_manifest(steps)))  # fmt: skip


def manifest_read(url: str) -> Rule:
    page = not url.startswith("/api/")
    return Rule(READERS, "page" if page else "api", (Variant("", lambda t, n: Call(
        "GET", url.format(id=_manifest_id(t, n)), keys=(str(_manifest_id(t, n)),)), OBJECT,
        visible=own_business),),
        write=Write(_manifest_states, _scratch_manifest(0), changes=False))  # fmt: skip


def manifest_draft(url: str) -> Rule:
    page = not url.startswith("/api/")

    def call(t: Target, n: int) -> Call:
        body = {"handler_id": WASTE_HANDLERS.get(n, 1), "code": "900-041-49", "quantity_t": 1}
        return Call("POST", url.format(t=t), keys=(t.credit_code,),
                    data={k: str(v) for k, v in body.items()} if page else None,
                    json=None if page else body)  # fmt: skip

    return Rule(DECLARERS, "page" if page else "api", (Variant(
        "", call, OBJECT, visible=own_business, ok=303 if page else 201),),
        write=Write(_count(waste_manifest), _waste_receiver))  # fmt: skip


# Collection points: a collector and a point made fresh per case (zone-wide staff objects).
WASTE_POINTS: dict[int, tuple[int, int]] = {}


def _scratch_point(client: bool) -> Callable[[sa.Engine, Target, int], Target]:
    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        if n not in WASTE_POINTS:
            collector = waste_service.add_handler(
                engine, name=f"收集{n}", kind="collector", licence_no=f"MX-C-{n}",
                codes="HW49", capacity_t=1000, valid_from="2020-01-01", valid_to="2099-12-31",
                actor="seed")["id"]  # fmt: skip
            made = waste_collection.add_point(engine, code=f"MXP{n}", name=f"收集点{n}",
                                              handler_id=collector, capacity_t=5, actor="seed")
            WASTE_POINTS[n] = (collector, made["id"])
        if client and t.name != "missing":
            waste_collection.add_client(engine, WASTE_POINTS[n][1], t.credit_code, actor="seed")
        return t

    return prepare


def _point_id(n: int) -> int:
    return WASTE_POINTS.get(n, WASTE_POINTS[max(WASTE_POINTS)])[1]


def alert_action(action: str) -> Rule:
    body = ({"cause": "脱硫塔故障", "measures": "已检修"} if action == "feedback"
            else {"comment": "matrix"})  # fmt: skip
    return Rule(
        DECLARERS if action == "feedback" else STAFF, "api",
        (Variant("", lambda t, n: Call("POST", f"/api/v1/alerts/{t.alert_id}/{action}",
                                       json=body, keys=(str(t.alert_id),)), OBJECT),),
        write=Write(_alert_row, _scratch_alert(ALERT_STATES_BEFORE[action])),
    )  # fmt: skip


def dashboard(name: str, marker: Callable[[Target], str]) -> Variant:
    return variant(name, f"/web/api/dashboard/{name}", LIST, marker=marker)


def _rows(engine: sa.Engine, table: sa.Table) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()


# Supervision's objects are campaigns and inspectors of district A, made fresh per case.
CAMPAIGNS: dict[int, int] = {}


def _made(n: int) -> int:
    """The object prepared for case `n`; a missing-object twin call reuses the last one."""
    return CAMPAIGNS.get(n, CAMPAIGNS[max(CAMPAIGNS)])


def _pool(engine: sa.Engine, n: int) -> int:
    """A fresh inspector of district A; two zone-wide ones once, so campaigns can be drawn."""
    with engine.connect() as conn:
        have = conn.execute(sa.select(inspector.c.id).where(
            inspector.c.certificate_no == "MX-ZONE-1")).first()  # fmt: skip
    if have is None:
        for k in (1, 2):
            supervision.add_inspector(engine, name=f"全区{k}", unit="总队",
                                      certificate_no=f"MX-ZONE-{k}", actor="seed")  # fmt: skip
    with engine.connect() as conn:  # the same case may prepare twice (its missing twin)
        made = conn.execute(sa.select(inspector.c.id).where(
            inspector.c.certificate_no == f"MX{n}")).scalar()  # fmt: skip
    return made or supervision.add_inspector(
        engine, name=f"检查员{n}", unit="支队", district=DISTRICT_A, certificate_no=f"MX{n}",
        actor="seed")["id"]  # fmt: skip


def _scratch_campaign(drawn: bool = False) -> Callable[[sa.Engine, Target, int], Target]:
    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        _pool(engine, n)
        made = supervision.create_campaign(
            engine, name=f"matrix {n}", period_start="2030-01-01", period_end="2030-03-31",
            quotas={"key": {"count": 1}}, district=DISTRICT_A, settings=SupervisionSettings(),
            actor="seed")  # fmt: skip
        if drawn:
            supervision.draw_campaign(engine, made["id"], actor="seed")
        CAMPAIGNS[n] = made["id"]
        return t

    return prepare


def _scratch_inspector(engine: sa.Engine, t: Target, n: int) -> Target:
    CAMPAIGNS[n] = _pool(engine, n)  # the inspector's id, by case
    return t


def _campaign_state(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(inspection_campaign.c.id, inspection_campaign.c.state)
                            .order_by(inspection_campaign.c.id)).all()  # fmt: skip


# Credit and disclosure: evaluations and reports of the target, made by the case's prepare.
REPORTS: dict[str, int] = {}
NO_REPORT = 999_990


def _computed(engine: sa.Engine, t: Target, n: int) -> Target:
    with contextlib.suppress(NotFound):  # the missing enterprise has nothing to compute
        credit.compute_year(engine, 2024, today=datetime.now(UTC).date(), actor="seed",
                            credit_code=t.credit_code)  # fmt: skip
    return t


def _evaluations(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(credit_evaluation.c.enterprise_id,
                                      credit_evaluation.c.computed_at)
                            .order_by(credit_evaluation.c.id)).all()  # fmt: skip


def _draft(engine: sa.Engine, t: Target, n: int) -> Target:
    """A draft annual report of the target (its open draft, or a new version)."""
    if t.credit_code == MISSING.credit_code:
        REPORTS[t.credit_code] = NO_REPORT
        return t
    made = disclosure.prepare(engine, credit_code=t.credit_code, kind="annual", year=2024,
                              actor="seed", now=datetime.now(UTC))  # fmt: skip
    REPORTS[t.credit_code] = made["id"]
    return t


def _report_of(t: Target) -> int:
    return REPORTS[t.credit_code]


def _published(engine: sa.Engine, t: Target, n: int) -> Target:
    """One published report, made once, which everyone may read."""
    if "published" not in REPORTS:
        made = disclosure.prepare(engine, credit_code=t.credit_code, kind="annual", year=2024,
                                  actor="seed", now=datetime.now(UTC))  # fmt: skip
        disclosure.publish(engine, made["id"], actor="seed", now=datetime.now(UTC))
        REPORTS["published"] = made["id"]
    return t


def _reports(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(disclosure_report.c.id, disclosure_report.c.state,
                                      disclosure_report.c.prepared_at)
                            .order_by(disclosure_report.c.id)).all()  # fmt: skip


def on_report(path: str, roles: frozenset[str], params: dict | None = None) -> Rule:
    """A page on the target's draft report; `path` has {id}."""
    return Rule(roles, "page", (Variant("", lambda t, n: Call(
        "GET", path.format(id=_report_of(t)), params=params or {},
        keys=(str(_report_of(t)),)), OBJECT),),
        write=Write(lambda e, t: None, _draft, changes=False))  # fmt: skip


def on_published(path: str, api: bool = False, **params: Any) -> Rule:
    return Rule(EVERYONE, "api" if api else "page", (Variant("", lambda t, n: Call(
        "GET", path.format(id=REPORTS["published"]), params=params)),),
        write=Write(lambda e, t: None, _published, changes=False))  # fmt: skip


#: Construction sites made for the quality cases, by case number.
SITES: dict[int, int] = {}
APPROVAL_FORM = {"permit_no": "MX-1", "first_day": "2030-01-01", "last_day": "2030-01-02",
                 "start": "22:00", "end": "02:00"}  # fmt: skip
SITE_FORM = {"project": "矩阵工地", "builder": "矩阵建工", "area_m2": "500", "phase": "earthwork"}
RULE_FORM = {"metric": "a34002", "window_min": "60", "basis": "absolute", "limit": "150",
             "allowed_per_day": "0", "action": "预警", "effective_from": "2030-01-01"}  # fmt: skip
INSPECTION_FORM = {"inspected_on": "2030-01-01", "inspector": "矩阵", "met": "hoarding"}


def _scratch_site(engine: sa.Engine, t: Target, n: int) -> Target:
    """A construction site of the target's enterprise for case `n`."""
    SITES[n] = quality_service.register_site(
        engine, None, enterprise_id=t.enterprise_id, code=f"MX{n}", project="矩阵工地",
        builder="矩阵建工", area_m2=500, phase="earthwork", actor="matrix",
    ).id
    return t


CAMPAIGN_FORM = {"name": "matrix", "district": DISTRICT_A, "period_start": "2030-04-01",
                 "period_end": "2030-06-30", "quota_key": "1"}  # fmt: skip


def on_campaign(method: str, path: str, roles: frozenset[str], refusal: str, *, drawn: bool = False,
                changes: bool = False, ok: int = 200) -> Rule:  # fmt: skip
    """A route on a fresh campaign of district A; `path` has {id}."""
    return Rule(roles, refusal, (Variant("", lambda t, n: Call(
        method, path.format(id=_made(n))), ok=ok),),
        write=Write(_campaign_state, _scratch_campaign(drawn), changes=changes))  # fmt: skip


# The enforcement loop's objects (triggers, inspections, violations) of the target's
# enterprise, made fresh per case; the missing target's are ids nobody has.
ENFORCEMENT: dict[int, dict[str, Any]] = {}
LAST_MADE: dict[str, Any] = {}  # the target's own, which a refused write must leave alone
NOBODYS = {"trigger": 999_981, "inspection": 999_982, "violation": 999_983}


def _obj(n: int, kind: str) -> Any:
    made = ENFORCEMENT.get(n) or ENFORCEMENT[max(ENFORCEMENT)]
    return made.get(kind, NOBODYS.get(kind))


def _zone_team(engine: sa.Engine, n: int) -> list[int]:
    _pool(engine, n)
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(inspector.c.id).where(
            inspector.c.certificate_no.in_(["MX-ZONE-1", "MX-ZONE-2"]))).scalars())  # fmt: skip


def _scratch_enforcement(stage: str) -> Callable[[sa.Engine, Target, int], Target]:
    """The target's trigger ("trigger"), and a draft ("draft"), a submitted inspection
    with a photo ("submitted") or a submitted one with an open violation ("violation")."""

    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        if t.name == "missing":
            ENFORCEMENT[n] = {**NOBODYS, "team": []}
            return t
        made: dict[str, Any] = {"team": _zone_team(engine, n), "trigger": enforcement.open_trigger(
            engine, source="staff", credit_code=t.credit_code, reason=f"matrix {n}",
            actor="seed")["id"]}  # fmt: skip
        if stage != "trigger":
            made["inspection"] = enforcement.create_inspection(
                engine, trigger_id=made["trigger"], inspector_ids=made["team"],
                inspected_on="2025-06-02", actor="seed", settings=SupervisionSettings())["id"]  # fmt: skip
            enforcement.update_inspection(engine, made["inspection"], findings="现场检查",
                                          location="厂区", actor="seed")  # fmt: skip
        if stage in ("submitted", "violation"):
            enforcement.add_files(engine, made["inspection"], [("现场.png", PNG)], actor="seed")
            if stage == "violation":
                made["violation"] = enforcement.add_violation(
                    engine, made["inspection"], provision="《环境保护法》第六十三条",
                    description="matrix", harm="none", actor="seed")["id"]  # fmt: skip
            enforcement.submit_inspection(engine, made["inspection"], actor="seed",
                                          today=NOW.date(), settings=SupervisionSettings())  # fmt: skip
        ENFORCEMENT[n] = made
        LAST_MADE.clear()
        LAST_MADE.update(made)
        return t

    return prepare


# Projects: a fresh project of the target's enterprise per case, brought to the stage the
# route acts on; the id by credit code (a missing target's is an id nobody has).
PROJECTS: dict[str, int] = {}
PROJECT_MISSING = 999_994


def _pid(t: Target) -> int:
    return PROJECTS.get(t.credit_code, PROJECT_MISSING)


def _scratch_project(*steps: str, route: str = "normal") -> Callable[[sa.Engine, Target, int], Target]:
    def prepare(engine: sa.Engine, t: Target, n: int) -> Target:
        if t.name == "missing":
            return t
        admin = Scope(role="admin")
        made = projects.create_project(engine, admin, {
            "name": f"矩阵项目 {t.credit_code}", "enterprise": t.credit_code, "industry": "化工",
            "category": "form", "route": route, "major": True, "lon": 106.5, "lat": 29.6,
        }, actor="seed")  # fmt: skip
        for stage in steps:
            projects.transition(engine, admin, made.id, stage, on_date="2030-01-02",
                                reason="seed", actor="seed")  # fmt: skip
        PROJECTS[t.credit_code] = made.id
        return t

    return prepare


def _row(table: sa.Table, kind: str) -> Callable[[sa.Engine, Target], Any]:
    def probe(engine: sa.Engine, t: Target) -> Any:
        with engine.connect() as conn:
            return conn.execute(sa.select(table).where(
                table.c.id == LAST_MADE[kind])).one_or_none()  # fmt: skip

    return probe


def on_enforcement(method: str, path: str, roles: frozenset[str], stage: str, *,
                   data: dict[str, Any] | None = None, probe: Any = None,
                   visible: Callable[[str, Target], bool] = own_business, ok: int = 303,
                   files: dict[str, Any] | None = None, refusal: str = "page") -> Rule:  # fmt: skip
    """A route on the target's trigger, inspection or violation ({trigger}, ...)."""
    return Rule(roles, refusal, (Variant("", lambda t, n: Call(
        method, path.format(**{k: _obj(n, k) for k in NOBODYS}),
        data=(lambda d: {k: (v(n) if callable(v) else v) for k, v in d.items()})(data)
        if data is not None else None, files=files,
        keys=tuple(str(_obj(n, k)) for k in NOBODYS if f"{{{k}}}" in path)),
        OBJECT, visible=visible, ok=ok),),
        write=Write(probe or _count(inspection), _scratch_enforcement(stage),
                    changes=probe is not None))  # fmt: skip
# Zoning's objects (soil sites, incidents) are the zone's, made fresh per case.
ZONING: dict[int, int] = {}
ZONING_PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 24


def _soil_site(engine: sa.Engine, t: Target, n: int) -> Target:
    if n not in ZONING:
        ZONING[n] = zoning_soil.list_site(
            engine, code=f"MX-S-{n}", name="地块", owner="某", area_m2=100, pollutants="铅",
            land_use="工业用地", listed_on="2024-01-01", actor="seed")["id"]  # fmt: skip
    return t


def _soil_document(engine: sa.Engine, t: Target, n: int) -> Target:
    _soil_site(engine, t, n)
    zoning_soil.attach_document(engine, None, ZONING[n], "报告.png", ZONING_PNG, "2024-02-01",
                                actor="seed")  # fmt: skip
    return t


def _incident(engine: sa.Engine, t: Target, n: int) -> Target:
    if n not in ZONING:
        ZONING[n] = zoning_emergency.open_incident(
            engine, started_at="2025-06-01T08:00", kind="泄漏", location="某处",
            actor="seed")["id"]  # fmt: skip
    return t


def _soil_rows(engine: sa.Engine, t: Target) -> Any:
    return [(r.id, r.status, r.land_use) for r in _rows(engine, soil_site)]


def _ensure_plan(engine: sa.Engine, t: Target, n: int) -> Target:
    """Plan 1, which the drill form names."""
    if not _rows(engine, emergency_plan):
        zoning_emergency.file_plan(engine, title="预案", filing_no="MX-PLAN", filed_on="2024-01-01",
                                   settings=EmergencySettings(), actor="seed")  # fmt: skip
    return t


def _incident_rows(engine: sa.Engine, t: Target) -> Any:
    return [(r.id, r.state) for r in _rows(engine, incident)]


def on_zoning(method: str, path: str, prepare: Callable[[sa.Engine, Target, int], Target],
              probe: Callable[[sa.Engine, Target], Any], *, refusal: str = "page",
              changes: bool = False, ok: int = 200, **call: Any) -> Rule:  # fmt: skip
    """A route on a fresh zoning object; `path` has {id} (and {sha} for a document)."""
    return Rule(STAFF, refusal, (Variant("", lambda t, n: Call(
        method, path.format(id=ZONING[n], sha=hashlib.sha256(ZONING_PNG).hexdigest()),
        **call), ok=ok),), write=Write(probe, prepare, changes=changes))  # fmt: skip


def _paused_project(engine: sa.Engine, t: Target, n: int) -> Target:
    t = _scratch_project("submitted", "accepted")(engine, t, n)
    if t.name != "missing":
        projects.pause(engine, Scope(role="admin"), _pid(t), "hearing", start="2030-01-05",
                       reason="seed", actor="seed")  # fmt: skip
    return t


def _project_state(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(eia_project.c.id, eia_project.c.stage)
                         .order_by(eia_project.c.id)).all(),
            conn.execute(sa.select(eia_pause).order_by(eia_pause.c.id)).all(),
            conn.execute(sa.select(eia_sampling).order_by(eia_sampling.c.project_id)).all(),
        )  # fmt: skip


def on_project(method: str, path: str, roles: frozenset[str], refusal: str, *steps: str,
               body: dict[str, Any] | None = None, form: bool = False, ok: int = 200,
               changes: bool = True, route: str = "normal", scope: str = OBJECT,
               prepare: Callable[[sa.Engine, Target, int], Target] | None = None,
               marker: Callable[[Target], str] | None = None,
               params: dict[str, Any] | None = None) -> Rule:  # fmt: skip
    """A route on a fresh project of the target's enterprise; `path` has {id}."""
    def call(t: Target, n: int) -> Call:
        return Call(method, path.format(id=_pid(t)), dict(params or {}),
                    json=None if form else body, data=body if form else None,
                    keys=(str(_pid(t)),) if "{id}" in path else ())  # fmt: skip

    return Rule(roles, refusal, (Variant("", call, scope, ok=ok, marker=marker),),
                write=Write(_project_state, prepare or _scratch_project(*steps, route=route),
                            changes=changes))  # fmt: skip


PROJECT_BODY = {"name": "矩阵新项目", "industry": "化工", "category": "form", "lon": 106.5,
                "lat": 29.6}  # fmt: skip

NOW = datetime.now(UTC)
PDF_REASON = (
    "printing a PDF takes seconds: the first allowed case prints it; the others are refused or "
    "allowed by the same check before the format is chosen, which the html/xlsx cases exercise"
)
SCRATCH_USER = "m-scratch"


# --- trading: each target's ledger, made on first use; scratch trades, vintages, entries ---

_LEDGERS: set[int] = set()
_SCRATCH: dict[str, int] = {}  # "<kind>:<credit code>" -> the id the next call acts on


def _counterparty(t: Target) -> str:
    """A buyer no viewer of `t` owns unless it owns `t` as well: district A's targets trade
    with the air station's owner (A), district B's with the other B target."""
    if t.district == DISTRICT_A:
        return world_data.web_data.STATION
    return world_data.WATER if t.credit_code == world_data.CHEMICAL else world_data.CHEMICAL


def _ledger(engine: sa.Engine, t: Target, n: int = 0) -> Target:
    """The target's 2025 carbon allowances (1000 t) and verified 2025 emissions, once."""
    if t.name == "missing" or t.enterprise_id in _LEDGERS:
        return t
    _LEDGERS.add(t.enterprise_id)
    settings = TradingSettings()
    trading.allocate(engine, None, market="carbon", enterprise_id=t.enterprise_id,
                     instrument=None, vintage=2025, quantity="1000", reason="matrix",
                     actor="seed", settings=settings)  # fmt: skip
    trading.record_verified(engine, None, enterprise_id=t.enterprise_id, year=2025,
                            emissions_t="100000", verifier="matrix", verified_on="2026-04-30",
                            actor="seed")  # fmt: skip
    return t


def _scratch_trade(engine: sa.Engine, t: Target, n: int) -> Target:
    """A trade offered by the target to its counterparty, the one the step acts on."""
    if t.name == "missing":
        return t
    _ledger(engine, t)
    _SCRATCH[f"trade:{t.credit_code}"] = trading.offer(
        engine, None, seller_id=t.enterprise_id, buyer_credit_code=_counterparty(t),
        market="carbon", instrument=None, vintage=2025, quantity="1", price="50", actor="seed")
    return t


def _scratch_txn(engine: sa.Engine, t: Target, n: int) -> Target:
    """An allocation to the target, the one the reversal acts on."""
    if t.name == "missing":
        return t
    _SCRATCH[f"txn:{t.credit_code}"] = trading.allocate(
        engine, None, market="carbon", enterprise_id=t.enterprise_id, instrument=None,
        vintage=2024, quantity="5", reason="matrix", actor="seed", settings=TradingSettings())
    return t


def _permit_vintage(engine: sa.Engine, t: Target, n: int) -> Target:
    """The target's permit with annual caps (its limits are of discharge-rights pollutants),
    and a vintage not yet allocated."""
    if t.name == "missing":
        return t
    with engine.begin() as conn:
        permit_id = conn.execute(sa.select(permit.c.id).where(
            permit.c.permit_no == t.permit_no)).scalar_one()  # fmt: skip
        conn.execute(permit_limit.update().where(permit_limit.c.permit_id == permit_id,
                                                 permit_limit.c.annual_cap_t.is_(None))
                     .values(annual_cap_t=12.5))  # fmt: skip
    _SCRATCH[f"vintage:{t.credit_code}"] = 2024 + n % 70
    return t


def _scratch(kind: str, t: Target) -> int:
    return _SCRATCH.get(f"{kind}:{t.credit_code}", 999_990)


def _trade_state(engine: sa.Engine, t: Target) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.select(trading_trade.c.state).where(
            trading_trade.c.id == _scratch("trade", t))).scalar()  # fmt: skip


def _trade_step(prefix: str, step: str, roles: frozenset[str], ok: int) -> Variant:
    return Variant(step, lambda t, n: Call(
        "POST", f"{prefix}/{_scratch('trade', t)}/{step}",
        **({"json": {"note": "matrix"}} if prefix.startswith("/api") else {"data": {}}),
        keys=(str(_scratch("trade", t)),)), OBJECT, visible=own_business, roles=roles, ok=ok)


def _on_ledger(probe: Callable[[sa.Engine, Target], Any] | None = None) -> Write:
    """Reads of a ledger: the target's ledger exists first; nothing is written."""
    return Write(probe or (lambda engine, t: None), _ledger, changes=False)


TRADING_STAFF_FORM = {"market": "carbon", "instrument": "", "vintage": "2025",
                      "quantity": "3", "reason": "matrix"}  # fmt: skip

# fmt: off
POLICY: dict[tuple[str, str], Rule] = {
    # --- web pages ----------------------------------------------------------------------
    ("GET", "/"): Rule(EVERYONE, "page", one("/", scope=LIST, marker=link,
                                                ok={"enterprise": 303, "coordinator": 303,
                                                    "bank": 303})),
    ("GET", "/login"): Rule(EVERYONE, "page", one("/login", ok={r: 303 for r in USERS})),
    ("POST", "/login"): Rule(EVERYONE, "page", (Variant("", lambda t, n: Call(
        "POST", "/login", data={"username": SCRATCH_USER, "password": "scratch-password"}),
        ok=303),)),
    ("POST", "/logout"): Rule(EVERYONE, "page", (Variant("", lambda t, n: Call(
        "POST", "/logout"), ok=303),), fresh_credentials=True),
    # history query: staff and enterprises (own points only), never the public
    ("GET", "/data-query"): Rule(READERS, "page", (
        variant("form", "/data-query"),
        variant("", "/data-query", OBJECT, keys=("{t.point_id}",), params=QUERY),
    )),
    ("GET", "/web/api/data-query"): Rule(READERS, "web", tuple(
        variant(fmt, "/web/api/data-query", OBJECT, keys=("{t.point_id}",),
                params={**QUERY, "format": fmt})
        for fmt in ("json", "csv", "xlsx")
    )),
    ("GET", "/web/api/data-query/series"): Rule(READERS, "web", one(
        "/web/api/data-query/series", scope=OBJECT, keys=("{t.point_id}",), params=QUERY)),
    ("GET", "/points/{point_id}"): Rule(EVERYONE, "page", one(
        "/points/{t.point_id}", scope=OBJECT, keys=("{t.point_id}",))),
    ("GET", "/enterprises/{credit_code}"): Rule(EVERYONE, "page", one(
        "/enterprises/{t.credit_code}", scope=OBJECT, keys=("{t.credit_code}",))),
    ("GET", "/portal"): Rule(ENTERPRISE_ONLY, "page", one("/portal", scope=LIST, marker=link)),
    ("POST", "/portal/alerts/{alert_id}/feedback"): Rule(ENTERPRISE_ONLY, "page", (Variant(
        "", lambda t, n: Call("POST", f"/portal/alerts/{t.alert_id}/feedback",
                              data={"cause": "脱硫塔故障", "measures": "已检修"},
                              keys=(str(t.alert_id),)), OBJECT, ok=303),),
        write=Write(_alert_row, _scratch_alert("dispatched"))),
    ("GET", "/plan"): Rule(PLAN_READERS, "page", one("/plan")),
    # --- supervision: staff keep campaigns, the pool and listings; results are public ---
    ("GET", "/supervision"): Rule(STAFF, "page", one("/supervision")),
    ("POST", "/supervision/campaigns"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/campaigns", data=CAMPAIGN_FORM), ok=303),),
        write=Write(_count(inspection_campaign), lambda e, t, n: (_pool(e, n), t)[1])),
    ("GET", "/supervision/campaigns/{campaign_id}"): on_campaign(
        "GET", "/supervision/campaigns/{id}", STAFF, "page"),
    ("POST", "/supervision/campaigns/{campaign_id}/draw"): on_campaign(
        "POST", "/supervision/campaigns/{id}/draw", STAFF, "page", changes=True, ok=303),
    ("GET", "/supervision/campaigns/{campaign_id}/record.json"): on_campaign(
        "GET", "/supervision/campaigns/{id}/record.json", STAFF, "page"),
    ("GET", "/supervision/inspectors"): Rule(STAFF, "page", one("/supervision/inspectors")),
    ("POST", "/supervision/inspectors"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/inspectors", data={"name": "甲", "unit": "支队",
        "certificate_no": f"MP{n}", "district": DISTRICT_A})),),
        write=Write(_count(inspector))),
    ("POST", "/supervision/inspectors/conflicts"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/inspectors/conflicts", data={"inspector_id": str(_made(n)),
        "credit_code": t.credit_code, "reason": "近亲属"})),),
        write=Write(_count(inspector_conflict), _scratch_inspector)),
    ("GET", "/supervision/listings"): Rule(STAFF, "page", one("/supervision/listings")),
    ("POST", "/supervision/listings"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/listings", data={"credit_code": t.credit_code, "kind": "positive",
        "reason": "诚信", "valid_from": "2030-01-01"})),),
        write=Write(_count(supervision_listing))),
    ("GET", "/inspections"): Rule(EVERYONE, "page", one("/inspections")),
    # --- supervision's enforcement loop: staff act; an enterprise reads its submitted records
    ("GET", "/supervision/inspections"): Rule(READERS, "page", one(
        "/supervision/inspections", scope=LIST, marker=lambda t: t.enterprise_name,
        visible=own_business),
        write=Write(_count(inspection), _scratch_enforcement("submitted"), changes=False)),
    ("POST", "/supervision/triggers"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/triggers", data={"source": "staff", "credit_code": t.credit_code,
                                               "reason": "matrix"},
        keys=(t.credit_code,)), OBJECT, ok=303),), write=Write(_count(inspection_trigger))),
    ("POST", "/supervision/triggers/{trigger_id}/cancel"): on_enforcement(
        "POST", "/supervision/triggers/{trigger}/cancel", STAFF, "trigger",
        data={"reason": "matrix"}, probe=_row(inspection_trigger, "trigger")),
    ("POST", "/supervision/inspections"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/inspections", data={
            "trigger_id": str(_obj(n, "trigger")), "inspected_on": "2025-06-02",
            "inspector_ids": [str(i) for i in _obj(n, "team")]}), OBJECT, ok=303),),
        write=Write(_count(inspection), _scratch_enforcement("trigger"))),
    ("GET", "/supervision/inspections/{inspection_id}"): on_enforcement(
        "GET", "/supervision/inspections/{inspection}", READERS, "submitted", ok=200),
    ("POST", "/supervision/inspections/{inspection_id}"): on_enforcement(
        "POST", "/supervision/inspections/{inspection}", STAFF, "draft",
        data={"findings": "改写", "location": "东门"}, probe=_row(inspection, "inspection")),
    ("POST", "/supervision/inspections/{inspection_id}/files"): on_enforcement(
        "POST", "/supervision/inspections/{inspection}/files", STAFF, "draft",
        data={}, files={"files": ("照片.png", PNG, "image/png")}, probe=_count(inspection_file)),
    ("GET", "/supervision/inspections/{inspection_id}/files/{sha256}"): on_enforcement(
        "GET", "/supervision/inspections/{inspection}/files/" + PNG_SHA256, READERS, "submitted",
        ok=200),
    ("POST", "/supervision/inspections/{inspection_id}/violations"): on_enforcement(
        "POST", "/supervision/inspections/{inspection}/violations", STAFF, "draft",
        data={"provision": "《环境保护法》第六十三条", "description": "matrix", "harm": "none"},
        probe=_count(violation)),
    ("POST", "/supervision/inspections/{inspection_id}/submit"): on_enforcement(
        "POST", "/supervision/inspections/{inspection}/submit", STAFF, "draft", data={},
        probe=_row(inspection, "inspection")),
    ("GET", "/supervision/violations/{violation_id}"): on_enforcement(
        "GET", "/supervision/violations/{violation}", STAFF, "violation", ok=200),
    ("POST", "/supervision/violations/{violation_id}/rectification"): on_enforcement(
        "POST", "/supervision/violations/{violation}/rectification", STAFF, "violation",
        data={"step": "done", "rectified_on": "2025-06-03", "note": "已整改"},
        probe=_row(violation, "violation")),
    ("POST", "/supervision/violations/{violation_id}/decision"): on_enforcement(
        "POST", "/supervision/violations/{violation}/decision", STAFF, "violation",
        data={"outcome": "warning", "explanation": "matrix", "decided_on": "2025-06-04"},
        probe=_count(penalty_decision)),
    ("GET", "/power"): Rule(READERS, "page", one(
        "/power", scope=LIST, marker=lambda t: f'"/power/{t.credit_code}"', visible=own_business,
        ok={"enterprise": 303})),
    ("POST", "/power/warnings"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/power/warnings", data={"level": "yellow", "start": "2024-05-01T08:00",
                                         "end": "2024-05-01T09:00", "district": DISTRICT_A})),),
        write=Write(_count(weather_warning))),
    ("GET", "/power/{credit_code}"): Rule(READERS, "page", one(
        "/power/{t.credit_code}", scope=OBJECT, keys=("{t.credit_code}",), visible=own_business)),
    ("GET", "/power/{credit_code}/configuration.yaml"): Rule(READERS, "page", one(
        "/power/{t.credit_code}/configuration.yaml", scope=OBJECT, keys=("{t.credit_code}",),
        visible=own_business)),
    ("POST", "/power/{credit_code}/configuration"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", f"/power/{t.credit_code}/configuration", keys=(t.credit_code,)), OBJECT,
        visible=own_business),), write=Write(_power_rows, changes=False)),  # no file: refused
    ("GET", "/power/{credit_code}/facilities/{facility_code}/evidence"): Rule(READERS, "page", one(
        "/power/{t.credit_code}/facilities/TA001/evidence", scope=OBJECT,
        keys=("{t.credit_code}",), visible=own_business, ok=404)),  # no evidence kept: 404 all
    ("POST", "/power/{credit_code}/facilities/{facility_code}/evidence"): Rule(STAFF, "page", (
        Variant("", lambda t, n: Call("POST", f"/power/{t.credit_code}/facilities/TA001/evidence",
                                      keys=(t.credit_code,)), OBJECT, visible=own_business),),
        write=Write(_power_rows, changes=False)),  # no file: refused, nothing kept
    ("GET", "/power/{credit_code}/facilities/{facility_code}"): Rule(READERS, "page", one(
        "/power/{t.credit_code}/facilities/TA001", scope=OBJECT, keys=("{t.credit_code}",),
        visible=own_business)),
    ("POST", "/power/{credit_code}/facilities/{facility_code}/meters/{meter_code}"): Rule(
        STAFF, "page", (Variant("", lambda t, n: Call(
            "POST", f"/power/{t.credit_code}/facilities/TA001/meters/M1", data={"action": "save"},
            keys=(t.credit_code,)), OBJECT, visible=own_business),),
        write=Write(_meter_rows, changes=False)),  # saves the thresholds it had
    # the menu's lists: staff read their scope, an enterprise its own (企业档案: its portal)
    ("GET", "/points"): Rule(READERS, "page", (
        variant("", "/points", LIST, marker=lambda t: f'href="/points/{t.point_id}"'),
        variant("of-kind", "/points", LIST, params={"kind": "ambient_air"},
                marker=lambda t: f'href="/points/{t.station_id}"'),
        variant("csv", "/points", LIST, params={"format": "csv"},
                marker=lambda t: t.enterprise_name),
    )),
    ("GET", "/enterprises"): Rule(READERS, "page", (
        variant("", "/enterprises", LIST, marker=link, ok={"enterprise": 303}),
        variant("search", "/enterprises", LIST, params={"q": "{t.credit_code}"}, marker=link,
                ok={"enterprise": 303}),
        variant("xlsx", "/enterprises", params={"format": "xlsx"}, ok={"enterprise": 303}),
    )),
    ("GET", "/permits"): Rule(READERS, "page", (
        variant("", "/permits", LIST, marker=lambda t: t.permit_no),
        variant("csv", "/permits", LIST, params={"format": "csv", "status": "valid"},
                marker=lambda t: t.permit_no),
    )),
    ("GET", "/reports"): Rule(READERS, "page", (
        variant("", "/reports", LIST,
                marker=lambda t: f"/api/v1/reports/annual/{t.credit_code}/"),
        variant("search", "/reports", LIST, params={"q": "{t.enterprise_name}"},
                marker=lambda t: f"/api/v1/reports/annual/{t.credit_code}/"),
    )),
    ("GET", "/statistics/transmission"): Rule(READERS, "page", (
        variant("", "/statistics/transmission", LIST, params={"period": "2024-05"},
                marker=lambda t: f'href="/points/{t.point_id}"'),
        variant("enterprise", "/statistics/transmission", OBJECT,
                params={"period": "2024-05", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
        variant("xlsx", "/statistics/transmission", LIST,
                params={"period": "2024-05", "format": "xlsx"}),
        variant("pdf", "/statistics/transmission", LIST,
                params={"period": "2024-05", "format": "pdf"}, heavy=PDF_REASON),
    )),
    ("GET", "/statistics/emissions"): Rule(READERS, "page", (
        variant("", "/statistics/emissions", LIST, params={"period": "2024-05"}),
        variant("enterprise", "/statistics/emissions", OBJECT,
                params={"period": "2024-05", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
        variant("xlsx", "/statistics/emissions", LIST,
                params={"period": "2024-05", "format": "xlsx"}),
    )),
    ("GET", "/statistics/exceedances"): Rule(READERS, "page", (
        variant("", "/statistics/exceedances", LIST, params={"period": "2024-05"}),
        variant("enterprise", "/statistics/exceedances", OBJECT,
                params={"period": "2024-05", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
        variant("pdf", "/statistics/exceedances", LIST,
                params={"period": "2024-05", "format": "pdf"}, heavy=PDF_REASON),
    )),
    ("GET", "/api/v1/statistics/transmission"): Rule(READERS, "api", (
        variant("", "/api/v1/statistics/transmission", LIST, params={"period": "2024-05"},
                marker=lambda t: f'"point_id":{t.point_id},'),
        variant("enterprise", "/api/v1/statistics/transmission", OBJECT,
                params={"period": "2024-05", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
    )),
    ("GET", "/api/v1/statistics/emissions"): Rule(READERS, "api", (
        variant("", "/api/v1/statistics/emissions", LIST, params={"period": "2024"}),
        variant("enterprise", "/api/v1/statistics/emissions", OBJECT,
                params={"period": "2024", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
    )),
    ("GET", "/api/v1/statistics/exceedances"): Rule(READERS, "api", (
        variant("", "/api/v1/statistics/exceedances", LIST, params={"period": "2024"}),
        variant("enterprise", "/api/v1/statistics/exceedances", OBJECT,
                params={"period": "2024", "enterprise": "{t.credit_code}"},
                keys=("{t.credit_code}",)),
    )),
    ("GET", "/airquality/evaluation"): Rule(READERS, "page", (
        variant("", "/airquality/evaluation", LIST, marker=station_link),
        variant("xlsx", "/airquality/evaluation", LIST, params={"format": "xlsx"}),
    )),
    ("GET", "/plan/measures"): Rule(PLAN_READERS, "page", one("/plan/measures")),
    ("GET", "/plan/measures/{number}"): Rule(PLAN_READERS, "page", one("/plan/measures/10")),
    ("POST", "/plan/measures/{number}"): Rule(PLAN_WRITERS, "page", (Variant("", lambda t, n: Call(
        "POST", "/plan/measures/10", data={"unit": "市住房城乡建委", "period": "2026-Q3",
                                           "status": "on_track"}), ok=303),),
        write=Write(_count(plan_progress))),
    # --- the admin pages (users, tokens, audit, devices); objects that do not exist where a
    # change would disturb the shared world (the scratch user logs in below, devices keep
    # their passwords): the role gate answers before the lookup.
    ("GET", "/admin/users"): Rule(ADMIN, "page", one("/admin/users")),
    ("GET", "/admin/users/new"): Rule(ADMIN, "page", one("/admin/users/new")),
    ("POST", "/admin/users"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/users", data={"username": f"m-page-{n}", "password": "new-password",
                                      "role": "coordinator"}), ok=303),),
        write=Write(_count(user_account))),
    ("GET", "/admin/users/{username}"): Rule(ADMIN, "page", one(f"/admin/users/{SCRATCH_USER}")),
    ("POST", "/admin/users/{username}"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", f"/admin/users/{SCRATCH_USER}", data={"display_name": f"page {n}",
                                                      "role": "coordinator"}), ok=303),),
        write=Write(lambda engine, t: accounts.get_user(engine, SCRATCH_USER))),
    ("POST", "/admin/users/{username}/active"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/users/m-nobody/active", data={"active": "0", "confirm": "yes"}),
        ok=404),)),
    ("POST", "/admin/users/{username}/password"): Rule(ADMIN, "page", (Variant(
        "", lambda t, n: Call("POST", "/admin/users/m-nobody/password",
                              data={"mode": "generate"}), ok=404),)),
    ("GET", "/admin/tokens"): Rule(ADMIN, "page", one("/admin/tokens")),
    ("POST", "/admin/tokens"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/tokens", data={"username": SCRATCH_USER, "days": "1"})),),
        write=Write(_count(auth_token))),
    ("POST", "/admin/tokens/{token_id}/revoke"): Rule(ADMIN, "page", (Variant(
        "", lambda t, n: Call("POST", "/admin/tokens/999999/revoke", data={"confirm": "yes"}),
        ok=404),)),
    ("GET", "/admin/audit"): Rule(ADMIN, "page", (
        variant("", "/admin/audit"),
        variant("csv", "/admin/audit", params={"format": "csv"}),
    )),
    ("GET", "/admin/devices"): Rule(ADMIN, "page", one("/admin/devices")),
    # the measurement archive: a month with no data archives nothing, one never archived
    # cannot be restored
    ("GET", "/admin/archive"): Rule(ADMIN, "page", one("/admin/archive")),
    ("POST", "/admin/archive/{month}/archive"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/archive/1999-01/archive", data={"confirm": "yes"}), ok=303),)),
    ("POST", "/admin/archive/{month}/restore"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/archive/1999-01/restore", data={"confirm": "yes"}), ok=409),)),
    ("POST", "/admin/devices/pending/{logger_sn}/approve"): Rule(ADMIN, "page", (Variant(
        "", lambda t, n: Call("POST", "/admin/devices/pending/NOSUCH-SN/approve",
                              data={"point": f"{t.credit_code}|DA001", "confirm": "yes"}),
        ok=404),)),
    ("POST", "/admin/devices/password"): Rule(ADMIN, "page", (Variant("", lambda t, n: Call(
        "POST", "/admin/devices/password", data={"mn": "NOSUCH-MN", "confirm": "yes"}),
        ok=400),)),
    # the alert desk: admins and supervisors act on alerts, enterprises answer their own
    ("GET", "/alerts"): Rule(READERS, "page", (
        variant("", "/alerts", LIST, marker=lambda t: f'href="/alerts/{t.alert_id}"',
                visible=own_business),
        variant("of-enterprise", "/alerts", LIST, params={"enterprise": "{t.credit_code}"},
                marker=lambda t: f'href="/alerts/{t.alert_id}"', visible=own_business),
        variant("csv", "/alerts", LIST, params={"format": "csv"},
                marker=lambda t: t.enterprise_name, visible=own_business),
        variant("xlsx", "/alerts", params={"format": "xlsx"}),
    )),
    ("GET", "/alerts/{alert_id}"): Rule(READERS, "page", one(
        "/alerts/{t.alert_id}", scope=OBJECT, keys=("{t.alert_id}",), visible=own_business)),
    ("GET", "/alerts/{alert_id}/attachments/{sha256}"): Rule(READERS, "page", one(
        "/alerts/{t.alert_id}/attachments/" + PNG_SHA256, scope=OBJECT, keys=("{t.alert_id}",),
        visible=own_business), write=Write(_alert_row, _scratch_attachment, changes=False)),
    ("POST", "/alerts/{alert_id}/action"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("POST", f"/alerts/{t.alert_id}/action",
                              data={"action": "dispatch", "deadline_days": "3"},
                              keys=(str(t.alert_id),)), OBJECT, ok=303),),
        write=Write(_alert_row, _scratch_alert("open"))),
    ("POST", "/alerts/{alert_id}/feedback"): Rule(ENTERPRISE_ONLY, "page", (Variant(
        "", lambda t, n: Call("POST", f"/alerts/{t.alert_id}/feedback",
                              data={"cause": "脱硫塔故障", "measures": "已检修"},
                              keys=(str(t.alert_id),)), OBJECT, ok=303),),
        write=Write(_alert_row, _scratch_alert("dispatched"))),
    ("GET", "/marks"): Rule(READERS, "page", one(
        "/marks", scope=LIST, marker=lambda t: f'id="mark-{t.mark_id}"', visible=own_business)),
    ("POST", "/marks"): Rule(DECLARERS, "page", (Variant("", lambda t, n: Call(
        "POST", "/marks", data={"point_id": str(t.point_id), "kind": "maintenance",
                                "start": "2030-01-01T00:00", "end": "2030-01-01T02:00",
                                "reason": "检修"},
        keys=(str(t.point_id),)), OBJECT, ok=303),), write=Write(_count(data_mark))),
    ("POST", "/marks/{mark_id}/revoke"): Rule(DECLARERS, "page", (Variant("", lambda t, n: Call(
        "POST", f"/marks/{t.mark_id}/revoke", data={}, keys=(str(t.mark_id),)), OBJECT,
        ok=303),), write=Write(_mark_row, _scratch_mark)),
    ("POST", "/marks/{mark_id}/review"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", f"/marks/{t.mark_id}/review", data={"decision": "rejected", "comment": "matrix"},
        keys=(str(t.mark_id),)), OBJECT, ok=303),), write=Write(_mark_row, _scratch_mark)),
    # --- the pages' JSON and exports ------------------------------------------------------
    ("GET", "/web/api/power/{credit_code}/facilities/{facility_code}"): Rule(READERS, "web", one(
        "/web/api/power/{t.credit_code}/facilities/TA001", scope=OBJECT,
        keys=("{t.credit_code}",), visible=own_business)),
    ("GET", "/web/api/map"): Rule(EVERYONE, "web", one("/web/api/map", scope=LIST, marker=cc)),
    ("GET", "/web/api/dashboard/{name}"): Rule(STAFF, "web", (
        dashboard("open-alerts", link),
        variant("open-alerts.csv", "/web/api/dashboard/open-alerts", LIST,
                params={"format": "csv"}, marker=lambda t: t.enterprise_name),
        variant("today-exceedances", "/web/api/dashboard/today-exceedances"),
        dashboard("capture", point_link),
        variant("capture.xlsx", "/web/api/dashboard/capture", params={"format": "xlsx"}),
        dashboard("district-ranking", lambda t: t.district),
        variant("ambient", "/web/api/dashboard/ambient", LIST, marker=station_link,
                roles=EVERYONE),
        variant("ambient.csv", "/web/api/dashboard/ambient", params={"format": "csv"},
                roles=EVERYONE),
    )),
    ("GET", "/web/api/public/enterprises"): Rule(EVERYONE, "web", (
        variant("", "/web/api/public/enterprises", LIST, marker=link),
        variant("csv", "/web/api/public/enterprises", LIST, params={"format": "csv"},
                marker=lambda t: t.enterprise_name),
    )),
    ("GET", "/web/api/points/{point_id}/series"): Rule(EVERYONE, "web", one(
        "/web/api/points/{t.point_id}/series", scope=OBJECT, keys=("{t.point_id}",),
        params={"pollutant": "{t.pollutant}", "kind": "hour", "hours": 24})),
    ("GET", "/web/api/points/{point_id}/tables/{name}"): Rule(EVERYONE, "web", tuple(
        variant(name + suffix, TABLE + name, OBJECT, keys=("{t.point_id}",),
                params={"format": fmt} if fmt else {},
                visible=own_business if name == "alerts" else sees)
        for name, suffix, fmt in (("latest", "", None), ("limits", "", None),
                                  ("hourly-values", "", None), ("daily-values", ".csv", "csv"),
                                  ("alerts", "", None), ("alerts", ".xlsx", "xlsx"))
    )),
    ("GET", "/web/api/enterprises/{credit_code}/tables/{name}"): Rule(EVERYONE, "web", tuple(
        variant(name + suffix, FILE + name, OBJECT, keys=("{t.credit_code}",),
                params={"format": fmt} if fmt else {},
                visible=own_business if name in ("alerts", "data-marks") else sees)
        for name, suffix, fmt in (("outlets", "", None), ("permits", ".xlsx", "xlsx"),
                                  ("limits", ".csv", "csv"), ("alerts", "", None),
                                  ("data-marks", ".csv", "csv"))
    )),
    ("GET", "/web/api/marks"): Rule(READERS, "web", (
        variant("", "/web/api/marks", LIST, marker=lambda t: f'"id":"{t.mark_id}"',
                visible=own_business),
        variant("csv", "/web/api/marks", LIST, params={"format": "csv"},
                marker=lambda t: t.enterprise_name, visible=own_business),
    )),
    ("GET", "/static/web/{path:path}"): Rule(EVERYONE, "web", one("/static/web/web.css")),
    ("GET", "/static/vendor/{path:path}"): Rule(EVERYONE, "web", one(
        "/static/vendor/leaflet/leaflet.css")),
    # --- operations and documentation -----------------------------------------------------
    ("GET", "/openapi.json"): Rule(EVERYONE, "api", one("/openapi.json")),
    ("GET", "/status"): Rule(STAFF, "page", one("/status")),
    ("GET", "/docs"): Rule(EVERYONE, "page", one("/docs")),
    ("GET", "/static"): Rule(EVERYONE, "page", one("/static/style.css")),
    ("GET", "/metrics"): Rule(ADMIN, "api", one("/metrics")),
    ("GET", "/healthz"): Rule(EVERYONE, "api", one("/healthz")),
    # --- accounts -------------------------------------------------------------------------
    ("POST", "/api/v1/auth/login"): Rule(EVERYONE, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/auth/login",
        json={"username": SCRATCH_USER, "password": "scratch-password"})),)),
    ("POST", "/api/v1/auth/logout"): Rule(EVERYONE, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/auth/logout"), ok=204),), fresh_credentials=True),
    ("GET", "/api/v1/auth/me"): Rule(EVERYONE, "api", one("/api/v1/auth/me")),
    ("POST", "/api/v1/auth/tokens"): Rule(LOGGED_IN, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/auth/tokens", json={"days": 1}), ok=201),),
        write=Write(_count(auth_token))),
    ("GET", "/api/v1/users"): Rule(ADMIN, "api", one("/api/v1/users")),
    ("POST", "/api/v1/users"): Rule(ADMIN, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/users", json={"username": f"m-new-{n}", "password": "new-password",
                                       "role": "admin"}), ok=201),),
        write=Write(_count(user_account))),
    ("PATCH", "/api/v1/users/{username}"): Rule(ADMIN, "api", (Variant("", lambda t, n: Call(
        "PATCH", f"/api/v1/users/{SCRATCH_USER}", json={"display_name": f"changed {n}"})),),
        write=Write(lambda engine, t: accounts.get_user(engine, SCRATCH_USER))),
    ("GET", "/api/v1/audit"): Rule(ADMIN, "api", one("/api/v1/audit")),
    ("GET", "/api/v1/tokens"): Rule(ADMIN, "api", one("/api/v1/tokens")),
    ("DELETE", "/api/v1/tokens/{token_id}"): Rule(ADMIN, "api", (Variant("", lambda t, n: Call(
        "DELETE", "/api/v1/tokens/999999"), ok=404),)),
    # --- device secrets and onboarding (admin); called on absent devices so the shared
    # world's devices keep their passwords: the role gate answers before the lookup.
    ("GET", "/api/v1/devices/pending"): Rule(ADMIN, "api", one("/api/v1/devices/pending")),
    ("POST", "/api/v1/devices/pending/{logger_sn}/approve"): Rule(ADMIN, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/devices/pending/NOSUCH-SN/approve",
                              json={"credit_code": t.credit_code, "point_code": "DA001"}),
        ok=404),)),
    ("POST", "/api/v1/devices/{mn}/password"): Rule(ADMIN, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/devices/NOSUCH-MN/password",
                              json={"password": "new-pass"}), ok=404),)),
    # --- registry, frames, measurements ---------------------------------------------------
    ("GET", "/api/v1/districts"): Rule(EVERYONE, "api", one("/api/v1/districts")),
    ("GET", "/api/v1/enterprises"): Rule(EVERYONE, "api", one(
        "/api/v1/enterprises", scope=LIST, marker=cc)),
    ("GET", "/api/v1/enterprises/{credit_code}"): Rule(EVERYONE, "api", one(
        "/api/v1/enterprises/{t.credit_code}", scope=OBJECT, keys=("{t.credit_code}",))),
    ("GET", "/api/v1/points"): Rule(EVERYONE, "api", (
        variant("", "/api/v1/points", LIST, marker=lambda t: t.mn),
        variant("of-enterprise", "/api/v1/points", LIST, params={"enterprise": "{t.credit_code}"},
                marker=lambda t: t.mn),
    )),
    ("GET", "/api/v1/frames"): Rule(STAFF, "api", one(
        "/api/v1/frames", scope=LIST, marker=lambda t: t.mn)),
    ("GET", "/api/v1/measurements"): Rule(EVERYONE, "api", (
        variant("", "/api/v1/measurements", LIST, params=MEASURED, marker=lambda t: t.mn),
        variant("csv", "/api/v1/measurements", LIST, params={**MEASURED, "format": "csv"},
                marker=lambda t: t.mn),
        variant("of-enterprise", "/api/v1/measurements", OBJECT, keys=("{t.credit_code}",),
                params={**MEASURED, "enterprise": "{t.credit_code}"}),
        variant("of-device", "/api/v1/measurements", OBJECT, keys=("{t.mn}",),
                params={**MEASURED, "mn": "{t.mn}", "source": "computed"}),
    )),
    # --- compliance -----------------------------------------------------------------------
    ("GET", "/api/v1/permits"): Rule(EVERYONE, "api", (
        variant("", "/api/v1/permits", LIST, marker=lambda t: t.permit_no),
        variant("of-enterprise", "/api/v1/permits", LIST,
                params={"enterprise": "{t.credit_code}"}, marker=lambda t: t.permit_no),
    )),
    ("GET", "/api/v1/permits/{permit_no}"): Rule(EVERYONE, "api", one(
        "/api/v1/permits/{t.permit_no}", scope=OBJECT, keys=("{t.permit_no}",))),
    ("POST", "/api/v1/permits"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/permits", json=_permit_body(t, f"{t.credit_code}{n:03d}P"),
        keys=(t.credit_code,)), OBJECT, ok=201),), write=Write(_permit_rows)),
    ("PUT", "/api/v1/permits/{permit_no}"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "PUT", f"/api/v1/permits/{t.permit_no}", json=_permit_body(t, t.permit_no),
        keys=(t.credit_code, t.permit_no)), OBJECT),),
        write=Write(_permit_rows, changes=False)),  # replaces the permit with itself
    ("GET", "/api/v1/supervision/targets"): Rule(STAFF, "api", one(
        "/api/v1/supervision/targets", scope=LIST, marker=cc)),
    ("GET", "/api/v1/supervision/inspectors"): Rule(STAFF, "api", one(
        "/api/v1/supervision/inspectors")),
    ("POST", "/api/v1/supervision/inspectors"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/supervision/inspectors", json={"name": "乙", "unit": "支队",
        "certificate_no": f"MA{n}", "district": DISTRICT_A}), ok=201),),
        write=Write(_count(inspector))),
    ("POST", "/api/v1/supervision/inspectors/{inspector_id}/conflicts"): Rule(STAFF, "api", (
        Variant("", lambda t, n: Call(
            "POST", f"/api/v1/supervision/inspectors/{_made(n)}/conflicts",
            json={"credit_code": t.credit_code, "reason": "近亲属"}, keys=(t.credit_code,)),
            OBJECT, ok=201),), write=Write(_count(inspector_conflict), _scratch_inspector)),
    ("GET", "/api/v1/supervision/listings"): Rule(STAFF, "api", one(
        "/api/v1/supervision/listings")),
    ("POST", "/api/v1/supervision/listings"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/supervision/listings", json={"credit_code": t.credit_code,
        "kind": "positive", "reason": "诚信", "valid_from": "2030-01-01"},
        keys=(t.credit_code,)), OBJECT, ok=201),), write=Write(_count(supervision_listing))),
    ("GET", "/api/v1/supervision/campaigns"): Rule(STAFF, "api", one(
        "/api/v1/supervision/campaigns")),
    ("POST", "/api/v1/supervision/campaigns"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/supervision/campaigns", json={
            "name": "matrix", "district": DISTRICT_A, "period_start": "2030-07-01",
            "period_end": "2030-09-30", "quotas": {"key": {"count": 1}}}), ok=201),),
        write=Write(_count(inspection_campaign), lambda e, t, n: (_pool(e, n), t)[1])),
    ("GET", "/api/v1/supervision/campaigns/{campaign_id}"): on_campaign(
        "GET", "/api/v1/supervision/campaigns/{id}", STAFF, "api"),
    ("POST", "/api/v1/supervision/campaigns/{campaign_id}/draw"): on_campaign(
        "POST", "/api/v1/supervision/campaigns/{id}/draw", STAFF, "api", changes=True),
    ("GET", "/api/v1/supervision/campaigns/{campaign_id}/record"): on_campaign(
        "GET", "/api/v1/supervision/campaigns/{id}/record", EVERYONE, "api", drawn=True),
    ("POST", "/api/v1/supervision/triggers"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/supervision/triggers", json={"source": "staff", "reason": "matrix",
                                                      "credit_code": t.credit_code},
        keys=(t.credit_code,)), OBJECT, ok=201),), write=Write(_count(inspection_trigger))),
    ("GET", "/api/v1/supervision/inspections"): Rule(READERS, "api", one(
        "/api/v1/supervision/inspections", scope=LIST, marker=cc, visible=own_business),
        write=Write(_count(inspection), _scratch_enforcement("submitted"), changes=False)),
    ("GET", "/api/v1/supervision/inspections/{inspection_id}"): on_enforcement(
        "GET", "/api/v1/supervision/inspections/{inspection}", READERS, "submitted", ok=200,
        refusal="api"),
    ("GET", "/api/v1/supervision/violations/{violation_id}/suggestion"): on_enforcement(
        "GET", "/api/v1/supervision/violations/{violation}/suggestion", STAFF, "violation",
        ok=200, refusal="api"),
    ("GET", "/api/v1/supervision/enforcement"): Rule(EVERYONE, "api", one(
        "/api/v1/supervision/enforcement")),
    ("GET", "/api/v1/supervision/results"): Rule(EVERYONE, "api", one(
        "/api/v1/supervision/results")),
    ("GET", "/api/v1/power/warnings"): Rule(STAFF, "api", one("/api/v1/power/warnings")),
    ("POST", "/api/v1/power/warnings"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/power/warnings", json={"level": "orange", "start": "2024-05-02T08:00",
                                                "end": "2024-05-02T09:00", "district": DISTRICT_A}),
        ok=201),), write=Write(_count(weather_warning))),
    ("GET", "/api/v1/power/enterprises"): Rule(EVERYONE, "api", one(
        "/api/v1/power/enterprises", scope=LIST, marker=cc, visible=own_business)),
    ("GET", "/api/v1/power/enterprises/{credit_code}"): Rule(EVERYONE, "api", one(
        "/api/v1/power/enterprises/{t.credit_code}", scope=OBJECT, keys=("{t.credit_code}",),
        visible=own_business)),
    ("GET", "/api/v1/power/enterprises/{credit_code}/evaluation"): Rule(EVERYONE, "api", one(
        "/api/v1/power/enterprises/{t.credit_code}/evaluation", scope=OBJECT,
        params={"start": "2024-05-01T00:00", "end": "2024-05-02T00:00"},
        keys=("{t.credit_code}",), visible=own_business)),
    ("PUT", "/api/v1/power/enterprises/{credit_code}"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("PUT", f"/api/v1/power/enterprises/{t.credit_code}", json={
            "facilities": [{"code": "TA001", "name": "除尘器", "role": "control",
                            "kind": "dust_removal", "outlet": t.outlet,
                            "meters": [{"code": "M1", "rated_kw": 50}]}]},
            keys=(t.credit_code,)), OBJECT, visible=own_business),),
        write=Write(_power_rows, changes=False)),  # replaces the configuration with itself
    ("GET", "/api/v1/alerts"): Rule(READERS, "api", (
        variant("", "/api/v1/alerts", LIST, marker=lambda t: f'"id":{t.alert_id},'),
        variant("csv", "/api/v1/alerts", LIST, params={"format": "csv"}, marker=cc),
        variant("of-enterprise", "/api/v1/alerts", LIST,
                params={"enterprise": "{t.credit_code}"}, marker=lambda t: f'"id":{t.alert_id},'),
    )),
    ("GET", "/api/v1/alerts/{alert_id}"): Rule(READERS, "api", one(
        "/api/v1/alerts/{t.alert_id}", scope=OBJECT, keys=("{t.alert_id}",))),
    **{("POST", f"/api/v1/alerts/{{alert_id}}/{action}"): alert_action(action)
       for action in ALERT_STATES_BEFORE},
    ("POST", "/api/v1/alerts/{alert_id}/feedback-with-files"): Rule(DECLARERS, "api", (Variant(
        "", lambda t, n: Call("POST", f"/api/v1/alerts/{t.alert_id}/feedback-with-files",
                              data={"cause": "脱硫塔故障", "measures": "已检修"},
                              keys=(str(t.alert_id),)), OBJECT),),
        write=Write(_alert_row, _scratch_alert("dispatched"))),
    ("GET", "/api/v1/alerts/{alert_id}/attachments/{sha256}"): Rule(READERS, "api", one(
        "/api/v1/alerts/{t.alert_id}/attachments/" + PNG_SHA256, scope=OBJECT,
        keys=("{t.alert_id}",)), write=Write(_alert_row, _scratch_attachment, changes=False)),
    ("GET", "/api/v1/marks"): Rule(READERS, "api", (
        variant("", "/api/v1/marks", LIST, marker=lambda t: f'"id":{t.mark_id},'),
        variant("of-device", "/api/v1/marks", OBJECT, params={"mn": "{t.mn}"}, keys=("{t.mn}",)),
    )),
    ("POST", "/api/v1/marks"): Rule(DECLARERS, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/marks", json={"mn": t.mn, "kind": "maintenance", "reason": "检修",
                                       "start": "2030-01-01T00:00", "end": "2030-01-01T02:00"},
        keys=(t.mn,)), OBJECT, ok=201),), write=Write(_count(data_mark))),
    ("POST", "/api/v1/marks/{mark_id}/revoke"): Rule(DECLARERS, "api", (Variant("", lambda t, n: Call(
        "POST", f"/api/v1/marks/{t.mark_id}/revoke", keys=(str(t.mark_id),)), OBJECT),),
        write=Write(_mark_row, _scratch_mark)),
    ("POST", "/api/v1/marks/{mark_id}/review"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", f"/api/v1/marks/{t.mark_id}/review", json={"decision": "accepted"},
        keys=(str(t.mark_id),)), OBJECT),), write=Write(_mark_row, _scratch_mark)),
    ("GET", "/api/v1/webhooks"): Rule(ADMIN, "api", one("/api/v1/webhooks")),
    ("POST", "/api/v1/webhooks"): Rule(ADMIN, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/webhooks", json={"url": f"http://127.0.0.1:9/hook/{n}"}), ok=201),),
        write=Write(_count(webhook))),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): Rule(ADMIN, "api", (Variant("", lambda t, n: Call(
        "PATCH", "/api/v1/webhooks/1", json={"active": n % 2 == 0})),),
        write=Write(lambda engine, t: _rows(engine, webhook), changes=False)),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Rule(ADMIN, "api", one(
        "/api/v1/webhooks/1/deliveries")),
    # --- plan -----------------------------------------------------------------------------
    ("GET", "/api/v1/plan"): Rule(EVERYONE, "api", one("/api/v1/plan")),
    ("GET", "/api/v1/plan/measures"): Rule(EVERYONE, "api", one("/api/v1/plan/measures")),
    ("GET", "/api/v1/plan/measures/{number}"): Rule(EVERYONE, "api", one(
        "/api/v1/plan/measures/10")),
    ("GET", "/api/v1/plan/indicators"): Rule(EVERYONE, "api", one("/api/v1/plan/indicators")),
    ("GET", "/api/v1/plan/progress"): Rule(PLAN_READERS, "api", one("/api/v1/plan/progress")),
    ("POST", "/api/v1/plan/progress"): Rule(PLAN_WRITERS, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/plan/progress", json={"measure": 10, "unit": "市住房城乡建委",
                                               "period": "2026-Q3", "status": "on_track"}),
        ok=201),), write=Write(_count(plan_progress))),
    ("POST", "/api/v1/plan/measures/{number}/progress"): Rule(PLAN_WRITERS, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/plan/measures/10/progress", data={
            "unit": "市住房城乡建委", "period": "2026-Q3", "status": "on_track"}), ok=201),),
        write=Write(_count(plan_progress))),
    ("GET", "/api/v1/plan/progress/{progress_id}/evidence/{sha256}"): Rule(PLAN_READERS, "api",
        one(world_data.PLAN_EVIDENCE_URL)),
    ("GET", "/api/v1/plan/matrix"): Rule(PLAN_READERS, "api", one("/api/v1/plan/matrix")),
    ("GET", "/api/v1/plan/overview"): Rule(PLAN_READERS, "api", one("/api/v1/plan/overview")),
    ("GET", "/api/v1/plan/export.xlsx"): Rule(PLAN_READERS, "api", one(
        "/api/v1/plan/export.xlsx")),
    ("GET", "/api/v1/plan/export.pdf"): Rule(PLAN_READERS, "api", one(
        "/api/v1/plan/export.pdf", heavy=PDF_REASON)),
    # --- reports, air quality, monitoring ---------------------------------------------------
    ("GET", "/api/v1/reports/annual/{credit_code}/{year}.{fmt}"): Rule(EVERYONE, "api", tuple(
        variant(fmt, f"/api/v1/reports/annual/{{t.credit_code}}/2024.{fmt}", OBJECT,
                keys=("{t.credit_code}",),
                heavy=PDF_REASON if fmt == "pdf" else None)
        for fmt in ("html", "xlsx", "pdf")
    )),
    # --- waterquality: staff pages; the classes read within the scope, the public disclosed ---
    ("GET", "/water"): Rule(STAFF, "page", one(
        "/water", scope=LIST, marker=lambda t: f'href="/water/{t.water_id}"')),
    ("GET", "/water/{point_id}"): Rule(STAFF, "page", one(
        "/water/{t.water_id}", scope=OBJECT, keys=("{t.water_id}",))),
    ("GET", "/api/v1/waterquality/sections"): Rule(EVERYONE, "api", one(
        "/api/v1/waterquality/sections", scope=LIST,
        marker=lambda t: f'"point_id":{t.water_id},')),
    ("GET", "/api/v1/waterquality/sections/{point_id}"): Rule(EVERYONE, "api", one(
        "/api/v1/waterquality/sections/{t.water_id}", scope=OBJECT, params={"year": 2024},
        keys=("{t.water_id}",))),
    ("PUT", "/api/v1/waterquality/sections/{point_id}"): Rule(ADMIN, "api", (Variant(
        "", lambda t, n: Call("PUT", f"/api/v1/waterquality/sections/{t.water_id}",
                              json={"body": "river", "target_class": "IV"},
                              keys=(str(t.water_id),)), OBJECT),),
        write=Write(_water_row, _water_target_iii)),
    ("GET", "/airquality"): Rule(EVERYONE, "page", one(
        "/airquality", scope=LIST, marker=station_link)),
    ("GET", "/web/api/airquality/map"): Rule(EVERYONE, "web", one(
        "/web/api/airquality/map", scope=LIST, marker=lambda t: f'"id":{t.station_id},')),
    ("GET", "/airquality/stations/{point_id}"): Rule(EVERYONE, "page", (
        variant("", "/airquality/stations/{t.station_id}", OBJECT, keys=("{t.station_id}",)),
        variant("csv", "/airquality/stations/{t.station_id}", OBJECT, params={"format": "csv"},
                keys=("{t.station_id}",)),
    )),
    # --- waste: an enterprise's own business; it records, staff read and keep the handlers ---
    ("GET", "/waste"): Rule(READERS, "page", one(
        "/waste", scope=LIST, marker=lambda t: f'href="/waste/enterprises/{t.credit_code}"',
        visible=own_business, ok={"enterprise": 303})),
    ("POST", "/waste/handlers"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/waste/handlers", data=_handler_form(n))),), write=Write(_count(waste_handler))),
    ("GET", "/waste/enterprises/{credit_code}"): Rule(READERS, "page", one(
        "/waste/enterprises/{t.credit_code}", scope=OBJECT, keys=("{t.credit_code}",),
        visible=own_business)),
    ("POST", "/waste/enterprises/{credit_code}/entries"): Rule(DECLARERS, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/enterprises/{t.credit_code}/entries",
                              data=WASTE_ENTRY, keys=(t.credit_code,)), OBJECT,
        visible=own_business, ok=303),), write=Write(_count(waste_entry))),
    ("POST", "/waste/enterprises/{credit_code}/facilities"): Rule(DECLARERS, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/enterprises/{t.credit_code}/facilities",
                              data={"code": f"WF{n}", "name": "贮存库", "kind": "store",
                                    "capacity_t": "10"}, keys=(t.credit_code,)), OBJECT,
        visible=own_business),), write=Write(_count(waste_facility))),
    ("POST", "/waste/enterprises/{credit_code}/class"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/enterprises/{t.credit_code}/class",
                              data={"management_class": "key", "reason": "持证经营"},
                              keys=(t.credit_code,)), OBJECT, visible=own_business),),
        write=Write(_generator_rows, _no_override)),
    ("POST", "/waste/enterprises/{credit_code}/declarations"): Rule(DECLARERS, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/enterprises/{t.credit_code}/declarations",
                              data={"declaration": "annual:2024"}, keys=(t.credit_code,)),
        OBJECT, visible=own_business),),
        write=Write(_count(waste_declaration), _no_declarations)),
    ("GET", "/waste/enterprises/{credit_code}/declaration"): Rule(READERS, "page", tuple(
        variant(fmt, "/waste/enterprises/{t.credit_code}/declaration", OBJECT,
                params={"year": "2025", "format": fmt}, keys=("{t.credit_code}",),
                visible=own_business)
        for fmt in ("xlsx", "csv")
    )),
    ("GET", "/api/v1/waste/list"): Rule(EVERYONE, "api", one(
        "/api/v1/waste/list", params={"day": "2025-06-01"})),
    ("GET", "/api/v1/waste/check"): Rule(EVERYONE, "api", one(
        "/api/v1/waste/check", params={"code": "900-041-49", "day": "2025-06-01"})),
    ("GET", "/api/v1/waste/handlers"): Rule(STAFF, "api", one("/api/v1/waste/handlers")),
    ("POST", "/api/v1/waste/handlers"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/waste/handlers", json={**_handler_form(n), "codes": ["HW49"]}),
        ok=201),), write=Write(_count(waste_handler))),
    ("GET", "/api/v1/waste/enterprises/{credit_code}"): Rule(READERS, "api", one(
        "/api/v1/waste/enterprises/{t.credit_code}", scope=OBJECT, params={"day": "2025-12-31"},
        keys=("{t.credit_code}",), visible=own_business)),
    ("POST", "/api/v1/waste/enterprises/{credit_code}/entries"): Rule(DECLARERS, "api", (Variant(
        "", lambda t, n: Call("POST", f"/api/v1/waste/enterprises/{t.credit_code}/entries",
                              json={**WASTE_ENTRY, "quantity_t": 1.5}, keys=(t.credit_code,)),
        OBJECT, visible=own_business, ok=201),), write=Write(_count(waste_entry))),
    ("POST", "/api/v1/waste/enterprises/{credit_code}/facilities"): Rule(DECLARERS, "api", (
        Variant("", lambda t, n: Call(
            "POST", f"/api/v1/waste/enterprises/{t.credit_code}/facilities",
            json={"code": f"AF{n}", "name": "贮存库", "kind": "store", "capacity_t": 10},
            keys=(t.credit_code,)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(waste_facility))),
    ("GET", "/waste/manifests"): Rule(READERS, "page", one("/waste/manifests")),
    ("GET", "/waste/manifests/{manifest_id}"): manifest_read("/waste/manifests/{id}"),
    ("POST", "/waste/enterprises/{credit_code}/manifests"): manifest_draft(
        "/waste/enterprises/{t.credit_code}/manifests"),
    ("POST", "/waste/manifests/{manifest_id}/dispatch"): manifest_action(
        "", "dispatch", 0, {"vehicle_plate": "渝A00002", "driver": "李四"}),
    ("POST", "/waste/manifests/{manifest_id}/transit"): manifest_action("", "transit", 1, {}),
    ("POST", "/waste/manifests/{manifest_id}/receive"): manifest_action(
        "", "receive", 2, {"received_t": "1"}),
    ("POST", "/waste/manifests/{manifest_id}/complete"): manifest_action(
        "", "complete", 3, {"method": "disposed"}),
    ("GET", "/api/v1/waste/manifests"): Rule(READERS, "api", one("/api/v1/waste/manifests")),
    ("GET", "/api/v1/waste/manifests/{manifest_id}"): manifest_read(
        "/api/v1/waste/manifests/{id}"),
    ("POST", "/api/v1/waste/enterprises/{credit_code}/manifests"): manifest_draft(
        "/api/v1/waste/enterprises/{t.credit_code}/manifests"),
    ("POST", "/api/v1/waste/manifests/{manifest_id}/dispatch"): manifest_action(
        "/api/v1", "dispatch", 0, {"vehicle_plate": "渝A00002", "driver": "李四"}),
    ("POST", "/api/v1/waste/manifests/{manifest_id}/transit"): manifest_action(
        "/api/v1", "transit", 1, {}),
    ("POST", "/api/v1/waste/manifests/{manifest_id}/receive"): manifest_action(
        "/api/v1", "receive", 2, {"received_t": 1.0}),
    ("POST", "/api/v1/waste/manifests/{manifest_id}/complete"): manifest_action(
        "/api/v1", "complete", 3, {"method": "disposed"}),
    ("GET", "/waste/points"): Rule(STAFF, "page", one("/waste/points")),
    ("POST", "/waste/points"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/waste/points", data={"code": f"MXQ{n}", "name": "收集点", "capacity_t": "5",
                                       "handler_id": str(WASTE_POINTS[n][0])}), ok=303),),
        write=Write(_count(waste_collection_point), _scratch_point(False))),
    ("GET", "/waste/points/{point_id}"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "GET", f"/waste/points/{_point_id(n)}")),),
        write=Write(_count(waste_collection_point), _scratch_point(False), changes=False)),
    ("POST", "/waste/points/{point_id}/clients"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/points/{_point_id(n)}/clients",
                              data={"credit_code": t.credit_code}, keys=(t.credit_code,)),
        OBJECT, visible=own_business, ok=303),),
        write=Write(_count(waste_point_client), _scratch_point(False))),
    ("POST", "/waste/points/{point_id}/runs"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("POST", f"/waste/points/{_point_id(n)}/runs", data={
            "day": "2026-01-10", "vehicle_plate": "渝A9", "driver": "赵六",
            "lines": f"{t.credit_code} 900-041-49 0.1"}, keys=(t.credit_code,)),
        OBJECT, visible=own_business, ok=303),),
        write=Write(_count(waste_collection_run), _scratch_point(True))),
    ("GET", "/api/v1/waste/points"): Rule(STAFF, "api", one("/api/v1/waste/points")),
    ("POST", "/api/v1/waste/points/{point_id}/runs"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("POST", f"/api/v1/waste/points/{_point_id(n)}/runs", json={
            "day": "2026-01-10", "vehicle_plate": "渝A9", "driver": "赵六",
            "lines": [{"credit_code": t.credit_code, "code": "900-041-49", "quantity_t": 0.1}]},
            keys=(t.credit_code,)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(waste_collection_run), _scratch_point(True))),
    # --- quality: noise, dust, overflows; staff pages and API, writes on a scratch site ---
    ("GET", "/noise"): Rule(STAFF, "page", one("/noise")),
    # No noise, dust or sewer point in the world: the forms are refused, nothing changes.
    ("POST", "/noise/stations"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/noise/stations", data={"point_id": str(t.point_id), "zone_class": "2"})),),
        write=Write(_count(noise_station), changes=False)),
    ("POST", "/dust/monitors"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/dust/monitors", data={"point_id": str(t.point_id), "site_id": "1"})),),
        write=Write(_count(dust_monitor), changes=False)),
    ("POST", "/overflows/monitors"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/overflows/monitors", data={"point_id": str(t.point_id),
                                             "role": "overflow"})),),
        write=Write(_count(sewer_monitor), changes=False)),
    ("GET", "/noise/approvals"): Rule(STAFF, "page", one("/noise/approvals")),
    ("POST", "/noise/approvals"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/noise/approvals", data={**APPROVAL_FORM, "site_id": str(SITES[n])}),
        ok=303),), write=Write(_count(night_approval), _scratch_site)),
    ("POST", "/noise/honking"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/noise/honking")),), write=Write(_count(honking_event), changes=False)),
    ("GET", "/dust"): Rule(STAFF, "page", one("/dust")),
    ("POST", "/dust/sites"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/dust/sites", data={**SITE_FORM, "enterprise_id": str(t.enterprise_id),
                                     "code": f"MXP{n}"}), ok=303),),
        write=Write(_count(construction_site))),
    ("POST", "/dust/rules"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/dust/rules", data={**RULE_FORM, "code": f"mx{n}"}), ok=303),),
        write=Write(_count(dust_rule))),
    ("GET", "/dust/inspections"): Rule(STAFF, "page", one("/dust/inspections")),
    ("POST", "/dust/inspections"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/dust/inspections", data={**INSPECTION_FORM, "site_id": str(SITES[n])}),
        ok=303),), write=Write(_count(dust_inspection), _scratch_site)),
    ("GET", "/overflows"): Rule(STAFF, "page", one("/overflows")),
    ("POST", "/quality/check"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/quality/check", data={"back": "/dust"}), ok=303),)),
    ("GET", "/api/v1/quality/noise"): Rule(STAFF, "api", one("/api/v1/quality/noise")),
    ("GET", "/api/v1/quality/noise/approvals"): Rule(STAFF, "api", one(
        "/api/v1/quality/noise/approvals")),
    ("POST", "/api/v1/quality/noise/approvals"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/quality/noise/approvals",
        json={**APPROVAL_FORM, "site_id": SITES[n]}), ok=201),),
        write=Write(_count(night_approval), _scratch_site)),
    ("GET", "/api/v1/quality/dust/sites"): Rule(STAFF, "api", one("/api/v1/quality/dust/sites")),
    ("POST", "/api/v1/quality/dust/sites"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/quality/dust/sites", json={**SITE_FORM, "area_m2": 500,
                                                    "enterprise_id": t.enterprise_id,
                                                    "code": f"MXA{n}"}), ok=201),),
        write=Write(_count(construction_site))),
    ("GET", "/api/v1/quality/dust/exceedances"): Rule(STAFF, "api", one(
        "/api/v1/quality/dust/exceedances")),
    ("POST", "/api/v1/quality/dust/inspections"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/quality/dust/inspections",
        json={**INSPECTION_FORM, "met": ["hoarding"], "site_id": SITES[n]}), ok=201),),
        write=Write(_count(dust_inspection), _scratch_site)),
    ("GET", "/api/v1/quality/overflows"): Rule(STAFF, "api", one("/api/v1/quality/overflows")),
    ("GET", "/api/v1/airquality/latest"): Rule(EVERYONE, "api", (
        variant("", "/api/v1/airquality/latest", LIST, marker=lambda t: f'"point_id":{t.station_id},'),
        variant("csv", "/api/v1/airquality/latest", LIST, params={"format": "csv"},
                marker=lambda t: f"\n{t.station_id},AQ-01,"),
    )),
    ("GET", "/api/v1/airquality/stations/{point_id}"): Rule(EVERYONE, "api", (
        variant("", "/api/v1/airquality/stations/{t.station_id}", OBJECT,
                keys=("{t.station_id}",)),
        variant("csv", "/api/v1/airquality/stations/{t.station_id}", OBJECT,
                keys=("{t.station_id}",), params={"format": "csv", "kind": "day"}),
    )),
    ("GET", "/api/v1/airquality/evaluation"): Rule(EVERYONE, "api", one(
        "/api/v1/airquality/evaluation", scope=LIST, params={"year": "2024"},
        marker=lambda t: f'"point_id":{t.station_id},')),
    ("GET", "/api/v1/points/{point_id}/capture"): Rule(EVERYONE, "api", one(
        "/api/v1/points/{t.point_id}/capture", scope=OBJECT, params=YEAR, keys=("{t.point_id}",))),
    ("GET", "/api/v1/points/{point_id}/totals"): Rule(EVERYONE, "api", one(
        "/api/v1/points/{t.point_id}/totals", scope=OBJECT, params=YEAR, keys=("{t.point_id}",))),
    # --- credit (staff), disclosure (enterprises prepare and publish; published ones are
    # public), the green-finance feed (banks) ------------------------------------------------
    ("GET", "/supervision/credit"): Rule(STAFF, "page", one("/supervision/credit")),
    ("POST", "/supervision/credit/compute"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/credit/compute", data={"year": "2024",
                                                     "credit_code": t.credit_code},
        keys=(t.credit_code,)), OBJECT, ok=303),), write=Write(_evaluations)),
    ("GET", "/supervision/credit/{credit_code}/{year}"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("GET", f"/supervision/credit/{t.credit_code}/2024",
                              keys=(t.credit_code,)), OBJECT),),
        write=Write(lambda e, t: None, _computed, changes=False)),
    ("POST", "/supervision/credit/repairs"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/supervision/credit/repairs", data={"violation_id": "999999",
                                                     "repaired_on": "2025-01-01",
                                                     "reason": "已整改"}), ok=404),)),
    ("GET", "/credit"): Rule(EVERYONE, "page", one("/credit")),
    ("GET", "/finance"): Rule(BANK_READERS, "page", one("/finance")),
    ("GET", "/api/v1/finance/enterprises"): Rule(BANK_READERS, "api", one(
        "/api/v1/finance/enterprises")),
    ("GET", "/api/v1/finance/enterprises/{credit_code}"): Rule(BANK_READERS, "api", one(
        "/api/v1/finance/enterprises/{t.credit_code}")),
    ("GET", "/disclosure"): Rule(READERS, "page", one("/disclosure", params={"year": "2024"})),
    ("POST", "/disclosure/reports"): Rule(DECLARERS, "page", (Variant("", lambda t, n: Call(
        "POST", "/disclosure/reports", data={"credit_code": t.credit_code, "kind": "annual",
                                             "year": "2024"},
        keys=(t.credit_code,)), OBJECT, ok=303),), write=Write(_reports)),
    ("GET", "/disclosure/reports/{report_id}"): on_report("/disclosure/reports/{id}", READERS),
    ("GET", "/disclosure/reports/{report_id}/file"): on_report(
        "/disclosure/reports/{id}/file", READERS, params={"format": "xlsx"}),
    ("POST", "/disclosure/reports/{report_id}/publish"): Rule(DECLARERS, "page", (Variant(
        "", lambda t, n: Call("POST", f"/disclosure/reports/{_report_of(t)}/publish",
                              keys=(str(_report_of(t)),)), OBJECT, ok=303),),
        write=Write(_reports, _draft)),
    ("GET", "/disclosures"): Rule(EVERYONE, "page", one("/disclosures")),
    ("GET", "/disclosures/{report_id}"): on_published("/disclosures/{id}"),
    ("GET", "/disclosures/{report_id}/file"): on_published("/disclosures/{id}/file",
                                                           format="xlsx"),
    ("GET", "/api/v1/disclosure/obligations"): Rule(READERS, "api", one(
        "/api/v1/disclosure/obligations", params={"year": 2024})),
    ("GET", "/api/v1/disclosure/reports"): Rule(EVERYONE, "api", one(
        "/api/v1/disclosure/reports")),
    ("GET", "/api/v1/disclosure/reports/{report_id}"): on_published(
        "/api/v1/disclosure/reports/{id}", api=True),
    # --- energy: an enterprise's own business; zone figures, district statistics for staff ---
    ("GET", "/energy"): Rule(READERS, "page", one("/energy", ok={"enterprise": 303})),
    ("POST", "/energy/districts"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/energy/districts", data={"district": DISTRICT_A, "year": "2030",
                                           "gdp_10k_yuan": str(n)})),),
        write=Write(lambda engine, t: _rows(engine, district_energy))),
    ("POST", "/energy/sinks"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/energy/sinks", data={"name": f"林{n}", "area_ha": "10", "species": "马尾松",
                                       "annual_t_co2": "50", "method_source": "造林"})),),
        write=Write(_count(forest_sink))),
    ("GET", "/energy/{credit_code}"): energy_object("GET", "/energy/{cc}", READERS, "page"),
    ("POST", "/energy/{credit_code}/months"): energy_object(
        "POST", "/energy/{cc}/months", READERS, "page", table=energy_month,
        data={"month": "{month}", "amount_electricity": "1000"}),
    ("POST", "/energy/{credit_code}/import"): energy_object(
        "POST", "/energy/{cc}/import", READERS, "page", ok=400),
    ("POST", "/energy/{credit_code}/outputs"): energy_object(
        "POST", "/energy/{cc}/outputs", READERS, "page", table=energy_output,
        data={"month": "{month}", "value_added": "10"}),
    ("POST", "/energy/{credit_code}/meters"): energy_object(
        "POST", "/energy/{cc}/meters", READERS, "page", table=energy_meter,
        data={"code": "M{month}", "carrier": "steam"}),
    ("POST", "/energy/{credit_code}/targets"): energy_object(
        "POST", "/energy/{cc}/targets", STAFF, "page", table=energy_target,
        data={"year": "{year}", "tce_per_10k_yuan": "0.{n}"}),
    ("GET", "/energy/{credit_code}/carbon/{year}.{fmt}"): Rule(READERS, "page", tuple(
        variant(fmt, f"/energy/{{t.credit_code}}/carbon/2024.{fmt}", OBJECT,
                keys=("{t.credit_code}",), heavy=PDF_REASON if fmt == "pdf" else None)
        for fmt in ("xlsx", "pdf"))),
    ("GET", "/api/v1/energy/enterprises/{credit_code}/months/{month}"): energy_object(
        "GET", "/api/v1/energy/enterprises/{cc}/months/2024-05", READERS, "api"),
    ("PUT", "/api/v1/energy/enterprises/{credit_code}/months/{month}"): energy_object(
        "PUT", "/api/v1/energy/enterprises/{cc}/months/{month}", READERS, "api",
        table=energy_month, json={"amounts": {"electricity": 1000}}),
    ("GET", "/api/v1/energy/enterprises/{credit_code}/quality"): energy_object(
        "GET", "/api/v1/energy/enterprises/{cc}/quality", READERS, "api",
        params={"month": "2024-05"}),
    ("GET", "/api/v1/energy/enterprises/{credit_code}/years/{year}"): energy_object(
        "GET", "/api/v1/energy/enterprises/{cc}/years/2024", READERS, "api"),
    ("GET", "/api/v1/energy/enterprises/{credit_code}/carbon/{year}.{fmt}"): Rule(
        READERS, "api", tuple(
            variant(fmt, f"/api/v1/energy/enterprises/{{t.credit_code}}/carbon/2024.{fmt}",
                    OBJECT, keys=("{t.credit_code}",),
                    heavy=PDF_REASON if fmt == "pdf" else None)
            for fmt in ("json", "xlsx", "pdf"))),
    ("PUT", "/api/v1/energy/enterprises/{credit_code}/outputs/{month}"): energy_object(
        "PUT", "/api/v1/energy/enterprises/{cc}/outputs/{month}", READERS, "api",
        table=energy_output, json={"value_added_10k_yuan": 10}),
    ("PUT", "/api/v1/energy/enterprises/{credit_code}/meters/{code}"): energy_object(
        "PUT", "/api/v1/energy/enterprises/{cc}/meters/M{month}", READERS, "api",
        table=energy_meter, json={"carrier": "steam"}),
    ("PUT", "/api/v1/energy/enterprises/{credit_code}/targets/{year}"): energy_object(
        "PUT", "/api/v1/energy/enterprises/{cc}/targets/{year}", STAFF, "api",
        table=energy_target, json={"tce_per_10k_yuan": "0.{n}"}),
    ("PUT", "/api/v1/energy/districts/{district}/years/{year}"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("PUT", f"/api/v1/energy/districts/{DISTRICT_A}/years/2031",
                              json={"gdp_10k_yuan": n})),),
        write=Write(lambda engine, t: _rows(engine, district_energy))),
    ("GET", "/api/v1/energy/zone"): Rule(STAFF, "api", one("/api/v1/energy/zone")),
    ("GET", "/api/v1/energy/sinks"): Rule(STAFF, "api", one("/api/v1/energy/sinks")),
    ("POST", "/api/v1/energy/sinks"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/energy/sinks", json={"name": f"林{n}", "area_ha": 10, "species": "松",
                                             "annual_t_co2": 5, "method_source": "造林"}),
        ok=201),), write=Write(_count(forest_sink))),
    # --- trading: ledgers are their enterprise's own business; the market's aggregates public --
    ("GET", "/trading"): Rule(READERS, "page", one(
        "/trading", scope=LIST, visible=own_business,
        marker=lambda t: f'href="/trading/enterprises/{t.credit_code}"'), write=_on_ledger()),
    ("GET", "/trading/enterprises/{credit_code}"): Rule(READERS, "page", one(
        "/trading/enterprises/{t.credit_code}", scope=OBJECT, visible=own_business,
        keys=("{t.credit_code}",)), write=_on_ledger()),
    ("GET", "/trading/market"): Rule(EVERYONE, "page", one("/trading/market")),
    ("GET", "/trading/admin"): Rule(STAFF, "page", one("/trading/admin")),
    ("POST", "/trading/offers"): Rule(ENTERPRISE_ONLY, "page", (Variant("", lambda t, n: Call(
        "POST", "/trading/offers", data={
            "seller_id": str(t.enterprise_id), "buyer_credit_code": _counterparty(t),
            "market": "carbon", "instrument": "", "vintage": "2025", "quantity": "1",
            "price": "50"}), OBJECT, visible=own_business, ok=303),),
        write=Write(_count(trading_trade), _ledger)),
    ("POST", "/trading/trades/{trade_id}/{step}"): Rule(READERS, "page", (
        _trade_step("/trading/trades", "withdraw", ENTERPRISE_ONLY, 303),
        _trade_step("/trading/trades", "reject", STAFF, 303),
    ), write=Write(_trade_state, _scratch_trade)),
    ("POST", "/trading/admin/{action}"): Rule(STAFF, "page", (
        Variant("check", lambda t, n: Call("POST", "/trading/admin/check", data={}), ok=303),
        Variant("allocate", lambda t, n: Call("POST", "/trading/admin/allocate", data={
            **TRADING_STAFF_FORM, "enterprise_id": str(t.enterprise_id)},
            keys=(str(t.enterprise_id),)), OBJECT, visible=own_business, ok=303),
    ), write=Write(_count(trading_txn), changes=False)),
    ("GET", "/api/v1/trading/accounts"): Rule(READERS, "api", one(
        "/api/v1/trading/accounts", scope=LIST, visible=own_business,
        marker=lambda t: f'"enterprise_id":{t.enterprise_id},'), write=_on_ledger()),
    ("GET", "/api/v1/trading/journal"): Rule(READERS, "api", one(
        "/api/v1/trading/journal", scope=LIST, visible=own_business,
        marker=lambda t: f'"enterprise_id":{t.enterprise_id},'), write=_on_ledger()),
    ("GET", "/api/v1/trading/trades"): Rule(READERS, "api", (Variant(
        "", lambda t, n: Call("GET", "/api/v1/trading/trades"), LIST, visible=own_business,
        marker=lambda t: f'"seller_id":{t.enterprise_id},'),),
        write=Write(lambda engine, t: None, _scratch_trade, changes=False)),
    ("GET", "/api/v1/trading/trades/{trade_id}"): Rule(READERS, "api", (Variant(
        "", lambda t, n: Call("GET", f"/api/v1/trading/trades/{_scratch('trade', t)}",
                              keys=(str(_scratch("trade", t)),)), OBJECT, visible=own_business),),
        write=Write(lambda engine, t: None, _scratch_trade, changes=False)),
    ("POST", "/api/v1/trading/trades"): Rule(ENTERPRISE_ONLY, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/trading/trades", json={
            "seller_id": t.enterprise_id, "buyer_credit_code": _counterparty(t),
            "market": "carbon", "vintage": 2025, "quantity": "1", "price": "50"},
        keys=(str(t.enterprise_id),)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(trading_trade), _ledger)),
    ("POST", "/api/v1/trading/trades/{trade_id}/{step}"): Rule(READERS, "api", (
        _trade_step("/api/v1/trading/trades", "withdraw", ENTERPRISE_ONLY, 200),
        _trade_step("/api/v1/trading/trades", "reject", STAFF, 200),
    ), write=Write(_trade_state, _scratch_trade)),
    ("POST", "/api/v1/trading/allocations"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/trading/allocations", json={
            **TRADING_STAFF_FORM, "instrument": None, "enterprise_id": t.enterprise_id},
        keys=(str(t.enterprise_id),)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(trading_txn))),
    ("POST", "/api/v1/trading/allocations/permit"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/trading/allocations/permit", json={
            "enterprise_id": t.enterprise_id,
            "vintage": _SCRATCH.get(f"vintage:{t.credit_code}", 2050)},
            keys=(str(t.enterprise_id),)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(trading_txn), _permit_vintage)),
    ("GET", "/api/v1/trading/verified"): Rule(READERS, "api", one(
        "/api/v1/trading/verified", scope=LIST, visible=own_business,
        marker=lambda t: f'"enterprise_id":{t.enterprise_id},'), write=_on_ledger()),
    ("PUT", "/api/v1/trading/verified"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "PUT", "/api/v1/trading/verified", json={
            "enterprise_id": t.enterprise_id, "year": 2024, "emissions_t": str(1000 + n),
            "verifier": "matrix", "verified_on": "2025-04-30"},
        keys=(str(t.enterprise_id),)), OBJECT, visible=own_business),),
        write=Write(lambda engine, t: _rows(engine, trading_verified))),
    ("POST", "/api/v1/trading/surrenders"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/trading/surrenders", json={
            "enterprise_id": t.enterprise_id, "year": 2025, "vintage": 2025, "quantity": "1"},
        keys=(str(t.enterprise_id),)), OBJECT, visible=own_business, ok=201),),
        write=Write(_count(trading_txn), _ledger)),
    ("POST", "/api/v1/trading/transactions/{txn_id}/reversal"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call(
            "POST", f"/api/v1/trading/transactions/{_scratch('txn', t)}/reversal",
            json={"reason": "matrix"}, keys=(str(_scratch("txn", t)),)),
        OBJECT, visible=own_business, ok=201),), write=Write(_count(trading_txn), _scratch_txn)),
    ("POST", "/api/v1/trading/expiry"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/trading/expiry")),),
        write=Write(_count(trading_txn), changes=False)),
    ("GET", "/api/v1/trading/positions/{enterprise_id}"): Rule(READERS, "api", one(
        "/api/v1/trading/positions/{t.enterprise_id}", scope=OBJECT, visible=own_business,
        keys=("{t.enterprise_id}",)), write=_on_ledger()),
    ("POST", "/api/v1/trading/compliance/check"): Rule(STAFF, "api", (Variant(
        "", lambda t, n: Call("POST", "/api/v1/trading/compliance/check")),)),
    ("GET", "/api/v1/trading/market/{market}"): Rule(EVERYONE, "api", one(
        "/api/v1/trading/market/carbon")),
    # --- zoning: staff keep the layers, the soil list and emergency readiness ---
    ("GET", "/zoning"): Rule(STAFF, "page", one("/zoning")),
    ("POST", "/zoning/layers"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/layers", data={"kind": "red_line", "valid_from": "2024-01-01"})),),
        write=Write(_count(layer_version), changes=False)),  # no file: refused, nothing stored
    ("GET", "/web/api/zoning/map"): Rule(STAFF, "web", one("/web/api/zoning/map")),
    ("GET", "/zoning/check"): Rule(STAFF, "page", one("/zoning/check", params={
        "lon": "106.8", "lat": "29.6", "industry": "化工"})),
    ("GET", "/zoning/red-line"): Rule(STAFF, "page", one("/zoning/red-line")),
    ("GET", "/zoning/soil"): Rule(STAFF, "page", one("/zoning/soil")),
    ("POST", "/zoning/soil"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/soil", data={"code": f"MX-P-{n}", "name": "地块", "owner": "某",
                                      "area_m2": "10", "pollutants": "铅", "land_use": "工业",
                                      "listed_on": "2024-01-01"})),),
        write=Write(_count(soil_site))),
    ("GET", "/zoning/soil/{site_id}"): on_zoning("GET", "/zoning/soil/{id}", _soil_site,
                                                 _soil_rows),
    ("POST", "/zoning/soil/{site_id}/status"): on_zoning(
        "POST", "/zoning/soil/{id}/status", _soil_site, _soil_rows, changes=True,
        data={"status": "under_control", "on_date": "2024-02-01"}),
    ("POST", "/zoning/soil/{site_id}/land-use"): on_zoning(
        "POST", "/zoning/soil/{id}/land-use", _soil_site, _soil_rows, changes=True,
        data={"land_use": "居住用地", "on_date": "2024-02-01"}),
    ("POST", "/zoning/soil/{site_id}/documents"): on_zoning(
        "POST", "/zoning/soil/{id}/documents", _soil_site, _soil_rows,
        data={"on_date": "2024-02-01"}),  # no file: refused, nothing stored
    ("GET", "/zoning/soil/{site_id}/documents/{sha256}"): on_zoning(
        "GET", "/zoning/soil/{id}/documents/{sha}", _soil_document, _soil_rows),
    ("GET", "/zoning/emergency"): Rule(STAFF, "page", one("/zoning/emergency")),
    ("POST", "/zoning/risk-sources"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/risk-sources", data={"name": "储罐", "kind": "storage",
                                              "risk_level": "major", "substances": "苯 1",
                                              "lon": "106.8", "lat": "29.6"})),),
        write=Write(_count(risk_source))),
    ("POST", "/zoning/resources"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/resources", data={"kind": "material", "name": "吸油毡",
                                           "quantity": "10", "unit": "t", "location": "库",
                                           "lon": "106.8", "lat": "29.6"})),),
        write=Write(_count(emergency_resource))),
    ("POST", "/zoning/plans"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/plans", data={"title": "预案", "filing_no": f"MX-{n}",
                                       "filed_on": "2024-01-01"})),),
        write=Write(_count(emergency_plan))),
    ("POST", "/zoning/drills"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/drills", data={"plan_id": "1", "held_on": "2024-06-01",
                                        "scenario": "泄漏", "participants": "5"})),),
        write=Write(_count(emergency_drill), _ensure_plan)),
    ("GET", "/zoning/incidents"): Rule(STAFF, "page", one("/zoning/incidents")),
    ("POST", "/zoning/incidents"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/zoning/incidents", data={"started_at": "2025-06-01T08:00", "kind": "泄漏",
                                           "location": "某处"})),),
        write=Write(_count(incident))),
    ("GET", "/zoning/incidents/{incident_id}"): on_zoning(
        "GET", "/zoning/incidents/{id}", _incident, _incident_rows),
    ("POST", "/zoning/incidents/{incident_id}/actions"): Rule(STAFF, "page", (Variant(
        "", lambda t, n: Call("POST", f"/zoning/incidents/{ZONING[n]}/actions",
                              data={"at": "2025-06-01T09:00", "text": "到场"})),),
        write=Write(_count(incident_action), _incident)),
    ("POST", "/zoning/incidents/{incident_id}/close"): on_zoning(
        "POST", "/zoning/incidents/{id}/close", _incident, _incident_rows, changes=True,
        data={"closed_at": "2025-06-01T10:00", "closure": "结束"}),
    ("GET", "/api/v1/zoning/layers"): Rule(STAFF, "api", one("/api/v1/zoning/layers")),
    ("POST", "/api/v1/zoning/layers"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/zoning/layers", data={"kind": "red_line", "valid_from": "2024-01-01"}),
        ok=422),), write=Write(_count(layer_version), changes=False)),  # no file
    ("GET", "/api/v1/zoning/layers/{kind}.geojson"): Rule(STAFF, "api", one(
        "/api/v1/zoning/layers/red_line.geojson")),
    ("GET", "/api/v1/zoning/check"): Rule(STAFF, "api", one("/api/v1/zoning/check", params={
        "lon": 106.8, "lat": 29.6, "industry": "化工"})),
    ("GET", "/api/v1/zoning/red-line"): Rule(STAFF, "api", one("/api/v1/zoning/red-line")),
    ("GET", "/api/v1/zoning/soil-sites"): Rule(STAFF, "api", one("/api/v1/zoning/soil-sites")),
    ("POST", "/api/v1/zoning/soil-sites"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/zoning/soil-sites", json={
            "code": f"MX-A-{n}", "name": "地块", "owner": "某", "area_m2": 10,
            "pollutants": ["铅"], "land_use": "工业", "listed_on": "2024-01-01"}), ok=201),),
        write=Write(_count(soil_site))),
    ("GET", "/api/v1/zoning/soil-sites/{site_id}"): on_zoning(
        "GET", "/api/v1/zoning/soil-sites/{id}", _soil_site, _soil_rows, refusal="api"),
    ("POST", "/api/v1/zoning/soil-sites/{site_id}/status"): on_zoning(
        "POST", "/api/v1/zoning/soil-sites/{id}/status", _soil_site, _soil_rows, refusal="api",
        changes=True, json={"status": "remediation", "on_date": "2024-02-01"}),
    ("GET", "/api/v1/zoning/risk-sources"): Rule(STAFF, "api", one(
        "/api/v1/zoning/risk-sources")),
    ("GET", "/api/v1/zoning/emergency-plans"): Rule(STAFF, "api", one(
        "/api/v1/zoning/emergency-plans")),
    ("GET", "/api/v1/zoning/incidents"): Rule(STAFF, "api", one("/api/v1/zoning/incidents")),
    ("POST", "/api/v1/zoning/incidents"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/zoning/incidents", json={"started_at": "2025-06-01T08:00",
                                                  "kind": "泄漏", "location": "某处"}),
        ok=201),), write=Write(_count(incident))),
    # --- projects: the bureau runs the clock; a builder reads, creates and submits its own ---
    ("GET", "/projects"): on_project("GET", "/projects", READERS, "page", scope=LIST,
        changes=False, marker=lambda t: f'href="/projects/{_pid(t)}"'),
    ("POST", "/projects"): Rule(READERS, "page", (Variant("", lambda t, n: Call(
        "POST", "/projects", data={**PROJECT_BODY, "enterprise": t.credit_code},
        keys=(t.credit_code,)), OBJECT, ok=303),), write=Write(_project_state)),
    ("GET", "/projects/new"): Rule(READERS, "page", one("/projects/new")),
    ("POST", "/projects/check"): Rule(STAFF, "page", (Variant("", lambda t, n: Call(
        "POST", "/projects/check"), ok=303),)),
    ("GET", "/projects/schedule"): on_project("GET", "/projects/schedule", READERS, "page",
        "submitted", scope=LIST, changes=False, marker=lambda t: f'data-project="{_pid(t)}"'),
    ("GET", "/projects/report"): on_project("GET", "/projects/report", READERS, "page",
        "submitted", scope=LIST, changes=False, marker=cc,
        params={"month": "2030-01", "format": "csv"}),
    ("GET", "/projects/{project_id}"): on_project("GET", "/projects/{id}", READERS, "page",
                                                  changes=False),
    ("POST", "/projects/{project_id}/transition"): on_project(
        "POST", "/projects/{id}/transition", READERS, "page", form=True, ok=303,
        body={"to": "submitted", "on_date": "2030-01-03", "reason": "报批"}),
    ("POST", "/projects/{project_id}/pause"): on_project(
        "POST", "/projects/{id}/pause", STAFF, "page", "submitted", "accepted", form=True,
        ok=303, body={"kind": "hearing", "start": "2030-01-05", "reason": "听证"}),
    ("POST", "/projects/{project_id}/resume"): on_project(
        "POST", "/projects/{id}/resume", STAFF, "page", form=True, ok=303,
        body={"end": "2030-01-09"}, prepare=_paused_project),
    ("POST", "/projects/{project_id}/sampling"): on_project(
        "POST", "/projects/{id}/sampling", STAFF, "page", "submitted", "accepted", "approved",
        route="pledge", form=True, ok=303,
        body={"outcome": "conforming", "checked_on": "2030-03-01", "note": ""}),
    ("GET", "/api/v1/projects"): on_project("GET", "/api/v1/projects", READERS, "api",
        scope=LIST, changes=False, marker=lambda t: f'"id":{_pid(t)},'),
    ("POST", "/api/v1/projects"): Rule(READERS, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/projects", json={**PROJECT_BODY, "enterprise": t.credit_code},
        keys=(t.credit_code,)), OBJECT, ok=201),), write=Write(_project_state)),
    ("GET", "/api/v1/projects/sampling"): on_project("GET", "/api/v1/projects/sampling", STAFF,
        "api", "submitted", "accepted", "approved", route="pledge", scope=LIST, changes=False,
        marker=lambda t: f'"project_id":{_pid(t)},'),
    ("POST", "/api/v1/projects/check"): Rule(STAFF, "api", (Variant("", lambda t, n: Call(
        "POST", "/api/v1/projects/check")),)),
    ("GET", "/api/v1/projects/{project_id}"): on_project("GET", "/api/v1/projects/{id}",
                                                         READERS, "api", changes=False),
    ("POST", "/api/v1/projects/{project_id}/transitions"): on_project(
        "POST", "/api/v1/projects/{id}/transitions", READERS, "api",
        body={"to": "submitted", "on_date": "2030-01-03", "reason": "报批"}),
    ("POST", "/api/v1/projects/{project_id}/pauses"): on_project(
        "POST", "/api/v1/projects/{id}/pauses", STAFF, "api", "submitted", "accepted",
        body={"kind": "hearing", "start": "2030-01-05", "reason": "听证"}),
    ("POST", "/api/v1/projects/{project_id}/resume"): on_project(
        "POST", "/api/v1/projects/{id}/resume", STAFF, "api", body={"end": "2030-01-09"},
        prepare=_paused_project),
    ("PUT", "/api/v1/projects/{project_id}/sampling"): on_project(
        "PUT", "/api/v1/projects/{id}/sampling", STAFF, "api", "submitted", "accepted",
        "approved", route="pledge",
        body={"outcome": "conforming", "checked_on": "2030-03-01", "note": ""}),
}
# fmt: on

# --- the routes as served ---------------------------------------------------------------


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the application answers, included routers
    flattened; a mount (static files) counts as GET. HEAD is GET's twin and is left out."""
    try:  # FastAPI keeps included routers lazily; this flattens them as the router does
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:
        routes = list(app.routes)
    found = set()
    for route in routes:
        path = getattr(route, "path", None)
        if path is None:
            raise AssertionError(f"a route without a path in the route table: {route!r}")
        methods = getattr(route, "methods", None) or {"GET"}
        found |= {(method, path) for method in methods if method != "HEAD"}
    return found


SERVED = served_routes(build_app(sa.create_engine("sqlite://")))


# --- the world ---------------------------------------------------------------------------

MISSING = Target(
    name="missing", credit_code="91500000MA00000009", enterprise_name="不存在的企业",
    enterprise_id=999_999, district="", disclosed=False, outlet="DA001", point_id=999_999,
    mn="010000A8900016F0009999ZZ", pollutant="a21026", station_id=999_998,
    permit_no="91500000MA00000009001P", alert_id=999_997, mark_id=999_996, water_id=999_995,
)  # fmt: skip
COUNTER = itertools.count(100)


@dataclass
class World:
    engine: sa.Engine
    targets: dict[str, Target]
    client: TestClient
    api_tokens: dict[str, str]
    sessions: dict[str, str]

    def credentials(self, role: str, *, fresh: bool) -> tuple[str, str]:
        """(API token, session token) of the role's user; new ones when `fresh`."""
        if not fresh:
            return self.api_tokens[role], self.sessions[role]
        username = USERS[role][0]
        token = accounts.issue_api_token(self.engine, username, actor="tests").token
        _, session = accounts.login(self.engine, username, f"{username}-password",
                                    client_ip="matrix")  # fmt: skip
        return token, session

    def request(self, role: str, call: Call, *, fresh: bool = False) -> Any:
        """The call as `role` makes it: the API with a bearer token, pages with the session
        cookie, the public with neither."""
        headers = {}
        self.client.cookies.clear()
        if role != "public":
            token, session = self.credentials(role, fresh=fresh)
            if call.url.startswith("/api/"):
                headers["Authorization"] = f"Bearer {token}"
            else:
                self.client.cookies.set(SESSION_COOKIE, session)
        try:
            return self.client.request(
                call.method, call.url, params=call.params, json=call.json, data=call.data,
                files=call.files, headers=headers,
            )  # fmt: skip
        finally:
            self.client.cookies.clear()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One SQLite database for the module: the zone, a user per role, a scratch user, a webhook."""
    url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'ecozone.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(account_rules, "PASSWORD_HASHER", CHEAP_HASHER)
        engine, targets = world_data.seed(url)
        api_tokens, sessions = {}, {}
        for role, (username, stored_role, scope) in USERS.items():
            accounts.create_user(engine, username, f"{username}-password", role=stored_role,
                                 actor="tests", **scope)  # fmt: skip
            api_tokens[role] = accounts.issue_api_token(engine, username, actor="tests").token
            sessions[role] = accounts.login(engine, username, f"{username}-password",
                                            client_ip="matrix")[1]  # fmt: skip
        accounts.create_user(engine, SCRATCH_USER, "scratch-password", role="coordinator",
                             actor="tests")  # fmt: skip
    with TestClient(build_app(engine), follow_redirects=False) as client:
        world = World(engine, targets, client, api_tokens, sessions)
        hook = world.request("admin", Call("POST", "/api/v1/webhooks",
                                           json={"url": "http://127.0.0.1:9/hook"}))  # fmt: skip
        assert (hook.status_code, hook.json()["id"]) == (201, 1), hook.text
        yield world
    engine.dispose()


# --- the cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    route: tuple[str, str]
    role: str
    variant: Variant | None = None
    target: str | None = None

    @property
    def id(self) -> str:
        method, path = self.route
        name = f"{method} {path}" + (f" [{self.variant.name}]" if self.variant and
                                     self.variant.name else "")  # fmt: skip
        return "-".join(part for part in (self.role, name, self.target) if part)


def cases() -> list[Case]:
    """Every served route: role × variant × target; one failing case per unclassified route."""
    found = []
    for route in sorted(SERVED):
        rule = POLICY.get(route)
        if rule is None:
            found.append(Case(route, "any"))
            continue
        for v in rule.variants:
            for role in ROLES:
                if v.scope == OPEN:
                    found.append(Case(route, role, v))
                else:
                    found += [Case(route, role, v, target) for target in TARGETS]
    return found


CASES = cases()


def blank(response: Any, call: Call) -> str:
    """The response with the request's path and object keys blanked, to compare the answer
    for someone else's object with the answer for a missing one. A numeric id is blanked
    in JSON only: in a page, a lone "1" is as likely to be part of the layout."""
    text = response.text
    for path in {quote(call.url, safe=""), call.url}:
        text = re.sub(re.escape(path) + "(?![0-9A-Za-z])", "{path}", text)
    is_json = response.headers.get("content-type", "").startswith("application/json")
    for key in call.keys:
        if is_json or not key.isdigit():
            text = re.sub(f"(?<![0-9A-Za-z]){re.escape(key)}(?![0-9A-Za-z])", "{key}", text)
    return text


def assert_refused_by_role(response: Any, role: str, refusal: str) -> None:
    if refusal == "page" and role == "public":
        assert response.status_code == 303, response.text[:300]
        assert response.headers["location"].startswith("/login?next=")
    elif role == "public":
        assert response.status_code == 401, response.text[:300]
        if refusal == "api":
            assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code == 403, response.text[:300]


#: Cases where today's code does not do what POLICY says, by case id, with the reason: each
#: is a strict xfail, so it fails the run once the code is fixed and the entry must go.
KNOWN_BUGS: dict[str, str] = {}


def roles_of(rule: Rule, v: Variant) -> frozenset[str]:
    return v.roles if v.roles is not None else rule.roles


def first_allowed(case: Case, rule: Rule, targets: dict[str, Target]) -> bool:
    """Whether `case` is the first (in ROLES and TARGETS order) that may read its variant."""
    assert case.variant is not None
    for role in ROLES:
        for target in TARGETS if case.variant.scope != OPEN else (None,):
            t = targets[target] if target else None
            if role in roles_of(rule, case.variant) and (
                t is None or case.variant.visible(role, t)
            ):
                return (role, target) == (case.role, case.target)
    return False


def params(found: list[Case]) -> list[Any]:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True,
                                                                reason=KNOWN_BUGS[case.id])]
                     if case.id in KNOWN_BUGS else [])
        for case in found
    ]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_access(world: World, case: Case) -> None:
    rule = POLICY.get(case.route)
    if rule is None:
        method, path = case.route
        pytest.fail(f"{method} {path} is served but not in the access matrix: classify this "
                    f"route in POLICY (tests/accounts/test_access_matrix.py)")  # fmt: skip
    v = case.variant
    assert v is not None
    n = next(COUNTER)
    target = world.targets[case.target] if case.target else world.targets["own"]
    allowed = case.role in roles_of(rule, v)
    in_scope = v.scope != OBJECT or sees(case.role, target)
    if v.heavy and allowed and in_scope and not first_allowed(case, rule, world.targets):
        pytest.skip(v.heavy)
    if rule.write is not None and rule.write.prepare is not None:
        target = rule.write.prepare(world.engine, target, n)
    before = rule.write.probe(world.engine, target) if rule.write else None
    call = v.call(target, n)
    response = world.request(case.role, call, fresh=rule.fresh_credentials)

    def unchanged() -> None:
        if rule.write is not None:
            assert rule.write.probe(world.engine, target) == before, "a refused write changed"

    if not allowed:
        assert_refused_by_role(response, case.role, rule.refusal)
        unchanged()
        return
    if not in_scope:
        missing = MISSING
        if rule.write is not None and rule.write.prepare is not None:
            missing = rule.write.prepare(world.engine, MISSING, n)
        missing_call = v.call(missing, next(COUNTER))
        reference = world.request(case.role, missing_call, fresh=rule.fresh_credentials)
        assert reference.status_code == 404, reference.text[:300]
        assert (response.status_code, blank(response, call)) == (
            reference.status_code, blank(reference, missing_call),
        ), "someone else's object must answer exactly like a missing one"  # fmt: skip
        unchanged()
        return
    if v.scope == OBJECT and not v.visible(case.role, target):
        # The enterprise is disclosed to this viewer, but this part of its file is not.
        assert response.status_code == 404, response.text[:300]
        unchanged()
        return
    ok = v.ok.get(case.role, 200) if isinstance(v.ok, dict) else v.ok
    assert response.status_code == ok, response.text[:500]
    if rule.write is not None and rule.write.changes:
        assert rule.write.probe(world.engine, target) != before, "the allowed write did nothing"
    if v.scope == LIST and v.marker is not None and ok == 200:
        shown = v.marker(target) in response.text
        assert shown == v.visible(case.role, target), (
            f"{v.marker(target)!r} {'listed' if shown else 'not listed'} for {case.role}"
        )


def test_every_policy_entry_is_a_served_route() -> None:
    stale = sorted(set(POLICY) - SERVED)
    assert stale == [], f"POLICY classifies routes the application no longer serves: {stale}"


def test_an_unclassified_route_is_named() -> None:
    """The check is generated from the route table: a route added to the app shows up."""
    app = build_app(sa.create_engine("sqlite://"))

    @app.get("/api/v1/test-unclassified/{thing_id}")
    def unclassified(thing_id: int) -> dict:
        return {}

    assert served_routes(app) - SERVED == {("GET", "/api/v1/test-unclassified/{thing_id}")}


# --- across objects: a write naming one's own enterprise and someone else's object ------


def test_a_permit_outside_the_scope_cannot_be_replaced_or_revealed_by_naming_ones_own(
    world: World,
) -> None:
    own, other = world.targets["own"], world.targets["other_district"]
    before = _permit_rows(world.engine, other)
    call = Call("PUT", f"/api/v1/permits/{other.permit_no}",
                json=_permit_body(own, other.permit_no))  # fmt: skip
    response = world.request("district", call)
    assert _permit_rows(world.engine, other) == before
    seen_by_get = world.request("district", Call("GET", f"/api/v1/permits/{other.permit_no}"))
    assert seen_by_get.status_code == 404
    assert (response.status_code, response.json()) == (404, seen_by_get.json())
