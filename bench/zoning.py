"""Wall time of importing a zoning layer of many polygons and of checking many project points
against the layers in force (ecozone.zoning.service).

Writes a layer of N control units (default 10,000 octagons of about 0.8 km across, tiled over
1° × 1° around the demo zone, each with a three-line access list) as GeoJSON or as a Shapefile
(pyshp), imports it into a fresh database (read, GEOS validity check of every polygon,
geodesic area, WKB, executemany), imports a 100-polygon red line, then times
`check_location` for M random points (default 1,000) on one connection: the bounding-box
prefilter in SQL, the exact covers() test in GEOS, and the access-list answer.

    PYTHONPATH=src python bench/zoning.py [--polygons 10000] [--points 1000]
        [--format geojson|shapefile] [--engine sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import shapefile
import sqlalchemy as sa

from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.zoning import formats, service

WEST, SOUTH, SIZE = 106.3, 29.2, 1.0
RULES = {"forbidden": "化工;电镀", "f_rule": "禁止新建化工、电镀项目",
         "restricted": "汽车制造", "r_rule": "限制", "r_cond": "VOCs 倍量替代",
         "allowed": "电子"}  # fmt: skip


def octagons(count: int) -> list[list[tuple[float, float]]]:
    side = math.ceil(math.sqrt(count))
    step = SIZE / side
    radius = step * 0.45
    rings = []
    for i in range(count):
        cx = WEST + (i % side + 0.5) * step
        cy = SOUTH + (i // side + 0.5) * step
        ring = [(cx + radius * math.cos(k * math.pi / 4), cy + radius * math.sin(k * math.pi / 4))
                for k in range(8)]  # fmt: skip
        rings.append([*ring, ring[0]])
    return rings


def write_geojson(rings: list, path: Path) -> Path:
    features = [{"type": "Feature", "properties": {"code": f"U{i:05d}", "name": f"单元{i}",
                                                   **RULES},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for i, ring in enumerate(rings)]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")  # fmt: skip
    return path


def write_shapefile(rings: list, path: Path) -> Path:
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        for name in ("CODE", "NAME", "FORBIDDEN", "F_RULE", "RESTRICTED", "R_RULE", "R_COND",
                     "ALLOWED"):  # fmt: skip
            w.field(name, "C", size=60)
        for i, ring in enumerate(rings):
            w.poly([list(reversed(ring))])  # outer rings clockwise in a Shapefile
            w.record(f"U{i:05d}", f"单元{i}", *RULES.values())
    return path.with_suffix(".shp")


def database(kind: str, folder: str) -> tuple[str, object]:
    if kind == "sqlite":
        return f"sqlite:///{folder}/bench.db", None
    server = os.environ.get(
        "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"ecozone_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.engine.make_url(server).set(database=name).render_as_string(False), (admin, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polygons", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=1_000)
    parser.add_argument("--format", choices=("geojson", "shapefile"), default="geojson")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, cleanup = database(args.engine, folder)
        engine = make_engine(url)
        upgrade_engine(engine)
        rings = octagons(args.polygons)
        path = (write_geojson(rings, Path(folder) / "units.geojson") if args.format == "geojson"
                else write_shapefile(rings, Path(folder) / "units"))  # fmt: skip
        size_mb = sum(p.stat().st_size for p in Path(folder).glob("units.*")) / 1e6
        t0 = time.perf_counter()
        features = formats.read_path(path)
        t1 = time.perf_counter()
        made = service.import_layer(engine, "control_unit", "2024-01-01", features,
                                    label=path.name, actor="bench")  # fmt: skip
        t2 = time.perf_counter()
        red = write_geojson(octagons(100), Path(folder) / "red.geojson")
        service.import_file(engine, red, "red_line", "2024-01-01", actor="bench")
        print(
            f"import {made['feature_count']:,} polygons ({args.format}, {size_mb:.1f} MB, "
            f"{args.engine}): read {t1 - t0:.2f} s + check and store {t2 - t1:.2f} s = "
            f"{t2 - t0:.2f} s ({made['feature_count'] / (t2 - t0):,.0f} polygons/s)"
        )
        rng = random.Random(2026)
        points = [(WEST + rng.random() * SIZE, SOUTH + rng.random() * SIZE)
                  for _ in range(args.points)]  # fmt: skip
        timings, inside, forbidden = [], 0, 0
        with engine.connect() as conn:
            for lon, lat in points:
                start = time.perf_counter()
                found = service.check_location(conn, lon, lat, "化工", date(2025, 1, 1))
                timings.append(time.perf_counter() - start)
                inside += bool(found.units)
                forbidden += found.verdict is not None
        total = sum(timings)
        timings.sort()
        print(
            f"check {args.points:,} points: {total:.2f} s ({args.points / total:,.0f} points/s), "
            f"p50 {statistics.median(timings) * 1e3:.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)] * 1e3:.2f} ms; {inside} in a unit"
        )
        engine.dispose()
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
