"""The pure rules: point in polygon with the boundary rule, invalid geometry named, the
access list's answer, geodesic areas against the ellipsoid's closed form, red-line changes,
soil status steps and the review date of an emergency plan."""

from __future__ import annotations

import math
from datetime import date

import pytest
from shapely.geometry import shape
from tests.zoning.data import box

from ecozone.zoning import rules
from ecozone.zoning.model import (
    Access,
    AccessEntry,
    Feature,
    LayerInvalid,
    LayerKind,
    PlanState,
    SoilStatus,
    StepRefused,
)

SQUARE = shape(box(106.80, 29.66, 106.82, 29.68))


def test_a_point_inside_the_red_line_square_is_inside():
    assert rules.contains(SQUARE, 106.81, 29.67)


def test_a_point_outside_the_red_line_square_is_outside():
    assert not rules.contains(SQUARE, 106.83, 29.67)
    assert not rules.contains(SQUARE, 106.81, 29.6799999 + 0.001)


def test_a_point_on_the_boundary_counts_as_inside_the_red_line():
    assert rules.contains(SQUARE, 106.82, 29.67)  # on the east edge
    assert rules.contains(SQUARE, 106.80, 29.66)  # on a corner


def test_a_self_intersecting_polygon_is_refused_naming_the_feature():
    bowtie = shape({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})
    with pytest.raises(LayerInvalid, match=r"feature 'RL-9' \(蝴蝶形图斑\): invalid geometry: "
                                           r"Self-intersection"):  # fmt: skip
        rules.check_layer(LayerKind.RED_LINE, [Feature("RL-9", "蝴蝶形图斑", bowtie)])


def test_a_line_in_a_polygon_layer_and_a_repeated_code_are_refused():
    line = shape({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
    with pytest.raises(LayerInvalid, match="LineString in a red_line layer"):
        rules.check_layer(LayerKind.RED_LINE, [Feature("A", "", line)])
    rules.check_layer(LayerKind.SHORELINE, [Feature("A", "", line)])  # lines are shorelines
    with pytest.raises(LayerInvalid, match="'A': the code appears twice"):
        rules.check_layer(LayerKind.RED_LINE, [Feature("A", "", SQUARE), Feature("A", "", SQUARE)])


def test_projected_coordinates_are_refused():
    far = shape(box(500000, 3280000, 501000, 3281000))  # UTM metres, not degrees
    with pytest.raises(LayerInvalid, match="outside longitude/latitude"):
        rules.check_feature(LayerKind.PARK, Feature("P", "", far))


ENTRIES = (
    AccessEntry("化工", Access.FORBIDDEN, "禁止新建化工"),
    AccessEntry("化工（涂料）", Access.RESTRICTED, "涂料限制", "倍量替代"),
    AccessEntry("电子", Access.ALLOWED, "鼓励"),
)


def test_the_strictest_matching_entry_decides():
    access, found = rules.decide(ENTRIES, "化工（涂料）")
    assert access is Access.FORBIDDEN  # 化工 covers 化工（涂料）, and forbidden beats restricted
    assert [e.access for e in found] == [Access.FORBIDDEN, Access.RESTRICTED]
    assert rules.decide(ENTRIES, "电子") == (Access.ALLOWED, (ENTRIES[2],))
    assert rules.decide(ENTRIES, "食品") == (None, ())
    assert rules.decide(ENTRIES, "电") == (None, ())  # a shorter name is not the entry


def test_the_flat_shapefile_fields_make_the_same_list():
    props = {"FORBIDDEN": "化工;电镀", "F_RULE": "禁止", "RESTRICTED": "汽车制造",
             "R_RULE": "限制", "R_COND": "倍量替代", "ALLOWED": "电子、软件"}  # fmt: skip
    assert rules.access_list(props) == (
        AccessEntry("化工", Access.FORBIDDEN, "禁止"), AccessEntry("电镀", Access.FORBIDDEN, "禁止"),
        AccessEntry("汽车制造", Access.RESTRICTED, "限制", "倍量替代"),
        AccessEntry("电子", Access.ALLOWED), AccessEntry("软件", Access.ALLOWED),
    )  # fmt: skip
    with pytest.raises(LayerInvalid, match="needs industry and access"):
        rules.access_list({"access": [{"industry": "化工", "access": "maybe"}]})


def _authalic_area(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Area of a longitude/latitude rectangle on the WGS 84 ellipsoid, closed form:
    A = b²/2 · Δλ · [q(φ1) − q(φ0)], q(φ) = sinφ/(1 − e²sin²φ) + ln((1 + e sinφ)/(1 − e sinφ))/(2e)."""
    a, f = 6378137.0, 1 / 298.257223563
    b, e = a * (1 - f), math.sqrt(f * (2 - f))

    def q(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return s / (1 - e * e * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b * b / 2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0))


def test_red_line_area_is_the_ellipsoid_area():
    # 0.02° × 0.02° at 29.67° N: about 1.934 km × 2.217 km. Geodesic edges bow from the
    # parallels by centimetres, so the closed form agrees to a millionth.
    expected = _authalic_area(106.80, 29.66, 106.82, 29.68)
    assert 4.28e6 < expected < 4.30e6
    assert rules.area_m2(SQUARE) == pytest.approx(expected, rel=1e-6)


def _feature(key: str, geometry: dict, **props: str) -> Feature:
    return Feature(key, key, shape(geometry), props)


def test_red_line_changes_flag_a_smaller_area_a_removal_and_a_changed_function():
    before = {"A": _feature("A", box(0, 0, 1, 1), function="水源涵养", nature="红线"),
              "B": _feature("B", box(2, 0, 3, 1)),
              "C": _feature("C", box(4, 0, 5, 1), function="水源涵养")}  # fmt: skip
    after = {"A": _feature("A", box(0, 0, 1, 0.5), function="水源涵养", nature="红线"),
             "C": _feature("C", box(4, 0, 5, 1), function="生物多样性维护"),
             "D": _feature("D", box(6, 0, 7, 1))}  # fmt: skip
    changes = {c.key: c for c in rules.red_line_changes(before, after)}
    assert changes["A"].change == "changed" and changes["A"].flags == ("area_decreased",)
    assert changes["A"].area_after_m2 == pytest.approx(_authalic_area(0, 0, 1, 0.5), rel=1e-4)
    assert changes["B"].change == "removed" and changes["B"].flags == ("removed",)
    assert changes["C"].flags == ("function_changed",)
    assert changes["D"].change == "added" and changes["D"].flags == ()
    unchanged = {"A": before["A"]}
    assert rules.red_line_changes(unchanged, unchanged) == []


def test_soil_steps():
    rules.soil_step(SoilStatus.LISTED, SoilStatus.UNDER_CONTROL)
    rules.soil_step(SoilStatus.REMEDIATION, SoilStatus.REMOVED)
    with pytest.raises(StepRefused, match="a site listed cannot go to removed"):
        rules.soil_step(SoilStatus.LISTED, SoilStatus.REMOVED)
    with pytest.raises(StepRefused, match=r"allowed: none"):
        rules.soil_step(SoilStatus.REMOVED, SoilStatus.LISTED)
    assert rules.land_use_flagged(SoilStatus.REMEDIATION)
    assert not rules.land_use_flagged(SoilStatus.REMOVED)


def test_a_plan_is_reviewed_three_years_after_filing():
    assert rules.review_due(date(2023, 5, 10), 3) == date(2026, 5, 10)
    assert rules.review_due(date(2024, 2, 29), 3) == date(2027, 2, 28)
    due = date(2026, 5, 10)
    # 10 May − 90 days: back 30 to 10 Apr, 31 to 10 Mar, 28 to 10 Feb, 1 more: 9 Feb.
    assert rules.plan_state(due, date(2026, 2, 8), 90) is PlanState.CURRENT  # 91 days before
    assert rules.plan_state(due, date(2026, 2, 9), 90) is PlanState.EXPIRING  # 90 days before
    assert rules.plan_state(due, date(2026, 5, 10), 90) is PlanState.EXPIRING  # the due day
    assert rules.plan_state(due, date(2026, 5, 11), 90) is PlanState.EXPIRED
