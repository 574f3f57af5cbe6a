"""GET /api/v1/reports/annual/{credit_code}/{year}.{fmt} on the router alone, both engines."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.reports.data import POWER

from ecozone.reports.api import router


@pytest.fixture(scope="module")
def client(report_engine: sa.Engine) -> TestClient:
    app = FastAPI()
    app.state.engine = report_engine
    app.include_router(router)
    return TestClient(app)


def test_html_report_is_served_inline_with_its_file_name(client: TestClient):
    response = client.get(f"/api/v1/reports/annual/{POWER}/2024.html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"] == f'inline; filename="{POWER}-2024.html"'
    assert "重庆示例热电有限公司" in response.text
    assert 'id="overview-DA001"' in response.text


def test_xlsx_report_is_an_attachment_of_numbers(client: TestClient):
    response = client.get(f"/api/v1/reports/annual/{POWER}/2024.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == f'attachment; filename="{POWER}-2024.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["概要 Summary"]["B11"].value == 8784  # expected hours, a number


def test_pdf_report_has_the_pdf_media_type(client: TestClient):
    response = client.get(f"/api/v1/reports/annual/{POWER}/2024.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_unknown_enterprise_is_404_naming_it(client: TestClient):
    response = client.get("/api/v1/reports/annual/91500000XXXXXXXXXX/2024.html")
    assert response.status_code == 404
    assert response.json() == {"detail": "no enterprise with credit code 91500000XXXXXXXXXX"}


@pytest.mark.parametrize("year", [1999, date.today().year + 1])
def test_year_out_of_range_is_422(client: TestClient, year: int):
    response = client.get(f"/api/v1/reports/annual/{POWER}/{year}.html")
    assert response.status_code == 422
    assert f"year {year} is out of range" in response.json()["detail"]


@pytest.mark.parametrize("path", ["2024.docx", "twenty.html"])
def test_unknown_format_or_a_year_that_is_not_a_number_is_422(client: TestClient, path: str):
    assert client.get(f"/api/v1/reports/annual/{POWER}/{path}").status_code == 422
