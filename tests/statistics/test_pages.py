"""The statistics pages and API over the June 2024 zone: figures, scope, xlsx and PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient
from tests.statistics.data import ALPHA, BETA, add_emissions_and_exceedances, seed
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.web import auth


@pytest.fixture(scope="module")
def zone(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('stat')}/ecozone.db"
    engine, ids = seed(url)
    add_emissions_and_exceedances(engine, ids)
    yield engine, ids
    engine.dispose()


@pytest.fixture
def client_as(zone) -> Iterator[Callable[..., TestClient]]:
    engine, ids = zone
    made: list[TestClient] = []

    def make(role: str, own: str | None = None) -> TestClient:
        app = web_app(engine)
        who = PUBLIC if role == "public" else Principal(
            user_id=1, username=role, role=role,
            enterprise_ids=frozenset({ids[own]}) if own else frozenset())  # fmt: skip
        app.dependency_overrides[auth.current_principal] = lambda: who
        app.dependency_overrides[deps.current_principal] = lambda: who
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


def test_the_transmission_page_lists_the_point_below_90_percent(client_as, zone):
    _, ids = zone
    page = client_as("supervisor").get("/statistics/transmission?period=2024-06")
    assert page.status_code == 200
    html = page.text
    assert "数据传输有效率统计" in html
    below = html.split('data-section="below"')[1].split("</section>")[0]
    assert f'href="/points/{ids["alpha_dw"]}"' in below
    assert f'href="/points/{ids["alpha_da"]}"' not in below
    assert "80.36" in below and "89.29" in below


def test_the_xlsx_export_reads_back_with_the_rates(client_as):
    answer = client_as("admin").get(
        "/statistics/transmission?period=2024-06&table=point&format=xlsx"
    )
    assert answer.status_code == 200 and answer.content[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    heading = rows[0]
    assert "传输有效率 %" in heading
    by_mn = {r[heading.index("数采仪 MN")]: r for r in rows[1:]}
    da = by_mn["010000A8900016F000170001"]
    assert da[heading.index("应传输数")] == 720 and da[heading.index("实际传输数")] == 684
    assert da[heading.index("传输有效率 %")] == 90.28
    emissions = client_as("admin").get("/statistics/emissions?period=2024-06&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(emissions.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    share = rows[0].index("占许可量 %")
    assert 9.0 in [r[share] for r in rows[1:]]


def test_the_pdf_prints_every_table(client_as, tmp_path):
    answer = client_as("admin").get("/statistics/exceedances?period=2024-06&format=pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    (tmp_path / "s.pdf").write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "2024-06 超标统计" in text and "超标小时数" in text
    assert "273" in text and "271" in text  # the zone's and ALPHA's SO2 hours


def test_an_enterprise_sees_only_its_own_figures_and_the_public_none(client_as):
    mine = client_as("enterprise", "beta")
    page = mine.get("/statistics/transmission?period=2024-06")
    assert BETA in page.text and ALPHA not in page.text
    api = mine.get("/api/v1/statistics/emissions", params={"period": "2024-06"}).json()
    assert {r["credit_code"] for r in api["enterprises"]} == {BETA}
    # Another enterprise as a filter answers like a missing one.
    other = mine.get("/api/v1/statistics/transmission",
                     params={"period": "2024-06", "enterprise": ALPHA})  # fmt: skip
    assert other.status_code == 404
    assert client_as("public").get("/api/v1/statistics/transmission",
                                   params={"period": "2024-06"}).status_code == 401  # fmt: skip
    assert client_as("public").get("/statistics/transmission").status_code == 303
    assert client_as("coordinator").get("/statistics/emissions").status_code == 403


def test_a_bad_period_is_named(client_as):
    client = client_as("admin")
    answer = client.get("/api/v1/statistics/exceedances", params={"period": "2024-6"})
    assert answer.status_code == 400 and "2024-6" in answer.json()["detail"]
    page = client.get("/statistics/transmission?period=June")
    assert page.status_code == 400 and "June" in page.text


def test_the_api_gives_the_hand_computed_figures(client_as):
    client = client_as("admin")
    tx = client.get("/api/v1/statistics/transmission", params={"period": "2024-06"}).json()
    assert tx["total"]["expected"] == 1632 and len(tx["below_threshold"]) == 1
    ex = client.get("/api/v1/statistics/exceedances", params={"period": "2024-06"}).json()
    assert ex["total"] == {"events": 4, "hours": 273.0, "days": 2.0}
