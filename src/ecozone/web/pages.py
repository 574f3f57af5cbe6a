"""The shell's own pages: the start page of each role, the dashboard and the public page, login.

Jinja2 templates under templates/, autoescaped. Each handler resolves the
principal (ecozone.accounts' dependency), checks the role on the server and
renders what web.dashboard composes; capabilities serve their own pages.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone.accounts.model import Principal as PrincipalType
from ecozone.monitoring import views as monitoring_views
from ecozone.registry import views as registry_views
from ecozone.waterquality import views as water_views
from ecozone.web import auth, dashboard, shell
from ecozone.web.i18n import t
from ecozone.web.model import SUPERVISING_ROLES
from ecozone.web.shell import Engine, Lang, Principal, remember_language, render

router = APIRouter(include_in_schema=False)


def home_for(principal: Any) -> str:
    """Where a role lands after signing in."""
    return {"enterprise": "/portal", "coordinator": "/plan", "bank": "/finance"}.get(
        principal.role, "/"
    )


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: no scheme, no host, no protocol-relative //host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


# --- start page, login, logout ---------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: Principal, lang: Lang, engine: Engine) -> Response:
    """Supervisors and admins: the dashboard; enterprises: their portal; coordinators: the
    plan; banks: the finance feed; everyone else: the public information page."""
    if principal.role in SUPERVISING_ROLES:
        return dashboard_page(request, principal, lang, engine)
    if principal.role in ("enterprise", "coordinator", "bank"):
        return remember_language(request, RedirectResponse(home_for(principal), status_code=303))
    return public_page(request, principal, lang, engine)


def dashboard_page(
    request: Request, principal: PrincipalType, lang: str, engine: sa.Engine
) -> Response:
    now = shell.now()
    map_data = dashboard.map_data(engine, principal, now, lang)
    tables = {
        name: build(engine, principal, now, lang)
        for name, build in dashboard.DASHBOARD_TABLES.items()
    }
    counts = map_data["counts"]
    kpis = {
        "points": len(map_data["points"]),
        **counts,
        "open_alerts": len(tables["open-alerts"].rows),
        "today_exceedances": len(tables["today-exceedances"].rows),
        "capture": monitoring_views.capture_summary(tables["capture"]),
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


def public_page(
    request: Request, principal: PrincipalType, lang: str, engine: sa.Engine
) -> Response:
    now = shell.now()
    map_data = dashboard.map_data(engine, principal, now, lang)
    tables = {"ambient": dashboard.DASHBOARD_TABLES["ambient"](engine, principal, now, lang)}
    enterprises = registry_views.enterprises_table(engine, principal, lang)
    water = water_views.public_table(engine, principal, lang)
    return render(
        request,
        principal,
        lang,
        "public.html",
        tables=tables,
        counts=map_data["counts"],
        enterprises=enterprises,
        water=water,
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
        secure=auth.cookie_secure(request),
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, engine: Engine) -> Response:
    """POST only (the layout's sign-out button): a link or an image elsewhere must not end
    the session."""
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        auth.logout(engine, token)
    response = RedirectResponse("/login?signed_out=1", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
