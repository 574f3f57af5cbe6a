"""The exports open and read in Chinese: the workbook through openpyxl, the PDF through its
pages. Built from reports held in memory (no database; the REST and CLI tests export
from both engines)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from ecozone.plan import export, service
from ecozone.plan.model import ProgressReport, Status

TODAY = date(2026, 10, 5)


def report(id: int, measure: int, unit: str, period: str, status: str, **extra) -> ProgressReport:
    fields = {
        "district": None, "narrative": None, "evidence": None, "indicators": {},
        "due_date": None, "reported_by": "coordinator-a",
        "reported_at": datetime(2026, 10, 2, 8, 0, tzinfo=UTC),
    }  # fmt: skip
    fields.update(extra)
    return ProgressReport(id=id, measure=measure, unit=unit, period=period,
                          status=Status(status), **fields)  # fmt: skip


@pytest.fixture(scope="module")
def snap():
    reports = [
        report(1, 10, "市住房城乡建委", "2026-Q3", "on_track", narrative="绿色建材应用核算制度已执行",
               indicators={"green_building_material_share": 72.5}),
        report(2, 20, "重庆证监局", "2026-Q3", "off_track", due_date=date(2026, 9, 30),
               district="两江新区"),
    ]  # fmt: skip
    return service.snapshot(None, today=TODAY, cadence="quarterly", reports=reports)


def test_the_workbook_has_a_sheet_per_view_in_chinese(snap):
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(snap)))
    assert book.sheetnames == ["措施", "按责任单位", "按区域", "进展报告", "指标", "目标与说明"]

    measures = book["措施"]
    assert [c.value for c in measures[1]][:6] == [
        "编号",
        "篇章",
        "措施",
        "摘要",
        "牵头单位",
        "配合单位",
    ]
    assert measures.max_row == 1 + 23
    assert measures["C11"].value == "绿色建筑与绿色建材"  # measure 10 on row 11
    assert measures["E11"].value == "市住房城乡建委"

    by_unit = book["按责任单位"]
    header = [c.value for c in by_unit[1]]
    column = header.index("市住房城乡建委") + 1
    assert by_unit.cell(row=11, column=column).value == "按计划推进\n2026-Q3"
    securities = header.index("重庆证监局") + 1
    assert by_unit.cell(row=21, column=securities).value == "滞后\n2026-Q3\n逾期"

    by_district = book["按区域"]
    header = [c.value for c in by_district[1]]
    assert header[2:] == ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
                          "两江新区", "重庆高新区"]  # fmt: skip
    assert (
        by_district.cell(row=21, column=header.index("两江新区") + 1).value == "滞后\n2026-Q3\n逾期"
    )

    reports = book["进展报告"]
    rows = [[c.value for c in row] for row in reports.iter_rows(min_row=2)]
    assert [row[:6] for row in rows] == [  # latest first; an empty cell reads None
        [2, 20, "重庆证监局", "两江新区", "2026-Q3", "滞后"],
        [1, 10, "市住房城乡建委", None, "2026-Q3", "按计划推进"],
    ]
    assert rows[1][6] == "绿色建材应用核算制度已执行"
    assert rows[1][8] == "green_building_material_share=72.5"

    indicators = book["指标"]
    codes = [row[0].value for row in indicators.iter_rows(min_row=2)]
    assert "green_building_material_share" in codes

    goals = [row[1].value for row in book["目标与说明"].iter_rows()]
    assert "重庆市加强自由贸易试验区生态环境保护推动高质量发展实施方案" in goals
    assert "营商环境更加优化" in goals


def test_the_pdf_has_pages_and_the_html_the_chinese_titles(snap):
    html = export.to_html(snap)
    for measure in service.load_plan().measures:
        assert measure.title in html
    assert "2025年工作目标" in html
    document = export.pdf_document(snap)
    assert len(document.pages) >= 5  # goals, indicators, measures, two matrices, reports
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_the_cjk_font_check_returns_font_families():
    fonts = export.cjk_fonts()
    assert isinstance(fonts, list)
    assert all(isinstance(name, str) and name for name in fonts)
