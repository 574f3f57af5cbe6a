"""The history query in a real browser: pick a point and a week with the date pickers, see
the table beside the chart, walk the pages, and export: the xlsx and the CSV hold exactly
the rows the pages showed, in the same order and printed the same way.

Same live server and Chromium as tests/web/test_browser.py; pages of 100 rows here, so
POWER's 360 minute rows (SO2 and O2 over three hours) take four pages.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from tests.web.data import local
from tests.web.test_browser import browser, login, page, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PAGE_SIZE = 100


def _shown(page: Any) -> list[list[str]]:  # noqa: F811
    return page.eval_on_selector_all(
        "table[data-table=history] tbody tr:not(.empty)",
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))",
    )


def _xlsx_text(cell: Any) -> str:
    """A cell as the page prints it: minutes, the cell format's decimals, "—" when empty."""
    value = cell.value
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float | int) and not isinstance(value, bool):
        decimals = cell.number_format.partition(".")[2].count("0")
        return f"{value:.{decimals}f}"
    return str(value)


def test_a_week_exports_the_same_rows_it_shows(
    page: Any,  # noqa: F811
    site: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("ECOZONE_QUERY_PAGE_SIZE", str(PAGE_SIZE))
    login(page, site, "supervisor")
    page.goto("/")
    page.locator("nav summary", has_text="在线监控").click()
    page.get_by_role("link", name="历史数据查询").click()
    page.wait_for_url("**/data-query")

    today = local(datetime.now(UTC)).date()
    page.select_option("select[name=point]", str(site["ids"]["power_da"]))
    page.select_option("select[name=kind]", "minute")
    page.fill("input[type=date][name=start]", str(today - timedelta(days=6)))
    page.fill("input[type=date][name=end]", str(today))
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("table[data-table=history]")

    # the chart beside the table draws every value of the query
    page.wait_for_selector("#query-chart[data-values]", state="attached")
    assert page.get_attribute("#query-chart", "data-values") == "360"
    table_box = page.locator(".query-table-panel").bounding_box()
    chart_box = page.locator(".query-chart-panel").bounding_box()
    assert chart_box["x"] > table_box["x"] + table_box["width"] - 1  # side by side
    # the table's last column can be scrolled into view
    last = page.locator("table[data-table=history] thead th").last
    last.scroll_into_view_if_needed()
    assert last.is_visible() and last.text_content() == "数据标记"
    assert "共 360 条" in page.locator(".summary").text_content()

    headings = page.eval_on_selector_all(
        "table[data-table=history] thead th", "cells => cells.map(c => c.textContent.trim())"
    )
    shown: list[list[str]] = []
    pages = 0
    while True:
        shown += _shown(page)
        pages += 1
        following = page.locator("nav.pager a[rel=next]")
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state("domcontentloaded")
    assert pages == 4 and len(shown) == 360
    assert len({tuple(row[:5]) for row in shown}) == 360  # no row twice
    assert {row[4] for row in shown} == {"a21026", "a19001"}

    with page.expect_download() as info:
        page.locator(".export a", has_text="Excel").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("历史数据_DA001_分钟数据_") and saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == headings
    assert [[_xlsx_text(c) for c in row] for row in rows[1:]] == shown

    with page.expect_download() as info:
        page.locator(".export a", has_text="CSV").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    lines = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == headings
    assert [[line[0][:16], *(c or "—" for c in line[1:])] for line in lines[1:]] == shown
