"""The construction-dust pages: the sites with their registration form, the exceedances of
the site monitors against the dust rules for chosen days, the rules by version with the form
that adds one (/dust), and the ten-rules inspections with their checklist form
(/dust/inspections). Staff only; texts in quality.texts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.errors import EcozoneError
from ecozone.quality import dust, rules, service
from ecozone.quality.model import QualityError, SitePhase
from ecozone.quality.views import error_page, message
from ecozone.times import cst_naive
from ecozone.web import shell
from ecozone.web.i18n import t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

METRIC_NAMES = {rules.PM10: "PM10", rules.TSP: "TSP"}


#: Days shown by default: the week up to the newest data.
DEFAULT_DAYS = 7


def _days(request: Request, lang: str, newest: date) -> tuple[date, date]:
    values = []
    defaults = {"first": newest - timedelta(days=DEFAULT_DAYS - 1), "last": newest}
    for name in ("first", "last"):
        raw = request.query_params.get(name)
        try:
            values.append(date.fromisoformat(raw.strip()) if raw else defaults[name])
        except ValueError:
            raise WebError(t(lang, "quality.bad_day", value=raw)) from None
    return values[0], values[1]


@router.get("/dust", response_class=HTMLResponse)
def dust_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    notice = None
    for flag, key in (
        ("added", "quality.site_added"),
        ("rule", "quality.rule_added"),
        ("monitor", "quality.monitor_saved"),
        ("checked", "quality.checked"),
    ):
        if request.query_params.get(flag):
            notice = t(lang, key)
    return _dust(request, principal, lang, engine, notice=notice)


def _dust(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    try:
        first, last = _days(request, lang, dust.newest_day(engine, principal.scope))
        found = dust.exceedances(engine, principal.scope, first, last)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    sites = service.sites(engine, principal.scope)
    monitors = dust.monitors(engine, principal.scope)
    site_table = shell.make_table(
        "dust-sites",
        lang,
        [
            ("code", "quality.col.code"),
            ("project", "quality.col.project"),
            ("builder", "quality.col.builder"),
            ("enterprise", "quality.col.owner"),
            ("district", "col.district"),
            ("area", "quality.col.area"),
            ("phase", "quality.col.phase"),
            ("monitors", "quality.col.monitor"),
        ],
        [
            {
                "code": s.code,
                "project": s.project,
                "builder": s.builder,
                "enterprise": s.enterprise,
                "district": s.district,
                "area": f"{s.area_m2:g}",
                "phase": t(lang, f"quality.phase.{s.phase.value}"),
                "monitors": "、".join(m["code"] for m in monitors if m["site_id"] == s.id),
            }
            for s in sites
        ],
    )
    exceedance_table = shell.make_table(
        "dust-exceedances",
        lang,
        [
            ("day", "quality.day"),
            ("site", "quality.col.site"),
            ("monitor", "quality.col.monitor"),
            ("rule", "quality.col.rule"),
            ("count", "quality.col.count"),
            ("allowed", "quality.col.allowed"),
            ("peak", "quality.col.peak"),
            ("verdict", "quality.col.verdict"),
            ("action", "quality.col.action"),
        ],
        [
            {
                "day": d.day.isoformat(),
                "site": m["site"],
                "monitor": m["code"],
                "rule": f"{r.code} v{r.version}（{METRIC_NAMES.get(r.metric, r.metric)} "
                f"{t(lang, f'quality.basis.{r.basis.value}')} > {r.limit:g}）",
                "count": len(d.exceedances),
                "allowed": d.allowed,
                "peak": f"{d.peak:.0f}",
                "verdict": t(lang, "quality.breached" if d.breached else "quality.within"),
                "action": r.action if d.breached else "",
                "_class": "over" if d.breached else "",
            }
            for m, r, d in found
        ],
    )
    rule_table = shell.make_table(
        "dust-rules",
        lang,
        [
            ("code", "quality.col.rule"),
            ("version", "quality.col.version"),
            ("metric", "quality.col.metric"),
            ("window", "quality.col.window"),
            ("basis", "quality.col.basis"),
            ("limit", "quality.col.limit"),
            ("allowed", "quality.col.allowed"),
            ("action", "quality.col.action"),
            ("effective", "quality.col.effective"),
        ],
        [
            {
                "code": r.code,
                "version": r.version,
                "metric": METRIC_NAMES.get(r.metric, r.metric),
                "window": r.window_min,
                "basis": t(lang, f"quality.basis.{r.basis.value}"),
                "limit": f"{r.limit:g}",
                "allowed": r.allowed_per_day,
                "action": r.action,
                "effective": r.effective_from.isoformat(),
            }
            for r in dust.all_rules(engine)
        ],
    )
    return shell.render(
        request,
        principal,
        lang,
        "quality/dust.html",
        sites=site_table,
        exceedances=exceedance_table,
        rules=rule_table,
        first=first,
        last=last,
        enterprises=service.enterprises(engine, principal.scope),
        points=service.points(engine, principal.scope, dust.DUST),
        site_list=service.sites(engine, principal.scope),
        monitor_typed=extra.pop("monitor_typed", None) or {},
        phases=tuple(SitePhase),
        typed=extra.pop("typed", None) or {},
        rule_typed=extra.pop("rule_typed", None)
        or {
            "metric": rules.PM10,
            "window_min": "60",
            "basis": "absolute",
            "allowed_per_day": "0",
            "effective_from": cst_naive(shell.now()).date().isoformat(),
        },
        **extra,
    )


@router.post("/dust/sites", response_class=HTMLResponse)
def add_site(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    enterprise_id: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    project: Annotated[str, Form()] = "",
    builder: Annotated[str, Form()] = "",
    area_m2: Annotated[str, Form()] = "",
    phase: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {
        "enterprise_id": enterprise_id,
        "code": code,
        "project": project,
        "builder": builder,
        "area_m2": area_m2,
        "phase": phase,
    }
    try:
        service.register_site(
            engine,
            principal.scope,
            enterprise_id=enterprise_id,
            code=code,
            project=project,
            builder=builder,
            area_m2=area_m2,
            phase=phase,
            actor=principal.username,
        )
    except EcozoneError as exc:
        return _dust(request, principal, lang, engine, site_error=message(lang, exc), typed=typed)
    return RedirectResponse("/dust?added=1", status_code=303)


@router.post("/dust/monitors", response_class=HTMLResponse)
def attach_monitor(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: Annotated[str, Form()] = "",
    site_id: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"point_id": point_id, "site_id": site_id}
    try:
        for name, value in typed.items():
            if not value.isdigit():
                raise QualityError("required", f"{name}: required", field=name)
        dust.attach_monitor(engine, int(point_id), int(site_id), actor=principal.username,
                            scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        return _dust(request, principal, lang, engine, monitor_error=message(lang, exc),
                     monitor_typed=typed)  # fmt: skip
    return RedirectResponse("/dust?monitor=1", status_code=303)


@router.post("/dust/rules", response_class=HTMLResponse)
def add_rule(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    code: Annotated[str, Form()] = "",
    metric: Annotated[str, Form()] = "",
    window_min: Annotated[str, Form()] = "",
    basis: Annotated[str, Form()] = "",
    limit: Annotated[str, Form()] = "",
    allowed_per_day: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    effective_from: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {
        "code": code,
        "metric": metric,
        "window_min": window_min,
        "basis": basis,
        "limit": limit,
        "allowed_per_day": allowed_per_day,
        "action": action,
        "effective_from": effective_from,
    }
    try:
        dust.add_rule(engine, actor=principal.username, **typed)
    except EcozoneError as exc:
        return _dust(
            request, principal, lang, engine, rule_error=message(lang, exc), rule_typed=typed
        )
    return RedirectResponse("/dust?rule=1", status_code=303)


# --- inspections -----------------------------------------------------------------------------


@router.get("/dust/inspections", response_class=HTMLResponse)
def inspections_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    notice = t(lang, "quality.inspection_added") if request.query_params.get("added") else None
    return _inspections(request, principal, lang, engine, notice=notice)


def _inspections(
    request: Request, principal: Any, lang: str, engine: Any, **extra: Any
) -> Response:
    label = "en" if lang == "en" else "zh"
    table = shell.make_table(
        "dust-inspections",
        lang,
        [
            ("inspected_on", "quality.col.inspected_on"),
            ("site", "quality.col.site"),
            ("inspector", "quality.col.inspector"),
            ("met", "quality.col.met"),
            ("failed", "quality.col.failed"),
            ("remarks", "quality.col.remarks"),
        ],
        [
            {
                "inspected_on": i["inspected_on"].isoformat(),
                "site": f"{i['site_code']} {i['site']}",
                "inspector": i["inspector"],
                "met": f"{i['met']}/{i['total']}",
                "failed": "；".join(f[label] for f in i["failed"]),
                "remarks": i["remarks"],
                "_class": "over" if i["failed"] else "",
            }
            for i in dust.inspections(engine, principal.scope)
        ],
    )
    typed = extra.pop("typed", None) or {
        "inspected_on": cst_naive(shell.now()).date().isoformat(),
        "met": [c["key"] for c in dust.checklist()],
    }
    return shell.render(
        request,
        principal,
        lang,
        "quality/inspections.html",
        table=table,
        sites=service.sites(engine, principal.scope),
        checklist=dust.checklist(),
        label=label,
        typed=typed,
        **extra,
    )


@router.post("/dust/inspections", response_class=HTMLResponse)
async def add_inspection(
    request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    form = await request.form()
    field = {k: str(form.get(k) or "") for k in ("site_id", "inspected_on", "inspector", "remarks")}
    met = [str(v) for v in form.getlist("met")]
    try:
        if not field["site_id"].isdigit():
            raise QualityError("required", "site_id: required", field="site_id")
        dust.record_inspection(
            engine,
            principal.scope,
            site_id=int(field["site_id"]),
            inspected_on=field["inspected_on"],
            inspector=field["inspector"],
            met=met,
            remarks=field["remarks"],
            actor=principal.username,
        )
    except EcozoneError as exc:
        return _inspections(
            request, principal, lang, engine, error=message(lang, exc), typed={**field, "met": met}
        )
    return RedirectResponse("/dust/inspections?added=1", status_code=303)
