"""Pure rules of zoning and risk: geometry checks, the access-list answer, red-line areas and
their changes, the soil list's status steps and a plan's review state. No I/O, no clock.

Geometry is shapely's (GEOS); areas are geodesic on the WGS 84 ellipsoid (pyproj.Geod), so
no projection has to be chosen for the zone and no equal-area approximation is made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from pyproj import Geod
from shapely import Point
from shapely.validation import explain_validity

from ecozone.zoning.model import (
    STRICTNESS,
    Access,
    AccessEntry,
    Feature,
    FeatureChange,
    LayerInvalid,
    LayerKind,
    PlanState,
    SoilStatus,
    StepRefused,
)

_GEOD = Geod(ellps="WGS84")
_POLYGONS = ("Polygon", "MultiPolygon")
_LINES = ("LineString", "MultiLineString")

#: Status steps of the soil list. A listed site goes to risk control or remediation; it
#: leaves the list (移出) only once its control or remediation goal is met and assessed
#: (土壤污染防治法 arts. 64-66); a removed site does not come back by a step (it is listed
#: anew as a new entry).
SOIL_STEPS: dict[SoilStatus, tuple[SoilStatus, ...]] = {
    SoilStatus.LISTED: (SoilStatus.UNDER_CONTROL, SoilStatus.REMEDIATION),
    SoilStatus.UNDER_CONTROL: (SoilStatus.REMEDIATION, SoilStatus.REMOVED),
    SoilStatus.REMEDIATION: (SoilStatus.UNDER_CONTROL, SoilStatus.REMOVED),
    SoilStatus.REMOVED: (),
}


def check_feature(kind: LayerKind, feature: Feature) -> None:
    """Refuse a feature whose geometry is empty, of the wrong type for the layer, outside
    longitude/latitude, or invalid (self-intersecting rings and the like, as GEOS says);
    the message names the feature."""
    geom = feature.geometry
    name = f"feature {feature.key!r}" + (f" ({feature.name})" if feature.name else "")
    wanted = _LINES if kind.lines else _POLYGONS
    if geom is None or geom.is_empty:
        raise LayerInvalid(f"{name}: empty geometry")
    if geom.geom_type not in wanted:
        raise LayerInvalid(f"{name}: {geom.geom_type} in a {kind.value} layer; expected "
                           f"{' or '.join(wanted)}")  # fmt: skip
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise LayerInvalid(f"{name}: coordinates outside longitude/latitude (WGS 84 degrees)")
    if not geom.is_valid:
        raise LayerInvalid(f"{name}: invalid geometry: {explain_validity(geom)}")


def check_layer(kind: LayerKind, features: Iterable[Feature]) -> list[Feature]:
    """Every feature checked, keys unique; the first bad one refuses the whole layer."""
    seen: set[str] = set()
    checked = []
    for feature in features:
        if not feature.key:
            raise LayerInvalid(f"feature {feature.name or len(checked) + 1}: no code")
        if feature.key in seen:
            raise LayerInvalid(f"feature {feature.key!r}: the code appears twice")
        seen.add(feature.key)
        check_feature(kind, feature)
        checked.append(feature)
    if not checked:
        raise LayerInvalid("the layer has no feature")
    return checked


def split_items(text: Any) -> list[str]:
    if isinstance(text, list | tuple):
        return [str(t).strip() for t in text if str(t).strip()]
    return [p.strip() for p in str(text or "").replace("；", ";").replace("、", ";").split(";")
            if p.strip()]  # fmt: skip


def access_list(properties: Mapping[str, Any]) -> tuple[AccessEntry, ...]:
    """A control unit's access list from its attributes: either `access`, a list (or its
    JSON text) of {industry, access, rule, conditions}, or the flat fields a Shapefile can
    carry (names of at most 10 characters): FORBIDDEN, RESTRICTED, ALLOWED (industries
    separated by ; or 、) with F_RULE, R_RULE, R_COND and A_RULE."""
    props = {str(k).lower(): v for k, v in properties.items()}
    raw = props.get("access")
    entries: list[AccessEntry] = []
    if raw:
        items = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise LayerInvalid("access: expected a list of {industry, access, rule, conditions}")
        for item in items:
            try:
                entries.append(AccessEntry(
                    str(item["industry"]).strip(), Access(item["access"]),
                    str(item.get("rule") or ""), str(item.get("conditions") or "")))  # fmt: skip
            except (KeyError, TypeError, ValueError):
                raise LayerInvalid(
                    f"access entry {item!r}: needs industry and access "
                    "(allowed, restricted or forbidden)"
                ) from None
    flat = ((Access.FORBIDDEN, "forbidden", "f_rule", ""),
            (Access.RESTRICTED, "restricted", "r_rule", "r_cond"),
            (Access.ALLOWED, "allowed", "a_rule", ""))  # fmt: skip
    for access, field, rule, cond in flat:
        for industry in split_items(props.get(field)):
            entries.append(AccessEntry(industry, access, str(props.get(rule) or ""),
                                       str(props.get(cond) or "") if cond else ""))  # fmt: skip
    return tuple(entries)


def matches(entry_industry: str, industry: str) -> bool:
    """An entry covers the industry asked when it is the same name or the asked name is a
    sub-category written after it (an entry 化工 covers 化工（农药）), case-insensitive."""
    entry, asked = entry_industry.strip().casefold(), industry.strip().casefold()
    return bool(entry) and (asked == entry or asked.startswith(entry))


def decide(
    entries: Iterable[AccessEntry], industry: str
) -> tuple[Access | None, tuple[AccessEntry, ...]]:
    """What a list says for `industry`: the strictest matching entry decides (a forbidden
    line beats a restricted one beats an allowed one), with every matching entry; None
    when no entry matches."""
    found = tuple(e for e in entries if matches(e.industry, industry))
    if not found:
        return None, ()
    strictest = max((e.access for e in found), key=STRICTNESS.__getitem__)
    return strictest, tuple(sorted(found, key=lambda e: -STRICTNESS[e.access]))


def contains(geometry: Any, lon: float, lat: float) -> bool:
    """Whether the point is in the polygon, its boundary included: a point on the red line
    is inside it (the red line is held as drawn, the doubt goes to protection)."""
    return bool(geometry.covers(Point(lon, lat)))


def area_m2(geometry: Any) -> float:
    """Geodesic area in m² on the WGS 84 ellipsoid (pyproj.Geod, Karney's algorithm): no
    projection to choose and no distortion to correct, whatever the polygon's extent."""
    area, _perimeter = _GEOD.geometry_area_perimeter(geometry)
    return abs(area)


#: Attributes of a red-line polygon whose change the plan forbids (item 12: 生态功能不改变、
#: 面积不减少、性质不改变).
FUNCTION_KEYS = ("function", "功能")
NATURE_KEYS = ("nature", "性质")


def _attribute(properties: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    for k, v in properties.items():
        if str(k).lower() in keys:
            return str(v or "")
    return ""


def red_line_changes(
    before: Mapping[str, Feature], after: Mapping[str, Feature]
) -> list[FeatureChange]:
    """Polygons added, removed or changed between two versions (by code), each with its
    areas and what plan item 12 forbids flagged: area_decreased, removed, function_changed,
    nature_changed."""
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        a_old = area_m2(old.geometry) if old else 0.0
        a_new = area_m2(new.geometry) if new else 0.0
        flags: list[str] = []
        if old is None and new is not None:
            change = "added"
        elif new is None and old is not None:
            change, flags = "removed", ["removed"]
        else:
            assert old is not None and new is not None
            same_shape = old.geometry.normalize().equals_exact(new.geometry.normalize(), 1e-9)
            if (same_shape and _attribute(old.properties, FUNCTION_KEYS)
                    == _attribute(new.properties, FUNCTION_KEYS)
                    and _attribute(old.properties, NATURE_KEYS)
                    == _attribute(new.properties, NATURE_KEYS)):  # fmt: skip
                continue
            change = "changed"
            if a_new < a_old - 0.5:  # below half a square metre is rounding
                flags.append("area_decreased")
            for flag, keys in (("function_changed", FUNCTION_KEYS),
                               ("nature_changed", NATURE_KEYS)):  # fmt: skip
                if _attribute(old.properties, keys) != _attribute(new.properties, keys):
                    flags.append(flag)
        name = (new or old).name  # type: ignore[union-attr]
        changes.append(FeatureChange(key, name, change, a_old, a_new, tuple(flags)))
    return changes


def soil_step(current: SoilStatus, to: SoilStatus) -> None:
    """Refuse a step SOIL_STEPS does not allow, naming both statuses."""
    if to not in SOIL_STEPS[current]:
        allowed = ", ".join(s.value for s in SOIL_STEPS[current]) or "none"
        raise StepRefused(f"a site {current.value} cannot go to {to.value} (allowed: {allowed})")


def land_use_flagged(status: SoilStatus) -> bool:
    """A land-use change on a site still on the list is flagged: 土壤污染防治法 art. 66 bars
    any project unrelated to risk control or remediation until the goal is met and it is
    removed from the list."""
    return status is not SoilStatus.REMOVED


def review_due(filed_on: date, review_years: int) -> date:
    """The date a filed plan is due for its review: filed_on plus `review_years` years
    (29 February gives 28 February in a common year)."""
    year = filed_on.year + review_years
    try:
        return filed_on.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def plan_state(valid_until: date, today: date, expiring_days: int) -> PlanState:
    """Expired after its review date; expiring within `expiring_days` of it."""
    if today > valid_until:
        return PlanState.EXPIRED
    if today >= valid_until - timedelta(days=expiring_days):
        return PlanState.EXPIRING
    return PlanState.CURRENT
