"""The web shell: layout, menu, login, language, static assets and the dashboard's composition.

Server-rendered Jinja2 pages with small ES-module scripts; ECharts and
Leaflet come from npm through `make assets` and are served from
/static/vendor, never from a CDN. Chinese by default, English with ?lang=en.
Each capability serves its own pages (`<package>/views.py`, listed in
CAPABILITY_VIEWS); `install(app)` mounts the shell and them on a FastAPI app,
ahead of its start page and its generic /static mount.
"""

from __future__ import annotations

from importlib import import_module

from fastapi import APIRouter, FastAPI

from ecozone.web import assets, dashboard, pages
from ecozone.web.shell import DEFAULT_REFRESH_S

__all__ = ["CAPABILITY_VIEWS", "DEFAULT_REFRESH_S", "install", "router"]

#: The capabilities that serve pages; a new one adds its views module here.
CAPABILITY_VIEWS = (
    "ecozone.monitoring.views",
    "ecozone.registry.views",
    "ecozone.compliance.views",
    "ecozone.plan.views",
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
    before = list(app.router.routes)
    app.include_router(router)
    added = app.router.routes[len(before) :]
    app.router.routes[:] = [*added, *before]
