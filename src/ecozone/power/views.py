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

from ecozone import config
from ecozone.errors import EcozoneError, NotFound
from ecozone.power import overview, service, warnings
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

add_texts(
    {
        "nav.power": ("用电监控", "Power linkage"),
        "power.title": ("用电监控（污染物排放与用电联动）", "Emission–electricity linkage"),
        "power.lead": (
            "分表计电：生产设施与治污设施分别计量，判断治污设施是否与生产同步运行。",
            "Production and control facilities metered apart: does treatment run "
            "while production runs?",
        ),
        "power.enterprises": ("已接入用电监控的企业", "Enterprises with metered facilities"),
        "power.none": ("尚无企业接入用电监控。", "No enterprise has metered facilities yet."),
        "power.facilities": ("设施与当前状态", "Facilities and their state now"),
        "power.electricity": ("用电量", "Electricity"),
        "power.today": ("今日", "Today"),
        "power.year": ("本年", "This year"),
        "power.production": ("产污设施", "Production"),
        "power.control": ("治污设施", "Control"),
        "power.alerts": ("用电联动报警", "Linkage alerts"),
        "power.no_alerts": ("暂无用电联动报警。", "No linkage alerts."),
        "power.findings_today": ("今日发现", "Found today"),
        "power.configuration": ("接入配置", "Configuration"),
        "power.configuration_help": (
            "上传用电监控配置文件（YAML：设施、电表、通道、治污—产污对应关系、停限产指令），将整体替换该企业现有配置。",
            "Upload the power file (YAML: facilities, meters, channels, links, limit orders); "
            "it replaces the enterprise's configuration as a whole.",
        ),
        "power.configuration_download": ("下载当前配置", "Download the current configuration"),
        "power.upload": ("上传并替换", "Upload and replace"),
        "power.upload_confirm": (
            "确定用该文件替换现有的全部用电监控配置？",
            "Replace the whole power configuration with this file?",
        ),
        "power.configured": ("配置已更新：{summary}", "Configuration replaced: {summary}"),
        "power.day": ("日期", "Day"),
        "power.show": ("查看", "Show"),
        "power.chart": ("功率与运行状态", "Power and operating state"),
        "power.runs": ("运行状态时段", "State timeline"),
        "power.thresholds": ("状态判定阈值", "State thresholds"),
        "power.reference": ("基准功率", "Reference power"),
        "power.off_level": ("停运阈值", "Off below"),
        "power.low_level": ("低负荷阈值", "Low load below"),
        "power.meters": ("电表与阈值", "Meters and thresholds"),
        "power.learn": ("从近 14 天数据学习阈值", "Learn from the last 14 days"),
        "power.learned": (
            "已学习：停运 < {off} kW，低负荷 < {low} kW",
            "Learned: off below {off} kW, low load below {low} kW",
        ),
        "power.use_learned": ("采用学习值", "Use the learned levels"),
        "power.save_thresholds": ("保存阈值", "Save thresholds"),
        "power.saved": ("阈值已保存。", "Thresholds saved."),
        "power.findings": ("涉及该设施的发现", "Findings involving this facility"),
        "power.no_findings": ("该日无发现。", "Nothing found that day."),
        "power.rule": ("判定规则", "Rule"),
        "power.facility": ("设施", "Facility"),
        "power.warnings": ("重污染天气预警", "Heavy-pollution weather warnings"),
        "power.no_warnings": ("近 30 天无预警。", "No warning in the last 30 days."),
        "power.warning_level": ("预警级别", "Level"),
        "power.warning_note": ("说明", "Note"),
        "power.level.yellow": ("黄色预警", "Yellow"),
        "power.level.orange": ("橙色预警", "Orange"),
        "power.level.red": ("红色预警", "Red"),
        "power.whole_zone": ("全区", "Whole zone"),
        "power.declare_warning": ("发布预警", "Declare a warning"),
        "power.declare_confirm": (
            "确定发布该重污染天气预警？各企业将按应急减排清单接受核查。",
            "Declare this warning? Enterprises are checked against their emergency lists.",
        ),
        "power.warning_declared": ("已发布{level}。", "{level} warning declared."),
        "power.warning_times": (
            "请填写预警的开始和结束时间。",
            "Give the warning's start and end.",
        ),
        "power.warnings_help": (
            "预警期间，各企业产污设施按其应急减排清单停产或限产；未执行的将记为“停限产违规”。",
            "During a warning each production facility stops or limits as its emergency list says; "
            "a breach is a limit-order finding.",
        ),
        "power.responses": ("应急减排清单", "Emergency emission-reduction list"),
        "power.no_responses": ("未配置应急减排清单。", "No emergency list configured."),
        "power.requirement": ("要求", "Requirement"),
        "power.requirement.stop": ("停产", "Stop"),
        "power.requirement.limit": ("限产", "Limit"),
        "power.quota_kw": ("限额 kW", "Quota kW"),
        "power.estimates": (
            "活动水平法估算排放（产污设施用电量 × 排放系数）",
            "Emissions estimated from activity (production electricity × factor)",
        ),
        "power.no_estimates": ("未配置排放系数。", "No emission factors configured."),
        "power.factor": ("排放系数 kg/kWh", "Factor kg/kWh"),
        "power.factor_source": ("系数来源", "Source of the factor"),
        "power.today_kg": ("今日估算 kg", "Today kg"),
        "power.year_kg": ("本年估算 kg", "This year kg"),
        "power.choose_file": (
            "请选择要上传的配置文件。",
            "Choose the configuration file to upload.",
        ),
        "power.serves": ("服务的产污设施", "Serves"),
        "power.outlet": ("排放口", "Outlet"),
        "power.meters_count": ("电表数", "Meters"),
        "power.since": ("起始", "Since"),
        "power.kwh_today": ("今日用电 kWh", "Today kWh"),
        "power.kwh_year": ("本年用电 kWh", "This year kWh"),
        "power.minutes": ("持续（分钟）", "Minutes"),
        "power.role.production": ("产污设施", "Production"),
        "power.role.control": ("治污设施", "Control"),
        "power.state.off": ("停运", "Off"),
        "power.state.idle": ("空转/低负荷", "Idle / low load"),
        "power.state.running": ("运行", "Running"),
        "power.state.abnormal": ("数据异常", "Data abnormal"),
        "power.state.none": ("无数据", "No data"),
        "power.fraction": (
            "占基准功率比例（留空用系统设置）",
            "Fraction of the reference (blank: the system setting)",
        ),
        "power.chart.power": ("功率 kW", "Power kW"),
    }
)

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
    try:
        redirect = shell.gate(request, principal, READERS)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
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
    try:
        redirect = shell.gate(request, principal, SUPERVISING_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
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
    try:
        redirect = shell.gate(request, principal, SUPERVISING_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
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
    try:
        redirect = shell.gate(request, principal, SUPERVISING_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
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
