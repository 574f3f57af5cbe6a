"""The annual carbon report of an enterprise (scope 1 and 2 CO2 with energy in tce): one
dict that the pages, the API, the CLI and later the disclosure report's carbon section read
(`carbon_report`), and its xlsx and PDF layouts (WeasyPrint, as reports.render does).

Every report prints the factor sets it used, their versions and sources.
"""

from __future__ import annotations

import io
from typing import Any

import jinja2
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from ecozone.accounts.model import Scope
from ecozone.energy import service
from ecozone.energy.model import NAMES, UNITS, Carrier, EnergySettings
from ecozone.reports.render import fmt_num


def carbon_report(
    engine: sa.Engine, scope: Scope, credit_code: str, year: int, settings: EnergySettings
) -> dict[str, Any]:
    """An enterprise's CO2 of a year by carrier (scope 1: fuel combustion; scope 2: purchased
    electricity, steam and heat), its energy in tce, and the factor sets used."""
    account = service.year_account(engine, scope, credit_code, year, settings)
    by_carrier: dict[str, dict[str, Any]] = {}
    for month in account["months"]:
        for line in month["carbon"]["lines"]:
            row = by_carrier.setdefault(line["carrier"], {
                "carrier": line["carrier"], "name": NAMES[Carrier(line["carrier"])][0],
                "unit": UNITS[Carrier(line["carrier"])], "scope": line["scope"],
                "amount": 0.0, "t_co2": 0.0,
            })  # fmt: skip
            row["amount"] += line["amount"]
            row["t_co2"] += line["t_co2"]
    return {
        "enterprise": account["enterprise"], "year": year,
        "lines": [by_carrier[c.value] for c in Carrier if c.value in by_carrier],
        "scope1_t": account["scope1_t"], "scope2_t": account["scope2_t"],
        "total_t": account["t_co2"], "tce": account["tce"], "method": account["method"],
        "grid_kind": settings.grid_kind.value, "user_class": account["user_class"],
        "months": [{"month": m["month"], "tce": m["tce"], "scope1_t": m["carbon"]["scope1_t"],
                    "scope2_t": m["carbon"]["scope2_t"], "total_t": m["carbon"]["total_t"]}
                   for m in account["months"]],
        "factor_sets": account["factor_sets"],
    }  # fmt: skip


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ecozone.energy", "report_templates"),
    autoescape=jinja2.select_autoescape(["html"], default=True),
    undefined=jinja2.StrictUndefined,
)
_env.filters["num"] = fmt_num


def render_html(report: dict[str, Any]) -> str:
    return _env.get_template("carbon_report.html").render(report=report)


def render_pdf(report: dict[str, Any]) -> bytes:
    import weasyprint  # loads Pango and fonts only when a PDF is asked for

    return weasyprint.HTML(string=render_html(report)).write_pdf()


def render_xlsx(report: dict[str, Any]) -> bytes:
    """Three sheets: the carriers, the months, the factor sets; numbers stay numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = "碳排放核算"
    ent = report["enterprise"]
    ws.append([f"{ent['name']} {report['year']} 年度碳排放报告"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["统一社会信用代码", ent["credit_code"]])
    ws.append(["电网排放因子类别", report["grid_kind"]])
    ws.append([])
    ws.append(["能源品种", "范围", "用量", "单位", "排放量 tCO2"])
    for line in report["lines"]:
        ws.append([line["name"], line["scope"], line["amount"], line["unit"], line["t_co2"]])
    ws.append(["范围一合计", 1, None, None, report["scope1_t"]])
    ws.append(["范围二合计", 2, None, None, report["scope2_t"]])
    ws.append(["合计", None, None, None, report["total_t"]])
    ws.append(["综合能耗 tce", None, None, None, report["tce"]])
    months = wb.create_sheet("逐月")
    months.append(["月份", "综合能耗 tce", "范围一 tCO2", "范围二 tCO2", "合计 tCO2"])
    for m in report["months"]:
        months.append([m["month"], m["tce"], m["scope1_t"], m["scope2_t"], m["total_t"]])
    sets = wb.create_sheet("系数来源")
    sets.append(["类别", "版本", "来源", "说明"])
    for s in report["factor_sets"]:
        sets.append([s["kind"], s["version"], s["source"], s["note"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
