"""Use cases of the web pages: each page's data, each table's rows, an enterprise's feedback.

Every function takes the engine, the principal and `now` (an aware instant),
reads through web.store inside one connection, applies web.rules, and returns
plain data: dicts for templates and `Table`s that the pages show, the live
panels fetch as JSON and the export buttons download. Visibility is checked
here, once per entity, with the principal's own `can_see_enterprise`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.airquality import service as airquality
from ecozone.hj212 import codes
from ecozone.store.schema import ALERT_STATES
from ecozone.web import auth, rules, store
from ecozone.web.i18n import show, t
from ecozone.web.model import (
    FEEDBACK_STATES,
    OPEN_ALERT_STATES,
    Column,
    FeedbackError,
    LiveState,
    NotFound,
    Table,
    WebError,
)

#: Exceedance hours on the district ranking are summed over this window.
RANKING_WINDOW = timedelta(days=30)
#: How far back a point's reported pollutants set what its capture rate expects.
EXPECTED_POLLUTANTS_LOOKBACK = timedelta(days=7)
#: Ambient values older than this are not shown as "latest".
AMBIENT_LOOKBACK = timedelta(days=2)
SERIES_KINDS = ("rtd", "minute", "hour")
MAX_SERIES_HOURS = 24 * 7
FEEDBACK_MAX_CHARS = 2000
#: Chongqing's urban core, where a point of an unknown district is drawn.
ZONE_CENTRE = (106.55, 29.60)
# Names HJ 212-2017 App. B does not list (a05024 is the HJ 524-2009 ozone code).
_EXTRA_POLLUTANTS = {"a05024": ("臭氧", "ozone (O3)", "mg/m3")}


def pollutant_name(code: str, lang: str) -> str:
    found = codes.pollutant(code)
    if found is not None:
        return found.name if lang == "zh" else found.name_en
    extra = _EXTRA_POLLUTANTS.get(code)
    if extra is not None:
        return extra[0] if lang == "zh" else extra[1]
    return code


def pollutant_unit(code: str) -> str:
    found = codes.pollutant(code)
    if found is not None:
        return found.unit
    return _EXTRA_POLLUTANTS.get(code, ("", "", ""))[2]


def flag_meaning(flag: str | None, lang: str) -> str:
    parsed = codes.DataFlag.parse(flag)
    if parsed is None:
        return flag or ""
    return parsed.meaning if lang == "zh" else parsed.meaning_en


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


def _table(name: str, lang: str, columns: Iterable[tuple[str, str]], rows: Iterable[dict]) -> Table:
    return Table(
        name=name,
        columns=tuple(Column(key, t(lang, heading)) for key, heading in columns),
        rows=tuple(rows),
    )


def _enterprise_link(row: dict[str, Any]) -> str:
    return f"/enterprises/{row['credit_code']}"


def _require_visible(principal: Any, row: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if row is None or not auth.can_see(principal, row):
        raise NotFound(f"no {what} here")
    return row


# --- live state of points --------------------------------------------------------------


def live_points(
    conn: sa.Connection, points: Sequence[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """`points` with their live state, newest data time and map position."""
    now_local = rules.local_time(now)
    ids = [p["id"] for p in points]
    latest = store.latest_data(conn, ids)
    flags = store.flags_at(conn, [(pid, kind, time) for pid, (kind, time) in latest.items()])
    exceeding = store.open_exceedance_points(conn, ids)
    result = []
    for row in points:
        kind_time = latest.get(row["id"])
        latest_time = kind_time[1] if kind_time else None
        state = rules.live_state(
            latest_time, flags.get(row["id"], []), row["id"] in exceeding, now_local
        )
        lon, lat, approximate = _position(row)
        result.append(
            {
                **row,
                "state": state,
                "latest_time": latest_time,
                "latest_kind": kind_time[0] if kind_time else None,
                "map_lon": lon,
                "map_lat": lat,
                "approximate": approximate,
            }
        )
    return result


def map_data(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> dict[str, Any]:
    """Every point the principal may list, with its state, for the map and the state counts."""
    with engine.connect() as conn:
        points = live_points(conn, store.list_points(conn, principal.scope), now)
    counts = Counter(p["state"].value for p in points)
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "counts": {state.value: counts.get(state.value, 0) for state in LiveState},
        "points": [
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
                "lon": p["map_lon"],
                "lat": p["map_lat"],
                "approximate": p["approximate"],
                "href": f"/points/{p['id']}",
            }
            for p in points
        ],
    }


def _time_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = rules.local_time(value)
    return value.strftime("%Y-%m-%d %H:%M")


# --- dashboard tables ------------------------------------------------------------------

_ALERT_COLUMNS = (
    ("start", "col.start"),
    ("enterprise", "col.enterprise"),
    ("point", "col.point"),
    ("type", "col.alert_type"),
    ("pollutant", "col.pollutant"),
    ("state", "col.state"),
    ("district", "col.district"),
)


def _alert_rows(alerts: Iterable[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in alerts:
        href = {"enterprise": _enterprise_link(a)}
        if a["point_id"] is not None:
            href["point"] = f"/points/{a['point_id']}"
        rows.append(
            {
                "id": a["id"],
                "start": a["start"],
                "end": a["end"],
                "district": a["district"],
                "enterprise": a["enterprise_name"],
                "point": f"{a['point_code']} {a['point_name']}" if a["point_code"] else "",
                "type": t(lang, f"alert.{a['type']}", default=a["type"]),
                "pollutant": pollutant_name(a["pollutant"], lang) if a["pollutant"] else "",
                "peak": a["peak"],
                "limit_value": a["limit_value"],
                "multiple": (
                    a["peak"] / a["limit_value"]
                    if a["peak"] is not None and a["limit_value"]
                    else None
                ),
                "state": t(lang, f"alert_state.{a['state']}"),
                "_href": href,
                "_class": f"alert-{a['state']}",
            }
        )
    return rows


def open_alerts_table(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> Table:
    """Alerts not yet verified or closed, newest first."""
    with engine.connect() as conn:
        alerts = store.list_alerts(conn, principal.scope, states=OPEN_ALERT_STATES, limit=200)
    return _table("open-alerts", lang, _ALERT_COLUMNS, _alert_rows(alerts, lang))


def today_exceedances_table(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> Table:
    """Exceedance alerts that started today (China Standard Time), in any state."""
    midnight = rules.local_time(now).replace(hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as conn:
        alerts = store.list_alerts(
            conn, principal.scope, types=("exceedance",), since=midnight, limit=500
        )
    columns = (
        ("start", "col.start"),
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("multiple", "col.multiple"),
        ("state", "col.state"),
        ("enterprise", "col.enterprise"),
        ("end", "col.end"),
    )
    return _table("today-exceedances", lang, columns, _alert_rows(alerts, lang))


def capture_table(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> Table:
    """Per point, valid hourly values over the last 24 complete hours against those expected
    (pollutants reported in the last 7 days × 24), worst first."""
    end = rules.local_time(now).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=rules.CAPTURE_WINDOW_HOURS)
    with engine.connect() as conn:
        points = store.list_points(conn, principal.scope)
        counts = store.capture_counts(
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
                "_href": {"point": f"/points/{p['id']}", "enterprise": _enterprise_link(p)},
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
    return _table("capture", lang, columns, rows)


def capture_summary(table: Table) -> float | None:
    """Zone-wide capture: all valid hours over all expected hours of the table."""
    valid = sum(r["valid_hours"] for r in table.rows)
    expected = sum(r["expected_hours"] for r in table.rows)
    return rules.capture_rate(valid, expected)


def _aqi_category(level: Any, lang: str) -> str | None:
    """An AQI level as the panel shows it: 二级 良 / II Good (HJ 633-2012 Table 2)."""
    if level is None:
        return None
    return (
        f"{level.level_zh} {level.category_zh}"
        if lang == "zh"
        else f"{level.name} {level.category_en}"
    )


def ambient_table(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> Table:
    """AQI by station: each air station's latest real-time AQI (HJ 633-2012, computed by
    ecozone.airquality) with its level, category and primary pollutant, next to the latest
    hourly concentration of each GB 3095 pollutant in the units GB 3095-2012 reports
    (µg/m3, CO mg/m3). The row's class `aqi-level-N` colours the AQI cell (Annex A)."""
    since = rules.local_time(now) - AMBIENT_LOOKBACK
    codes_wanted = [code for code, _unit in rules.AMBIENT_POLLUTANTS]
    with engine.connect() as conn:
        stations = [
            p for p in store.list_points(conn, principal.scope) if p["kind"] == "ambient_air"
        ]
        latest = store.latest_hourly(conn, [s["id"] for s in stations], codes_wanted, since)
    reports = {
        r.station.point_id: r.aqi
        for r in airquality.latest_aqi(
            engine, point_ids=[s["id"] for s in stations], now=now, lookback=AMBIENT_LOOKBACK
        )
    }
    rows = []
    for s in stations:
        values = latest.get(s["id"], {})
        report = reports.get(s["id"])
        level = report.level if report is not None else None
        row: dict[str, Any] = {
            "station": s["name"],
            "district": s["district"],
            "data_time": max((v["data_time"] for v in values.values()), default=None),
            "aqi": report.aqi if report is not None else None,
            "aqi_category": _aqi_category(level, lang),
            "primary_pollutant": ("、" if lang == "zh" else ", ").join(report.primary_pollutants)
            if report is not None and report.primary_pollutants
            else None,
            "_href": {"station": f"/points/{s['id']}"},
            "_class": f"aqi-level-{int(level)}" if level is not None else "",
        }
        for code in codes_wanted:
            found = values.get(code)
            row[code] = rules.ambient_display(code, found["avg"] if found else None)[0]
        rows.append(row)
    columns = [
        ("station", "col.station"),
        ("district", "col.district"),
        ("data_time", "col.hour"),
        ("aqi", "col.aqi"),
        ("aqi_category", "col.aqi_category"),
        ("primary_pollutant", "col.primary_pollutant"),
    ]
    table = _table("ambient", lang, columns, rows)
    extra = tuple(
        Column(code, f"{t(lang, 'ambient.' + code)} ({unit})")
        for code, unit in rules.AMBIENT_POLLUTANTS
    )
    return Table(table.name, table.columns + extra, table.rows)


def ranking_table(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> Table:
    """Districts worst first by open alerts, then exceedance hours over the last 30 days."""
    scope = principal.scope
    now_local = rules.local_time(now)
    window_start = now_local - RANKING_WINDOW
    with engine.connect() as conn:
        districts = store.list_districts(conn, scope)
        points = live_points(conn, store.list_points(conn, scope), now)
        open_counts, spans = store.district_alert_figures(
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
    return _table("district-ranking", lang, columns, rules.rank_districts(rows))


DASHBOARD_TABLES = {
    "open-alerts": open_alerts_table,
    "today-exceedances": today_exceedances_table,
    "capture": capture_table,
    "ambient": ambient_table,
    "district-ranking": ranking_table,
}


def public_enterprises_table(engine: sa.Engine, principal: Any, lang: str) -> Table:
    """Enterprises the viewer may list (for the public: those that disclose their data)."""
    with engine.connect() as conn:
        enterprises = store.list_enterprises(conn, principal.scope)
    rows = [
        {
            "name": e["name"],
            "credit_code": e["credit_code"],
            "district": e["district"],
            "industry": e["industry"],
            "_href": {"name": f"/enterprises/{e['credit_code']}"},
        }
        for e in enterprises
    ]
    columns = (
        ("name", "col.enterprise"),
        ("credit_code", "col.credit_code"),
        ("district", "col.district"),
        ("industry", "col.industry"),
    )
    return _table("enterprises", lang, columns, rows)


# --- point page ------------------------------------------------------------------------


def _point(conn: sa.Connection, principal: Any, point_id: int) -> dict[str, Any]:
    return _require_visible(principal, store.get_point(conn, point_id), f"point {point_id}")


def point_page(
    engine: sa.Engine, principal: Any, point_id: int, now: datetime, lang: str
) -> dict[str, Any]:
    """Everything the point page shows apart from the charts, which fetch their series."""
    today = rules.local_time(now).date()
    with engine.connect() as conn:
        row = _point(conn, principal, point_id)
        live = live_points(conn, [row], now)[0]
        latest_values = []
        if live["latest_time"] is not None:
            latest_values = store.values_at(
                conn, point_id, live["latest_kind"], live["latest_time"]
            )
        since = (live["latest_time"] or rules.local_time(now)) - timedelta(days=2)
        pollutants = store.point_pollutants(conn, point_id, since)
        limits = store.limits(conn, point_ids=[point_id], valid_on=today)
        alerted = [
            a["pollutant"]
            for a in store.list_alerts(
                conn, SYSTEM_SCOPE, states=OPEN_ALERT_STATES, point_id=point_id, limit=5
            )
            if a["pollutant"]
        ]
    internal = principal.scope.owns(row["enterprise_id"], district_id=row["district_id"])
    value_key = "rtd" if live["latest_kind"] == "rtd" else "avg"
    zs_key = "zs_rtd" if live["latest_kind"] == "rtd" else "zs_avg"
    latest_rows = [
        {
            "pollutant": v["pollutant"],
            "name": pollutant_name(v["pollutant"], lang),
            "value": v[value_key],
            "zs_value": v[zs_key],
            "unit": pollutant_unit(v["pollutant"]),
            "flag": v["flag"] or "",
            "flag_meaning": flag_meaning(v["flag"], lang),
            "_class": f"flag-{(v['flag'] or 'none').lower()}",
        }
        for v in latest_values
    ]
    limit_codes = {lim["pollutant"] for lim in limits}
    # the pollutant of an open alert first, then one with a permit limit, then any
    default = next(
        (p for p in [*alerted, *sorted(limit_codes), *pollutants] if p in pollutants), None
    )
    return {
        "point": live,
        "internal": internal,
        "latest": _table(
            "latest",
            lang,
            (
                ("pollutant", "col.code"),
                ("name", "col.pollutant"),
                ("value", "col.value"),
                ("zs_value", "col.zs_value"),
                ("unit", "col.unit"),
                ("flag", "col.flag"),
                ("flag_meaning", "col.flag_meaning"),
            ),
            latest_rows,
        ),
        "pollutants": [
            {"code": p, "name": pollutant_name(p, lang), "limited": p in limit_codes}
            for p in pollutants
        ],
        "default_pollutant": default,
        "limits": _limits_table(limits, lang),
        "power": power_data(point_id),
    }


def power_data(point_id: int) -> list[dict[str, Any]]:
    """Electricity data linked to a point (emission–electricity linkage, plan item 17).

    The store holds no power readings yet, so there is nothing to show and the
    page hides the section.
    """
    return []


def _limits_table(limits: Sequence[dict[str, Any]], lang: str) -> Table:
    rows = [
        {
            "permit_no": lim["permit_no"],
            "point": f"{lim['point_code']} {lim['point_name']}",
            "pollutant": pollutant_name(lim["pollutant"], lang),
            "limit_value": lim["limit_value"],
            "unit": lim["unit"],
            "basis": t(lang, f"basis.{lim['basis']}"),
            "standard": lim["standard"] or "",
            "annual_cap_t": lim["annual_cap_t"],
        }
        for lim in limits
    ]
    columns = (
        ("permit_no", "col.permit_no"),
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("limit_value", "col.limit_value"),
        ("unit", "col.unit"),
        ("basis", "col.basis"),
        ("standard", "col.standard"),
        ("annual_cap_t", "col.annual_cap_t"),
    )
    return _table("limits", lang, columns, rows)


def point_series(
    engine: sa.Engine,
    principal: Any,
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
    today = rules.local_time(now).date()
    with engine.connect() as conn:
        row = _point(conn, principal, point_id)
        latest = store.latest_data(conn, [point_id]).get(point_id)
        end = (latest[1] if latest else rules.local_time(now)) + timedelta(seconds=1)
        values = store.series(conn, point_id, kind, pollutant, end - timedelta(hours=hours), end)
        limits = [
            lim
            for lim in store.limits(conn, point_ids=[point_id], valid_on=today)
            if lim["pollutant"] == pollutant
        ]
    converted = any(v["zs_value"] is not None for v in values)
    return {
        "point_id": row["id"],
        "kind": kind,
        "pollutant": pollutant,
        "name": pollutant_name(pollutant, lang),
        "unit": pollutant_unit(pollutant),
        "converted": converted,
        "reference_o2": row["reference_o2"],
        "data": [
            [v["data_time"].strftime("%Y-%m-%d %H:%M:%S"), v["value"], v["zs_value"], v["flag"]]
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
    engine: sa.Engine, principal: Any, point_id: int, kind: str, days: int, lang: str
) -> Table:
    """Hourly or daily values computed for the point, newest first, over `days` days up to
    its newest one."""
    if kind not in ("hour", "day"):
        raise WebError(f"kind must be hour or day, not {kind!r}")
    if not 1 <= days <= 400:
        raise WebError(f"days must be between 1 and 400, not {days}")
    with engine.connect() as conn:
        _point(conn, principal, point_id)
        newest = store.aggregates(
            conn, point_id, kind, datetime(1970, 1, 1), datetime(9999, 1, 1), limit=1
        )
        rows: list[dict[str, Any]] = []
        if newest:
            end = newest[0]["data_time"] + timedelta(seconds=1)
            rows = store.aggregates(conn, point_id, kind, end - timedelta(days=days), end)
    body = [
        {
            "data_time": r["data_time"],
            "pollutant": pollutant_name(r["pollutant"], lang),
            "avg": r["avg"],
            "zs_avg": r["zs_avg"],
            "min": r["min"],
            "max": r["max"],
            "unit": pollutant_unit(r["pollutant"]),
            "valid": t(lang, "yes" if r["valid"] else "no"),
            "valid_count": r["valid_count"],
            "emission_kg": r["emission_kg"],
            "flag": r["flag"] or "",
            "_class": "" if r["valid"] else "invalid",
        }
        for r in rows
    ]
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
    return _table(f"{kind}ly-values" if kind == "hour" else "daily-values", lang, columns, body)


def point_alerts_table(engine: sa.Engine, principal: Any, point_id: int, lang: str) -> Table:
    """Alerts of a point, for viewers whose own business the point is (not the public)."""
    with engine.connect() as conn:
        row = _point(conn, principal, point_id)
        if not principal.scope.owns(row["enterprise_id"], district_id=row["district_id"]):
            raise NotFound(f"no alerts of point {point_id} here")
        alerts = store.list_alerts(conn, SYSTEM_SCOPE, point_id=row["id"], limit=500)
    columns = (
        ("start", "col.start"),
        ("end", "col.end"),
        ("type", "col.alert_type"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("state", "col.state"),
    )
    return _table("point-alerts", lang, columns, _alert_rows(alerts, lang))


# --- enterprise file (一企一档) -----------------------------------------------------------


def _enterprise(conn: sa.Connection, principal: Any, credit_code: str) -> dict[str, Any]:
    row = store.get_enterprise(conn, credit_code)
    if row is not None:
        row = {**row, "enterprise_id": row["id"]}
    return _require_visible(principal, row, f"enterprise {credit_code}")


def permits_table(
    permits: Sequence[dict[str, Any]], today: date, lang: str
) -> tuple[Table, list[dict[str, Any]]]:
    rows = []
    for p in permits:
        status = rules.permit_status(p["valid_from"], p["valid_to"], today)
        rows.append(
            {
                "permit_no": p["permit_no"],
                "management_class": t(lang, f"permit_class.{p['management_class']}"),
                "valid_from": p["valid_from"],
                "valid_to": p["valid_to"],
                "status": t(lang, f"permit_status.{status.value}"),
                "_class": f"permit-{status.value}",
                "_status": status.value,
            }
        )
    columns = (
        ("permit_no", "col.permit_no"),
        ("management_class", "col.management_class"),
        ("valid_from", "col.valid_from"),
        ("valid_to", "col.valid_to"),
        ("status", "col.permit_status"),
    )
    return _table("permits", lang, columns, rows), rows


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
        for v in store.values_at(conn, p["id"], p["latest_kind"], p["latest_time"]):
            value = v["zs_rtd"] if p["latest_kind"] == "rtd" else v["zs_avg"]
            if value is None:
                value = v["rtd"] if p["latest_kind"] == "rtd" else v["avg"]
            if value is None or v["pollutant"] in ("a19001", "a00000", "w00000"):
                continue  # oxygen and flows are not what an outlet is judged on
            if p["kind"] == "ambient_air":
                value = rules.ambient_display(v["pollutant"], value)[0]
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
    return _table("outlets", lang, columns, rows)


def enterprise_alerts_table(
    alerts: Sequence[dict[str, Any]], actions: dict[int, list[dict[str, Any]]], lang: str
) -> Table:
    rows = []
    for a, row in zip(alerts, _alert_rows(alerts, lang), strict=True):
        history = actions.get(a["id"], [])
        last = history[-1] if history else None
        row["last_action"] = (
            f"{t(lang, 'action.' + last['action'], default=last['action'])} · {last['actor']}"
            if last
            else ""
        )
        row["handling"] = [
            {
                "at": h["at"],
                "actor": h["actor"],
                "action": t(lang, f"action.{h['action']}", default=h["action"]),
                "comment": h["comment"] or "",
                "cause": h["cause"] or "",
                "measures": h["measures"] or "",
            }
            for h in history
        ]
        rows.append(row)
    columns = (
        ("id", "col.alert_id"),
        ("start", "col.start"),
        ("end", "col.end"),
        ("point", "col.point"),
        ("type", "col.alert_type"),
        ("pollutant", "col.pollutant"),
        ("peak", "col.peak"),
        ("limit_value", "col.limit_value"),
        ("state", "col.state"),
        ("last_action", "col.last_action"),
    )
    return _table("alerts", lang, columns, rows)


def marks_table(marks: Sequence[dict[str, Any]], lang: str) -> Table:
    rows = []
    for m in marks:
        late = rules.mark_is_late(m["start"], m["declared_at"])
        rows.append(
            {
                "point": f"{m['point_code']} {m['point_name']}",
                "pollutant": pollutant_name(m["pollutant"], lang)
                if m["pollutant"]
                else t(lang, "marks.all_pollutants"),
                "kind": t(lang, f"mark.{m['kind']}", default=m["kind"]),
                "start": m["start"],
                "end": m["end"],
                "reason": m["reason"],
                "declared_by": m["declared_by"],
                "declared_at": m["declared_at"],
                "late": t(lang, "marks.late") if late else "",
                "revoked_at": m["revoked_at"],
                "_class": " ".join(
                    c for c, on in (("late", late), ("revoked", m["revoked_at"])) if on
                ),
            }
        )
    columns = (
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("kind", "col.mark_kind"),
        ("start", "col.start"),
        ("end", "col.end"),
        ("reason", "col.reason"),
        ("declared_by", "col.declared_by"),
        ("declared_at", "col.declared_at"),
        ("late", "col.late"),
        ("revoked_at", "col.revoked_at"),
    )
    return _table("data-marks", lang, columns, rows)


def report_links(credit_code: str, now: datetime) -> list[dict[str, Any]]:
    """Annual self-monitoring reports (reports package) of the two last complete years."""
    year = rules.local_time(now).year
    return [
        {
            "year": y,
            "formats": {
                fmt: f"/api/v1/reports/annual/{credit_code}/{y}.{fmt}"
                for fmt in ("html", "pdf", "xlsx")
            },
        }
        for y in (year - 1, year - 2)
    ]


def enterprise_file(
    engine: sa.Engine, principal: Any, credit_code: str, now: datetime, lang: str
) -> dict[str, Any]:
    """One file per enterprise (一企一档): registry, permits, outlets, compliance, alerts, marks."""
    now_local = rules.local_time(now)
    year_start = now_local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    with engine.connect() as conn:
        ent = _enterprise(conn, principal, credit_code)
        internal = principal.scope.owns(ent["id"], district_id=ent["district_id"])
        points = live_points(
            conn, store.list_points(conn, SYSTEM_SCOPE, enterprise_id=ent["id"]), now
        )
        latest = latest_summaries(conn, points, lang)
        permits = store.permits(conn, [ent["id"]])
        limits = store.limits(conn, permit_ids=[p["id"] for p in permits]) if permits else []
        state_counts = store.alert_state_counts(conn, ent["id"])
        exceedances = store.exceedance_count(conn, ent["id"], year_start)
        alerts, actions, marks = [], {}, []
        if internal:
            alerts = store.list_alerts(conn, SYSTEM_SCOPE, enterprise_id=ent["id"], limit=200)
            actions = store.alert_actions(conn, [a["id"] for a in alerts])
            marks = store.marks(conn, ent["id"])
    permit_table, permit_rows = permits_table(permits, now_local.date(), lang)
    return {
        "enterprise": ent,
        "internal": internal,
        "permits": permit_table,
        "permit_rows": permit_rows,
        "limits": _limits_table(limits, lang),
        "outlets": outlets_table(points, lang, latest),
        "points": points,
        "summary": {
            "year": now_local.year,
            "exceedances": exceedances,
            "alerts_by_state": [
                {
                    "state": s,
                    "label": t(lang, f"alert_state.{s}"),
                    "count": state_counts.get(s, 0),
                }
                for s in ALERT_STATES
            ],
            "open_alerts": sum(state_counts.get(s, 0) for s in OPEN_ALERT_STATES),
            "state_counts": Counter(p["state"].value for p in points),
        },
        "alerts": enterprise_alerts_table(alerts, actions, lang),
        "marks": marks_table(marks, lang),
        "reports": report_links(ent["credit_code"], now) if internal else [],
    }


def enterprise_table(
    engine: sa.Engine, principal: Any, credit_code: str, name: str, now: datetime, lang: str
) -> Table:
    """One table of the enterprise file, by name (for export)."""
    page = enterprise_file(engine, principal, credit_code, now, lang)
    tables = {
        "permits": page["permits"],
        "limits": page["limits"],
        "outlets": page["outlets"],
        "alerts": page["alerts"],
        "data-marks": page["marks"],
    }
    if name not in tables or (name in ("alerts", "data-marks") and not page["internal"]):
        raise NotFound(f"no table {name!r} on this enterprise's file")
    return tables[name]


# --- enterprise portal -----------------------------------------------------------------


def portal(engine: sa.Engine, principal: Any, now: datetime, lang: str) -> list[dict[str, Any]]:
    """The enterprise user's own enterprises, each with points, latest data, open alerts,
    permits and report links."""
    if principal.role != "enterprise":
        raise WebError("the portal is for enterprise accounts")
    now_local = rules.local_time(now)
    result = []
    with engine.connect() as conn:
        enterprises = store.list_enterprises(conn, principal.scope, ids=principal.enterprise_ids)
        for ent in enterprises:
            points = live_points(
                conn, store.list_points(conn, principal.scope, enterprise_id=ent["id"]), now
            )
            latest = latest_summaries(conn, points, lang)
            alerts = store.list_alerts(conn, principal.scope, enterprise_id=ent["id"], limit=100)
            actions = store.alert_actions(conn, [a["id"] for a in alerts])
            permit_table, permit_rows = permits_table(
                store.permits(conn, [ent["id"]]), now_local.date(), lang
            )
            result.append(
                {
                    "enterprise": ent,
                    "outlets": outlets_table(points, lang, latest),
                    "alerts": enterprise_alerts_table(alerts, actions, lang),
                    "feedback_ids": {a["id"] for a in alerts if a["state"] in FEEDBACK_STATES},
                    "permits": permit_table,
                    "permit_rows": permit_rows,
                    "reports": report_links(ent["credit_code"], now),
                }
            )
    return result


def _clean_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise FeedbackError(f"{field} is empty; describe it in a few words")
    if len(text) > FEEDBACK_MAX_CHARS:
        raise FeedbackError(
            f"{field} is {len(text)} characters long; at most {FEEDBACK_MAX_CHARS} are allowed"
        )
    return text


def submit_feedback(
    engine: sa.Engine,
    principal: Any,
    alert_id: int,
    *,
    cause: str | None,
    measures: str | None,
    now: datetime,
) -> None:
    """An enterprise's feedback on one of its alerts: the cause found and the measures taken.

    Goes through the compliance package's `feedback` when it is installed (it
    owns the alert's state machine); otherwise the action is recorded here, the
    alert moves from dispatched to feedback, and an audit entry is written, all
    in one transaction. Refused, with nothing stored, when a field is empty
    or too long, the alert is settled, or it is not this principal's.
    """
    cause_text = _clean_text(cause, "cause")
    measures_text = _clean_text(measures, "measures")
    if principal.role != "enterprise":
        raise WebError("feedback on an alert is given by the enterprise's own account")
    with engine.connect() as conn:
        found = _require_visible(principal, store.get_alert(conn, alert_id), f"alert {alert_id}")
    if found["state"] not in FEEDBACK_STATES:
        raise FeedbackError(
            f"alert {alert_id} is {found['state']}; feedback is taken once it is dispatched "
            "and until it is answered"
        )
    compliance = _compliance_service()
    if compliance is not None:
        try:
            compliance.feedback(
                engine, alert_id, principal.username, cause=cause_text, measures=measures_text
            )
        except (ValueError, LookupError) as exc:
            raise FeedbackError(str(exc)) from exc
        return
    with (
        engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
        conn.begin(),
    ):
        current = store.get_alert(conn, alert_id)
        if current is None or current["state"] not in FEEDBACK_STATES:
            raise FeedbackError(f"alert {alert_id} changed meanwhile; reload and try again")
        store.insert_feedback(
            conn,
            alert_id,
            principal.username,
            cause=cause_text,
            measures=measures_text,
            at=now,
            new_state="feedback",
        )
        after = {"state": "feedback", "cause": cause_text, "measures": measures_text}
        _audit(
            conn,
            principal.username,
            "feedback",
            "alert",
            str(alert_id),
            {"state": current["state"]},
            after,
            now,
        )


def _compliance_service() -> Any:
    try:
        from ecozone.compliance import service as compliance
    except ImportError:
        return None
    return compliance if hasattr(compliance, "feedback") else None


def _audit(
    conn: sa.Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
) -> None:
    try:
        from ecozone.accounts import audit
    except ImportError:
        store.insert_audit(
            conn,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            at=now,
        )
        return
    audit.record(
        conn,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def now_utc() -> datetime:
    return datetime.now(UTC)
