"""REST under /api/v1/plan: the measures, indicators, progress, matrix and exports; thin.

Errors from service.py become 404 (unknown measure) and 422 (a refused progress report,
one entry per problem in FastAPI's own `detail` shape). A report is recorded from JSON
(POST /progress) or, with its evidence files, from a multipart form
(POST /measures/{number}/progress), the same fields the report form on /plan/measures/{n}
sends. The plan was published, so its
measures and indicators are open to everyone; progress is read by coordinators,
supervisors and admins and recorded by coordinators and admins (401/403 otherwise).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    Response,
    UploadFile,
)
from pydantic import BaseModel, Field

from ecozone.accounts.deps import current_principal, require_roles
from ecozone.accounts.model import Principal, Role
from ecozone.api.params import Id
from ecozone.plan import service
from ecozone.plan.model import NotFoundError, ProgressError

router = APIRouter(prefix="/api/v1/plan", tags=["plan"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _engine(request: Request) -> sa.Engine:
    return request.app.state.engine


#: Who records progress.
WRITER_ROLES = (Role.COORDINATOR, Role.ADMIN)
#: Who reads progress, matrices and exports: departments' internal reporting is not
#: disclosed information. The plan itself (measures, indicators) was published and is
#: open to everyone.
READER_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.SUPERVISOR)

ProgressReader = Annotated[Principal, Depends(require_roles(*READER_ROLES))]


def progress_actor(
    principal: Annotated[Principal, Depends(require_roles(*WRITER_ROLES))],
) -> str:
    """Who records progress: a signed-in coordinator or admin (401/403 otherwise)."""
    return principal.username


# --- models (documentation of the shapes; service.py returns plain dicts) --------------


class MeasureItem(BaseModel):
    number: int = Field(description="1..23, as numbered in the plan")
    title: str
    summary: str
    lead_units: list[str] = Field(description="牵头单位: each clause's first-named unit")
    co_units: list[str] = Field(description="配合单位: the other units named")
    districts: list[str]


class MeasureList(BaseModel):
    items: list[MeasureItem]


class MatrixCell(BaseModel):
    status: Literal["not_started", "on_track", "at_risk", "off_track", "done", "none"]
    period: str | None
    reported_at: str | None
    overdue: bool
    responsible: bool = Field(description="the unit is named for (the district carries) it")


class MatrixRow(BaseModel):
    number: int
    title: str
    cells: dict[str, MatrixCell]


class Matrix(BaseModel):
    by: Literal["unit", "district"]
    columns: list[str]
    rows: list[MatrixRow]


class ProgressIn(BaseModel):
    measure: int = Field(description="1..23", examples=[10])
    unit: str = Field(
        description="a unit the plan names for the measure", examples=["市住房城乡建委"]
    )
    district: str | None = Field(None, description="one of the plan's nine districts, or null")
    period: str = Field(description="YYYY, YYYY-Qn or YYYY-MM", examples=["2026-Q3"])
    status: str = Field(description="not_started, on_track, at_risk, off_track or done")
    narrative: str | None = None
    evidence: str | None = Field(None, description="documents, links")
    indicators: dict[str, float] = Field(
        default_factory=dict,
        description="indicator code: value for the period",
        examples=[{"green_building_material_share": 72.5}],
    )
    due_date: str | None = Field(None, description="YYYY-MM-DD", examples=["2026-12-31"])


class EvidenceFileOut(BaseModel):
    sha256: str
    name: str
    media_type: str
    size: int


class ProgressOut(BaseModel):
    id: int
    measure: int
    unit: str
    district: str | None
    period: str
    status: str
    narrative: str | None
    evidence: str | None
    indicators: dict[str, float]
    due_date: str | None
    reported_by: str
    reported_at: str
    evidence_files: list[EvidenceFileOut] = Field(
        default_factory=list,
        description="download each from /api/v1/plan/progress/{id}/evidence/{sha256}",
    )


AsOf = Annotated[
    date | None,
    Query(ge=date(2001, 1, 1), le=date(2999, 12, 31),
          description="Judge overdue as on this day (default: today, CST); 2001..2999"),
]  # fmt: skip


def _not_found(exc: NotFoundError) -> HTTPException:
    return HTTPException(status_code=404, detail=str(exc))


# --- routes ----------------------------------------------------------------------------


@router.get("", summary="实施方案 The plan: document, 2025 goals, sections, districts, units")
def get_plan() -> dict[str, Any]:
    return service.describe_plan()


@router.get("/measures", response_model=MeasureList, summary="重点工作 The 23 measures")
def get_measures() -> dict[str, Any]:
    return {"items": service.list_measures()}


@router.get(
    "/measures/{number}",
    summary="One measure with its clauses, indicators and progress history",
    responses={404: {"description": "No such measure"}},
)
def get_measure(
    engine: Annotated[sa.Engine, Depends(_engine)],
    principal: Annotated[Principal, Depends(current_principal)],
    number: Id,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Progress history and flags are included for coordinators, supervisors and admins."""
    try:
        detail = service.measure_detail(engine, number, today=as_of)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    if not (principal.is_authenticated and principal.role in READER_ROLES):
        for key in service.PROGRESS_KEYS:
            detail.pop(key)
    return detail


@router.get("/indicators", summary="量化指标 The plan's quantified indicators")
def get_indicators(
    measure: Annotated[Id | None, Query(description="only this measure's")] = None,
) -> dict[str, Any]:
    try:
        return {"items": service.list_indicators(measure=measure)}
    except NotFoundError as exc:
        raise _not_found(exc) from None


@router.get("/progress", summary="Progress reports, latest first")
def get_progress(
    engine: Annotated[sa.Engine, Depends(_engine)],
    _reader: ProgressReader,
    measure: Id | None = None,
    unit: str | None = None,
    district: str | None = None,
) -> dict[str, Any]:
    try:
        reports = service.list_progress(engine, measure=measure, unit=unit, district=district)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    return {"items": [service.report_item(r) for r in reports]}


@router.post(
    "/progress",
    status_code=201,
    response_model=ProgressOut,
    summary="Record a progress report (coordinator, admin)",
    responses={422: {"description": "Refused; `detail` names each problem, nothing stored"}},
)
def post_progress(
    engine: Annotated[sa.Engine, Depends(_engine)],
    actor: Annotated[str, Depends(progress_actor)],
    body: ProgressIn,
) -> dict[str, Any]:
    try:
        report = service.record_progress(engine, actor=actor, **body.model_dump())
    except ProgressError as exc:
        raise _refused(exc) from None
    return service.report_item(report)


def _refused(exc: ProgressError) -> HTTPException:
    detail = [
        {"loc": ["body", *field.split(".", 1)], "msg": message, "type": "value_error"}
        for field, message in exc.fields
    ]
    return HTTPException(status_code=422, detail=detail)


@router.post(
    "/measures/{number}/progress",
    status_code=201,
    response_model=ProgressOut,
    summary="Record a progress report with evidence files (multipart; coordinator, admin)",
    responses={
        404: {"description": "No such measure"},
        422: {"description": "Refused; `detail` names each problem, nothing stored"},
    },
)
async def post_measure_progress(
    engine: Annotated[sa.Engine, Depends(_engine)],
    actor: Annotated[str, Depends(progress_actor)],
    number: Id,
    unit: Annotated[str, Form(description="a unit the plan names for the measure")],
    period: Annotated[str, Form(description="YYYY, YYYY-Qn or YYYY-MM")],
    status: Annotated[str, Form(description="not_started, on_track, at_risk, off_track, done")],
    district: Annotated[str | None, Form()] = None,
    narrative: Annotated[str | None, Form()] = None,
    evidence: Annotated[str | None, Form(description="documents, links")] = None,
    indicators: Annotated[
        str, Form(description='JSON object of indicator code: value, e.g. {"code": 72.5}')
    ] = "{}",
    due_date: Annotated[str | None, Form(description="YYYY-MM-DD")] = None,
    files: Annotated[
        list[UploadFile] | None, File(description="evidence: JPEG or PNG photos, PDF")
    ] = None,
) -> dict[str, Any]:
    try:
        service.load_plan().measure(number)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    try:
        values = json.loads(indicators or "{}")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        msg = "indicators must be a JSON object of indicator code: value"
        detail = [{"loc": ["body", "indicators"], "msg": msg, "type": "value_error"}]
        raise HTTPException(status_code=422, detail=detail)
    uploads = [(f.filename or "", await f.read()) for f in files or []]
    try:
        report = service.record_progress(
            engine,
            actor=actor,
            measure=number,
            unit=unit,
            district=district or None,
            period=period,
            status=status,
            narrative=narrative,
            evidence=evidence,
            indicators=values,
            due_date=due_date or None,
            files=uploads,
        )
    except ProgressError as exc:
        raise _refused(exc) from None
    return service.report_item(report)


@router.get(
    "/progress/{progress_id}/evidence/{sha256}",
    response_class=Response,
    summary="Download an evidence file of a progress report",
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "application/pdf": {}}},
        404: {"description": "No such report or file"},
    },
)
def get_evidence(
    engine: Annotated[sa.Engine, Depends(_engine)],
    _reader: ProgressReader,
    progress_id: Id,
    sha256: str,
) -> Response:
    try:
        found, content = service.evidence_file(engine, progress_id, sha256)
    except NotFoundError as exc:
        raise _not_found(exc) from None
    return Response(
        content,
        media_type=found.media_type,
        headers={"Content-Disposition": _disposition(found.name)},
    )


def _disposition(name: str) -> str:
    """An attachment header that keeps a Chinese file name (RFC 6266 filename*)."""
    fallback = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


@router.get("/matrix", response_model=Matrix, summary="Measures × units or districts")
def get_matrix(
    engine: Annotated[sa.Engine, Depends(_engine)],
    _reader: ProgressReader,
    by: Annotated[Literal["unit", "district"], Query(description="unit or district")] = "unit",
    as_of: AsOf = None,
) -> dict[str, Any]:
    return service.matrix(engine, by, today=as_of)


@router.get("/overview", summary="Overdue and off-track measures with the reasons")
def get_overview(
    engine: Annotated[sa.Engine, Depends(_engine)], _reader: ProgressReader, as_of: AsOf = None
) -> dict[str, Any]:
    return service.overview(engine, today=as_of)


@router.get(
    "/export.xlsx",
    response_class=Response,
    summary="Workbook: measures, matrices, reports, indicators",
    responses={200: {"content": {XLSX_TYPE: {}}}},
)
def get_export_xlsx(
    engine: Annotated[sa.Engine, Depends(_engine)], _reader: ProgressReader, as_of: AsOf = None
) -> Response:
    content = service.export_xlsx(engine, today=as_of)
    return Response(content, media_type=XLSX_TYPE, headers=_attachment("xlsx", as_of))


@router.get(
    "/export.pdf",
    response_class=Response,
    summary="PDF report: goals, indicators, measures, matrices, reports",
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_export_pdf(
    engine: Annotated[sa.Engine, Depends(_engine)], _reader: ProgressReader, as_of: AsOf = None
) -> Response:
    content = service.export_pdf(engine, today=as_of)
    return Response(content, media_type="application/pdf", headers=_attachment("pdf", as_of))


def _attachment(extension: str, as_of: date | None) -> dict[str, str]:
    day = (as_of or service.today_in_china()).isoformat()
    return {"Content-Disposition": f'attachment; filename="ecozone-plan-{day}.{extension}"'}
