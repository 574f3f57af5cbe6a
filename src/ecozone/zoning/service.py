"""Use cases of the zoning layers: import a layer version from a file, the version in force
on a date, the location check (`check_location`, which other packages call with their own
connection), and red-line integrity (area by version, changes between versions).

A layer file is read (formats), every feature checked (rules.check_layer) and only then
stored, so a refused file leaves the stored versions as they were.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import shapely
import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.textguard import check_text
from ecozone.zoning import formats, rules, store
from ecozone.zoning.model import (
    Feature,
    LayerInvalid,
    LayerKind,
    LocationCheck,
    UnitAnswer,
    VersionRef,
    ZoningError,
    ZoningNotFound,
)

#: Layers a location check reads, in the order its answer lists them.
CHECKED = (LayerKind.RED_LINE, LayerKind.CONTROL_UNIT, LayerKind.PARK)


def parse_kind(text: str) -> LayerKind:
    try:
        return LayerKind(text.strip())
    except ValueError:
        kinds = ", ".join(k.value for k in LayerKind)
        raise ZoningError(f"layer {text!r}: expected one of {kinds}") from None


def parse_day(text: str | date, what: str) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ZoningError(f"{what} {text!r}: expected YYYY-MM-DD") from None


def _row(version_id: int, kind: LayerKind, feature: Feature) -> dict[str, Any]:
    geom = feature.geometry
    minx, miny, maxx, maxy = geom.bounds
    if kind is LayerKind.CONTROL_UNIT:
        try:  # a malformed list refuses the layer now, not at the first check
            rules.access_list(feature.properties)
        except LayerInvalid as exc:
            raise LayerInvalid(f"feature {feature.key!r}: {exc}") from None
    return {
        "version_id": version_id, "key": feature.key[:100],
        "name": (feature.name or feature.key)[:200],
        "geometry": shapely.to_wkb(geom), "properties": _plain(feature.properties),
        "area_m2": None if kind.lines else rules.area_m2(geom),
        "min_lon": minx, "min_lat": miny, "max_lon": maxx, "max_lat": maxy,
    }  # fmt: skip


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    """Attributes as JSON can hold them (a Shapefile date becomes its ISO text)."""
    return {str(k): (v if isinstance(v, str | int | float | bool | list | dict) or v is None
                     else str(v)) for k, v in props.items()}  # fmt: skip


def import_layer(
    engine: sa.Engine, kind: LayerKind | str, valid_from: date | str, features: list[Feature],
    *, label: str, actor: str,
) -> dict[str, Any]:  # fmt: skip
    """Store `features` as the version of layer `kind` in force from `valid_from`; every
    feature is checked first and the first bad one refuses the file, naming it. A second
    import for the same layer and date is refused (versions are never rewritten)."""
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    day = parse_day(valid_from, "version")
    label = check_text(label.strip(), "label")[:200] or kind.value
    checked = rules.check_layer(kind, features)
    with engine.begin() as conn:
        if store.version_id(conn, kind.value, day) is not None:
            raise ZoningError(f"layer {kind.value} already has a version of {day}; "
                              "import under another date")  # fmt: skip
        span = max(f.geometry.bounds[2] - f.geometry.bounds[0] for f in checked)
        made = store.insert_version(conn, kind.value, day, label, len(checked), span, actor)
        rows = [_row(made, kind, f) for f in checked]
        store.insert_features(conn, rows)
        area = sum(r["area_m2"] or 0.0 for r in rows)
        audit.record(conn, actor=actor, action="create", entity="layer_version",
                     entity_id=str(made), before=None,
                     after={"kind": kind.value, "valid_from": day.isoformat(), "label": label,
                            "features": len(rows), "area_m2": round(area, 1)})  # fmt: skip
    return {"id": made, "kind": kind.value, "valid_from": day, "label": label,
            "feature_count": len(rows), "area_m2": area}  # fmt: skip


def import_file(
    engine: sa.Engine, path: Path, kind: str, valid_from: str, *, actor: str
) -> dict[str, Any]:
    """`ecozone zoning import FILE`: a .geojson/.json, a .zip of a Shapefile, or a .shp."""
    features = formats.read_path(path)
    return import_layer(engine, kind, valid_from, features, label=path.name, actor=actor)


def import_upload(
    engine: sa.Engine, filename: str, content: bytes, kind: str, valid_from: str, *, actor: str
) -> dict[str, Any]:
    features = formats.read_upload(filename, content)
    return import_layer(engine, kind, valid_from, features, label=filename, actor=actor)


def check_location(
    conn: sa.Connection, lon: float, lat: float, industry: str, on_date: date
) -> LocationCheck:
    """What the layers in force on `on_date` say of a project at (lon, lat) of `industry`:
    the red-line polygons holding it (boundary included: rules.contains), the environmental
    control units holding it with what their access lists say for the industry, the parks,
    and the versions read. Plan item 1: 三线一单 applied to industrial layout and access.

    Takes the caller's connection, so a project page can check inside its own transaction.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ZoningError(f"point ({lon}, {lat}): longitude -180..180, latitude -90..90")
    industry = check_text(industry.strip(), "industry")
    if not industry:
        raise ZoningError("industry: required")
    in_force = store.all_in_force(conn, [k.value for k in CHECKED], on_date)
    used = [VersionRef(kind, v["id"], v["valid_from"], v["label"])
            for kind in CHECKED if (v := in_force.get(kind.value))]  # fmt: skip
    point = shapely.Point(lon, lat)
    kind_of = {v["id"]: LayerKind(v["kind"]) for v in in_force.values()}
    found: dict[LayerKind, list[Any]] = {kind: [] for kind in CHECKED}
    for row in store.features_near(conn, list(in_force.values()), lon, lat):
        if shapely.from_wkb(row.geometry).covers(point):
            found[kind_of[row.version_id]].append(row)
    units = []
    for row in found[LayerKind.CONTROL_UNIT]:
        entries = rules.access_list(row.properties)
        access, matching = rules.decide(entries, industry)
        requirements = str(row.properties.get("requirements") or row.properties.get("REQUIRE")
                           or "")  # fmt: skip
        units.append(UnitAnswer(row.key, row.name, access, matching, requirements))
    return LocationCheck(
        lon, lat, industry, on_date,
        red_lines=tuple((r.key, r.name) for r in found[LayerKind.RED_LINE]),
        units=tuple(units), parks=tuple((r.key, r.name) for r in found[LayerKind.PARK]),
        versions=tuple(used),
    )  # fmt: skip


def check(engine: sa.Engine, lon: float, lat: float, industry: str, on_date: date) -> LocationCheck:
    with engine.connect() as conn:
        return check_location(conn, lon, lat, industry, on_date)


def check_dict(result: LocationCheck) -> dict[str, Any]:
    """The one JSON form of a check."""
    data = asdict(result)
    data["inside_red_line"] = result.inside_red_line
    data["verdict"] = result.verdict.value if result.verdict else None
    data["red_lines"] = [{"key": k, "name": n} for k, n in result.red_lines]
    data["parks"] = [{"key": k, "name": n} for k, n in result.parks]
    return data


# --- layers as read by the map and the integrity page --------------------------------------


def versions(engine: sa.Engine, kind: str | None = None) -> list[dict[str, Any]]:
    if kind is not None:
        kind = parse_kind(kind).value
    with engine.connect() as conn:
        return store.versions(conn, kind)


def layer_geojson(engine: sa.Engine, kind: str, on_date: date) -> dict[str, Any]:
    """The version of `kind` in force on `on_date` as a GeoJSON FeatureCollection (empty
    when there is none), for the map."""
    the_kind = parse_kind(kind)
    with engine.connect() as conn:
        version = store.in_force(conn, the_kind.value, on_date)
        rows = store.features(conn, version["id"]) if version else []
    return {
        "type": "FeatureCollection",
        "version": ({"id": version["id"], "valid_from": version["valid_from"].isoformat(),
                     "label": version["label"]} if version else None),
        "features": [
            {"type": "Feature", "geometry": shapely.geometry.mapping(shapely.from_wkb(r.geometry)),
             "properties": {"key": r.key, "name": r.name, "kind": the_kind.value,
                            "area_m2": r.area_m2}}
            for r in rows
        ],
    }  # fmt: skip


def _features(conn: sa.Connection, version_id: int) -> dict[str, Feature]:
    return {r.key: Feature(r.key, r.name, shapely.from_wkb(r.geometry), dict(r.properties))
            for r in store.features(conn, version_id)}  # fmt: skip


def red_line_integrity(engine: sa.Engine) -> list[dict[str, Any]]:
    """Each red-line version (oldest first) with its total geodesic area, the difference
    from the version before, and the polygons added, removed or changed, with what plan
    item 12 forbids flagged (area decreased, polygon removed, function or nature changed)."""
    with engine.connect() as conn:
        found = sorted(store.versions(conn, LayerKind.RED_LINE.value),
                       key=lambda v: v["valid_from"])  # fmt: skip
        result: list[dict[str, Any]] = []
        before: dict[str, Feature] = {}
        for v in found:
            after = _features(conn, v["id"])
            changes = rules.red_line_changes(before, after) if result else []
            previous = result[-1]["area_m2"] if result else None
            flags = sorted({f for c in changes for f in c.flags})
            if previous is not None and v["area_m2"] < previous - 0.5:
                flags.insert(0, "total_area_decreased")
            result.append({
                "id": v["id"], "valid_from": v["valid_from"], "label": v["label"],
                "feature_count": v["feature_count"], "area_m2": v["area_m2"],
                "area_change_m2": None if previous is None else v["area_m2"] - previous,
                "changes": [asdict(c) for c in changes], "flags": flags,
            })  # fmt: skip
            before = after
    return result


def version_of(engine: sa.Engine, version_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = store.version(conn, version_id)
    if found is None:
        raise ZoningNotFound(f"no layer version with id {version_id}")
    return found
