"""The waste pages over the seeded ledger: who reads what, the forms and their refusals."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.waste.data import GENERATOR, OTHER
from tests.web.conftest import web_app

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.store.schema import enterprise, waste_entry
from ecozone.web import auth, shell


@pytest.fixture
def client_as(waste) -> Iterator[Callable[..., TestClient]]:
    engine = waste[0]
    made: list[TestClient] = []
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())

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


def _count(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(waste_entry)).scalar_one()


def test_the_overview_shows_generation_generators_and_handlers(client_as):
    page = client_as("supervisor").get("/waste?year=2025")
    assert page.status_code == 200, page.text
    assert "示例电子厂" in page.text and "渝危废经第001号" in page.text
    assert f'href="/waste/enterprises/{GENERATOR}"' in page.text
    assert '"target": "示例危废处置中心", "value": 5.2' in page.text  # the Sankey's link


def test_an_enterprise_is_sent_to_its_own_file_and_cannot_read_anothers(client_as):
    client = client_as("enterprise", GENERATOR)
    assert client.get("/waste").headers["location"] == f"/waste/enterprises/{GENERATOR}"
    assert client.get(f"/waste/enterprises/{GENERATOR}").status_code == 200
    assert client.get(f"/waste/enterprises/{OTHER}").status_code == 404
    assert client_as("public").get("/waste").status_code == 303
    assert client_as("coordinator").get(f"/waste/enterprises/{GENERATOR}").status_code == 403


def test_a_refused_record_comes_back_with_the_reason_and_changes_nothing(client_as, waste):
    engine, ids = waste
    before = _count(engine)
    answer = client_as("enterprise", GENERATOR).post(
        f"/waste/enterprises/{GENERATOR}/entries",
        data={"kind": "transferred", "at": "2025-12-01T09:00", "code": "900-052-31",
              "quantity_t": "0.5", "handler_id": str(ids["LICENSED"])})  # fmt: skip
    assert answer.status_code == 200
    assert "未核准经营 900-052-31（HW31）" in answer.text and 'value="0.5"' in answer.text
    assert _count(engine) == before
    done = client_as("enterprise", GENERATOR).post(
        f"/waste/enterprises/{GENERATOR}/entries",
        data={"kind": "generated", "at": "2025-12-01T09:00", "code": "900-041-49",
              "quantity_t": "0.5"})  # fmt: skip
    assert done.status_code == 303 and _count(engine) == before + 1


def test_the_declaration_downloads_as_xlsx_and_csv(client_as):
    client = client_as("supervisor")
    xlsx = client.get(f"/waste/enterprises/{GENERATOR}/declaration?year=2025")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = client.get(f"/waste/enterprises/{GENERATOR}/declaration?year=2025&format=csv")
    assert "900-041-49" in csv.text and "7.0" in csv.text


def test_the_declaration_prints_as_pdf_with_the_ledgers_figures(client_as, tmp_path):
    answer = client_as("supervisor").get(
        f"/waste/enterprises/{GENERATOR}/declaration?year=2025&format=pdf"
    )
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    (tmp_path / "d.pdf").write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "d.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "2025 年度危险废物申报表" in text and GENERATOR in text
    assert "900-041-49" in text and "7" in text


def test_a_manifest_drafted_and_moved_on_from_the_pages(client_as, waste):
    _engine, ids = waste
    mine = client_as("enterprise", GENERATOR)
    refused = mine.post(f"/waste/enterprises/{GENERATOR}/manifests",
                        data={"handler_id": str(ids["BATTERIES"]), "code": "900-041-49",
                              "quantity_t": "1"})  # fmt: skip
    assert refused.status_code == 200 and "拒绝转移" in refused.text
    made = mine.post(f"/waste/enterprises/{GENERATOR}/manifests",
                     data={"handler_id": str(ids["LICENSED"]), "code": "900-041-49",
                           "quantity_t": "1", "facility": "WF01"})  # fmt: skip
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    page = mine.get(url)
    assert "已填写联单" not in page.text and 'id="dispatch-form"' in page.text
    sent = mine.post(url + "/dispatch", data={"vehicle_plate": "渝A12345", "driver": "张三"})
    assert sent.status_code == 303
    assert mine.post(url + "/transit").status_code == 303
    # the receiver (LICENSED) is no enterprise of the platform: its part is the admin's
    assert mine.post(url + "/receive", data={"received_t": "1"}).status_code == 403
    admin = client_as("admin")
    assert admin.post(url + "/receive", data={"received_t": "1"}).status_code == 303
    assert admin.post(url + "/complete", data={"method": "utilised"}).status_code == 303
    listed = client_as("supervisor").get("/waste/manifests?state=utilised")
    assert "20" in listed.text and "已利用" in listed.text


def test_the_enterprise_files_its_annual_declaration_once(client_as, monkeypatch):
    # 2026-04-02 (CST): the 2025 declaration of the 登记 generator was due by 31 March
    monkeypatch.setattr(shell, "now", lambda: datetime(2026, 4, 2, 2, 0, tzinfo=UTC))
    client = client_as("enterprise", GENERATOR)
    page = client.get(f"/waste/enterprises/{GENERATOR}")
    assert 'data-table="waste-owed"' in page.text and "逾期未报" in page.text
    assert '<option value="annual:2025">' in page.text
    assert client_as("supervisor").post(f"/waste/enterprises/{GENERATOR}/declarations",
                                        data={"declaration": "annual:2025"}).status_code == 403
    assert client_as("enterprise", OTHER).post(f"/waste/enterprises/{GENERATOR}/declarations",
                                               data={"declaration": "annual:2025"}
                                               ).status_code == 404  # fmt: skip
    done = client.post(f"/waste/enterprises/{GENERATOR}/declarations",
                       data={"declaration": "annual:2025"})
    assert done.status_code == 200 and "已提交 2025 的申报（逾期）" in done.text
    assert '<option value="annual:2025">' not in done.text
    again = client.post(f"/waste/enterprises/{GENERATOR}/declarations",
                        data={"declaration": "annual:2025"})
    assert "2025 的申报已经提交，提交后不能更改" in again.text
    assert "尚未提交申报" not in again.text


def test_the_file_shows_general_waste_apart(waste, client_as, monkeypatch):
    from ecozone.waste import service

    service.record(waste[0], GENERATOR, kind="stored_in", at="2025-03-01T10:00", code="SW03",
                   quantity_t=4, facility="WF01", actor="t")  # fmt: skip
    monkeypatch.setattr(shell, "now", lambda: datetime(2026, 1, 5, 2, 0, tzinfo=UTC))
    page = client_as("supervisor").get(f"/waste/enterprises/{GENERATOR}?year=2025").text
    general = page[page.index('id="h-waste-general"'):page.index('id="h-waste-declarations"')]
    assert 'data-table="waste-general-stock"' in general and "炉渣" in general
    stock = page[page.index('data-table="waste-stock"'):page.index('id="h-waste-general"')]
    assert "SW03" not in stock
