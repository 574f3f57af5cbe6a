"""REST under /api/v1/plan through FastAPI's test client, on SQLite and PostgreSQL.

The router is mounted on an app of its own; who is asking is set by overriding
ecozone.accounts' current_principal. Periods are of 2025 so that they have begun
whatever day the tests run; `as_of=2025-10-05` makes 2025-Q3 the period due.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecozone.accounts.deps import current_principal
from ecozone.accounts.model import Principal
from ecozone.plan.api import router
from ecozone.store.schema import audit_log, plan_progress

AS_OF = "2025-10-05"
CONTRACT_MEASURE_KEYS = {"number", "title", "summary", "lead_units", "co_units", "districts"}
COORDINATOR = Principal(user_id=7, username="coordinator-a", role="coordinator")


def client_for(engine, principal: Principal | None = None) -> TestClient:
    app = FastAPI()
    app.state.engine = engine
    app.include_router(router)
    if principal is not None:
        app.dependency_overrides[current_principal] = lambda: principal
    return TestClient(app)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


GOOD = {
    "measure": 10,
    "unit": "市住房城乡建委",
    "district": "两江新区",
    "period": "2025-Q3",
    "status": "at_risk",
    "narrative": "绿色建材应用比例65%，低于70%目标",
    "evidence": "核算台账 2025-09",
    "indicators": {"green_building_material_share": 65},
    "due_date": "2025-12-31",
}


def test_the_published_plan_is_open_to_everyone(engine):
    client = client_for(engine)  # anonymous
    plan = client.get("/api/v1/plan").json()
    assert plan["document_number"] == "渝环〔2021〕154号"
    assert plan["goal_year"] == 2025 and len(plan["goals"]) == 8
    assert len(plan["units"]) == 23 and len(plan["districts"]) == 9

    items = client.get("/api/v1/plan/measures").json()["items"]
    assert [m["number"] for m in items] == list(range(1, 24))
    assert all(set(m) == CONTRACT_MEASURE_KEYS for m in items)
    assert items[9]["lead_units"] == ["市住房城乡建委"]

    detail = client.get("/api/v1/plan/measures/10").json()
    assert detail["title"] == "绿色建筑与绿色建材"
    assert "progress" not in detail and "overdue" not in detail  # progress is not for the public

    response = client.get("/api/v1/plan/measures/24")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "no measure 24 in the plan; its measures are numbered 1..23"
    )
    assert client.get("/api/v1/plan/measures/ten").status_code == 422

    indicators = client.get("/api/v1/plan/indicators", params={"measure": 10}).json()["items"]
    assert [i["code"] for i in indicators] == [
        "public_building_green_star_level", "green_building_material_share",
    ]  # fmt: skip
    assert indicators[1]["comparison"] == ">=" and indicators[1]["target"] == 70
    assert client.get("/api/v1/plan/indicators", params={"measure": 99}).status_code == 404


def test_a_coordinator_records_progress_and_reads_it_back(engine):
    client = client_for(engine, COORDINATOR)
    response = client.post("/api/v1/plan/progress", json=GOOD)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["reported_by"] == "coordinator-a"
    assert stored["indicators"] == {"green_building_material_share": 65.0}
    with engine.connect() as conn:
        actors = conn.execute(sa.select(audit_log.c.actor, audit_log.c.entity)).all()
    assert actors == [("coordinator-a", "plan_progress")]

    listed = client.get("/api/v1/plan/progress", params={"measure": 10}).json()["items"]
    assert [r["id"] for r in listed] == [stored["id"]]

    by_unit = client.get("/api/v1/plan/matrix", params={"by": "unit", "as_of": AS_OF}).json()
    assert by_unit["by"] == "unit"
    cell = by_unit["rows"][9]["cells"]["市住房城乡建委"]
    assert cell == {"status": "at_risk", "period": "2025-Q3",
                    "reported_at": stored["reported_at"], "overdue": False,
                    "responsible": True}  # fmt: skip
    by_district = client.get(
        "/api/v1/plan/matrix", params={"by": "district", "as_of": AS_OF}
    ).json()
    assert by_district["rows"][9]["cells"]["两江新区"]["status"] == "at_risk"
    assert by_district["rows"][9]["cells"]["渝中区"]["overdue"] is True  # nothing for 2025-Q3
    assert client.get("/api/v1/plan/matrix", params={"by": "street"}).status_code == 422

    detail = client.get("/api/v1/plan/measures/10", params={"as_of": AS_OF}).json()
    assert [r["id"] for r in detail["progress"]] == [stored["id"]]
    assert {"unit": "市住房城乡建委", "reasons": [
        "latest status is at_risk (2025-Q3)",
        "green_building_material_share = 65 % in 2025-Q3 fails >= 70 %",
    ]} in detail["off_track"]  # fmt: skip

    view = client.get("/api/v1/plan/overview", params={"as_of": AS_OF}).json()
    assert view["off_track_measures"] == [10]


def test_a_refused_report_is_422_naming_each_field_and_stores_nothing(engine):
    client = client_for(engine, COORDINATOR)
    bad = {**GOOD, "unit": "市生态环境局", "district": "万州区", "period": "2025-Q5",
           "indicators": {"discharge_permit_coverage": 100}}  # fmt: skip
    response = client.post("/api/v1/plan/progress", json=bad)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [d["loc"] for d in detail] == [
        ["body", "unit"],
        ["body", "district"],
        ["body", "period"],
        ["body", "indicators", "discharge_permit_coverage"],
    ]
    assert (
        detail[0]["msg"] == "市生态环境局 is not named for measure 10; its units are 市住房城乡建委"
    )
    # a value that is no number is refused by the request schema itself
    response = client.post("/api/v1/plan/progress",
                           json={**GOOD, "indicators": {"green_building_material_share": "lots"}})  # fmt: skip
    assert response.status_code == 422
    assert count(engine, plan_progress) == 0
    assert count(engine, audit_log) == 0


@pytest.mark.parametrize(
    ("principal", "method", "path", "status"),
    [
        (None, "post", "/api/v1/plan/progress", 401),
        (Principal(user_id=2, username="sup", role="supervisor"), "post", "/api/v1/plan/progress",
         403),
        (Principal(user_id=3, username="ent", role="enterprise"), "post", "/api/v1/plan/progress",
         403),
        (None, "get", "/api/v1/plan/matrix", 401),
        (None, "get", "/api/v1/plan/progress", 401),
        (None, "get", "/api/v1/plan/overview", 401),
        (None, "get", "/api/v1/plan/export.xlsx", 401),
        (Principal(user_id=3, username="ent", role="enterprise"), "get", "/api/v1/plan/export.pdf",
         403),
    ],
)  # fmt: skip
def test_only_coordinators_and_admins_write_and_only_staff_read_progress(
    principal, method, path, status
):
    unused = sa.create_engine("sqlite://")  # refused before any query
    client = client_for(unused, principal)
    response = getattr(client, method)(path, **({"json": GOOD} if method == "post" else {}))
    assert response.status_code == status


def test_exports_open_with_chinese_titles(engine):
    client = client_for(engine, COORDINATOR)
    client.post("/api/v1/plan/progress", json=GOOD).raise_for_status()

    response = client.get("/api/v1/plan/export.xlsx", params={"as_of": AS_OF})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="ecozone-plan-2025-10-05.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["措施"]["C11"].value == "绿色建筑与绿色建材"
    assert book["进展报告"]["G2"].value == "绿色建材应用比例65%，低于70%目标"

    response = client.get("/api/v1/plan/export.pdf", params={"as_of": AS_OF})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
