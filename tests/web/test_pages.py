"""Pages and their JSON through the ASGI app: what each role sees, and what it may not.

Every test runs on SQLite and on PostgreSQL; reading tests share one seeded
database per engine, the one test that writes has its own.
The zone (tests.web.data): POWER (two outlets, disclosed) and the air
station in 两江新区, CHEMICAL (not disclosed) in 重庆高新区.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import openpyxl
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.data import CHEMICAL, POWER, STATION

from ecozone.store.schema import alert, alert_action

Client = Callable[[str], TestClient]


def test_supervisor_home_is_the_dashboard_with_live_figures(client_as: Client):
    page = client_as("supervisor").get("/")
    assert page.status_code == 200
    html = page.text
    assert "监管总览" in html and 'id="map"' in html
    # one point in each state: DA001 exceeding, DW001 offline, CHEMICAL fault, station normal
    for state in ("normal", "exceeding", "offline", "fault"):
        assert f'data-kpi="{state}">1<' in html
    assert 'data-kpi="points">4<' in html
    # open alerts: the dispatched exceedance and the open offline alert (the closed one is not)
    assert 'data-kpi="open-alerts">2<' in html
    assert 'data-kpi="today-exceedances">1<' in html
    # capture: 22 valid hours of 1 pollutant × 24 = 91.67 %; other points expect nothing
    assert 'data-kpi="capture">91.67%<' in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_map_json_gives_each_point_its_state_and_position(client_as: Client, ids):
    body = client_as("admin").get("/web/api/map").json()
    states = {p["id"]: p["state"] for p in body["points"]}
    assert states == {
        ids["power_da"]: "exceeding",
        ids["power_dw"]: "offline",
        ids["chem_da"]: "fault",
        ids["station"]: "normal",
    }
    by_id = {p["id"]: p for p in body["points"]}
    # the station has coordinates of its own; DA001 takes its enterprise's
    assert (by_id[ids["station"]]["lon"], by_id[ids["station"]]["lat"]) == (106.53, 29.70)
    assert (by_id[ids["power_da"]]["lon"], by_id[ids["power_da"]]["approximate"]) == (106.55, False)
    # CHEMICAL registered no coordinates: drawn near 重庆高新区's schematic centre
    assert by_id[ids["chem_da"]]["approximate"] is True
    assert body["counts"] == {"normal": 1, "exceeding": 1, "offline": 1, "fault": 1}


def test_live_panels_serve_their_rows_as_json(client_as: Client):
    client = client_as("supervisor")
    alerts = client.get("/web/api/dashboard/open-alerts").json()
    assert alerts["count"] == 2
    assert [row["state"] for row in alerts["rows"]] == ["已派发", "待处理"]
    assert alerts["rows"][0]["_href"]["enterprise"] == f"/enterprises/{POWER}"
    ambient = client.get("/web/api/dashboard/ambient").json()["rows"]
    # sent 35 000 ng/m3 PM2.5 and 0.8 mg/m3 CO: shown 35 µg/m3 and 0.8 mg/m3
    assert (ambient[0]["station"], ambient[0]["a34004"], ambient[0]["a21005"]) == (
        "礼嘉空气站",
        "35",
        "0.8",
    )
    ranking = client.get("/web/api/dashboard/district-ranking").json()["rows"]
    # 两江新区: 2 open alerts (and DA001's exceedance, open since at most 30 min);
    # 重庆高新区: none open, one closed exceedance of 2 h three days ago
    assert [(r["rank"], r["name"], r["open_alerts"]) for r in ranking] == [
        ("1", "两江新区", "2"),
        ("2", "重庆高新区", "0"),
    ]
    assert ranking[1]["exceedance_hours"] == "2"
    assert 0 <= float(ranking[0]["exceedance_hours"]) <= 0.6
    capture = client.get("/web/api/dashboard/capture").json()
    assert capture["summary"] == "91.67"


def test_district_supervisor_sees_their_district_only(client_as: Client, ids):
    client = client_as("district-supervisor")
    html = client.get("/").text
    assert "本辖区：两江新区" in html
    points = {p["id"] for p in client.get("/web/api/map").json()["points"]}
    assert points == {ids["power_da"], ids["power_dw"], ids["station"]}
    # CHEMICAL, in 重庆高新区 and not disclosed, does not exist for them
    assert client.get(f"/enterprises/{CHEMICAL}").status_code == 404
    assert client.get(f"/points/{ids['chem_da']}").status_code == 404


def test_enterprise_user_lands_on_the_portal_with_their_own_data(client_as: Client, ids):
    client = client_as("enterprise")
    home = client.get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/portal")
    html = client.get("/portal").text
    assert "重庆示例热电有限公司" in html and "重庆示例化工有限公司" not in html
    assert "1号锅炉烟囱" in html and "废水总排口" in html
    # the dispatched exceedance awaits their feedback; the open offline alert does not yet
    assert html.count('action="/portal/alerts/') == 1
    assert f"/api/v1/reports/annual/{POWER}/" in html
    assert "91500000MA5U7AH918001P" in html  # their permit
    export = f"/web/api/enterprises/{POWER}/tables/alerts?format=xlsx"
    assert export in html and client.get(export).status_code == 200


def test_the_enterprise_file_links_its_energy_waste_and_ledger_pages(client_as: Client):
    html = client_as("enterprise").get(f"/enterprises/{POWER}").text
    for href in (f"/energy/{POWER}", f"/waste/enterprises/{POWER}", f"/trading/enterprises/{POWER}"):
        assert f'href="{href}"' in html
        assert client_as("enterprise").get(href).status_code == 200


def test_enterprise_user_gets_404_for_another_enterprise(client_as: Client, ids):
    client = client_as("enterprise")
    assert client.get(f"/enterprises/{CHEMICAL}").status_code == 404
    assert client.get(f"/points/{ids['chem_da']}").status_code == 404
    assert client.get(f"/web/api/enterprises/{CHEMICAL}/tables/outlets").status_code == 404
    series = client.get(f"/web/api/points/{ids['chem_da']}/series", params={"pollutant": "a21026"})
    assert series.status_code == 404
    # accounts' Principal decides: enterprise staff see their own enterprises only
    assert client.get(f"/enterprises/{STATION}").status_code == 404


def test_disclosed_data_is_readable_but_alert_handling_is_not(client_as: Client, ids):
    client = client_as("coordinator")  # sees what the public sees
    station = client.get(f"/enterprises/{STATION}")
    assert station.status_code == 200 and "报警及处理" not in station.text
    assert f'href="/energy/{STATION}"' not in station.text  # its own files are not linked
    assert client.get(f"/web/api/enterprises/{POWER}/tables/alerts").status_code == 404
    assert client.get(f"/web/api/enterprises/{POWER}/tables/outlets").status_code == 200
    assert client.get(f"/web/api/points/{ids['power_da']}/tables/alerts").status_code == 404


def test_public_sees_disclosed_enterprises_only(client_as: Client, ids):
    client = client_as("public")
    html = client.get("/").text
    assert "生态环境信息公开" in html
    assert "重庆示例热电有限公司" in html and "重庆示例化工有限公司" not in html
    points = {p["id"] for p in client.get("/web/api/map").json()["points"]}
    assert points == {ids["power_da"], ids["power_dw"], ids["station"]}
    assert client.get(f"/enterprises/{CHEMICAL}").status_code == 404
    listed = client.get("/web/api/public/enterprises", params={"format": "csv"})
    assert [line.split(",")[0] for line in listed.content.decode("utf-8-sig").splitlines()] == [
        "企业",
        "重庆市两江新区生态环境监测站",
        "重庆示例热电有限公司",
    ]
    page = client.get(f"/enterprises/{POWER}")
    assert page.status_code == 200
    # disclosed monitoring data, but not alert handling, data marks or device MNs
    assert "报警及处理" not in page.text and "自动监测数据标记" not in page.text
    point = client.get(f"/points/{ids['power_da']}").text
    assert "010000A8900016F000169DC0" not in point and "本点位报警" not in point


def test_pages_needing_an_account_send_the_public_to_login(client_as: Client):
    client = client_as("public")
    for path in ("/portal", "/plan"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2F{path[1:]}"


def test_json_for_supervisors_answers_401_to_the_public_and_403_to_others(client_as: Client):
    assert client_as("public").get("/web/api/dashboard/open-alerts").status_code == 401
    forbidden = client_as("enterprise").get("/web/api/dashboard/capture")
    assert forbidden.status_code == 403 and "enterprise" in forbidden.json()["detail"]
    # ambient concentrations are public information
    assert client_as("public").get("/web/api/dashboard/ambient").status_code == 200


def test_roles_reach_their_own_pages_only(client_as: Client):
    coordinator = client_as("coordinator")
    assert coordinator.get("/").headers["location"] == "/plan"
    plan = coordinator.get("/plan")
    assert plan.status_code == 200 and 'data-endpoint="/api/v1/plan/matrix"' in plan.text
    assert "/api/v1/plan/export.xlsx" in plan.text and "/api/v1/plan/export.pdf" in plan.text
    assert coordinator.get("/portal").status_code == 403
    assert client_as("enterprise").get("/plan").status_code == 403
    assert client_as("supervisor").get("/portal").status_code == 403


def test_point_page_shows_limits_values_aggregates_and_alerts(client_as: Client, ids):
    html = client_as("admin").get(f"/points/{ids['power_da']}").text
    assert "1号锅炉烟囱" in html and "超标" in html  # live-state badge
    assert "GB 13223-2011" in html and ">35<" in html  # permit limit
    assert "010000A8900016F000169DC0" in html  # device MN, for staff
    # hourly values: 24 computed hours, 2 of them invalid
    assert html.count('<tr class="invalid">') == 2
    assert (
        "本点位报警" in html and "请核查脱硫设施" not in html
    )  # history is on the enterprise file
    assert 'id="chart-rtd"' in html and 'id="chart-minute"' in html
    assert "用电工况关联" not in html  # no power data: the section is hidden


def test_series_of_the_last_two_hours_with_the_permit_limit(client_as: Client, ids):
    body = (
        client_as("admin")
        .get(
            f"/web/api/points/{ids['power_da']}/series",
            params={"pollutant": "a21026", "kind": "minute", "hours": 2},
        )
        .json()
    )
    # minute values at t0, t0-1 min, ... ; the window (t0 + 1 s - 2 h, t0 + 1 s] holds 120
    assert len(body["data"]) == 120
    assert body["converted"] is True
    _time, measured, converted, flag = body["data"][-1]
    assert (measured, converted, flag) == (20.0, 25.0, "N")  # 20 + 0 % 30, × 1.25
    assert [(lim["value"], lim["basis"]) for lim in body["limits"]] == [(35.0, "hour")]
    assert body["unit"] == "mg/m3"


def test_bad_series_request_names_what_is_wrong(client_as: Client, ids):
    client = client_as("admin")
    url = f"/web/api/points/{ids['power_da']}/series"
    wrong = client.get(url, params={"pollutant": "a21026", "kind": "second"})
    assert wrong.status_code == 400 and "kind must be one of rtd, minute, hour" in wrong.text
    too_long = client.get(url, params={"pollutant": "a21026", "hours": 1000})
    assert too_long.status_code == 400 and "hours must be between 1 and 168" in too_long.text
    assert client.get("/web/api/points/99999/series", params={"pollutant": "x"}).status_code == 404


def test_enterprise_file_has_permits_outlets_alert_history_and_late_marks(client_as: Client):
    html = client_as("admin").get(f"/enterprises/{POWER}").text
    assert "一企一档" in html and POWER in html
    assert "91500000MA5U7AH918001P" in html and "重点管理" in html
    assert "1号锅炉烟囱" in html and "state-exceeding" in html
    assert "请核查脱硫设施" in html  # the dispatch comment in the alert's history
    # the calibration mark declared two hours after it began is late; the maintenance one is not
    assert html.count('<tr class="late">') == 1 and "事后标记" in html
    assert "年超标事件" in html


def test_exports_download_xlsx_and_csv(client_as: Client):
    client = client_as("supervisor")
    xlsx = client.get("/web/api/dashboard/open-alerts", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    assert "attachment" in xlsx.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("开始时间", "企业", "点位")
    assert len(rows) == 1 + 2
    exceedances = client.get("/web/api/dashboard/today-exceedances", params={"format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(exceedances.content)).active.values)
    assert rows[0][3:6] == ("峰值", "限值", "超标倍数")
    assert rows[1][3:6] == (52.5, 35.0, 1.5)  # numbers stay numbers: 52.5 / 35 = 1.5
    csv = client.get(f"/web/api/enterprises/{POWER}/tables/data-marks", params={"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("点位,因子,标记类型")
    assert len(text.splitlines()) == 1 + 2
    bad = client.get("/web/api/dashboard/open-alerts", params={"format": "pdf"})
    assert bad.status_code == 422


def _alert_state(engine: sa.Engine, alert_id: int) -> tuple[str, int]:
    with engine.connect() as conn:
        state = conn.execute(sa.select(alert.c.state).where(alert.c.id == alert_id)).scalar_one()
        actions = conn.execute(
            sa.select(sa.func.count()).where(alert_action.c.alert_id == alert_id)
        ).scalar_one()
    return state, actions


def _dispatched(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(alert.c.id).where(alert.c.state == "dispatched")).scalar_one()


def test_enterprise_feedback_answers_a_dispatched_alert(fresh_client_as: Client, fresh_zone):
    engine = fresh_zone[0]
    alert_id = _dispatched(engine)
    response = fresh_client_as("enterprise").post(
        f"/portal/alerts/{alert_id}/feedback",
        data={"cause": "脱硫塔循环泵跳闸", "measures": "已更换备用泵并复测"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/portal?saved={alert_id}#alert-{alert_id}"
    assert _alert_state(engine, alert_id) == ("feedback", 2)  # dispatch + feedback
    with engine.connect() as conn:
        cause, measures, actor = conn.execute(
            sa.select(alert_action.c.cause, alert_action.c.measures, alert_action.c.actor).where(
                alert_action.c.action == "feedback"
            )
        ).one()
    assert (cause, measures, actor) == ("脱硫塔循环泵跳闸", "已更换备用泵并复测", "enterprise")


def test_feedback_without_a_cause_is_refused_and_stores_nothing(client_as: Client, engine):
    # nothing is written, so the shared zone serves
    alert_id = _dispatched(engine)
    response = client_as("enterprise").post(
        f"/portal/alerts/{alert_id}/feedback", data={"cause": "  ", "measures": "已处理"}
    )
    assert response.status_code == 400
    assert "cause is empty" in response.text
    assert _alert_state(engine, alert_id) == ("dispatched", 1)


def test_feedback_on_another_enterprises_alert_is_404(client_as: Client, engine, ids):
    with engine.connect() as conn:
        chem_alert = conn.execute(
            sa.select(alert.c.id).where(alert.c.enterprise_id == ids["chemical"])
        ).scalar_one()
    response = client_as("enterprise").post(
        f"/portal/alerts/{chem_alert}/feedback", data={"cause": "x", "measures": "y"}
    )
    assert response.status_code == 404
    assert _alert_state(engine, chem_alert) == ("closed", 0)


def test_language_switch_is_remembered_in_a_cookie(client_as: Client):
    client = client_as("supervisor")
    english = client.get("/", params={"lang": "en"})
    assert "Supervision dashboard" in english.text and '<html lang="en">' in english.text
    assert "ecozone_lang=en" in english.headers["set-cookie"]
    assert "Supervision dashboard" in client.get("/").text  # the cookie carries it
    assert "监管总览" in client.get("/", params={"lang": "zh"}).text


def test_static_files_are_served_and_paths_cannot_escape(client_as: Client):
    client = client_as("public")
    geojson = client.get("/static/web/districts.geojson")
    assert geojson.status_code == 200
    features = geojson.json()["features"]
    assert len(features) == 9 and all(f["properties"]["schematic"] for f in features)
    assert (
        client.get("/static/web/js/dashboard.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert client.get("/static/web/../pages.py").status_code == 404
    assert client.get("/static/web/%2e%2e/pages.py").status_code == 404
    # the app's own stylesheet is still served by its /static mount
    assert client.get("/static/style.css").status_code == 200
