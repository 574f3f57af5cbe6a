"""GET /api/v1/measurements through FastAPI's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.measurements.data import CHEMICAL, EXPECTED_CSV, MN_BOILER_1, MN_BOILER_2, POWER

from ecozone.api import create_app

URL = "/api/v1/measurements"


@pytest.fixture
def client(engine: sa.Engine, admin: dict[str, str]) -> Iterator[TestClient]:
    """A client logged in as an admin: these tests are about what the routes return."""
    with TestClient(create_app(engine), headers=admin) as client:
        yield client


def test_pages_follow_next_offset_until_null(client: TestClient):
    seen = []
    offset: int | None = 0
    pages = []
    while offset is not None:
        body = client.get(
            URL, params={"mn": MN_BOILER_1, "kind": "hour", "limit": 2, "offset": offset}
        ).json()
        pages.append((body["offset"], body["limit"], len(body["items"]), body["next_offset"]))
        seen += [(row["data_time"][11:16], row["pollutant"]) for row in body["items"]]
        offset = body["next_offset"]
    # 5 rows in pages of 2: offsets 0, 2, 4; the last page says there is none after it.
    assert pages == [(0, 2, 2, 2), (2, 2, 2, 4), (4, 2, 1, None)]
    assert seen == [
        ("10:00", "a21002"), ("10:00", "a21026"), ("11:00", "a21002"), ("11:00", "a21026"),
        ("12:00", "a21026"),
    ]  # fmt: skip


def test_a_full_last_page_has_no_next_offset(client: TestClient):
    body = client.get(URL, params={"mn": MN_BOILER_1, "kind": "hour", "limit": 5}).json()
    assert (len(body["items"]), body["next_offset"]) == (5, None)


def test_item_shape(client: TestClient):
    body = client.get(URL, params={"mn": MN_BOILER_1, "kind": "hour", "pollutant": "a21002",
                                   "end": "2024-05-01T11:00:00"}).json()  # fmt: skip
    assert body == {
        "items": [{
            "mn": MN_BOILER_1, "point": "DA001", "pollutant": "a21002", "kind": "hour",
            "data_time": "2024-05-01T10:00:00+08:00",
            "rtd": None, "avg": 48.0, "min": 40.0, "max": 55.0, "cou": 0.96,
            "zs_rtd": None, "zs_avg": 54.5, "zs_min": None, "zs_max": None,
            "flag": "N", "eflag": None, "resent": False,
        }],
        "limit": 1000, "offset": 0, "next_offset": None,
    }  # fmt: skip


def test_filters_enterprise_point_pollutant_and_time(client: TestClient):
    body = client.get(URL, params={"enterprise": POWER, "point": "DA002", "kind": "hour"}).json()
    assert [(r["mn"], r["avg"]) for r in body["items"]] == [(MN_BOILER_2, 20.0)]
    body = client.get(
        URL, params={"enterprise": CHEMICAL, "pollutant": "w01018", "kind": "hour"}
    ).json()
    assert [(r["point"], r["avg"], r["cou"]) for r in body["items"]] == [("DW001", 31.0, 4.2)]
    body = client.get(
        URL, params={"mn": MN_BOILER_1, "kind": "hour", "start": "2024-05-01T12:00"}
    ).json()
    assert [(r["data_time"], r["avg"]) for r in body["items"]] == [
        ("2024-05-01T12:00:00+08:00", 9.5)
    ]


def test_csv_format(client: TestClient):
    response = client.get(URL, params={"mn": MN_BOILER_1, "kind": "hour", "pollutant": "a21026",
                                       "start": "2024-05-01T11:00", "format": "csv"})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == EXPECTED_CSV
    assert "x-next-offset" not in response.headers


def test_unknown_enterprise_is_404_naming_it(client: TestClient):
    response = client.get(URL, params={"enterprise": "91500000000000000X", "kind": "hour"})
    assert response.status_code == 404
    assert response.json() == {"detail": "no enterprise with credit code 91500000000000000X"}


def test_unknown_mn_is_404_naming_it(client: TestClient):
    response = client.get(URL, params={"mn": "88888880000001", "kind": "hour"})
    assert response.status_code == 404
    assert response.json() == {"detail": "no device with MN 88888880000001"}


def test_bad_kind_is_422(client: TestClient):
    response = client.get(URL, params={"mn": MN_BOILER_1, "kind": "hourly"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "kind"]
    assert "'rtd', 'minute', 'hour', 'day', 'raw', 'single', 'check' or 'five_min'" in error["msg"]


def test_missing_kind_is_422(client: TestClient):
    response = client.get(URL, params={"mn": MN_BOILER_1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "kind"]


def test_limit_out_of_bounds_is_422(client: TestClient):
    assert client.get(URL, params={"kind": "hour", "limit": 0}).status_code == 422
    assert client.get(URL, params={"kind": "hour", "limit": 10_001}).status_code == 422
    assert client.get(URL, params={"kind": "hour", "offset": -1}).status_code == 422


def test_end_before_start_is_400(client: TestClient):
    response = client.get(URL, params={"mn": MN_BOILER_1, "kind": "hour",
                                       "start": "2024-05-01T12:00", "end": "2024-05-01T10:00"})  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {
        "detail": "end 2024-05-01T10:00:00 is not after start 2024-05-01T12:00:00; "
        "the range is start <= data_time < end"
    }


def test_bad_time_is_400_naming_the_bound(client: TestClient):
    response = client.get(URL, params={"kind": "hour", "end": "tomorrow"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("end 'tomorrow' is not a time")
