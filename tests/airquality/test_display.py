"""Station values in the units GB 3095-2012 reports them in."""

from __future__ import annotations

from ecozone.airquality import rules


def test_ambient_values_are_shown_in_gb_3095_units():
    # PM2.5 sent as 35 000 ng/m3 -> 35 µg/m3; O3 sent as 0.102 mg/m3 -> 102 µg/m3
    assert rules.ambient_display("a34004", 35_000.0) == (35.0, "µg/m3")
    value, unit = rules.ambient_display("a05024", 0.102)
    assert (round(value, 9), unit) == (102.0, "µg/m3")
    # CO stays in mg/m3
    assert rules.ambient_display("a21005", 0.8) == (0.8, "mg/m3")
    assert rules.ambient_display("a34004", None) == (None, "µg/m3")
