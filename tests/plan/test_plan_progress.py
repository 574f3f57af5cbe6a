"""Progress reports with indicator values and evidence files (photos, PDF), on SQLite and
PostgreSQL: what is stored, what is refused and how each problem is named, in English for
the API and the CLI and in Chinese for the report form. Today is 2026-10-05."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from tests.plan.test_plan_api import COORDINATOR, client_for
from tests.plan.test_plan_cli import run, url_of

from ecozone.accounts.model import Principal
from ecozone.plan import service
from ecozone.plan.model import STATUS_LABELS, EvidenceFile, NotFoundError, ProgressError
from ecozone.store.schema import audit_log, plan_evidence, plan_progress, stored_file
from ecozone.web import i18n

TODAY = date(2026, 10, 5)
PNG = b"\x89PNG\r\n\x1a\n" + b"site photo"
PDF = b"%PDF-1.4\n" + b"acceptance record"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def record(engine, **fields):
    given = {"measure": 10, "unit": "市住房城乡建委", "period": "2026-Q3", "status": "on_track",
             "actor": "coordinator-a"}  # fmt: skip
    given.update(fields)
    now = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    return service.record_progress(engine, today=TODAY, now=now, **given)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def refused(engine, **fields) -> list:
    """The problems of a refused report; nothing may have been stored."""
    with pytest.raises(ProgressError) as caught:
        record(engine, **fields)
    assert count(engine, plan_progress) == 0
    assert count(engine, plan_evidence) == 0
    assert count(engine, stored_file) == 0
    assert count(engine, audit_log) == 0
    return caught.value.problems


def test_a_report_with_indicator_values_and_evidence_is_stored_and_audited(engine):
    stored = record(
        engine,
        district="两江新区",
        narrative="绿色建材应用比例核算完成",
        indicators={"green_building_material_share": "72.5", "public_building_green_star_level": 2},
        files=[("现场照片.png", PNG), ("验收记录.pdf", PDF), ("同一张照片.png", PNG)],
    )
    # the same photo given twice is kept once, under the name it was first given
    assert stored.evidence_files == (
        EvidenceFile(sha(PNG), "现场照片.png", "image/png", len(PNG)),
        EvidenceFile(sha(PDF), "验收记录.pdf", "application/pdf", len(PDF)),
    )
    [read] = service.list_progress(engine, measure=10)
    assert read.indicators == {"green_building_material_share": 72.5,
                               "public_building_green_star_level": 2.0}  # fmt: skip
    # read back in name order: 现 (U+73B0) before 验 (U+9A8C)
    assert [f.name for f in read.evidence_files] == ["现场照片.png", "验收记录.pdf"]
    assert count(engine, stored_file) == 2

    found, content = service.evidence_file(engine, stored.id, sha(PDF))
    assert (found.name, found.media_type, content) == ("验收记录.pdf", "application/pdf", PDF)

    with engine.connect() as conn:
        entry = conn.execute(sa.select(audit_log)).mappings().one()
    assert (entry["actor"], entry["entity"], entry["entity_id"]) == (
        "coordinator-a", "plan_progress", str(stored.id),
    )  # fmt: skip
    assert [f["name"] for f in entry["after"]["evidence_files"]] == ["现场照片.png", "验收记录.pdf"]
    assert entry["after"]["indicators"]["green_building_material_share"] == 72.5


def test_a_file_kept_for_one_report_is_not_served_through_another(engine):
    first = record(engine, files=[("现场照片.png", PNG)])
    second = record(engine, period="2026-Q2")
    with pytest.raises(NotFoundError):
        service.evidence_file(engine, second.id, sha(PNG))
    with pytest.raises(NotFoundError):
        service.evidence_file(engine, first.id, sha(PDF))


def test_a_bad_indicator_value_is_named_with_the_indicator_and_its_unit(engine):
    problems = refused(engine, indicators={"green_building_material_share": "七十"})
    assert [(p.field, p.message, p.zh) for p in problems] == [
        (
            "indicators.green_building_material_share",
            "'七十' is not a number",
            "指标“绿色建材应用比例”的值“七十”不是数字（单位：%）",
        )
    ]
    # the share is a percentage: 0..100 (plan.yaml minimum and maximum)
    [problem] = refused(engine, indicators={"green_building_material_share": 120})
    assert problem.zh == "指标“绿色建材应用比例”的值120高于上限100 %"
    # another measure's indicator is not taken on this one
    [problem] = refused(engine, indicators={"pm25_annual_mean": 30})
    assert problem.field == "indicators.pm25_annual_mean"


def test_a_blank_indicator_value_is_not_reported(engine):
    stored = record(engine, indicators={"green_building_material_share": "  "})
    assert stored.indicators == {}


def test_a_unit_not_named_for_the_measure_is_refused(engine):
    [problem] = refused(engine, unit="市生态环境局")
    assert problem.field == "unit"
    assert problem.message == (
        "市生态环境局 is not named for measure 10; its units are 市住房城乡建委"
    )
    assert problem.zh == "市生态环境局不是第10项任务的责任单位；该任务的单位为市住房城乡建委"


def test_a_file_that_is_not_a_photo_or_pdf_is_refused(engine):
    [problem] = refused(engine, files=[("报告.docx", b"PK\x03\x04 a word file")])
    assert problem.field == "files"
    assert problem.message == "报告.docx: only JPEG or PNG photos and PDF files are accepted"
    assert problem.zh == "报告.docx：只接受 JPEG、PNG 照片或 PDF 文件"
    # the type is read from the bytes, not from the name
    [problem] = refused(engine, files=[("photo.png", b"GIF89a")])
    assert problem.zh == "photo.png：只接受 JPEG、PNG 照片或 PDF 文件"
    [problem] = refused(engine, files=[("空.pdf", b"")])
    assert problem.zh == "空.pdf：文件是空的"


def test_every_problem_of_a_report_is_named_at_once(engine):
    problems = refused(
        engine,
        unit="市生态环境局",
        narrative="进展\u202e说明",
        indicators={"green_building_material_share": "abc"},
        files=[("a.txt", b"plain text")],
    )
    assert [p.field for p in problems] == [
        "unit", "indicators.green_building_material_share", "narrative", "files",
    ]  # fmt: skip
    assert problems[2].zh == "进展情况含有不能保存的字符（第3个字符 U+202E）"


def test_the_status_words_of_exports_and_pages_are_one_vocabulary():
    """The matrix legend and cells (plan.status.*) read as the exports' labels do."""
    for status, label in STATUS_LABELS.items():
        assert i18n.t("zh", f"plan.status.{status}") == label


# --- the API (multipart) and the CLI call the same use case -----------------------------


def test_the_api_takes_a_report_with_its_evidence_as_a_multipart_form(engine):
    client = client_for(engine, COORDINATOR)
    form = {"unit": "市住房城乡建委", "district": "两江新区", "period": "2025-Q3",
            "status": "done", "indicators": '{"green_building_material_share": 71}'}  # fmt: skip
    answer = client.post("/api/v1/plan/measures/10/progress", data=form,
                         files=[("files", ("现场照片.png", PNG, "image/png"))])  # fmt: skip
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["status"], body["indicators"], body["reported_by"]) == (
        "done", {"green_building_material_share": 71.0}, "coordinator-a",
    )  # fmt: skip
    assert body["evidence_files"] == [
        {"sha256": sha(PNG), "name": "现场照片.png", "media_type": "image/png", "size": len(PNG)}
    ]
    download = client.get(f"/api/v1/plan/progress/{body['id']}/evidence/{sha(PNG)}")
    assert download.status_code == 200
    assert (download.headers["content-type"], download.content) == ("image/png", PNG)
    assert (
        "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png"
        in (download.headers["content-disposition"])
    )
    assert client.get(f"/api/v1/plan/progress/{body['id']}/evidence/{sha(PDF)}").status_code == 404

    refused = client.post("/api/v1/plan/measures/10/progress", data=form,
                          files=[("files", ("a.gif", b"GIF89a", "image/gif"))])  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"loc": ["body", "files"], "type": "value_error",
        "msg": "a.gif: only JPEG or PNG photos and PDF files are accepted"}]  # fmt: skip
    bad_json = client.post("/api/v1/plan/measures/10/progress",
                           data={**form, "indicators": "[1]"})  # fmt: skip
    assert bad_json.status_code == 422
    assert client.post("/api/v1/plan/measures/24/progress", data=form).status_code == 404
    assert count(engine, plan_progress) == 1
    # supervisors read progress and evidence, but do not report
    supervisor = client_for(engine, Principal(user_id=8, username="s", role="supervisor"))
    assert supervisor.post("/api/v1/plan/measures/10/progress", data=form).status_code == 403
    assert supervisor.get(f"/api/v1/plan/progress/{body['id']}/evidence/{sha(PNG)}").content == PNG
    assert (
        client_for(engine)
        .get(f"/api/v1/plan/progress/{body['id']}/evidence/{sha(PNG)}")
        .status_code
        == 401
    )


def test_the_cli_attaches_evidence_files(engine, tmp_path):
    photo = tmp_path / "site.png"
    photo.write_bytes(PNG)
    result = run(url_of(engine), "report", "--measure", "10", "--unit", "市住房城乡建委",
                 "--period", "2025-Q3", "--status", "on_track", "--file", str(photo),
                 "--actor", "coordinator-b")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["evidence_files"][0]["name"] == "site.png"
    result = run(url_of(engine), "report", "--measure", "10", "--unit", "市住房城乡建委",
                 "--period", "2025-Q3", "--status", "on_track", "--file",
                 str(tmp_path / "missing.pdf"), "--actor", "coordinator-b")  # fmt: skip
    assert result.exit_code == 2
    assert "missing.pdf" in result.stderr
    assert count(engine, plan_progress) == 1
