"""The air pages: 环境空气质量 (stations on the map coloured by AQI level, their latest AQI)
and a station's page (hourly AQI with sub-indices, daily AQI, the daily reports as a file).

The station of tests.web.data sent, for the last whole hour, PM2.5 35 µg/m3, PM10 58, O3 102,
NO2 41, SO2 9 µg/m3 and CO 0.8 mg/m3: AQI 54, level II 良 (#FFFF00), primary PM10 (worked in
test_aqi_panel.py); PM10's IAQI (100-50)/(150-50) x (58-50) + 50 = 54, PM2.5's 50.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import web_app
from tests.web.data import seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, _why_not

Client = Callable[[str], TestClient]


def test_the_map_json_colours_each_station_by_its_level(client_as: Client, ids):
    [station] = client_as("public").get("/web/api/airquality/map").json()["stations"]
    assert station["id"] == ids["station"]
    assert (station["aqi"], station["level"], station["colour"]) == (54, 2, "#FFFF00")
    assert (station["category"], station["primary"]) == ("二级 良", "PM10")
    assert station["href"] == f"/airquality/stations/{ids['station']}"


def test_the_air_page_links_each_station_to_its_page(client_as: Client, ids):
    html = client_as("public").get("/airquality").text
    assert "<h1>环境空气质量</h1>" in html
    assert f'href="/airquality/stations/{ids["station"]}"' in html
    assert '<td data-key="aqi">54</td>' in html
    assert "#FFFF00" in html  # the legend's level II swatch


def test_the_station_page_carries_its_hourly_and_daily_series(client_as: Client, ids):
    html = client_as("supervisor").get(f"/airquality/stations/{ids['station']}").text
    assert re.search(r'data-field="latest-aqi" class="aqi-badge aqi-2">54<', html)
    assert '<dd data-field="latest-level">二级 良</dd>' in html
    charts = json.loads(
        re.search(r'<script type="application/json" id="air-charts">(.*?)</script>', html, re.S)
        .group(1)
    )
    hourly = charts["hourly"]
    assert len(hourly["times"]) == 72  # the default window
    assert hourly["aqi"][-1] == 54 and hourly["colours"][-1] == "#FFFF00"
    assert (hourly["iaqi"]["PM10"][-1], hourly["iaqi"]["PM2.5"][-1]) == (54, 50)
    assert len(charts["daily"]["times"]) == 31


def test_the_daily_reports_download_and_bad_windows_are_refused(client_as: Client, ids):
    client = client_as("supervisor")
    body = client.get(f"/airquality/stations/{ids['station']}?days=3&format=csv").content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["日期", "AQI", "级别 类别", "首要污染物"]
    assert len(rows) == 1 + 3
    assert client.get(f"/airquality/stations/{ids['station']}?hours=23").status_code == 422
    assert client.get(f"/airquality/stations/{ids['station']}?days=367").status_code == 422


def test_a_point_that_is_not_a_station_is_not_found(client_as: Client, ids):
    response = client_as("supervisor").get(f"/airquality/stations/{ids['power_da']}")
    assert response.status_code == 404
    assert 'id="air-charts"' not in response.text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    engine, ids = seed(f"sqlite:///{tmp_path_factory.mktemp('air')}/ecozone.db")
    server = LiveServer(web_app(engine)).start()
    try:
        yield {"url": server.url, "ids": ids}
    finally:
        server.stop()
        engine.dispose()


@pytest.mark.browser
def test_the_public_reads_the_map_and_follows_a_station_to_its_charts(site: dict[str, Any]):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_page(base_url=site["url"])
            page.goto("/airquality")
            marker = page.locator("#air-map path.air-marker.aqi-2")
            marker.wait_for()
            assert marker.get_attribute("fill").upper() == "#FFFF00"
            assert page.locator("#air-map").get_attribute("data-stations") == "1"
            page.locator('table[data-table="ambient"] td[data-key="station"] a').click()
            page.wait_for_url(f"**/airquality/stations/{site['ids']['station']}")
            assert page.locator('[data-field="latest-aqi"]').inner_text() == "54"
            hourly = page.locator('[data-air-chart="hourly"]')
            page.wait_for_selector('[data-air-chart="hourly"][data-points]')
            assert int(hourly.get_attribute("data-points")) >= 1
            assert hourly.locator("canvas").count() >= 1
        finally:
            browser.close()
