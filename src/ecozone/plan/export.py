"""The plan's exports: an xlsx workbook (openpyxl) and a PDF (Jinja2 HTML through WeasyPrint).

Both render one snapshot from service.snapshot, so the two files always agree; nothing
here reads the database. Labels are Chinese, with the codes beside them where a machine
may read them back. The PDF names CJK fonts first; where none is installed WeasyPrint
still writes the file, with boxes for the Chinese text (`cjk_fonts()` tells which are).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

TEMPLATES = Path(__file__).with_name("templates")

#: Cell colours of a status in both exports (RGB hex).
STATUS_COLOURS = {
    "not_started": "E7E6E6",
    "on_track": "C6EFCE",
    "at_risk": "FFEB9C",
    "off_track": "FFC7CE",
    "done": "9BC2E6",
    "none": "FFFFFF",
}
#: Two-character status labels for the wide matrix by unit in the PDF.
SHORT_LABELS = {
    "not_started": "未启",
    "on_track": "正常",
    "at_risk": "风险",
    "off_track": "滞后",
    "done": "完成",
    "none": "未报",
}
OVERDUE_LABEL = "逾期"
NOT_RESPONSIBLE_FILL = "F2F2F2"
#: Debian packages that give WeasyPrint Simplified Chinese glyphs.
CJK_FONT_PACKAGES = ("fonts-noto-cjk", "fonts-wqy-zenhei")

CADENCE_LABELS = {"monthly": "按月", "quarterly": "按季度", "yearly": "按年"}
REPORT_COLUMNS = [
    "序号", "措施", "责任单位", "区域", "期间", "状态", "进展情况", "佐证材料", "指标值",
    "完成时限", "报告人", "报告时间",
]  # fmt: skip

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(wrap_text=True, horizontal="center", vertical="center")
_THIN = Side(style="thin", color="BFBFBF")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_OVERDUE_FONT = Font(color="C00000", bold=True)


# --- xlsx ------------------------------------------------------------------------------


def to_xlsx(snap: dict[str, Any]) -> bytes:
    """A workbook with one sheet per view: measures, the two matrices, reports, indicators,
    and the plan's goals with a legend."""
    book = Workbook()
    _measures_sheet(book.active, snap)
    _matrix_sheet(book.create_sheet("按责任单位"), snap, "unit")
    _matrix_sheet(book.create_sheet("按区域"), snap, "district")
    _reports_sheet(book.create_sheet("进展报告"), snap)
    _indicators_sheet(book.create_sheet("指标"), snap)
    _goals_sheet(book.create_sheet("目标与说明"), snap)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet, titles: list[str], widths: list[int]) -> None:
    sheet.append(titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _BOLD
        cell.alignment = _CENTRE
        cell.border = _BOX
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _measures_sheet(sheet, snap: dict[str, Any]) -> None:
    sheet.title = "措施"
    _header(
        sheet,
        ["编号", "篇章", "措施", "摘要", "牵头单位", "配合单位", "实施区域", "Measure", "Summary"],
        [6, 6, 28, 80, 22, 22, 24, 36, 60],
    )
    for m in snap["measures"]:
        sheet.append(
            [
                m["number"],
                m["section"],
                m["title"],
                m["summary"],
                "、".join(m["lead_units"]),
                "、".join(m["co_units"]),
                "、".join(m["districts"]),
                m["title_en"],
                m["summary_en"],
            ]
        )
    _wrap_rows(sheet)


def _matrix_sheet(sheet, snap: dict[str, Any], by: str) -> None:
    data = snap[f"matrix_{by}"]
    labels = snap["status_labels"]
    responsible = snap["responsible"][by]
    _header(sheet, ["编号", "措施", *data["columns"]], [6, 28, *([12] * len(data["columns"]))])
    for row in data["rows"]:
        sheet.append([row["number"], row["title"]])
        line = sheet.max_row
        for offset, column in enumerate(data["columns"], start=3):
            cell = sheet.cell(row=line, column=offset)
            cell.alignment = _CENTRE
            cell.border = _BOX
            if column not in responsible[row["number"]]:
                cell.fill = PatternFill("solid", fgColor=NOT_RESPONSIBLE_FILL)
                continue
            value = row["cells"][column]
            parts = [labels[value["status"]]]
            if value["period"]:
                parts.append(value["period"])
            if value["overdue"]:
                parts.append(OVERDUE_LABEL)
                cell.font = _OVERDUE_FONT
            cell.value = "\n".join(parts)
            cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[value["status"]])
    for line in range(2, sheet.max_row + 1):
        sheet.cell(row=line, column=2).alignment = _WRAP
    sheet.freeze_panes = "C2"
    last = sheet.max_row + 2
    sheet.cell(row=last, column=2, value="图例").font = _BOLD
    for offset, (status, label) in enumerate(labels.items(), start=1):
        cell = sheet.cell(row=last + offset, column=2, value=f"{label}（{status}）")
        cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[status])
    note = sheet.cell(row=last + len(labels) + 1, column=2, value=f"{OVERDUE_LABEL}：红字")
    note.font = _OVERDUE_FONT
    sheet.cell(
        row=last + len(labels) + 2, column=2, value="灰色：该单位/区域不承担此项措施"
    ).fill = PatternFill("solid", fgColor=NOT_RESPONSIBLE_FILL)


def _reports_sheet(sheet, snap: dict[str, Any]) -> None:
    labels = snap["status_labels"]
    _header(
        sheet,
        REPORT_COLUMNS,
        [8, 6, 16, 12, 10, 12, 50, 36, 30, 12, 14, 22],
    )
    for r in snap["reports"]:
        indicators = "\n".join(f"{code}={value:g}" for code, value in r["indicators"].items())
        sheet.append(
            [
                r["id"],
                r["measure"],
                r["unit"],
                r["district"] or "",
                r["period"],
                labels[r["status"]],
                r["narrative"] or "",
                r["evidence"] or "",
                indicators,
                r["due_date"] or "",
                r["reported_by"],
                r["reported_at"],
            ]
        )
    _wrap_rows(sheet)


def _indicators_sheet(sheet, snap: dict[str, Any]) -> None:
    _header(
        sheet,
        ["代码", "措施", "指标", "比较", "目标", "单位", "目标年", "依据", "方案原文", "说明"],
        [36, 6, 40, 6, 28, 8, 8, 10, 60, 40],
    )
    for i in snap["indicators"]:
        target = (
            f"{i['relative_to_name']}（{i['relative_to']}）" if i["relative_to"] else i["target"]
        )
        sheet.append(
            [
                i["code"],
                i["measure"],
                i["name"],
                i["comparison"] or "跟踪",
                target if target is not None else "",
                i["unit"],
                i["target_year"],
                "原文数字" if i["basis"] == "figure" else "原文表述",
                i["quote"],
                i["note"] or "",
            ]
        )
    _wrap_rows(sheet)


def _goals_sheet(sheet, snap: dict[str, Any]) -> None:
    plan = snap["plan"]
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    rows = [
        ("方案", plan["title"]),
        ("文号", plan["document_number"]),
        ("印发日期", plan["issued"]),
        ("统计日期", snap["as_of"]),
        ("报告周期", CADENCE_LABELS[plan["reporting_cadence"]]),
        ("应报期间", snap["overview"]["period_due"]),
        ("逾期措施", "、".join(str(n) for n in snap["overview"]["overdue_measures"]) or "无"),
        ("滞后措施", "、".join(str(n) for n in snap["overview"]["off_track_measures"]) or "无"),
    ]
    for key, value in rows:
        sheet.append([key, value])
        sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    sheet.append([])
    sheet.append([f"{plan['goal_year']}年工作目标"])
    sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    for number, goal in enumerate(plan["goals"], start=1):
        sheet.append([number, goal["text"]])
    _wrap_rows(sheet)


def _wrap_rows(sheet) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.alignment is None or not cell.alignment.wrap_text:
                cell.alignment = _WRAP


# --- PDF -------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def to_html(snap: dict[str, Any]) -> str:
    """The PDF's HTML, also fit for a browser."""
    return (
        _environment()
        .get_template("plan_report.html")
        .render(
            snap=snap,
            plan=snap["plan"],
            colours=STATUS_COLOURS,
            cadence_labels=CADENCE_LABELS,
            short=SHORT_LABELS,
            overdue_label=OVERDUE_LABEL,
            not_responsible=NOT_RESPONSIBLE_FILL,
        )
    )


def pdf_document(snap: dict[str, Any]) -> Any:
    """The report laid out in pages (a weasyprint Document: `.pages`, `.write_pdf()`)."""
    import weasyprint  # imported here: it loads Pango, which the rest of ecozone never needs

    return weasyprint.HTML(string=to_html(snap), base_url=str(TEMPLATES)).render()


def to_pdf(snap: dict[str, Any]) -> bytes:
    """The report as PDF, A4 landscape."""
    return pdf_document(snap).write_pdf()


def cjk_fonts() -> list[str]:
    """Families of the installed fonts that cover Chinese, as fontconfig lists them."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in result.stdout.splitlines() if line})
