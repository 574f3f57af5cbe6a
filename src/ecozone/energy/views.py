"""The energy pages: the zone energy dashboard (/energy: tce by district and industry,
intensity against targets, plan item 1 per district, key users' data completeness, district
statistics and forest sinks with their forms) and an enterprise's energy and carbon page
(/energy/{credit_code}: the month in tce and CO2 with the factor sets used, the data-quality
checks, the year against its targets, and the forms to enter or import monthly statistics,
output, meters and, for staff, targets; the annual carbon report as xlsx or PDF).

Forms call the same use cases as the API and the CLI; a refused form comes back with the
message and what was typed, nothing stored. Enterprises see their own page only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ecozone import config, times
from ecozone.energy import carbon, service, zone
from ecozone.energy.model import NAMES, UNITS, Carrier, CheckName, EnergyNotFound
from ecozone.energy.texts import TEXTS
from ecozone.errors import EcozoneError
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer

router = APIRouter(include_in_schema=False)
READERS = (*SUPERVISING_ROLES, "enterprise")
GROUP = "nav.group.energy"
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MEDIA = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

shell.add_menu(MenuEntry("nav.energy", "/energy", READERS, 60, GROUP))
add_texts(TEXTS)


def _today() -> date:
    return times.cst_naive(times.utc_now()).date()


def _num(value: float | None, places: int = 3) -> str | None:
    return None if value is None else f"{value:,.{places}f}"


def _verdict(lang: str, passed: bool | None) -> str:
    return t(lang, {True: "energy.pass", False: "energy.fail", None: "energy.na"}[passed])


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


# --- the zone dashboard -------------------------------------------------------------------


@router.get("/energy", response_class=HTMLResponse)
def energy_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    if principal.role == "enterprise":
        own = service.enterprises(engine, principal.scope)
        if not own:
            return _error(request, principal, lang, WebError(t(lang, "energy.no_enterprise")))
        return RedirectResponse(f"/energy/{own[0]['credit_code']}", status_code=303)
    return _zone(request, principal, lang, engine)


def _zone(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    year_text = request.query_params.get("year", "")
    try:
        if year_text and not year_text.isdigit():
            raise WebError(t(lang, "energy.bad_year", value=year_text))
        year = int(year_text) if year_text else _today().year
        board = zone.dashboard(engine, principal.scope, year, config.energy_settings(), _today())
        districts = service.districts(engine)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    if principal.scope.district_id is not None:
        districts = [d for d in districts if d["id"] == principal.scope.district_id]
    tables = {
        "districts": shell.make_table("energy-districts", lang,
            (("district", "col.district"), ("tce", "energy.col.tce")),
            [{"district": d, "tce": _num(v)} for d, v in board["by_district"]]),
        "industries": shell.make_table("energy-industries", lang,
            (("industry", "energy.col.industry"), ("tce", "energy.col.tce")),
            [{"industry": i, "tce": _num(v)} for i, v in board["by_industry"]]),
        "item1": shell.make_table("energy-item1", lang, (
            ("district", "col.district"),
            ("industrial_intensity", "energy.col.industrial_intensity"),
            ("industrial_decline_pct", "energy.col.industrial_decline"),
            ("gdp_intensity", "energy.col.gdp_intensity"),
            ("gdp_decline_pct", "energy.col.gdp_decline"),
            ("item1", "energy.col.item1"), ("target", "energy.col.district_target"),
            ("meets_target", "energy.col.meets_target")),
            [{**d, "industrial_intensity": _num(d["industrial_intensity"], 4),
              "industrial_decline_pct": _num(d["industrial_decline_pct"], 2),
              "gdp_intensity": _num(d["gdp_intensity"], 4),
              "gdp_decline_pct": _num(d["gdp_decline_pct"], 2),
              "item1": _verdict(lang, d["item1_met"]), "target": _num(d["target"], 4),
              "meets_target": _verdict(lang, d["meets_target"])} for d in board["districts"]]),
        "enterprises": shell.make_table("energy-enterprises", lang, (
            ("name", "col.enterprise"), ("district", "col.district"),
            ("industry", "energy.col.industry"), ("tce", "energy.col.tce"),
            ("t_co2", "energy.col.t_co2"), ("user_class", "energy.col.user_class"),
            ("intensity", "energy.col.intensity"), ("target", "energy.col.target"),
            ("meets", "energy.col.meets_target")),
            [{"name": e["name"], "district": e["district"], "industry": e["industry"],
              "tce": _num(e["tce"]), "t_co2": _num(e["t_co2"]),
              "user_class": t(lang, f"energy.class.{e['user_class']}"),
              "intensity": _num(e["tce_per_10k_yuan"], 4),
              "target": _num(e["target_tce_per_10k_yuan"], 4),
              "meets": _verdict(lang, e["meets_target"]),
              "_href": {"name": f"/energy/{e['credit_code']}"}}
             for e in board["enterprises"]]),
        "key_users": shell.make_table("energy-key-users", lang, (
            ("name", "col.enterprise"), ("user_class", "energy.col.user_class"),
            ("tce", "energy.col.tce"), ("months", "energy.col.months_reported"),
            ("realtime", "energy.col.realtime_pct")),
            [{"name": e["name"], "user_class": t(lang, f"energy.class.{e['user_class']}"),
              "tce": _num(e["tce"]), "months": f"{e['months']}/{e['months_expected']}",
              "realtime": _num(e["realtime_pct"], 1),
              "_href": {"name": f"/energy/{e['credit_code']}"}} for e in board["key_users"]]),
        "sinks": shell.make_table("energy-sinks", lang, (
            ("name", "energy.sink.name"), ("district", "col.district"),
            ("area_ha", "energy.sink.area"), ("species", "energy.sink.species"),
            ("annual_t_co2", "energy.sink.annual"), ("method_source", "energy.sink.method")),
            [{**s, "annual_t_co2": _num(s["annual_t_co2"], 1), "area_ha": _num(s["area_ha"], 1)}
             for s in service.sinks(engine)]),
    }  # fmt: skip
    return shell.render(request, principal, lang, "energy/zone.html", board=board,
                        tables=tables, year=board["year"], districts=districts,
                        fmt=_num, **extra)  # fmt: skip


@router.post("/energy/districts", response_class=HTMLResponse)
def district_year(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    district: Annotated[str, Form()] = "", year: Annotated[str, Form()] = "",
    gdp_10k_yuan: Annotated[str, Form()] = "", gdp_energy_tce: Annotated[str, Form()] = "",
    industrial_target: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"district": district, "year": year, "gdp_10k_yuan": gdp_10k_yuan,
             "gdp_energy_tce": gdp_energy_tce, "industrial_target": industrial_target}
    try:
        if not year.strip().isdigit():
            raise WebError(t(lang, "energy.bad_year", value=year))
        service.set_district_year(engine, principal.scope, district, int(year),
                                  actor=principal.username, gdp_10k_yuan=gdp_10k_yuan,
                                  gdp_energy_tce=gdp_energy_tce,
                                  industrial_target_tce_per_10k_yuan=industrial_target)
    except EcozoneError as exc:
        return _zone(request, principal, lang, engine, district_error=str(exc),
                     district_typed=typed)  # fmt: skip
    return _zone(request, principal, lang, engine, notice=t(lang, "energy.saved"))


@router.post("/energy/sinks", response_class=HTMLResponse)
def add_sink(
    request: Request, principal: Viewer, lang: Lang, engine: Engine,
    name: Annotated[str, Form()] = "", district: Annotated[str, Form()] = "",
    area_ha: Annotated[str, Form()] = "", species: Annotated[str, Form()] = "",
    annual_t_co2: Annotated[str, Form()] = "", method_source: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"name": name, "district": district, "area_ha": area_ha, "species": species,
             "annual_t_co2": annual_t_co2, "method_source": method_source}
    try:
        service.add_sink(engine, principal.scope, actor=principal.username, name=name,
                         area_ha=area_ha, species=species, annual_t_co2=annual_t_co2,
                         method_source=method_source, district_name=district or None)
    except EcozoneError as exc:
        return _zone(request, principal, lang, engine, sink_error=str(exc), sink_typed=typed)
    return _zone(request, principal, lang, engine, notice=t(lang, "energy.sink_added"))


# --- an enterprise's energy and carbon page --------------------------------------------------


@router.get("/energy/{credit_code}", response_class=HTMLResponse)
def enterprise_page(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    return _enterprise(request, principal, lang, engine, credit_code)


def _enterprise(request: Request, principal: Any, lang: str, engine: Any, credit_code: str,
                *, month: str | None = None, **extra: Any) -> Response:  # fmt: skip
    settings = config.energy_settings()
    try:
        ent = service.enterprise(engine, principal.scope, credit_code)
        chosen = month or request.query_params.get("month") or ""
        first = (service.parse_month(chosen) if chosen
                 else service.recent_month(engine, ent["id"], _today()))  # fmt: skip
        account = service.month_account(engine, principal.scope, credit_code, first, settings)
        checks = service.quality(engine, principal.scope, credit_code, first, settings)
        year = service.year_account(engine, principal.scope, credit_code, first.year, settings)
        meters = service.meters(engine, ent["id"])
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    lines = shell.make_table("energy-lines", lang, (
        ("name", "energy.col.carrier"), ("amount", "energy.col.amount"),
        ("unit", "energy.col.unit"), ("coefficient", "energy.col.coefficient"),
        ("tce", "energy.col.tce"), ("source", "energy.col.source")),
        [{"name": ln["name"], "amount": _num(ln["amount"]), "unit": ln["unit"],
          "coefficient": _num(ln["kgce_per_unit"], 4), "tce": _num(ln["tce"]),
          "source": t(lang, f"energy.source.{ln['source']}") if ln["source"] else None}
         for ln in account["lines"]])  # fmt: skip
    co2 = shell.make_table("energy-carbon", lang, (
        ("name", "energy.col.carrier"), ("scope", "energy.col.scope"),
        ("amount", "energy.col.amount"), ("factor", "energy.col.factor"),
        ("t_co2", "energy.col.t_co2")),
        [{"name": x["name"], "scope": x["scope"], "amount": _num(x["amount"]),
          "factor": _num(x["factor_t_per_unit"], 6), "t_co2": _num(x["t_co2"])}
         for x in account["carbon"]["lines"]])  # fmt: skip
    quality = shell.make_table("energy-quality", lang, (
        ("meter", "energy.col.meter"), ("check", "energy.col.check"),
        ("figure", "energy.col.figure"), ("threshold", "energy.col.threshold"),
        ("detail", "energy.col.detail"), ("verdict", "energy.col.verdict")),
        [{"meter": f"{q['meter']}（{NAMES[Carrier(q['carrier'])][0]}）",
          "check": t(lang, f"energy.check.{c['name']}"),
          "figure": _num(c["figure"], 2), "threshold": _threshold(lang, c),
          "detail": c["detail"], "verdict": _verdict(lang, c["passed"]),
          "_class": {True: "ok", False: "bad"}.get(c["passed"], "")}
         for q in checks for c in q["checks"]])  # fmt: skip
    meter_table = shell.make_table("energy-meters", lang, (
        ("code", "energy.col.meter"), ("carrier", "energy.col.carrier"),
        ("point_id", "energy.col.point"), ("channel", "energy.col.channel")),
        [{**m, "carrier": NAMES[Carrier(m["carrier"])][0]} for m in meters])  # fmt: skip
    months = shell.make_table("energy-months", lang, (
        ("month", "energy.month"), ("tce", "energy.col.tce"),
        ("tce_equal_value", "energy.col.tce_equal_value"), ("t_co2", "energy.col.t_co2")),
        [{"month": m["month"], "tce": _num(m["tce"]),
          "tce_equal_value": _num(m["tce_equal_value"]), "t_co2": _num(m["carbon"]["total_t"]),
          "_href": {"month": f"/energy/{credit_code}?month={m['month']}"}}
         for m in year["months"] if m["lines"]])  # fmt: skip
    return shell.render(
        request, principal, lang, "energy/enterprise.html", enterprise=ent, account=account,
        year=year, lines=lines, co2=co2, quality=quality, meters=meter_table,
        months=months, month=account["month"], fmt=_num,
        carriers=[(c.value, NAMES[c][0], UNITS[c]) for c in Carrier],
        is_staff=principal.scope.is_staff, **extra,
    )  # fmt: skip


def _threshold(lang: str, check: dict[str, Any]) -> str:
    name = CheckName(check["name"])
    if name in (CheckName.REALTIME, CheckName.DAILY):
        return f"≥ {check['threshold']:g} %"
    if name is CheckName.DAILY_VS_MONTHLY:
        return f"≤ {check['threshold']:g} %"
    if name is CheckName.TIMESTAMP:
        return f"≤ {check['threshold']:g} s"
    return t(lang, "energy.required")


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if isinstance(v, str)}


@router.post("/energy/{credit_code}/months", response_class=HTMLResponse)
async def enter_month(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str
) -> Response:
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    form = await _form(request)
    amounts = {c.value: form.get(f"amount_{c.value}", "") for c in Carrier}
    ncv = {c.value: form.get(f"ncv_{c.value}", "") for c in Carrier}
    month = form.get("month", "")
    try:
        service.enterprise(engine, principal.scope, credit_code)
        service.record_month(engine, principal.scope, credit_code, month, amounts, ncv=ncv,
                             actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        if isinstance(exc, EnergyNotFound):
            return _error(request, principal, lang, exc)
        return _enterprise(request, principal, lang, engine, credit_code, month_error=str(exc),
                           month_typed=form)  # fmt: skip
    return _enterprise(request, principal, lang, engine, credit_code, month=month,
                       notice=t(lang, "energy.month_saved", month=month))  # fmt: skip


@router.post("/energy/{credit_code}/import", response_class=HTMLResponse)
async def import_statistics(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    try:
        service.enterprise(engine, principal.scope, credit_code)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    try:
        data = await file.read(MAX_IMPORT_BYTES + 1) if file is not None else b""
        if not data:
            raise WebError(t(lang, "energy.import_empty"))
        if len(data) > MAX_IMPORT_BYTES:
            raise WebError(t(lang, "energy.import_large", limit=MAX_IMPORT_BYTES))
        stored = service.import_xlsx(engine, principal.scope, data, actor=principal.username)
    except EcozoneError as exc:
        page = _enterprise(request, principal, lang, engine, credit_code,
                           import_error=str(exc))  # fmt: skip
        page.status_code = 400
        return page
    return _enterprise(request, principal, lang, engine, credit_code,
                       notice=t(lang, "energy.imported", count=stored))  # fmt: skip


@router.post("/energy/{credit_code}/outputs", response_class=HTMLResponse)
def enter_output(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str,
    month: Annotated[str, Form()] = "", value_added: Annotated[str, Form()] = "",
    product: Annotated[str, Form()] = "", product_amount: Annotated[str, Form()] = "",
    product_unit: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    typed = {"month": month, "value_added": value_added, "product": product,
             "product_amount": product_amount, "product_unit": product_unit}
    try:
        service.enterprise(engine, principal.scope, credit_code)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    try:
        service.record_output(engine, principal.scope, credit_code, month,
                              actor=principal.username, value_added_10k_yuan=value_added,
                              product=product, product_amount=product_amount,
                              product_unit=product_unit)  # fmt: skip
    except EcozoneError as exc:
        return _enterprise(request, principal, lang, engine, credit_code,
                           output_error=str(exc), output_typed=typed)  # fmt: skip
    return _enterprise(request, principal, lang, engine, credit_code,
                       notice=t(lang, "energy.saved"))  # fmt: skip


@router.post("/energy/{credit_code}/meters", response_class=HTMLResponse)
def configure_meter(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str,
    code: Annotated[str, Form()] = "", carrier: Annotated[str, Form()] = "",
    point_id: Annotated[str, Form()] = "", channel: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    typed = {"code": code, "carrier": carrier, "point_id": point_id, "channel": channel}
    try:
        service.enterprise(engine, principal.scope, credit_code)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    try:
        if point_id.strip() and not point_id.strip().isdigit():
            raise WebError(t(lang, "energy.bad_point", value=point_id))
        service.set_meter(engine, principal.scope, credit_code, code, carrier,
                          point_id=int(point_id) if point_id.strip() else None,
                          channel=channel or None, actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _enterprise(request, principal, lang, engine, credit_code,
                           meter_error=str(exc), meter_typed=typed)  # fmt: skip
    return _enterprise(request, principal, lang, engine, credit_code,
                       notice=t(lang, "energy.saved"))  # fmt: skip


@router.post("/energy/{credit_code}/targets", response_class=HTMLResponse)
def set_targets(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str,
    year: Annotated[str, Form()] = "", total_tce: Annotated[str, Form()] = "",
    tce_per_10k_yuan: Annotated[str, Form()] = "", tce_per_product: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"year": year, "total_tce": total_tce, "tce_per_10k_yuan": tce_per_10k_yuan,
             "tce_per_product": tce_per_product}
    try:
        service.enterprise(engine, principal.scope, credit_code)
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    try:
        if not year.strip().isdigit():
            raise WebError(t(lang, "energy.bad_year", value=year))
        service.set_target(engine, principal.scope, credit_code, int(year),
                           actor=principal.username, total_tce=total_tce,
                           tce_per_10k_yuan=tce_per_10k_yuan,
                           tce_per_product=tce_per_product)  # fmt: skip
    except EcozoneError as exc:
        return _enterprise(request, principal, lang, engine, credit_code,
                           target_error=str(exc), target_typed=typed)  # fmt: skip
    return _enterprise(request, principal, lang, engine, credit_code,
                       notice=t(lang, "energy.saved"))  # fmt: skip


@router.get("/energy/{credit_code}/carbon/{year}.{fmt}")
def carbon_file(
    request: Request, principal: Viewer, lang: Lang, engine: Engine, credit_code: str,
    year: int, fmt: str,
) -> Response:  # fmt: skip
    if (refused := shell.refused(request, principal, lang, READERS)) is not None:
        return refused
    try:
        if fmt not in MEDIA:
            raise shell.NotFound(t(lang, "energy.bad_format", value=fmt))
        report = carbon.carbon_report(engine, principal.scope, credit_code, year,
                                      config.energy_settings())  # fmt: skip
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    body = carbon.render_xlsx(report) if fmt == "xlsx" else carbon.render_pdf(report)
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="carbon-{credit_code}-{year}.{fmt}"'})
