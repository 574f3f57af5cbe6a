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
from ecozone.quality import service as quality_service
from ecozone.store.schema import (
    alert,
    alert_attachment,
    auth_token,
    construction_site,
    data_mark,
    dust_inspection,
    dust_monitor,
    dust_rule,
    honking_event,
    inspection_campaign,
    inspector,
    inspector_conflict,
    night_approval,
    noise_station,
    permit,
    permit_limit,
    plan_progress,
    power_facility,
    power_meter,
    sewer_monitor,
    stored_file,
    supervision_listing,
    user_account,
    water_section,
    weather_warning,
    webhook,
)
from ecozone.store.schema import alert_action as alert_action_table
from ecozone.supervision import service as supervision
from ecozone.supervision.model import SupervisionSettings

# --- who asks -------------------------------------------------------------------------

#: role name -> (username, stored role, scope); "public" is the anonymous visitor.
USERS = {
    "admin": ("m-admin", "admin", {}),
    "city": ("m-city", "supervisor", {}),
    "district": ("m-district", "supervisor", {"district": DISTRICT_A}),
    "enterprise": ("m-enterprise", "enterprise", {"enterprises": [world_data.POWER]}),
    "coordinator": ("m-coordinator", "coordinator", {}),
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


def sees(role: str, t: Target) -> bool:
    """Read access to an enterprise's registry entry and monitoring data."""
    if role in ("admin", "city"):
        return True
    if role == "district":
        return t.district == DISTRICT_A
    if role == "enterprise":
        return t.name == "own"
    return t.disclosed  # coordinator, public


def own_business(role: str, t: Target) -> bool:
    """Alerts, their handling and data marks: the viewer's own business, never disclosed."""
    return role not in ("coordinator", "public") and sees(role, t)


# --- the policy -------------------------------------------------------------------------

OPEN, OBJECT, LIST = "open", "object", "list"


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    keys: tuple[str, ...] = ()  # object keys in the request, blanked to compare with a missing one


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
    return f"/points/{t.station_id}"


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


NOW = datetime.now(UTC)
PDF_REASON = (
    "printing a PDF takes seconds: the first allowed case prints it; the others are refused or "
    "allowed by the same check before the format is chosen, which the html/xlsx cases exercise"
)
SCRATCH_USER = "m-scratch"

# fmt: off
POLICY: dict[tuple[str, str], Rule] = {
    # --- web pages ----------------------------------------------------------------------
    ("GET", "/"): Rule(EVERYONE, "page", one("/", scope=LIST, marker=link,
                                                ok={"enterprise": 303, "coordinator": 303})),
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
                headers=headers,
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
