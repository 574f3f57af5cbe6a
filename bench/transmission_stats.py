"""Time of the transmission-effectiveness statistic (ecozone.statistics.transmission_service)
for a zone-wide month over a large store.

Fills a fresh database with device hourly records (kind hour) of every flue-gas outlet for a
30-day month (default: 1,000 outlets x 720 hours x 2 pollutants = 1.44 million values), about
3 % of hours missing and 2 % with an invalid flag, 20 accepted shutdown declarations, by
executemany in one transaction per outlet batch; then times `compute` (the one grouped read of
received and valid uploads, the marks, and the expected counts) and `as_dict` (the tables),
best and median of --repeat runs.

    PYTHONPATH=src python bench/transmission_stats.py [--points 1000] [--pollutants 2]
    PYTHONPATH=src python bench/transmission_stats.py --engine postgres  # ECOZONE_TEST_POSTGRES_URL
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import Scope
from ecozone.monitoring.model import MonitoringSettings
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.statistics import transmission_service
from ecozone.statistics.transmission import TransmissionSettings, parse_period
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import data_mark, measurement, point

DISTRICTS = ["两江新区", "渝北区", "南岸区", "重庆高新区", "江北区"]
MONTH = datetime(2025, 6, 1)
CODES = ("a21026", "a21002", "a34013", "a19001")


def registry(points: int) -> dict:
    per = 10  # outlets per enterprise
    enterprises = []
    for e in range(points // per):
        body = f"91500000MA{e:07d}"
        enterprises.append({
            "credit_code": body + credit_code_check_char(body), "name": f"示例企业{e}",
            "district": DISTRICTS[e % len(DISTRICTS)],
            "points": [{"code": f"DA{k + 1:03d}", "name": f"排口{k + 1}", "kind": "flue_gas",
                        "device": {"mn": f"BENCH{e:06d}{k:03d}", "password": "123456",
                                   "st": "31"}} for k in range(per)],
        })  # fmt: skip
    return {"districts": DISTRICTS, "enterprises": enterprises}


def fill(engine: sa.Engine, pollutants: int) -> int:
    rng = np.random.default_rng(2026)
    received = datetime.now(UTC)
    times = [MONTH + timedelta(hours=h) for h in range(720)]
    total = 0
    with engine.connect() as conn:
        ids = list(conn.execute(sa.select(point.c.id).order_by(point.c.id)).scalars())
    for batch in range(0, len(ids), 50):
        rows = []
        for pid in ids[batch : batch + 50]:
            sent = rng.random(720) >= 0.03
            bad = rng.random(720) < 0.02
            for h in np.flatnonzero(sent):
                for code in CODES[:pollutants]:
                    rows.append({"point_id": pid, "pollutant": code, "kind": "hour",
                                 "data_time": times[h], "avg": 20.0, "received_at": received,
                                 "flag": "D" if bad[h] and code == CODES[0] else "N"})  # fmt: skip
        with engine.begin() as conn:
            conn.execute(sa.insert(measurement), rows)
        total += len(rows)
    with engine.begin() as conn:
        conn.execute(data_mark.insert(), [
            {"point_id": pid, "pollutant": None, "kind": "shutdown",
             "start": MONTH + timedelta(days=5), "end": MONTH + timedelta(days=7),
             "reason": "bench", "declared_by": "bench", "declared_at": received,
             "review_state": "accepted"} for pid in ids[::50]
        ])  # fmt: skip
    return total


def run(url: str, points: int, pollutants: int, repeat: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    import_registry(engine, registry(points))
    began = time.perf_counter()
    values = fill(engine, pollutants)
    print(f"filled {values:,} hourly values in {time.perf_counter() - began:.1f} s")
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        report = transmission_service.compute(
            engine, Scope("admin"), parse_period("2025-06"), now_local=datetime(2025, 8, 1),
            settings=TransmissionSettings(), monitoring=MonitoringSettings(),
        )  # fmt: skip
        result = transmission_service.as_dict(report)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    assert result is not None
    total = result["total"]
    print(f"{engine.dialect.name}: {len(result['points'])} points, {total['expected']:,} "
          f"expected, {total['received']:,} received, {total['valid']:,} valid, "
          f"{len(result['below_threshold'])} below 90 %")  # fmt: skip
    print(
        f"zone-wide month: best {min(times):.2f} s, median {float(np.median(times)):.2f} s wall; "
        f"CPU of this process best {min(cpu):.2f} s (the database's own time is in wall)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--pollutants", type=int, default=2, choices=range(1, len(CODES) + 1))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    if args.engine == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.points, args.pollutants, args.repeat)
        return
    server = os.environ.get("ECOZONE_TEST_POSTGRES_URL")
    if not server:
        raise SystemExit("set ECOZONE_TEST_POSTGRES_URL to a PostgreSQL server")
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(server).set(database=name).render_as_string(False)
        run(url, args.points, args.pollutants, args.repeat)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
