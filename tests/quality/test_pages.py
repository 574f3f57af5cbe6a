"""The noise, approval, dust, inspection and overflow pages and the REST routes: what each
shows, their forms, and who may open them."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ecozone.quality import noise
from ecozone.store.schema import alert, construction_site, dust_inspection, night_approval


def _row(html: str, name: str) -> str:
    return next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if name in r)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_noise_page_shows_day_and_night_against_the_limits(quality, client_as):
    page = client_as("admin").get("/noise", params={"day": "2026-11-05"})
    assert page.status_code == 200
    zone = _row(page.text, "居住区噪声站")
    # Night 46.4 dB (energy mean of 44 and 48) against 45: ΔL 1.4; Lmax 61 over 60.
    assert 'class="over"' in zone and "46.4" in zone and "1.4" in zone
    assert "夜间突发噪声超限" in zone and "1 类功能区" in zone
    assert "工地场界" in _row(page.text, "一号工地场界噪声")
    bad = client_as("admin").get("/noise", params={"day": "2026-13-01"})
    assert bad.status_code == 400 and "日期“2026-13-01”无效" in bad.text


def test_district_supervisor_sees_the_stations_of_their_district(quality, client_as):
    _engine, ids = quality
    page = client_as("supervisor", ids["district_b"]).get("/noise?day=2026-11-05").text
    assert "二号工地场界噪声" in page and "居住区噪声站" not in page


def test_an_approval_form_registers_and_a_bad_one_is_refused_in_chinese(quality, client_as):
    engine, ids = quality
    client = client_as("admin")
    form = {
        "site_id": str(ids["S1"]),
        "permit_no": "YJ-77",
        "first_day": "2026-11-05",
        "last_day": "2026-11-04",
        "start": "22:00",
        "end": "02:00",
    }
    refused = client.post("/noise/approvals", data=form)
    assert refused.status_code == 200 and "截止日期早于起始日期" in refused.text
    assert _count(engine, night_approval) == 1
    made = client.post("/noise/approvals", data={**form, "last_day": "2026-11-06"})
    assert made.status_code == 303
    page = client.get("/noise/approvals?added=1").text
    assert "夜间施工许可已登记" in page and "YJ-77" in page and "22:00 — 02:00" in page


def test_the_check_button_raises_the_alerts(quality, client_as):
    engine, _ids = quality
    from datetime import datetime

    from ecozone.quality import checks
    from ecozone.quality.model import QualitySettings

    checks.run_checks(engine, datetime(2026, 11, 7), QualitySettings())
    with engine.connect() as conn:
        types = sorted(conn.execute(sa.select(alert.c.type).distinct()).scalars())
    assert types == ["dust_exceedance", "night_construction"]
    assert client_as("admin").post("/quality/check", data={"back": "/dust"}).status_code == 303


def test_dust_page_sites_exceedances_and_forms(quality, client_as):
    engine, _ids = quality
    client = client_as("admin")
    page = client.get("/dust", params={"first": "2026-11-05", "last": "2026-11-05"})
    assert page.status_code == 200
    row = _row(page.text, "pm10-background")
    assert "超过允许次数" in row and ">3<" in row and ">2<" in row
    assert "一号地块住宅" in page.text
    bad = client.post("/dust/sites", data={"enterprise_id": "1", "code": "S9", "project": "p",
                                           "builder": "b", "area_m2": "-5",
                                           "phase": "earthwork"})  # fmt: skip
    assert "面积须为正数" in bad.text
    before = _count(engine, construction_site)
    assert client.post("/dust/sites", data={"enterprise_id": "1", "code": "S9", "project": "p",
                                            "builder": "b", "area_m2": "500",
                                            "phase": "earthwork"}).status_code == 303  # fmt: skip
    assert _count(engine, construction_site) == before + 1
    made = client.post("/dust/rules", data={"code": "tsp", "metric": "a34001",
                                            "window_min": "60", "basis": "absolute",
                                            "limit": "800", "allowed_per_day": "0",
                                            "action": "预警", "effective_from": "2026-01-01"})  # fmt: skip
    assert made.status_code == 303
    assert "tsp" in client.get("/dust?rule=1").text


def test_inspection_form_records_the_checklist(quality, client_as):
    engine, ids = quality
    client = client_as("admin")
    page = client.get("/dust/inspections")
    assert page.status_code == 200 and page.text.count('name="met"') == 10
    form = {
        "site_id": str(ids["S1"]),
        "inspected_on": "2026-11-06",
        "inspector": "李四",
        "met": ["hoarding", "wheel_wash"],
    }
    assert client.post("/dust/inspections", data=form).status_code == 303
    listed = client.get("/dust/inspections?added=1").text
    assert "2/10" in _row(listed, "李四") and "裸露土方覆盖或绿化" in _row(listed, "李四")
    assert _count(engine, dust_inspection) == 1


def test_overflows_page_lists_events_and_months(quality, client_as):
    engine, _ids = quality
    from datetime import datetime

    from ecozone.quality import sewer
    from ecozone.quality.model import QualitySettings

    sewer.detect(engine, datetime(2026, 7, 1), datetime(2026, 7, 2), QualitySettings())
    page = client_as("admin").get("/overflows")
    assert page.status_code == 200
    assert "24.0" in _row(page.text, "溢流口一") and "流量累计" in _row(page.text, "溢流口一")
    assert "堰流公式" in _row(page.text, "截流井液位")
    assert "2026-07" in page.text


def test_pages_and_api_are_for_staff(quality, client_as):
    for path in ("/noise", "/noise/approvals", "/dust", "/dust/inspections", "/overflows"):
        assert client_as("public").get(path).status_code == 303
        assert client_as("enterprise").get(path).status_code == 403
    assert client_as("public").get("/api/v1/quality/noise").status_code == 401
    assert client_as("enterprise").get("/api/v1/quality/dust/sites").status_code == 403


def test_api_reads_and_registers(quality, client_as):
    _engine, ids = quality
    client = client_as("admin")
    stations = client.get("/api/v1/quality/noise", params={"first": "2026-11-05"}).json()
    n01 = next(s for s in stations if s["code"] == "N01")
    night = next(p for p in n01["periods"] if p["period"] == "night")
    assert (night["leq"], night["limit"], night["sudden"]) == (46.4, 45.0, True)
    made = client.post(
        "/api/v1/quality/noise/approvals",
        json={
            "site_id": ids["S1"],
            "permit_no": "A-1",
            "first_day": "2026-11-05",
            "last_day": "2026-11-05",
            "start": "22:00",
            "end": "23:00",
        },
    )
    assert made.status_code == 201
    bad = client.post(
        "/api/v1/quality/noise/approvals",
        json={
            "site_id": ids["S1"],
            "permit_no": "A-1",
            "first_day": "2026-11-05",
            "last_day": "2026-11-05",
            "start": "25:00",
            "end": "23:00",
        },
    )
    assert bad.status_code == 400 and "not a time" in bad.text
    found = client.get("/api/v1/quality/dust/exceedances", params={"first": "2026-11-05"}).json()
    assert {(x["rule"], x["exceedances"]) for x in found} == {
        ("pm10-warning", 5),
        ("pm10-background", 3),
    }


def test_every_page_reads_in_english(quality, client_as):
    client = client_as("admin")
    for path, heading in (("/noise", "Noise"), ("/noise/approvals", "Night-construction"),
                          ("/dust", "Construction dust"), ("/dust/inspections", "ten rules"),
                          ("/overflows", "Sewer overflows")):  # fmt: skip
        page = client.get(path, params={"lang": "en"})
        assert page.status_code == 200 and heading in page.text, path


def test_configuration_forms_set_stations_and_monitors(quality, client_as):
    _engine, ids = quality
    client = client_as("admin")
    page = client.post("/noise/stations", data={"point_id": str(ids["N01"]), "zone_class": "2"})
    assert "监测站设置已保存" in page.text
    assert "2 类功能区" in _row(page.text, "居住区噪声站")
    refused = client.post("/noise/stations", data={"point_id": str(ids["DU01"]),
                                                   "zone_class": "2"})  # fmt: skip
    assert "不是noise类监测点" in refused.text
    assert client.post("/dust/monitors", data={"point_id": str(ids["DU01"]),
                                               "site_id": str(ids["S2"])}).status_code == 303  # fmt: skip
    assert "DU01" in _row(client.get("/dust").text, "二号路桥")
    made = client.post("/overflows/monitors", data={"point_id": str(ids["RG01"]),
                                                    "role": "level", "crest_m": ""})  # fmt: skip
    assert made.status_code == 200 and "请填写堰顶高程" in made.text
    made = client.post("/overflows/monitors", data={"point_id": str(ids["RG01"]),
                                                    "role": "level", "crest_m": "2.5",
                                                    "weir_width_m": "1"})  # fmt: skip
    assert made.status_code == 303
    # A district supervisor cannot configure a point outside the district.
    other = client_as("supervisor", ids["district_b"])
    page = other.post("/noise/stations", data={"point_id": str(ids["N01"]), "zone_class": "3"})
    assert "未找到该监测点或工地" in page.text
    assert noise.station(_engine, None, ids["N01"]).zone_class.value == "2"
