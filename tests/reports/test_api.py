"""GET /api/v1/reports/annual/{credit_code}/{year}.{fmt} on the router alone, both engines.

Who is asking is set by overriding accounts' `current_principal`; the access
rules themselves are the accounts package's (Scope.can_read).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.reports.data import CHEMICAL, POWER

from ecozone.accounts.deps import current_principal
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.reports.api import router
from ecozone.store.schema import enterprise
from ecozone.times import CHINA_STANDARD_TIME

ADMIN = Principal(user_id=1, username="admin", role="admin")


@pytest.fixture(scope="module")
def app(report_engine: sa.Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = report_engine
    app.include_router(router)
    return app


@pytest.fixture(scope="module")
def enterprise_ids(report_engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """credit code -> (enterprise id, district id)"""
    with report_engine.connect() as conn:
        rows = conn.execute(
            sa.select(enterprise.c.credit_code, enterprise.c.id, enterprise.c.district_id)
        )
        return {code: (id_, district_id) for code, id_, district_id in rows}


def client_as(app: FastAPI, principal: Principal) -> TestClient:
    app.dependency_overrides[current_principal] = lambda: principal
    return TestClient(app)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    yield client_as(app, ADMIN)
    app.dependency_overrides.clear()


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


# The current year is China Standard Time's: on 31 Dec after 16:00 UTC it is already next year.
@pytest.mark.parametrize("year", [1999, datetime.now(CHINA_STANDARD_TIME).year + 1])
def test_year_out_of_range_is_422(client: TestClient, year: int):
    response = client.get(f"/api/v1/reports/annual/{POWER}/{year}.html")
    assert response.status_code == 422
    assert f"year {year} is out of range" in response.json()["detail"]


@pytest.mark.parametrize("path", ["2024.docx", "twenty.html"])
def test_unknown_format_or_a_year_that_is_not_a_number_is_422(client: TestClient, path: str):
    assert client.get(f"/api/v1/reports/annual/{POWER}/{path}").status_code == 422


def test_an_enterprise_user_reads_its_own_report_and_no_other(
    app: FastAPI, enterprise_ids: dict[str, tuple[int, int]]
):
    power_id, _ = enterprise_ids[POWER]
    user = Principal(user_id=7, username="power-user", role="enterprise",
                     enterprise_ids=frozenset({power_id}))  # fmt: skip
    try:
        client = client_as(app, user)
        assert client.get(f"/api/v1/reports/annual/{POWER}/2024.html").status_code == 200
        # Another enterprise's report answers like an unknown credit code.
        response = client.get(f"/api/v1/reports/annual/{CHEMICAL}/2024.html")
        assert response.status_code == 404
        assert response.json() == {"detail": f"no enterprise with credit code {CHEMICAL}"}
    finally:
        app.dependency_overrides.clear()


def test_a_district_supervisor_reads_reports_of_the_district_only(
    app: FastAPI, enterprise_ids: dict[str, tuple[int, int]]
):
    _, liangjiang = enterprise_ids[POWER]
    supervisor = Principal(user_id=8, username="lj-supervisor", role="supervisor",
                           district_id=liangjiang)  # fmt: skip
    try:
        client = client_as(app, supervisor)
        assert client.get(f"/api/v1/reports/annual/{POWER}/2024.html").status_code == 200
        assert client.get(f"/api/v1/reports/annual/{CHEMICAL}/2024.html").status_code == 404
    finally:
        app.dependency_overrides.clear()


def test_the_public_reads_reports_of_disclosed_enterprises_only(app: FastAPI):
    try:
        client = client_as(app, PUBLIC)
        assert client.get(f"/api/v1/reports/annual/{CHEMICAL}/2024.html").status_code == 200
        assert client.get(f"/api/v1/reports/annual/{POWER}/2024.html").status_code == 404
    finally:
        app.dependency_overrides.clear()
