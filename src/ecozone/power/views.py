"""The power pages: enterprises with metered facilities, an enterprise's overview (live
states, electricity, linkage alerts, configuration), and a facility's day (power with its
states and thresholds, findings, the meters' threshold forms).

Reads go through `overview` with the viewer's Scope; the forms call the same use cases as
the API and the CLI (`service.configure`, `service.learn`, `service.set_thresholds`).
Staff configure; an enterprise reads its own; the public reads nothing.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ecozone import config, files
from ecozone.errors import EcozoneError, NotFound
from ecozone.power import overview, service, warnings
from ecozone.power.texts import TEXTS
from ecozone.times import cst_naive
from ecozone.web import shell
from ecozone.web.i18n import add_texts, pollutant_name, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

READERS = (*SUPERVISING_ROLES, "enterprise")
MAX_CONFIG_BYTES = 256 * 1024

shell.add_menu(MenuEntry("nav.power", "/power", READERS, 15, "nav.group.monitoring"))

add_texts(TEXTS)

ROLE_KEYS = {"production": "power.role.production", "control": "power.role.control"}


def _page_error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if isinstance(exc, WebError):
        return shell.error_page(request, principal, lang, exc)
    error = WebError(str(exc))
    error.status_code = exc.http_status
    return shell.error_page(request, principal, lang, error)


def _now_local() -> datetime:
    return cst_naive(shell.now()).replace(second=0, microsecond=0)


def _is_staff(principal: Any) -> bool:
    return principal.role in SUPERVISING_ROLES


@router.get("/power", response_class=HTMLResponse)
def power_index(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    answer = shell.refused(request, principal, lang, READERS)
    if answer is not None:
        return answer
    items = service.enterprises(engine, principal.scope)
    if principal.role == "enterprise" and len(items) == 1:
        return RedirectResponse(f"/power/{items[0]['credit_code']}", status_code=303)
    return _index_page(request, principal, lang, engine, items)


def _index_page(
    request: Request, principal: Any, lang: str, engine: Any, items: list[dict], **extra: Any
) -> Response:
    table = shell.make_table(
        "power-enterprises",
        lang,
        (
            ("name", "col.enterprise"),
            ("credit_code", "col.credit_code"),
            ("production", "power.production"),
            ("control", "power.control"),
        ),
        [{**i, "_href": {"name": f"/power/{i['credit_code']}"}} for i in items],
    )
    recent = warnings.recent(engine, since=_now_local() - timedelta(days=30))
    warning_table = shell.make_table(
        "weather-warnings",
        lang,
        (
            ("level_text", "power.warning_level"),
            ("start", "col.start"),
            ("end", "col.end"),
            ("district_text", "col.district"),
            ("note", "power.warning_note"),
            ("declared_by", "col.declared_by"),
        ),
        [
            {
                **w,
                "level_text": t(lang, f"power.level.{w['level']}"),
                "district_text": w["district"] or t(lang, "power.whole_zone"),
                "_class": f"warning-{w['level']}",
            }
            for w in recent
        ],
    )
    districts = warnings.districts(engine, principal.scope) if _is_staff(principal) else []
    return shell.render(
        request,
        principal,
        lang,
        "power/index.html",
        table=table,
        warnings=warning_table,
        staff=_is_staff(principal),
        districts=districts,
        fixed_district=principal.scope.district_id is not None,
        **extra,
    )


@router.post("/power/warnings", response_class=HTMLResponse)
def declare_warning(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    level: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    district: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    answer = shell.refused(request, principal, lang, SUPERVISING_ROLES)
    if answer is not None:
        return answer
    items = service.enterprises(engine, principal.scope)
    typed = {"level": level, "start": start, "end": end, "district": district, "note": note}
    try:
        if not start or not end:
            raise WebError(t(lang, "power.warning_times"))
        stored = warnings.declare(
            engine,
            level=level,
            start=start,
            end=end,
            district_name=district or None,
            note=note or None,
            actor=principal.username,
            scope=principal.scope,
        )
    except EcozoneError as exc:
        return _index_page(
            request, principal, lang, engine, items, warning_error=str(exc), typed=typed
        )
    notice = t(lang, "power.warning_declared", level=t(lang, f"power.level.{stored['level']}"))
    return _index_page(request, principal, lang, engine, items, notice=notice)


def _overview_page(
    request: Request, principal: Any, lang: str, engine: Any, credit_code: str, **extra: Any
) -> Response:
    try:
        redirect = shell.gate(request, principal, READERS)
        if redirect is not None:
            return redirect
        data = overview.enterprise_overview(
            engine,
            credit_code,
            now=_now_local(),
            scope=principal.scope,
            settings=config.power_settings(),
        )
    except EcozoneError as exc:
        return _page_error(request, principal, lang, exc)
    facilities = shell.make_table(
        "power-facilities",
        lang,
        (
            ("code", "col.code"),
            ("name", "power.facility"),
            ("role_text", "col.kind"),
            ("outlet", "power.outlet"),
            ("serves_text", "power.serves"),
            ("state_text", "col.state"),
            ("state_since", "power.since"),
            ("today_kwh", "power.kwh_today"),
            ("year_kwh", "power.kwh_year"),
        ),
        [
            {
                **f,
                "role_text": t(lang, ROLE_KEYS[f["role"]]),
                "serves_text": "、".join(f["serves"]) or None,
                "state_text": t(lang, f"power.state.{f['state'] or 'none'}"),
                "_class": f"power-{f['state'] or 'none'}",
                "_href": {"name": f"/power/{credit_code}/facilities/{f['code']}"},
            }
            for f in data["facilities"]
        ],
    )
    alerts = shell.make_table(
        "power-alerts",
        lang,
        (
            ("start", "col.start"),
            ("end", "col.end"),
            ("type_text", "col.alert_type"),
            ("facility", "col.code"),
            ("minutes", "power.minutes"),
            ("state_text", "col.state"),
        ),
        [
            {
                "start": a["start"],
                "end": a["end"],
                "type_text": t(lang, f"alert.{a['type']}"),
                "facility": (a["detail"] or {}).get("facility"),
                "minutes": (a["detail"] or {}).get("minutes"),
                "state_text": t(lang, f"alert_state.{a['state']}"),
                "_href": {"type_text": f"/alerts/{a['id']}"},
            }
            for a in data["alerts"]
        ],
    )
    estimates = shell.make_table(
        "power-estimates",
        lang,
        (
            ("facility", "col.code"),
            ("name", "power.facility"),
            ("pollutant_name", "col.pollutant"),
            ("kg_per_kwh", "power.factor"),
            ("today_kg", "power.today_kg"),
            ("year_kg", "power.year_kg"),
            ("source", "power.factor_source"),
        ),
        [
            {**e, "pollutant_name": f"{pollutant_name(e['pollutant'], lang)} ({e['pollutant']})"}
            for e in data["estimates"]
        ],
    )
    return shell.render(
        request,
        principal,
        lang,
        "power/enterprise.html",
        estimates=estimates,
        responses=shell.make_table(
            "power-responses",
            lang,
            (
                ("facility", "col.code"),
                ("level_text", "power.warning_level"),
                ("requirement_text", "power.requirement"),
                ("quota_kw", "power.quota_kw"),
            ),
            [
                {
                    **r,
                    "level_text": t(lang, f"power.level.{r['level']}"),
                    "requirement_text": t(lang, f"power.requirement.{r['requirement']}"),
                }
                for r in service.configuration(engine, credit_code, principal.scope)["responses"]
            ],
        ),
        data=data,
        facilities=facilities,
        alerts=alerts,
        staff=_is_staff(principal),
        credit_code=credit_code,
        **extra,
    )


@router.get("/power/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    credit_code: str, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    return _overview_page(request, principal, lang, engine, credit_code)


@router.get("/power/{credit_code}/configuration.yaml")
def configuration_file(
    credit_code: str, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    try:
        redirect = shell.gate(request, principal, READERS)
        if redirect is not None:
            return redirect
        doc = service.configuration(engine, credit_code, principal.scope)
    except EcozoneError as exc:
        return _page_error(request, principal, lang, exc)
    doc.pop("name", None)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="power-{credit_code}.yaml"'},
    )


@router.post("/power/{credit_code}/configuration", response_class=HTMLResponse)
async def upload_configuration(
    credit_code: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    answer = shell.refused(request, principal, lang, SUPERVISING_ROLES)
    if answer is not None:
        return answer
    content = await file.read(MAX_CONFIG_BYTES + 1) if file is not None else b""
    try:
        if file is None or not content:
            raise WebError(t(lang, "power.choose_file"))
        if len(content) > MAX_CONFIG_BYTES:
            raise WebError(f"{file.filename}: larger than {MAX_CONFIG_BYTES // 1024} KiB")
        try:
            doc = yaml.safe_load(content.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise WebError(f"{file.filename}: not a readable YAML file: {exc}") from None
        if not isinstance(doc, dict):
            raise WebError(f"{file.filename}: expected a mapping with facilities")
        counts = service.configure(
            engine,
            {**doc, "enterprise": credit_code},
            actor=principal.username,
            scope=principal.scope,
        )
    except NotFound as exc:
        return _page_error(request, principal, lang, exc)
    except EcozoneError as exc:
        return _overview_page(request, principal, lang, engine, credit_code, config_error=str(exc))
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    return _overview_page(
        request,
        principal,
        lang,
        engine,
        credit_code,
        notice=t(lang, "power.configured", summary=summary),
    )


def _day(value: str | None) -> date:
    if not value:
        return _now_local().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise WebError(f"day {value!r} is not a date YYYY-MM-DD") from None


def _facility_data(
    engine: Any, principal: Any, credit_code: str, facility_code: str, day: date
) -> dict[str, Any]:
    return overview.facility_day(
        engine,
        credit_code,
        facility_code,
        datetime.combine(day, datetime.min.time()),
        now=_now_local(),
        scope=principal.scope,
        settings=config.power_settings(),
    )


def _facility_page(
    request: Request,
    principal: Any,
    lang: str,
    engine: Any,
    credit_code: str,
    facility_code: str,
    day: str | None,
    **extra: Any,
) -> Response:
    try:
        redirect = shell.gate(request, principal, READERS)
        if redirect is not None:
            return redirect
        chosen = _day(day)
        data = _facility_data(engine, principal, credit_code, facility_code, chosen)
    except EcozoneError as exc:
        return _page_error(request, principal, lang, exc)
    runs = shell.make_table(
        "power-runs",
        lang,
        (
            ("start", "col.start"),
            ("end", "col.end"),
            ("state_text", "col.state"),
            ("rule", "power.rule"),
        ),
        [
            {
                **r,
                "state_text": t(lang, f"power.state.{r['state']}"),
                "_class": f"power-{r['state']}",
            }
            for r in data["runs"]
        ],
    )
    findings = shell.make_table(
        "power-findings",
        lang,
        (
            ("start", "col.start"),
            ("end", "col.end"),
            ("type_text", "col.alert_type"),
            ("minutes", "power.minutes"),
            ("rule", "power.rule"),
        ),
        [{**f, "type_text": t(lang, f"alert.{f['type']}")} for f in data["findings"]],
    )
    chart = {
        "series": data["series"],
        "runs": data["runs"],
        "thresholds": data["thresholds"],
        "labels": {s: t(lang, f"power.state.{s}") for s in ("off", "idle", "running", "abnormal")},
    }
    return shell.render(
        request,
        principal,
        lang,
        "power/facility.html",
        page_data={"power": chart},
        data=data,
        runs=runs,
        findings=findings,
        staff=_is_staff(principal),
        credit_code=credit_code,
        day=chosen.isoformat(),
        previous_day=(chosen - timedelta(days=1)).isoformat(),
        next_day=(chosen + timedelta(days=1)).isoformat(),
        **extra,
    )


@router.get("/power/{credit_code}/facilities/{facility_code}", response_class=HTMLResponse)
def facility_page(
    credit_code: str,
    facility_code: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    day: str | None = None,
) -> Response:
    return _facility_page(request, principal, lang, engine, credit_code, facility_code, day)


@router.get("/web/api/power/{credit_code}/facilities/{facility_code}")
def facility_json(
    credit_code: str,
    facility_code: str,
    principal: Viewer,
    engine: Engine,
    day: str | None = None,
) -> Response:
    try:
        shell.require_role(principal, READERS)
        data = _facility_data(engine, principal, credit_code, facility_code, _day(day))
    except EcozoneError as exc:
        status = exc.status_code if isinstance(exc, WebError) else exc.http_status
        return JSONResponse({"detail": str(exc)}, status_code=status)
    keys = ("facility", "thresholds", "series", "runs", "findings")
    body = json.dumps({k: data[k] for k in keys}, ensure_ascii=False, default=str)
    return Response(body, media_type="application/json")


@router.post(
    "/power/{credit_code}/facilities/{facility_code}/meters/{meter_code}",
    response_class=HTMLResponse,
)
def meter_thresholds(
    credit_code: str,
    facility_code: str,
    meter_code: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    action: Annotated[str, Form()] = "save",
    off_fraction: Annotated[str, Form()] = "",
    low_fraction: Annotated[str, Form()] = "",
    use_learned: Annotated[str, Form()] = "",
    day: Annotated[str, Form()] = "",
) -> Response:
    answer = shell.refused(request, principal, lang, SUPERVISING_ROLES)
    if answer is not None:
        return answer
    try:
        if action == "learn":
            end = _now_local()
            learned = service.learn(
                engine,
                credit_code,
                facility_code,
                meter_code,
                start=end - timedelta(days=14),
                end=end,
                actor=principal.username,
                scope=principal.scope,
            )
            notice = t(
                lang, "power.learned", off=f"{learned.off_kw:.1f}", low=f"{learned.low_kw:.1f}"
            )
        else:
            service.set_thresholds(
                engine,
                credit_code,
                facility_code,
                meter_code,
                off_fraction=_fraction(off_fraction, "off_fraction"),
                low_fraction=_fraction(low_fraction, "low_fraction"),
                use_learned=use_learned == "on",
                actor=principal.username,
                scope=principal.scope,
            )
            notice = t(lang, "power.saved")
    except NotFound as exc:
        return _page_error(request, principal, lang, exc)
    except EcozoneError as exc:
        return _facility_page(
            request,
            principal,
            lang,
            engine,
            credit_code,
            facility_code,
            day or None,
            meter_error=str(exc),
            meter_code=meter_code,
            typed={"off_fraction": off_fraction, "low_fraction": low_fraction},
        )
    return _facility_page(
        request, principal, lang, engine, credit_code, facility_code, day or None, notice=notice
    )


def _fraction(text: str, name: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise WebError(f"{name}: {text!r} is not a number") from None


@router.post(
    "/power/{credit_code}/facilities/{facility_code}/evidence", response_class=HTMLResponse
)
async def upload_evidence(
    credit_code: str,
    facility_code: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    answer = shell.refused(request, principal, lang, SUPERVISING_ROLES)
    if answer is not None:
        return answer
    content = await file.read(files.MAX_UPLOAD_BYTES + 1) if file is not None else b""
    try:
        service.attach_evidence(
            engine,
            credit_code,
            facility_code,
            name=(file.filename if file else "") or "-",
            content=content,
            actor=principal.username,
            scope=principal.scope,
        )
    except NotFound as exc:
        return _page_error(request, principal, lang, exc)
    except EcozoneError as exc:
        return _facility_page(
            request,
            principal,
            lang,
            engine,
            credit_code,
            facility_code,
            None,
            evidence_error=str(exc),
        )
    return _facility_page(
        request,
        principal,
        lang,
        engine,
        credit_code,
        facility_code,
        None,
        notice=t(lang, "power.evidence_saved"),
    )


@router.get("/power/{credit_code}/facilities/{facility_code}/evidence")
def evidence(
    credit_code: str,
    facility_code: str,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
) -> Response:
    try:
        redirect = shell.gate(request, principal, READERS)
        if redirect is not None:
            return redirect
        media_type, content = service.evidence_file(
            engine, credit_code, facility_code, principal.scope
        )
    except EcozoneError as exc:
        return _page_error(request, principal, lang, exc)
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(media_type, "pdf")
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{facility_code}-evidence.{extension}"'
        },
    )
