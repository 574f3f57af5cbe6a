"""The transfer-manifest pages (order 23): the list (/waste/manifests, by state), one manifest
with its three parts and the action its reader may take now (dispatch with the carrier's
vehicle, hand over to the carrier, confirm receipt with the quantity, record utilisation or
disposal), and the draft form's target on the enterprise's waste file. The carrier leg's
map: the declared route and the vehicle's track (Leaflet, static/js/waste-track.js), the
deviations and long stops found, the route form and the track upload (CSV, xlsx, GPX).

Staff read their scope; an enterprise user reads the manifests it sends or receives and acts
on its own side. A refused action comes back with the message and what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config
from ecozone.errors import EcozoneError
from ecozone.times import local_time
from ecozone.waste import legs, manifests
from ecozone.waste.model import ManifestAction, ManifestState
from ecozone.web import shell
from ecozone.web.i18n import t
from ecozone.web.model import WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
READERS = ("admin", "supervisor", "enterprise")
DECLARERS = ("admin", "enterprise")
#: Who may declare a route or send a track: staff, and the consignor's or carrier's enterprise
#: (legs decides which manifest).
TRACKERS = ("admin", "supervisor", "enterprise")

shell.add_menu(MenuEntry("nav.waste_manifests", "/waste/manifests", READERS, 41, "nav.group.waste"))


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


@router.get("/waste/manifests", response_class=HTMLResponse)
def list_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    state = request.query_params.get("state", "").strip()
    try:
        found = manifests.manifests(engine, principal.scope, state or None)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    table = shell.make_table(
        "waste-manifests", lang,
        (("number", "waste.manifest_no"), ("consignor", "waste.consignor"),
         ("receiver", "waste.receiver"), ("code", "waste.code"),
         ("quantity_t", "waste.quantity_t"), ("received_t", "waste.received_t"),
         ("state_text", "waste.manifest_state"), ("drafted", "waste.drafted_at")),
        [{**m, "state_text": t(lang, f"waste.mstate.{m['state']}"),
          "drafted": local_time(m["drafted_at"]).strftime("%Y-%m-%d %H:%M"),
          "_href": {"number": f"/waste/manifests/{m['id']}"}} for m in found],
    )  # fmt: skip
    return shell.render(request, principal, lang, "waste/manifests.html", table=table,
                        state=state, states=tuple(ManifestState))  # fmt: skip


@router.get("/waste/manifests/{manifest_id}", response_class=HTMLResponse)
def manifest_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, manifest_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    done = request.query_params.get("done", "")
    notice = t(lang, f"waste.done.{done}") if done in tuple(ManifestAction) or done == "drafted" \
        else None  # fmt: skip
    if done == "route":
        notice = t(lang, "waste.done.route")
    elif done == "track":
        q = request.query_params
        notice = t(lang, "waste.done.track", added=q.get("added", "0"),
                   already=q.get("already", "0"))  # fmt: skip
    return _detail(request, principal, lang, engine, manifest_id, notice=notice)


def _detail(
    request: Request, principal: Any, lang: str, engine: Any, manifest_id: int, **extra: Any
) -> Response:
    try:
        found = manifests.manifest(engine, manifest_id, principal.scope)
        leg = legs.leg(engine, manifest_id, principal.scope, config.waste_settings())
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    leg["may_write"] = leg["may_write"] and principal.role in TRACKERS
    texts = {f"waste.finding.{k}": t(lang, f"waste.finding.{k}") for k in ("deviation", "stop")}
    texts.update({k: t(lang, k) for k in ("waste.route_declared", "waste.track",
                                          "waste.finding_at")})  # fmt: skip
    return shell.render(request, principal, lang, "waste/manifest.html", m=found, leg=leg,
                        page_data={"leg": leg, "leg_texts": texts}, **extra)  # fmt: skip


@router.post("/waste/manifests/{manifest_id}/route", response_class=HTMLResponse)
def declare_route(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    manifest_id: int,
    waypoints: Annotated[str, Form()] = "",
) -> Response:
    """Declare the leg's route, one "lon,lat" waypoint a line."""
    if (refused := shell.refused(request, principal, lang, TRACKERS)) is not None:
        return refused
    try:
        legs.set_route(engine, manifest_id, legs.parse_waypoints(waypoints),
                       actor=principal.username, scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return _detail(request, principal, lang, engine, manifest_id, route_error=str(exc),
                       route_typed=waypoints)  # fmt: skip
    return RedirectResponse(f"/waste/manifests/{manifest_id}?done=route", status_code=303)


@router.post("/waste/manifests/{manifest_id}/track", response_class=HTMLResponse)
async def upload_track(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    manifest_id: int,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import the vehicle's track from a CSV, xlsx or GPX file; a bad file stores nothing."""
    if (refused := shell.refused(request, principal, lang, TRACKERS)) is not None:
        return refused
    try:
        if file is None or not file.filename:
            raise WebError(t(lang, "waste.track_no_file"))
        content = await file.read()
        done = legs.import_points(engine, manifest_id, file.filename, content,
                                  actor=principal.username, scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return _detail(request, principal, lang, engine, manifest_id, track_error=str(exc))
    return RedirectResponse(f"/waste/manifests/{manifest_id}?done=track&added={done['added']}"
                            f"&already={done['already']}", status_code=303)  # fmt: skip


@router.post("/waste/enterprises/{credit_code}/manifests", response_class=HTMLResponse)
def draft(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: str,
    handler_id: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    quantity_t: Annotated[str, Form()] = "",
    facility: Annotated[str, Form()] = "",
    carrier_id: Annotated[str, Form()] = "",
    packaging: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, DECLARERS)) is not None:
        return refused
    from ecozone.waste.views import render_file

    typed = {"handler_id": handler_id, "code": code, "quantity_t": quantity_t,
             "facility": facility, "carrier_id": carrier_id, "packaging": packaging}  # fmt: skip
    try:
        if not handler_id.isdigit() or (carrier_id and not carrier_id.isdigit()):
            raise WebError(t(lang, "waste.bad_handler"))
        made = manifests.draft(
            engine, credit_code, handler_id=int(handler_id), code=code, quantity_t=quantity_t,
            facility=facility or None, carrier_id=int(carrier_id) if carrier_id else None,
            packaging=packaging, settings=config.waste_settings(), actor=principal.username,
            scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return render_file(request, principal, lang, engine, credit_code,
                           manifest_error=str(exc), manifest_typed=typed)  # fmt: skip
    return RedirectResponse(f"/waste/manifests/{made['id']}?done=drafted", status_code=303)


def _act(
    request: Request, principal: Any, lang: str, engine: Any, manifest_id: int, action: str,
    **form: str,
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, DECLARERS)) is not None:
        return refused
    try:
        manifests.act(engine, manifest_id, action, settings=config.waste_settings(),
                      calendar=config.desk_settings().calendar, actor=principal.username,
                      scope=principal.scope, **{k: v or None for k, v in form.items()})  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return _detail(request, principal, lang, engine, manifest_id, error=str(exc), typed=form)
    return RedirectResponse(f"/waste/manifests/{manifest_id}?done={action}", status_code=303)


@router.post("/waste/manifests/{manifest_id}/dispatch", response_class=HTMLResponse)
def dispatch(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    manifest_id: int,
    vehicle_plate: Annotated[str, Form()] = "",
    driver: Annotated[str, Form()] = "",
    route: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, principal, lang, engine, manifest_id, "dispatch",
                vehicle_plate=vehicle_plate, driver=driver, route=route)  # fmt: skip


@router.post("/waste/manifests/{manifest_id}/transit", response_class=HTMLResponse)
def transit(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, manifest_id: int
) -> Response:
    return _act(request, principal, lang, engine, manifest_id, "transit")


@router.post("/waste/manifests/{manifest_id}/receive", response_class=HTMLResponse)
def receive(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    manifest_id: int,
    received_t: Annotated[str, Form()] = "",
    arrived_at: Annotated[str, Form()] = "",
    difference_note: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, principal, lang, engine, manifest_id, "receive", received_t=received_t,
                arrived_at=arrived_at, difference_note=difference_note)  # fmt: skip


@router.post("/waste/manifests/{manifest_id}/complete", response_class=HTMLResponse)
def complete(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    manifest_id: int,
    method: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, principal, lang, engine, manifest_id, "complete", method=method)
