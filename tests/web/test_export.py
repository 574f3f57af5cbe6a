"""Exports: Chinese file names (RFC 6266), values rounded as the standard prints them, old
text with control characters, the BOM Excel needs, formulas kept inert, the row cap stated."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from tests.web.data import local

from ecozone import config
from ecozone.measurements.model import QueryError
from ecozone.measurements.rules import (
    data_type_decimals,
    display_decimals,
    print_value,
    round_as_printed,
)
from ecozone.web import export
from ecozone.web.model import Column, Table

COLUMNS = (Column("when", "时间"), Column("name", "名称"), Column("value", "监测值"))
PRINTED = {"value": None}


def _csv(rows, **kw) -> list[list[str]]:
    body = b"".join(export.csv_chunks(COLUMNS, rows, **kw))
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens Chinese text right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(rows, **kw) -> list[tuple]:
    with export.xlsx_file(COLUMNS, rows, "历史数据", **kw) as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    return list(book.active.iter_rows(values_only=True))


def test_decimals_come_from_the_codes_data_type_in_hj212_appendix_b():
    assert data_type_decimals("N5.2") == 2 and data_type_decimals("N4") == 0
    assert data_type_decimals(None) is None
    assert display_decimals("a21026") == 2  # SO2, N5.2
    assert display_decimals("a21002") == 1  # NOx, N5.1
    assert display_decimals("a34013") == 0  # particulates, N4
    assert display_decimals("w01018") == 1  # COD, N5.1
    assert display_decimals("x99999", default=3) == 3  # no data type: the setting
    assert display_decimals("a21026", overrides={"a21026": 1}) == 1
    # an air station's values in GB 3095-2012 units: µg/m3 whole, CO mg/m3 one decimal
    assert display_decimals("a34004", rescaled_unit="µg/m3") == 0
    assert display_decimals("a21005", rescaled_unit="mg/m3") == 1


def test_rounding_is_half_to_even_on_the_decimal_text():
    # GB/T 8170-2008: a 5 followed by nothing goes to the even neighbour
    assert round_as_printed(0.125, 2) == 0.12
    assert round_as_printed(0.135, 2) == 0.14
    assert round_as_printed(0.1251, 2) == 0.13
    assert round_as_printed(2.675, 2) == 2.68  # the text 2.675, not the binary 2.67499...
    assert round_as_printed(float("nan"), 2) is None and round_as_printed(None, 2) is None
    assert print_value(35.2, 2) == "35.20" and print_value(-0.001, 2) == "0.00"
    assert print_value(1234.5, 0) == "1234"


def test_csv_prints_each_rows_decimals_and_xlsx_keeps_numbers_with_that_format():
    rows = [
        {"when": datetime(2024, 5, 1, 10), "name": "SO2", "value": 35.125, "_decimals": 2},
        {"when": datetime(2024, 5, 1, 10), "name": "烟尘", "value": 12.5, "_decimals": 0},
    ]
    lines = _csv(rows, printed=PRINTED)
    assert lines == [
        ["时间", "名称", "监测值"],
        ["2024-05-01 10:00:00", "SO2", "35.12"],
        ["2024-05-01 10:00:00", "烟尘", "12"],
    ]
    sheet = _xlsx(rows, printed=PRINTED)
    assert sheet[1] == (datetime(2024, 5, 1, 10), "SO2", 35.12)
    assert sheet[2][2] == 12.0
    with export.xlsx_file(COLUMNS, rows, "t", printed=PRINTED) as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert book.active["C2"].number_format == "0.00" and book.active["C3"].number_format == "0"


def test_a_row_with_control_characters_exports_fine():
    rows = [{"when": None, "name": "旧数据\x00含\x1b控制符", "value": 1.0}]
    assert _csv(rows)[1] == ["", "旧数据\ufffd含\ufffd控制符", "1.0"]
    assert _xlsx(rows)[1] == (None, "旧数据\ufffd含\ufffd控制符", 1)


def test_formulas_stay_text():
    rows = [{"name": '=HYPERLINK("http://x")', "value": None}]
    assert _csv(rows)[1][1] == '\'=HYPERLINK("http://x")'
    assert _xlsx(rows)[1][1] == '=HYPERLINK("http://x")'


def test_notes_follow_the_rows():
    rows = [{"name": "a", "value": 1.0}]
    assert _csv(rows, notes=["导出上限 1 条"])[-1] == ["导出上限 1 条"]
    assert _xlsx(rows, notes=["导出上限 1 条"])[-1][0] == "导出上限 1 条"


def test_file_names_are_chinese_with_an_ascii_fallback():
    header = export.content_disposition("历史数据_DA001_分钟数据.csv")
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith("_DA001_____.csv")
    encoded = header.split("filename*=UTF-8''")[1]
    assert encoded.isascii() and unquote(encoded) == "历史数据_DA001_分钟数据.csv"
    table = Table("t", COLUMNS, ({"name": "x"},))
    response = export.download(table, "csv", "开放报警")
    assert (
        "filename*=UTF-8''%E5%BC%80%E6%94%BE%E6%8A%A5%E8%AD%A6.csv"
        in response.headers["content-disposition"]
    )


def test_query_export_is_named_in_chinese_and_states_its_row_cap(client_as, zone, monkeypatch):
    _, ids = zone
    monkeypatch.setenv("ECOZONE_QUERY_EXPORT_ROW_CAP", "100")
    admin = client_as("admin")
    today = local(datetime.now(UTC)).date()
    params = {"point": ids["power_da"], "kind": "minute", "start": str(today - timedelta(days=2)),
              "end": str(today + timedelta(days=1))}  # fmt: skip
    response = admin.get("/web/api/data-query", params={**params, "format": "csv"})
    name = unquote(response.headers["content-disposition"].split("UTF-8''")[1])
    assert name.startswith("历史数据_DA001_分钟数据_") and name.endswith(".csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 100 + 1
    assert lines[-1][0].startswith("导出上限 100 条：本查询共 360 条")
    page = admin.get("/data-query", params=params).text
    assert "导出上限 100 条：本查询共 360 条" in page
    sheet = openpyxl.load_workbook(io.BytesIO(admin.get(
        "/web/api/data-query", params={**params, "format": "xlsx"}).content)).active  # fmt: skip
    assert sheet.max_row == 1 + 100 + 2 and sheet.cell(sheet.max_row, 1).value.startswith(
        "导出上限"
    )


def test_query_settings_refuse_nonsense():
    assert config.query_settings({}).page_size == 200
    settings = config.query_settings({"ECOZONE_QUERY_DECIMALS": "a21026=1, w01018=0"})
    assert settings.decimals == {"a21026": 1, "w01018": 0}
    with pytest.raises(QueryError, match="ECOZONE_QUERY_PAGE_SIZE"):
        config.query_settings({"ECOZONE_QUERY_PAGE_SIZE": "0"})
    with pytest.raises(QueryError, match="CODE=DECIMALS"):
        config.query_settings({"ECOZONE_QUERY_DECIMALS": "a21026=two"})


def test_page_exports_are_named_in_chinese_on_the_chinese_pages(client_as, ids):
    client = client_as("admin")
    answer = client.get(f"/web/api/points/{ids['power_da']}/tables/latest", params={"format": "csv"})
    disposition = answer.headers["content-disposition"]
    assert "filename*=UTF-8''%E6%9C%80%E6%96%B0%E6%95%B0%E6%8D%AE_point-" in disposition  # 最新数据_
    english = client.get(
        f"/web/api/points/{ids['power_da']}/tables/latest", params={"format": "csv", "lang": "en"}
    )
    assert "最新" not in english.headers["content-disposition"]
    assert f'filename="point-{ids["power_da"]}-latest.csv"' in english.headers["content-disposition"]


def test_a_pdf_document_prints_facts_tables_and_notes_as_text():
    from ecozone.web.export import PdfDocument, pdf_html

    narrow = Table("t", (Column("name", "名称"), Column("value", "数值")),
                   ({"name": "站点\x07甲", "value": 1.23456}, {"name": None, "value": True}))  # fmt: skip
    document = PdfDocument(
        title="评价", sections=[("排名", narrow)], footer='报告 "2025"',
        facts=[("综合指数", 3.5)], notes=["注一"],
    )
    html = pdf_html(document)
    assert "<h1>评价</h1>" in html and "<h2>排名</h2>" in html
    assert "站点�甲" in html  # stored control characters made printable
    assert ">1.23<" in html and ">是<" in html and ">—<" in html and ">3.5<" in html
    assert "size: A4 portrait" in html and "<li>注一</li>" in html
    assert '<div class="running-footer">报告 &#34;2025&#34;</div>' in html  # escaped as text
    wide = Table("w", tuple(Column(f"c{i}", f"列{i}") for i in range(16)), ())
    html = pdf_html(PdfDocument(title="宽表", sections=[("", wide)], footer="f", empty="无数据"))
    assert "size: A4 landscape" in html and "font-size: 7.5pt" in html and "无数据" in html
