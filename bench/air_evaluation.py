"""Wall time of the HJ 663 evaluation (ecozone.airquality.evaluation.evaluate) over a year of
hourly values of many air stations.

Fills a fresh SQLite database with device hourly values (kind hour, flag N) of the six GB 3095
pollutants for each station (default: 50 stations x 365 days x 6 = 2.6 million values), by
executemany in one transaction, then times the evaluation of the year: the read of the valid
hourly means, daily indicators and AQI (HJ 633), and the evaluation of every station, district
and the zone.

    PYTHONPATH=src python bench/air_evaluation.py [--stations 50] [--days 365]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ecozone.airquality.evaluation import service
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import measurement, point

CODES = {"a21026": 0.01, "a21004": 0.03, "a34002": 60_000.0, "a21005": 0.8, "a05024": 0.09,
         "a34004": 35_000.0}  # fmt: skip
DISTRICTS = ["两江新区", "渝北区", "南岸区", "重庆高新区", "江北区"]


def registry(stations: int) -> dict:
    return {
        "districts": DISTRICTS,
        "enterprises": [{
            "credit_code": "125000001559170089", "name": "示例监测站", "district": "两江新区",
            "disclosed": True,
            "points": [{"code": f"AQ{i:03d}", "name": f"空气站{i}", "kind": "ambient_air",
                        "district": DISTRICTS[i % len(DISTRICTS)]} for i in range(stations)],
        }],
    }  # fmt: skip


def fill(engine: sa.Engine, days: int, year: int) -> int:
    start = datetime(year, 1, 1)
    hours = days * 24
    rng = np.random.default_rng(2026)
    received = datetime.now(UTC)
    with engine.begin() as conn:
        ids = list(conn.execute(sa.select(point.c.id)).scalars())
        for pid in ids:
            rows = []
            for code, level in CODES.items():
                values = level * rng.lognormal(0.0, 0.4, hours)
                rows += [
                    {"point_id": pid, "pollutant": code, "kind": "hour",
                     "data_time": start + timedelta(hours=h), "avg": float(values[h]),
                     "flag": "N", "received_at": received}
                    for h in range(hours)
                ]  # fmt: skip
            conn.execute(sa.insert(measurement), rows)
    return len(ids) * hours * len(CODES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    year = 2025
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        import_registry(engine, registry(args.stations))
        began = time.perf_counter()
        values = fill(engine, args.days, year)
        print(f"filled {values:,} hourly values in {time.perf_counter() - began:.1f} s")
        began, cpu = time.perf_counter(), time.process_time()
        result = service.evaluate(engine, year=year)
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        # CPU time too: on a machine shared with other work, wall time measures the others.
        print(f"evaluated {len(result.stations)} stations, {len(result.districts)} districts "
              f"over {args.days} days of {year} in {took:.2f} s wall, {cpu:.2f} s CPU "
              f"(load average {os.getloadavg()[0]:.1f})")  # fmt: skip
        print("zone index", result.zone.comprehensive_index if result.zone else None)
        engine.dispose()


if __name__ == "__main__":
    main()
