"""The shell every page lives in: layout, menu, language, the viewer, errors, JSON tables.

Capabilities own their pages (`<package>/views.py` with `<package>/templates/`);
this module gives them one way to render into the layout (`render`), to
admit a role (`gate`), to answer a missing or foreign entity (`error_page`,
404 either way) and to serve a table as JSON or as a download (`respond`).
A capability adds its menu entries with `add_menu` and its templates are
found as "<package>/<name>.html"; the layout and macros are the shell's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup

from ecozone import __version__
from ecozone.accounts.model import Principal as PrincipalType
from ecozone.times import utc_now
from ecozone.web import auth, export
from ecozone.web.i18n import LANG_COOKIE, LANGUAGES, js_texts, pick_language, show, t
from ecozone.web.model import Column, NotFound, Table, WebError

#: Packages whose templates/ the pages render from, as "<package>/<name>.html".
TEMPLATE_PACKAGES = (
    "accounts", "airquality", "archive", "compliance", "disclosure", "energy", "measurements",
    "monitoring", "plan", "power", "projects", "quality", "registry", "reports", "statistics",
    "supervision", "trading", "waste", "waterquality", "zoning",
)  # fmt: skip

_env = Environment(
    loader=ChoiceLoader(
        [
            PackageLoader("ecozone.web", "templates"),
            PrefixLoader(
                {name: PackageLoader(f"ecozone.{name}", "templates") for name in TEMPLATE_PACKAGES}
            ),
        ]
    ),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
#: How often the dashboard's map and live panels fetch their JSON again.
DEFAULT_REFRESH_S = 10.0


@dataclass(frozen=True)
class MenuEntry:
    """One link of the main menu, shown to `roles`; `group` is the i18n key of the menu
    heading it sits under (MENU_GROUPS), or None for a top-level link."""

    key: str  # i18n key of its label
    href: str
    roles: tuple[str, ...]
    order: int
    group: str | None = None


#: The main menu's headings in the order such platforms lay them out; a heading shows
#: only when one of its entries is visible to the role.
MENU_GROUPS = (
    "nav.group.monitoring",  # 在线监控: real-time data, history query, data marks
    "nav.group.alerts",  # 报警处置
    "nav.group.enterprises",  # 企业档案
    "nav.group.permits",  # 排污许可
    "nav.group.supervision",  # 监督执法: 双随机、一公开
    "nav.group.quality",  # 环境质量: noise, dust, sewer overflows
    "nav.group.waste",  # 固废危废: ledgers, storage, manifests
    "nav.group.energy",  # 能源双碳: energy, carbon, allowance and discharge-rights ledgers
    "nav.group.projects",  # 项目与风险: EIA scheduling, zoning, soil sites, emergency readiness
    "nav.group.statistics",  # 统计报表
    "nav.group.plan",  # 方案任务
    "nav.group.admin",  # 系统管理: users, audit log, device onboarding
)

_MENU: list[MenuEntry] = [
    MenuEntry("nav.public", "/", ("public",), 0),
    MenuEntry("nav.dashboard", "/", ("admin", "supervisor"), 0),
    MenuEntry("nav.api", "/docs", ("admin", "supervisor", "enterprise", "coordinator"), 90),
]


def add_menu(*entries: MenuEntry) -> None:
    """A capability's menu entries; adding the same entry twice keeps one."""
    for entry in entries:
        if entry.group is not None and entry.group not in MENU_GROUPS:
            raise ValueError(f"unknown menu group {entry.group!r}; add it to MENU_GROUPS")
        if entry not in _MENU:
            _MENU.append(entry)
    _MENU.sort(key=lambda e: (e.order, e.key))


#: Top-level links ordered below this come before the headings (监管总览, 企业门户, 信息公开);
#: the others (接口文档) after them.
LEADING_ORDER = 10


def menu_for(role: str, path: str = "") -> list[dict[str, Any]]:
    """The menu a role sees: the leading top-level links, then the headings in MENU_GROUPS
    order with their links by `order`, then the other top-level links; the link of `path`
    (and its heading) marked current."""
    visible = [e for e in _MENU if role in e.roles]

    def link(entry: MenuEntry) -> dict[str, Any]:
        return {"key": entry.key, "href": entry.href, "current": path == entry.href,
                "order": entry.order}  # fmt: skip

    top = [e for e in visible if e.group is None]
    items = [link(e) for e in top if e.order < LEADING_ORDER]
    for key in MENU_GROUPS:
        entries = [link(e) for e in visible if e.group == key]
        if entries:
            current = any(entry["current"] for entry in entries)
            items.append({"key": key, "entries": entries, "current": current})
    items += [link(e) for e in top if e.order >= LEADING_ORDER]
    return items


def engine_of(request: Request) -> sa.Engine:
    return request.app.state.engine


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


Principal = Annotated[PrincipalType, Depends(auth.current_principal)]
Lang = Annotated[str, Depends(language)]
Engine = Annotated[sa.Engine, Depends(engine_of)]


def now() -> datetime:
    """The instant a page is built at (aware UTC)."""
    return utc_now()


def with_format(url: str, fmt: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'format': fmt})}"


def list_url(path: str, filters: dict[str, str]) -> str:
    """`path` with the filters that are set, as a list page links its exports."""
    given = {k: v for k, v in filters.items() if v}
    return f"{path}?{urlencode(given)}" if given else path


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
    principal: PrincipalType,
    lang: str,
    template: str,
    *,
    status_code: int = 200,
    page_data: dict[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` inside the layout, with the menu of the principal's role."""
    role = principal.role if principal.is_authenticated else "public"
    nav = menu_for(role, request.url.path)
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


def error_page(
    request: Request, principal: PrincipalType, lang: str, error: WebError
) -> HTMLResponse:
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


def is_page_request(request: Request) -> bool:
    """Whether a person's browser asked for a page (not the REST API, not a panel's JSON)."""
    path = request.url.path
    return not (path.startswith(("/api/", "/web/api/", "/static/")) or path in _MACHINE_PATHS)


_MACHINE_PATHS = frozenset({"/openapi.json", "/metrics", "/healthz"})

#: Statuses a page can answer with, and the heading and explanation it shows.
_ERROR_TEXTS = {
    400: ("error.bad_request", ""),
    403: ("error.forbidden", "error.forbidden_text"),
    404: ("error.not_found", "error.not_found_text"),
    405: ("error.bad_request", "error.method_text"),
    413: ("error.bad_request", "error.too_large_text"),
    422: ("error.bad_request", "error.invalid_text"),
    500: ("error.server", "error.server_text"),
}


def status_page(request: Request, status: int) -> HTMLResponse:
    """A Chinese (or English) error page for a status the framework raised on a page route:
    an unknown path, a path parameter of the wrong type, a failure of the server."""
    lang = language(request)
    principal = getattr(request.state, "principal", None) or auth.PUBLIC
    heading, text = _ERROR_TEXTS.get(status, ("error.bad_request", ""))
    return render(
        request,
        principal,
        lang,
        "error.html",
        status_code=status,
        heading=t(lang, heading),
        status=status,
        message=t(lang, text) if text else "",
    )


class Unauthenticated(WebError):
    status_code = 401


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def gate(request: Request, principal: PrincipalType, roles: Iterable[str]) -> Response | None:
    """None when the principal may use the page; else where to send them (the login page),
    or Forbidden for a signed-in user of another role."""
    if not principal.is_authenticated:
        return login_redirect(request)
    if principal.role not in tuple(roles):
        raise Forbidden(f"the {principal.role} role cannot use this page")
    return None


def refused(
    request: Request, principal: PrincipalType, lang: str, roles: Iterable[str]
) -> Response | None:
    """`gate` for a page handler: None when the principal may use the page, else the answer
    to send (the login redirect, or the refusal page in the viewer's language)."""
    try:
        return gate(request, principal, roles)
    except WebError as exc:
        return error_page(request, principal, lang, exc)


def require_role(principal: PrincipalType, roles: Iterable[str]) -> None:
    """The JSON endpoints' gate: 401 for the public, 403 for another role."""
    if not principal.is_authenticated:
        raise Unauthenticated("sign in first")
    if principal.role not in tuple(roles):
        raise Forbidden(f"the {principal.role} role cannot read this")


def require_visible(
    principal: PrincipalType, row: dict[str, Any] | None, what: str
) -> dict[str, Any]:
    """`row` (with enterprise_id, district_id, disclosed) if the principal may read it;
    NotFound otherwise, exactly as for a row that does not exist."""
    if row is None or not auth.can_see(principal, row):
        raise NotFound(f"no {what} here")
    return row


def make_table(
    name: str, lang: str, columns: Iterable[tuple[str, str]], rows: Iterable[dict[str, Any]]
) -> Table:
    """A table with headings translated from their i18n keys."""
    return Table(
        name=name,
        columns=tuple(Column(key, t(lang, heading)) for key, heading in columns),
        rows=tuple(rows),
    )


def json_error(exc: WebError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)


def table_json(table: Table, lang: str, **extra: Any) -> dict[str, Any]:
    """A table as the live panels redraw it: headings, and rows of display text with links."""
    return {
        "name": table.name,
        "columns": [{"key": c.key, "heading": c.heading} for c in table.columns],
        "rows": [
            {
                **{c.key: show(row.get(c.key), lang) for c in table.columns},
                "_href": row.get("_href") or {},
                "_class": row.get("_class") or "",
            }
            for row in table.rows
        ],
        "generated_at": utc_now().isoformat(timespec="seconds"),
        **extra,
    }


def respond(table: Table, fmt: str, lang: str, filename: str, **extra: Any) -> Response:
    """The table as JSON for a live panel, or as a CSV/xlsx download named in the page's
    language (the table's title from i18n `file.<name>`, then `filename`)."""
    if fmt == "json":
        return JSONResponse(table_json(table, lang, **extra))
    title = t(lang, f"file.{table.name}", default="") if lang != "en" else ""
    return export.download(table, fmt, f"{title}_{filename}" if title else filename)
