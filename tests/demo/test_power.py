"""The demo's linkage configuration agrees with its virtual meters."""

from datetime import datetime

import yaml

from ecozone.demo.power import demo_power
from ecozone.demo.service import seed_path
from ecozone.simulator.power import one_day, pair_for

TODAY = datetime(2026, 11, 20)


def test_one_file_per_power_logger_with_the_meters_ratings_and_the_days_orders():
    registry = yaml.safe_load(seed_path().read_text(encoding="utf-8"))
    files = demo_power(registry, seed=2021, today=TODAY, days=3)
    assert len(files) == 4
    for doc in files:
        production, control = doc["facilities"]
        channel = production["meters"][0]["channels"][0]
        assert (channel["code"], channel["quantity"]) == ("d20405", "power_kw")
        assert production["meters"][0]["rated_kw"] == pair_for(channel["mn"]).production_kw
        assert control["serves"] == ["MF0001"] and control["outlet"].startswith("DA")
        expected = [
            (start.isoformat(), end.isoformat())
            for back in (2, 1, 0)
            for start, end, _ in one_day(2021, channel["mn"], TODAY.replace(day=20 - back)).orders
        ]
        assert [(o["start"], o["end"]) for o in doc["orders"]] == expected
