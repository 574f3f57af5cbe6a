"""The power pages as each role meets them, on a stored day with hourly values computed.

Electricity figures are worked by hand from the day's series (tests.power.test_evaluation):
the line draws 100 kW for 720 minutes plus 0.2 kW on its 360 odd minutes, 72 072 kW·min,
1 201.2 kWh; the dust collector 40 kW for 647 minutes, 10 kW for 20, plus 0.2 kW on 334 odd
minutes, 26 146.8 kW·min, 435.78 kWh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.power.conftest import CREDIT_CODE, DAY
from tests.power.test_evaluation import SETTINGS, stored_day  # noqa: F401 - the fixture

from ecozone.accounts.model import PUBLIC, Principal
from ecozone.api.app import create_app
from ecozone.monitoring.service import recompute
from ecozone.power import evaluation
from ecozone.store.schema import enterprise, measurement, point
from ecozone.times import CHINA_STANDARD_TIME
from ecozone.web import auth

URL = f"/power/{CREDIT_CODE}"


@pytest.fixture
def client_as(stored_day: sa.Engine) -> Iterator[Callable[[str], TestClient]]:  # noqa: F811
    with stored_day.begin() as conn:
        own = conn.execute(
            sa.select(enterprise.c.id).where(enterprise.c.credit_code == CREDIT_CODE)
        ).scalar_one()
        power_point = conn.execute(
            sa.select(point.c.id).where(point.c.code == "PE001")
        ).scalar_one()
        # The logger's minute means beside its real-time values, as HJ 212 loggers send both.
        rows = (
            conn.execute(sa.select(measurement).where(measurement.c.point_id == power_point))
            .mappings()
            .all()
        )
        conn.execute(
            measurement.insert(),
            [{**r, "kind": "minute", "avg": r["rtd"], "rtd": None} for r in rows],
        )
    recompute(stored_day, start=DAY, end=DAY.replace(day=3), point_ids=[power_point])
    result = evaluation.evaluate(
        stored_day, CREDIT_CODE, DAY, DAY.replace(day=3), settings=SETTINGS
    )
    evaluation.raise_alerts(stored_day, result)
    everyone = {
        "admin": Principal(user_id=1, username="admin", role="admin"),
        "enterprise": Principal(
            user_id=4, username="owner", role="enterprise", enterprise_ids=frozenset({own})
        ),
        "other": Principal(
            user_id=6, username="other", role="enterprise", enterprise_ids=frozenset({own + 1000})
        ),
        "coordinator": Principal(user_id=5, username="coordinator", role="coordinator"),
        "public": PUBLIC,
    }
    made = []

    def make(role: str) -> TestClient:
        app = create_app(stored_day)
        app.dependency_overrides[auth.current_principal] = lambda: everyone[role]
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


def test_who_reaches_the_power_pages(client_as):
    assert client_as("public").get("/power").status_code == 303
    assert client_as("coordinator").get("/power").status_code == 403
    owner = client_as("enterprise").get("/power")
    assert owner.status_code == 303 and owner.headers["location"] == URL
    assert client_as("other").get(URL).status_code == 404
    page = client_as("admin").get("/power")
    assert page.status_code == 200 and f'href="{URL}"' in page.text


def test_overview_shows_facilities_electricity_and_alerts(client_as):
    page = client_as("enterprise").get(URL)
    assert page.status_code == 200, page.text
    text = page.text
    assert (
        'data-kpi="production-year">1,201.2<' in text
        or 'data-kpi="production-year">1201.2<' in text
    )
    assert 'data-kpi="control-year">435.8<' in text
    # activity estimate: 1 201.2 kWh × 0.015 kg/kWh = 18.018 kg of particulates this year
    estimates = text[text.index('data-table="power-estimates"') :]
    assert '<td data-key="year_kg">18.02</td>' in estimates  # shown to two decimals
    assert "测试用系数" in estimates
    assert f'href="{URL}/facilities/TA001"' in text
    for alert_name in ("治污设施停运", "治污设施空转", "启停不同步", "在线监测异常而生产运行"):
        assert alert_name in text
    assert 'action="/power/' not in text  # an enterprise does not configure its own thresholds


def test_facility_day_page_and_its_chart_data(client_as):
    page = client_as("admin").get(f"{URL}/facilities/TA001", params={"day": "2026-11-02"})
    assert page.status_code == 200, page.text
    assert "布袋除尘器" in page.text and "停运" in page.text
    data = (
        client_as("enterprise")
        .get(f"/web/api/power/{CREDIT_CODE}/facilities/TA001", params={"day": "2026-11-02"})
        .json()
    )
    assert len(data["series"]) == 1440
    assert (data["thresholds"]["off_kw"], data["thresholds"]["low_kw"]) == (4.0, 15.0)
    assert [f["type"] for f in data["findings"]] == [
        "control_off",
        "analyser_silent",
        "control_idle",
        "unsynchronised",
    ]
    bad = client_as("admin").get(f"{URL}/facilities/TA001", params={"day": "2026-13-40"})
    assert bad.status_code == 400 and "2026-13-40" in bad.text


def test_thresholds_form_saves_refuses_and_keeps_what_was_typed(client_as):
    admin = client_as("admin")
    url = f"{URL}/facilities/TA001/meters/M2"
    saved = admin.post(
        url,
        data={"action": "save", "off_fraction": "0.1", "low_fraction": "0.4", "day": "2026-11-02"},
    )
    assert saved.status_code == 200 and "阈值已保存" in saved.text
    assert 'data-threshold="off">5' in saved.text and 'data-threshold="low">20' in saved.text
    refused = admin.post(url, data={"action": "save", "off_fraction": "0.5", "low_fraction": "0.4"})
    assert refused.status_code == 200
    assert "off_fraction (0.5) must be below low_fraction (0.4)" in refused.text
    assert 'value="0.5"' in refused.text
    nothing = admin.post(url, data={"action": "learn"})
    assert "too few to learn thresholds" in nothing.text
    assert client_as("enterprise").post(url, data={"action": "save"}).status_code == 403


def test_configuration_upload_replaces_or_names_the_problem(client_as):
    admin = client_as("admin")
    current = admin.get(f"{URL}/configuration.yaml")
    assert current.status_code == 200 and "TA001" in current.text
    ok = admin.post(f"{URL}/configuration", files={"file": ("p.yaml", current.content)})
    assert ok.status_code == 200 and "配置已更新" in ok.text and "2 facilities" in ok.text
    bad = admin.post(f"{URL}/configuration", files={"file": ("p.yaml", b"facilities: [1]\n")})
    assert bad.status_code == 200 and "facilities[0]: expected a mapping" in bad.text
    refused = client_as("enterprise").post(
        f"{URL}/configuration", files={"file": ("p.yaml", current.content)}
    )
    assert refused.status_code == 403


def test_staff_declare_a_weather_warning_and_enterprises_see_their_list(client_as):
    admin = client_as("admin")
    day = (datetime.now(CHINA_STANDARD_TIME) - timedelta(days=1)).date().isoformat()
    form = {  # yesterday: the page lists the last 30 days' warnings
        "level": "orange",
        "start": f"{day}T14:00",
        "end": f"{day}T15:00",
        "district": "两江新区",
        "note": "应急指挥部发布",
    }
    declared = admin.post("/power/warnings", data=form)
    assert declared.status_code == 200 and "已发布橙色预警。" in declared.text
    assert declared.text.index('data-table="weather-warnings"') > declared.text.index("<main")
    table = declared.text[declared.text.index('data-table="weather-warnings"') :]
    assert "橙色预警" in table and "应急指挥部发布" in table
    refused = admin.post("/power/warnings", data={**form, "end": f"{day}T13:00"})
    assert "start must be before end" in refused.text
    assert f'value="{day}T13:00"' in refused.text  # what was typed stays
    assert client_as("enterprise").post("/power/warnings", data=form).status_code == 403
    overview = client_as("enterprise").get(URL).text
    responses = overview[overview.index('data-table="power-responses"') :]
    assert "黄色预警" in responses and "限产" in responses and "红色预警" in responses


def test_commissioning_evidence_is_uploaded_by_staff_and_kept_through_a_new_configuration(
    client_as,
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    admin = client_as("admin")
    url = f"{URL}/facilities/TA001/evidence"
    refused = admin.post(url, files={"file": ("wiring.txt", b"not a photo")})
    assert "only JPEG or PNG photos and PDF files are accepted" in refused.text
    saved = admin.post(url, files={"file": ("验收记录.png", png)})
    assert "调试验收证明已保存。" in saved.text and "data-evidence" in saved.text
    download = client_as("enterprise").get(url)
    assert download.status_code == 200 and download.content == png
    assert download.headers["content-type"] == "image/png"
    assert client_as("other").get(url).status_code == 404
    assert client_as("enterprise").post(url, files={"file": ("a.png", png)}).status_code == 403
    current = admin.get(f"{URL}/configuration.yaml").content  # holds the digest
    admin.post(f"{URL}/configuration", files={"file": ("p.yaml", current)})
    assert client_as("enterprise").get(url).content == png
