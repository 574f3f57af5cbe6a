"""The application around the routers: registry lists, frames, /, /docs, /metrics, /healthz."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.measurements.data import (
    CHEMICAL,
    MN_BOILER_1,
    MN_BOILER_2,
    MN_CHEM_STACK,
    MN_CHEM_WATER,
    PASSWORDS,
    POWER,
    ZONE,
)

from ecozone.api import create_app
from ecozone.config import load
from ecozone.registry.service import escape_bytes


@pytest.fixture
def client(engine: sa.Engine, admin: dict[str, str]) -> Iterator[TestClient]:
    """A client logged in as an admin: these tests are about what the routes return."""
    with TestClient(create_app(engine), headers=admin) as client:
        yield client


def test_districts(client: TestClient):
    assert client.get("/api/v1/districts").json() == {
        "items": [
            {"name": "两江新区", "zone": ZONE, "enterprise_count": 1},
            {"name": "西永综保区", "zone": ZONE, "enterprise_count": 1},
        ]
    }


def test_enterprises(client: TestClient):
    items = client.get("/api/v1/enterprises").json()["items"]
    assert [(e["credit_code"], e["name"], e["district"], e["point_count"]) for e in items] == [
        (POWER, "重庆示例热电有限公司", "两江新区", 2),
        (CHEMICAL, "重庆示例化工有限公司", "西永综保区", 2),
    ]
    only = client.get("/api/v1/enterprises", params={"district": "西永综保区"}).json()["items"]
    assert [e["credit_code"] for e in only] == [CHEMICAL]


def test_enterprise_detail_lists_points_and_device_mns(client: TestClient):
    body = client.get(f"/api/v1/enterprises/{POWER}").json()
    assert (body["credit_code"], body["name"], body["district"]) == (
        POWER,
        "重庆示例热电有限公司",
        "两江新区",
    )
    assert [(p["code"], p["kind"], p["reference_o2"], p["device"]["mn"], p["device"]["st"])
            for p in body["points"]] == [
        ("DA001", "flue_gas", 6.0, MN_BOILER_1, "31"),
        ("DA002", "flue_gas", 6.0, MN_BOILER_2, "31"),
    ]  # fmt: skip
    assert "password" not in body["points"][0]["device"]


def test_unknown_enterprise_is_404(client: TestClient):
    response = client.get("/api/v1/enterprises/91500000000000000X")
    assert response.status_code == 404
    assert response.json() == {"detail": "no enterprise with credit code 91500000000000000X"}


def test_points(client: TestClient):
    items = client.get("/api/v1/points").json()["items"]
    assert [(p["credit_code"], p["code"], p["district"], p["kind"], p["mn"]) for p in items] == [
        (POWER, "DA001", "两江新区", "flue_gas", MN_BOILER_1),
        (POWER, "DA002", "两江新区", "flue_gas", MN_BOILER_2),
        (CHEMICAL, "DA001", "西永综保区", "flue_gas", MN_CHEM_STACK),
        (CHEMICAL, "DW001", "西永综保区", "wastewater", MN_CHEM_WATER),
    ]
    assert (items[0]["lon"], items[0]["lat"], items[0]["reference_o2"]) == (106.55, 29.71, 6.0)
    assert items[0]["enterprise"] == "重庆示例热电有限公司"


def test_frames_newest_first_with_data_as_escaped_text(client: TestClient):
    items = client.get("/api/v1/frames").json()["items"]
    assert [(f["mn"], f["verdict"]) for f in items] == [
        (MN_BOILER_2, "rejected"), (MN_BOILER_1, "accepted"), (MN_BOILER_1, "accepted"),
    ]  # fmt: skip
    rejected = items[0]
    assert rejected["reason"] == "CRC mismatch: frame says 1C81, data gives 1C80"
    # 坏 is UTF-8 e5 9d 8f, 帧 e5 b8 a7; the backslash between them is doubled.
    assert rejected["data"] == "##0042ST=31;CN=2061;MN=\\xe5\\x9d\\x8f\\\\\\xe5\\xb8\\xa7\\r\\n"


def test_frames_filtered_by_verdict_mn_and_limit(client: TestClient):
    rejected = client.get("/api/v1/frames", params={"verdict": "rejected"}).json()["items"]
    assert [f["mn"] for f in rejected] == [MN_BOILER_2]
    mine = client.get("/api/v1/frames", params={"mn": MN_BOILER_1, "limit": 1}).json()["items"]
    assert [(f["mn"], f["cn"]) for f in mine] == [(MN_BOILER_1, "2061")]
    assert client.get("/api/v1/frames", params={"verdict": "maybe"}).status_code == 422


def test_escape_bytes_keeps_printable_ascii_and_escapes_the_rest():
    assert escape_bytes(b"QN=1;\t\x00\xff\\\r\n") == "QN=1;\\t\\x00\\xff\\\\\\r\\n"


def test_status_page_shows_zone_counts_frames_and_latest_times(client: TestClient):
    response = client.get("/status")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'<h1 id="zone">{ZONE}</h1>' in page
    assert '<b id="count-districts">2</b>' in page
    assert '<b id="count-enterprises">2</b>' in page
    assert '<b id="count-points">4</b>' in page
    assert '<b id="count-devices">4</b>' in page
    # Frames 5 and 3 minutes old count; the one 2 hours old does not.
    assert '<b id="frames-accepted">1</b>' in page
    assert '<b id="frames-rejected">1</b>' in page
    # Flue gas: rtd and minute 10:01, hour 12:00, no day data.
    assert ("<th>废气 <span class=\"en\">Flue gas</span></th><td>2024-05-01 10:01:00</td>"
            "<td>2024-05-01 10:01:00</td><td>2024-05-01 12:00:00</td><td>—</td>") in page  # fmt: skip
    assert ("<th>废水 <span class=\"en\">Wastewater</span></th><td>—</td><td>—</td>"
            "<td>2024-05-01 10:00:00</td><td>—</td>") in page  # fmt: skip
    for link in ("/docs", "/openapi.json", "/metrics", "/api/v1/enterprises", "/api/v1/points"):
        assert f'href="{link}"' in page
    assert "http://" not in page and "https://" not in page  # nothing from the internet


def test_stylesheet_is_served_locally(client: TestClient):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_openapi_lists_the_endpoints(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/measurements", "/api/v1/enterprises", "/api/v1/enterprises/{credit_code}",
                 "/api/v1/points", "/api/v1/districts", "/api/v1/frames"):  # fmt: skip
        assert "get" in paths[path]
    kind = next(
        p for p in paths["/api/v1/measurements"]["get"]["parameters"] if p["name"] == "kind"
    )
    assert kind["required"] is True


def test_docs_page_is_local_and_lists_endpoints(client: TestClient):
    response = client.get("/docs")
    assert response.status_code == 200
    assert '<a href="/api/v1/enterprises">/api/v1/enterprises</a>' in response.text
    # kind is required, so the measurements path is listed but not linked
    assert "</span> /api/v1/measurements</h3>" in response.text
    assert "rtd | minute | hour | day" in response.text
    assert "http://" not in response.text and "https://" not in response.text
    assert client.get("/redoc").status_code == 404


def test_metrics_exposes_request_counters(client: TestClient):
    client.get("/api/v1/districts")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert (
        'ecozone_http_requests_total{method="GET",route="/api/v1/districts",status="200"}'
        in response.text
    )


def test_metrics_label_routes_by_template_not_path(client: TestClient):
    client.get(f"/api/v1/enterprises/{POWER}")
    text = client.get("/metrics").text
    assert 'route="/api/v1/enterprises/{credit_code}"' in text
    assert POWER not in text


def test_healthz(client: TestClient):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_healthz_is_503_without_schema(sqlite_url: str):
    engine = sa.create_engine(sqlite_url)
    try:
        with TestClient(create_app(engine)) as client:
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
    finally:
        engine.dispose()


def test_no_response_contains_a_device_password(client: TestClient):
    urls = [
        "/", "/status", "/docs", "/openapi.json", "/api/v1/districts", "/api/v1/enterprises",
        f"/api/v1/enterprises/{POWER}", f"/api/v1/enterprises/{CHEMICAL}", "/api/v1/points",
        "/api/v1/frames", "/api/v1/measurements?kind=hour", "/api/v1/measurements?kind=hour&format=csv",
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for password in PASSWORDS:
            assert password not in response.text, url


def test_create_app_without_engine_uses_settings(seeded_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ECOZONE_DATABASE_URL", seeded_url)
    with TestClient(create_app(settings=load())) as client:
        assert client.get("/api/v1/districts").json()["items"][0]["zone"] == ZONE
