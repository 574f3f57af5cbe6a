"""Server-rendered pages: start page per role, login, dashboard, point, enterprise, portal, plan.

Jinja2 templates under templates/, autoescaped. Each handler resolves the
principal (ecozone.accounts' dependency), checks the role on the server,
asks web.service for plain data and renders it. Pages that need an account
send anonymous visitors to /login; entities a viewer may not see answer 404.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ecozone import __version__
from ecozone.web import auth, service
from ecozone.web.i18n import LANG_COOKIE, LANGUAGES, js_texts, pick_language, show, t
from ecozone.web.model import (
    PLAN_ROLES,
    SUPERVISING_ROLES,
    FeedbackError,
    NotFound,
    Table,
    WebError,
)

router = APIRouter(include_in_schema=False)

_env = Environment(
    loader=PackageLoader("ecozone.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
#: How often the dashboard's map and live panels fetch their JSON again.
DEFAULT_REFRESH_S = 10.0

_NAV = {
    "admin": (("nav.dashboard", "/"), ("nav.plan", "/plan"), ("nav.api", "/docs")),
    "supervisor": (("nav.dashboard", "/"), ("nav.plan", "/plan"), ("nav.api", "/docs")),
    "enterprise": (("nav.portal", "/portal"), ("nav.api", "/docs")),
    "coordinator": (("nav.plan", "/plan"), ("nav.api", "/docs")),
    "public": (("nav.public", "/"),),
}


def engine_of(request: Request) -> sa.Engine:
    return request.app.state.engine


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


Principal = Annotated[Any, Depends(auth.current_principal)]
Lang = Annotated[str, Depends(language)]
Engine = Annotated[sa.Engine, Depends(engine_of)]


def home_for(principal: Any) -> str:
    """Where a role lands after signing in."""
    return {"enterprise": "/portal", "coordinator": "/plan"}.get(principal.role, "/")


def with_format(url: str, fmt: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'format': fmt})}"


def remember_language(request: Request, response: Response) -> Response:
    """A ?lang= choice is kept in a cookie, so the switch survives navigation."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=LANG_COOKIE_MAX_AGE_S, samesite="lax", path="/"
        )
    return response


def _lang_href(request: Request, lang: str) -> str:
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request,
    principal: Any,
    lang: str,
    template: str,
    *,
    status_code: int = 200,
    page_data: dict[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    nav = [
        {"key": key, "href": href, "current": request.url.path == href}
        for key, href in _NAV.get(principal.role, _NAV["public"])
    ]
    refresh_ms = getattr(request.app.state, "web_refresh_ms", int(DEFAULT_REFRESH_S * 1000))
    data = {"lang": lang, "texts": js_texts(lang), "refresh_ms": refresh_ms, **(page_data or {})}
    page_json = json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c")
    values = {
        "feedback_error": None,
        "notice": None,
        **context,
        "t": partial(t, lang),
        "show": partial(show, lang=lang),
        "lang": lang,
        "principal": principal,
        "nav": nav,
        "version": __version__,
        "page_json": Markup(page_json),
        "lang_href": partial(_lang_href, request),
        "with_format": with_format,
        "request_path": request.url.path,
    }
    html = _env.get_template(template).render(values)
    return remember_language(request, HTMLResponse(html, status_code=status_code))


def error_page(request: Request, principal: Any, lang: str, error: WebError) -> HTMLResponse:
    heading, text = {
        404: ("error.not_found", "error.not_found_text"),
        403: ("error.forbidden", "error.forbidden_text"),
    }.get(error.status_code, ("error.bad_request", ""))
    message = t(lang, text) if text else str(error)
    return render(
        request,
        principal,
        lang,
        "error.html",
        status_code=error.status_code,
        heading=t(lang, heading),
        status=error.status_code,
        message=message,
    )


class Forbidden(WebError):
    status_code = 403


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def _gate(request: Request, principal: Any, roles: tuple[str, ...]) -> Response | None:
    """None when the principal may use the page; else where to send them."""
    if not principal.is_authenticated:
        return _login_redirect(request)
    if principal.role not in roles:
        raise Forbidden(f"the {principal.role} role cannot use this page")
    return None


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: no scheme, no host, no protocol-relative //host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


# --- start page, login, logout ---------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: Principal, lang: Lang, engine: Engine) -> Response:
    """Supervisors and admins: the dashboard; enterprises: their portal; coordinators: the
    plan; everyone else: the public information page."""
    if principal.role in SUPERVISING_ROLES:
        return dashboard_page(request, principal, lang, engine)
    if principal.role in ("enterprise", "coordinator"):
        return remember_language(request, RedirectResponse(home_for(principal), status_code=303))
    return public_page(request, principal, lang, engine)


def dashboard_page(request: Request, principal: Any, lang: str, engine: sa.Engine) -> Response:
    now = service.now_utc()
    map_data = service.map_data(engine, principal, now, lang)
    tables = {
        name: build(engine, principal, now, lang)
        for name, build in service.DASHBOARD_TABLES.items()
    }
    counts = map_data["counts"]
    kpis = {
        "points": len(map_data["points"]),
        **counts,
        "open_alerts": len(tables["open-alerts"].rows),
        "today_exceedances": len(tables["today-exceedances"].rows),
        "capture": service.capture_summary(tables["capture"]),
    }
    ranking = tables["district-ranking"].rows
    if principal.district_id is not None and principal.role == "supervisor" and ranking:
        scope_text = t(lang, "dashboard.scope_district", district=ranking[0]["name"])
    else:
        scope_text = t(lang, "dashboard.scope_all")
    return render(
        request,
        principal,
        lang,
        "dashboard.html",
        tables=tables,
        kpis=kpis,
        counts=counts,
        scope_text=scope_text,
        page_data={"map": map_data},
    )


def public_page(request: Request, principal: Any, lang: str, engine: sa.Engine) -> Response:
    now = service.now_utc()
    map_data = service.map_data(engine, principal, now, lang)
    tables = {"ambient": service.ambient_table(engine, principal, now, lang)}
    enterprises = service.public_enterprises_table(engine, principal, lang)
    return render(
        request,
        principal,
        lang,
        "public.html",
        tables=tables,
        counts=map_data["counts"],
        enterprises=enterprises,
        page_data={"map": map_data},
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: Principal, lang: Lang) -> Response:
    if principal.is_authenticated:
        return RedirectResponse(home_for(principal), status_code=303)
    notice = t(lang, "login.signed_out") if request.query_params.get("signed_out") else None
    return render(
        request,
        principal,
        lang,
        "login.html",
        error=None,
        notice=notice,
        next=_safe_next(request.query_params.get("next")) or "",
        username="",
    )


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    principal: Principal,
    lang: Lang,
    engine: Engine,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the credentials with the accounts package and set the session cookie."""
    target = _safe_next(next)

    def again(message: str, status_code: int) -> Response:
        return render(
            request,
            principal,
            lang,
            "login.html",
            status_code=status_code,
            error=message,
            next=target or "",
            username=username,
        )

    if not username.strip() or not password:
        return again(t(lang, "login.missing"), 400)
    client_ip = request.client.host if request.client else ""
    try:
        signed_in, token = auth.login(engine, username.strip(), password, client_ip=client_ip)
    except auth.RateLimited as exc:
        seconds = max(1, round(float(getattr(exc, "retry_after_s", 60))))
        response = again(t(lang, "login.rate_limited", seconds=seconds), 429)
        response.headers["Retry-After"] = str(seconds)
        return response
    except auth.AuthError:
        return again(t(lang, "login.failed"), 401)
    response = RedirectResponse(target or home_for(signed_in), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=auth.session_max_age_s(),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.api_route("/logout", methods=["GET", "POST"])
def logout(request: Request, engine: Engine) -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        auth.logout(engine, token)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


# --- entity pages ----------------------------------------------------------------------


@router.get("/points/{point_id}", response_class=HTMLResponse)
def point_page(
    point_id: int, request: Request, principal: Principal, lang: Lang, engine: Engine
) -> Response:
    now = service.now_utc()
    try:
        page = service.point_page(engine, principal, point_id, now, lang)
        hourly = service.aggregates_table(engine, principal, point_id, "hour", 2, lang)
        daily = service.aggregates_table(engine, principal, point_id, "day", 31, lang)
        alerts: Table | None = None
        if page["internal"]:
            alerts = service.point_alerts_table(engine, principal, point_id, lang)
    except WebError as exc:
        return error_page(request, principal, lang, exc)
    return render(
        request,
        principal,
        lang,
        "point.html",
        point=page["point"],
        internal=page["internal"],
        latest=page["latest"],
        limits=page["limits"],
        pollutants=page["pollutants"],
        default_pollutant=page["default_pollutant"],
        hourly=hourly,
        daily=daily,
        alerts=alerts,
        power=page["power"],
        page_data={"point_id": point_id, "default_pollutant": page["default_pollutant"]},
    )


@router.get("/enterprises/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    credit_code: str, request: Request, principal: Principal, lang: Lang, engine: Engine
) -> Response:
    try:
        page = service.enterprise_file(engine, principal, credit_code, service.now_utc(), lang)
    except WebError as exc:
        return error_page(request, principal, lang, exc)
    return render(request, principal, lang, "enterprise.html", **page)


@router.get("/portal", response_class=HTMLResponse)
def portal_page(request: Request, principal: Principal, lang: Lang, engine: Engine) -> Response:
    try:
        redirect = _gate(request, principal, ("enterprise",))
    except WebError as exc:
        return error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    notice = None
    saved = request.query_params.get("saved")
    if saved and saved.isdigit():
        notice = t(lang, "feedback.saved", alert_id=saved)
    enterprises = service.portal(engine, principal, service.now_utc(), lang)
    return render(request, principal, lang, "portal.html", enterprises=enterprises, notice=notice)


@router.post("/portal/alerts/{alert_id}/feedback", response_class=HTMLResponse)
def portal_feedback(
    alert_id: int,
    request: Request,
    principal: Principal,
    lang: Lang,
    engine: Engine,
    cause: Annotated[str, Form()] = "",
    measures: Annotated[str, Form()] = "",
) -> Response:
    """The enterprise's feedback on one of its alerts; back to the portal with a notice."""
    try:
        redirect = _gate(request, principal, ("enterprise",))
        if redirect is not None:
            return redirect
        service.submit_feedback(
            engine, principal, alert_id, cause=cause, measures=measures, now=service.now_utc()
        )
    except FeedbackError as exc:
        enterprises = service.portal(engine, principal, service.now_utc(), lang)
        return render(
            request,
            principal,
            lang,
            "portal.html",
            status_code=400,
            enterprises=enterprises,
            feedback_error={"alert_id": alert_id, "message": str(exc)},
        )
    except (NotFound, WebError) as exc:
        return error_page(request, principal, lang, exc)
    return RedirectResponse(f"/portal?saved={alert_id}#alert-{alert_id}", status_code=303)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, principal: Principal, lang: Lang) -> Response:
    try:
        redirect = _gate(request, principal, PLAN_ROLES)
    except WebError as exc:
        return error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    return render(request, principal, lang, "plan.html")
