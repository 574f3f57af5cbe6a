"""The emergency-readiness pages: risk sources, emergency resources and filed plans with their
review state and drills, each with its form (/zoning/emergency); the incident log with the
form to open one (/zoning/incidents) and an incident's page with its actions and closure.
Risk sources and resources are drawn on the zoning map. Staff only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer
from ecozone.zoning import emergency
from ecozone.zoning.messages import refusal
from ecozone.zoning.model import PlanState, ResourceKind, RiskLevel, SourceKind
from ecozone.zoning.views import GROUP

router = APIRouter(include_in_schema=False)

shell.add_menu(
    MenuEntry("nav.emergency", "/zoning/emergency", SUPERVISING_ROLES, 65, GROUP),
    MenuEntry("nav.incidents", "/zoning/incidents", SUPERVISING_ROLES, 66, GROUP),
)

add_texts(
    {
        "nav.emergency": ("环境应急准备", "Emergency readiness"),
        "nav.incidents": ("突发环境事件", "Incidents"),
        "em.title": ("环境应急准备", "Emergency readiness"),
        "em.lead": (
            "环境风险源及其危险物质、备案的突发环境事件应急预案（每三年回顾评估，临期和过期标记）与演练记录、应急物资和队伍。",
            "Risk sources and their hazardous substances, filed emergency plans (reviewed "
            "every three years; expiring and expired flagged) with drills, and resources.",
        ),
        "em.sources": ("环境风险源", "Risk sources"),
        "em.sources_none": ("尚无风险源。", "No risk source yet."),
        "em.add_source": ("登记风险源", "Add a risk source"),
        "em.source_added": ("风险源已登记。", "Risk source added."),
        "em.name": ("名称", "Name"),
        "em.kind": ("类型", "Kind"),
        "em.kind.enterprise": ("企业", "Enterprise"),
        "em.kind.pipeline": ("油气输运管线", "Oil/gas pipeline"),
        "em.kind.storage": ("重化工储运站点", "Chemical storage"),
        "em.kind.site": ("其他场所", "Other site"),
        "em.level": ("风险等级", "Risk level"),
        "em.level.general": ("一般", "General"),
        "em.level.larger": ("较大", "Larger"),
        "em.level.major": ("重大", "Major"),
        "em.substances": (
            "危险物质及最大存在量（每行：名称 吨数）",
            "Substances (per line: name t)",
        ),
        "em.credit_code": ("企业统一社会信用代码（可空）", "Enterprise credit code (optional)"),
        "em.enterprise": ("企业", "Enterprise"),
        "em.resources": ("应急资源", "Emergency resources"),
        "em.resources_none": ("尚无应急资源。", "No resource yet."),
        "em.add_resource": ("登记应急资源", "Add a resource"),
        "em.resource_added": ("应急资源已登记。", "Resource added."),
        "em.rkind.material": ("应急物资", "Material"),
        "em.rkind.team": ("应急队伍", "Team"),
        "em.rkind.equipment": ("应急装备", "Equipment"),
        "em.quantity": ("数量", "Quantity"),
        "em.unit": ("单位", "Unit"),
        "em.location": ("存放地点", "Location"),
        "em.contact": ("联系人", "Contact"),
        "em.plans": ("突发环境事件应急预案", "Emergency plans"),
        "em.plans_none": ("尚无备案预案。", "No plan filed yet."),
        "em.add_plan": ("登记备案预案", "Record a filed plan"),
        "em.plan_added": ("预案已登记。", "Plan recorded."),
        "em.plan_title": ("预案名称", "Plan"),
        "em.filing_no": ("备案编号", "Filing no."),
        "em.filed_on": ("备案日期", "Filed on"),
        "em.valid_until": ("回顾评估期限", "Review due"),
        "em.valid_until_help": ("（空：备案后三年）", "(blank: three years after filing)"),
        "em.risk_source": ("风险源", "Risk source"),
        "em.state": ("状态", "State"),
        "em.state.current": ("有效", "Current"),
        "em.state.expiring": ("即将到期", "Expiring"),
        "em.state.expired": ("已过期", "Expired"),
        "em.last_drill": ("最近演练", "Last drill"),
        "em.add_drill": ("登记演练", "Record a drill"),
        "em.drill_added": ("演练已登记。", "Drill recorded."),
        "em.plan": ("预案", "Plan"),
        "em.held_on": ("演练日期", "Held on"),
        "em.scenario": ("演练情景", "Scenario"),
        "em.participants": ("参演人数", "Participants"),
        "em.findings": ("发现问题", "Findings"),
        "em.drills": ("演练记录", "Drills"),
        "em.refused": ("未保存：{error}", "Not saved: {error}"),
        "inc.title": ("突发环境事件", "Environmental incidents"),
        "inc.none": ("尚无事件。", "No incident logged."),
        "inc.open": ("登记事件", "Log an incident"),
        "inc.opened": ("事件已登记。", "Incident logged."),
        "inc.started_at": ("发生时间", "Started"),
        "inc.kind": ("事件类型", "Type"),
        "inc.location": ("地点", "Location"),
        "inc.alert": ("关联报警编号", "Alert id"),
        "inc.state": ("状态", "State"),
        "inc.state.open": ("处置中", "Open"),
        "inc.state.closed": ("已结束", "Closed"),
        "inc.actions": ("处置措施", "Actions"),
        "inc.add_action": ("记录处置措施", "Record an action"),
        "inc.action_added": ("处置措施已记录。", "Action recorded."),
        "inc.at": ("时间", "Time"),
        "inc.text": ("措施", "Action"),
        "inc.close": ("结束事件", "Close the incident"),
        "inc.close_confirm": (
            "确定结束该事件？结束后不再记录处置措施。",
            "Close it? No action is recorded after.",
        ),
        "inc.closed": ("事件已结束。", "Incident closed."),
        "inc.closed_at": ("结束时间", "Closed"),
        "inc.closure": ("处置结果", "Closure"),
        "inc.no_actions": ("尚无处置措施。", "No action yet."),
    }
)


def _refused(lang: str, exc: EcozoneError) -> str:
    return t(lang, "em.refused", error=refusal(str(exc), lang))


def _substances(items: list[dict[str, Any]]) -> str:
    return "；".join(f"{s['name']} {s['quantity_t']:g} t" for s in items)


def _page(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    settings = config.emergency_settings()
    today = emergency.today_cst()
    found = emergency.risk_sources(engine)
    sources = shell.make_table(
        "risk-sources", lang,
        (("name", "em.name"), ("kind_text", "em.kind"), ("level_text", "em.level"),
         ("substances_text", "em.substances"), ("enterprise", "em.enterprise")),
        [{**s, "kind_text": t(lang, f"em.kind.{s['kind']}"),
          "level_text": t(lang, f"em.level.{s['risk_level']}"),
          "substances_text": _substances(s["substances"]), "enterprise": s["enterprise"] or ""}
         for s in found],
    )  # fmt: skip
    resources = shell.make_table(
        "emergency-resources", lang,
        (("kind_text", "em.kind"), ("name", "em.name"), ("quantity", "em.quantity"),
         ("unit", "em.unit"), ("location", "em.location"), ("contact", "em.contact")),
        [{**r, "kind_text": t(lang, f"em.rkind.{r['kind']}"), "quantity": f"{r['quantity']:g}"}
         for r in emergency.resources(engine)],
    )  # fmt: skip
    plan_rows = emergency.plans(engine, today, settings)
    plans = shell.make_table(
        "emergency-plans", lang,
        (("title", "em.plan_title"), ("filing_no", "em.filing_no"), ("filed_on", "em.filed_on"),
         ("valid_until", "em.valid_until"), ("state_text", "em.state"),
         ("risk_source", "em.risk_source"), ("last_drill", "em.last_drill")),
        [{**p, "state_text": t(lang, f"em.state.{p['state']}"),
          "risk_source": p["risk_source"] or "",
          "_class": f"plan-{p['state']}" if p["state"] != PlanState.CURRENT else ""}
         for p in plan_rows],
    )  # fmt: skip
    drills = shell.make_table(
        "emergency-drills", lang,
        (("plan", "em.plan"), ("held_on", "em.held_on"), ("scenario", "em.scenario"),
         ("participants", "em.participants"), ("findings", "em.findings")),
        [{**d, "plan": p["title"], "findings": d["findings"] or ""}
         for p in plan_rows for d in p["drills"]],
    )  # fmt: skip
    return shell.render(
        request, principal, lang, "zoning/emergency.html", sources=sources,
        resources=resources, plans=plans, drills=drills, source_list=found,
        plan_list=plan_rows, source_kinds=tuple(SourceKind), levels=tuple(RiskLevel),
        resource_kinds=tuple(ResourceKind), today=today.isoformat(),
        typed=extra.pop("typed", None) or {}, **extra,
    )  # fmt: skip


def _gate(request: Request, principal: Any, lang: str) -> Response | None:
    return shell.refused(request, principal, lang, SUPERVISING_ROLES)


@router.get("/zoning/emergency", response_class=HTMLResponse)
def emergency_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _gate(request, principal, lang) or _page(request, principal, lang, engine)


@router.post("/zoning/risk-sources", response_class=HTMLResponse)
def add_source(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    name: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
    risk_level: Annotated[str, Form()] = "", substances: Annotated[str, Form()] = "",
    lon: Annotated[str, Form()] = "", lat: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    typed = {"name": name, "kind": kind, "risk_level": risk_level, "substances": substances,
             "lon": lon, "lat": lat, "credit_code": credit_code}  # fmt: skip
    try:
        emergency.add_risk_source(engine, **typed, actor=principal.username)
    except EcozoneError as exc:
        return _page(request, principal, lang, engine, typed=typed,
                     source_error=_refused(lang, exc))  # fmt: skip
    return _page(request, principal, lang, engine, notice=t(lang, "em.source_added"))


@router.post("/zoning/resources", response_class=HTMLResponse)
def add_resource(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    kind: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "", unit: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "", lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "", contact: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    typed = {"kind": kind, "name": name, "quantity": quantity, "unit": unit,
             "location": location, "lon": lon, "lat": lat, "contact": contact}  # fmt: skip
    try:
        emergency.add_resource(engine, **typed, actor=principal.username)
    except EcozoneError as exc:
        return _page(request, principal, lang, engine, resource_typed=typed,
                     resource_error=_refused(lang, exc))  # fmt: skip
    return _page(request, principal, lang, engine, notice=t(lang, "em.resource_added"))


@router.post("/zoning/plans", response_class=HTMLResponse)
def file_plan(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    title: Annotated[str, Form()] = "", filing_no: Annotated[str, Form()] = "",
    filed_on: Annotated[str, Form()] = "", valid_until: Annotated[str, Form()] = "",
    risk_source_id: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    typed = {"title": title, "filing_no": filing_no, "filed_on": filed_on,
             "valid_until": valid_until or None, "risk_source_id": risk_source_id}  # fmt: skip
    try:
        emergency.file_plan(engine, **typed, settings=config.emergency_settings(),
                            actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _page(request, principal, lang, engine, plan_typed=typed,
                     plan_error=_refused(lang, exc))  # fmt: skip
    return _page(request, principal, lang, engine, notice=t(lang, "em.plan_added"))


@router.post("/zoning/drills", response_class=HTMLResponse)
def record_drill(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    plan_id: Annotated[str, Form()] = "", held_on: Annotated[str, Form()] = "",
    scenario: Annotated[str, Form()] = "", participants: Annotated[str, Form()] = "",
    findings: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    try:
        if not plan_id.strip().isdigit():
            raise WebError(t(lang, "em.plan"))
        emergency.record_drill(engine, int(plan_id), held_on=held_on, scenario=scenario,
                               participants=participants, findings=findings,
                               actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _page(request, principal, lang, engine, drill_error=_refused(lang, exc))
    return _page(request, principal, lang, engine, notice=t(lang, "em.drill_added"))


# --- incidents ----------------------------------------------------------------------------


def _incidents(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    table = shell.make_table(
        "incidents", lang,
        (("started_at", "inc.started_at"), ("kind", "inc.kind"), ("location", "inc.location"),
         ("risk_source", "em.risk_source"), ("alert_id", "inc.alert"),
         ("state_text", "inc.state"), ("closed_at", "inc.closed_at")),
        [{**i, "risk_source": i["risk_source"] or "",
          "started_at": f"{i['started_at']:%Y-%m-%d %H:%M}",
          "closed_at": f"{i['closed_at']:%Y-%m-%d %H:%M}" if i["closed_at"] else "",
          "state_text": t(lang, f"inc.state.{i['state']}"),
          "_href": {"started_at": f"/zoning/incidents/{i['id']}"}}
         for i in emergency.incidents(engine)],
    )  # fmt: skip
    return shell.render(request, principal, lang, "zoning/incidents.html", table=table,
                        sources=emergency.risk_sources(engine),
                        typed=extra.pop("typed", None) or {}, **extra)  # fmt: skip


@router.get("/zoning/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _gate(request, principal, lang) or _incidents(request, principal, lang, engine)


@router.post("/zoning/incidents", response_class=HTMLResponse)
def open_incident(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    started_at: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "", lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "", risk_source_id: Annotated[str, Form()] = "",
    alert_id: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    typed = {"started_at": started_at, "kind": kind, "location": location, "lon": lon,
             "lat": lat, "risk_source_id": risk_source_id, "alert_id": alert_id}  # fmt: skip
    try:
        made = emergency.open_incident(engine, **typed, actor=principal.username)
    except EcozoneError as exc:
        return _incidents(request, principal, lang, engine, typed=typed,
                          error=_refused(lang, exc))  # fmt: skip
    return _incident(request, principal, lang, engine, made["id"], notice=t(lang, "inc.opened"))


def _incident(
    request: Request, principal: Any, lang: str, engine: Any, incident_id: int, **extra: Any
) -> Response:
    try:
        found = emergency.incident_of(engine, incident_id)
    except EcozoneError as exc:
        error = WebError(str(exc))
        error.status_code = exc.http_status
        return shell.error_page(request, principal, lang, error)
    table = shell.make_table(
        "incident-actions", lang,
        (("at", "inc.at"), ("text", "inc.text"), ("actor", "soil.actor")),
        [{**a, "at": f"{a['at']:%Y-%m-%d %H:%M}"} for a in found["actions"]],
    )  # fmt: skip
    return shell.render(request, principal, lang, "zoning/incident.html", incident=found,
                        table=table, **extra)  # fmt: skip


@router.get("/zoning/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, incident_id: int
) -> Response:
    return _gate(request, principal, lang) or _incident(
        request, principal, lang, engine, incident_id
    )


@router.post("/zoning/incidents/{incident_id}/actions", response_class=HTMLResponse)
def add_action(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, incident_id: int,
    at: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    try:
        emergency.add_action(engine, incident_id, at=at, text=text, actor=principal.username)
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _incident(request, principal, lang, engine, incident_id)
        return _incident(request, principal, lang, engine, incident_id,
                         action_error=_refused(lang, exc))  # fmt: skip
    return _incident(request, principal, lang, engine, incident_id,
                     notice=t(lang, "inc.action_added"))  # fmt: skip


@router.post("/zoning/incidents/{incident_id}/close", response_class=HTMLResponse)
def close_incident(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, incident_id: int,
    closed_at: Annotated[str, Form()] = "", closure: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := _gate(request, principal, lang)) is not None:
        return refused
    try:
        emergency.close_incident(engine, incident_id, closed_at=closed_at, closure=closure,
                                 actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _incident(request, principal, lang, engine, incident_id)
        return _incident(request, principal, lang, engine, incident_id,
                         close_error=_refused(lang, exc))  # fmt: skip
    return _incident(request, principal, lang, engine, incident_id,
                     notice=t(lang, "inc.closed"))  # fmt: skip
