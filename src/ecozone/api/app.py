"""The FastAPI application: routers mounted, operations endpoints, request metrics.

`create_app` takes an engine (tests, the demo) or makes one from settings
and then owns it, disposing it at shutdown. Request metrics go to
prometheus_client's default registry, where the gateway running in the same
process registers its own, so /metrics shows both. Route templates, not raw
paths, label the metrics, which keeps their number bounded.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ecozone import __version__, config, web
from ecozone.accounts import api as accounts_api
from ecozone.accounts.audit import AuditWrites
from ecozone.airquality import api as airquality_api
from ecozone.api import access, pages, statuses
from ecozone.api.csrf import OriginCheck
from ecozone.api.guard import RequestGuard
from ecozone.api.headers import SecurityHeaders
from ecozone.api.proxy import ForwardedHeaders
from ecozone.compliance import api as compliance_api
from ecozone.disclosure import api as disclosure_api
from ecozone.energy import api as energy_api
from ecozone.errors import EcozoneError
from ecozone.measurements import api as measurements_api
from ecozone.monitoring import api as monitoring_api
from ecozone.plan import api as plan_api
from ecozone.power import api as power_api
from ecozone.projects import api as projects_api
from ecozone.quality import api as quality_api
from ecozone.registry import api as registry_api
from ecozone.registry import store as registry_store
from ecozone.reports import api as reports_api
from ecozone.statistics import api as statistics_api
from ecozone.store.engine import make_engine
from ecozone.supervision import api as supervision_api
from ecozone.supervision import finance_api, inspection_api
from ecozone.trading import api as trading_api
from ecozone.waste import api as waste_api
from ecozone.waterquality import api as waterquality_api
from ecozone.zoning import api as zoning_api

STATIC_DIR = Path(__file__).with_name("static")

HTTP_REQUESTS = Counter(
    "ecozone_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "ecozone_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
)


class RequestMetrics:
    """ASGI middleware counting requests and timing them, labelled by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # unless a response starts: the error handler outside answers 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                "/static" if scope.get("path", "").startswith("/static/") else "unmatched"
            )
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(method, template, str(status)).inc()
            HTTP_DURATION.labels(method, template).observe(time.perf_counter() - started)


async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
    """Every domain error answers with its kind's status (ecozone.errors) and its message."""
    status = exc.http_status if isinstance(exc, EcozoneError) else 500
    return JSONResponse({"detail": str(exc)}, status_code=status)


def create_app(
    engine: sa.Engine | None = None, *, settings: config.Settings | None = None
) -> FastAPI:
    """The ecozone web application over `engine` (default: one for settings.database_url)."""
    settings = settings or config.load()
    owns_engine = engine is None
    app_engine = engine if engine is not None else make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_engine:
                app_engine.dispose()

    app = FastAPI(
        title="ecozone",
        version=__version__,
        description=(
            "生态环境监管平台 Eco-environment supervision platform. "
            "Times of measurements are device time, China Standard Time (UTC+8)."
        ),
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; pages.docs serves /docs
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = app_engine
    app.state.settings = settings
    # Outermost last: headers on every answer, then metrics, the real client, the limits
    # and the Origin check before any route reads a body or a cookie.
    app.add_middleware(AuditWrites)
    app.add_middleware(OriginCheck, trusted_origins=settings.trusted_origins)
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(ForwardedHeaders, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(RequestMetrics)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(EcozoneError, domain_error)
    app.include_router(accounts_api.router)
    app.include_router(measurements_api.router)
    app.include_router(registry_api.router)
    app.include_router(compliance_api.router)
    app.include_router(plan_api.router)
    app.include_router(reports_api.router)
    app.include_router(airquality_api.router)
    app.include_router(monitoring_api.router)
    app.include_router(power_api.router)
    app.include_router(supervision_api.router)
    app.include_router(inspection_api.router)
    app.include_router(waterquality_api.router)
    app.include_router(disclosure_api.router)
    app.include_router(finance_api.router)
    app.include_router(energy_api.router)
    app.include_router(waste_api.router)
    app.include_router(trading_api.router)
    app.include_router(zoning_api.router)
    app.include_router(projects_api.router)
    app.include_router(quality_api.router)
    app.include_router(statistics_api.router)
    web.install(app)  # the pages answer /, so they go before the status page
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        summary="Prometheus",
        responses=statuses.documented(401, 403),
    )
    def metrics(request: Request) -> Response:
        """Prometheus metrics of this process (HTTP, and the gateway when it runs here), for
        admins, the scraper's address (ECOZONE_METRICS_ALLOW) or token (ECOZONE_METRICS_TOKEN)."""
        if not access.check_operations_access(request, frozenset({"admin"})):
            raise HTTPException(
                401,
                detail="log in as admin, or scrape from ECOZONE_METRICS_ALLOW or with "
                "ECOZONE_METRICS_TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"], summary="健康检查 Health check")
    def healthz(request: Request) -> Any:
        """200 when the database answers and holds the schema, 503 otherwise."""
        try:
            with request.app.state.engine.connect() as conn:
                registry_store.ping(conn)
        except sa.exc.SQLAlchemyError as exc:
            return JSONResponse(
                {"status": "unavailable", "database": f"{exc.__class__.__name__}"},
                status_code=503,
            )
        return {"status": "ok", "database": "ok"}

    statuses.install(app)
    return app


def serve(
    host: str | None = None,
    port: int | None = None,
    engine: sa.Engine | None = None,
    *,
    settings: config.Settings | None = None,
) -> None:
    """Run the application under uvicorn until interrupted (default host and port from settings)."""
    settings = settings or config.load()
    app = create_app(engine, settings=settings)
    uvicorn.run(
        app,
        host=host if host is not None else settings.http_host,
        port=port if port is not None else settings.http_port,
        log_level="info",
        proxy_headers=False,  # ForwardedHeaders believes only ECOZONE_TRUSTED_PROXIES
    )
