"""The data-marking page (数据标记): enterprises declare and revoke marks for their own points,
supervisors filter, review (accept / reject with a comment) and export them.

One page at /marks whose parts follow the role; every action posts a form to a use case of
compliance.marks (the same as the REST API and the CLI) and comes back with a notice, or
with the form as typed and each problem in the viewer's language. Late declarations (补报)
are highlighted with their delay (MarkSettings.late_after).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config, errors
from ecozone.accounts.model import Principal
from ecozone.api.params import Id
from ecozone.compliance import mark_texts, marks, rules
from ecozone.compliance import store as compliance_store
from ecozone.compliance.model import MarkKind, MarkReview
from ecozone.hj212 import codes
from ecozone.registry import store as registry_store
from ecozone.times import parse_time
from ecozone.web import shell
from ecozone.web.i18n import pollutant_name, t
from ecozone.web.model import NotFound, Table, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

VIEWERS = ("admin", "supervisor", "enterprise")
DECLARERS = ("admin", "enterprise")  # as POST /api/v1/marks
REVIEWERS = ("admin", "supervisor")  # as POST /api/v1/marks/{id}/review
Format = Literal["json", "csv", "xlsx"]

assert mark_texts  # imported for its texts

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.marks", "/marks", VIEWERS, 20, "nav.group.monitoring"))


class FormError(WebError):
    """A declaration or review refused with field-by-field messages (field -> text)."""

    def __init__(self, problems: dict[str, str], status_code: int = 400) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems
        self.status_code = status_code


# --- reading -----------------------------------------------------------------------------


FILTER_KEYS = ("district", "enterprise", "kind", "state", "start", "end", "late")


def _filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in FILTER_KEYS}


def list_rows(engine: sa.Engine, principal: Principal, filters: dict[str, str]) -> list[dict]:
    """The marks the viewer may read, narrowed by the filter form; NotFound for a filter
    value that names nothing (or something outside the scope)."""
    try:
        district_id = int(filters["district"]) if filters.get("district") else None
        found = marks.list_marks(
            engine,
            scope=principal.scope,
            credit_code=filters.get("enterprise") or None,
            kind=filters.get("kind") or None,
            state=filters.get("state") or None,
            district_id=district_id,
            start=filters.get("start") or None,
            end=_day_after(filters.get("end")),
        )
    except (ValueError, errors.Invalid) as exc:
        raise WebError(str(exc)) from exc
    found.reverse()  # newest first on the page
    if filters.get("late"):
        found = [m for m in found if m["late"]]
    return found


def _day_after(day: str | None) -> str | None:
    """The period filter's end date is inclusive: marks starting that day are kept."""
    if not day:
        return None
    return (parse_time(day, "end") + timedelta(days=1)).isoformat()


def delay_text(hours: float, lang: str) -> str:
    """How late a declaration was, to the minute: 1天2小时, 5小时30分钟, 45分钟."""
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 24 * 60)
    parts = []
    for amount, unit in ((days, "d"), (rest // 60, "h"), (rest % 60, "min")):
        if amount:
            parts.append(t(lang, f"marks.unit.{unit}", n=amount))
    return (" " if lang == "en" else "").join(parts) or t(lang, "marks.unit.min", n=0)


def marks_table(found: list[dict[str, Any]], lang: str) -> Table:
    rows = []
    for m in found:
        late = t(lang, "marks.late_by", delay=delay_text(m["late_by_h"], lang)) if m["late"] else ""
        rows.append(
            {
                "id": m["id"],
                "district": m["district"],
                "enterprise": m["enterprise"],
                "point": f"{m['point']} {m['point_name']}",
                "pollutant": pollutant_name(m["pollutant"], lang)
                if m["pollutant"]
                else t(lang, "marks.all_pollutants"),
                "kind": t(lang, f"mark.{m['kind']}"),
                "start": parse_time(m["start"], "start"),
                "end": parse_time(m["end"], "end"),
                "reason": m["reason"],
                "declared_by": m["declared_by"],
                "declared_at": datetime.fromisoformat(m["declared_at"]),
                "late": late,
                "state": t(lang, f"marks.state.{m['state']}"),
                "review": " · ".join(x for x in (m["review_comment"], m["reviewed_by"]) if x),
                "_href": {"enterprise": f"/enterprises/{m['credit_code']}"},
                "_class": " ".join(
                    c for c, on in (("late", m["late"]), ("revoked", m["revoked_at"])) if on
                ),
                "_state": m["state"],
                "_credit_code": m["credit_code"],
            }
        )
    columns = (
        ("id", "col.mark_id"),
        ("district", "col.district"),
        ("enterprise", "col.enterprise"),
        ("point", "col.point"),
        ("pollutant", "col.pollutant"),
        ("kind", "col.mark_kind"),
        ("start", "col.start"),
        ("end", "col.end"),
        ("reason", "col.reason"),
        ("declared_by", "col.declared_by"),
        ("declared_at", "col.declared_at"),
        ("late", "col.late_declared"),
        ("state", "col.review_state"),
        ("review", "col.review"),
    )
    return shell.make_table("data-marks", lang, columns, rows)


def _choices(conn: sa.Connection, principal: Principal, lang: str) -> dict[str, Any]:
    """What the forms offer: the viewer's districts, enterprises, and own points with their
    permitted pollutants (the declaration form lists own points only)."""
    scope = principal.scope
    points = registry_store.points_in_scope(conn, scope) if principal.role in DECLARERS else []
    limits = compliance_store.limits_for_points(conn, [p["id"] for p in points]) if points else []
    pollutants = sorted({lim.pollutant for lim in limits})
    return {
        "districts": registry_store.districts_in_scope(conn, scope),
        "enterprises": registry_store.enterprises_in_scope(conn, scope),
        "points": points,
        "pollutants": [(code, pollutant_name(code, lang)) for code in pollutants],
        "kinds": [kind.value for kind in MarkKind],
        "states": marks.MARK_STATES,
    }


def _page(
    request: Request,
    principal: Principal,
    lang: str,
    engine: sa.Engine,
    *,
    status_code: int = 200,
    notice: str | None = None,
    form: dict[str, str] | None = None,
    form_errors: dict[str, str] | None = None,
    review_error: dict[str, Any] | None = None,
) -> HTMLResponse:
    filters = _filters(request)
    found = list_rows(engine, principal, filters)
    with engine.connect() as conn:
        choices = _choices(conn, principal, lang)
    query = urlencode({k: v for k, v in filters.items() if v})
    settings = config.mark_settings()
    return shell.render(
        request,
        principal,
        lang,
        "compliance/marks.html",
        status_code=status_code,
        table=marks_table(found, lang),
        filters=filters,
        query=query,
        export_url="/web/api/marks" + (f"?{query}" if query else ""),
        choices=choices,
        can_declare=principal.role in DECLARERS,
        can_review=principal.role in REVIEWERS,
        form=form or {"kind": "maintenance"},
        form_errors=form_errors or {},
        review_error=review_error,
        notice=notice,
        late_hours=settings.late_after.total_seconds() / 3600,
    )


@router.get("/marks", response_class=HTMLResponse)
def marks_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    try:
        redirect = shell.gate(request, principal, VIEWERS)
        if redirect is not None:
            return redirect
        notice = None
        for action in ("declared", "revoked", "reviewed"):
            done = request.query_params.get(action)
            if done and done.isdigit():
                notice = t(lang, f"marks.notice.{action}", id=done)
        return _page(request, principal, lang, engine, notice=notice)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)


@router.get("/web/api/marks")
def marks_export(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, format: Format = "json"
) -> Response:
    """The page's list with its filters, as JSON or a CSV/xlsx download."""
    try:
        shell.require_role(principal, VIEWERS)
        table = marks_table(list_rows(engine, principal, _filters(request)), lang)
    except WebError as exc:
        return shell.json_error(exc)
    return shell.respond(table, format, lang, "data-marks")


# --- declaring -----------------------------------------------------------------------------


def _own_point(engine: sa.Engine, principal: Principal, point_id: str, lang: str) -> int:
    """The id of a point the viewer may declare for; a foreign point answers exactly as a
    missing one."""
    with engine.connect() as conn:
        row = registry_store.get_point(conn, int(point_id)) if point_id.isdigit() else None
    if row is None or not principal.scope.owns(
        row["enterprise_id"], district_id=row["district_id"]
    ):
        raise FormError({"point_id": t(lang, "marks.error.no_point")}, status_code=404)
    return row["id"]


def check_declaration(form: dict[str, str], now: datetime, lang: str) -> dict[str, str]:
    """The form's problems in the viewer's language, field by field (empty: fine). The use
    case checks the same again; this only says it in words a person reads."""
    problems: dict[str, str] = {}
    if form["kind"] not in [k.value for k in MarkKind]:
        problems["kind"] = t(lang, "marks.error.kind")
    if form["pollutant"] and codes.pollutant(form["pollutant"]) is None:
        problems["pollutant"] = t(lang, "marks.error.pollutant")
    times: dict[str, datetime] = {}
    for field in ("start", "end"):
        if not form[field]:
            problems[field] = t(lang, f"marks.error.{field}_missing")
            continue
        try:
            times[field] = parse_time(form[field], field)
        except errors.Invalid:
            problems[field] = t(lang, "marks.error.time_format")
    if len(times) == 2:
        if times["end"] <= times["start"]:
            problems["end"] = t(lang, "marks.error.end_before_start")
        else:
            window = rules.mark_window_problems(
                times["start"], times["end"], now, config.mark_settings()
            )
            for field, problem, numbers in window:
                problems.setdefault(field, t(lang, f"marks.error.{problem}", **numbers))
    reason = form["reason"].strip()
    if not reason:
        problems["reason"] = t(lang, "marks.error.reason_missing")
    elif len(reason) > rules.REASON_MAX:
        problems["reason"] = t(lang, "marks.error.reason_long", n=rules.REASON_MAX)
    return problems


@router.post("/marks", response_class=HTMLResponse)
def declare(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: Annotated[str, Form()] = "",
    pollutant: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Declare a mark for one of the viewer's points; back to the list with a notice, or the
    form as typed with its problems."""
    form = {"pollutant": pollutant.strip(), "kind": kind, "start": start.strip(),
            "end": end.strip(), "reason": reason}  # fmt: skip
    try:
        redirect = shell.gate(request, principal, DECLARERS)
        if redirect is not None:
            return redirect
        own = _own_point(engine, principal, point_id.strip(), lang)
        form["point_id"] = str(own)
        now = shell.now()
        problems = check_declaration(form, now, lang)
        if problems:
            raise FormError(problems)
        try:
            mark = marks.declare_mark(
                engine, point_id=own, pollutant=form["pollutant"] or None, kind=kind,
                start=form["start"], end=form["end"], reason=reason, actor=principal.username,
                now=now,
            )  # fmt: skip
        except errors.Invalid as exc:  # what only the use case knows (e.g. the text rule)
            raise FormError({"form": str(exc)}) from exc
    except FormError as exc:
        return _page(request, principal, lang, engine, status_code=exc.status_code,
                     form=form, form_errors=exc.problems)  # fmt: skip
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return RedirectResponse(f"/marks?declared={mark['id']}#mark-{mark['id']}", status_code=303)


# --- revoking and reviewing -----------------------------------------------------------------


def _back(query: str, **done: int) -> str:
    """The list as it was filtered (the filter keys only), with the notice of what was done."""
    kept = [(k, v) for k, v in parse_qsl(query) if k in FILTER_KEYS]
    return "/marks?" + urlencode([*kept, *done.items()])


@router.post("/marks/{mark_id}/revoke", response_class=HTMLResponse)
def revoke(
    mark_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    back: Annotated[str, Form()] = "",
) -> Response:
    """Withdraw one of the viewer's declarations (the page asks to confirm first)."""
    try:
        redirect = shell.gate(request, principal, DECLARERS)
        if redirect is not None:
            return redirect
        try:
            marks.revoke_mark(engine, mark_id, actor=principal.username, scope=principal.scope)
        except errors.NotFound as exc:
            raise NotFound(f"no data mark {mark_id} here") from exc
        except errors.Conflict as exc:
            raise WebError(t(lang, "marks.error.revoked_already")) from exc
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return RedirectResponse(_back(back, revoked=mark_id), status_code=303)


@router.post("/marks/{mark_id}/review", response_class=HTMLResponse)
def review(
    mark_id: Id,
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    decision: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """A supervisor accepts a declaration or rejects it with a comment."""
    try:
        redirect = shell.gate(request, principal, REVIEWERS)
        if redirect is not None:
            return redirect
        try:
            if decision == MarkReview.REJECTED and not comment.strip():
                with engine.connect() as conn:  # a missing mark answers 404 first
                    if not compliance_store.marks(conn, mark_id=mark_id, scope=principal.scope):
                        raise NotFound(f"no data mark {mark_id} here")
                raise FormError({"comment": t(lang, "marks.error.comment_missing")})
            marks.review_mark(engine, mark_id, decision=decision, comment=comment,
                              actor=principal.username, scope=principal.scope)  # fmt: skip
        except errors.NotFound as exc:
            raise NotFound(f"no data mark {mark_id} here") from exc
        except errors.Conflict as exc:
            raise FormError({"comment": t(lang, "marks.error.review_revoked")}) from exc
        except FormError:
            raise
        except errors.Invalid as exc:
            raise FormError({"comment": str(exc)}) from exc
    except FormError as exc:
        error = {"mark_id": mark_id, "message": str(exc), "comment": comment}
        return _page(request, principal, lang, engine, status_code=400, review_error=error)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    return RedirectResponse(_back(back, reviewed=mark_id), status_code=303)
