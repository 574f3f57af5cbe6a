"""The web shell: layout, menu, login, language, static assets and the dashboard's composition.

Server-rendered Jinja2 pages with small ES-module scripts; ECharts and
Leaflet come from npm through `make assets` and are served from
/static/vendor, never from a CDN. Chinese by default, English with ?lang=en.
Each capability serves its own pages (`<package>/views.py`, listed in
CAPABILITY_VIEWS); `install(app)` mounts the shell and them on a FastAPI app,
ahead of its start page and its generic /static mount.
"""

from __future__ import annotations

import logging
from importlib import import_module

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ecozone.web import assets, dashboard, pages, shell
from ecozone.web.shell import DEFAULT_REFRESH_S

log = logging.getLogger(__name__)

__all__ = ["CAPABILITY_VIEWS", "DEFAULT_REFRESH_S", "install", "router"]

#: The capabilities that serve pages; a new one adds its views module here.
CAPABILITY_VIEWS = (
    "ecozone.monitoring.views",
    "ecozone.registry.views",
    "ecozone.compliance.views",
    "ecozone.compliance.desk_views",
    "ecozone.compliance.mark_views",
    "ecozone.plan.views",
    "ecozone.power.views",
    "ecozone.supervision.views",
    "ecozone.supervision.credit_views",
    "ecozone.supervision.finance_views",
    "ecozone.disclosure.views",
    "ecozone.supervision.inspection_views",
    "ecozone.waterquality.views",
    "ecozone.energy.views",
    "ecozone.waste.views",
    "ecozone.projects.views",
    "ecozone.accounts.views",
    "ecozone.accounts.audit_views",
    "ecozone.archive.views",
    "ecozone.registry.onboarding_views",
    "ecozone.measurements.views",
    "ecozone.reports.views",
    "ecozone.airquality.views",
    "ecozone.airquality.station_views",
    "ecozone.trading.views",
    "ecozone.trading.admin_views",
    "ecozone.zoning.views",
    "ecozone.zoning.soil_views",
    "ecozone.zoning.emergency_views",
    "ecozone.quality.views",
    "ecozone.quality.dust_views",
    "ecozone.statistics.views",
)

router = APIRouter()
router.include_router(pages.router)
router.include_router(dashboard.router)
for _module in CAPABILITY_VIEWS:
    router.include_router(import_module(_module).router)
router.include_router(assets.router)


def install(app: FastAPI, *, refresh_s: float = DEFAULT_REFRESH_S) -> None:
    """Include `router` in `app` with its routes first; live panels refresh every `refresh_s`.

    The web pages answer / for signed-in users and serve /static/web and
    /static/vendor; routes are matched in order, so they go before the app's
    own start page and its /static mount, wherever this is called.
    """
    app.state.web_refresh_ms = int(refresh_s * 1000)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    before = list(app.router.routes)
    app.include_router(router)
    added = app.router.routes[len(before) :]
    app.router.routes[:] = [*added, *before]


# A person's browser gets an error page in their language; the REST API and the live panels
# keep FastAPI's JSON answers.


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if shell.is_page_request(request) and exc.status_code in (404, 405):
        return shell.status_page(request, exc.status_code)
    return await http_exception_handler(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if shell.is_page_request(request):
        return shell.status_page(request, 404 if _bad_path_value(exc) else 422)
    return await request_validation_exception_handler(request, exc)


def _bad_path_value(exc: RequestValidationError) -> bool:
    """A path segment that cannot be the entity's key names no entity: 404, as for a
    missing one."""
    return any(error.get("loc", ("",))[0] == "path" for error in exc.errors())


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if shell.is_page_request(request):
        return shell.status_page(request, 500)
    return JSONResponse({"detail": "internal server error; it has been logged"}, 500)
