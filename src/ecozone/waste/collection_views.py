"""The collection-point pages (plan item 18): the points with their collectors (/waste/points,
add a point), one point (/waste/points/{id}: its clients, add a client, record a run with one
line per client's waste, the runs with their manifests). Staff only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.waste import collection, service
from ecozone.web import shell
from ecozone.web.i18n import t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)

shell.add_menu(
    MenuEntry("nav.waste_points", "/waste/points", SUPERVISING_ROLES, 42, "nav.group.waste")
)


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


@router.get("/waste/points", response_class=HTMLResponse)
def points_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    return _points(request, principal, lang, engine)


def _points(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    table = shell.make_table(
        "waste-points", lang,
        (("code", "waste.point_code"), ("name", "waste.point_name"),
         ("collector", "waste.collector"), ("licence_no", "waste.licence_no"),
         ("capacity_t", "waste.capacity_t"), ("clients", "waste.clients")),
        [{**p, "_href": {"name": f"/waste/points/{p['id']}"}}
         for p in collection.points(engine)],
    )  # fmt: skip
    collectors = [h for h in service.handlers(engine) if h["kind"] == "collector"]
    return shell.render(request, principal, lang, "waste/points.html", table=table,
                        collectors=collectors, **extra)  # fmt: skip


@router.post("/waste/points", response_class=HTMLResponse)
def add_point(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    handler_id: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    capacity_t: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"code": code, "name": name, "handler_id": handler_id, "address": address,
             "capacity_t": capacity_t}  # fmt: skip
    try:
        if not handler_id.isdigit():
            raise WebError(t(lang, "waste.bad_handler"))
        made = collection.add_point(engine, code=code, name=name, handler_id=int(handler_id),
                                    address=address, capacity_t=capacity_t,
                                    actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _points(request, principal, lang, engine, error=str(exc), typed=typed)
    return RedirectResponse(f"/waste/points/{made['id']}?done=point", status_code=303)


@router.get("/waste/points/{point_id}", response_class=HTMLResponse)
def point_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, point_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    done = request.query_params.get("done", "")
    notice = t(lang, f"waste.done.{done}") if done in ("point", "client", "run") else None
    return _point(request, principal, lang, engine, point_id, notice=notice)


def _point(
    request: Request, principal: Any, lang: str, engine: Any, point_id: int, **extra: Any
) -> Response:
    try:
        found = collection.point(engine, point_id, principal.scope)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    return shell.render(request, principal, lang, "waste/point.html", p=found, **extra)


@router.post("/waste/points/{point_id}/clients", response_class=HTMLResponse)
def add_client(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: int,
    credit_code: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        collection.add_client(engine, point_id, credit_code, actor=principal.username,
                              scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return _point(request, principal, lang, engine, point_id, client_error=str(exc),
                      client_typed=credit_code)  # fmt: skip
    return RedirectResponse(f"/waste/points/{point_id}?done=client", status_code=303)


@router.post("/waste/points/{point_id}/runs", response_class=HTMLResponse)
def add_run(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    point_id: int,
    day: Annotated[str, Form()] = "",
    vehicle_plate: Annotated[str, Form()] = "",
    driver: Annotated[str, Form()] = "",
    lines: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"day": day, "vehicle_plate": vehicle_plate, "driver": driver, "lines": lines}
    try:
        parsed = []
        for n, line in enumerate(lines.splitlines(), 1):
            if not line.strip():
                continue
            parts = line.replace("，", " ").replace(",", " ").split()
            if len(parts) != 3:
                raise WebError(t(lang, "waste.bad_line", n=n))
            parsed.append((parts[0], parts[1], parts[2]))
        collection.collect(engine, point_id, day=day, vehicle_plate=vehicle_plate,
                           driver=driver, lines=parsed, settings=config.waste_settings(),
                           calendar=config.desk_settings().calendar,
                           actor=principal.username, scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return _point(request, principal, lang, engine, point_id, run_error=str(exc),
                      run_typed=typed)  # fmt: skip
    return RedirectResponse(f"/waste/points/{point_id}?done=run", status_code=303)
