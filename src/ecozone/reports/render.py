"""Layouts of an AnnualReport: HTML (Jinja2), PDF (WeasyPrint from that HTML) and xlsx.

Every figure comes from the report object; nothing is computed here except
its display. HTML is self-contained (inline CSS, no fonts or scripts fetched),
so the PDF needs no network either. The xlsx keeps numbers as numbers with
number formats, so a spreadsheet can sum and chart them.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ecozone.reports.model import (
    GAP_CAUSE_NAMES,
    GAP_CAUSES,
    MARK_KIND_NAMES,
    MARK_KINDS,
    PERMIT_CLASS_NAMES,
    AnnualReport,
    MonitoringMethod,
    OutletSection,
)
from ecozone.times import cst_naive

# --- display helpers shared by HTML and xlsx --------------------------------------------

POINT_KIND_NAMES = {
    "flue_gas": ("废气", "flue gas"),
    "wastewater": ("废水", "wastewater"),
    "ambient_air": ("环境空气", "ambient air"),
    "surface_water": ("地表水", "surface water"),
    "power": ("用电监控", "power metering"),
}
ALERT_TYPE_NAMES = {
    "exceedance": ("超标", "exceedance"),
    "offline": ("离线", "offline"),
    "constant_value": ("恒值", "constant value"),
    "device_fault": ("设备故障", "device fault"),
    "long_maintenance": ("长期维护", "long maintenance"),
    "hour_mismatch": ("小时值不符", "hour mismatch"),
    "cap_warning": ("总量预警", "cap warning"),
    "permit_expired": ("许可证过期", "permit expired"),
    "control_off": ("治污设施停运", "control facility off"),
    "unsynchronised": ("启停不同步", "start/stop not synchronised"),
    "control_idle": ("治污设施空转", "control facility idling"),
    "limit_order": ("停限产违规", "production-limit order breached"),
    "analyser_silent": ("在线监测异常而生产运行", "analyser silent while producing"),
    "waste_storage_age": ("危废贮存超期", "waste stored too long"),
    "waste_over_capacity": ("危废库存超过贮存能力", "waste stock over capacity"),
    "waste_balance": ("危废物料衡算不平衡", "waste mass balance broken"),
    "waste_manifest_late": ("联单未按期确认", "manifest not confirmed in time"),
    "waste_receipt_difference": ("接收量与转移量不符", "received quantity differs"),
    "waste_declaration_due": ("危废申报临近截止", "waste declaration due"),
    "waste_declaration_late": ("危废申报逾期", "waste declaration late"),
    "waste_route_deviation": ("危废车辆偏离路线", "waste vehicle off its route"),
    "waste_long_stop": ("危废车辆异常停留", "waste vehicle stopped too long"),
    "allowance_shortfall": ("配额/排污权缺口", "allowance shortfall"),
    "eia_due": ("环评审批临近时限", "EIA approval due soon"),
    "eia_overdue": ("环评审批超时限", "EIA approval overdue"),
    "night_construction": ("无许可夜间施工", "night work without approval"),
    "dust_exceedance": ("工地扬尘超标", "dust exceedance"),
    "sewer_overflow": ("管网溢流", "sewer overflow"),
}
ALERT_STATE_NAMES = {
    "open": ("待处理", "open"),
    "dispatched": ("已派发", "dispatched"),
    "feedback": ("已反馈", "feedback"),
    "verified": ("已核实", "verified"),
    "closed": ("已关闭", "closed"),
}
VALUE_BASIS_NAMES = {
    "zs_avg": ("折算浓度", "converted to reference O2"),
    "avg": ("实测浓度", "as measured"),
}


def _names(table: dict[str, tuple[str, str]], key: str) -> tuple[str, str]:
    return table.get(key, (key, key))


def fmt_num(value: float | int | None, digits: int = 2) -> str:
    """A number with `digits` decimals; an em dash where the figure does not apply."""
    if value is None:
        return "—"
    return f"{value:.{digits}f}"


def fmt_pct(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage: 10 / 8784 -> '0.11%'."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


def fmt_time(value: datetime | date | None) -> str:
    """Device time (naive CST) as 2024-01-10 09:00; an aware instant is shown in CST."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = cst_naive(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def method_text(outlet: OutletSection) -> tuple[str, str]:
    if outlet.method is MonitoringMethod.AUTOMATIC:
        return (
            f"自动监测（HJ 212 数采仪 MN {outlet.mn}）",
            f"automatic monitoring via HJ 212 device MN {outlet.mn}",
        )
    return "手工监测", "manual monitoring (no device on the platform)"


def period_text(report: AnnualReport) -> str:
    return "; ".join(f"{fmt_time(start)} – {fmt_time(end)}" for start, end in report.period)


# --- HTML and PDF ------------------------------------------------------------------------

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ecozone.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(num=fmt_num, pct=fmt_pct, when=fmt_time)
_env.globals.update(
    GAP_CAUSES=GAP_CAUSES,
    GAP_CAUSE_NAMES=GAP_CAUSE_NAMES,
    MARK_KINDS=MARK_KINDS,
    MARK_KIND_NAMES=MARK_KIND_NAMES,
    PERMIT_CLASS_NAMES=PERMIT_CLASS_NAMES,
    POINT_KIND_NAMES=POINT_KIND_NAMES,
    ALERT_TYPE_NAMES=ALERT_TYPE_NAMES,
    ALERT_STATE_NAMES=ALERT_STATE_NAMES,
    VALUE_BASIS_NAMES=VALUE_BASIS_NAMES,
    names=_names,
    method_text=method_text,
    period_text=period_text,
)


def render_html(report: AnnualReport) -> str:
    return _env.get_template("annual.html").render(report=report)


def render_pdf(report: AnnualReport) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which the HTML and xlsx paths never need.
    import weasyprint

    return weasyprint.HTML(string=render_html(report)).write_pdf()


# --- xlsx -----------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_WRAP = Alignment(wrap_text=True, vertical="top")

INT = "0"
CONC = "0.00"
MASS_KG = "0.000"
MASS_T = "0.000000"
PCT = "0.00%"
WHEN = "yyyy-mm-dd hh:mm"
DAY = "yyyy-mm-dd"

# (Chinese header, English header, number format or None, value of a line)
_LINE_COLUMNS: list[tuple[str, str, str | None, Any]] = [
    ("污染物代码", "Pollutant code", None, lambda ln: ln.pollutant),
    ("污染物名称", "Pollutant", None, lambda ln: ln.name),
    ("单位", "Unit", None, lambda ln: ln.unit),
    ("许可限值", "Limit", CONC, lambda ln: ln.limit.limit_value if ln.limit else None),
    ("限值时段", "Limit basis", None, lambda ln: ln.limit.basis if ln.limit else None),
    ("执行标准", "Standard", None, lambda ln: ln.limit.standard if ln.limit else None),
    ("评价浓度", "Value judged", None, lambda ln: ln.value_basis),
    ("应监测小时", "Expected hours", INT, lambda ln: ln.expected_hours),
    ("有数据小时", "Hours with data", INT, lambda ln: ln.hours_with_data),
    ("数据捕集率", "Capture rate", PCT, lambda ln: ln.capture_rate),
    ("有效小时", "Valid hours", INT, lambda ln: ln.valid_hours),
    ("数据有效率", "Valid-data rate", PCT, lambda ln: ln.valid_rate),
    ("许可期外有数据小时", "Hours outside permit", INT, lambda ln: ln.hours_outside_permit),
    ("年均值", "Annual mean", CONC, lambda ln: ln.mean),
    ("最大小时值", "Hourly maximum", CONC, lambda ln: ln.max),
    ("均值样本数", "Values in mean", INT, lambda ln: ln.value_count),
    ("超标事件", "Exceedance events", INT, lambda ln: ln.exceedance_events),
    ("超标小时", "Exceedance hours", INT, lambda ln: ln.exceedance_hours),
    ("排放量(kg)", "Emission kg", MASS_KG, lambda ln: ln.emission_kg),
    ("排放量(t)", "Emission t", MASS_T, lambda ln: ln.emission_t),
    ("许可年排放量(t)", "Annual cap t", MASS_KG, lambda ln: ln.annual_cap_t),
    ("占许可量", "Share of cap", PCT, lambda ln: ln.cap_share),
    ("无效小时排放量(kg)", "Emission kg, invalid hours", MASS_KG,
     lambda ln: ln.emission_kg_invalid),
    ("有效无排放量小时", "Valid hours without emission", INT,
     lambda ln: ln.valid_hours_without_emission),
    *[
        (f"缺失-{GAP_CAUSE_NAMES[c][0]}({c})" if c not in ("other", "missing")
         else f"缺失-{GAP_CAUSE_NAMES[c][0]}",
         f"Gap: {GAP_CAUSE_NAMES[c][1]}" + (f" ({c})" if c not in ("other", "missing") else ""),
         INT, lambda ln, c=c: ln.gap_hours[c])
        for c in GAP_CAUSES
    ],
    ("缺失合计", "Gap hours", INT, lambda ln: ln.gap_total),
    *[
        (f"申报{MARK_KIND_NAMES[k][0]}小时", f"Declared {MARK_KIND_NAMES[k][1]} hours", INT,
         lambda ln, k=k: ln.declared_hours[k])
        for k in MARK_KINDS
    ],
    ("已申报缺失小时", "Gap hours declared", INT, lambda ln: ln.declared_gap_hours),
    ("未申报缺失小时", "Gap hours not declared", INT, lambda ln: ln.undeclared_gap_hours),
]  # fmt: skip

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(wb: Workbook, text: str) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in `wb`."""
    base = _SHEET_NAME_BAD.sub("_", text)[:31]
    title, n = base, 2
    while title in wb.sheetnames:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    if fmt is not None and isinstance(value, int | float | datetime | date):
        cell.number_format = fmt


def _header(ws: Worksheet, row: int, names: list[tuple[str, str]]) -> None:
    """Two header rows: Chinese, then English."""
    for col, (zh, en) in enumerate(names, start=1):
        for r, text in ((row, zh), (row + 1, en)):
            cell = ws.cell(row=r, column=col, value=text)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = _WRAP


def _widths(ws: Worksheet, widths: dict[int, float], default: float = 12) -> None:
    for col in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = widths.get(col, default)


def _table(
    ws: Worksheet,
    row: int,
    title: str,
    columns: list[tuple[str, str, str | None]],
    rows: list[list[Any]],
) -> int:
    """A titled table at `row`; returns the row after it and a blank line."""
    ws.cell(row=row, column=1, value=title).font = _HEADER_FONT
    _header(ws, row + 1, [(zh, en) for zh, en, _ in columns])
    r = row + 3
    for values in rows:
        for col, ((_, _, fmt), value) in enumerate(zip(columns, values, strict=True), start=1):
            _put(ws, r, col, value, fmt)
        r += 1
    return r + 1


def _summary_sheet(ws: Worksheet, report: AnnualReport) -> None:
    ws.title = "概要 Summary"
    ws.cell(row=1, column=1, value=f"{report.year} 年度自行监测报告 Annual self-monitoring report")
    ws.cell(row=1, column=1).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=report.enterprise_name).font = _HEADER_FONT
    ws.freeze_panes = "A3"
    facts: list[tuple[str, Any, str | None]] = [
        ("单位名称 Enterprise", report.enterprise_name, None),
        ("统一社会信用代码 Credit code", report.credit_code, None),
        ("所属区域 District", report.district, None),
        ("行业 Industry", report.industry, None),
        ("地址 Address", report.address, None),
        ("报告年度 Year", report.year, INT),
        ("监测时段 Monitoring period", period_text(report), None),
        ("应监测小时 Expected hours", report.expected_hours, INT),
        ("全年小时 Hours in year", report.hours_in_year, INT),
        ("超标事件 Exceedance events", report.exceedance_events, INT),
        ("超标小时 Exceedance hours", report.exceedance_hours, INT),
        ("报警合计 Alerts", report.alerts_total, INT),
        ("生成时间 Generated (UTC+8)", fmt_time(report.generated_at), None),
    ]
    row = 4
    for label, value, fmt in facts:
        ws.cell(row=row, column=1, value=label).font = _HEADER_FONT
        _put(ws, row, 2, value, fmt)
        row += 1
    row += 1
    row = _table(
        ws, row, "排污许可证 Discharge permits",
        [("许可证编号", "Permit number", None), ("管理类别", "Management class", None),
         ("有效期起", "Valid from", DAY), ("有效期止", "Valid to", DAY)],
        [[p.permit_no, "/".join(_names(PERMIT_CLASS_NAMES, p.management_class)),
          p.valid_from, p.valid_to] for p in report.permits],
    )  # fmt: skip
    row = _table(
        ws, row, "排放总量 Emission totals against permitted caps",
        [("污染物代码", "Pollutant code", None), ("污染物名称", "Pollutant", None),
         ("排放量(kg)", "Emission kg", MASS_KG), ("排放量(t)", "Emission t", MASS_T),
         ("许可年排放量(t)", "Annual cap t", MASS_KG), ("占许可量", "Share of cap", PCT)],
        [[t.pollutant, t.name, t.emission_kg, t.emission_t, t.annual_cap_t, t.cap_share]
         for t in report.totals],
    )  # fmt: skip
    _table(
        ws,
        row,
        "报警 Alerts by type and state",
        [("类型", "Type", None), ("状态", "State", None), ("数量", "Count", INT)],
        [[c.type, c.state, c.count] for c in report.alert_counts],
    )
    _widths(ws, {1: 30, 2: 34, 3: 16, 4: 16, 5: 16, 6: 14})


def _outlet_sheet(ws: Worksheet, outlet: OutletSection) -> None:
    zh, en = method_text(outlet)
    ws.cell(row=1, column=1, value=f"{outlet.code} {outlet.name} — {zh} / {en}").font = _TITLE_FONT
    _header(ws, 2, [(zh_, en_) for zh_, en_, _, _ in _LINE_COLUMNS])
    ws.freeze_panes = "C4"
    for r, line in enumerate(outlet.lines, start=4):
        for col, (_, _, fmt, get) in enumerate(_LINE_COLUMNS, start=1):
            _put(ws, r, col, get(line), fmt)
    _widths(ws, {1: 12, 2: 14, 3: 8, 6: 18, 7: 10})


def _events_sheet(ws: Worksheet, report: AnnualReport) -> None:
    columns = [
        ("排放口", "Outlet", None), ("污染物", "Pollutant", None),
        ("开始", "Start", WHEN), ("结束", "End", WHEN), ("年内小时", "Hours in year", INT),
        ("峰值", "Peak", CONC), ("限值", "Limit", CONC), ("状态", "State", None),
    ]  # fmt: skip
    rows = [
        [e.point_code, e.pollutant, e.start, e.end, e.hours, e.peak, e.limit_value, e.state]
        for outlet in report.outlets
        for e in outlet.events
    ]
    _header(ws, 1, [(zh, en) for zh, en, _ in columns])
    ws.freeze_panes = "A3"
    for r, values in enumerate(rows, start=3):
        for col, ((_, _, fmt), value) in enumerate(zip(columns, values, strict=True), start=1):
            _put(ws, r, col, value, fmt)
    _widths(ws, {3: 17, 4: 17})


def _declarations_sheet(ws: Worksheet, report: AnnualReport) -> None:
    columns = [
        ("排放口", "Outlet", None), ("污染物", "Pollutant", None), ("类型", "Kind", None),
        ("开始", "Start", WHEN), ("结束", "End", WHEN), ("原因", "Reason", None),
        ("申报人", "Declared by", None), ("申报时间", "Declared at (UTC+8)", WHEN),
        ("事后申报", "Late", None), ("已撤销", "Revoked", None),
    ]  # fmt: skip
    rows = [
        [d.point_code, d.pollutant or "全部 all", d.kind, d.start, d.end, d.reason,
         d.declared_by, cst_naive(d.declared_at),
         "是 yes" if d.late else "否 no", "是 yes" if d.revoked else "否 no"]
        for outlet in report.outlets
        for d in outlet.declarations
    ]  # fmt: skip
    _header(ws, 1, [(zh, en) for zh, en, _ in columns])
    ws.freeze_panes = "A3"
    for r, values in enumerate(rows, start=3):
        for col, ((_, _, fmt), value) in enumerate(zip(columns, values, strict=True), start=1):
            _put(ws, r, col, value, fmt)
    _widths(ws, {4: 17, 5: 17, 6: 30, 8: 17})


def render_xlsx(report: AnnualReport) -> bytes:
    wb = Workbook()
    _summary_sheet(wb.active, report)
    for outlet in report.outlets:
        _outlet_sheet(wb.create_sheet(_sheet_title(wb, f"{outlet.code} {outlet.name}")), outlet)
    _events_sheet(wb.create_sheet(_sheet_title(wb, "超标事件 Exceedances")), report)
    _declarations_sheet(wb.create_sheet(_sheet_title(wb, "数据标记 Declarations")), report)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
