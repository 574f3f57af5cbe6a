"""The project pages over TestClient: the list, the form, a project's actions with their
Chinese refusals, the schedule, the monthly report in xlsx, CSV and PDF, and the zoning
hook (no section until a check is connected)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook
from tests.projects.conftest import code, scope
from tests.zoning.data import FORBID_CHEM, UNITS

from ecozone.projects import service
from ecozone.zoning import service as zoning_service

FORM = {
    "name": "渝北新材料项目", "builder_name": "重庆丙新材料有限公司", "credit_code": code(11),
    "district": "两江新区", "industry": "新材料制造", "category": "form", "route": "normal",
    "major": "1", "investment_wan_yuan": "32000", "lon": "106.61", "lat": "29.72",
    "outlets": "DA001 工艺废气排放口 flue_gas",
}  # fmt: skip


def test_a_supervisor_registers_a_project_and_moves_it(client_as, engine: sa.Engine) -> None:
    client = client_as("district")
    assert "登记建设项目" in client.get("/projects/new").text
    bad = client.post("/projects", data={**FORM, "lon": "东经"})
    assert bad.status_code == 200 and "经度：&#39;东经&#39; 不是数字" in bad.text
    assert 'value="渝北新材料项目"' in bad.text  # what was typed comes back
    made = client.post("/projects", data=FORM)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "项目已登记" in page.text and 'data-move="submitted"' in page.text
    project_id = int(made.headers["location"].split("/")[2].split("?")[0])
    out_of_order = client.post(f"/projects/{project_id}/transition",
                               data={"to": "approved", "on_date": "2026-03-05", "reason": "x"})  # fmt: skip
    assert "项目处于“前期”(planning)阶段，不能转到“已批复”(approved)" in out_of_order.text
    done = client.post(f"/projects/{project_id}/transition",
                       data={"to": "submitted", "on_date": "2026-03-04", "reason": "报批"})  # fmt: skip
    assert done.status_code == 303
    listed = client.get("/projects")
    assert f'href="/projects/{project_id}"' in listed.text and "已报批" in listed.text
    schedule = client.get("/projects/schedule")
    assert f'data-project="{project_id}"' in schedule.text


def test_a_builder_sees_its_own_projects_only(client_as, engine: sa.Engine) -> None:
    own = service.create_project(engine, scope("admin"), {**FORM, "enterprise": code(1)},
                                 actor="admin")  # fmt: skip
    other = service.create_project(engine, scope("admin"), FORM, actor="admin")
    client = client_as("enterprise")
    listed = client.get("/projects").text
    assert f'href="/projects/{own.id}"' in listed and f'href="/projects/{other.id}"' not in listed
    assert client.get(f"/projects/{other.id}").status_code == 404
    page = client.get(f"/projects/{own.id}").text
    assert 'data-move="submitted"' in page and "data-pause" not in page
    assert client.post(f"/projects/{own.id}/pause", data={}).status_code == 403


def test_the_monthly_report_of_major_projects(client_as, engine: sa.Engine) -> None:
    made = service.create_project(engine, scope("admin"), FORM, actor="admin")
    for stage, day in (("submitted", "2026-03-04"), ("accepted", "2026-03-06")):
        service.transition(engine, scope("admin"), made.id, stage, on_date=day, reason="办理",
                           actor="admin")  # fmt: skip
    client = client_as("supervisor")
    csv = client.get("/projects/report", params={"month": "2026-03", "format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "项目名称" in text and "渝北新材料项目" in text and "03-06 已受理" in text
    xlsx = client.get("/projects/report", params={"month": "2026-03", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "渝北新材料项目" in values
    pdf = client.get("/projects/report", params={"month": "2026-03", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get("/projects/report", params={"month": "march"}).status_code == 400


def test_the_project_page_shows_what_the_zoning_layers_say(client_as, engine, tmp_path) -> None:
    # The project's point (106.75 E, 29.65 N) lies in tests.zoning.data's unit U-IND, whose
    # access list forbids 化工 with the rule text FORBID_CHEM, and outside the red line RL-1.
    units = tmp_path / "units.geojson"
    units.write_bytes(UNITS)
    zoning_service.import_file(engine, units, "control_unit", "2024-01-01", actor="tests")
    made = service.create_project(
        engine, scope("admin"), {**FORM, "industry": "化工", "lon": "106.75", "lat": "29.65"},
        actor="admin",
    )
    page = client_as("admin").get(f"/projects/{made.id}").text
    assert 'data-zoning data-verdict="forbidden"' in page
    assert FORBID_CHEM in page and "两江新区重点管控单元" in page
    assert 'data-red-line="outside"' in page

