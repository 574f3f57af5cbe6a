"""The plan's page: the matrix of the 23 measures by department and district, drawn by
static/web/js/plan.js from the plan API (/api/v1/plan/...)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ecozone.web import shell
from ecozone.web.model import PLAN_ROLES, WebError
from ecozone.web.shell import Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
shell.add_menu(MenuEntry("nav.plan", "/plan", PLAN_ROLES, 10))


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, principal: Viewer, lang: Lang) -> Response:
    try:
        redirect = shell.gate(request, principal, PLAN_ROLES)
    except WebError as exc:
        return shell.error_page(request, principal, lang, exc)
    if redirect is not None:
        return redirect
    return shell.render(request, principal, lang, "plan/matrix.html")
