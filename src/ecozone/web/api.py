"""The web package's router: the pages, the JSON their scripts fetch, exports and static files.

`router` = pages + /web/api/... + /static/web and /static/vendor. JSON
endpoints serve the live panels and charts; every table endpoint also
answers ?format=csv|xlsx with the same rows as a download. Access is checked
here (roles) and in web.service (each entity's visibility); nothing relies
on the browser hiding a link.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse, Response

from ecozone.web import export, pages, service
from ecozone.web.i18n import show
from ecozone.web.model import SUPERVISING_ROLES, NotFound, Table, WebError
from ecozone.web.pages import Engine, Lang, Principal

STATIC_DIR = Path(__file__).with_name("static")
VENDOR_DIR = STATIC_DIR / "vendor"

Format = Literal["json", "csv", "xlsx"]
PUBLIC_DASHBOARD_TABLES = ("ambient",)
POINT_TABLES = ("latest", "limits", "hourly-values", "daily-values", "alerts")
ENTERPRISE_TABLES = ("outlets", "permits", "limits", "alerts", "data-marks")

api = APIRouter(prefix="/web/api", include_in_schema=False)
static = APIRouter(include_in_schema=False)
router = APIRouter()
router.include_router(pages.router)
router.include_router(api)
router.include_router(static)


class Unauthenticated(WebError):
    status_code = 401


def _error(exc: WebError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=exc.status_code)


def _require(principal: Any, roles: tuple[str, ...]) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated("sign in first")
    if principal.role not in roles:
        raise pages.Forbidden(f"the {principal.role} role cannot read this")


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
        "generated_at": service.now_utc().isoformat(timespec="seconds"),
        **extra,
    }


def respond(table: Table, fmt: str, lang: str, filename: str, **extra: Any) -> Response:
    if fmt == "json":
        return JSONResponse(table_json(table, lang, **extra))
    return export.download(table, fmt, filename)


@api.get("/map")
def map_points(principal: Principal, lang: Lang, engine: Engine) -> Any:
    """Every point the viewer may list, with its live state and map position."""
    return service.map_data(engine, principal, service.now_utc(), lang)


@api.get("/dashboard/{name}")
def dashboard_table(
    name: str, principal: Principal, lang: Lang, engine: Engine, format: Format = "json"
) -> Response:
    """One live panel of the dashboard: open-alerts, today-exceedances, capture, ambient,
    district-ranking. Ambient values are public (scoped to disclosed data); the rest is for
    supervisors and admins."""
    build = service.DASHBOARD_TABLES.get(name)
    try:
        if build is None:
            raise NotFound(f"no dashboard table {name!r}")
        if name not in PUBLIC_DASHBOARD_TABLES:
            _require(principal, SUPERVISING_ROLES)
        table = build(engine, principal, service.now_utc(), lang)
    except WebError as exc:
        return _error(exc)
    extra: dict[str, Any] = {"count": len(table.rows)}
    if name == "capture":
        extra["summary"] = show(service.capture_summary(table), lang)
    return respond(table, format, lang, name, **extra)


@api.get("/public/enterprises")
def public_enterprises(
    principal: Principal, lang: Lang, engine: Engine, format: Format = "json"
) -> Response:
    table = service.public_enterprises_table(engine, principal, lang)
    return respond(table, format, lang, "enterprises")


@api.get("/points/{point_id}/series")
def point_series(
    point_id: int,
    principal: Principal,
    lang: Lang,
    engine: Engine,
    pollutant: Annotated[str, Query(min_length=1, max_length=16)],
    kind: str = "minute",
    hours: int = 24,
) -> Response:
    """One pollutant's values for a chart, with the permit limits in force."""
    try:
        body = service.point_series(
            engine,
            principal,
            point_id,
            kind=kind,
            pollutant=pollutant,
            hours=hours,
            now=service.now_utc(),
            lang=lang,
        )
    except WebError as exc:
        return _error(exc)
    return JSONResponse(body)


@api.get("/points/{point_id}/tables/{name}")
def point_table(
    point_id: int,
    name: str,
    principal: Principal,
    lang: Lang,
    engine: Engine,
    format: Format = "json",
    days: int | None = None,
) -> Response:
    """A table of the point page: latest, limits, hourly-values, daily-values, alerts."""
    now = service.now_utc()
    try:
        if name not in POINT_TABLES:
            raise NotFound(f"no table {name!r} on a point page")
        if name in ("hourly-values", "daily-values"):
            kind = "hour" if name == "hourly-values" else "day"
            default_days = 2 if kind == "hour" else 31
            table = service.aggregates_table(
                engine, principal, point_id, kind, days or default_days, lang
            )
        elif name == "alerts":
            table = service.point_alerts_table(engine, principal, point_id, lang)
        else:
            table = service.point_page(engine, principal, point_id, now, lang)[name]
    except WebError as exc:
        return _error(exc)
    return respond(table, format, lang, f"point-{point_id}-{name}")


@api.get("/enterprises/{credit_code}/tables/{name}")
def enterprise_table(
    credit_code: str,
    name: str,
    principal: Principal,
    lang: Lang,
    engine: Engine,
    format: Format = "json",
) -> Response:
    """A table of the enterprise file: outlets, permits, limits, alerts, data-marks."""
    try:
        if name not in ENTERPRISE_TABLES:
            raise NotFound(f"no table {name!r} on an enterprise file")
        table = service.enterprise_table(
            engine, principal, credit_code, name, service.now_utc(), lang
        )
    except WebError as exc:
        return _error(exc)
    return respond(table, format, lang, f"{credit_code}-{name}")


# --- static files ----------------------------------------------------------------------

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/geo+json", ".geojson")


def _static_file(base: Path, path: str) -> Response:
    target = (base / path).resolve()
    if not target.is_relative_to(base.resolve()) or not target.is_file():
        return Response(f"no file {path}", status_code=404, media_type="text/plain")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return FileResponse(target, media_type=media_type, headers={"Cache-Control": "no-cache"})


@static.get("/static/web/{path:path}")
def web_static(path: str) -> Response:
    """The pages' own CSS, JavaScript modules and the district outlines."""
    if path.startswith("vendor/"):
        return Response(status_code=404)
    return _static_file(STATIC_DIR, path)


@static.get("/static/vendor/{path:path}")
def vendor_static(path: str) -> Response:
    """ECharts and Leaflet as `make assets` copied them from web/node_modules."""
    return _static_file(VENDOR_DIR, path)
