"""Reading layer files: GeoJSON (json + shapely.geometry.shape) and ESRI Shapefile (pyshp),
the latter as a .shp beside its .shx/.dbf or as a .zip holding them, as staff upload it.

Each feature becomes a model.Feature keyed by its code attribute (code, CODE, id); reading
checks nothing about validity, rules.check_layer does that. Coordinates are taken as WGS 84
longitude/latitude; a .prj naming another system is refused rather than misread.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import shapefile
from shapely.geometry import shape

from ecozone.zoning.model import Feature, LayerInvalid

#: Largest layer file read, bytes (a zone's red line or units fit many times over).
MAX_LAYER_BYTES = 50 * 1024 * 1024
_CODE_KEYS = ("code", "id", "key", "编码", "代码")
_NAME_KEYS = ("name", "名称")


def _pick(props: dict[str, Any], keys: tuple[str, ...]) -> str:
    lowered = {str(k).lower(): v for k, v in props.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _feature(props: dict[str, Any], geometry: Any, index: int) -> Feature:
    key = _pick(props, _CODE_KEYS)
    name = _pick(props, _NAME_KEYS)
    if geometry is None:
        raise LayerInvalid(f"feature {key or index}: no geometry")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise LayerInvalid(f"feature {key or index} ({name}): unreadable geometry: {exc}") from None
    return Feature(key, name, geom, {k: v for k, v in props.items() if v is not None})


def read_geojson(content: bytes) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection (or one Feature)."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayerInvalid(f"not GeoJSON: {exc}") from None
    if not isinstance(data, dict):
        raise LayerInvalid("not GeoJSON: expected a FeatureCollection or a Feature")
    crs = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and not any(t in crs for t in ("4326", "CRS84", "4490")):
        raise LayerInvalid(f"coordinate system {crs}: expected WGS 84 (EPSG:4326) or CGCS2000")
    items = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    if data.get("type") not in ("FeatureCollection", "Feature") or not isinstance(items, list):
        raise LayerInvalid("not GeoJSON: expected a FeatureCollection or a Feature")
    return [
        _feature(dict(item.get("properties") or {}), item.get("geometry"), i)
        for i, item in enumerate(items, 1)
    ]


def read_shapefile(shp: bytes, shx: bytes | None, dbf: bytes, prj: str = "") -> list[Feature]:
    """The features of a Shapefile given its parts' bytes."""
    if prj and "GCS_WGS_1984" not in prj and "China_Geodetic" not in prj and "CGCS" not in prj:
        raise LayerInvalid("the .prj names a projected or unknown system; export the layer in "
                           "WGS 84 longitude/latitude")  # fmt: skip
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(shp), shx=io.BytesIO(shx) if shx else None, dbf=io.BytesIO(dbf),
            encoding="utf-8", encodingErrors="replace",
        )  # fmt: skip
        found = [
            _feature(item.record.as_dict(), item.shape.__geo_interface__
                     if item.shape.shapeType != shapefile.NULL else None, i)
            for i, item in enumerate(reader.iterShapeRecords(), 1)
        ]  # fmt: skip
    except shapefile.ShapefileException as exc:
        raise LayerInvalid(f"not a Shapefile: {exc}") from None
    return found


def read_zip(content: bytes) -> list[Feature]:
    """A Shapefile inside a .zip (the .shp, .shx, .dbf and optional .prj of one layer), or
    a GeoJSON file inside it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise LayerInvalid("not a zip archive") from None
    with archive:
        names = {Path(n).suffix.lower(): n for n in archive.namelist() if not n.endswith("/")}
        for suffix in (".geojson", ".json"):
            if suffix in names:
                return read_geojson(archive.read(names[suffix]))
        missing = [s for s in (".shp", ".dbf") if s not in names]
        if missing:
            raise LayerInvalid(f"the zip holds no {' or '.join(missing)} file of a Shapefile")
        prj = archive.read(names[".prj"]).decode("utf-8", "replace") if ".prj" in names else ""
        shx = archive.read(names[".shx"]) if ".shx" in names else None
        return read_shapefile(archive.read(names[".shp"]), shx, archive.read(names[".dbf"]), prj)


def read_upload(filename: str, content: bytes) -> list[Feature]:
    """The features of an uploaded layer, by its name's ending: .geojson/.json or .zip."""
    if len(content) > MAX_LAYER_BYTES:
        raise LayerInvalid(f"{filename}: larger than {MAX_LAYER_BYTES // (1024 * 1024)} MiB")
    if not content:
        raise LayerInvalid(f"{filename}: the file is empty")
    suffix = Path(filename).suffix.lower()
    if suffix in (".geojson", ".json"):
        return read_geojson(content)
    if suffix == ".zip":
        return read_zip(content)
    raise LayerInvalid(f"{filename}: expected a .geojson/.json file or a .zip of a Shapefile")


def read_path(path: Path) -> list[Feature]:
    """The features of a layer file on disk: .geojson/.json, .zip, or a .shp with its
    .shx/.dbf (and .prj) beside it."""
    if not path.is_file():
        raise LayerInvalid(f"{path}: no such file")
    if path.suffix.lower() != ".shp":
        return read_upload(path.name, path.read_bytes())
    parts = {}
    for suffix in (".shx", ".dbf", ".prj"):
        sibling = next((p for p in (path.with_suffix(suffix), path.with_suffix(suffix.upper()))
                        if p.is_file()), None)  # fmt: skip
        parts[suffix] = sibling.read_bytes() if sibling else None
    if parts[".dbf"] is None:
        raise LayerInvalid(f"{path}: no .dbf beside it")
    prj = parts[".prj"].decode("utf-8", "replace") if parts[".prj"] else ""
    return read_shapefile(path.read_bytes(), parts[".shx"], parts[".dbf"], prj)
