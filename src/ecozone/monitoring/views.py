"""Monitoring's pages: a point's live state, the real-time list of every point in scope (实时数据),
a point's page (latest values, charts, hourly and daily values) and the capture panel of the
dashboard.

Each page reads through the stores of the entities it shows (registry points,
measurements, aggregates, compliance limits and alerts) inside one connection,
judges live state with monitoring.rules, and renders into the web shell. A
point of an enterprise the viewer may not read answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ecozone.accounts.model import SYSTEM_SCOPE, Principal
from ecozone.airquality.rules import ambient_display
from ecozone.api.params import Id
from ecozone.compliance import store as compliance_store
from ecozone.compliance import views as compliance_views
from ecozone.compliance.model import OPEN_ALERT_STATES
from ecozone.measurements import store as measurements_store
from ecozone.monitoring import rules
from ecozone.monitoring import store as monitoring_store
from ecozone.monitoring.model import LiveState
from ecozone.registry import store as registry_store
from ecozone.registry.model import PointKind
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import add_texts, flag_meaning, pollutant_name, pollutant_unit, show, t
from ecozone.web.model import SUPERVISING_ROLES, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

#: How far back a point's reported pollutants set what its capture rate expects.
EXPECTED_POLLUTANTS_LOOKBACK = timedelta(days=7)
SERIES_KINDS = ("rtd", "minute", "hour")
MAX_SERIES_HOURS = 24 * 7
POINT_TABLES = ("latest", "limits", "hourly-values", "daily-values", "alerts")
Format = Literal["json", "csv", "xlsx"]
PageFormat = Literal["html", "csv", "xlsx"]
LIVE_ROLES = (*SUPERVISING_ROLES, "enterprise")

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.points", "/points", LIVE_ROLES, 11, "nav.group.monitoring"))


# --- live state ------------------------------------------------------------------------


def live_points(
    conn: sa.Connection, points: Sequence[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """`points` with their live state and newest data time and kind."""
    now_local = local_time(now)
    ids = [p["id"] for p in points]
    latest = measurements_store.latest_data(conn, ids)
    flags = measurements_store.flags_at(
        conn, [(pid, kind, time) for pid, (kind, time) in latest.items()]
    )
    exceeding = compliance_store.open_exceedance_points(conn, ids)
    result = []
    for row in points:
        kind_time = latest.get(row["id"])
        latest_time = kind_time[1] if kind_time else None
        state = rules.live_state(
            latest_time, flags.get(row["id"], []), row["id"] in exceeding, now_local
        )
        result.append(
            {
                **row,
                "state": state,
                "latest_time": latest_time,
                "latest_kind": kind_time[0] if kind_time else None,
            }
        )
    return result


def visible_live_points(engine: sa.Engine, principal: Principal, now: datetime) -> list[dict]:
    """Every point the principal may list, with its live state."""
    with engine.connect() as conn:
        return live_points(conn, registry_store.points_in_scope(conn, principal.scope), now)


def latest_summaries(
    conn: sa.Connection, points: Sequence[dict[str, Any]], lang: str
) -> dict[int, str]:
    """Per point, its values at its newest data time in a line: "二氧化硫 28.2 · 氮氧化物 48"
    (converted values where the point sends them)."""
    summaries = {}
    for p in points:
        if p["latest_time"] is None:
            continue
        parts = []
        for v in measurements_store.values_at(conn, p["id"], p["latest_kind"], p["latest_time"]):
            value = v["zs_rtd"] if p["latest_kind"] == "rtd" else v["zs_avg"]
            if value is None:
                value = v["rtd"] if p["latest_kind"] == "rtd" else v["avg"]
            if value is None or v["pollutant"] in ("a19001", "a00000", "w00000"):
                continue  # oxygen and flows are not what an outlet is judged on
            if p["kind"] == "ambient_air":
                value = ambient_display(v["pollutant"], value)[0]
            parts.append(f"{pollutant_name(v['pollutant'], lang)} {show(value, lang)}")
        summaries[p["id"]] = " · ".join(parts)
    return summaries


def outlets_table(
    points: Sequence[dict[str, Any]], lang: str, latest: dict[int, str] | None = None
) -> Table:
    latest = latest or {}
    rows = [
        {
            "code": p["code"],
            "name": p["name"],
            "kind": t(lang, f"kind.{p['kind']}"),
            "state": t(lang, f"state.{p['state'].value}"),
            "latest_values": latest.get(p["id"], ""),
            "latest_time": p["latest_time"],
            "reference_o2": p["reference_o2"],
            "_href": {"code": f"/points/{p['id']}", "name": f"/points/{p['id']}"},
            "_class": f"state-{p['state'].value}",
        }
        for p in points
    ]
    columns = (
        ("code", "col.code"),
        ("name", "col.point"),
        ("kind", "col.kind"),
        ("state", "col.live_state"),
        ("latest_values", "col.latest_values"),
        ("latest_time", "col.latest_time"),
        ("reference_o2", "col.reference_o2"),
    )
    return shell.make_table("outlets", lang, columns, rows)


# --- the real-time list (实时数据) ------------------------------------------------------


def live_points_table(points: Sequence[dict[str, Any]], latest: dict[int, str], lang: str) -> Table:
    """Points with their live state, newest data time and latest values, each linking to its
    page and its enterprise's file."""
    rows = [
        {
            "district": p["district"],
            "enterprise": p["enterprise_name"],
            "code": p["code"],
            "name": p["name"],
            "kind": t(lang, f"kind.{p['kind']}"),
            "state": t(lang, f"state.{p['state'].value}"),
            "latest_time": p["latest_time"],
            "latest_values": latest.get(p["id"], ""),
            "_href": {
                "code": f"/points/{p['id']}",
                "name": f"/points/{p['id']}",
                "enterprise": f"/enterprises/{p['credit_code']}",
            },
            "_class": f"state-{p['state'].value}",
        }
        for p in points
    ]
    columns = (
        ("district", "col.district"),
        ("enterprise", "col.enterprise"),
        ("code", "col.code"),
        ("name", "col.point"),
        ("kind", "col.kind"),
        ("state", "col.live_state"),
        ("latest_time", "col.latest_time"),
        ("latest_values", "col.latest_values"),
    )
    return shell.make_table("live-points", lang, columns, rows)


def live_list(
    engine: sa.Engine, principal: Principal, now: datetime, lang: str, filters: dict[str, str]
) -> dict[str, Any]:
    """The points the viewer may list that match `filters` (district name, point kind, live
    state), their table, and the choices each filter offers."""
    with engine.connect() as conn:
        every = live_points(conn, registry_store.points_in_scope(conn, principal.scope), now)
        shown = [
            p
            for p in every
            if filters["district"] in ("", p["district"])
            and filters["kind"] in ("", p["kind"])
            and filters["state"] in ("", p["state"].value)
        ]
        latest = latest_summaries(conn, shown, lang)
    kinds = {p["kind"] for p in every}
    return {
        "table": live_points_table(shown, latest, lang),
        "total": len(every),
        "choices": {
            "district": sorted({p["district"] for p in every}),
            "kind": [(k.value, t(lang, f"kind.{k.value}")) for k in PointKind if k.value in kinds],
            "state": [(s.value, t(lang, f"state.{s.value}")) for s in LiveState],
        },
    }


@router.get("/points", response_class=HTMLResponse)
def points_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    district: str = "",
    kind: str = "",
    state: str = "",
    format: PageFormat = "html",
) -> Response:
    """实时数据: every point in the viewer's scope with its live state and latest values."""
    answer = shell.refused(request, principal, lang, LIVE_ROLES)
    if answer is not None:
        return answer
    filters = {"district": district.strip(), "kind": kind.strip(), "state": state.strip()}
    page = live_list(engine, principal, shell.now(), lang, filters)
    if format != "html":
        return shell.respond(page["table"], format, lang, "live-points")
    return shell.render(
        request, principal, lang, "monitoring/points.html", filters=filters,
        export_url=shell.list_url("/points", filters), **page,
    )  # fmt: skip


# --- capture panel -----------------------------------------------------------------------


def capture_table(engine: sa.Engine, principal: Principal, now: datetime, lang: str) -> Table:
    """Per point, valid hourly values over the last 24 complete hours against those expected
    (pollutants reported in the last 7 days × 24), worst first."""
    end = local_time(now).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=rules.CAPTURE_WINDOW_HOURS)
    with engine.connect() as conn:
        points = registry_store.points_in_scope(conn, principal.scope)
        counts = monitoring_store.capture_counts(
            conn, [p["id"] for p in points], start, end, end - EXPECTED_POLLUTANTS_LOOKBACK
        )
    rows = []
    for p in points:
        valid, pollutants = counts.get(p["id"], (0, 0))
        expected = pollutants * rules.CAPTURE_WINDOW_HOURS
        rows.append(
            {
                "district": p["district"],
                "enterprise": p["enterprise_name"],
                "point": f"{p['code']} {p['name']}",
                "valid_hours": valid,
                "expected_hours": expected,
                "capture_pct": rules.capture_rate(valid, expected),
                "_href": {
                    "point": f"/points/{p['id']}",
                    "enterprise": f"/enterprises/{p['credit_code']}",
                },
            }
        )
    rows.sort(key=lambda r: (r["capture_pct"] is None, r["capture_pct"] or 0.0, r["point"]))
    columns = (
        ("point", "col.point"),
        ("capture_pct", "col.capture_pct"),
        ("valid_hours", "col.valid_hours"),
        ("expected_hours", "col.expected_hours"),
        ("enterprise", "col.enterprise"),
        ("district", "col.district"),
    )
    return shell.make_table("capture", lang, columns, rows)


def capture_summary(table: Table) -> float | None:
    """Zone-wide capture: all valid hours over all expected hours of the table."""
    valid = sum(r["valid_hours"] for r in table.rows)
    expected = sum(r["expected_hours"] for r in table.rows)
    return rules.capture_rate(valid, expected)


# --- the point page ------------------------------------------------------------------------


def display_unit(point_kind: str, code: str) -> tuple[float, str]:
    """(factor, unit) that turn a stored value into the unit the pages show everywhere: an
    air station's values in GB 3095-2012's units (µg/m3, CO mg/m3) as the dashboard shows
    them, everything else in the HJ 212-2017 App. B unit it was sent in."""
    if point_kind == "ambient_air":
        factor, unit = ambient_display(code, 1.0)
        if unit:
            return factor or 1.0, unit
    return 1.0, pollutant_unit(code)


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _point(conn: sa.Connection, principal: Principal, point_id: int) -> dict[str, Any]:
    return shell.require_visible(
        principal, registry_store.get_point(conn, point_id), f"point {point_id}"
    )


def point_overview(
    engine: sa.Engine, principal: Principal, point_id: int, now: datetime, lang: str
) -> dict[str, Any]:
    """Everything the point page shows apart from the charts, which fetch their series."""
    today = local_time(now).date()
    with engine.connect() as conn:
        row = _point(conn, principal, point_id)
        live = live_points(conn, [row], now)[0]
        latest_values = []
        if live["latest_time"] is not None:
            latest_values = measurements_store.values_at(
                conn, point_id, live["latest_kind"], live["latest_time"]
            )
        since = (live["latest_time"] or local_time(now)) - timedelta(days=2)
        pollutants = measurements_store.point_pollutants(conn, point_id, since)
        limits = compliance_store.limits(conn, point_ids=[point_id], valid_on=today)
        alerted = [
            a["pollutant"]
            for a in compliance_store.select_alerts(
                conn, scope=SYSTEM_SCOPE, states=OPEN_ALERT_STATES, point_ids=[point_id], limit=5
            )
            if a["pollutant"]
        ]
    internal = principal.scope.owns(row["enterprise_id"], district_id=row["district_id"])
    value_key = "rtd" if live["latest_kind"] == "rtd" else "avg"
    zs_key = "zs_rtd" if live["latest_kind"] == "rtd" else "zs_avg"
    latest_rows = []
    for v in latest_values:
        factor, unit = display_unit(row["kind"], v["pollutant"])
        latest_rows.append(
            {
                "pollutant": v["pollutant"],
                "name": pollutant_name(v["pollutant"], lang),
                "value": _scaled(v[value_key], factor),
                "zs_value": _scaled(v[zs_key], factor),
                "unit": unit,
                "flag": v["flag"] or "",
                "flag_meaning": flag_meaning(v["flag"], lang),
                "_class": f"flag-{(v['flag'] or 'none').lower()}",
            }
        )
    limit_codes = {lim["pollutant"] for lim in limits}
    # the pollutant of an open alert first, then one with a permit limit, then any
    default = next(
        (p for p in [*alerted, *sorted(limit_codes), *pollutants] if p in pollutants), None
    )
    latest_columns = (
        ("pollutant", "col.code"),
        ("name", "col.pollutant"),
        ("value", "col.value"),
        ("zs_value", "col.zs_value"),
        ("unit", "col.unit"),
        ("flag", "col.flag"),
        ("flag_meaning", "col.flag_meaning"),
    )
    return {
        "point": live,
        "internal": internal,
        "latest": shell.make_table("latest", lang, latest_columns, latest_rows),
        "pollutants": [
            {"code": p, "name": pollutant_name(p, lang), "limited": p in limit_codes}
            for p in pollutants
        ],
        "default_pollutant": default,
        "limits": compliance_views.limits_table(limits, lang),
    }


def point_series(
    engine: sa.Engine,
    principal: Principal,
    point_id: int,
    *,
    kind: str,
    pollutant: str,
    hours: int,
    now: datetime,
    lang: str,
) -> dict[str, Any]:
    """One pollutant's series for the chart, ending at the newest value of that kind, with the
    permit limits in force drawn as lines."""
    if kind not in SERIES_KINDS:
        raise WebError(f"kind must be one of {', '.join(SERIES_KINDS)}, not {kind!r}")
    if not 1 <= hours <= MAX_SERIES_HOURS:
        raise WebError(f"hours must be between 1 and {MAX_SERIES_HOURS}, not {hours}")
    today = local_time(now).date()
    with engine.connect() as conn:
        row = _point(conn, principal, point_id)
        latest = measurements_store.latest_data(conn, [point_id]).get(point_id)
        end = (latest[1] if latest else local_time(now)) + timedelta(seconds=1)
        values = measurements_store.series(
            conn, point_id, kind, pollutant, end - timedelta(hours=hours), end
        )
        limits = [
            lim
            for lim in compliance_store.limits(conn, point_ids=[point_id], valid_on=today)
            if lim["pollutant"] == pollutant
        ]
    factor, unit = display_unit(row["kind"], pollutant)
    return {
        "point_id": row["id"],
        "kind": kind,
        "pollutant": pollutant,
        "name": pollutant_name(pollutant, lang),
        "unit": unit,
        "converted": any(v["zs_value"] is not None for v in values),
        "reference_o2": row["reference_o2"],
        "data": [
            [
                v["data_time"].strftime("%Y-%m-%d %H:%M:%S"),
                _scaled(v["value"], factor),
                _scaled(v["zs_value"], factor),
                v["flag"],
            ]
            for v in values
        ],
        "limits": [
            {
                "value": lim["limit_value"],
                "unit": lim["unit"],
                "basis": lim["basis"],
                "label": f"{t(lang, 'chart.limit')} {lim['limit_value']:g} {lim['unit']}"
                f" ({t(lang, 'basis.' + lim['basis'])})",
            }
            for lim in limits
        ],
    }


def aggregates_table(
    engine: sa.Engine, principal: Principal, point_id: int, kind: str, days: int, lang: str
) -> Table:
    """Hourly or daily values computed for the point, newest first, over `days` days up to
    its newest one."""
    if kind not in ("hour", "day"):
        raise WebError(f"kind must be hour or day, not {kind!r}")
    if not 1 <= days <= 400:
        raise WebError(f"days must be between 1 and 400, not {days}")
    with engine.connect() as conn:
        point_kind = _point(conn, principal, point_id)["kind"]
        newest = monitoring_store.aggregates(
            conn, point_id, kind, datetime(1970, 1, 1), datetime(9999, 1, 1), limit=1
        )
        rows: list[dict[str, Any]] = []
        if newest:
            end = newest[0]["data_time"] + timedelta(seconds=1)
            rows = monitoring_store.aggregates(
                conn, point_id, kind, end - timedelta(days=days), end
            )
    body = []
    for r in rows:
        factor, unit = display_unit(point_kind, r["pollutant"])
        body.append(
            {
                "data_time": r["data_time"],
                "pollutant": pollutant_name(r["pollutant"], lang),
                "avg": _scaled(r["avg"], factor),
                "zs_avg": _scaled(r["zs_avg"], factor),
                "min": _scaled(r["min"], factor),
                "max": _scaled(r["max"], factor),
                "unit": unit,
                "valid": t(lang, "yes" if r["valid"] else "no"),
                "valid_count": r["valid_count"],
                "emission_kg": r["emission_kg"],
                "flag": r["flag"] or "",
                "_class": "" if r["valid"] else "invalid",
            }
        )
    columns = (
        ("data_time", "col.hour" if kind == "hour" else "col.day"),
        ("pollutant", "col.pollutant"),
        ("avg", "col.avg"),
        ("zs_avg", "col.zs_avg"),
        ("min", "col.min"),
        ("max", "col.max"),
        ("unit", "col.unit"),
        ("valid", "col.valid"),
        ("valid_count", "col.valid_count"),
        ("emission_kg", "col.emission_kg"),
        ("flag", "col.flag"),
    )
    name = "hourly-values" if kind == "hour" else "daily-values"
    return shell.make_table(name, lang, columns, body)


@router.get("/points/{point_id}", response_class=HTMLResponse)
def point_page(
    point_id: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    try:
        page = point_overview(engine, principal, point_id, shell.now(), lang)
        hourly = aggregates_table(engine, principal, point_id, "hour", 2, lang)
        daily = aggregates_table(engine, principal, point_id, "day", 31, lang)
        alerts: Table | None = None
        if page["internal"]:
            alerts = compliance_views.point_alerts_table(engine, principal, point_id, lang)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return shell.render(
        request,
        principal,
        lang,
        "monitoring/point.html",
        point=page["point"],
        internal=page["internal"],
        latest=page["latest"],
        limits=page["limits"],
        pollutants=page["pollutants"],
        default_pollutant=page["default_pollutant"],
        hourly=hourly,
        daily=daily,
        alerts=alerts,
        page_data={"point_id": point_id, "default_pollutant": page["default_pollutant"]},
    )


@router.get("/web/api/points/{point_id}/series")
def point_series_json(
    point_id: Id,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    pollutant: Annotated[str, Query(min_length=1, max_length=16)],
    kind: str = "minute",
    hours: int = 24,
) -> Response:
    """One pollutant's values for a chart, with the permit limits in force."""
    try:
        body = point_series(
            engine,
            principal,
            point_id,
            kind=kind,
            pollutant=pollutant,
            hours=hours,
            now=shell.now(),
            lang=lang,
        )
    except WebError as exc:
        return shell.json_error(exc)
    return JSONResponse(body)


@router.get("/web/api/points/{point_id}/tables/{name}")
def point_table(
    point_id: Id,
    name: str,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    format: Format = "json",
    days: int | None = None,
) -> Response:
    """A table of the point page: latest, limits, hourly-values, daily-values, alerts."""
    try:
        if name not in POINT_TABLES:
            raise shell.NotFound(f"no table {name!r} on a point page")
        if name in ("hourly-values", "daily-values"):
            kind = "hour" if name == "hourly-values" else "day"
            default_days = 2 if kind == "hour" else 31
            table = aggregates_table(engine, principal, point_id, kind, days or default_days, lang)
        elif name == "alerts":
            table = compliance_views.point_alerts_table(engine, principal, point_id, lang)
        else:
            table = point_overview(engine, principal, point_id, shell.now(), lang)[name]
    except WebError as exc:
        return shell.json_error(exc)
    return shell.respond(table, format, lang, f"point-{point_id}-{name}")


add_texts({
    "nav.points": ("实时数据", "Real-time data"),
    "points.title": ("实时数据", "Real-time data"),
    "points.lead": (
        "辖区内各监测点位的在线状态、最新数据时间与最新监测值；点击点位查看曲线与小时、日数据。",
        "Every monitoring point in your scope with its state, newest data time and latest "
        "values; open a point for its charts and hourly and daily values.",
    ),
    "points.count": ("共 {shown} 个点位（全部 {total} 个）", "{shown} of {total} points"),
    "points.empty": ("没有符合条件的点位。", "No point matches."),
})  # fmt: skip
