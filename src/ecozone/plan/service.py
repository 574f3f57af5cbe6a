"""Use cases of the plan: read the measures, record progress, build the matrices and exports.

The plan is loaded once from data/plan.yaml; progress is read from the database and
judged by rules.py against "today" in China Standard Time (callers may pass another
day) under the reporting cadence of `ECOZONE_PLAN_CADENCE` (default quarterly). Every
value returned is plain JSON-ready data, so api.py and cli.py only translate.
"""

from __future__ import annotations

import csv
import functools
import io
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ecozone import files as stored_files
from ecozone import textguard
from ecozone.accounts import audit
from ecozone.plan import rules, store
from ecozone.plan.model import (
    STATUS_LABELS,
    Cadence,
    EvidenceFile,
    Indicator,
    Measure,
    NotFoundError,
    Plan,
    PlanDataError,
    Problem,
    ProgressError,
    ProgressReport,
    parse_plan,
)
from ecozone.times import CHINA_STANDARD_TIME

PLAN_FILE = Path(__file__).with_name("data") / "plan.yaml"

#: Environment variable of the reporting cadence: monthly, quarterly (default) or yearly.
CADENCE_ENV = "ECOZONE_PLAN_CADENCE"
DEFAULT_CADENCE = Cadence.QUARTERLY

MATRIX_VIEWS = ("unit", "district")
#: Keys of measure_detail that come from progress reports rather than from the plan.
PROGRESS_KEYS = ("as_of", "reporting_cadence", "period_due", "overdue", "off_track", "progress")
ACTOR_MAX = 100  # plan_progress.reported_by
#: Evidence files one report may carry (photos or PDF, each within files.MAX_UPLOAD_BYTES).
MAX_EVIDENCE_FILES = 10
#: How the report's free-text fields are named in the form's Chinese errors.
TEXT_FIELDS_ZH = {"narrative": "进展情况", "evidence": "佐证说明"}


# --- the plan --------------------------------------------------------------------------


def read_plan(path: Path) -> Plan:
    """The plan in the data file at `path`, checked whole (PlanDataError lists problems)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PlanDataError([f"cannot read it: {exc}"], source=str(path)) from None
    return parse_plan(data, source=str(path))


@functools.cache
def load_plan() -> Plan:
    """The plan shipped with ecozone (data/plan.yaml), read once per process."""
    return read_plan(PLAN_FILE)


def reporting_cadence() -> Cadence:
    """The cadence of `ECOZONE_PLAN_CADENCE`, default quarterly; read at every call."""
    raw = (os.environ.get(CADENCE_ENV) or "").strip().lower()
    if not raw:
        return DEFAULT_CADENCE
    try:
        return Cadence(raw)
    except ValueError:
        choices = ", ".join(c.value for c in Cadence)
        raise ValueError(f"{CADENCE_ENV}={raw!r} is not a reporting cadence ({choices})") from None


def today_in_china() -> date:
    """Today's date in China Standard Time, where the plan's deadlines fall."""
    return datetime.now(CHINA_STANDARD_TIME).date()


def _when(today: date | None, cadence: Cadence | str | None) -> tuple[date, Cadence]:
    return (
        today if today is not None else today_in_china(),
        Cadence(cadence) if cadence is not None else reporting_cadence(),
    )


def measure_item(measure: Measure) -> dict[str, Any]:
    """A measure as GET /api/v1/plan/measures lists it."""
    return {
        "number": measure.number,
        "title": measure.title,
        "summary": measure.summary,
        "lead_units": list(measure.lead_units),
        "co_units": list(measure.co_units),
        "districts": list(measure.districts),
    }


def list_measures(plan: Plan | None = None) -> list[dict[str, Any]]:
    plan = plan or load_plan()
    return [measure_item(m) for m in plan.measures]


def indicator_item(indicator: Indicator, plan: Plan | None = None) -> dict[str, Any]:
    plan = plan or load_plan()
    return {
        "code": indicator.code,
        "measure": indicator.measure,
        "name": indicator.name,
        "en": indicator.en,
        "comparison": indicator.comparison.value if indicator.comparison else None,
        "target": indicator.target,
        "relative_to": indicator.relative_to,
        "relative_to_name": (
            plan.indicator(indicator.relative_to).name if indicator.relative_to else None
        ),
        "unit": indicator.unit,
        "target_year": indicator.target_year,
        "basis": indicator.basis.value,
        "quote": indicator.quote,
        "note": indicator.note,
        "minimum": indicator.minimum,
        "maximum": indicator.maximum,
    }


def list_indicators(plan: Plan | None = None, *, measure: int | None = None) -> list[dict]:
    plan = plan or load_plan()
    if measure is not None:
        plan.measure(measure)  # NotFoundError for a number the plan does not have
    chosen = [i for i in plan.indicators if measure is None or i.measure == measure]
    return [indicator_item(i, plan) for i in chosen]


def describe_plan(plan: Plan | None = None, *, cadence: Cadence | None = None) -> dict[str, Any]:
    """The plan document, its 2025 goals, sections, districts, units and the cadence."""
    plan = plan or load_plan()
    doc = plan.document
    return {
        "title": doc.title,
        "title_en": doc.title_en,
        "document_number": doc.document_number,
        "issued": doc.issued.isoformat(),
        "issuers": list(doc.issuers),
        "basis": doc.basis,
        "goal_year": plan.goal_year,
        "goals": [{"text": g.text, "en": g.en} for g in plan.goals],
        "sections": [{"number": s.number, "title": s.title, "en": s.en} for s in plan.sections],
        "districts": [{"name": d.name, "en": d.en} for d in plan.districts],
        "units": [
            {
                "name": u.name,
                "full_name": u.full_name,
                "en": u.en,
                "measures": [m.number for m in plan.measures if u.name in m.units],
            }
            for u in plan.units
        ],
        "reporting_cadence": (cadence or reporting_cadence()).value,
    }


# --- progress --------------------------------------------------------------------------


def report_item(report: ProgressReport) -> dict[str, Any]:
    """A stored report as JSON-ready data."""
    return {
        "id": report.id,
        "measure": report.measure,
        "unit": report.unit,
        "district": report.district,
        "period": report.period,
        "status": report.status.value,
        "narrative": report.narrative,
        "evidence": report.evidence,
        "indicators": dict(report.indicators),
        "due_date": report.due_date.isoformat() if report.due_date else None,
        "reported_by": report.reported_by,
        "reported_at": report.reported_at.isoformat(),
        "evidence_files": [
            {"sha256": f.sha256, "name": f.name, "media_type": f.media_type, "size": f.size}
            for f in report.evidence_files
        ],
    }


def record_progress(
    engine: sa.Engine,
    *,
    measure: Any,
    unit: Any,
    period: Any,
    status: Any,
    actor: str,
    district: Any = None,
    narrative: Any = None,
    evidence: Any = None,
    indicators: Mapping[str, Any] | None = None,
    due_date: Any = None,
    files: Sequence[tuple[str, bytes]] = (),
    today: date | None = None,
    now: datetime | None = None,
) -> ProgressReport:
    """Check a progress report against the plan and store it, with its evidence files
    (name, content) and an audit entry, in one transaction.

    ProgressError names every problem (measure, unit named for it, district, status,
    period format and range, indicator codes and values, due date, text, files) and
    nothing is stored.
    """
    plan = load_plan()
    draft, errors = rules.check_progress(
        plan,
        measure=measure,
        unit=unit,
        district=district,
        period=period,
        status=status,
        narrative=narrative,
        evidence=evidence,
        indicators=indicators,
        due_date=due_date,
        today=today if today is not None else today_in_china(),
    )
    errors += _text_problems(narrative=narrative, evidence=evidence)
    uploads = _checked_files(files, errors)
    actor = (actor or "").strip()
    if not actor or len(actor) > ACTOR_MAX:
        message = f"the reporting actor must be 1..{ACTOR_MAX} characters"
        errors.append(Problem("reported_by", message, f"报告人应为1至{ACTOR_MAX}个字符"))
    if errors or draft is None:
        raise ProgressError(errors)
    reported_at = now if now is not None else datetime.now(UTC)
    values = {
        "measure": draft.measure,
        "unit": draft.unit,
        "district": draft.district,
        "period": draft.period,
        "status": draft.status.value,
        "narrative": draft.narrative,
        "evidence": draft.evidence,
        "indicators": draft.indicators,
        "due_date": draft.due_date,
        "reported_by": actor,
        "reported_at": reported_at,
    }
    with engine.begin() as conn:
        report_id = store.insert_progress(conn, values)
        evidence = [
            EvidenceFile(stored_files.save(conn, upload, content), upload.name,
                         upload.media_type, upload.size)
            for upload, content in uploads
        ]  # fmt: skip
        store.insert_evidence(conn, report_id, evidence)
        report = ProgressReport(
            id=report_id, **{**values, "status": draft.status}, evidence_files=tuple(evidence)
        )
        audit.record(
            conn,
            actor=actor,
            action="create",
            entity="plan_progress",
            entity_id=str(report_id),
            before=None,
            after=report_item(report),
        )
    return report


def _text_problems(**texts: Any) -> list[Problem]:
    """Free text goes through the shared text rule before it is stored."""
    problems = []
    for field, value in texts.items():
        if value is None:
            continue
        try:
            textguard.check_text(str(value), field, multiline=True)
        except textguard.UnstorableText as exc:
            found = textguard.find_unstorable(str(value), multiline=True)
            where = f"第{found[0] + 1}个字符 {textguard.describe(found[1])}" if found else ""
            zh = f"{TEXT_FIELDS_ZH[field]}含有不能保存的字符（{where}）"
            problems.append(Problem(field, str(exc), zh))
    return problems


def _checked_files(
    files: Sequence[tuple[str, bytes]], errors: list[Problem]
) -> list[tuple[stored_files.Upload, bytes]]:
    """Each file checked by ecozone.files (type sniffed from its bytes); the same content
    given twice is kept once. Problems are added to `errors`."""
    if len(files) > MAX_EVIDENCE_FILES:
        errors.append(
            Problem(
                "files",
                f"{len(files)} files; a report takes at most {MAX_EVIDENCE_FILES}",
                f"上传了{len(files)}个文件，每份报告最多{MAX_EVIDENCE_FILES}个",
            )
        )
        return []
    checked: dict[str, tuple[stored_files.Upload, bytes]] = {}
    for name, content in files:
        try:
            upload = stored_files.check_upload(name, content)
        except (stored_files.UploadRefused, textguard.UnstorableText) as exc:
            errors.append(Problem("files", str(exc), _upload_problem_zh(name, content)))
            continue
        checked.setdefault(upload.sha256, (upload, content))
    return list(checked.values())


def _upload_problem_zh(name: str, content: bytes) -> str:
    """Why ecozone.files refused an upload, in the form's Chinese."""
    name = name.strip()
    if not name or len(name) > stored_files.MAX_NAME_CHARS:
        return f"文件名应为1至{stored_files.MAX_NAME_CHARS}个字符"
    if textguard.find_unstorable(name) is not None:
        return f"文件名“{textguard.printable(name)}”含有不能保存的字符"
    if not content:
        return f"{name}：文件是空的"
    if len(content) > stored_files.MAX_UPLOAD_BYTES:
        limit_mib = stored_files.MAX_UPLOAD_BYTES // (1024 * 1024)
        return f"{name}：文件大小{len(content)}字节，超过{limit_mib} MB 的上限"
    return f"{name}：只接受 JPEG、PNG 照片或 PDF 文件"


def evidence_file(engine: sa.Engine, progress_id: int, sha256: str) -> tuple[EvidenceFile, bytes]:
    """One evidence file of a report with its content; NotFoundError when the report has
    no such file."""
    with engine.connect() as conn:
        attached = store.select_evidence(conn, [progress_id]).get(progress_id, ())
        found = next((f for f in attached if f.sha256 == sha256), None)
        if found is None:
            raise NotFoundError(f"progress report {progress_id} has no evidence file {sha256}")
        _media, content = stored_files.load(conn, sha256)
    return found, content


def list_progress(
    engine: sa.Engine,
    *,
    measure: int | None = None,
    unit: str | None = None,
    district: str | None = None,
) -> list[ProgressReport]:
    """Stored reports, latest first (by period, then by when they were reported)."""
    if measure is not None:
        load_plan().measure(measure)
    with engine.connect() as conn:
        reports = store.select_progress(conn, measure=measure, unit=unit, district=district)
    return sorted(reports, key=rules.report_order, reverse=True)


def measure_detail(
    engine: sa.Engine,
    number: int,
    *,
    today: date | None = None,
    cadence: Cadence | str | None = None,
) -> dict[str, Any]:
    """One measure with its clauses, indicators, progress history and where it stands."""
    plan = load_plan()
    measure = plan.measure(number)
    today, cadence = _when(today, cadence)
    reports = list_progress(engine, measure=number)
    states = [
        (by, state)
        for by in MATRIX_VIEWS
        for state in rules.pair_states(plan, reports, by=by, today=today, cadence=cadence)
        if state.measure == number and state.responsible
    ]
    section = plan.section(measure.section)
    return {
        **measure_item(measure),
        "title_en": measure.title_en,
        "summary_en": measure.summary_en,
        "section": {"number": section.number, "title": section.title, "en": section.en},
        "clauses": [
            {
                "text": c.text,
                "units": list(c.units),
                "lead_unit": c.lead_unit,
                "areas": list(c.areas),
            }
            for c in measure.clauses
        ],
        "areas": list(measure.areas),
        "indicators": [indicator_item(i, plan) for i in plan.indicators_of(number)],
        "as_of": today.isoformat(),
        "reporting_cadence": cadence.value,
        "period_due": rules.period_due(today, cadence).label,
        "overdue": [{by: s.column, "reasons": s.overdue} for by, s in states if s.overdue],
        "off_track": [{by: s.column, "reasons": s.off_track} for by, s in states if s.off_track],
        "progress": [report_item(r) for r in reports],
    }


# --- matrix and overview ---------------------------------------------------------------


def matrix(
    engine: sa.Engine,
    by: str,
    *,
    today: date | None = None,
    cadence: Cadence | str | None = None,
    reports: list[ProgressReport] | None = None,
) -> dict[str, Any]:
    """Measures by units (or districts): each cell the latest status and whether overdue.

    Cells of a unit not named for a measure read status "none" and are never overdue;
    a responsible unit or district without a report also reads "none".
    """
    if by not in MATRIX_VIEWS:
        raise ValueError(f"by must be 'unit' or 'district', not {by!r}")
    plan = load_plan()
    today, cadence = _when(today, cadence)
    if reports is None:
        reports = list_progress(engine)
    states = rules.pair_states(plan, reports, by=by, today=today, cadence=cadence)
    columns = list(plan.unit_names if by == "unit" else plan.district_names)
    rows = {m.number: {"number": m.number, "title": m.title, "cells": {}} for m in plan.measures}
    for state in states:
        last = state.latest
        rows[state.measure]["cells"][state.column] = {
            "status": last.status.value if last is not None else "none",
            "period": last.period if last is not None else None,
            "reported_at": last.reported_at.isoformat() if last is not None else None,
            "overdue": bool(state.overdue),
            "responsible": state.responsible,
        }
    return {"by": by, "columns": columns, "rows": list(rows.values())}


def matrix_csv(data: dict[str, Any]) -> str:
    """A matrix as CSV: number, title, then one column per unit or district.

    A cell reads "status period", with " overdue" appended when it is; empty when the
    unit is not named for the measure.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["number", "title", *data["columns"]])
    plan = load_plan()
    for row in data["rows"]:
        responsible = _responsible(plan, data["by"], row["number"])
        cells = []
        for column in data["columns"]:
            cell = row["cells"][column]
            if column not in responsible:
                cells.append("")
                continue
            text = " ".join(x for x in (cell["status"], cell["period"]) if x)
            cells.append(text + (" overdue" if cell["overdue"] else ""))
        writer.writerow([row["number"], row["title"], *cells])
    return buffer.getvalue()


def _responsible(plan: Plan, by: str, number: int) -> tuple[str, ...]:
    measure = plan.measure(number)
    return measure.units if by == "unit" else measure.districts


def overview(
    engine: sa.Engine,
    *,
    today: date | None = None,
    cadence: Cadence | str | None = None,
    reports: list[ProgressReport] | None = None,
) -> dict[str, Any]:
    """Which measures are overdue and which off-track, with the reasons per unit/district."""
    plan = load_plan()
    today, cadence = _when(today, cadence)
    if reports is None:
        reports = list_progress(engine)
    items = []
    for by in MATRIX_VIEWS:
        for state in rules.pair_states(plan, reports, by=by, today=today, cadence=cadence):
            if state.overdue or state.off_track:
                items.append(
                    {
                        "measure": state.measure,
                        by: state.column,
                        "status": state.latest.status.value if state.latest else "none",
                        "period": state.latest.period if state.latest else None,
                        "overdue": state.overdue,
                        "off_track": state.off_track,
                    }
                )
    return {
        "as_of": today.isoformat(),
        "reporting_cadence": cadence.value,
        "period_due": rules.period_due(today, cadence).label,
        "overdue_measures": rules.overdue_measures(plan, reports, today=today, cadence=cadence),
        "off_track_measures": rules.off_track_measures(plan, reports),
        "items": items,
    }


# --- exports ---------------------------------------------------------------------------


def snapshot(
    engine: sa.Engine,
    *,
    today: date | None = None,
    cadence: Cadence | str | None = None,
    reports: list[ProgressReport] | None = None,
) -> dict[str, Any]:
    """Everything an export shows, read once: plan, measures, matrices, reports, overview.

    `reports` (default: all stored) lets a caller export reports it already holds.
    """
    plan = load_plan()
    today, cadence = _when(today, cadence)
    if reports is None:
        reports = list_progress(engine)
    else:
        reports = sorted(reports, key=rules.report_order, reverse=True)
    kwargs: dict[str, Any] = {"today": today, "cadence": cadence, "reports": reports}
    return {
        "plan": describe_plan(plan, cadence=cadence),
        "measures": [
            {
                **measure_item(m),
                "title_en": m.title_en,
                "summary_en": m.summary_en,
                "section": m.section,
            }
            for m in plan.measures
        ],
        "indicators": list_indicators(plan),
        "matrix_unit": matrix(engine, "unit", **kwargs),
        "matrix_district": matrix(engine, "district", **kwargs),
        "responsible": {
            "unit": {m.number: list(m.units) for m in plan.measures},
            "district": {m.number: list(m.districts) for m in plan.measures},
        },
        "reports": [report_item(r) for r in reports],
        "overview": overview(engine, **kwargs),
        "status_labels": dict(STATUS_LABELS),
        "as_of": today.isoformat(),
        "generated_at": datetime.now(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M"),
    }


def export_xlsx(
    engine: sa.Engine, *, today: date | None = None, cadence: Cadence | str | None = None
) -> bytes:
    from ecozone.plan import export

    return export.to_xlsx(snapshot(engine, today=today, cadence=cadence))


def export_pdf(
    engine: sa.Engine, *, today: date | None = None, cadence: Cadence | str | None = None
) -> bytes:
    from ecozone.plan import export

    return export.to_pdf(snapshot(engine, today=today, cadence=cadence))


__all__ = [
    "CADENCE_ENV",
    "PLAN_FILE",
    "NotFoundError",
    "ProgressError",
    "describe_plan",
    "evidence_file",
    "export_pdf",
    "export_xlsx",
    "list_indicators",
    "list_measures",
    "list_progress",
    "load_plan",
    "matrix",
    "matrix_csv",
    "measure_detail",
    "overview",
    "read_plan",
    "record_progress",
    "reporting_cadence",
    "snapshot",
]
