"""GET /api/v1/points/{id}/capture and /totals through FastAPI's test client."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.monitoring.data import DAY_1, GAS_FLOW, SO2, disclose, full_hour, setup, store

from ecozone.monitoring import recompute
from ecozone.monitoring.api import router


def client_for(engine) -> TestClient:
    app = FastAPI()
    app.state.engine = engine
    app.include_router(router)
    return TestClient(app)


def test_capture_and_totals_of_a_disclosed_point(database_url: str):
    engine, stack, water = setup(database_url)
    try:
        store(engine, full_hour(stack, SO2, DAY_1, 50.0) + full_hour(stack, GAS_FLOW, DAY_1, 10.0))
        recompute(engine)
        client = client_for(engine)
        params = {"start": "2024-05-01", "end": "2024-05-02"}
        # The enterprise has not disclosed its data: to the public its points do not exist.
        response = client.get(f"/api/v1/points/{stack}/capture", params=params)
        assert (response.status_code, response.json()) == (
            404, {"detail": f"no point with id {stack}"},
        )  # fmt: skip
        disclose(engine)
        body = client.get(f"/api/v1/points/{stack}/capture", params=params).json()
        assert body["start"] == "2024-05-01T00:00:00+08:00"
        so2 = next(item for item in body["items"] if item["pollutant"] == SO2)
        assert so2 == {"pollutant": SO2, "basis": "hour", "expected": 24, "present": 1,
                       "valid": 1, "capture_rate": 1 / 24, "valid_rate": 1 / 24}  # fmt: skip

        body = client.get(f"/api/v1/points/{stack}/totals", params=params).json()
        totals = {item["pollutant"]: item for item in body["items"]}
        assert totals[SO2]["emission_kg"] == pytest.approx(
            1.8
        )  # 50 mg/m3 x 36000 m3/h x 1e-6 x 1 h
        assert totals[GAS_FLOW]["volume_m3"] == 36000.0

        assert client.get("/api/v1/points/999/capture", params=params).status_code == 404
        bad = client.get(f"/api/v1/points/{stack}/capture", params={**params, "start": "soon"})
        assert (bad.status_code, bad.json()["detail"]) == (
            400, "start 'soon' is not a time; write it as ISO 8601, e.g. 2024-05-01",
        )  # fmt: skip
        empty = client.get(f"/api/v1/points/{stack}/capture",
                           params={"start": "2024-05-02", "end": "2024-05-01"})  # fmt: skip
        assert empty.status_code == 400 and "is not after start" in empty.json()["detail"]
        assert client.get(f"/api/v1/points/{water}/capture", params=params).json()["items"] == []
    finally:
        engine.dispose()
