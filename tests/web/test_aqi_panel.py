"""The dashboard's "AQI by station" panel: each station's latest real-time AQI (HJ 633-2012),
its level colour, category and primary pollutant next to the hourly concentrations.

The station of tests.web.data sent, for the last whole hour, PM2.5 35 µg/m3, PM10 58, O3 102,
NO2 41, SO2 9 µg/m3 and CO 0.8 mg/m3. IAQIs (1-h columns; PM against the 24-h column):
PM2.5 50; PM10 (100-50)/(150-50) x (58-50) + 50 = 54; O3 50/160 x 102 = 31.9 -> 32;
NO2 50/100 x 41 = 20.5 -> 21; SO2 50/150 x 9 = 3; CO 50/5 x 0.8 = 8. AQI 54: level II 良
(yellow, #FFFF00), primary pollutant PM10.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import web_app
from tests.web.data import seed
from tests.web.server import LiveServer
from tests.web.test_browser import CHROMIUM_ARGS, LIVE_TIMEOUT_MS, REFRESH_S, _why_not

Client = Callable[[str], TestClient]


def test_panel_rows_carry_the_aqi_level_category_and_primary_pollutant(client_as: Client):
    rows = client_as("public").get("/web/api/dashboard/ambient").json()["rows"]
    [station] = rows
    assert (station["aqi"], station["aqi_category"], station["primary_pollutant"]) == (
        "54", "二级 良", "PM10",
    )  # fmt: skip
    assert station["_class"] == "aqi-level-2"
    assert (station["a34004"], station["a34002"]) == ("35", "58")  # concentrations stay


def test_panel_in_english_and_its_headings(client_as: Client):
    body = client_as("supervisor").get("/web/api/dashboard/ambient?lang=en").json()
    headings = [c["heading"] for c in body["columns"]]
    assert headings[:6] == ["Air station", "District", headings[2], "AQI", "Level, category",
                            "Primary pollutant"]  # fmt: skip
    assert body["rows"][0]["aqi_category"] == "II Good"


def test_dashboard_page_renders_the_aqi_cell_with_its_level_class(client_as: Client):
    html = client_as("supervisor").get("/").text
    assert '<tr class="aqi-level-2">' in html
    assert '<td data-key="aqi">54</td>' in html
    assert "各空气站 AQI 及最新小时浓度" in html


def test_panel_export_keeps_the_aqi_columns(client_as: Client):
    text = client_as("public").get("/web/api/dashboard/ambient?format=csv").content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][3:6] == ["AQI", "级别 类别", "首要污染物"]
    assert rows[1][3:6] == ["54", "二级 良", "PM10"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    engine, _ids = seed(f"sqlite:///{tmp_path_factory.mktemp('aqi')}/ecozone.db")
    server = LiveServer(web_app(engine, refresh_s=REFRESH_S)).start()
    try:
        yield server.url
    finally:
        server.stop()
        engine.dispose()


@pytest.mark.browser
def test_aqi_cell_is_yellow_for_level_ii_before_and_after_a_live_refresh(site: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page: Any = browser.new_page(base_url=site)
            page.goto("/")  # the public page: ambient data is public information
            yellow = "rgb(255, 255, 0)"
            assert _aqi_cell(page) == ["54", yellow]
            # mark the server-rendered row; the live refresh replaces it with a drawn one
            page.evaluate(
                "document.querySelector('table[data-table=\"ambient\"] tbody tr')"
                ".dataset.served = '1'"
            )
            # a selector, not wait_for_function: the pages' CSP forbids the eval it uses
            page.wait_for_selector(
                'table[data-table="ambient"] tbody > tr:first-child:not([data-served])',
                timeout=LIVE_TIMEOUT_MS,
            )
            assert _aqi_cell(page) == ["54", yellow]
        finally:
            browser.close()


def _aqi_cell(page: Any) -> list[str]:
    """The AQI cell's text and background read in one step: the refresh replaces the rows
    every second, and a cell found in one call may be detached (no style) by the next."""
    return page.evaluate(
        "() => { const td = document.querySelector("
        '\'table[data-table="ambient"] td[data-key="aqi"]\');'
        " return [td.innerText, getComputedStyle(td).backgroundColor]; }"
    )


def test_station_page_shows_the_units_of_the_dashboard(client_as, ids):
    # The station sends PM2.5 35,000 ng/m3 and O3 0.102 mg/m3 (HJ 212-2017 App. B.2 units);
    # the AQI panel shows 35 µg/m3 and 102 µg/m3, and so must the point page, its chart and
    # its exports: one unit per quantity everywhere.
    client = client_as("supervisor")
    latest = client.get(f"/web/api/points/{ids['station']}/tables/latest?format=csv").text
    rows = {line.split(",")[0]: line.split(",") for line in latest.splitlines()[1:]}
    assert rows["a34004"][2:5] == ["35.0", "", "µg/m3"]
    assert float(rows["a05024"][2]) == pytest.approx(102.0)
    assert rows["a05024"][4] == "µg/m3"
    series = client.get(
        f"/web/api/points/{ids['station']}/series",
        params={"pollutant": "a34004", "kind": "minute"},
    ).json()
    assert series["unit"] == "µg/m3"
    assert {value for _time, value, _zs, _flag in series["data"]} == {35.0}
