"""`ecozone plan ...` through Typer's test runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import sqlalchemy as sa
from typer.testing import CliRunner

from ecozone.plan.cli import app
from ecozone.store.schema import plan_progress

runner = CliRunner()


def run(url: str | None, *args: str):
    env = {"ECOZONE_DATABASE_URL": url} if url else {}
    return runner.invoke(app, list(args), env={**env, "ECOZONE_PLAN_CADENCE": "quarterly"})


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_measures_and_indicators_need_no_database():
    result = run(None, "measures")
    assert result.exit_code == 0, result.output
    assert " 1  生态优先准入、分区管控与能耗双控" in result.stdout
    assert "20  排污权交易、环境治理托管与绿色金融\n    牵头单位: 市生态环境局、人行重庆营管部\n" \
           "    配合单位: 重庆证监局\n" in result.stdout  # fmt: skip
    result = run(None, "measures", "--format", "json")
    assert len(json.loads(result.stdout)["items"]) == 23
    result = run(None, "indicators", "--measure", "10")
    assert result.stdout.splitlines() == [
        "10  public_building_green_star_level  政府投资公共建筑及2万平方米及以上大型公共建筑执行的"
        "绿色建筑星级（最低）  [>= 2 星级 by 2025]",
        "10  green_building_material_share  绿色建材应用比例  [>= 70 % by 2025]",
    ]


def test_report_then_matrix_as_json_and_csv(engine):
    url = url_of(engine)
    result = run(url, "report", "--measure", "10", "--unit", "市住房城乡建委", "--district",
                 "两江新区", "--period", "2025-Q3", "--status", "on_track", "--narrative",
                 "绿色建材应用比例72%", "--due", "2025-12-31", "--indicator",
                 "green_building_material_share=72", "--actor", "coordinator-b")  # fmt: skip
    assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)
    assert (stored["measure"], stored["district"], stored["reported_by"]) == (
        10, "两江新区", "coordinator-b",
    )  # fmt: skip
    assert stored["indicators"] == {"green_building_material_share": 72.0}

    result = run(url, "matrix", "--by", "district", "--as-of", "2025-10-05")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rows"][9]["cells"]["两江新区"]["status"] == "on_track"
    assert data["rows"][9]["cells"]["两江新区"]["overdue"] is False

    result = run(url, "matrix", "--by", "unit", "--format", "csv", "--as-of", "2025-10-05")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    column = rows[0].index("市住房城乡建委")
    assert rows[10][column] == "on_track 2025-Q3"
    assert rows[1][2] == "none overdue"  # 市发展改革委 on measure 1: nothing for 2025-Q3


def test_bad_input_exits_2_with_the_reasons_and_stores_nothing(engine):
    url = url_of(engine)
    result = run(url, "report", "--measure", "10", "--unit", "市生态环境局", "--period", "2025-13",
                 "--status", "late", "--indicator", "green_building_material_share=lots")  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "progress report not recorded, 4 errors; nothing was stored" in result.stderr
    assert "unit: 市生态环境局 is not named for measure 10" in result.stderr
    assert "period: period '2025-13' is not one of" in result.stderr
    assert "status: 'late' is not a status" in result.stderr
    assert "indicators.green_building_material_share: 'lots' is not a number" in result.stderr
    result = run(url, "report", "--measure", "10", "--unit", "市住房城乡建委", "--period",
                 "2025-Q3", "--status", "done", "--indicator", "no-equals-sign")  # fmt: skip
    assert result.exit_code == 2
    assert "--indicator 'no-equals-sign' is not CODE=VALUE" in result.stderr
    assert run(url, "matrix", "--by", "street").exit_code == 2
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(plan_progress)).scalar() == 0


def test_export_writes_the_workbook(engine, tmp_path):
    output = tmp_path / "plan.xlsx"
    result = run(url_of(engine), "export", "--format", "xlsx", "--output", str(output))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(output)
    assert book.sheetnames[:4] == ["措施", "按责任单位", "按区域", "进展报告"]


def test_export_writes_the_pdf_and_says_when_chinese_glyphs_are_missing(sqlite_url, tmp_path):
    from ecozone.plan.export import cjk_fonts
    from ecozone.store.migrate import upgrade

    upgrade(sqlite_url)
    output = tmp_path / "plan.pdf"
    result = run(sqlite_url, "export", "--format", "pdf", "--output", str(output))
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF-")
    assert ("apt-get install fonts-noto-cjk" in result.stderr) == (not cjk_fonts())


def test_a_database_without_the_schema_exits_1_naming_the_upgrade(sqlite_url):
    result = run(sqlite_url, "matrix")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "ecozone db upgrade" in result.stderr
