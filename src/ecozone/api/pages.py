"""Server-rendered HTML: the start page (/) and the API reference (/docs).

Templates are string.Template files in templates/, filled with values that
are HTML-escaped here; the only asset is the local stylesheet under
/static, so the pages work on a network without internet access. /docs is
built from the app's own OpenAPI schema instead of Swagger UI, which would
load its scripts from a CDN.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from string import Template
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import __version__
from ecozone.api import access
from ecozone.measurements import store as measurements_store
from ecozone.measurements.model import PERIODIC_KINDS as MEASUREMENT_KINDS
from ecozone.registry import store as registry_store
from ecozone.registry.model import POINT_KINDS

router = APIRouter(include_in_schema=False)

STATUS_READERS = frozenset({"admin", "supervisor"})

POINT_KIND_NAMES = {
    "flue_gas": ("废气", "Flue gas"),
    "wastewater": ("废水", "Wastewater"),
    "ambient_air": ("环境空气", "Ambient air"),
    "surface_water": ("地表水", "Surface water"),
    "power": ("用电监控", "Power metering"),
}
FRAME_WINDOW = timedelta(hours=1)
_PARAMETER_TABLE = (
    "<table><thead><tr>"
    "<th>参数 <span class='en'>Parameter</span></th>"
    "<th>位置 <span class='en'>In</span></th>"
    "<th>必填 <span class='en'>Required</span></th>"
    "<th>类型 <span class='en'>Type</span></th>"
    "<th>说明 <span class='en'>Description</span></th>"
    "</tr></thead><tbody>{rows}</tbody></table>"
)


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


@cache
def _template(name: str) -> Template:
    return Template((resources.files("ecozone.api") / "templates" / name).read_text("utf-8"))


def _e(value: Any) -> str:
    return html.escape(str(value))


def overview(conn: sa.Connection, now: datetime) -> dict[str, Any]:
    """Figures of the start page, as plain data."""
    latest = {row["point_kind"]: row for row in measurements_store.latest_data_times(conn)}
    return {
        "zones": registry_store.zone_names(conn),
        "counts": registry_store.registry_counts(conn),
        "frames": measurements_store.frame_counts_since(conn, now - FRAME_WINDOW),
        "latest": [
            {"point_kind": kind, **{k: latest.get(kind, {}).get(k) for k in MEASUREMENT_KINDS}}
            for kind in POINT_KINDS
        ],
    }


def render_index(figures: dict[str, Any], now: datetime) -> str:
    zones = figures["zones"]
    zone_text = "、".join(zones) if zones else "尚未登记园区"
    zone_html = (
        _e(zone_text)
        if zones
        else (f'{_e(zone_text)} <span class="en">No zone registered yet</span>')
    )
    rows = []
    for row in figures["latest"]:
        zh, en = POINT_KIND_NAMES.get(row["point_kind"], (row["point_kind"], ""))
        cells = "".join(
            f"<td>{_e(row[k].strftime('%Y-%m-%d %H:%M:%S')) if row[k] is not None else '—'}</td>"
            for k in MEASUREMENT_KINDS
        )
        rows.append(f'      <tr><th>{_e(zh)} <span class="en">{_e(en)}</span></th>{cells}</tr>')
    counts, frames = figures["counts"], figures["frames"]
    return _template("index.html").substitute(
        zone=_e(zone_text),
        zone_html=zone_html,
        version=_e(__version__),
        districts=counts["districts"],
        enterprises=counts["enterprises"],
        points=counts["points"],
        devices=counts["devices"],
        accepted=frames["accepted"],
        rejected=frames["rejected"],
        latest_rows="\n".join(rows),
        generated_at=_e(now.isoformat(timespec="seconds")),
    )


def render_docs(schema: dict[str, Any]) -> str:
    """Every operation of an OpenAPI schema: method, path, summary, parameters, responses."""
    sections = []
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            params = "".join(
                "<tr>"
                f"<td><code>{_e(p['name'])}</code></td><td>{_e(p.get('in', ''))}</td>"
                f"<td>{'是 yes' if p.get('required') else '否 no'}</td>"
                f"<td>{_e(_type_text(p.get('schema', {})))}</td>"
                f"<td>{_e(p.get('description', ''))}</td>"
                "</tr>"
                for p in op.get("parameters", [])
            )
            table = _PARAMETER_TABLE.format(rows=params) if params else ""
            responses = ", ".join(
                f"{_e(code)} {_e(r.get('description', ''))}"
                for code, r in op.get("responses", {}).items()
            )
            # Link what a browser can open as is: GETs needing no parameter.
            needs_input = "{" in path or any(p.get("required") for p in op.get("parameters", []))
            link = (
                f'<a href="{_e(path)}">{_e(path)}</a>'
                if method == "get" and not needs_input
                else _e(path)
            )
            sections.append(
                f'<section class="op"><h3><span class="method">{_e(method.upper())}</span> '
                f"{link}</h3>"
                f"<p>{_e(op.get('summary', ''))}</p>"
                f"<p class='en'>{_e(op.get('description', ''))}</p>"
                f"{table}<p class='en'>响应 Responses: {responses}</p></section>"
            )
    info = schema.get("info", {})
    return _template("docs.html").substitute(
        title=_e(info.get("title", "")),
        version=_e(info.get("version", "")),
        operations="\n".join(sections),
    )


def _type_text(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(_type_text(s) for s in schema["anyOf"] if s.get("type") != "null")
    text = str(schema.get("type", ""))
    if "minimum" in schema or "maximum" in schema:
        text += f" [{schema.get('minimum', '')}..{schema.get('maximum', '')}]"
    return text


@router.get("/status", response_class=HTMLResponse)
def index(request: Request, engine: Annotated[sa.Engine, Depends(_engine)]) -> Response:
    """Staff, and the scraper of /metrics; the anonymous are sent to the login page."""
    if not access.check_operations_access(request, STATUS_READERS):
        return RedirectResponse("/login?next=/status", status_code=303)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        figures = overview(conn, now)
    return HTMLResponse(render_index(figures, now))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(render_docs(request.app.openapi()))
