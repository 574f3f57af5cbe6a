"""The supervision pages: campaigns (list, create, detail with the commitment, the draw and
the record), the inspector pool, the listings, and the public results (一公开, no login).

Forms call the same use cases as the API and the CLI; a refused form comes back with the
message in Chinese and what was typed. Staff only, a district supervisor their district.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.supervision import inspection_reads, service
from ecozone.supervision.model import Category, ListingKind
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
GROUP = "nav.group.supervision"
EVERYONE = ("public", "admin", "supervisor", "enterprise", "coordinator")

shell.add_menu(
    MenuEntry("nav.campaigns", "/supervision", SUPERVISING_ROLES, 40, GROUP),
    MenuEntry("nav.inspectors", "/supervision/inspectors", SUPERVISING_ROLES, 41, GROUP),
    MenuEntry("nav.listings", "/supervision/listings", SUPERVISING_ROLES, 42, GROUP),
    MenuEntry("nav.inspection_results", "/inspections", EVERYONE, 43, GROUP),
)

add_texts(
    {
        "nav.group.supervision": ("监督执法", "Supervision"),
        "nav.campaigns": ("双随机抽查", "Random inspections"),
        "nav.inspectors": ("执法人员名录库", "Inspector pool"),
        "nav.listings": ("正面清单与免检", "Positive list and exemptions"),
        "nav.inspection_results": ("抽查结果公开", "Inspection results"),
        "sup.campaigns": ("双随机抽查计划", "Random inspection campaigns"),
        "sup.lead": (
            "随机抽取检查对象、随机选派执法检查人员，抽查结果及时公开。抽取前公布输入和种子承诺值，抽取后公开种子，任何人可复核。",
            "Targets and inspectors drawn at random, results public. The inputs and the "
            "seed's commitment are shown before the draw and the seed after it, so anyone "
            "can rerun it.",
        ),
        "sup.none": ("尚无抽查计划。", "No campaign yet."),
        "sup.create": ("新建抽查计划", "New campaign"),
        "sup.name": ("名称", "Name"),
        "sup.scope": ("范围", "Scope"),
        "sup.whole_zone": ("全区", "Whole zone"),
        "sup.period": ("检查期间", "Period"),
        "sup.start": ("开始日期", "Start"),
        "sup.end": ("结束日期", "End"),
        "sup.quota": (
            "抽查比例或数量（如 5% 或 3，留空不抽）",
            "Ratio or count (5% or 3; blank: none)",
        ),
        "sup.triggered": (
            "触发现场检查的企业（统一社会信用代码，每行一个）",
            "Triggered on-site checks (credit codes, one a line)",
        ),
        "sup.state": ("状态", "State"),
        "sup.state.committed": ("待抽取", "Committed"),
        "sup.state.drawn": ("已抽取", "Drawn"),
        "sup.commitment": ("种子承诺值 SHA-256", "Seed commitment (SHA-256)"),
        "sup.inputs_sha256": ("输入 SHA-256", "Inputs SHA-256"),
        "sup.seed": ("种子（抽取后公开）", "Seed (revealed after the draw)"),
        "sup.draw": ("抽取", "Draw"),
        "sup.draw_confirm": (
            "确定现在抽取？每个抽查计划只能抽取一次，结果不可重抽。",
            "Draw now? A campaign is drawn once; it cannot be redrawn.",
        ),
        "sup.drawn": ("已抽取，种子已公开。", "Drawn; the seed is revealed."),
        "sup.created": (
            "抽查计划已创建，输入和种子承诺值已公布。",
            "Campaign created; its inputs and commitment are published.",
        ),
        "sup.record": ("下载抽取记录（JSON）", "Download the draw record (JSON)"),
        "sup.verify_help": (
            "复核：ecozone inspect verify 记录文件",
            "Verify: ecozone inspect verify FILE",
        ),
        "sup.candidates": ("抽取输入：检查对象", "Inputs: targets"),
        "sup.pool": ("抽取输入：执法人员", "Inputs: inspectors"),
        "sup.result": ("抽取结果", "Result"),
        "sup.category": ("类别", "Category"),
        "sup.category.key": ("重点排污单位", "Key discharger"),
        "sup.category.attention": ("特殊监管对象", "Special attention"),
        "sup.category.general": ("一般排污单位", "General unit"),
        "sup.status": ("抽取资格", "Status"),
        "sup.status.eligible": ("参与抽取", "In the draw"),
        "sup.status.triggered": ("触发检查（必检）", "Triggered (always in)"),
        "sup.status.capped": ("已达检查频次上限", "Cap reached"),
        "sup.status.pledged": ("承诺免检", "Pledge-based exemption"),
        "sup.weight": ("权重", "Weight"),
        "sup.credit_level": ("上年度信用等级", "Credit level (last year)"),
        "credit.level.honest": ("诚信", "Honest"),
        "credit.level.good": ("良好", "Good"),
        "credit.level.warning": ("警示", "Warning"),
        "credit.level.poor": ("不良", "Poor"),
        "sup.open_alerts": ("未办结报警", "Open alerts"),
        "sup.positive": ("正面清单", "Positive list"),
        "sup.date": ("检查日期", "Date"),
        "sup.inspectors": ("执法检查人员", "Inspectors"),
        "sup.conflicts": ("回避企业", "Recuses from"),
        "sup.pool_title": ("执法检查人员名录库", "Inspector pool"),
        "sup.pool_none": ("名录库为空。", "The pool is empty."),
        "sup.person": ("姓名", "Name"),
        "sup.unit": ("单位", "Unit"),
        "sup.certificate": ("执法证号", "Certificate"),
        "sup.add_inspector": ("加入名录库", "Add to the pool"),
        "sup.inspector_added": ("已加入名录库。", "Added to the pool."),
        "sup.declare_conflict": ("登记回避", "Declare a conflict"),
        "sup.conflict_added": ("已登记回避。", "Conflict declared."),
        "sup.inspector": ("执法人员", "Inspector"),
        "sup.reason": ("理由", "Reason"),
        "sup.listings_title": (
            "正面清单、承诺免检与特殊监管对象",
            "Positive list, exemptions, special attention",
        ),
        "sup.listings_none": ("暂无记录。", "Nothing listed."),
        "sup.kind": ("清单", "List"),
        "sup.kind.positive": ("监督执法正面清单", "Positive list"),
        "sup.kind.pledge": ("承诺免检", "Pledge-based exemption"),
        "sup.kind.attention": ("特殊监管对象", "Special attention"),
        "sup.valid_from": ("起始日期", "From"),
        "sup.valid_to": ("截止日期", "To"),
        "sup.add_listing": ("加入清单", "Add"),
        "sup.listing_added": ("已加入清单。", "Listed."),
        "sup.public_title": ("“双随机、一公开”抽查结果", "Random inspection results"),
        "sup.public_none": ("暂无已公开的抽查结果。", "No result published yet."),
        "sup.bad_quota": ("{category}：抽查比例或数量应写作 5% 或 3", "{category}: write 5% or 3"),
    }
)


def _staff(request: Request, principal: Any) -> Response | None:
    return shell.gate(request, principal, SUPERVISING_ROLES)


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _guarded(request: Request, principal: Any, lang: str) -> Response | None:
    try:
        return _staff(request, principal)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)


# --- campaigns ---------------------------------------------------------------------------


@router.get("/supervision", response_class=HTMLResponse)
def campaigns_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _guarded(request, principal, lang) or _campaigns(request, principal, lang, engine)


def _campaigns(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    table = shell.make_table(
        "inspection-campaigns", lang,
        (("name", "sup.name"), ("scope", "sup.scope"), ("period", "sup.period"),
         ("state_text", "sup.state"), ("commitment", "sup.commitment")),
        [{**c, "scope": c["district"] or t(lang, "sup.whole_zone"),
          "period": f"{c['period_start']} – {c['period_end']}",
          "state_text": t(lang, f"sup.state.{c['state']}"),
          "_href": {"name": f"/supervision/campaigns/{c['id']}"}}
         for c in service.campaigns(engine, principal.scope)],
    )  # fmt: skip
    settings = config.supervision_settings()
    defaults = {
        "quota_key": f"{settings.default_key_ratio * 100:g}%",
        "quota_attention": f"{settings.default_attention_ratio * 100:g}%",
        "quota_general": f"{settings.default_general_ratio * 100:g}%",
    }
    return shell.render(
        request, principal, lang, "supervision/campaigns.html", table=table,
        districts=service.districts(engine, principal.scope), categories=tuple(Category),
        fixed_district=principal.scope.district_id is not None,
        typed=extra.pop("typed", None) or defaults, **extra,
    )  # fmt: skip


def _quota(lang: str, category: str, text: str) -> dict[str, float] | None:
    text = text.strip().replace("％", "%")
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%|(\d+)", text)
    if not match:
        raise WebError(t(lang, "sup.bad_quota", category=t(lang, f"sup.category.{category}")))
    return {"ratio": float(match[1]) / 100} if match[1] else {"count": int(match[2])}


@router.post("/supervision/campaigns", response_class=HTMLResponse)
def create_campaign(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    name: Annotated[str, Form()] = "",
    district: Annotated[str, Form()] = "",
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
    quota_key: Annotated[str, Form()] = "",
    quota_attention: Annotated[str, Form()] = "",
    quota_general: Annotated[str, Form()] = "",
    triggered: Annotated[str, Form()] = "",
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    typed = {"name": name, "district": district, "period_start": period_start,
             "period_end": period_end, "quota_key": quota_key,
             "quota_attention": quota_attention, "quota_general": quota_general,
             "triggered": triggered}  # fmt: skip
    try:
        quotas = {c: q for c in Category
                  if (q := _quota(lang, c, typed[f"quota_{c}"])) is not None}  # fmt: skip
        made = service.create_campaign(
            engine, name=name, period_start=period_start, period_end=period_end, quotas=quotas,
            district=district or None, triggered=triggered.split(),
            settings=config.supervision_settings(), actor=principal.username,
            scope=principal.scope,
        )  # fmt: skip
    except EcozoneError as exc:
        return _campaigns(request, principal, lang, engine, error=str(exc), typed=typed)
    return RedirectResponse(f"/supervision/campaigns/{made['id']}?created=1", status_code=303)


@router.get("/supervision/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, campaign_id: int
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    notice = None
    if request.query_params.get("created"):
        notice = t(lang, "sup.created")
    elif request.query_params.get("drawn"):
        notice = t(lang, "sup.drawn")
    return _campaign(request, principal, lang, engine, campaign_id, notice=notice)


def _campaign(
    request: Request, principal: Any, lang: str, engine: Any, campaign_id: int, **extra: Any
) -> Response:
    try:
        c = service.campaign(engine, campaign_id, principal.scope)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    inputs = c["inputs"]
    names = {i["id"]: i["name"] for i in inputs["inspectors"]}
    candidates = shell.make_table(
        "campaign-candidates", lang,
        (("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("category_text", "sup.category"), ("status_text", "sup.status"),
         ("open_alerts", "sup.open_alerts"), ("positive_text", "sup.positive"),
         ("credit_text", "sup.credit_level"), ("weight", "sup.weight")),
        [{**x, "category_text": t(lang, f"sup.category.{x['category']}"),
          "credit_text": t(lang, f"credit.level.{x['credit_level']}")
          if x.get("credit_level") else "",
          "status_text": t(lang, f"sup.status.{x['status']}"),
          "positive_text": t(lang, "yes") if x["positive"] else ""}
         for x in inputs["candidates"]],
    )  # fmt: skip
    pool = shell.make_table(
        "campaign-inspectors", lang,
        (("name", "sup.person"), ("unit", "sup.unit"), ("certificate_no", "sup.certificate")),
        inputs["inspectors"],
    )  # fmt: skip
    result = None
    if c["state"] == "drawn":
        result = shell.make_table(
            "campaign-result", lang,
            (("date", "sup.date"), ("name", "col.enterprise"), ("credit_code", "col.credit_code"),
             ("category_text", "sup.category"), ("team", "sup.inspectors")),
            [{**i, "category_text": t(lang, f"sup.category.{i['category']}"),
              "team": "、".join(names[x] for x in i["inspectors"])}
             for i in c["result"]["inspections"]],
        )  # fmt: skip
    return shell.render(
        request, principal, lang, "supervision/campaign.html", campaign=c,
        scope_text=c["district"] or t(lang, "sup.whole_zone"),
        quotas=inputs["quotas"], candidates=candidates, pool=pool, result=result, **extra,
    )  # fmt: skip


@router.post("/supervision/campaigns/{campaign_id}/draw", response_class=HTMLResponse)
def draw(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, campaign_id: int
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    try:
        service.draw_campaign(engine, campaign_id, actor=principal.username,
                              scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _error(request, principal, lang, exc)
        return _campaign(request, principal, lang, engine, campaign_id, error=str(exc))
    return RedirectResponse(f"/supervision/campaigns/{campaign_id}?drawn=1", status_code=303)


@router.get("/supervision/campaigns/{campaign_id}/record.json")
def record(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, campaign_id: int
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    try:
        doc = service.draw_record(engine, campaign_id, principal.scope)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    body = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    name = f"draw-record-{campaign_id}.json"
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


# --- the pool and the listings ---------------------------------------------------------------


@router.get("/supervision/inspectors", response_class=HTMLResponse)
def inspectors_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _guarded(request, principal, lang) or _inspectors(request, principal, lang, engine)


def _inspectors(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    people = service.inspectors(engine, principal.scope)
    table = shell.make_table(
        "inspectors", lang,
        (("id", "col.code"), ("name", "sup.person"), ("unit", "sup.unit"),
         ("district_text", "col.district"), ("certificate_no", "sup.certificate"),
         ("conflicts_text", "sup.conflicts")),
        [{**p, "district_text": p["district"] or t(lang, "sup.whole_zone"),
          "conflicts_text": "；".join(f"{c['name']}（{c['reason']}）" for c in p["conflicts"])}
         for p in people],
    )  # fmt: skip
    return shell.render(
        request, principal, lang, "supervision/inspectors.html", table=table, people=people,
        districts=service.districts(engine, principal.scope),
        fixed_district=principal.scope.district_id is not None, **extra,
    )  # fmt: skip


@router.post("/supervision/inspectors", response_class=HTMLResponse)
def add_inspector(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    name: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    certificate_no: Annotated[str, Form()] = "",
    district: Annotated[str, Form()] = "",
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    typed = {"name": name, "unit": unit, "certificate_no": certificate_no, "district": district}
    try:
        service.add_inspector(engine, name=name, unit=unit, certificate_no=certificate_no,
                              district=district or None, actor=principal.username,
                              scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _inspectors(request, principal, lang, engine, error=str(exc), typed=typed)
    return _inspectors(request, principal, lang, engine, notice=t(lang, "sup.inspector_added"))


@router.post("/supervision/inspectors/conflicts", response_class=HTMLResponse)
def add_conflict(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    inspector_id: Annotated[str, Form()] = "",
    credit_code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    typed = {"inspector_id": inspector_id, "credit_code": credit_code, "reason": reason}
    try:
        service.declare_conflict(engine, int(inspector_id or 0), credit_code=credit_code,
                                 reason=reason, actor=principal.username,
                                 scope=principal.scope)  # fmt: skip
    except (EcozoneError, ValueError) as exc:
        return _inspectors(request, principal, lang, engine, conflict_error=str(exc),
                           conflict_typed=typed)  # fmt: skip
    return _inspectors(request, principal, lang, engine, notice=t(lang, "sup.conflict_added"))


@router.get("/supervision/listings", response_class=HTMLResponse)
def listings_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    return _guarded(request, principal, lang) or _listings(request, principal, lang, engine)


def _listings(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    table = shell.make_table(
        "supervision-listings", lang,
        (("kind_text", "sup.kind"), ("name", "col.enterprise"), ("credit_code", "col.credit_code"),
         ("reason", "sup.reason"), ("valid_from", "sup.valid_from"), ("valid_to", "sup.valid_to")),
        [{**x, "kind_text": t(lang, f"sup.kind.{x['kind']}")}
         for x in service.listings(engine, principal.scope)],
    )  # fmt: skip
    typed = extra.pop("typed", None) or {"kind": "positive", "valid_from": date.today().isoformat()}
    return shell.render(request, principal, lang, "supervision/listings.html", table=table,
                        kinds=tuple(ListingKind), typed=typed, **extra)  # fmt: skip


@router.post("/supervision/listings", response_class=HTMLResponse)
def add_listing(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
) -> Response:
    if (refused := _guarded(request, principal, lang)) is not None:
        return refused
    typed = {"credit_code": credit_code, "kind": kind, "reason": reason,
             "valid_from": valid_from, "valid_to": valid_to}  # fmt: skip
    try:
        service.add_listing(engine, credit_code=credit_code, kind=kind, reason=reason,
                            valid_from=valid_from, valid_to=valid_to or None,
                            actor=principal.username, scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _listings(request, principal, lang, engine, error=str(exc), typed=typed)
    return _listings(request, principal, lang, engine, notice=t(lang, "sup.listing_added"))


# --- the public side ---------------------------------------------------------------------------


@router.get("/inspections", response_class=HTMLResponse)
def public_results(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """一公开: drawn campaigns, their enterprises and dates, inspection results and
    decisions marked public; no login, nothing else."""
    disclosed = inspection_reads.public_results(engine)
    results = shell.make_table(
        "public-inspections", lang,
        (("inspected_on", "insp.date"), ("name", "col.enterprise"),
         ("violations", "insp.found"), ("public_summary", "insp.public_summary")),
        disclosed["inspections"],
    )  # fmt: skip
    decisions = shell.make_table(
        "public-decisions", lang,
        (("decided_on", "insp.decided_on"), ("name", "col.enterprise"),
         ("provision", "insp.provision"), ("outcome_text", "insp.outcome"),
         ("amount_yuan", "insp.amount"), ("exemption_rule", "insp.rule"),
         ("explanation", "insp.explanation")),
        [{**d, "outcome_text": t(lang, f"insp.outcome.{d['outcome']}")}
         for d in disclosed["decisions"]],
    )  # fmt: skip
    campaigns = [
        {**c, "table": shell.make_table(
            f"inspection-results-{c['id']}", lang,
            (("date", "sup.date"), ("name", "col.enterprise")), c["inspections"])}
        for c in service.public_results(engine)
    ]  # fmt: skip
    return shell.render(request, principal, lang, "supervision/public.html", campaigns=campaigns,
                        results=results, decisions=decisions)  # fmt: skip
