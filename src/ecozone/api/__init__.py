"""The HTTP face of ecozone: REST under /api/v1, OpenAPI, metrics and a start page.

    create_app(engine=None, settings=None) -> FastAPI
    serve(host=None, port=None, engine=None)        run it under uvicorn

Each capability package brings its own router (measurements.api, ...);
this package mounts them and adds the cross-cutting read views (registry
lists, raw frames), /metrics, /healthz, / and /docs. Nothing is loaded from
the internet at run time.
"""

from ecozone.api.app import create_app, serve

__all__ = ["create_app", "serve"]
