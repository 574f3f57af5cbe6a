"""The annual air-quality evaluation page (HJ 663): who may open it, what it shows, its
exports and a bad year named in the page."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

Client = Callable[[str], TestClient]


def test_the_page_lists_the_districts_and_stations(client_as: Client):
    response = client_as("supervisor").get("/airquality/evaluation?year=2025")
    assert response.status_code == 200
    html = response.text
    assert "环境空气质量年度评价" in html
    assert "AQ-LJ01" in html  # the station, with no valid day in 2025: no index
    assert 'value="2025"' in html
    assert "综合指数" in html and "PM2.5 P95 (µg/m3)" in html


def test_the_page_in_english_and_its_xlsx(client_as: Client):
    html = client_as("supervisor").get("/airquality/evaluation?year=2025&lang=en").text
    assert "Annual air quality evaluation" in html
    body = client_as("supervisor").get("/airquality/evaluation?year=2025&format=xlsx").content
    sheet = load_workbook(io.BytesIO(body)).active
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert head[:4] == ["排名", "区域", "空气站", "综合指数"]
    stations = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(s and s.startswith("AQ-LJ01") for s in stations)


def test_a_bad_year_is_named_and_the_public_is_sent_to_log_in(client_as: Client):
    response = client_as("supervisor").get("/airquality/evaluation?year=1900")
    assert response.status_code == 400
    assert "无法评价：year 1900 is out of range 2000..2100" in response.text
    public = client_as("public").get("/airquality/evaluation", follow_redirects=False)
    assert public.status_code in (302, 303)


def test_the_pdf_report_holds_the_ranking_table(client_as: Client, tmp_path: Path):
    response = client_as("supervisor").get("/airquality/evaluation?year=2025&format=pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    (tmp_path / "e.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "e.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "2025 环境空气质量年度评价" in text
    assert "AQ-LJ01" in text and "综合指数" in text
    assert "各项均为 1（HJ 663-2013）" in text  # the weighting used, printed on the report
