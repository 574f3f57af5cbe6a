"""A disclosure report as PDF (WeasyPrint from self-contained HTML, as the self-monitoring
report does) and xlsx (one sheet per section, numbers kept as numbers). Every figure comes
from the stored content; nothing is computed here but its display."""

from __future__ import annotations

import io
from typing import Any

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Font

from ecozone.disclosure.model import NOT_HELD
from ecozone.times import cst_naive

_env = jinja2.Environment(
    loader=jinja2.PrefixLoader({"disclosure": jinja2.PackageLoader("ecozone.disclosure")}),
    autoescape=True,
)
NOT_HELD_TEXT = "平台尚未掌握该项数据"
OUTCOMES = {"penalty": "罚款", "warning": "警告", "exempt": "免予处罚"}


def title(report: dict[str, Any]) -> str:
    name = report["content"]["basics"]["name"]
    if report["kind"] == "annual":
        return f"{name} {report['year']} 年度环境信息依法披露报告"
    return f"{name} 临时环境信息依法披露报告（{report['content']['event']['decided_on']}）"


def filename(report: dict[str, Any], ext: str) -> str:
    stem = report["content"]["basics"]["credit_code"]
    return f"disclosure-{stem}-{report['kind']}-{report['year']}-v{report['version']}.{ext}"


def render_html(report: dict[str, Any]) -> str:
    published = cst_naive(report["published_at"]).date() if report["published_at"] else None
    return _env.get_template("disclosure/print.html").render(
        report=report, title=title(report), published=published
    )


def render_pdf(report: dict[str, Any]) -> bytes:
    import weasyprint  # loads Pango and fonts; only the PDF path needs it

    return weasyprint.HTML(string=render_html(report)).write_pdf()


def _rows(ws: Any, header: list[str], rows: list[list[Any]]) -> None:
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)


def render_xlsx(report: dict[str, Any]) -> bytes:
    c = report["content"]
    wb = Workbook()
    ws = wb.active
    ws.title = "基本信息"
    ws.append([title(report)])
    ws["A1"].font = Font(bold=True, size=14)
    basics = c["basics"]
    labels = (("企业名称", "name"), ("统一社会信用代码", "credit_code"), ("所在区县", "district"),
              ("行业", "industry"), ("地址", "address"))  # fmt: skip
    for label, key in labels:
        ws.append([label, basics.get(key)])
    ws.append(["版本", report["version"]])
    ws.append(["状态", "已发布" if report["state"] == "published" else "草稿"])
    ws.append(["规则版本", c["rules"]["version"]])
    if report["kind"] == "temporary":
        e = c["event"]
        ws.append(["处罚决定日期", e["decided_on"]])
        ws.append(["处理结果", OUTCOMES[e["outcome"]]])
        ws.append(["罚款金额（元）", e["amount_yuan"]])
        ws.append(["违法事实", e["description"]])
        ws.append(["违反条款", e["provision"]])
    else:
        _rows(wb.create_sheet("排放总量"), ["污染物代码", "污染物", "排放量(t)", "许可年排放量(t)"],
              [[t["pollutant"], t["name"], t["emission_t"], t["annual_cap_t"]]
               for t in c["emissions"]["totals"]])  # fmt: skip
        _rows(wb.create_sheet("自行监测"),
              ["排放口", "污染物", "许可限值", "单位", "年均值", "最大小时值", "数据捕集率",
               "数据有效率", "超标小时"],
              [[o["code"], ln["name"], ln["limit"], ln["unit"], ln["mean"], ln["max"],
                ln["capture_rate"], ln["valid_rate"], ln["exceedance_hours"]]
               for o in c["emissions"]["outlets"] for ln in o["lines"]])  # fmt: skip
        _rows(wb.create_sheet("违法信息"),
              ["决定日期", "违法事实", "违反条款", "处理结果", "罚款(元)"],
              [[d["decided_on"], d["description"], d["provision"], OUTCOMES[d["outcome"]],
                d["amount_yuan"]] for d in c["penalties"]])  # fmt: skip
        if c.get("hazardous_waste") not in (None, NOT_HELD):
            _rows(wb.create_sheet("危险废物"),
                  ["废物代码", "名称", "类别", "产生量(t)", "自行利用(t)", "自行处置(t)",
                   "转移量(t)"],
                  [[w["code"], w["name"], w["category"], w["generated"], w["utilised"],
                    w["disposed"], w["transferred"]] for w in c["hazardous_waste"]])  # fmt: skip
        if c.get("carbon") not in (None, NOT_HELD):
            _rows(wb.create_sheet("碳排放"), ["能源品种", "范围", "消费量", "单位", "CO2(t)"],
                  [[ln["name"], ln["scope"], ln["amount"], ln["unit"], ln["t_co2"]]
                   for ln in c["carbon"]["lines"]]
                  + [["合计", "", "", "", c["carbon"]["total_t"]]])  # fmt: skip
        held = wb.create_sheet("尚未掌握")
        _rows(held, ["章节", "状态"],
              [[k, NOT_HELD_TEXT] for k, v in c.items() if v == NOT_HELD])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
