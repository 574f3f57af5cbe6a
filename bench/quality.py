"""How long the quality reads take over a month of 5-minute data, through the same use cases
the pages call: the day and night levels of every noise station (energy means of the
hours), the dust exceedances of every site monitor against the rules, and the overflow
detection of every sewer monitor.

The zone is made here: `--stations` noise stations (zone class 2), as many site monitors
of PM10 and TSP, and as many overflow meters, each with `--days` days of 5-minute minute
data (HJ 212 CN 2051) written through the measurement upsert.

    python bench/quality.py [--engine sqlite|postgres] [--stations 10] [--days 31]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import tempfile
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.quality import dust, noise, service, sewer
from ecozone.quality.model import QualitySettings
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise, point

START = datetime(2026, 10, 1)
STEP = timedelta(minutes=5)


def build(url: str, stations: int, days: int) -> tuple[sa.Engine, int]:
    engine = make_engine(url)
    upgrade_engine(engine)
    body = "91500000MA6BENCH1".replace("I", "J")
    code = body + credit_code_check_char(body)
    points = []
    for i in range(stations):
        points += [{"code": f"N{i:03d}", "name": f"噪声{i}", "kind": "noise"},
                   {"code": f"D{i:03d}", "name": f"扬尘{i}", "kind": "dust"},
                   {"code": f"O{i:03d}", "name": f"溢流{i}", "kind": "sewer"}]  # fmt: skip
    import_registry(
        engine,
        {
            "districts": ["两江新区"],
            "enterprises": [
                {"credit_code": code, "name": "基准企业", "district": "两江新区", "points": points}
            ],
        },
    )
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(point.c.code, point.c.id)).all())
        owner = conn.execute(sa.select(enterprise.c.id)).scalar_one()
    rng = random.Random(1)
    settings = QualitySettings()
    rows = 0
    times = [START + STEP * k for k in range(days * 288)]
    for i in range(stations):
        site = service.register_site(engine, None, enterprise_id=owner, code=f"S{i}",
                                     project="基准工地", builder="基准", area_m2=1000,
                                     phase="earthwork", actor="bench")  # fmt: skip
        noise.configure_station(engine, ids[f"N{i:03d}"], zone_class="2", actor="bench")
        dust.attach_monitor(engine, ids[f"D{i:03d}"], site.id, actor="bench")
        sewer.configure_monitor(engine, ids[f"O{i:03d}"], role="overflow", actor="bench")
        batch = []
        for at in times:
            day = 6 <= at.hour < 22
            leq = (58.0 if day else 49.0) + rng.gauss(0, 2)
            pm10 = 80 + 40 * math.sin(at.hour / 24 * 2 * math.pi) + rng.gauss(0, 25)
            pm10 += 120 if at.day % 5 == 0 and at.hour == 9 else 0
            storm = at.day % 7 == 0 and 18 <= at.hour < 20
            flow = 150 + rng.gauss(0, 20) if storm else 0.0
            for c, pid, v in (("Leq", f"N{i:03d}", leq), ("LMx", f"N{i:03d}", leq + 9),
                              ("a34002", f"D{i:03d}", pm10), ("a34001", f"D{i:03d}", pm10 * 1.8),
                              (settings.flow_code, f"O{i:03d}", flow)):  # fmt: skip
                batch.append({"point_id": ids[pid], "kind": "minute", "pollutant": c,
                              "data_time": at, "avg": round(v, 1)})  # fmt: skip
        with engine.begin() as conn:
            upsert_measurements(conn, batch)
        rows += len(batch)
    dust.seed_rules(engine, actor="bench")
    return engine, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--stations", type=int, default=10)
    parser.add_argument("--days", type=int, default=31)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = (f"sqlite:///{folder}/bench.db" if args.engine == "sqlite"
           else os.environ["ECOZONE_BENCH_POSTGRES_URL"])  # fmt: skip
    began = time.perf_counter()
    engine, rows = build(url, args.stations, args.days)
    print(f"{platform.node()} {platform.python_version()} {args.engine}: {rows:,} minute "
          f"values written in {time.perf_counter() - began:.1f} s")  # fmt: skip
    settings = QualitySettings()
    first, last = date(2026, 10, 1), date(2026, 10, args.days)
    began = time.perf_counter()
    chosen = noise.stations(engine, None)
    pairs = noise.day_night(engine, chosen, first, last, settings)
    took = time.perf_counter() - began
    periods = sum(len(p) for _s, p in pairs)
    print(f"noise day/night: {len(chosen)} stations × {args.days} days → {periods} periods "
          f"in {took:.2f} s")  # fmt: skip
    began = time.perf_counter()
    found = dust.exceedances(engine, None, first, last)
    print(f"dust exceedances: {args.stations} monitors × 2 rules × {args.days} days → "
          f"{len(found)} days with exceedances in {time.perf_counter() - began:.2f} s")  # fmt: skip
    end = datetime(2026, 10, 1) + timedelta(days=args.days)
    began = time.perf_counter()
    events = sewer.detect(engine, START, end, settings)
    print(f"overflow detection: {args.stations} meters × {args.days} days → {len(events)} "
          f"events (stored, alerts raised) in {time.perf_counter() - began:.2f} s")  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
