"""The zoning pages as staff see them: the map's data, the import form, the check with its
rule text, red-line integrity, the soil list and a site, emergency and incidents; and who
may open them."""

from __future__ import annotations

import pytest
from tests.zoning.data import FORBID_CHEM, PARKS, RED_LINE, UNITS

from ecozone.zoning import emergency, service, soil

PAGES = ("/zoning", "/zoning/check", "/zoning/red-line", "/zoning/soil", "/zoning/emergency",
         "/zoning/incidents")  # fmt: skip


def _layers(engine) -> None:
    for kind, content in (("red_line", RED_LINE), ("control_unit", UNITS), ("park", PARKS)):
        service.import_upload(engine, f"{kind}.geojson", content, kind, "2024-01-01", actor="t")


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_for_staff(engine, client_as, path):
    assert client_as("admin").get(path).status_code == 200
    assert client_as("supervisor").get(path).status_code == 200
    assert client_as("public").get(path).status_code == 303
    assert client_as("enterprise").get(path).status_code == 403
    assert client_as("coordinator").get(path).status_code == 403


def test_the_import_form_stores_a_layer_and_refuses_a_bad_one(engine, client_as):
    client = client_as("admin")
    page = client.post("/zoning/layers", data={"kind": "red_line", "valid_from": "2024-01-01"},
                       files={"file": ("红线.geojson", RED_LINE, "application/geo+json")})
    assert page.status_code == 200 and "图层已导入：1 个要素" in page.text
    assert "红线.geojson" in page.text
    again = client.post("/zoning/layers", data={"kind": "red_line", "valid_from": "2024-01-01"},
                        files={"file": ("红线.geojson", RED_LINE, "application/geo+json")})
    assert "未导入：生态保护红线图层已有 2024-01-01 版本" in again.text
    data = client.get("/web/api/zoning/map", params={"date": "2024-06-01"}).json()
    assert data["layers"]["red_line"]["features"][0]["properties"]["key"] == "RL-1"
    soil.list_site(engine, code="S-M", name="地图地块", owner="某", area_m2=10, pollutants="铅",
                   land_use="工业", listed_on="2024-01-01", lon=106.79, lat=29.66, actor="t")
    points = client.get("/web/api/zoning/map").json()["points"]["features"]
    assert [p["geometry"]["coordinates"] for p in points
            if p["properties"]["layer"] == "soil_site"] == [[106.79, 29.66]]  # fmt: skip
    assert client_as("enterprise").get("/web/api/zoning/map").status_code == 403


def test_the_check_page_shows_the_rule_text(engine, client_as):
    _layers(engine)
    page = client_as("admin").get("/zoning/check", params={
        "lon": "106.75", "lat": "29.65", "industry": "化工", "date": "2025-01-01"}).text
    assert 'data-verdict="forbidden"' in page and FORBID_CHEM in page
    assert 'data-red-line="outside"' in page and "两江新区水土园区" in page
    inside = client_as("admin").get("/zoning/check", params={
        "lon": "106.81", "lat": "29.67", "industry": "电子", "date": "2025-01-01"}).text
    assert 'data-red-line="inside"' in inside and "御临河生态保护红线" in inside
    bad = client_as("admin").get("/zoning/check", params={"lon": "东经", "lat": "1",
                                                          "industry": "x"}).text  # fmt: skip
    assert "经度“东经”不是数字" in bad


def test_the_red_line_page_flags_a_reduction(engine, client_as):
    from tests.zoning.data import box, collection, feature

    service.import_upload(engine, "a.geojson", RED_LINE, "red_line", "2024-01-01", actor="t")
    smaller = collection(feature("RL-1", "御临河生态保护红线", box(106.80, 29.66, 106.81, 29.68)))
    service.import_upload(engine, "b.geojson", smaller, "red_line", "2025-01-01", actor="t")
    page = client_as("admin").get("/zoning/red-line").text
    assert "红线总面积减少" in page and "面积减少" in page


def test_soil_pages_move_a_status_and_flag_a_land_use_change(engine, client_as):
    client = client_as("admin")
    page = client.post("/zoning/soil", data={
        "code": "S-1", "name": "原农药厂地块", "owner": "某公司", "area_m2": "5000",
        "pollutants": "六六六；滴滴涕", "land_use": "工业用地", "listed_on": "2024-01-05",
        "district": "两江新区"}).text  # fmt: skip
    assert "地块已列入名录" in page and "原农药厂地块" in page
    (site,) = soil.sites(engine, None)
    moved = client.post(f"/zoning/soil/{site['id']}/status",
                        data={"status": "under_control", "on_date": "2024-03-01"}).text
    assert 'data-status="under_control"' in moved and "状态已变更" in moved
    refused = client.post(f"/zoning/soil/{site['id']}/status",
                          data={"status": "listed", "on_date": "2024-04-01"}).text
    assert "未保存：地块状态“风险管控”不能变更为“列入名录”" in refused
    flagged = client.post(f"/zoning/soil/{site['id']}/land-use",
                          data={"land_use": "商业用地", "on_date": "2024-05-01"}).text
    assert "已标记" in flagged and "⚠ 标记" in flagged
    assert client.get("/zoning/soil/99999").status_code == 404


def test_emergency_and_incident_pages(engine, client_as):
    client = client_as("supervisor")
    page = client.post("/zoning/risk-sources", data={
        "name": "某化工储罐区", "kind": "storage", "risk_level": "larger",
        "substances": "甲苯 120", "lon": "106.76", "lat": "29.64"}).text  # fmt: skip
    assert "风险源已登记" in page and "甲苯 120 t" in page
    page = client.post("/zoning/plans", data={"title": "储罐区预案", "filing_no": "B-1",
                                              "filed_on": "2020-01-01"}).text  # fmt: skip
    assert "预案已登记" in page and "2023-01-01" in page and "已过期" in page
    page = client.post("/zoning/incidents", data={"started_at": "2025-06-01T08:30",
                                                  "kind": "危化品泄漏", "location": "储罐区"})
    assert "事件已登记" in page.text
    (made,) = emergency.incidents(engine)
    closed = client.post(f"/zoning/incidents/{made['id']}/close",
                         data={"closed_at": "2025-06-01T10:00", "closure": "处置完毕"}).text
    assert 'data-state="closed"' in closed and "处置完毕" in closed


def test_the_soil_list_exports_what_the_filter_shows(engine, client_as):
    for code, status in (("S-A", None), ("S-B", "under_control")):
        made = soil.list_site(engine, code=code, name=f"地块{code}", owner="某", area_m2=10,
                              pollutants="铅", land_use="工业", listed_on="2024-01-01",
                              actor="t")  # fmt: skip
        if status:
            soil.move_status(engine, None, made["id"], status, "2024-02-01", actor="t")
    answer = client_as("admin").get("/zoning/soil", params={"status": "under_control",
                                                            "format": "csv"})  # fmt: skip
    assert answer.status_code == 200
    assert "地块S-B" in answer.text and "地块S-A" not in answer.text


def test_the_api_check_answers_with_the_rule_text(engine, client_as):
    _layers(engine)
    answer = client_as("supervisor").get("/api/v1/zoning/check", params={
        "lon": 106.75, "lat": 29.65, "industry": "化工", "date": "2025-01-01"})  # fmt: skip
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "forbidden" and body["inside_red_line"] is False
    assert body["units"][0]["key"] == "U-IND"
    assert body["units"][0]["entries"][0] == {"industry": "化工", "access": "forbidden",
                                              "rule": FORBID_CHEM, "conditions": ""}
    assert {v["kind"] for v in body["versions"]} == {"red_line", "control_unit", "park"}
    assert client_as("enterprise").get("/api/v1/zoning/check", params={
        "lon": 106.75, "lat": 29.65, "industry": "化工"}).status_code == 403
