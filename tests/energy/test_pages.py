"""The energy pages and REST routes over the seeded zone, as each role sees them."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from tests.energy.data import FACTORY, OTHER


def test_staff_read_the_zone_dashboard(client_as):
    page = client_as("admin").get("/energy?year=2026")
    assert page.status_code == 200
    assert "示例电子厂" in page.text and "两江新区" in page.text
    assert "100.876" in page.text  # the factory's November in tce
    assert "GB/T 2589-2020" in page.text  # the factor set used is printed


def test_an_enterprise_is_sent_to_its_own_page_and_sees_no_other(client_as):
    client = client_as("enterprise")
    first = client.get("/energy")
    assert first.status_code == 303 and first.headers["location"] == f"/energy/{FACTORY}"
    own = client.get(f"/energy/{FACTORY}?month=2026-11")
    assert own.status_code == 200 and "100.876" in own.text and "90.00" in own.text
    assert client.get(f"/energy/{OTHER}").status_code == 404
    assert client.get("/api/v1/energy/zone").status_code == 403


def test_the_public_is_sent_to_log_in(client_as):
    assert client_as("public").get(f"/energy/{FACTORY}").status_code == 303


def test_an_enterprise_enters_a_month_on_its_page(client_as):
    client = client_as("enterprise")
    sent = client.post(f"/energy/{FACTORY}/months", data={
        "month": "2026-10", "amount_electricity": "50000", "amount_diesel": "2"})
    assert sent.status_code == 200 and "2026-10 月度统计已保存" in sent.text
    # 50 000 × 0.1229 = 6 145 kgce; 2 t × 1 457.1 = 2 914.2 kgce: 9.059 tce
    assert "9.059" in sent.text
    refused = client.post(f"/energy/{FACTORY}/months", data={
        "month": "2026-10", "amount_electricity": "abc"})
    assert "不是数字" in refused.text and 'value="abc"' in refused.text


def test_the_api_month_and_carbon_report(client_as):
    client = client_as("supervisor")
    month = client.get(f"/api/v1/energy/enterprises/{FACTORY}/months/2026-11").json()
    assert round(month["tce"], 3) == 100.876
    xlsx = client.get(f"/api/v1/energy/enterprises/{OTHER}/carbon/2026.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet["A6"].value == "柴油" and round(sheet["E6"].value, 3) == 30.959
    put = client.put(f"/api/v1/energy/enterprises/{OTHER}/months/2026-10",
                     json={"amounts": {"electricity": 1000}})  # fmt: skip
    assert put.json() == {"stored": 1}


def test_a_district_supervisor_reads_only_its_district(client_as):
    client = client_as("district-supervisor")  # 重庆高新区
    assert client.get(f"/api/v1/energy/enterprises/{FACTORY}/months/2026-11").status_code == 404
    assert client.get(f"/api/v1/energy/enterprises/{OTHER}/months/2026-11").status_code == 200
    board = client.get("/api/v1/energy/zone?year=2026").json()
    assert [e["credit_code"] for e in board["enterprises"]] == [OTHER]
