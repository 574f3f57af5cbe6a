"""Errors a person can meet in the browser are pages in their language, never raw JSON or a
plain "Internal Server Error"; the REST API and the live panels keep their JSON answers."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from tests.web.conftest import Zone, web_app


@pytest.fixture
def client(zone: Zone) -> TestClient:
    app = web_app(zone[0])
    broken = APIRouter()

    @broken.get("/broken-page")
    def broken_page() -> None:
        raise RuntimeError("a bug")

    app.include_router(broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_an_unknown_page_is_a_chinese_not_found_page(client: TestClient):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "未找到" in response.text and "返回首页" in response.text


@pytest.mark.parametrize("path", ["/points/abc", "/points/1.5"])
def test_a_path_that_cannot_name_an_entity_is_not_found(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "未找到" in response.text


def test_a_failure_on_a_page_is_a_server_error_page_in_english_when_asked(client: TestClient):
    response = client.get("/broken-page?lang=en")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Server error" in response.text and "Internal Server Error" not in response.text


def test_the_rest_api_and_panels_keep_json_errors(client: TestClient):
    response = client.get("/api/v1/no-such-route")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    panel = client.get("/web/api/points/abc/series", params={"pollutant": "a21026"})
    assert panel.status_code == 422 and panel.headers["content-type"] == "application/json"
