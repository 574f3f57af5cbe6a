"""The plan's pages: the matrix of the 23 measures (drawn by static/js/plan.js from the plan
API), the list of measures, and each measure's page with its progress history and the
report form coordinators fill in. The form calls service.record_progress, as the API does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ecozone.api.params import Id
from ecozone.plan import service
from ecozone.plan.model import NotFoundError, ProgressError, Status
from ecozone.web import shell
from ecozone.web.i18n import add_texts
from ecozone.web.model import PLAN_ROLES, NotFound, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

#: Who fills in the report form (the API's plan.api.WRITER_ROLES).
WRITER_ROLES = ("coordinator", "admin")
#: The form's fields besides the indicator values (indicator.<code>) and the files.
FORM_FIELDS = ("unit", "district", "period", "status", "narrative", "evidence", "due_date")
#: The order statuses are offered in, and in which the legend lists them.
STATUSES = tuple(s.value for s in Status)

shell.add_menu(
    MenuEntry("nav.plan", "/plan", PLAN_ROLES, 10, "nav.group.plan"),
    MenuEntry("nav.plan_measures", "/plan/measures", PLAN_ROLES, 11, "nav.group.plan"),
)

add_texts(
    {
        "nav.plan_measures": ("任务清单与进展填报", "Measures and progress reports"),
        "plan.not_involved": ("不涉及", "Not involved"),
        "plan.open_measure": ("打开任务页填报进展", "Open the measure to report progress"),
        "plan.measures_title": ("方案任务清单", "The plan's measures"),
        "plan.measures_lead": (
            "23项重点工作及其牵头、配合单位；打开任务可查看进展记录并填报进展。",
            "The 23 measures with their lead and co-operating units; open one to see its "
            "progress history and report progress.",
        ),
        "plan.number": ("编号", "No."),
        "plan.lead_units": ("牵头单位", "Lead units"),
        "plan.co_units": ("配合单位", "Co-operating units"),
        "plan.districts": ("实施区域", "Districts"),
        "plan.indicators": ("量化指标", "Indicators"),
        "plan.section": ("所属部分", "Section"),
        "plan.clauses": ("任务内容", "Tasks"),
        "plan.indicator": ("指标", "Indicator"),
        "plan.target": ("目标", "Target"),
        "plan.target_year": ("目标年", "Year"),
        "plan.tracked": ("跟踪值", "tracked"),
        "plan.no_indicators": ("本任务没有量化指标", "This measure has no quantified indicator"),
        "plan.standing": ("推进情况", "Where it stands"),
        "plan.standing_note": (
            "应报期间 {period}（{cadence}报告）；红框表示逾期未报。",
            "Period due {period} ({cadence} reports); a red frame marks an overdue report.",
        ),
        "plan.cadence.monthly": ("按月", "monthly"),
        "plan.cadence.quarterly": ("按季度", "quarterly"),
        "plan.cadence.yearly": ("按年", "yearly"),
        "plan.unit": ("责任单位", "Unit"),
        "plan.district": ("区域", "District"),
        "plan.status": ("推进状态", "Status"),
        "plan.period": ("报告期", "Period"),
        "plan.history": ("进展记录", "Progress history"),
        "plan.no_reports": ("尚无进展报告", "No progress report yet"),
        "plan.narrative": ("进展情况", "Progress"),
        "plan.evidence": ("佐证说明", "Evidence notes"),
        "plan.evidence_files": ("佐证材料", "Evidence files"),
        "plan.indicator_values": ("指标值", "Indicator values"),
        "plan.due_date": ("完成时限", "Due date"),
        "plan.reported_by": ("报告人", "Reported by"),
        "plan.reported_at": ("报告时间", "Reported at"),
        "plan.report_form": ("填报进展", "Report progress"),
        "plan.city_wide": ("全市（不分区域）", "City-wide (no district)"),
        "plan.choose": ("请选择", "Choose"),
        "plan.period_hint": (
            "年（2026）、季度（2026-Q3）或月（2026-11）",
            "a year (2026), quarter (2026-Q3) or month (2026-11)",
        ),
        "plan.files_hint": (
            "可选多个文件：JPEG、PNG 照片或 PDF，每个不超过 10 MB",
            "Several files allowed: JPEG or PNG photos, PDF; 10 MB each at most",
        ),
        "plan.submit": ("提交进展报告", "Submit the report"),
        "plan.refused": (
            "进展报告未保存，请修改以下问题：",
            "The report was not saved; please correct:",
        ),
        "plan.saved": ("进展报告已保存（编号 {id}）", "Progress report saved (no. {id})"),
        "plan.read_only": (
            "进展由方案协调人填报；您可以查看进展记录。",
            "Progress is reported by plan coordinators; you can read the history.",
        ),
        "plan.back_to_matrix": ("返回任务矩阵", "Back to the matrix"),
    }
)


def _gate(request: Request, principal: Any, roles: tuple[str, ...]) -> Response | None:
    return shell.gate(request, principal, roles)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    try:
        redirect = _gate(request, principal, PLAN_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    return shell.render(request, principal, lang, "plan/matrix.html", statuses=STATUSES)


@router.get("/plan/measures", response_class=HTMLResponse)
def measures_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    try:
        redirect = _gate(request, principal, PLAN_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    plan = service.load_plan()
    counts = {m.number: len(plan.indicators_of(m.number)) for m in plan.measures}
    return shell.render(
        request,
        principal,
        lang,
        "plan/measures.html",
        measures=service.list_measures(plan),
        indicator_counts=counts,
    )


@router.get("/plan/measures/{number}", response_class=HTMLResponse)
def measure_page(
    number: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    try:
        redirect = _gate(request, principal, PLAN_ROLES)
        if redirect is not None:
            return redirect
        saved = request.query_params.get("saved")
        return _render_measure(request, principal, lang, engine, number, saved=saved)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)


@router.post("/plan/measures/{number}", response_class=HTMLResponse)
async def report_progress(
    number: Id, request: Request, principal: Viewer, lang: Lang, engine: Engine
) -> Response:
    """The report form: stored and back to the measure page, or the form again with the
    problems in the viewer's language and what was typed kept (files must be chosen again)."""
    try:
        redirect = _gate(request, principal, WRITER_ROLES)
        if redirect is not None:
            return redirect
        _measure(number)
        form = await request.form()
        typed = {name: str(form.get(name) or "") for name in FORM_FIELDS}
        values = {
            key.removeprefix("indicator."): str(value)
            for key, value in form.multi_items()
            if key.startswith("indicator.") and isinstance(value, str)
        }
        uploads = [
            (item.filename or "", await item.read())
            for item in form.getlist("files")
            if isinstance(item, UploadFile) and (item.filename or item.size)
        ]
        try:
            report = service.record_progress(
                engine,
                actor=principal.username,
                measure=number,
                unit=typed["unit"],
                district=typed["district"] or None,
                period=typed["period"],
                status=typed["status"],
                narrative=typed["narrative"],
                evidence=typed["evidence"],
                indicators=values,
                due_date=typed["due_date"] or None,
                files=uploads,
            )
        except ProgressError as exc:
            problems = [
                {"field": p.field, "message": p.message if lang == "en" else p.zh}
                for p in exc.problems
            ]
            typed_values = {**typed, **{f"indicator.{k}": v for k, v in values.items()}}
            return _render_measure(
                request, principal, lang, engine, number,
                status_code=400, problems=problems, typed=typed_values,
            )  # fmt: skip
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return RedirectResponse(f"/plan/measures/{number}?saved={report.id}#history", status_code=303)


def _measure(number: int) -> None:
    try:
        service.load_plan().measure(number)
    except NotFoundError:
        raise NotFound(f"no measure {number} in the plan") from None


def _render_measure(
    request: Request,
    principal: Any,
    lang: str,
    engine: Any,
    number: int,
    *,
    status_code: int = 200,
    problems: list[dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    _measure(number)
    detail = service.measure_detail(engine, number)
    plan = service.load_plan()
    measure = plan.measure(number)
    reports = service.list_progress(engine, measure=number)
    standing = {
        by: _standing(service.matrix(engine, by, reports=reports), number, responsible)
        for by, responsible in (("unit", measure.units), ("district", measure.districts))
    }
    form = typed if typed is not None else {"period": detail["period_due"]}
    problem_fields = {p["field"] for p in problems or []}
    return shell.render(
        request,
        principal,
        lang,
        "plan/measure.html",
        status_code=status_code,
        measure=detail,
        reports=reports,
        standing=standing,
        statuses=STATUSES,
        indicator_names={i["code"]: i for i in detail["indicators"]},
        can_report=principal.role in WRITER_ROLES,
        problems=problems or [],
        problem_fields=problem_fields,
        form=form,
        saved=saved if saved and saved.isdigit() else None,
    )


def _standing(data: dict[str, Any], number: int, responsible: tuple[str, ...]) -> list[dict]:
    """The matrix row of one measure: one cell per responsible unit or district."""
    row = next(r for r in data["rows"] if r["number"] == number)
    return [{"column": column, **row["cells"][column]} for column in responsible]
