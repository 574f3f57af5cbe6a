"""The noise and overflow pages, and the texts of all quality pages: stations with their day
and night Leq against the limits and the honking captures with their import (/noise), the
night-construction approvals register with its form (/noise/approvals), the overflow events
and monthly statistics (/overflows), and the staff's button that runs the checks now.

Staff only, a district supervisor their district (the Scope does it in the stores).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.quality import checks, noise, service, sewer
from ecozone.quality.model import QualityError, QualityNotFound, SewerRole, ZoneClass
from ecozone.quality.texts import TEXTS
from ecozone.times import cst_naive
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

GROUP = "nav.group.quality"
shell.add_menu(
    MenuEntry("nav.noise", "/noise", SUPERVISING_ROLES, 30, GROUP),
    MenuEntry("nav.noise_approvals", "/noise/approvals", SUPERVISING_ROLES, 31, GROUP),
    MenuEntry("nav.dust", "/dust", SUPERVISING_ROLES, 32, GROUP),
    MenuEntry("nav.dust_inspections", "/dust/inspections", SUPERVISING_ROLES, 33, GROUP),
    MenuEntry("nav.overflows", "/overflows", SUPERVISING_ROLES, 34, GROUP),
)
add_texts(TEXTS)


def message(lang: str, exc: EcozoneError) -> str:
    """A refused input in the page's language: QualityError by its key, others as they are."""
    if isinstance(exc, QualityError):
        field = exc.values.get("field")
        values = {**exc.values, "field": t(lang, f"quality.field.{field}", default=field or "")}
        return t(lang, f"quality.err.{exc.key}", default=str(exc), **values)
    if isinstance(exc, QualityNotFound):
        return t(lang, "quality.err.not_found")
    return str(exc)


def error_page(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    error = WebError(message(lang, exc))
    error.status_code = exc.http_status
    return shell.error_page(request, principal, lang, error)


def _num(value: float | None, places: int = 1) -> str | None:
    return None if value is None else f"{value:.{places}f}"


# --- noise -----------------------------------------------------------------------------------


def _noise_rows(pairs: list[tuple[Any, list[Any]]], lang: str) -> list[dict[str, Any]]:
    settings = config.quality_settings()
    rows = []
    for s, periods in pairs:
        limits = noise.limits_of(s, settings)
        by = {p.period.value: p for p in periods}
        day, night = by.get("day"), by.get("night")
        where = (
            t(lang, "quality.zone", zone=s.zone_class.value)
            if s.zone_class is not None and s.site_id is None
            else t(lang, "quality.boundary", site=s.site or "")
        )
        rows.append(
            {
                "station": s.name,
                "district": s.district,
                "where": where,
                "day_leq": _num(day.leq) if day else None,
                "day_limit": f"{limits.day:g}",
                "day_delta": _num(day.delta) if day and day.exceeds else None,
                "night_leq": _num(night.leq) if night else None,
                "night_limit": f"{limits.night:g}",
                "night_delta": _num(night.delta) if night and night.exceeds else None,
                "night_lmax": _num(night.lmax) if night else None,
                "lmax_limit": f"{limits.night_lmax:g}",
                "sudden": t(lang, "quality.sudden") if night and night.sudden else "",
                "_class": "over" if (day and day.exceeds) or (night and night.exceeds) else "",
            }
        )
    return rows


def _day_param(request: Request, lang: str, default: date) -> date:
    raw = request.query_params.get("day")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise WebError(t(lang, "quality.bad_day", value=raw)) from None


@router.get("/noise", response_class=HTMLResponse)
def noise_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    return _noise(request, principal, lang, engine)


def _noise(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    try:
        chosen = noise.stations(engine, principal.scope)
        day = _day_param(request, lang, noise.newest_day(engine, chosen))
        pairs = noise.day_night(engine, chosen, day, day, config.quality_settings())
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    table = shell.make_table(
        "noise-stations",
        lang,
        [
            ("station", "quality.col.station"),
            ("district", "col.district"),
            ("where", "quality.col.where"),
            ("day_leq", "quality.col.day_leq"),
            ("day_limit", "quality.col.day_limit"),
            ("day_delta", "quality.col.delta"),
            ("night_leq", "quality.col.night_leq"),
            ("night_limit", "quality.col.night_limit"),
            ("night_delta", "quality.col.delta"),
            ("night_lmax", "quality.col.night_lmax"),
            ("lmax_limit", "quality.col.lmax_limit"),
            ("sudden", "quality.col.sudden"),
        ],
        _noise_rows(pairs, lang),
    )
    honking = shell.make_table(
        "honking",
        lang,
        [
            ("captured_at", "quality.col.captured_at"),
            ("location", "quality.col.location"),
            ("plate", "quality.col.plate"),
            ("level_db", "quality.col.level_db"),
        ],
        [
            {**h, "captured_at": f"{h['captured_at']:%Y-%m-%d %H:%M:%S}"}
            for h in noise.honking(engine)[:100]
        ],
    )
    return shell.render(
        request,
        principal,
        lang,
        "quality/noise.html",
        points=service.points(engine, principal.scope, noise.NOISE),
        sites=service.sites(engine, principal.scope),
        zones=tuple(ZoneClass),
        station_typed=extra.pop("station_typed", None) or {},
        table=table,
        honking=honking,
        day=day,
        **extra,
    )


@router.post("/noise/honking", response_class=HTMLResponse)
async def import_honking(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    if file is None or not file.filename:
        return _noise(
            request, principal, lang, engine, honking_error=t(lang, "quality.err.no_file")
        )
    content = await file.read()
    try:
        added = noise.import_honking(engine, file.filename, content, actor=principal.username)
    except EcozoneError as exc:
        return _noise(request, principal, lang, engine, honking_error=message(lang, exc))
    return _noise(
        request, principal, lang, engine, notice=t(lang, "quality.honking_added", count=added)
    )


@router.post("/noise/stations", response_class=HTMLResponse)
def configure_station(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: Annotated[str, Form()] = "",
    zone_class: Annotated[str, Form()] = "",
    site_id: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"point_id": point_id, "zone_class": zone_class, "site_id": site_id}
    try:
        if not point_id.isdigit():
            raise QualityError("required", "point_id: required", field="point_id")
        noise.configure_station(
            engine,
            int(point_id),
            zone_class=zone_class or None,
            site_id=int(site_id) if site_id.isdigit() else None,
            actor=principal.username,
            scope=principal.scope,
        )
    except EcozoneError as exc:
        return _noise(
            request,
            principal,
            lang,
            engine,
            station_error=message(lang, exc),
            station_typed=typed,
        )
    return _noise(request, principal, lang, engine, notice=t(lang, "quality.station_saved"))


# --- approvals -------------------------------------------------------------------------------


@router.get("/noise/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    notice = None
    if request.query_params.get("added"):
        notice = t(lang, "quality.approval_added")
    elif request.query_params.get("checked"):
        notice = t(lang, "quality.checked")
    return _approvals(request, principal, lang, engine, notice=notice)


def _approvals(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    today = cst_naive(shell.now()).date()
    rows = [
        {
            "permit_no": a.permit_no,
            "site": f"{s.code} {s.project}",
            "builder": s.builder,
            "days": f"{a.first_day} — {a.last_day}",
            "hours": f"{a.start:%H:%M} — {a.end:%H:%M}",
            "reason": a.reason,
            "state": t(
                lang,
                "quality.approval_valid"
                if noise.approval_valid(a, today)
                else (
                    "quality.approval_future" if a.first_day > today else "quality.approval_ended"
                ),
            ),
        }
        for a, s in noise.approvals(engine, principal.scope)
    ]
    table = shell.make_table(
        "night-approvals",
        lang,
        [
            ("permit_no", "quality.col.permit_no"),
            ("site", "quality.col.site"),
            ("builder", "quality.col.builder"),
            ("days", "quality.col.days"),
            ("hours", "quality.col.hours"),
            ("reason", "quality.col.reason"),
            ("state", "quality.col.state"),
        ],
        rows,
    )
    typed = extra.pop("typed", None) or {
        "first_day": today.isoformat(),
        "last_day": today.isoformat(),
        "start": "22:00",
        "end": "06:00",
    }
    return shell.render(
        request,
        principal,
        lang,
        "quality/approvals.html",
        table=table,
        sites=service.sites(engine, principal.scope),
        typed=typed,
        **extra,
    )


@router.post("/noise/approvals", response_class=HTMLResponse)
def add_approval(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    site_id: Annotated[str, Form()] = "",
    permit_no: Annotated[str, Form()] = "",
    first_day: Annotated[str, Form()] = "",
    last_day: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {
        "site_id": site_id,
        "permit_no": permit_no,
        "first_day": first_day,
        "last_day": last_day,
        "start": start,
        "end": end,
        "reason": reason,
    }
    try:
        if not site_id.isdigit():
            raise QualityError("required", "site_id: required", field="site_id")
        noise.register_approval(
            engine,
            principal.scope,
            site_id=int(site_id),
            permit_no=permit_no,
            first_day=first_day,
            last_day=last_day,
            start=start,
            end=end,
            reason=reason,
            actor=principal.username,
        )
    except EcozoneError as exc:
        return _approvals(request, principal, lang, engine, error=message(lang, exc), typed=typed)
    return RedirectResponse("/noise/approvals?added=1", status_code=303)


# --- overflows -------------------------------------------------------------------------------


@router.get("/overflows", response_class=HTMLResponse)
def overflows_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    notice = t(lang, "quality.monitor_saved") if request.query_params.get("configured") else None
    return overflows_page_with(request, principal, lang, engine, notice=notice)


def overflows_page_with(
    request: Request, principal: Any, lang: str, engine: Any, **extra: Any
) -> Response:
    found = sewer.events(engine, principal.scope)
    events = shell.make_table(
        "overflow-events",
        lang,
        [
            ("monitor", "quality.col.monitor"),
            ("district", "col.district"),
            ("start", "quality.col.start"),
            ("end", "quality.col.end"),
            ("hours", "quality.col.duration_h"),
            ("peak", "quality.col.peak"),
            ("volume", "quality.col.volume_m3"),
            ("method", "quality.col.method"),
            ("rain", "quality.col.rainfall_mm"),
        ],
        [
            {
                "monitor": f"{m.code} {m.name}",
                "district": m.district,
                "start": f"{e.start:%Y-%m-%d %H:%M}",
                "end": f"{e.end:%Y-%m-%d %H:%M}",
                "hours": f"{e.hours:.2f}",
                "peak": f"{e.peak:g} {'L/s' if m.role.value == 'overflow' else 'm'}",
                "volume": _num(e.volume_m3),
                "method": t(lang, f"quality.method.{e.method.value}"),
                "rain": _num(e.rainfall_mm),
            }
            for m, e in found
        ],
    )
    months = shell.make_table(
        "overflow-months",
        lang,
        [
            ("month", "quality.col.month"),
            ("events", "quality.col.events"),
            ("hours", "quality.col.duration_h"),
            ("volume_m3", "quality.col.volume_m3"),
            ("unestimated", "quality.col.unestimated"),
            ("with_rain", "quality.col.with_rain"),
        ],
        [
            {**m, "hours": f"{m['hours']:.2f}", "volume_m3": f"{m['volume_m3']:.1f}"}
            for m in sewer.monthly(engine, principal.scope)
        ],
    )
    return _overflows(request, principal, lang, engine, events, months, **extra)


def _overflows(
    request: Request,
    principal: Any,
    lang: str,
    engine: Any,
    events: Any,
    months: Any,
    **extra: Any,
) -> Response:
    monitors = sewer.monitors(engine, principal.scope)
    notice = extra.pop("notice", None)
    if notice is None and request.query_params.get("checked"):
        notice = t(lang, "quality.checked")
    return shell.render(
        request,
        principal,
        lang,
        "quality/overflows.html",
        events=events,
        months=months,
        monitors=monitors,
        notice=notice,
        points=service.points(engine, principal.scope, sewer.SEWER),
        roles=tuple(SewerRole),
        monitor_typed=extra.pop("monitor_typed", None) or {},
        **extra,
    )


@router.post("/overflows/monitors", response_class=HTMLResponse)
def configure_monitor(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    crest_m: Annotated[str, Form()] = "",
    weir_width_m: Annotated[str, Form()] = "",
    rain_point_id: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"point_id": point_id, "role": role, "crest_m": crest_m,
             "weir_width_m": weir_width_m, "rain_point_id": rain_point_id}  # fmt: skip
    try:
        if not point_id.isdigit():
            raise QualityError("required", "point_id: required", field="point_id")
        sewer.configure_monitor(
            engine,
            int(point_id),
            role=role,
            crest_m=crest_m,
            weir_width_m=weir_width_m,
            rain_point_id=int(rain_point_id) if rain_point_id.isdigit() else None,
            actor=principal.username,
            scope=principal.scope,
        )
    except EcozoneError as exc:
        return overflows_page_with(
            request, principal, lang, engine, monitor_error=message(lang, exc), monitor_typed=typed
        )
    return RedirectResponse("/overflows?configured=1", status_code=303)


# --- the checks ------------------------------------------------------------------------------


@router.post("/quality/check", response_class=HTMLResponse)
def check(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    back: Annotated[str, Form()] = "/overflows",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        checks.run_checks(engine, cst_naive(shell.now()), config.quality_settings())
    except EcozoneError as exc:
        return error_page(request, principal, lang, exc)
    target = back if back in ("/noise/approvals", "/dust", "/overflows") else "/overflows"
    return RedirectResponse(f"{target}?checked=1", status_code=303)
