"""Demo permits: every outlet of the seed is covered, with the limits of its source type."""

from __future__ import annotations

from importlib import resources

import yaml

from ecozone.compliance import permit_file
from ecozone.demo.permits import demo_permits

SEED = yaml.safe_load((resources.files("ecozone.demo") / "seed.yaml").read_text(encoding="utf-8"))


def test_demo_permit_file_is_valid_and_covers_every_discharge_outlet():
    permits = demo_permits(SEED)
    _specs, errors, _warnings = permit_file.parse_permits(permits)
    assert errors == []
    outlets = {(p["credit_code"], o["code"]) for p in permits["permits"] for o in p["outlets"]}
    expected = {
        (e["credit_code"], pt["code"])
        for e in SEED["enterprises"]
        for pt in e["points"]
        if pt["kind"] in ("flue_gas", "wastewater")
    }
    assert outlets == expected


def test_coal_power_outlet_gets_gb_13223_limits():
    registry = {
        "enterprises": [
            {
                "credit_code": "91500000MA5U7AH918",
                "industry": "热电",
                "points": [{"code": "DA001", "kind": "flue_gas", "reference_o2": 6.0}],
            }
        ]
    }
    (permit,) = demo_permits(registry)["permits"]
    limits = {x["pollutant"]: (x["limit"], x["standard"]) for x in permit["outlets"][0]["limits"]}
    # GB 13223-2011 Table 1, coal-fired boiler (domain.md §6.1): SO2 100, NOx 100, particulates 30.
    assert limits == {
        "a21026": (100.0, "GB 13223-2011"),
        "a21002": (100.0, "GB 13223-2011"),
        "a34013": (30.0, "GB 13223-2011"),
    }
