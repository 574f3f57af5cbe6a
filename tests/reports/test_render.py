"""The hand-built year's figures as they appear in the HTML page, the xlsx workbook and the PDF.

The figures are those worked out in test_service.py; here they are looked up
where a reader finds them: table cells of the page, numeric cells of the workbook.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from tests.reports.data import COD, NOX, PERMIT_NO, POWER, SO2

from ecozone.reports import service
from ecozone.reports.model import AnnualReport


class _Tables(HTMLParser):
    """Cell texts of every table with an id: {id: [(row attributes, [cell text, ...]), ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[tuple[dict[str, str | None], list[str]]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append((attributes, []))
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[tuple[dict[str, str | None], list[str]]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row(html_tables, table_id: str, pollutant: str) -> list[str]:
    (found,) = [
        cells for attrs, cells in html_tables[table_id] if attrs.get("data-pollutant") == pollutant
    ]
    return found


@pytest.fixture(scope="module")
def html(report: AnnualReport) -> str:
    return service.render_html(report)


def test_html_summary_has_the_enterprise_permit_and_counts(html: str):
    t = tables(html)
    facts = {cells[0]: cells[1] for _, cells in t["facts"]}
    assert facts["单位名称 Enterprise"] == "重庆示例热电有限公司"
    assert facts["统一社会信用代码 Unified social credit code"] == POWER
    assert facts["所属区域 District"] == "两江新区"
    assert facts["应监测小时 Expected hours"] == "8784"
    assert facts["超标事件 Exceedance events"] == "3"
    assert facts["超标小时 Exceedance hours"] == str(2 + 2 + 1000)
    assert facts["报警合计 Alerts in the year"] == "4"
    assert [cells for _, cells in t["permits"][1:]] == [
        [PERMIT_NO, "重点管理 key", "2024-01-01", "2028-12-31"]
    ]
    alerts = {(a["data-type"], a["data-state"]): cells[2] for a, cells in t["alerts"][1:]}
    assert alerts == {
        ("exceedance", "closed"): "1",
        ("exceedance", "dispatched"): "1",
        ("exceedance", "open"): "1",
        ("offline", "open"): "1",
    }


def test_html_totals_compare_emissions_with_caps(html: str):
    t = tables(html)
    # SO2: 7.0 kg = 0.007 t of a 10 t cap = 0.07 %.
    assert row(t, "totals", SO2)[1:] == ["7.000", "0.007000", "10.000", "0.07%"]
    # NOx: 9.0 kg = 0.009 t of 20 t = 0.045 %, shown to two decimals.
    assert row(t, "totals", NOX)[1:] == ["9.000", "0.009000", "20.000", "0.04%"]


def test_html_outlet_overview_has_capture_values_and_exceedances(html: str):
    t = tables(html)
    so2 = row(t, "overview-DA001", SO2)
    # expected 8784, 11 with data = 0.13 %, 5 valid = 0.06 %, mean 151 / 5 = 30.20, max 44.
    assert so2[3:] == ["8784", "11", "0.13%", "5", "0.06%", "30.20", "44.00", "1", "2"]
    assert so2[1].startswith("35.00 mg/m3 hour")
    cod = row(t, "overview-DW001", COD)
    assert cod[3:] == ["8784", "3", "0.03%", "2", "0.02%", "50.00", "60.00", "1", "1000"]
    assert "自动监测（HJ 212 数采仪 MN 010000A8900016F000169DC0）" in html
    assert "manual monitoring" in html  # DA002


def test_html_emissions_gaps_and_declarations_per_outlet(html: str):
    t = tables(html)
    assert row(t, "emissions-DA001", SO2)[1:] == [
        "7.000", "0.007000", "10.000", "0.07%", "0.500", "1",
    ]  # fmt: skip
    # F M C D B T S N other missing total
    assert row(t, "gaps-DA001", SO2)[1:] == [
        "1", "1", "1", "1", "1", "0", "0", "1", "0", "8773", "8779",
    ]  # fmt: skip
    # shutdown maintenance calibration fault, declared gaps, undeclared gaps
    assert row(t, "declared-DA001", SO2)[1:] == ["0", "3", "0", "4", "6", "8773"]
    events = [cells for _, cells in t["events-DA001"][1:]]
    assert events[1] == [SO2, "2024-01-10 09:00", "2024-01-10 11:00", "2", "44.00", "35.00",
                         "已关闭 closed"]  # fmt: skip
    declarations = [cells for _, cells in t["declarations-DA001"][1:]]
    assert declarations[1][-1] == "已撤销 revoked"
    assert declarations[3][-1] == "事后申报 declared late"


def test_html_is_self_contained_with_print_css(html: str):
    assert "@page" in html and "size: A4 landscape" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


def _sheet_rows(ws, header_row: int) -> dict[str, dict[str, object]]:
    """Rows under an English header row, keyed by their first cell."""
    headers = [c.value for c in ws[header_row]]
    out = {}
    for cells in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if cells[0] is not None:
            out[cells[0]] = dict(zip(headers, cells, strict=False))
    return out


@pytest.fixture(scope="module")
def workbook(report: AnnualReport):
    return load_workbook(io.BytesIO(service.render_xlsx(report)))


def test_xlsx_has_a_summary_sheet_and_one_sheet_per_outlet(workbook):
    assert workbook.sheetnames == [
        "概要 Summary", "DA001 1号锅炉烟囱", "DA002 备用锅炉烟囱", "DW001 废水总排口",
        "超标事件 Exceedances", "数据标记 Declarations",
    ]  # fmt: skip
    summary = workbook["概要 Summary"]
    facts = {r[0]: r[1] for r in summary.iter_rows(min_row=4, max_row=16, values_only=True)}
    assert facts["统一社会信用代码 Credit code"] == POWER
    assert facts["应监测小时 Expected hours"] == 8784
    assert facts["超标事件 Exceedance events"] == 3
    assert summary.freeze_panes == "A3"


def test_xlsx_outlet_sheet_keeps_numbers_as_numbers(workbook):
    ws = workbook["DA001 1号锅炉烟囱"]
    assert ws.freeze_panes == "C4"  # title and two header rows, code and name columns
    so2 = _sheet_rows(ws, 3)[SO2]
    assert so2["Expected hours"] == 8784
    assert so2["Hours with data"] == 11
    assert so2["Capture rate"] == pytest.approx(11 / 8784)
    assert so2["Valid hours"] == 5
    assert so2["Annual mean"] == pytest.approx(151 / 5)
    assert so2["Hourly maximum"] == 44
    assert so2["Exceedance events"] == 1 and so2["Exceedance hours"] == 2
    assert so2["Emission kg"] == pytest.approx(7.0)
    assert so2["Emission t"] == pytest.approx(0.007)
    assert so2["Annual cap t"] == 10
    assert so2["Share of cap"] == pytest.approx(0.0007)
    assert so2["Gap: maintenance (M)"] == 1
    assert so2["Gap: no data"] == 8773
    assert so2["Gap hours"] == 8779
    assert so2["Declared fault hours"] == 4
    assert so2["Gap hours declared"] == 6
    # Number formats travel with the numbers.
    headers = [c.value for c in ws[3]]
    so2_row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == SO2)
    assert so2_row[headers.index("Capture rate")].number_format == "0.00%"
    assert so2_row[headers.index("Annual mean")].number_format == "0.00"


def test_xlsx_lists_exceedance_events_with_times(workbook):
    ws = workbook["超标事件 Exceedances"]
    assert ws.freeze_panes == "A3"
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        ("DA001", NOX, 2, 110), ("DA001", SO2, 2, 44), ("DW001", COD, 1000, 65),
    ]  # fmt: skip
    assert rows[2][3] is None  # still going on


def test_pdf_is_a_pdf_and_has_the_text_where_pdftotext_exists(report: AnnualReport, tmp_path):
    import shutil
    import subprocess

    pdf = service.render_pdf(report)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    assert POWER in text and "8784" in text and "30.20" in text


def test_every_alert_type_and_state_has_its_printed_name():
    from ecozone.compliance.model import AlertState, AlertType
    from ecozone.reports.render import ALERT_STATE_NAMES, ALERT_TYPE_NAMES

    assert set(ALERT_TYPE_NAMES) == {t.value for t in AlertType}
    assert set(ALERT_STATE_NAMES) == {s.value for s in AlertState}
