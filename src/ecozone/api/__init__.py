"""The HTTP face of ecozone: REST under /api/v1, OpenAPI, metrics and a start page.

    create_app(engine=None, settings=None) -> FastAPI
    serve(host=None, port=None, engine=None)        run it under uvicorn

Each capability package brings its own router (measurements.api, ...);
this package mounts them and adds the cross-cutting read views (registry
lists, raw frames), /metrics, /healthz, / and /docs, and the request guards
(guard, csrf, proxy, headers). Nothing is loaded from the internet at run
time. The app loads on first use, so capabilities can import api.params.
"""

from ecozone.lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {"create_app": "app", "serve": "app"})

__all__ = ["create_app", "serve"]
