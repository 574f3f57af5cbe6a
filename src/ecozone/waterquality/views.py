"""The water-quality pages: every section coloured by its GB 3838-2002 class for a month with
each parameter's class and those over the target (/water), a section's monthly classes and
its annual class (/water/{point_id}), and the table of the public page. Staff only, a
district supervisor their district; the public page shows disclosed stations.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone import config
from ecozone.accounts.model import Principal as PrincipalType
from ecozone.errors import EcozoneError
from ecozone.waterquality import rules, service
from ecozone.waterquality.model import Evaluation, Section
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, Column, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

shell.add_menu(MenuEntry("nav.water", "/water", SUPERVISING_ROLES, 27, "nav.group.quality"))

add_texts(
    {
        "nav.water": ("地表水水质", "Surface water"),
        "water.title": ("地表水环境质量", "Surface-water quality"),
        "water.lead": (
            "按 GB 3838-2002 单因子评价：各指标取所达类别，断面类别取最差指标；"
            "超过目标类别的指标列出超标倍数。月、年类别按日均值的算术平均评价。",
            "GB 3838-2002 single-factor evaluation: each parameter's class, the section's "
            "class the worst of them; parameters over the target class with their exceedance "
            "multiple. Monthly and annual classes from the mean of the daily means.",
        ),
        "water.month": ("月份", "Month"),
        "water.year": ("年份", "Year"),
        "water.show": ("查看", "Show"),
        "water.none": ("尚无配置的地表水断面。", "No surface-water section configured."),
        "water.history": ("逐月水质类别", "Monthly class"),
        "water.annual": ("年度类别", "Annual class"),
        "water.public": ("地表水水质类别", "Surface-water class"),
        "col.section": ("断面", "Section"),
        "col.body": ("水体", "Water body"),
        "col.target_class": ("目标类别", "Target"),
        "col.water_class": ("水质类别", "Class"),
        "col.exceeding": ("超标指标（倍数）", "Over target (multiple)"),
        "col.month": ("月份", "Month"),
        "body.river": ("河流", "River"),
        "body.lake": ("湖库", "Lake/reservoir"),
        "water.bad_month": ("月份“{value}”无效，请写作 2026-11", "Month '{value}': write 2026-11"),
        "water.bad_year": ("年份“{value}”无效，请写四位数字", "Year '{value}': write four digits"),
    }
)


def _class_text(evaluation: Evaluation) -> str | None:
    return evaluation.water_class.label if evaluation.water_class is not None else None


def _exceeding(evaluation: Evaluation) -> str:
    return "、".join(
        rules.NAMES.get(p.code, p.code) + (f" {p.multiple:.2f}" if p.multiple is not None else "")
        for p in evaluation.exceeding
    )


def _row(section: Section, evaluation: Evaluation, lang: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "section": section.name, "district": section.district,
        "body": t(lang, f"body.{section.body.value}"),
        "target_class": section.target_class.label,
        "water_class": _class_text(evaluation), "exceeding": _exceeding(evaluation),
        "_href": {"section": f"/water/{section.point_id}"},
        "_class": (f"water-class-{int(evaluation.water_class)}"
                   if evaluation.water_class is not None else ""),
    }  # fmt: skip
    for p in evaluation.parameters:
        row[p.code] = f"{p.value:g} ({p.water_class.label})"
    return row


def sections_table(
    pairs: list[tuple[Section, Evaluation]], lang: str, *, parameters: bool = True
) -> Table:
    columns = [("section", "col.section"), ("district", "col.district"), ("body", "col.body"),
               ("target_class", "col.target_class"), ("water_class", "col.water_class"),
               ("exceeding", "col.exceeding")]  # fmt: skip
    table = shell.make_table("water-sections", lang, columns, (_row(s, e, lang) for s, e in pairs))
    if not parameters:
        return table
    extra = tuple(
        Column(code, rules.NAMES[code]) for code in rules.ORDER
        if any(code in row for row in table.rows)
    )  # fmt: skip
    return Table(table.name, table.columns + extra, table.rows)


def public_table(engine: sa.Engine, principal: PrincipalType, lang: str) -> Table:
    """The public page's table: the newest month's class of each disclosed section."""
    chosen = service.sections(engine, principal.scope)
    first, following, _label = service.period(engine, chosen, None, None, None)
    pairs = service.evaluate_period(engine, chosen, first, following,
                                    config.waterquality_settings())  # fmt: skip
    table = sections_table(pairs, lang, parameters=False)
    # The section pages are for staff: the public sees the class without the link.
    return Table(table.name, table.columns, tuple({**r, "_href": {}} for r in table.rows))


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


@router.get("/water", response_class=HTMLResponse)
def water_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    month = request.query_params.get("month")
    try:
        if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month.strip()):
            raise WebError(t(lang, "water.bad_month", value=month))
        chosen = service.sections(engine, principal.scope)
        first, following, label = service.period(engine, chosen, month, None, None)
        pairs = service.evaluate_period(engine, chosen, first, following,
                                        config.waterquality_settings())  # fmt: skip
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    return shell.render(request, principal, lang, "waterquality/water.html",
                        table=sections_table(pairs, lang), month=label)  # fmt: skip


@router.get("/water/{point_id}", response_class=HTMLResponse)
def section_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, point_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    year = request.query_params.get("year", "")
    try:
        found = service.section(engine, principal.scope, point_id)
        if year and not year.isdigit():
            raise WebError(t(lang, "water.bad_year", value=year))
        the_year = int(year) if year else service.month_of(engine, [found]).year
        history = service.monthly(engine, principal.scope, point_id, the_year,
                                  config.waterquality_settings())  # fmt: skip
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    rows = [
        {"month": m["month"], "water_class": m["class_label"],
         "exceeding": "、".join(p["name"] + (f" {p['multiple']:.2f}" if p["multiple"] is not None
                                            else "") for p in m["parameters"] if p["exceeds"]),
         "_class": f"water-class-{m['class']}" if m["class"] else "",
         **{p["code"]: f"{p['value']:g} ({p['class_label']})" for p in m["parameters"]}}
        for m in history["months"]
    ]  # fmt: skip
    codes = [c for c in rules.ORDER if any(c in r for r in rows)]
    table = shell.make_table(
        "water-months", lang,
        [("month", "col.month"), ("water_class", "col.water_class"),
         ("exceeding", "col.exceeding")],
        rows,
    )  # fmt: skip
    table = Table(table.name,
                  table.columns + tuple(Column(c, rules.NAMES[c]) for c in codes),
                  table.rows)  # fmt: skip
    return shell.render(request, principal, lang, "waterquality/section.html", section=found,
                        table=table, year=the_year, annual=history["annual"])  # fmt: skip
