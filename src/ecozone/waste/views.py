"""The waste pages: the zone overview (/waste: generation by district and category, the flow
chart generator → handler, the generators with their class, the handlers and their licences),
and an enterprise's waste file (/waste/enterprises/{credit_code}: stock by code and age,
facilities, the year's balance, the ledger, and the forms that add to it), with the annual
declaration assembled from the ledger as a download.

Forms call the same use cases as the API and the CLI; a refused form comes back with the
message and what was typed. Staff read their scope; an enterprise its own file, where it
records; the public and coordinators see no waste.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config, times
from ecozone.errors import EcozoneError
from ecozone.waste import collection_views, declarations, manifest_views, manifests, service
from ecozone.waste.model import EntryKind, FacilityKind, HandlerKind, ManagementClass
from ecozone.waste.texts import TEXTS
from ecozone.web import export, shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
router.include_router(manifest_views.router)
router.include_router(collection_views.router)
READERS = ("admin", "supervisor", "enterprise")
DECLARERS = ("admin", "enterprise")
GROUP = "nav.group.waste"

shell.add_menu(MenuEntry("nav.waste", "/waste", READERS, 40, GROUP))
add_texts(TEXTS)


def _today() -> date:
    return times.cst_naive(shell.now()).date()


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _year(request: Request, lang: str) -> int | None:
    text = request.query_params.get("year", "").strip()
    if not text:
        return None
    if not (text.isdigit() and 2000 <= int(text) <= 2200):
        raise WebError(t(lang, "waste.bad_year", value=text))
    return int(text)


# --- the zone --------------------------------------------------------------------------------


@router.get("/waste", response_class=HTMLResponse)
def overview_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    if principal.role == "enterprise":
        mine = service.enterprises(engine, principal.scope, _today().year,
                                   config.waste_settings())  # fmt: skip
        if len(mine) == 1:
            return RedirectResponse(f"/waste/enterprises/{mine[0]['credit_code']}",
                                    status_code=303)  # fmt: skip
    return _overview(request, principal, lang, engine)


def _overview(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    try:
        found = service.overview(engine, principal.scope, _year(request, lang))
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    year = found["year"]
    generation = shell.make_table(
        "waste-generation", lang,
        (("district", "col.district"), ("category", "waste.category"),
         ("quantity_t", "waste.quantity_t"), ("enterprises", "waste.enterprises")),
        [{**g, "category": "HW" + g["hw"], "quantity_t": round(g["quantity_t"], 3)}
         for g in found["generation"]],
    )  # fmt: skip
    generators = shell.make_table(
        "waste-generators", lang,
        (("name", "col.enterprise"), ("district", "col.district"),
         ("generated_t", "waste.generated_t"), ("computed_text", "waste.computed_class"),
         ("class_text", "waste.class")),
        [{**e, "computed_text": t(lang, f"waste.class.{e['computed']}"),
          "class_text": t(lang, f"waste.class.{e['class']}"),
          "_href": {"name": f"/waste/enterprises/{e['credit_code']}"}}
         for e in service.enterprises(engine, principal.scope, year, config.waste_settings())],
    )  # fmt: skip
    staff = principal.role in SUPERVISING_ROLES
    handlers = _handlers_table(engine, lang) if staff else None
    return shell.render(
        request, principal, lang, "waste/overview.html", year=year, generation=generation,
        generators=generators, handlers=handlers, staff=staff, kinds=tuple(HandlerKind),
        page_data={"sankey": service.sankey(found["flows"])}, **extra,
    )  # fmt: skip


def _handlers_table(engine: Any, lang: str) -> Any:
    return shell.make_table(
        "waste-handlers", lang,
        (("name", "waste.handler"), ("kind_text", "waste.handler_kind"),
         ("licence_no", "waste.licence_no"), ("codes_text", "waste.codes"),
         ("capacity_t", "waste.capacity_t_a"), ("validity", "waste.validity")),
        [{**h, "kind_text": t(lang, f"waste.kind.{h['kind']}"),
          "codes_text": "、".join(h["codes"]),
          "validity": f"{h['valid_from']} – {h['valid_to']}"}
         for h in service.handlers(engine)],
    )  # fmt: skip


@router.post("/waste/handlers", response_class=HTMLResponse)
def add_handler(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    licence_no: Annotated[str, Form()] = "",
    codes: Annotated[str, Form()] = "",
    capacity_t: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"name": name, "kind": kind, "licence_no": licence_no, "codes": codes,
             "capacity_t": capacity_t, "valid_from": valid_from, "valid_to": valid_to}  # fmt: skip
    try:
        service.add_handler(engine, name=name, kind=kind, licence_no=licence_no, codes=codes,
                            capacity_t=capacity_t, valid_from=valid_from, valid_to=valid_to,
                            actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _overview(request, principal, lang, engine, handler_error=str(exc), typed=typed)
    return _overview(request, principal, lang, engine, notice=t(lang, "waste.handler_added"))


# --- an enterprise's file ------------------------------------------------------------------------


@router.get("/waste/enterprises/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    notice = t(lang, "waste.recorded") if request.query_params.get("recorded") else None
    return render_file(request, principal, lang, engine, credit_code, notice=notice)


def render_file(
    request: Request, principal: Any, lang: str, engine: Any, credit_code: str, **extra: Any
) -> Response:
    day = _today()
    try:
        found = service.waste_file(engine, credit_code, principal.scope, day,
                                   config.waste_settings(), _year(request, lang))  # fmt: skip
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    names = {e["code"]: e["name"] for e in service.list_entries(day)["entries"]}
    general_names = service.general_categories(day)
    stock = shell.make_table(
        "waste-stock", lang,
        (("facility", "waste.facility"), ("code", "waste.code"), ("name", "waste.name"),
         ("category", "waste.category"), ("held_t", "waste.held_t"),
         ("oldest", "waste.oldest"), ("age_days", "waste.age_days"),
         ("age_text", "waste.age_state")),
        [{**s, "name": names.get(s["code"], ""), "category": "HW" + s["code"][-2:],
          "oldest": s["oldest"].date() if s["oldest"] else None,
          "age_text": t(lang, f"waste.age.{s['age_state']}"),
          "_class": f"age-{s['age_state']}"} for s in found["stock"]],
    )  # fmt: skip
    general_stock = shell.make_table(
        "waste-general-stock", lang,
        (("facility", "waste.facility"), ("code", "waste.general_category"),
         ("name", "waste.name"), ("held_t", "waste.held_t"), ("oldest", "waste.oldest")),
        [{**s, "name": general_names.get(s["code"], ""),
          "oldest": s["oldest"].date() if s["oldest"] else None}
         for s in found["general_stock"]],
    )  # fmt: skip
    facilities = shell.make_table(
        "waste-facilities", lang,
        (("code", "waste.facility"), ("name", "waste.facility_name"),
         ("kind_text", "waste.facility_kind"), ("capacity_t", "waste.capacity_t"),
         ("held_t", "waste.held_t"), ("capacity_text", "waste.capacity_state")),
        [{**f, "kind_text": t(lang, f"waste.facility.{f['kind']}"),
          "capacity_text": t(lang, "waste.over_capacity" if f["over_capacity"]
                             else "waste.within_capacity"),
          "_class": "over-capacity" if f["over_capacity"] else ""}
         for f in found["facilities"]],
    )  # fmt: skip
    ledger = shell.make_table(
        "waste-ledger", lang,
        (("at", "waste.at"), ("kind_text", "waste.kind"), ("waste_text", "waste.waste_kind"),
         ("code", "waste.code"),
         ("name", "waste.name"), ("quantity_t", "waste.quantity_t"),
         ("facility", "waste.facility"), ("handler", "waste.receiver"),
         ("batch", "waste.batch"), ("recorded_by", "waste.recorded_by")),
        [{**e, "kind_text": t(lang, f"waste.entry.{e['kind']}"),
          "waste_text": t(lang, "waste.general" if e["code"].startswith("SW")
                          else "waste.hazardous")} for e in found["ledger"]],
    )  # fmt: skip
    owner = found["enterprise"]
    sent = shell.make_table(
        "waste-sent", lang,
        (("number", "waste.manifest_no"), ("receiver", "waste.receiver"), ("code", "waste.code"),
         ("quantity_t", "waste.quantity_t"), ("state_text", "waste.manifest_state")),
        [{**m, "state_text": t(lang, f"waste.mstate.{m['state']}"),
          "_href": {"number": f"/waste/manifests/{m['id']}"}}
         for m in manifests.manifests(engine, principal.scope)
         if m["enterprise_id"] == owner["id"]],
    )  # fmt: skip
    every = service.handlers(engine)
    register = declarations.register(engine, credit_code, principal.scope, day,
                                     config.waste_settings())  # fmt: skip
    return shell.render(
        request, principal, lang, "waste/enterprise.html", file=found, owner=owner,
        stock=stock, general_stock=general_stock, general_codes=general_names,
        facilities=facilities, ledger=ledger,
        can_record=principal.role in DECLARERS,
        staff=principal.role in SUPERVISING_ROLES,
        entry_kinds=tuple(EntryKind), facility_kinds=tuple(FacilityKind),
        classes=tuple(ManagementClass), codes=names, sent=sent,
        handlers=[h for h in every if h["kind"] != "transporter"],
        carriers=[h for h in every if h["kind"] == "transporter"],
        now_local=times.cst_naive(shell.now()).strftime("%Y-%m-%dT%H:%M"),
        **_declaration_tables(lang, register), **extra,
    )  # fmt: skip


def _declaration_tables(lang: str, register: dict[str, Any]) -> dict[str, Any]:
    """The periods owed with their state, the declarations filed, and the periods still open
    to filing (the form's choices)."""
    owed = shell.make_table(
        "waste-owed", lang,
        (("label", "waste.decl_label"), ("period_text", "waste.decl_period"),
         ("due", "waste.decl_due"), ("state_text", "waste.decl_state")),
        [{**o, "period_text": t(lang, f"waste.period.{o['period']}"),
          "state_text": t(lang, f"waste.decl.{o['state']}"), "_class": f"decl-{o['state']}"}
         for o in register["owed"]],
    )  # fmt: skip
    filed = shell.make_table(
        "waste-declarations", lang,
        (("label", "waste.decl_label"), ("period_text", "waste.decl_period"),
         ("generated_t", "waste.generated_t"), ("transferred_t", "waste.entry.transferred"),
         ("filed_at", "waste.decl_filed_at"), ("filed_by", "waste.decl_filed_by"),
         ("late_text", "waste.decl_on_time")),
        [{**d, "period_text": t(lang, f"waste.period.{d['period']}"),
          "generated_t": round(sum(r["generated"] for r in d["rows"]), 3),
          "transferred_t": round(sum(r["transferred"] for r in d["rows"]), 3),
          "filed_at": times.local_time(d["filed_at"]).strftime("%Y-%m-%d %H:%M"),
          "late_text": t(lang, "waste.decl_late" if d["late"] else "waste.decl_in_time")}
         for d in register["filed"]],
    )  # fmt: skip
    choices = [(f"{o['period']}:{o['label']}",
                f"{o['label']} {t(lang, 'waste.period.' + o['period'])}")
               for o in register["owed"] if o["state"] != "filed"]  # fmt: skip
    return {"owed": owed, "filed": filed, "to_file": choices}


@router.post("/waste/enterprises/{credit_code}/declarations", response_class=HTMLResponse)
def file_declaration(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: str,
    declaration: Annotated[str, Form()] = "",
) -> Response:
    """File the declaration of one ended period with the ledger's figures (HJ 1259-2022)."""
    if (refused := shell.refused(request, principal, lang, DECLARERS)) is not None:
        return refused
    period, _, label = declaration.partition(":")
    try:
        if not label:
            raise WebError(t(lang, "waste.decl_choose"))
        made = declarations.file(engine, credit_code, period, label, actor=principal.username,
                                 settings=config.waste_settings(), scope=principal.scope,
                                 now=shell.now())  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return render_file(request, principal, lang, engine, credit_code,
                           declaration_error=str(exc))  # fmt: skip
    key = "waste.decl_filed_late" if made["late"] else "waste.decl_filed"
    return render_file(request, principal, lang, engine, credit_code,
                       notice=t(lang, key, label=made["label"]))  # fmt: skip


@router.post("/waste/enterprises/{credit_code}/entries", response_class=HTMLResponse)
def add_entry(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: str,
    kind: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    quantity_t: Annotated[str, Form()] = "",
    facility: Annotated[str, Form()] = "",
    handler_id: Annotated[str, Form()] = "",
    batch: Annotated[str, Form()] = "",
    container: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, DECLARERS)) is not None:
        return refused
    typed = {"kind": kind, "at": at, "code": code, "name": name, "quantity_t": quantity_t,
             "facility": facility, "handler_id": handler_id, "batch": batch,
             "container": container}  # fmt: skip
    try:
        if handler_id and not handler_id.isdigit():
            raise WebError(t(lang, "waste.bad_handler"))
        service.record(engine, credit_code, kind=kind, at=at, code=code, name=name or None,
                       quantity_t=quantity_t, facility=facility or None,
                       handler_id=int(handler_id) if handler_id else None, batch=batch,
                       container=container, actor=principal.username,
                       scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return render_file(request, principal, lang, engine, credit_code, entry_error=str(exc),
                     typed=typed)  # fmt: skip
    return RedirectResponse(f"/waste/enterprises/{credit_code}?recorded=1", status_code=303)


@router.post("/waste/enterprises/{credit_code}/facilities", response_class=HTMLResponse)
def add_facility(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: str,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    capacity_t: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, DECLARERS)) is not None:
        return refused
    typed = {"code": code, "name": name, "kind": kind, "capacity_t": capacity_t}
    try:
        service.add_facility(engine, credit_code, code=code, name=name, kind=kind,
                             capacity_t=capacity_t, actor=principal.username,
                             scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return render_file(request, principal, lang, engine, credit_code, facility_error=str(exc),
                     facility_typed=typed)  # fmt: skip
    return render_file(request, principal, lang, engine, credit_code,
                 notice=t(lang, "waste.facility_added"))  # fmt: skip


@router.post("/waste/enterprises/{credit_code}/class", response_class=HTMLResponse)
def set_class(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    credit_code: str,
    management_class: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        service.set_class(engine, credit_code, management_class or None, reason,
                          actor=principal.username, scope=principal.scope)  # fmt: skip
    except EcozoneError as exc:
        if exc.http_status in (403, 404):
            return _error(request, principal, lang, exc)
        return render_file(request, principal, lang, engine, credit_code, class_error=str(exc))
    return render_file(request, principal, lang, engine, credit_code,
                 notice=t(lang, "waste.class_saved"))  # fmt: skip


@router.get("/waste/enterprises/{credit_code}/declaration")
def declaration(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str
) -> Response:
    """The annual declaration's table (per code: generated, stored, utilised, disposed,
    transferred) assembled from the ledger, as xlsx or CSV."""
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    fmt = request.query_params.get("format", "xlsx")
    try:
        if fmt not in ("xlsx", "csv", "pdf"):
            raise WebError(t(lang, "waste.bad_format", value=fmt))
        year = _year(request, lang) or _today().year - 1
        found = service.declaration(engine, credit_code, year, principal.scope)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    table = shell.make_table(
        "waste-declaration", lang,
        (("code", "waste.code"), ("name", "waste.name"), ("category", "waste.category"),
         *((k.value, f"waste.entry.{k.value}") for k in EntryKind)),
        found["rows"],
    )  # fmt: skip
    if fmt == "pdf":
        owner = found["enterprise"]
        title = t(lang, "waste.declaration_title", year=year)
        return export.pdf_response(
            export.PdfDocument(
                title=f"{owner['name']} {title}",
                facts=[(t(lang, "col.credit_code"), owner["credit_code"]),
                       (t(lang, "waste.declaration_year"), year)],
                sections=[("", table)],
                notes=[t(lang, "waste.declaration_note")],
                footer=f"{owner['name']} · {title}",
                lang=lang,
            ),
            f"{t(lang, 'file.waste-declaration')}_{credit_code}_{year}",
        )  # fmt: skip
    return shell.respond(table, fmt, lang, f"waste-declaration-{credit_code}-{year}")
