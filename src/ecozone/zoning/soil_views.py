"""The soil list pages (建设用地土壤污染风险管控和修复名录): the list with its filter and the
form to list a site (/zoning/soil), and a site's page with its history, the status step
(confirmed first), the land-use change (flagged while listed) and its documents. Staff only;
a district supervisor sees the district's sites and the zone-wide ones.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from ecozone.errors import EcozoneError
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer
from ecozone.zoning import emergency, soil
from ecozone.zoning.messages import refusal
from ecozone.zoning.model import SoilStatus
from ecozone.zoning.views import GROUP

router = APIRouter(include_in_schema=False)

shell.add_menu(MenuEntry("nav.soil", "/zoning/soil", SUPERVISING_ROLES, 64, GROUP))

add_texts(
    {
        "nav.soil": ("土壤污染风险地块", "Soil risk sites"),
        "soil.title": (
            "建设用地土壤污染风险管控和修复名录",
            "Soil risk control and remediation list",
        ),
        "soil.lead": (
            "名录内地块的状态、日期和文件；未达到风险管控、修复目标的地块变更用途予以标记（土壤污染防治法第六十六条）。",
            "Sites on the list with their status, dates and documents; a land-use change on "
            "a site still listed is flagged (Soil Pollution Law art. 66).",
        ),
        "soil.none": ("名录为空。", "The list is empty."),
        "soil.add": ("列入名录", "List a site"),
        "soil.added": ("地块已列入名录。", "Site listed."),
        "soil.code": ("地块编码", "Site code"),
        "soil.name": ("地块名称", "Site name"),
        "soil.owner": ("土地使用权人", "Land-use right holder"),
        "soil.area": ("面积（m²）", "Area (m²)"),
        "soil.pollutants": ("关注污染物（以；分隔）", "Pollutants (separated by ;)"),
        "soil.land_use": ("用途", "Land use"),
        "soil.listed_on": ("列入日期", "Listed on"),
        "soil.status": ("状态", "Status"),
        "soil.status_since": ("状态起始", "Since"),
        "soil.address": ("地址", "Address"),
        "soil.flags": ("用途变更标记", "Land-use flags"),
        "soil.status.listed": ("列入名录", "Listed"),
        "soil.status.under_control": ("风险管控", "Under risk control"),
        "soil.status.remediation": ("修复", "Remediation"),
        "soil.status.removed": ("移出名录", "Removed"),
        "soil.all": ("全部", "All"),
        "soil.filter": ("筛选", "Filter"),
        "soil.history": ("地块记录", "History"),
        "soil.move": ("变更状态", "Move status"),
        "soil.move_confirm": ("确定变更该地块的状态？", "Move this site's status?"),
        "soil.moved": ("状态已变更。", "Status moved."),
        "soil.to": ("新状态", "New status"),
        "soil.date": ("日期", "Date"),
        "soil.note": ("说明", "Note"),
        "soil.no_step": ("该地块已移出名录，无后续状态。", "The site is removed; no further step."),
        "soil.change_use": ("变更用途", "Change land use"),
        "soil.use_changed": ("用途已变更。", "Land use changed."),
        "soil.use_flagged": (
            "用途已变更，并已标记：地块仍在名录内，未达到风险管控、修复目标前禁止开工建设与风险管控、修复无关的项目。",
            "Land use changed and flagged: the site is still listed; no project unrelated to "
            "risk control or remediation may start before the goal is met.",
        ),
        "soil.documents": ("文件", "Documents"),
        "soil.upload": ("上传文件", "Upload"),
        "soil.uploaded": ("文件已保存。", "Document kept."),
        "soil.file": ("文件（PDF 或照片）", "File (PDF or photo)"),
        "soil.event": ("事项", "Event"),
        "soil.event.listed": ("列入名录", "Listed"),
        "soil.event.status": ("状态变更", "Status"),
        "soil.event.land_use": ("用途变更", "Land use"),
        "soil.event.document": ("文件", "Document"),
        "soil.change": ("变更", "Change"),
        "soil.flagged": ("⚠ 标记", "⚠ flagged"),
        "soil.actor": ("经办人", "By"),
        "soil.refused": ("未保存：{error}", "Not saved: {error}"),
        "file.soil-sites": ("土壤污染风险管控和修复名录", "Soil risk list"),
    }
)


def _refused(lang: str, exc: EcozoneError) -> str:
    return t(lang, "soil.refused", error=refusal(str(exc), lang))


def _status(lang: str, value: str | None) -> str:
    return t(lang, f"soil.status.{value}") if value in tuple(SoilStatus) else (value or "")


def _list_page(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in tuple(SoilStatus) else ""
    table = shell.make_table(
        "soil-sites", lang,
        (("code", "soil.code"), ("name", "soil.name"), ("owner", "soil.owner"),
         ("district", "col.district"), ("area_m2", "soil.area"), ("pollutants_text",
         "soil.pollutants"), ("land_use", "soil.land_use"), ("status_text", "soil.status"),
         ("status_since", "soil.status_since"), ("flags_text", "soil.flags")),
        [{**s, "pollutants_text": "；".join(s["pollutants"]),
          "status_text": _status(lang, s["status"]),
          "flags_text": t(lang, "soil.flagged") if s["flags"] else "",
          "_href": {"code": f"/zoning/soil/{s['id']}"},
          "_class": "flagged" if s["flags"] else ""}
         for s in soil.sites(engine, principal.scope, status or None)],
    )  # fmt: skip
    fmt = request.query_params.get("format", "")
    if fmt in ("json", "csv", "xlsx"):
        return shell.respond(table, fmt, lang, "soil-sites")
    typed = extra.pop("typed", None) or {"listed_on": emergency.today_cst().isoformat()}
    return shell.render(request, principal, lang, "zoning/soil.html", table=table,
                        statuses=tuple(SoilStatus), status=status, typed=typed,
                        districts=soil.districts(engine), **extra)  # fmt: skip


@router.get("/zoning/soil", response_class=HTMLResponse)
def soil_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    return _list_page(request, principal, lang, engine)


@router.post("/zoning/soil", response_class=HTMLResponse)
def add_site(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    code: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "", area_m2: Annotated[str, Form()] = "",
    pollutants: Annotated[str, Form()] = "", land_use: Annotated[str, Form()] = "",
    listed_on: Annotated[str, Form()] = "", district: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "", lon: Annotated[str, Form()] = "",
    lat: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"code": code, "name": name, "owner": owner, "area_m2": area_m2,
             "pollutants": pollutants, "land_use": land_use, "listed_on": listed_on,
             "district": district, "address": address, "lon": lon, "lat": lat}  # fmt: skip
    try:
        soil.list_site(engine, **typed, actor=principal.username)
    except EcozoneError as exc:
        return _list_page(request, principal, lang, engine, typed=typed,
                          error=_refused(lang, exc))  # fmt: skip
    return _list_page(request, principal, lang, engine, notice=t(lang, "soil.added"))


def _site_page(
    request: Request, principal: Any, lang: str, engine: Any, site_id: int, **extra: Any
) -> Response:
    try:
        found = soil.site(engine, principal.scope, site_id)
    except EcozoneError as exc:
        error = WebError(str(exc))
        error.status_code = exc.http_status
        return shell.error_page(request, principal, lang, error)
    rows = []
    for e in found["events"]:
        before, after = e["before"], e["after"]
        if e["kind"] in ("listed", "status"):
            before, after = _status(lang, before), _status(lang, after)
        change = f"{before} → {after}" if before else (after or "")
        rows.append({
            "on_date": e["on_date"], "event": t(lang, f"soil.event.{e['kind']}"),
            "change": change if e["kind"] != "document" else e["file_name"],
            "note": e["note"] or "", "flag": t(lang, "soil.flagged") if e["flagged"] else "",
            "actor": e["actor"],
            "_href": ({"change": f"/zoning/soil/{site_id}/documents/{e['file_sha256']}"}
                      if e["file_sha256"] else {}),
            "_class": "flagged" if e["flagged"] else "",
        })  # fmt: skip
    table = shell.make_table(
        "soil-site-history", lang,
        (("on_date", "soil.date"), ("event", "soil.event"), ("change", "soil.change"),
         ("note", "soil.note"), ("flag", "soil.flags"), ("actor", "soil.actor")),
        rows,
    )  # fmt: skip
    return shell.render(request, principal, lang, "zoning/soil_site.html", site=found,
                        table=table, status_text=_status(lang, found["status"]),
                        today=emergency.today_cst().isoformat(), **extra)  # fmt: skip


@router.get("/zoning/soil/{site_id}", response_class=HTMLResponse)
def site_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, site_id: int
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    return _site_page(request, principal, lang, engine, site_id)


@router.post("/zoning/soil/{site_id}/status", response_class=HTMLResponse)
def move_status(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, site_id: int,
    status: Annotated[str, Form()] = "", on_date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        soil.move_status(engine, principal.scope, site_id, status, on_date, note,
                         actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _site_page(request, principal, lang, engine, site_id)
        return _site_page(request, principal, lang, engine, site_id,
                          status_error=_refused(lang, exc))  # fmt: skip
    return _site_page(request, principal, lang, engine, site_id, notice=t(lang, "soil.moved"))


@router.post("/zoning/soil/{site_id}/land-use", response_class=HTMLResponse)
def change_land_use(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, site_id: int,
    land_use: Annotated[str, Form()] = "", on_date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        made = soil.change_land_use(engine, principal.scope, site_id, land_use, on_date, note,
                                    actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _site_page(request, principal, lang, engine, site_id)
        return _site_page(request, principal, lang, engine, site_id,
                          use_error=_refused(lang, exc))  # fmt: skip
    key = "soil.use_flagged" if made["flagged"] else "soil.use_changed"
    return _site_page(request, principal, lang, engine, site_id, notice=t(lang, key))


@router.post("/zoning/soil/{site_id}/documents", response_class=HTMLResponse)
def upload_document(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, site_id: int,
    file: Annotated[UploadFile | None, File()] = None, on_date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        content = file.file.read() if file is not None else b""
        soil.attach_document(engine, principal.scope, site_id,
                             (file.filename if file is not None else "") or "", content,
                             on_date, note, actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status == 404:
            return _site_page(request, principal, lang, engine, site_id)
        return _site_page(request, principal, lang, engine, site_id,
                          file_error=_refused(lang, exc))  # fmt: skip
    return _site_page(request, principal, lang, engine, site_id, notice=t(lang, "soil.uploaded"))


@router.get("/zoning/soil/{site_id}/documents/{sha256}")
def document(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, site_id: int, sha256: str
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        name, media, content = soil.document(engine, principal.scope, site_id, sha256)
    except EcozoneError as exc:
        error = WebError(str(exc))
        error.status_code = exc.http_status
        return shell.error_page(request, principal, lang, error)
    return Response(content, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})  # fmt: skip
