"""GET /api/v1/airquality/latest and /stations/{point_id}: who reads what, JSON and CSV, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.airquality.data import DAY_1, PM25, hours, setup, store

from ecozone.accounts import deps
from ecozone.accounts.model import PUBLIC, Principal
from ecozone.airquality import service
from ecozone.api.app import create_app

ADMIN = Principal(user_id=1, username="admin", role="admin")


@pytest.fixture
def site(database_url: str):
    engine, ids = setup(database_url)
    # the last whole hour, device time: PM2.5 80 µg/m3 at AQ01 and at the fence-line AQ09
    last = service.now_local().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    store(engine, hours(ids["AQ01"], PM25, last, [80_000.0]))
    store(engine, hours(ids["AQ09"], PM25, last, [80_000.0]))
    store(engine, hours(ids["AQ01"], PM25, DAY_1, [80_000.0] * 20))
    app = create_app(engine)
    yield app, ids
    engine.dispose()


def client_as(app, principal: Principal) -> TestClient:
    app.dependency_overrides[deps.current_principal] = lambda: principal
    return TestClient(app)


def test_the_public_reads_the_stations_of_disclosing_owners_only(site):
    app, ids = site
    public = client_as(app, PUBLIC)
    response = public.get("/api/v1/airquality/latest")
    assert response.status_code == 200
    body = {r["station"]: r for r in response.json()}
    assert sorted(body) == ["AQ01", "AQ02"]  # AQ09's owner does not disclose its data
    # (150-100)/(115-75) x (80-75) + 100 = 106.25 -> 107, 轻度污染, orange
    aq01 = body["AQ01"]
    assert (aq01["aqi"], aq01["level"], aq01["category"], aq01["colour"]) == (
        107, 3, "轻度污染", "#FF7E00",
    )  # fmt: skip
    assert aq01["primary_pollutants"] == ["PM2.5"]
    assert body["AQ02"]["aqi"] is None and body["AQ02"]["data_time"] is None
    assert public.get(f"/api/v1/airquality/stations/{ids['AQ09']}").status_code == 404

    admin = client_as(app, ADMIN)
    assert {r["station"] for r in admin.get("/api/v1/airquality/latest").json()} == {
        "AQ01", "AQ02", "AQ09",
    }  # fmt: skip
    assert admin.get(f"/api/v1/airquality/stations/{ids['AQ09']}").status_code == 200


def test_a_stations_daily_reports_as_json_and_csv(site):
    app, ids = site
    public = client_as(app, PUBLIC)
    url = f"/api/v1/airquality/stations/{ids['AQ01']}"
    params = {"kind": "day", "start": "2026-05-01", "end": "2026-05-03"}
    days = public.get(url, params=params).json()
    assert [(d["data_time"], d["aqi"]) for d in days] == [
        ("2026-05-01T00:00:00+08:00", 107),  # 20 valid hours of 80 µg/m3
        ("2026-05-02T00:00:00+08:00", None),
    ]
    csv = public.get(url, params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.splitlines()) == 3
    assert "PM2.5_24h,PM2.5_24h_iaqi" in csv.text.splitlines()[0]


def test_bad_requests_say_what_is_wrong(site):
    app, ids = site
    client = client_as(app, ADMIN)
    url = f"/api/v1/airquality/stations/{ids['AQ01']}"
    bad = client.get(url, params={"start": "soon"})
    assert (bad.status_code, bad.json()["detail"]) == (
        400, "start 'soon' is not a time; write ISO 8601, e.g. 2026-05-01T10:00:00 "
        "(China Standard Time) or 2026-05-01T02:00:00Z",
    )  # fmt: skip
    assert client.get(url, params={"kind": "week"}).status_code == 422
    stack = client.get(f"/api/v1/airquality/stations/{ids['DA001']}")
    assert stack.status_code == 404
    assert stack.json()["detail"].endswith("is a flue_gas point, not an air station (ambient_air)")
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/airquality/latest", "/api/v1/airquality/stations/{point_id}"} <= set(paths)
