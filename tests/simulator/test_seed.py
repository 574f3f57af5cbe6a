"""The demo registry (src/ecozone/demo/seed.yaml) is importable and plausible."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

import ecozone
from ecozone.registry import check_credit_code
from ecozone.registry.rules import parse_registry
from ecozone.simulator import load_registry, protocol_for_mn

SEED = Path(ecozone.__file__).parent / "demo" / "seed.yaml"
# The districts and areas that carry out the measures of 渝环〔2021〕154号 (item 1).
PLAN_DISTRICTS = ["渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "渝北区",
                  "两江新区", "重庆高新区"]  # fmt: skip
ST = {"flue_gas": "31", "wastewater": "32", "ambient_air": "22", "surface_water": "21", "power": "44"}


def load():
    document, errors, warnings = parse_registry(yaml.safe_load(SEED.read_text("utf-8")))
    assert errors == []
    return document, warnings


def points(document):
    return [(e, p) for e in document.enterprises for p in e.points]


def test_seed_has_the_plans_nine_districts_and_about_thirty_enterprises():
    document, _ = load()
    assert list(document.districts) == PLAN_DISTRICTS
    assert document.zone == "中国（重庆）自由贸易试验区"
    assert {e.district for e in document.enterprises} == set(PLAN_DISTRICTS)
    assert 28 <= len(document.enterprises) <= 36


def test_every_credit_code_passes_the_gb_32100_check_and_is_unique():
    document, _ = load()
    codes = [e.credit_code for e in document.enterprises]
    assert all(check_credit_code(code) is None for code in codes)
    assert len(set(codes)) == len(codes)
    stations = [e for e in document.enterprises if e.credit_code.startswith("12")]
    assert stations  # public institutions run the air and water stations
    for enterprise, point in points(document):
        if point.kind in ("ambient_air", "surface_water"):
            assert enterprise.credit_code.startswith("12")


def test_devices_have_unique_mns_six_digit_passwords_and_the_st_of_their_kind():
    document, warnings = load()
    devices = [(p, p.device) for _, p in points(document)]
    assert all(device is not None for _, device in devices)
    mns = [device.mn for _, device in devices]
    assert len(set(mns)) == len(mns)
    for point, device in devices:
        assert re.fullmatch(r"\d{6}", device.password)
        assert device.st == ST[point.kind]
        if len(device.mn) == 24:
            assert re.fullmatch(r"[0-9A-F]{24}", device.mn)
        else:
            assert re.fullmatch(r"\d{14}", device.mn) and device.lenient
    legacy = [mn for mn in mns if len(mn) == 14]
    assert len(warnings) == len(legacy)  # the registry accepts them, with a warning each
    protocols = Counter(protocol_for_mn(mn) for mn in mns)
    assert protocols["2025"] >= 1 and protocols["2005"] >= 1
    assert any(protocol_for_mn(mn) == "2017" for mn in legacy)


def test_points_are_plausible_outlets_and_stations_in_chongqing():
    document, _ = load()
    kinds = Counter(p.kind for _, p in points(document))
    assert kinds["ambient_air"] in (3, 4) and kinds["surface_water"] in (1, 2)
    assert kinds["flue_gas"] >= 15 and kinds["wastewater"] >= 15
    for enterprise, point in points(document):
        for lon, lat in ((enterprise.lon, enterprise.lat), (point.lon, point.lat)):
            assert 106.3 <= lon <= 106.9 and 29.3 <= lat <= 29.9
        prefix = {"flue_gas": "DA", "wastewater": "DW"}.get(point.kind)
        if prefix:
            assert re.fullmatch(prefix + r"\d{3}", point.code)
        if point.kind == "flue_gas" and point.reference_o2 is not None:
            # domain.md 6: coal power 6, gas power boiler 3, gas turbine 15, GB 13271 3.5 / 9
            assert point.reference_o2 in (3.0, 3.5, 6.0, 9.0, 15.0)


def test_seed_loads_as_simulator_devices():
    specs = load_registry(SEED)
    document, _ = load()
    assert len(specs) == len(points(document))
    assert {s.kind.value for s in specs} == {
        "flue_gas",
        "wastewater",
        "ambient_air",
        "power",
        "surface_water",
    }
