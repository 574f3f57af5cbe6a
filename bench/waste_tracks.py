"""Wall time of the vehicle-track checks and of a track import (ecozone.waste.tracks, legs).

1. The pure checks: `--legs` carrier legs (default 1,000) of `--points` GPS points each
   (default 500, one every 15 s: a trip of 2 h 5 min at ≈ 40 km/h), each with a 10-waypoint
   declared route of ≈ 85 km; every tenth leg leaves its route for 10 minutes and every
   seventh stands still for 40 minutes on the way. Times `tracks.findings` (deviations and
   long stops) over all legs, best of
   `--repeat`, and checks the findings' count against what was built in.
2. The import: a CSV of `--csv-points` points (default 100,000, one a second) into one
   dispatched manifest through `legs.import_points` (parse, check, all-or-nothing insert),
   SQLite by default or PostgreSQL with --engine postgres (ECOZONE_TEST_POSTGRES_URL); then
   the same file again (every point already there: nothing added).

    PYTHONPATH=src python bench/waste_tracks.py [--legs 1000] [--points 500]
        [--csv-points 100000] [--engine sqlite|postgres]
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

from ecozone.compliance.model import WorkCalendar
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.waste import legs, manifests, service, tracks
from ecozone.waste.model import WasteSettings
from ecozone.waste.tracks import FindingKind, TrackPoint

SETTINGS = WasteSettings()
T0 = datetime(2026, 5, 1, 8, 0)


def build_leg(k: int, n: int, rng: np.random.Generator) -> tuple[list, list[TrackPoint]]:
    """A route of 10 waypoints wandering east-north-east, and a track along it."""
    lon0, lat0 = 106.3 + (k % 50) * 0.01, 29.4 + (k // 50) * 0.01
    steps = rng.uniform(0.07, 0.09, size=(9, 2)) * np.array([1.0, 0.3])
    route = np.vstack([np.array([[lon0, lat0]]), np.array([lon0, lat0]) + np.cumsum(steps, 0)])
    seg = np.linspace(0, 9, n, endpoint=False)
    i = seg.astype(int)
    part = (seg - i)[:, None]
    pos = route[i] + (route[i + 1] - route[i]) * part
    pos += rng.normal(0, 0.00005, size=pos.shape)  # ≈ 5 m of GPS noise
    if k % 10 == 0:  # 40 points (10 minutes) ≈ 1.1 km north
        pos[100:140, 1] += 0.01
    if k % 7 == 0:  # 160 points (40 minutes) standing still
        pos[300:460] = pos[300]
    points = [TrackPoint(T0 + timedelta(seconds=15 * j), float(x), float(y), 40.0)
              for j, (x, y) in enumerate(pos)]  # fmt: skip
    return [tuple(w) for w in route.tolist()], points


def bench_checks(n_legs: int, n_points: int, repeat: int) -> None:
    rng = np.random.default_rng(7)
    made = [build_leg(k, n_points, rng) for k in range(n_legs)]
    best = float("inf")
    found: list = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = [tracks.findings(points, route, [], SETTINGS) for route, points in made]
        best = min(best, time.perf_counter() - start)
    deviations = sum(1 for f in found for x in f if x.kind is FindingKind.DEVIATION)
    stops = sum(1 for f in found for x in f if x.kind is FindingKind.STOP)
    expected = (len(range(0, n_legs, 10)), len(range(0, n_legs, 7)))
    print(f"checks: {n_legs} legs × {n_points} points = {n_legs * n_points:,} points: "
          f"{best:.2f} s best of {repeat} ({best / n_legs * 1000:.2f} ms a leg, "
          f"{n_legs * n_points / best:,.0f} points/s); deviations {deviations} "
          f"(built {expected[0]}), stops {stops} (built {expected[1]})")  # fmt: skip


def bench_import(url: str, n: int) -> None:
    engine = make_engine(url)
    upgrade_engine(engine)
    code = "91500000MA" + "60BT001" + credit_code_check_char("91500000MA60BT001")
    import_registry(engine, {"districts": ["两江新区"], "enterprises": [
        {"credit_code": code, "name": "基准企业", "district": "两江新区", "points": []}]})
    handler = service.add_handler(engine, name="处置", kind="disposer", licence_no="B-1",
                                  codes="HW49", capacity_t=1000, valid_from="2020-01-01",
                                  valid_to="2099-12-31", actor="b")["id"]  # fmt: skip
    made = manifests.draft(engine, code, handler_id=handler, code="900-041-49", quantity_t=1,
                           settings=SETTINGS, actor="b")  # fmt: skip
    dispatched = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    manifests.act(engine, made["id"], "dispatch", settings=SETTINGS, calendar=WorkCalendar(),
                  actor="b", now=dispatched, vehicle_plate="渝A1", driver="甲")  # fmt: skip
    rows = ["at,lon,lat,speed_kmh"]
    for j in range(n):
        at = T0 + timedelta(seconds=j + 1)
        rows.append(f"{at:%Y-%m-%dT%H:%M:%S},{106.5 + j * 1e-5:.6f},29.6,40")
    content = ("\n".join(rows) + "\n").encode()
    start = time.perf_counter()
    done = legs.import_points(engine, made["id"], "track.csv", content, actor="b")
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = legs.import_points(engine, made["id"], "track.csv", content, actor="b")
    second = time.perf_counter() - start
    start = time.perf_counter()
    leg = legs.leg(engine, made["id"], legs.SYSTEM_SCOPE, SETTINGS)
    read = time.perf_counter() - start
    print(f"import ({engine.dialect.name}): {n:,} points, {len(content) / 1e6:.1f} MB CSV: "
          f"{first:.2f} s ({n / first:,.0f} points/s), added {done['added']:,}; the same "
          f"file again {second:.2f} s, added {again['added']}; the leg read and judged "
          f"{read:.2f} s ({len(leg['track']):,} points, "
          f"{len(leg['findings'])} findings)")  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--legs", type=int, default=1000)
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--csv-points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    bench_checks(args.legs, args.points, args.repeat)
    if args.engine == "postgres":
        base = os.environ["ECOZONE_TEST_POSTGRES_URL"]
        name = f"bench_tracks_{os.getpid()}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        try:
            bench_import(base.rsplit("/", 1)[0] + f"/{name}", args.csv_points)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            bench_import(f"sqlite:///{Path(tmp) / 'tracks.db'}", args.csv_points)


if __name__ == "__main__":
    main()
