"""The platform people use: dashboard, map, point and enterprise pages, portal, plan matrix.

Server-rendered Jinja2 pages with small ES-module scripts; ECharts and
Leaflet come from npm through `make assets` and are served from
/static/vendor, never from a CDN. Chinese by default, English with ?lang=en.
`install(app)` mounts everything on a FastAPI app, ahead of its start page
and its generic /static mount.
"""

from __future__ import annotations

from fastapi import FastAPI

from ecozone.web.api import router
from ecozone.web.pages import DEFAULT_REFRESH_S

__all__ = ["DEFAULT_REFRESH_S", "install", "router"]


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
