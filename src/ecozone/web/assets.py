"""The pages' static files: their CSS, JavaScript modules and district outlines, and the
chart and map libraries `make assets` installs from npm (served here, never from a CDN)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).with_name("static")
VENDOR_DIR = STATIC_DIR / "vendor"

router = APIRouter(include_in_schema=False)


mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/geo+json", ".geojson")


def _static_file(base: Path, path: str) -> Response:
    target = (base / path).resolve()
    if not target.is_relative_to(base.resolve()) or not target.is_file():
        return Response(f"no file {path}", status_code=404, media_type="text/plain")
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return FileResponse(target, media_type=media_type, headers={"Cache-Control": "no-cache"})


@router.get("/static/web/{path:path}")
def web_static(path: str) -> Response:
    """The pages' own CSS, JavaScript modules and the district outlines."""
    if path.startswith("vendor/"):
        return Response(status_code=404)
    return _static_file(STATIC_DIR, path)


@router.get("/static/vendor/{path:path}")
def vendor_static(path: str) -> Response:
    """ECharts and Leaflet as `make assets` copied them from web/node_modules."""
    return _static_file(VENDOR_DIR, path)
