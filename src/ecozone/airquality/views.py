"""Air quality on the pages: the AQI-by-station panel of the dashboard and the public page,
and the annual evaluation page (HJ 663) with its xlsx/CSV export."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone.accounts.model import Principal
from ecozone.airquality import rules, service
from ecozone.airquality.evaluation import rules as evaluation_rules
from ecozone.airquality.evaluation import service as evaluation
from ecozone.airquality.model import AirQualityError
from ecozone.monitoring import store as monitoring_store
from ecozone.registry import store as registry_store
from ecozone.times import local_time
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, Column, Table
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

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
            "_href": {"station": f"/airquality/stations/{s['id']}"},
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


# --- the annual evaluation page (HJ 663) -------------------------------------------------------

EVALUATION_ROLES = (*SUPERVISING_ROLES, "enterprise")
PageFormat = Literal["html", "csv", "xlsx", "pdf"]

router = APIRouter(include_in_schema=False)
shell.add_menu(
    MenuEntry(
        "nav.air_evaluation", "/airquality/evaluation", EVALUATION_ROLES, 52,
        "nav.group.statistics",
    )
)  # fmt: skip

_EVAL_COLUMNS = (
    ("rank", "col.rank"),
    ("district", "col.district"),
    ("station", "col.station"),
    ("index", "col.air_index"),
    ("attains", "col.attains"),
    ("good_days", "col.good_days"),
    ("valid_days", "col.valid_aqi_days"),
    ("good_rate", "col.good_rate"),
    ("pm25_primary", "col.pm25_primary"),
    ("o3_primary", "col.o3_primary"),
)


def evaluation_table(result: evaluation.PeriodEvaluation, lang: str) -> Table:
    """Districts ranked by the comprehensive index, then every station; per pollutant the
    annual mean and the HJ 663 percentile."""
    table = shell.make_table("air-evaluation", lang, _EVAL_COLUMNS, evaluation.table_rows(result))
    extra = tuple(
        Column(key, f"{p} {label} ({p.unit})")
        for p, (_i, pct, has_mean) in evaluation_rules.ITEMS.items()
        for key, label in (((f"{p}_mean", t(lang, "col.mean")),) if has_mean else ())
        + ((f"{p}_p{pct}", f"P{pct}"),)
    )
    return Table(table.name, table.columns + extra, table.rows)


def evaluation_document(
    result: evaluation.PeriodEvaluation, table: Table, year: str, weighting: str, lang: str
) -> export.PdfDocument:
    """The evaluation as a printed report: the zone's figures, then the ranking table."""
    zone = result.zone
    facts: list[tuple[str, Any]] = []
    if zone is not None:
        facts = [
            (t(lang, "col.air_index"), zone.comprehensive_index),
            (t(lang, "col.good_rate"), zone.good_rate),
            (t(lang, "col.good_days"), f"{zone.good_days} / {zone.valid_aqi_days}"),
            (t(lang, "col.pm25_primary"), sum(zone.pm25_primary_by_month.values())),
            (t(lang, "col.o3_primary"), sum(zone.o3_primary_by_month.values())),
        ]
    made = local_time(shell.now()).strftime("%Y-%m-%d %H:%M")
    return export.PdfDocument(
        title=f"{year} {t(lang, 'airq.eval.title')}",
        lead=t(lang, "airq.eval.lead"),
        facts=[(t(lang, "airq.eval.weighting"), t(lang, f"airq.eval.weighting.{weighting}")),
               *facts],
        sections=[(t(lang, "airq.eval.table"), table)],
        notes=[t(lang, "airq.eval.pdf_note", start=result.start.isoformat(),
                 end=result.end.isoformat())],
        footer=f"{t(lang, 'airq.eval.title')} · {made}",
        lang=lang,
        empty=t(lang, "airq.eval.empty"),
    )  # fmt: skip


@router.get("/airquality/evaluation", response_class=HTMLResponse)
def evaluation_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    year: str = "",
    weighting: str = "2013",
    format: PageFormat = "html",
) -> Response:
    """环境空气质量年度评价: HJ 663 evaluation of the stations in the viewer's scope."""
    if (refusal := shell.refused(request, principal, lang, EVALUATION_ROLES)) is not None:
        return refusal
    chosen = year.strip() or str(local_time(shell.now()).year)
    error, result = None, None
    try:
        if not chosen.isdigit():
            raise AirQualityError(f"year {chosen!r} is not a whole number")
        result = evaluation.evaluate(
            engine, year=int(chosen), weighting=weighting, scope=principal.scope
        )
    except AirQualityError as exc:
        error = t(lang, "airq.eval.bad", reason=str(exc))
    empty = evaluation.PeriodEvaluation(date(2000, 1, 1), date(2000, 1, 2), weighting, None, (), ())
    table = evaluation_table(result or empty, lang)
    if format == "pdf" and result is not None:
        return export.pdf_response(
            evaluation_document(result, table, chosen, weighting, lang),
            f"{t(lang, 'file.air-evaluation')}_{chosen}",
        )
    if format not in ("html", "pdf"):
        return shell.respond(table, format, lang, f"air-evaluation-{chosen}")
    filters = {"year": chosen, "weighting": weighting}
    return shell.render(
        request, principal, lang, "airquality/evaluation.html", year=chosen, weighting=weighting,
        error=error, zone=result.zone if result else None, table=table,
        export_url=shell.list_url("/airquality/evaluation", filters),
        status_code=400 if error else 200,
    )  # fmt: skip


add_texts({
    "nav.air_evaluation": ("环境空气质量评价", "Air quality evaluation"),
    "airq.eval.title": ("环境空气质量年度评价", "Annual air quality evaluation"),
    "airq.eval.lead": (
        "按 HJ 663 评价各站点及区县：SO2、NO2 日均值第 98 百分位数，PM10、PM2.5、CO 日均值第 95 "
        "百分位数，O3 日最大 8 小时平均第 90 百分位数，对照 GB 3095-2012 二级标准；区县为所辖站点"
        "逐日均值，按综合指数排名（越小越好）。",
        "HJ 663 evaluation of each station and district: SO2 and NO2 24-h 98th, PM10, PM2.5 "
        "and CO 24-h 95th, O3 daily maximum 8-h 90th percentiles against GB 3095-2012 grade II; "
        "a district is the daily mean of its stations, ranked by the comprehensive index "
        "(lower is cleaner).",
    ),
    "airq.eval.year": ("年份", "Year"),
    "airq.eval.weighting": ("综合指数权重", "Index weights"),
    "airq.eval.weighting.2013": ("各项均为 1（HJ 663-2013）", "All 1 (HJ 663-2013)"),
    "airq.eval.weighting.2026": (
        "PM2.5×3、NO2 与 O3×2（2026，待确认）", "PM2.5 x3, NO2 and O3 x2 (2026, unconfirmed)"
    ),
    "airq.eval.zone": ("全区", "Whole zone"),
    "airq.eval.table": ("区县排名与站点评价", "District ranking and stations"),
    "airq.eval.empty": ("没有可评价的空气站。", "No air station to evaluate."),
    "airq.eval.bad": ("无法评价：{reason}", "Cannot evaluate: {reason}"),
    "airq.eval.pdf_note": (
        "评价时段 {start} 至 {end}（不含）；浓度单位 µg/m3，CO 为 mg/m3；数据为有效小时均值。",
        "Period {start} to {end} (exclusive); µg/m3, CO mg/m3; valid hourly means only.",
    ),
    "file.air-evaluation": ("环境空气质量评价", "Air quality evaluation"),
    "col.air_index": ("综合指数", "Comprehensive index"),
    "col.attains": ("二级达标", "Grade II attained"),
    "col.good_days": ("优良天数", "Good days"),
    "col.valid_aqi_days": ("有效天数", "Valid days"),
    "col.good_rate": ("优良天数比例 %", "Good days %"),
    "col.pm25_primary": ("PM2.5 首要污染物天数", "Days PM2.5 primary"),
    "col.o3_primary": ("O3 首要污染物天数", "Days O3 primary"),
    "col.mean": ("年均值", "Mean"),
})  # fmt: skip
