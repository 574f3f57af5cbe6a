"""Air quality on the pages: the AQI-by-station panel of the dashboard and the public page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import Principal
from ecozone.airquality import rules, service
from ecozone.monitoring import store as monitoring_store
from ecozone.registry import store as registry_store
from ecozone.times import local_time
from ecozone.web import shell
from ecozone.web.i18n import t
from ecozone.web.model import Column, Table

#: Ambient values older than this are not shown as "latest".
AMBIENT_LOOKBACK = timedelta(days=2)


def _aqi_category(level: Any, lang: str) -> str | None:
    """An AQI level as the panel shows it: 二级 良 / II Good (HJ 633-2012 Table 2)."""
    if level is None:
        return None
    return (
        f"{level.level_zh} {level.category_zh}"
        if lang == "zh"
        else f"{level.name} {level.category_en}"
    )


def ambient_table(engine: sa.Engine, principal: Principal, now: datetime, lang: str) -> Table:
    """AQI by station: each air station's latest real-time AQI (HJ 633-2012, computed by
    airquality.service) with its level, category and primary pollutant, next to the latest
    hourly concentration of each GB 3095 pollutant in the units GB 3095-2012 reports
    (µg/m3, CO mg/m3). The row's class `aqi-level-N` colours the AQI cell (Annex A)."""
    since = local_time(now) - AMBIENT_LOOKBACK
    codes_wanted = [code for code, _unit in rules.AMBIENT_POLLUTANTS]
    with engine.connect() as conn:
        stations = [
            p
            for p in registry_store.points_in_scope(conn, principal.scope)
            if p["kind"] == "ambient_air"
        ]
        latest = monitoring_store.latest_hourly(
            conn, [s["id"] for s in stations], codes_wanted, since
        )
    reports = {
        r.station.point_id: r.aqi
        for r in service.latest_aqi(
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
    table = shell.make_table("ambient", lang, columns, rows)
    extra = tuple(
        Column(code, f"{t(lang, 'ambient.' + code)} ({unit})")
        for code, unit in rules.AMBIENT_POLLUTANTS
    )
    return Table(table.name, table.columns + extra, table.rows)
