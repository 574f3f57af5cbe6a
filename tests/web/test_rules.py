"""The web rules, with hand-worked examples: live state, capture rate, marks, permits, units."""

from __future__ import annotations

from datetime import datetime

from ecozone.web import rules

NOW = datetime(2026, 3, 10, 14, 0)  # device time, CST


def test_overlap_hours_clips_to_the_window():
    window = (datetime(2026, 3, 1, 0, 0), datetime(2026, 3, 2, 0, 0))
    # 23:30 the day before until 01:15: 1.25 h inside the window
    assert (
        rules.overlap_hours(datetime(2026, 2, 28, 23, 30), datetime(2026, 3, 1, 1, 15), *window)
        == 1.25
    )
    # still open since 20:00: lasts to the window's end, 4 h
    assert rules.overlap_hours(datetime(2026, 3, 1, 20, 0), None, *window) == 4.0
    # ended before the window
    assert rules.overlap_hours(datetime(2026, 2, 1), datetime(2026, 2, 2), *window) == 0.0


def test_districts_rank_by_open_alerts_then_exceedance_hours_then_name():
    rows = [
        {"name": "渝中区", "open_alerts": 1, "exceedance_hours": 0.0},
        {"name": "江北区", "open_alerts": 3, "exceedance_hours": 2.0},
        {"name": "南岸区", "open_alerts": 1, "exceedance_hours": 5.5},
        {"name": "北碚区", "open_alerts": 1, "exceedance_hours": 0.0},
    ]
    ranked = rules.rank_districts(rows)
    assert [(r["rank"], r["name"]) for r in ranked] == [
        (1, "江北区"),  # most open alerts
        (2, "南岸区"),  # 1 open alert, 5.5 h
        (3, "北碚区"),  # 1 open alert, 0 h; 北 (U+5317) sorts before 渝 (U+6E1D)
        (4, "渝中区"),
    ]


def test_schematic_position_is_stable_and_near_the_centre():
    centre = (106.55, 29.55)
    first = rules.schematic_position(centre, 42)
    assert first == rules.schematic_position(centre, 42)
    assert abs(first[0] - centre[0]) <= 0.025 and abs(first[1] - centre[1]) <= 0.025
    assert first != rules.schematic_position(centre, 43)
