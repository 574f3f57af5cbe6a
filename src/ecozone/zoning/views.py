"""The zoning pages: the layer map with switchable layers and the import form (/zoning), the
location check with its answer and rule text on the map (/zoning/check), and red-line
integrity by version (/zoning/red-line). The map draws the layers themselves as vectors on a
plain background (no online tiles). Staff only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ecozone.errors import EcozoneError
from ecozone.web import shell
from ecozone.web.i18n import add_texts, t
from ecozone.web.model import SUPERVISING_ROLES, WebError
from ecozone.web.shell import Engine, Lang, MenuEntry
from ecozone.web.shell import Principal as Viewer
from ecozone.zoning import emergency, service, soil
from ecozone.zoning.messages import refusal
from ecozone.zoning.model import LayerKind

router = APIRouter(include_in_schema=False)
GROUP = "nav.group.projects"

shell.add_menu(
    MenuEntry("nav.zoning_map", "/zoning", SUPERVISING_ROLES, 61, GROUP),
    MenuEntry("nav.zoning_check", "/zoning/check", SUPERVISING_ROLES, 62, GROUP),
    MenuEntry("nav.red_line", "/zoning/red-line", SUPERVISING_ROLES, 63, GROUP),
)

add_texts(
    {
        "nav.zoning_map": ("三线一单分区图", "Zoning map"),
        "nav.zoning_check": ("选址准入核查", "Location check"),
        "nav.red_line": ("生态保护红线", "Ecological red line"),
        "zon.map_title": ("“三线一单”生态环境分区管控图", "“Three lines, one list” zoning map"),
        "zon.map_lead": (
            "按日期显示当日有效的图层版本：生态保护红线、环境管控单元、园区边界、河湖岸线，"
            "以及环境风险源、应急资源和土壤污染风险地块。图层可在地图右上角切换。",
            "The layer versions in force on the date: ecological red line, environmental "
            "control units, park boundaries, shorelines, and risk sources, emergency "
            "resources and soil risk sites. Switch layers at the map's top right.",
        ),
        "zon.date": ("日期", "Date"),
        "zon.show": ("查看", "Show"),
        "zon.versions": ("图层版本", "Layer versions"),
        "zon.none": ("尚未导入图层。", "No layer imported yet."),
        "zon.import": ("导入图层", "Import a layer"),
        "zon.import_help": (
            "GeoJSON（.geojson/.json）或 Shapefile 压缩包（.zip，含 .shp/.shx/.dbf），"
            "坐标为 WGS 84 经纬度。要素属性 code、name；环境管控单元另含准入清单。",
            "GeoJSON (.geojson/.json) or a zipped Shapefile (.shp/.shx/.dbf), WGS 84 "
            "longitude/latitude. Attributes code and name; control units carry their list.",
        ),
        "zon.file": ("图层文件", "Layer file"),
        "zon.kind": ("图层", "Layer"),
        "zon.valid_from": ("生效日期（版本）", "In force from (version)"),
        "zon.imported": ("图层已导入：{count} 个要素。", "Layer imported: {count} features."),
        "zon.refused": ("未导入：{error}", "Not imported: {error}"),
        "zon.kind.red_line": ("生态保护红线", "Ecological red line"),
        "zon.kind.control_unit": ("环境管控单元", "Control units"),
        "zon.kind.park": ("园区边界", "Park boundaries"),
        "zon.kind.shoreline": ("河湖岸线", "Shorelines"),
        "zon.risk_sources": ("环境风险源", "Risk sources"),
        "zon.resources": ("应急资源", "Emergency resources"),
        "zon.features": ("要素数", "Features"),
        "zon.area_km2": ("面积（km²）", "Area (km²)"),
        "zon.imported_by": ("导入人", "Imported by"),
        "zon.label": ("文件", "File"),
        "zon.check_title": ("选址准入核查", "Location check"),
        "zon.check_lead": (
            "输入项目位置和行业：是否位于生态保护红线内（边界上视为在红线内）、所在环境管控单元及其生态环境准入清单对该行业的规定。",
            "A project's location and industry: inside the ecological red line (its "
            "boundary counts as inside), the control unit and what its access list says.",
        ),
        "zon.lon": ("经度", "Longitude"),
        "zon.lat": ("纬度", "Latitude"),
        "zon.industry": ("行业", "Industry"),
        "zon.check": ("核查", "Check"),
        "zon.result": ("核查结果", "Result"),
        "zon.verdict": ("结论", "Verdict"),
        "zon.verdict.forbidden": ("禁止准入", "Forbidden"),
        "zon.verdict.restricted": ("限制准入", "Restricted"),
        "zon.verdict.allowed": ("允许准入", "Allowed"),
        "zon.verdict.none": (
            "清单未列出该行业，执行单元普适性管控要求",
            "Not on the list: the unit's general requirements apply",
        ),
        "zon.in_red_line": (
            "位于生态保护红线内：{names}",
            "Inside the ecological red line: {names}",
        ),
        "zon.outside_red_line": ("不在生态保护红线内", "Outside the ecological red line"),
        "zon.unit": ("环境管控单元", "Control unit"),
        "zon.no_unit": ("该位置不在任何环境管控单元内", "The point is in no control unit"),
        "zon.rule": ("清单条款", "Rule"),
        "zon.conditions": ("准入条件", "Conditions"),
        "zon.requirements": ("单元管控要求", "Unit requirements"),
        "zon.parks": ("所在园区", "Park"),
        "zon.no_park": ("不在园区内", "Outside any park"),
        "zon.layers_used": ("依据图层版本", "Layer versions used"),
        "zon.no_layer": ("该日期无有效图层", "No layer in force on that date"),
        "zon.bad_number": ("{field}“{value}”不是数字", "{field} '{value}' is not a number"),
        "zon.red_title": ("生态保护红线面积与变化", "Red-line area and changes"),
        "zon.red_lead": (
            "按版本列出红线总面积（WGS 84 椭球面积）及与上一版本的差异、增减或变化的图斑；"
            "面积减少、图斑删除、功能或性质改变予以标记（功能不改变、面积不减少、性质不改变）。",
            "Red-line area by version (geodesic, WGS 84), the difference from the version "
            "before and the polygons added, removed or changed; a smaller area, a removed "
            "polygon, or a changed function or nature is flagged.",
        ),
        "zon.red_none": ("尚未导入生态保护红线。", "No red-line version yet."),
        "zon.area_change": ("面积变化（km²）", "Change (km²)"),
        "zon.flags": ("标记", "Flags"),
        "zon.changes": ("图斑变化", "Polygon changes"),
        "zon.change": ("变化", "Change"),
        "zon.change.added": ("新增", "Added"),
        "zon.change.removed": ("删除", "Removed"),
        "zon.change.changed": ("调整", "Changed"),
        "zon.area_before": ("原面积（km²）", "Before (km²)"),
        "zon.area_after": ("现面积（km²）", "After (km²)"),
        "zon.flag.area_decreased": ("面积减少", "Area decreased"),
        "zon.flag.total_area_decreased": ("红线总面积减少", "Total area decreased"),
        "zon.flag.removed": ("图斑删除", "Polygon removed"),
        "zon.flag.function_changed": ("生态功能改变", "Function changed"),
        "zon.flag.nature_changed": ("性质改变", "Nature changed"),
        "col.key": ("编码", "Code"),
        "col.name": ("名称", "Name"),
    }
)


def _error(request: Request, principal: Any, lang: str, exc: EcozoneError) -> Response:
    if not isinstance(exc, WebError):
        error = WebError(str(exc))
        error.status_code = exc.http_status
        exc = error
    return shell.error_page(request, principal, lang, exc)


def _day(lang: str, text: str | None) -> date:
    if not text:
        return emergency.today_cst()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WebError(t(lang, "zon.bad_number", field=t(lang, "zon.date"), value=text)) from None


def km2(value: float | None) -> str:
    return "" if value is None else f"{value / 1e6:,.4f}"


def _versions_table(engine: Any, lang: str) -> Any:
    return shell.make_table(
        "layer-versions", lang,
        (("kind_text", "zon.kind"), ("valid_from", "zon.valid_from"), ("label", "zon.label"),
         ("feature_count", "zon.features"), ("area", "zon.area_km2"),
         ("imported_by", "zon.imported_by")),
        [{**v, "kind_text": t(lang, f"zon.kind.{v['kind']}"),
          "area": "" if v["kind"] == LayerKind.SHORELINE else km2(v["area_m2"])}
         for v in service.versions(engine)],
    )  # fmt: skip


def _map_page(request: Request, principal: Any, lang: str, engine: Any, **extra: Any) -> Response:
    day = extra.pop("day", None) or emergency.today_cst()
    return shell.render(
        request, principal, lang, "zoning/map.html", day=day,
        table=_versions_table(engine, lang), kinds=tuple(LayerKind),
        typed=extra.pop("typed", None) or {"kind": "red_line", "valid_from": day.isoformat()},
        page_data={"map_src": f"/web/api/zoning/map?date={day.isoformat()}"}, **extra,
    )  # fmt: skip


@router.get("/zoning", response_class=HTMLResponse)
def map_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    try:
        day = _day(lang, request.query_params.get("date"))
    except EcozoneError as exc:
        return _error(request, principal, lang, exc)
    return _map_page(request, principal, lang, engine, day=day)


@router.post("/zoning/layers", response_class=HTMLResponse)
def import_layer(
    request: Request,
    principal: Viewer,
    lang: Lang,
    engine: Engine,
    file: Annotated[UploadFile | None, File()] = None,
    kind: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    typed = {"kind": kind, "valid_from": valid_from}
    try:
        if file is None or not file.filename:
            raise WebError(t(lang, "zon.refused", error=t(lang, "zon.file")))
        content = file.file.read()
        made = service.import_upload(engine, file.filename, content, kind, valid_from,
                                     actor=principal.username)  # fmt: skip
    except EcozoneError as exc:
        return _map_page(request, principal, lang, engine, typed=typed,
                         error=t(lang, "zon.refused", error=refusal(str(exc), lang)))  # fmt: skip
    return _map_page(request, principal, lang, engine, day=made["valid_from"],
                     notice=t(lang, "zon.imported", count=made["feature_count"]))  # fmt: skip


@router.get("/web/api/zoning/map")
def map_data(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    """Every layer in force on the date, and the risk sources and resources, as GeoJSON."""
    try:
        shell.require_role(principal, SUPERVISING_ROLES)
        day = _day(lang, request.query_params.get("date"))
    except WebError as exc:
        return shell.json_error(exc)
    layers = {k.value: service.layer_geojson(engine, k.value, day) for k in LayerKind}
    names = {k.value: t(lang, f"zon.kind.{k.value}") for k in LayerKind}
    names |= {
        "risk_source": t(lang, "zon.risk_sources"),
        "resource": t(lang, "zon.resources"),
        "soil_site": t(lang, "nav.soil"),
    }
    points = emergency.map_points(engine)
    points["features"] += [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x["lon"], x["lat"]]},
         "properties": {"layer": "soil_site", "name": f"{x['name']}（{x['code']}）",
                        "status": x["status"]}}
        for x in soil.sites(engine, principal.scope)
        if x["lon"] is not None and x["lat"] is not None
    ]  # fmt: skip
    return JSONResponse({"date": day.isoformat(), "layers": layers, "names": names,
                         "points": points})  # fmt: skip


@router.get("/zoning/check", response_class=HTMLResponse)
def check_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    q = request.query_params
    typed = {k: q.get(k, "") for k in ("lon", "lat", "industry", "date")}
    result = error = None
    try:
        day = _day(lang, typed["date"])
        typed["date"] = day.isoformat()
        if typed["lon"] or typed["lat"] or typed["industry"]:
            numbers = []
            for name in ("lon", "lat"):
                try:
                    numbers.append(float(typed[name]))
                except ValueError:
                    raise WebError(t(lang, "zon.bad_number", field=t(lang, f"zon.{name}"),
                                     value=typed[name])) from None  # fmt: skip
            result = service.check(engine, numbers[0], numbers[1], typed["industry"], day)
    except EcozoneError as exc:
        error = refusal(str(exc), lang)
    data: dict[str, Any] = {"map_src": f"/web/api/zoning/map?date={typed['date']}"}
    if result is not None:
        data["point"] = [result.lat, result.lon]
        verdict = result.verdict.value if result.verdict else "none"
        data["point_label"] = f"{result.industry}：{t(lang, f'zon.verdict.{verdict}')}"
    return shell.render(request, principal, lang, "zoning/check.html", typed=typed,
                        result=result, error=error, page_data=data)  # fmt: skip


@router.get("/zoning/red-line", response_class=HTMLResponse)
def red_line_page(request: Request, principal: Viewer, lang: Lang, engine: Engine) -> Response:
    if (refused := shell.refused(request, principal, lang, SUPERVISING_ROLES)) is not None:
        return refused
    found = service.red_line_integrity(engine)
    table = shell.make_table(
        "red-line-versions", lang,
        (("valid_from", "zon.valid_from"), ("label", "zon.label"),
         ("feature_count", "zon.features"), ("area", "zon.area_km2"),
         ("change", "zon.area_change"), ("flags_text", "zon.flags")),
        [{**v, "area": km2(v["area_m2"]),
          "change": "" if v["area_change_m2"] is None else f"{v['area_change_m2'] / 1e6:+,.4f}",
          "flags_text": "、".join(t(lang, f"zon.flag.{f}") for f in v["flags"]),
          "_class": "flagged" if v["flags"] else ""}
         for v in found],
    )  # fmt: skip
    changes = [
        {"version": v["valid_from"], **c, "change_text": t(lang, f"zon.change.{c['change']}"),
         "before": km2(c["area_before_m2"]), "after": km2(c["area_after_m2"]),
         "flags_text": "、".join(t(lang, f"zon.flag.{f}") for f in c["flags"]),
         "_class": "flagged" if c["flags"] else ""}
        for v in found for c in v["changes"]
    ]  # fmt: skip
    change_table = shell.make_table(
        "red-line-changes", lang,
        (("version", "zon.valid_from"), ("key", "col.key"), ("name", "col.name"),
         ("change_text", "zon.change"), ("before", "zon.area_before"),
         ("after", "zon.area_after"), ("flags_text", "zon.flags")),
        changes,
    )  # fmt: skip
    return shell.render(request, principal, lang, "zoning/red_line.html", table=table,
                        changes=change_table)  # fmt: skip
