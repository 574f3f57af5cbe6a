"""The statistics pages under 统计报表: data transmission effectiveness
(/statistics/transmission), emissions against permitted amounts (/statistics/emissions) and
exceedances (/statistics/exceedances), each filtered by period, district and enterprise and
exported as xlsx, CSV and PDF. Staff and enterprise users, each within their scope (an
enterprise sees its own figures, a district supervisor the district's); the public reads no
statistic here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone import config
from ecozone.accounts.model import Principal as PrincipalType
from ecozone.errors import EcozoneError
from ecozone.hj212 import codes
from ecozone.registry import store as registry_store
from ecozone.statistics import emissions_service, exceedances_service, transmission_service
from ecozone.statistics.transmission import Period, parse_period
from ecozone.statistics.transmission_service import Filters
from ecozone.times import local_time
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

STATISTICS_ROLES = ("admin", "supervisor", "enterprise")
GROUP = "nav.group.statistics"
PageFormat = Literal["html", "csv", "xlsx", "pdf"]

router = APIRouter(include_in_schema=False)

shell.add_menu(
    MenuEntry("nav.stat_transmission", "/statistics/transmission", STATISTICS_ROLES, 53, GROUP),
    MenuEntry("nav.stat_emissions", "/statistics/emissions", STATISTICS_ROLES, 54, GROUP),
    MenuEntry("nav.stat_exceedances", "/statistics/exceedances", STATISTICS_ROLES, 55, GROUP),
)


def pollutant_name(code: str) -> str:
    found = codes.pollutant(code)
    return f"{found.name} {code}" if found is not None else code


def default_period() -> str:
    """The last full month, device time: the month a bureau reports on."""
    today = local_time(shell.now())
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


def _filters(request: Request) -> tuple[str, Filters]:
    q = request.query_params
    return (
        (q.get("period") or "").strip() or default_period(),
        Filters(district=(q.get("district") or "").strip() or None,
                credit_code=(q.get("enterprise") or "").strip() or None),
    )  # fmt: skip


def _choices(engine: sa.Engine, principal: PrincipalType) -> dict[str, Any]:
    with engine.connect() as conn:
        enterprises = registry_store.enterprises_in_scope(conn, principal.scope)
    districts = sorted({e["district"] for e in enterprises})
    return {
        "districts": districts,
        "enterprises": [(e["credit_code"], e["name"]) for e in enterprises],
    }


def _point_link(row: dict[str, Any]) -> dict[str, str]:
    return {"point": f"/points/{row['point_id']}"} if "point_id" in row else {}


def _enterprise_link(row: dict[str, Any]) -> dict[str, str]:
    return {"enterprise": f"/enterprises/{row['credit_code']}"} if "credit_code" in row else {}


def _with_names(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**r, "pollutant_name": pollutant_name(r["pollutant"]),
         "_href": {**_point_link(r), **_enterprise_link(r)}}
        for r in rows
    ]  # fmt: skip


_HEAD = {
    "point": [("district", "col.district"), ("enterprise", "col.enterprise"),
              ("point", "col.point"), ("point_name", "col.point_name"), ("mn", "col.mn")],
    "enterprise": [("district", "col.district"), ("enterprise", "col.enterprise"),
                   ("credit_code", "col.credit_code")],
    "district": [("district", "col.district")],
    "industry": [("industry", "col.industry")],
    "month": [("month", "stat.col.month")],
    "pollutant": [],
}  # fmt: skip
_RATES = [
    ("expected", "stat.col.expected"), ("received", "stat.col.received"),
    ("valid", "stat.col.valid"), ("transmission_pct", "stat.col.transmission_pct"),
    ("effectiveness_pct", "stat.col.effectiveness_pct"),
    ("transmission_effectiveness_pct", "stat.col.transmission_effectiveness_pct"),
]  # fmt: skip
_EMITTED = [("pollutant_name", "col.pollutant"), ("emitted_t", "stat.col.emitted_t"),
            ("cap_t", "stat.col.cap_t"), ("capped_emitted_t", "stat.col.capped_emitted_t"),
            ("share_pct", "stat.col.share_pct")]  # fmt: skip
_EXCEEDED = [("pollutant_name", "col.pollutant"), ("events", "stat.col.events"),
             ("hours", "stat.col.exceedance_hours"),
             ("days", "stat.col.exceedance_days")]  # fmt: skip


# --- the three statistics as tables -----------------------------------------------------------


def transmission_tables(
    engine: sa.Engine, principal: PrincipalType, period: Period, filters: Filters, lang: str
) -> tuple[dict[str, Table], list[tuple[str, Any]], dict[str, Any]]:
    """The transmission statistic's tables (below, point, enterprise, district, month), its
    key facts and its JSON."""
    settings = transmission_service.current_settings()
    report = transmission_service.compute(
        engine, principal.scope, period, now_local=local_time(shell.now()), settings=settings,
        monitoring=config.monitoring_settings(), filters=filters,
    )  # fmt: skip
    data = transmission_service.as_dict(report)

    def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "_href": {**_point_link(r), **_enterprise_link(r)},
                 "_class": "below" if r.get("below") else ""} for r in items]  # fmt: skip

    tables = {
        "below": shell.make_table("stat-transmission-below", lang, _HEAD["point"] + _RATES,
                                  rows(data["below_threshold"])),
        "point": shell.make_table("stat-transmission-points", lang, _HEAD["point"] + _RATES,
                                  rows(data["points"])),
        "enterprise": shell.make_table("stat-transmission-enterprises", lang,
                                       _HEAD["enterprise"] + _RATES, rows(data["enterprises"])),
        "district": shell.make_table("stat-transmission-districts", lang,
                                     _HEAD["district"] + _RATES, data["districts"]),
        "month": shell.make_table("stat-transmission-months", lang, _HEAD["month"] + _RATES,
                                  data["months"]),
    }  # fmt: skip
    total = data["total"]
    facts = [
        (t(lang, "stat.col.transmission_pct"), total["transmission_pct"]),
        (t(lang, "stat.col.effectiveness_pct"), total["effectiveness_pct"]),
        (t(lang, "stat.col.transmission_effectiveness_pct"),
         total["transmission_effectiveness_pct"]),
        (t(lang, "stat.tx.threshold"), f"{settings.threshold_pct:g} %"),
        (t(lang, "stat.tx.below_count"), len(data["below_threshold"])),
        (t(lang, "stat.until"), data["until"].replace("T", " ")),
    ]  # fmt: skip
    return tables, facts, data


def emission_tables(
    engine: sa.Engine, principal: PrincipalType, period: Period, filters: Filters, lang: str
) -> tuple[dict[str, Table], list[tuple[str, Any]], dict[str, Any]]:
    report = emissions_service.compute(engine, principal.scope, period, filters=filters)
    data = emissions_service.as_dict(report)
    tables = {
        group: shell.make_table(f"stat-emissions-{group}", lang, _HEAD[group] + _EMITTED,
                                _with_names(emissions_service.table(report, group)))
        for group in emissions_service.GROUPS
    }  # fmt: skip
    return tables, [(t(lang, "stat.em.unit"), "t")], data


def exceedance_tables(
    engine: sa.Engine, principal: PrincipalType, period: Period, filters: Filters, lang: str
) -> tuple[dict[str, Table], list[tuple[str, Any]], dict[str, Any]]:
    report = exceedances_service.compute(
        engine, principal.scope, period, now_local=local_time(shell.now()), filters=filters
    )
    data = exceedances_service.as_dict(report)
    tables = {
        group: shell.make_table(f"stat-exceedances-{group}", lang, _HEAD[group] + _EXCEEDED,
                                _with_names(exceedances_service.table(report, group)))
        for group in exceedances_service.GROUPS
    }  # fmt: skip
    total = data["total"]
    facts = [(t(lang, "stat.col.events"), total["events"]),
             (t(lang, "stat.col.exceedance_hours"), total["hours"]),
             (t(lang, "stat.col.exceedance_days"), total["days"])]  # fmt: skip
    return tables, facts, data


Builder = Callable[..., tuple[dict[str, Table], list[tuple[str, Any]], dict[str, Any]]]

#: page name -> (builder, the tables it shows in order, the one exported by default)
PAGES: dict[str, tuple[Builder, tuple[str, ...], str]] = {
    "transmission": (transmission_tables, ("below", "point", "enterprise", "district", "month"),
                     "point"),
    "emissions": (emission_tables,
                  ("enterprise", "district", "industry", "month", "pollutant", "point"),
                  "enterprise"),
    "exceedances": (exceedance_tables,
                    ("enterprise", "district", "month", "pollutant", "point"), "enterprise"),
}  # fmt: skip


def _page(
    name: str, request: Request, principal: PrincipalType, lang: str, engine: sa.Engine,
    format: str,
) -> Response:  # fmt: skip
    if (refusal := shell.refused(request, principal, lang, STATISTICS_ROLES)) is not None:
        return refusal
    builder, order, default_table = PAGES[name]
    period_text, filters = _filters(request)
    table_name = request.query_params.get("table") or default_table
    try:
        if table_name not in order:
            raise WebError(t(lang, "stat.bad_table", value=table_name, allowed=", ".join(order)))
        period = parse_period(period_text)
        tables, facts, _data = builder(engine, principal, period, filters, lang)
    except EcozoneError as exc:
        if not isinstance(exc, WebError):
            error = WebError(t(lang, "stat.bad", reason=exc))
            error.status_code = exc.http_status  # an enterprise outside the scope: 404
            exc = error
        return shell.error_page(request, principal, lang, exc)
    title = t(lang, f"stat.{name}.title")
    filename = f"{title}_{period.label}"
    if format == "pdf":
        made = local_time(shell.now()).strftime("%Y-%m-%d %H:%M")
        document = export.PdfDocument(
            title=f"{period.label} {title}", lead=t(lang, f"stat.{name}.lead"), facts=facts,
            sections=[(t(lang, f"stat.table.{k}"), tables[k]) for k in order],
            notes=[t(lang, f"stat.{name}.note")], footer=f"{title} · {made}", lang=lang,
            empty=t(lang, "stat.empty"),
        )  # fmt: skip
        return export.pdf_response(document, filename)
    if format in ("csv", "xlsx"):
        chosen = tables[table_name]
        return export.download(chosen, format, f"{filename}_{t(lang, f'stat.table.{table_name}')}")
    filters_now = {"period": period.label, "district": filters.district or "",
                   "enterprise": filters.credit_code or ""}  # fmt: skip
    path = f"/statistics/{name}"
    sections = [
        {"key": k, "heading": t(lang, f"stat.table.{k}"), "table": tables[k],
         "export_url": shell.list_url(path, {**filters_now, "table": k})}
        for k in order
    ]  # fmt: skip
    return shell.render(
        request, principal, lang, f"statistics/{name}.html", name=name, title=title,
        lead=t(lang, f"stat.{name}.lead"), note=t(lang, f"stat.{name}.note"), facts=facts,
        sections=sections, period=period.label, filters=filters_now, path=path,
        pdf_url=shell.with_format(shell.list_url(path, filters_now), "pdf"),
        **_choices(engine, principal),
    )  # fmt: skip


@router.get("/statistics/transmission", response_class=HTMLResponse)
def transmission_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, format: PageFormat = "html"
) -> Response:
    """数据传输有效率: per point, enterprise, district and month."""
    return _page("transmission", request, principal, lang, engine, format)


@router.get("/statistics/emissions", response_class=HTMLResponse)
def emissions_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, format: PageFormat = "html"
) -> Response:
    """排放量统计: against the permitted annual amounts."""
    return _page("emissions", request, principal, lang, engine, format)


@router.get("/statistics/exceedances", response_class=HTMLResponse)
def exceedances_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, format: PageFormat = "html"
) -> Response:
    """超标统计: events and exceedance hours."""
    return _page("exceedances", request, principal, lang, engine, format)


add_texts({
    "nav.stat_transmission": ("数据传输有效率", "Transmission effectiveness"),
    "nav.stat_emissions": ("排放量统计", "Emissions statistics"),
    "nav.stat_exceedances": ("超标统计", "Exceedance statistics"),
    "stat.transmission.title": ("数据传输有效率统计", "Data transmission effectiveness"),
    "stat.transmission.lead": (
        "传输率 = 实际上传的小时数据数 ÷ 应上传数；有效率 = 有效数据数 ÷ 实际上传数；"
        "传输有效率 = 传输率 × 有效率。应上传数按点位投运日起每小时一条计，"
        "扣除经审核通过的停运标记时段；"
        "有效数据指各因子数据标记均为有效（N，超量程 T）的小时数据。",
        "Transmission rate = hourly records received ÷ expected; effectiveness rate = valid ÷ "
        "received; transmission effectiveness = their product. One record is expected an "
        "hour from the point's first day of operation, less accepted shutdown marks; a record "
        "is valid when every value carries a valid flag (N, or T over range).",
    ),
    "stat.transmission.note": (
        "考核口径（数据类型、停运标记的种类与审核状态、90% 阈值）为平台设置，"
        "待与主管部门文件核对。",
        "The assessment's choices (data kind, which marks excuse, the 90 % threshold) are "
        "settings, to be checked against the competent authority's notice.",
    ),
    "stat.emissions.title": ("排放量统计", "Emissions statistics"),
    "stat.emissions.lead": (
        "按企业、区域、行业、月份统计小时排放量之和（吨），与排污许可证年许可排放量对照；"
        "许可量取当年有效许可证中最小的年许可量，占比 = 有许可量排口的排放量 ÷ 许可量。",
        "Hourly masses summed (t) by enterprise, district, industry and month, against the "
        "permitted annual amount: the smallest cap of the permits in force that year; share = "
        "emissions of the capped outlets ÷ their caps.",
    ),
    "stat.emissions.note": (
        "月份的占比为该月排放量占全年许可排放量的比例。",
        "A month's share is that month's emission against the year's permitted amount.",
    ),
    "stat.exceedances.title": ("超标统计", "Exceedance statistics"),
    "stat.exceedances.lead": (
        "按因子、企业、区域、月份统计超标事件数与超标时长：小时限值超标计小时，日均限值超标计天；"
        "事件计入开始的月份，时长按月拆分；误报关闭的报警不计。",
        "Exceedance events and their duration by pollutant, enterprise, district and month: "
        "hours for hourly limits, days for daily limits; an event counts in the month it "
        "starts, its time in each month it spans; alerts closed as false alarms are left out.",
    ),
    "stat.exceedances.note": (
        "尚未结束的超标计至统计截止时刻。", "An exceedance still running counts to the cut-off."
    ),
    "stat.period": ("统计期（月 2026-11 或年 2026）", "Period (month 2026-11 or year 2026)"),
    "stat.all": ("全部", "All"),
    "stat.until": ("统计截止", "Counted up to"),
    "stat.empty": ("本期无数据。", "No figures for this period."),
    "stat.bad": ("无法统计：{reason}", "Cannot compute: {reason}"),
    "stat.bad_table": ("没有“{value}”表，可选：{allowed}", "No table '{value}'; one of {allowed}"),
    "stat.export_all": ("全部表格 PDF", "All tables as PDF"),
    "stat.tx.threshold": ("传输有效率阈值", "Threshold"),
    "stat.tx.below_count": ("低于阈值的点位数", "Points below the threshold"),
    "stat.em.unit": ("排放量单位", "Unit"),
    "stat.table.below": ("传输有效率低于阈值的点位", "Points below the threshold"),
    "stat.table.point": ("按点位", "By point"),
    "stat.table.enterprise": ("按企业", "By enterprise"),
    "stat.table.district": ("按区域", "By district"),
    "stat.table.industry": ("按行业", "By industry"),
    "stat.table.month": ("按月份", "By month"),
    "stat.table.pollutant": ("按因子", "By pollutant"),
    "stat.col.month": ("月份", "Month"),
    "stat.col.expected": ("应传输数", "Expected"),
    "stat.col.received": ("实际传输数", "Received"),
    "stat.col.valid": ("有效数", "Valid"),
    "stat.col.transmission_pct": ("传输率 %", "Transmission %"),
    "stat.col.effectiveness_pct": ("有效率 %", "Effectiveness %"),
    "stat.col.transmission_effectiveness_pct": ("传输有效率 %", "Transmission effectiveness %"),
    "stat.col.emitted_t": ("排放量 t", "Emitted t"),
    "stat.col.cap_t": ("年许可排放量 t", "Permitted t/a"),
    "stat.col.capped_emitted_t": ("有许可量排口排放量 t", "Emitted by capped outlets t"),
    "stat.col.share_pct": ("占许可量 %", "Share of cap %"),
    "stat.col.events": ("超标次数", "Events"),
    "stat.col.exceedance_hours": ("超标小时数", "Exceedance hours"),
    "stat.col.exceedance_days": ("超标天数（日均）", "Exceedance days (daily)"),
})  # fmt: skip
