"""The history query page (历史数据查询): points, pollutant, data kind and days in a form; the
table page by page beside a chart; the whole query as xlsx or CSV.

One shaping of rows serves the page, its JSON and both exports: values in the unit the
pages show everywhere (monitoring.views.display_unit), with the decimals the standard
prints (measurements.rules), flags with their meaning and the data marks overlapping each
row. The table is keyset-paged (measurements.history); an export walks every page to the
row cap, and when the query holds more rows the file and the page both say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ecozone import config
from ecozone.accounts.model import Principal
from ecozone.errors import NotFound
from ecozone.measurements import history
from ecozone.measurements.history import HistoryError, HistoryQuery
from ecozone.measurements.model import QueryError, QuerySettings
from ecozone.measurements.rules import display_decimals, print_value
from ecozone.monitoring.views import display_unit
from ecozone.times import local_time
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, flag_meaning, pollutant_name, t
from ecozone.web.model import SUPERVISING_ROLES, Column, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

ROLES = (*SUPERVISING_ROLES, "enterprise")
DEFAULT_DAYS = 7
#: Most values the chart draws; past it the chart says it shows the first ones only.
MAX_CHART_VALUES = 20_000
#: Columns whose numbers are printed as the standard does: with the row's decimals (None)
#: or fixed ones (emitted mass in kg to the gram).
PRINTED: dict[str, int | None] = {
    "value": None, "min": None, "max": None, "zs_value": None, "cou": None, "emission_kg": 3,
}  # fmt: skip

shell.add_menu(MenuEntry("nav.data_query", "/data-query", ROLES, 12, "nav.group.monitoring"))

add_texts(
    {
        "nav.data_query": ("历史数据查询", "Data query"),
        "query.title": ("历史数据查询", "Historical data query"),
        "query.lead": (
            "按监测点、因子、数据类型和日期查询自动监测数据；表格分页显示，导出包含全部页。",
            "Monitoring data by point, pollutant, data kind and days; the table is paged, "
            "an export holds every page.",
        ),
        "query.form": ("查询条件", "Query"),
        "query.points": ("监测点（可多选）", "Points (several allowed)"),
        "query.pollutant": ("因子", "Pollutant"),
        "query.all_pollutants": ("全部因子", "All pollutants"),
        "query.kind": ("数据类型", "Data kind"),
        "query.start": ("开始日期", "From"),
        "query.end": ("结束日期", "To (included)"),
        "query.submit": ("查询", "Search"),
        "query.kind.rtd": ("实时数据", "Real-time data"),
        "query.kind.minute": ("分钟数据", "Minute data"),
        "query.kind.hour": ("小时数据（设备上报）", "Hourly data (sent)"),
        "query.kind.day": ("日数据（设备上报）", "Daily data (sent)"),
        "query.kind.computed_hour": ("小时值（平台计算）", "Hourly values (computed)"),
        "query.kind.computed_day": ("日均值（平台计算）", "Daily values (computed)"),
        "query.table": ("查询结果", "Results"),
        "query.chart": ("趋势图", "Chart"),
        "query.summary": (
            "共 {total} 条，第 {page} 页，本页 {first}–{last} 条（每页 {size} 条）",
            "{total} rows; page {page}, rows {first}–{last} ({size} per page)",
        ),
        "query.none": ("该时段没有数据。", "No data in this period."),
        "query.first_page": ("首页", "First page"),
        "query.next_page": ("下一页", "Next page"),
        "query.export_all": ("导出全部 {total} 条", "Export all {total} rows"),
        "query.capped": (
            "导出上限 {cap} 条：本查询共 {total} 条，导出文件只含按时间顺序的前 {cap} 条，"
            "请缩短时间范围分次导出。",
            "Export limit {cap} rows: this query holds {total}; the file holds the first "
            "{cap} in time order. Export shorter periods.",
        ),
        "query.chart_capped": (
            "图表显示前 {cap} 个数据，表格与导出包含全部。",
            "The chart shows the first {cap} values; the table and the export hold all.",
        ),
        "query.pick": ("选择监测点和日期后查询。", "Pick points and days, then search."),
        "query.no_points": ("没有可查询的监测点。", "No monitoring point to query."),
        "query.flags_note": (
            "标记：N 正常，F 停运，M 维护，S 手工输入，D 故障，C 校准，T 超测量上限，B 通讯异常"
            "（HJ 212-2017 表 8）。数据标记为企业申报的停产、维护、校准、故障时段。",
            "Flags: N normal, F stopped, M maintenance, S set by hand, D fault, C calibration, "
            "T above range, B link fault (HJ 212-2017 Table 8). Marks: periods the enterprise "
            "declared (shutdown, maintenance, calibration, fault).",
        ),
        "query.error.missing_date": ("请选择开始和结束日期。", "Pick a start and an end day."),
        "query.error.bad_date": ("日期 {value} 无法识别。", "The date {value} is not a date."),
        "query.error.bad_kind": ("未知的数据类型。", "Unknown data kind."),
        "query.error.no_point": ("请至少选择一个监测点。", "Pick at least one point."),
        "query.error.end_before_start": (
            "结束日期早于开始日期。",
            "The end day is before the start day.",
        ),
        "query.error.too_long": (
            "一次最多查询 {days} 天。",
            "One query spans at most {days} days.",
        ),
        "query.error.bad_after": ("分页参数无效，请重新查询。", "Bad page key; search again."),
        "col.data_time": ("时间", "Time"),
        "col.cou": ("累计值", "Total"),
        "col.marks": ("数据标记", "Data marks"),
        "col.point_name": ("监测点", "Point"),
        "query.file": ("历史数据", "history"),
    }
)


# --- rows as shown and exported ---------------------------------------------------------------


def columns(q: HistoryQuery, lang: str) -> tuple[Column, ...]:
    """The table's columns for the query's kind: real-time values have no min/max, computed
    ones carry validity and emitted mass."""
    keys: list[tuple[str, str]] = [
        ("data_time", "col.data_time"),
        ("enterprise", "col.enterprise"),
        ("point", "col.point_name"),
        ("pollutant", "col.pollutant"),
        ("code", "col.code"),
    ]
    if q.kind == "rtd":
        keys += [("value", "col.value"), ("zs_value", "col.zs_value")]
    else:
        keys += [("value", "col.avg"), ("min", "col.min"), ("max", "col.max")]
        keys += [("zs_value", "col.zs_avg"), ("cou", "col.cou")]
    keys.append(("unit", "col.unit"))
    if q.computed:
        keys += [("valid", "col.valid"), ("valid_count", "col.valid_count")]
        keys.append(("emission_kg", "col.emission_kg"))
    keys += [("flag", "col.flag"), ("flag_meaning", "col.flag_meaning"), ("marks", "col.marks")]
    return tuple(Column(key, t(lang, heading)) for key, heading in keys)


def shape(
    rows: Iterable[dict[str, Any]],
    points: dict[int, dict[str, Any]],
    q: HistoryQuery,
    lang: str,
    settings: QuerySettings,
) -> Iterator[dict[str, Any]]:
    """Stored rows as the page and the exports show them: values scaled to the display unit
    (floats; `_decimals` says how they print), names, flag meaning, marks."""
    value_key, zs_key = ("rtd", "zs_rtd") if q.kind == "rtd" else ("avg", "zs_avg")
    units: dict[tuple[str, str], tuple[float, str, int]] = {}
    for row in rows:
        p = points[row["point_id"]]
        code = row["pollutant"]
        found = units.get((p["kind"], code))
        if found is None:
            factor, unit = display_unit(p["kind"], code)
            decimals = display_decimals(
                code,
                rescaled_unit=unit if factor != 1.0 else None,
                default=settings.default_decimals,
                overrides=settings.decimals,
            )
            found = units[(p["kind"], code)] = (factor, unit, decimals)
        factor, unit, decimals = found

        def scaled(name: str, row: dict[str, Any] = row, factor: float = factor) -> float | None:
            value = row.get(name)
            return None if value is None else float(value) * factor

        flag = row.get("flag") or ""
        marks = row.get("marks") or []
        yield {
            "data_time": row["data_time"],
            "enterprise": p["enterprise_name"],
            "point": f"{p['code']} {p['name']}",
            "pollutant": pollutant_name(code, lang),
            "code": code,
            "value": scaled(value_key),
            "min": scaled("min"),
            "max": scaled("max"),
            "zs_value": scaled(zs_key),
            "cou": row.get("cou"),
            "unit": unit,
            "valid": t(lang, "yes" if row.get("valid") else "no") if q.computed else None,
            "valid_count": row.get("valid_count"),
            "emission_kg": row.get("emission_kg"),
            "flag": flag,
            "flag_meaning": flag_meaning(flag, lang) if flag else "",
            "marks": "；".join(f"{t(lang, 'mark.' + m['kind'])}：{m['reason']}" for m in marks),
            "_decimals": decimals,
            "_class": " ".join(
                [f"flag-{flag.lower()}"] * (flag not in ("", "N")) + ["marked"] * bool(marks)
            ),
        }


def _time_text(q: HistoryQuery, value: Any) -> str:
    if q.kind in ("day", "computed_day"):
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M:%S" if q.kind == "rtd" else "%Y-%m-%d %H:%M")


def as_text(q: HistoryQuery, row: dict[str, Any]) -> dict[str, Any]:
    """A shaped row as the page prints it: the same numbers the export holds."""
    out = {key: "" if value is None else value for key, value in row.items()}
    out["data_time"] = _time_text(q, row["data_time"])
    for key, fixed in PRINTED.items():
        out[key] = print_value(row[key], row["_decimals"] if fixed is None else fixed)
    return out


# --- reading the request ----------------------------------------------------------------------


def query_params(q: HistoryQuery) -> list[tuple[str, str]]:
    params = [("point", str(p)) for p in q.point_ids]
    if q.pollutant:
        params.append(("pollutant", q.pollutant))
    params += [
        ("kind", q.kind),
        ("start", q.start.date().isoformat()),
        ("end", (q.end - timedelta(days=1)).date().isoformat()),
    ]
    return params


def _message(exc: Exception, lang: str) -> str:
    if isinstance(exc, HistoryError):
        return t(lang, "query.error." + exc.key, **exc.params)
    return str(exc)


def _require(principal: Principal) -> None:
    shell.require_role(principal, ROLES)


def file_name(q: HistoryQuery, points: dict[int, dict[str, Any]]) -> str:
    """历史数据_DA001_分钟数据_20240501-20240507 (Chinese whatever the page's language)."""
    codes = "+".join(points[p]["code"] for p in q.point_ids[:3])
    if len(q.point_ids) > 3:
        codes += f"等{len(q.point_ids)}个点"
    return (
        f"{t('zh', 'query.file')}_{codes}_{t('zh', 'query.kind.' + q.kind)}_"
        f"{q.start:%Y%m%d}-{q.end - timedelta(days=1):%Y%m%d}"
    )


# --- the page and its JSON --------------------------------------------------------------------


@router.get("/data-query", response_class=HTMLResponse)
def query_page(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point: Annotated[list[int], Query()] = [],  # noqa: B006 - FastAPI reads the default only
    pollutant: str | None = None,
    kind: str = "minute",
    start: str | None = None,
    end: str | None = None,
    after: str | None = None,
    page: int = 1,
) -> Response:
    """The form; with points chosen, the first (or `after`'s) page, the chart and exports."""
    try:
        refused = shell.gate(request, principal, ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if refused is not None:
        return refused
    settings = config.query_settings()
    page = max(page, 1)
    today = local_time(shell.now()).date()
    form = {
        "points": point,
        "pollutant": pollutant or "",
        "kind": kind,
        "start": start or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
        "end": end or today.isoformat(),
    }
    choices = history.visible_points(engine, principal.scope)
    context: dict[str, Any] = {"result": None, "error": None, "pollutants": []}
    page_data: dict[str, Any] = {}
    if point:
        try:
            q = history.check_query(point, pollutant, kind, form["start"], form["end"])
            found, points = history.read_page(engine, principal.scope, q, after, settings.page_size)
            cols = columns(q, lang)
            rows = [as_text(q, r) for r in shape(found.rows, points, q, lang, settings)]
            params = query_params(q)
            base = urlencode(params)
            first = (page - 1) * settings.page_size + 1
            context["result"] = {
                "table": Table(name="history", columns=cols, rows=tuple(rows)),
                "total": found.total,
                "page": page,
                "first": first if rows else 0,
                "last": first + len(rows) - 1 if rows else 0,
                "size": settings.page_size,
                "first_href": f"/data-query?{base}",
                "next_href": (
                    f"/data-query?{base}&{urlencode({'after': found.next_after, 'page': page + 1})}"
                    if found.next_after
                    else None
                ),
                "export": f"/web/api/data-query?{base}",
                "series": f"/web/api/data-query/series?{base}",
                "cap": settings.export_row_cap,
                "capped": found.total > settings.export_row_cap,
            }
            context["pollutants"] = history.pollutants(engine, principal.scope, q)
            page_data = {"series": context["result"]["series"], "chart_texts": _chart_texts(lang)}
        except NotFound as exc:
            # the page's links keep the query, point ids included: drop them, so a foreign
            # point's page reads exactly like a missing one's
            lang_only = urlencode([(k, v) for k, v in request.query_params.items() if k == "lang"])
            bare = Request({**request.scope, "query_string": lang_only.encode()})
            return shell.error_page(bare, principal, lang, shell.NotFound(str(exc)))
        except QueryError as exc:
            context["error"] = _message(exc, lang)
    return shell.render(
        request,
        principal,
        lang,
        "measurements/query.html",
        form=form,
        choices=choices,
        kinds=history.QUERY_KINDS,
        pollutant_name=lambda code: pollutant_name(code, lang),
        page_data=page_data,
        **context,
    )


def _chart_texts(lang: str) -> dict[str, str]:
    return {
        "no_data": t(lang, "chart.no_data"),
        "capped": t(lang, "query.chart_capped", cap=MAX_CHART_VALUES),
    }


def _read(
    principal: Principal, point: list[int], pollutant: str | None, kind: str,
    start: str | None, end: str | None,
) -> HistoryQuery:  # fmt: skip
    _require(principal)
    return history.check_query(point, pollutant, kind, start, end)


@router.get("/web/api/data-query")
def query_table(
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point: Annotated[list[int], Query()] = [],  # noqa: B006
    pollutant: str | None = None,
    kind: str = "minute",
    start: str | None = None,
    end: str | None = None,
    after: str | None = None,
    format: str = "json",
) -> Response:
    """A page as JSON (with the key of the next), or the whole query as xlsx or CSV."""
    settings = config.query_settings()
    try:
        q = _read(principal, point, pollutant, kind, start, end)
        if format == "json":
            found, points = history.read_page(engine, principal.scope, q, after, settings.page_size)
            rows = [as_text(q, r) for r in shape(found.rows, points, q, lang, settings)]
            body = shell.table_json(
                Table(name="history", columns=columns(q, lang), rows=tuple(rows)),
                lang,
                next_after=found.next_after,
                total=found.total,
            )
            return JSONResponse(body)
        export.check_format(format)
        points, total, batches = history.walk(engine, principal.scope, q, settings.export_row_cap)
    except NotFound as exc:
        return shell.json_error(shell.NotFound(str(exc)))
    except WebError as exc:
        return shell.json_error(exc)
    except QueryError as exc:
        return shell.json_error(WebError(_message(exc, lang)))
    notes = []
    if total > settings.export_row_cap:
        notes.append(t(lang, "query.capped", cap=settings.export_row_cap, total=total))
    rows = (row for batch in batches for row in shape(batch, points, q, lang, settings))
    return export.stream(
        columns(q, lang), rows, format, file_name(q, points), printed=PRINTED, notes=notes
    )


@router.get("/web/api/data-query/series")
def query_series(
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point: Annotated[list[int], Query()] = [],  # noqa: B006
    pollutant: str | None = None,
    kind: str = "minute",
    start: str | None = None,
    end: str | None = None,
) -> Response:
    """The query's values for the chart, one series per point and pollutant, in the units
    and decimals of the table; the first MAX_CHART_VALUES only (`capped` says so)."""
    settings = config.query_settings()
    try:
        q = _read(principal, point, pollutant, kind, start, end)
        points, total, batches = history.walk(engine, principal.scope, q, MAX_CHART_VALUES)
    except NotFound as exc:
        return shell.json_error(shell.NotFound(str(exc)))
    except WebError as exc:
        return shell.json_error(exc)
    except QueryError as exc:
        return shell.json_error(WebError(_message(exc, lang)))
    series: dict[str, dict[str, Any]] = {}
    for batch in batches:
        for row in shape(batch, points, q, lang, settings):
            name = f"{row['point'].split(' ')[0]} {row['pollutant']} ({row['unit']})".replace(
                " ()", ""
            )
            entry = series.setdefault(name, {"name": name, "unit": row["unit"], "data": []})
            value = row["value"]
            entry["data"].append(
                [
                    row["data_time"].strftime("%Y-%m-%d %H:%M:%S"),
                    None if value is None else float(print_value(value, row["_decimals"])),
                    row["flag"],
                ]
            )
    return JSONResponse(
        {"series": list(series.values()), "total": total, "capped": total > MAX_CHART_VALUES}
    )
