"""The dashboard's composition: the map of points, the live panels, the district ranking.

Each panel is a capability's own table (alerts from compliance, capture from
monitoring, AQI from airquality); this module only arranges them, places
points on the map and ranks the districts. It reads through the capabilities'
functions and holds no SQL.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import Response

from ecozone.accounts.model import Principal
from ecozone.airquality import views as airquality_views
from ecozone.compliance import store as compliance_store
from ecozone.compliance import views as compliance_views
from ecozone.monitoring import views as monitoring_views
from ecozone.monitoring.model import LiveState
from ecozone.registry import store as registry_store
from ecozone.times import cst_naive, local_time
from ecozone.web import rules, shell
from ecozone.web.i18n import show, t
from ecozone.web.model import SUPERVISING_ROLES, NotFound, Table, WebError
from ecozone.web.shell import Engine, Lang
from ecozone.web.shell import Principal as Viewer

#: Exceedance hours on the district ranking are summed over this window.
RANKING_WINDOW = timedelta(days=30)
#: Chongqing's urban core, where a point of an unknown district is drawn.
ZONE_CENTRE = (106.55, 29.60)
PUBLIC_DASHBOARD_TABLES = ("ambient",)
Format = Literal["json", "csv", "xlsx"]

router = APIRouter(prefix="/web/api", include_in_schema=False)


@cache
def district_centres() -> dict[str, tuple[float, float]]:
    """Centre of each schematic district outline shipped in static/districts.geojson."""
    text = (resources.files("ecozone.web") / "static" / "districts.geojson").read_text("utf-8")
    centres = {}
    for feature in json.loads(text)["features"]:
        props = feature["properties"]
        centres[props["name"]] = (props["centre"][0], props["centre"][1])
    return centres


def _position(row: dict[str, Any]) -> tuple[float, float, bool]:
    """Where a point is drawn: its own coordinates, its enterprise's, or near its district's
    centre (approximate)."""
    if row["lon"] is not None and row["lat"] is not None:
        return row["lon"], row["lat"], False
    if row["enterprise_lon"] is not None and row["enterprise_lat"] is not None:
        return row["enterprise_lon"], row["enterprise_lat"], False
    centre = district_centres().get(row["district"], ZONE_CENTRE)
    lon, lat = rules.schematic_position(centre, row["id"])
    return lon, lat, True


def _time_text(value: datetime | None) -> str | None:
    return cst_naive(value).strftime("%Y-%m-%d %H:%M") if value is not None else None


def map_data(engine: sa.Engine, principal: Principal, now: datetime, lang: str) -> dict[str, Any]:
    """Every point the principal may list, with its state, for the map and the state counts."""
    points = monitoring_views.visible_live_points(engine, principal, now)
    counts = Counter(p["state"].value for p in points)
    focus = None
    if principal.scope.role == "supervisor" and principal.scope.district_id is not None:
        with engine.connect() as conn:
            focus = next(iter(registry_store.districts_in_scope(conn, principal.scope)), {}).get(
                "name"
            )
    drawn = []
    for p in points:
        lon, lat, approximate = _position(p)
        drawn.append(
            {
                "id": p["id"],
                "code": p["code"],
                "name": p["name"],
                "kind": p["kind"],
                "kind_label": t(lang, f"kind.{p['kind']}"),
                "enterprise": p["enterprise_name"],
                "credit_code": p["credit_code"],
                "district": p["district"],
                "state": p["state"].value,
                "state_label": t(lang, f"state.{p['state'].value}"),
                "latest_time": _time_text(p["latest_time"]),
                "lon": lon,
                "lat": lat,
                "approximate": approximate,
                "href": f"/points/{p['id']}",
            }
        )
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "counts": {state.value: counts.get(state.value, 0) for state in LiveState},
        "points": drawn,
        "focus_district": focus,
    }


def ranking_table(engine: sa.Engine, principal: Principal, now: datetime, lang: str) -> Table:
    """Districts worst first by open alerts, then exceedance hours over the last 30 days."""
    scope = principal.scope
    now_local = local_time(now)
    window_start = now_local - RANKING_WINDOW
    with engine.connect() as conn:
        districts = registry_store.districts_in_scope(conn, scope)
        points = monitoring_views.live_points(
            conn, registry_store.points_in_scope(conn, scope), now
        )
        open_counts, spans = compliance_store.district_alert_figures(
            conn, [d["id"] for d in districts], window_start
        )
    hours: Counter[int] = Counter()
    for span in spans:
        hours[span["district_id"]] += rules.overlap_hours(
            span["start"], span["end"], window_start, now_local
        )
    rows = []
    for d in districts:
        mine = [p for p in points if p["district_id"] == d["id"]]
        rows.append(
            {
                "name": d["name"],
                "points": len(mine),
                "exceeding": sum(p["state"] is LiveState.EXCEEDING for p in mine),
                "offline": sum(p["state"] is LiveState.OFFLINE for p in mine),
                "open_alerts": open_counts.get(d["id"], 0),
                "exceedance_hours": round(hours.get(d["id"], 0.0), 1),
            }
        )
    columns = (
        ("rank", "col.rank"),
        ("name", "col.district"),
        ("points", "col.points"),
        ("exceeding", "col.exceeding_points"),
        ("offline", "col.offline_points"),
        ("open_alerts", "col.open_alerts"),
        ("exceedance_hours", "col.exceedance_hours"),
    )
    return shell.make_table("district-ranking", lang, columns, rules.rank_districts(rows))


DASHBOARD_TABLES: dict[str, Callable[[sa.Engine, Principal, datetime, str], Table]] = {
    "open-alerts": compliance_views.open_alerts_table,
    "today-exceedances": compliance_views.today_exceedances_table,
    "capture": monitoring_views.capture_table,
    "ambient": airquality_views.ambient_table,
    "district-ranking": ranking_table,
}


@router.get("/map")
def map_points(principal: Viewer, lang: Lang, engine: Engine) -> Any:
    """Every point the viewer may list, with its live state and map position."""
    return map_data(engine, principal, shell.now(), lang)


@router.get("/dashboard/{name}")
def dashboard_table(
    name: str, principal: Viewer, lang: Lang, engine: Engine, format: Format = "json"
) -> Response:
    """One live panel of the dashboard: open-alerts, today-exceedances, capture, ambient,
    district-ranking. Ambient values are public (scoped to disclosed data); the rest is for
    supervisors and admins."""
    build = DASHBOARD_TABLES.get(name)
    try:
        if build is None:
            raise NotFound(f"no dashboard table {name!r}")
        if name not in PUBLIC_DASHBOARD_TABLES:
            shell.require_role(principal, SUPERVISING_ROLES)
        table = build(engine, principal, shell.now(), lang)
    except WebError as exc:
        return shell.json_error(exc)
    extra: dict[str, Any] = {"count": len(table.rows)}
    if name == "capture":
        extra["summary"] = show(monitoring_views.capture_summary(table), lang)
    return shell.respond(table, format, lang, name, **extra)
