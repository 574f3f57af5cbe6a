"""Wall time of the hazardous-waste reads over a zone of generators with years of ledger.

Fills a fresh database (SQLite by default, or PostgreSQL with --engine postgres and
ECOZONE_TEST_POSTGRES_URL) with `--enterprises` generators (default 500), each with a storage
facility and `--years` (default 3) of ledger: two codes generated and stored every month, and
every quarter taken out of storage and transferred to a licensed disposer (64 rows per enterprise
a year, 96,000 rows for the defaults), written by executemany in one transaction.
Then times, best of `--repeat`:

- one enterprise's waste file (class, stock by facility and code with the FIFO storage age,
  the year's balance, the newest 200 ledger rows), over 20 enterprises;
- the zone's stock: every enterprise's stock with its age, in one call;
- the management class of every enterprise for a year;
- the zone overview (generation by district and category, the generator → handler flows);
- one enterprise's annual declaration from the ledger.

    PYTHONPATH=src python bench/waste.py [--enterprises 500] [--years 3] [--engine sqlite]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise, waste_entry, waste_facility
from ecozone.waste import service
from ecozone.waste.model import WasteSettings

DISTRICTS = ["两江新区", "重庆高新区", "沙坪坝区", "九龙坡区", "南岸区"]
CODES = {"900-041-49": 0.8, "900-249-08": 0.3}
FIRST_YEAR = 2023
SETTINGS = WasteSettings()


def credit_code(i: int) -> str:
    body = f"91500000MA{i:07d}"
    return body + credit_code_check_char(body)


def fill(engine: sa.Engine, enterprises: int, years: int) -> int:
    generators = [{"credit_code": credit_code(i), "name": f"示例产废单位{i:04d}",
                   "district": DISTRICTS[i % len(DISTRICTS)], "points": []}
                  for i in range(enterprises)]  # fmt: skip
    import_registry(engine, {"districts": DISTRICTS, "enterprises": generators})
    handler = service.add_handler(
        engine, name="示例处置中心", kind="disposer", licence_no="BENCH-001",
        codes="HW49, HW08", capacity_t=1e6, valid_from="2020-01-01", valid_to="2035-12-31",
        actor="bench")["id"]  # fmt: skip
    common = {"name": None, "edition": "2021", "batch": None, "container": None,
              "recorded_by": "bench"}  # fmt: skip
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ids = list(conn.execute(sa.select(enterprise.c.id).order_by(enterprise.c.id)).scalars())
        conn.execute(waste_facility.insert(), [
            {"enterprise_id": eid, "code": "WF01", "name": "贮存库", "kind": "store",
             "capacity_t": 50.0} for eid in ids])  # fmt: skip
        facility = dict(conn.execute(sa.select(waste_facility.c.enterprise_id,
                                               waste_facility.c.id)).all())  # fmt: skip
        rows: list[dict[str, Any]] = []
        for eid in ids:
            scale = 1 + eid % 7
            held = dict.fromkeys(CODES, 0.0)
            for month in range(12 * years):
                day = datetime(FIRST_YEAR + month // 12, month % 12 + 1, 10, 9)
                for code, tonnes in CODES.items():
                    q = round(tonnes * scale, 3)
                    base = {**common, "enterprise_id": eid, "code": code, "name": code,
                            "quantity_t": q, "handler_id": None, "recorded_at": now}  # fmt: skip
                    rows.append({**base, "kind": "generated", "at": day, "facility_id": None})
                    rows.append({**base, "kind": "stored_in", "at": day + timedelta(hours=1),
                                 "facility_id": facility[eid]})  # fmt: skip
                    held[code] += q
                if month % 3 == 2:
                    for code, q in held.items():
                        base = {**common, "enterprise_id": eid, "code": code, "name": code,
                                "quantity_t": round(q, 3), "recorded_at": now}  # fmt: skip
                        out = day + timedelta(days=5)
                        rows.append({**base, "kind": "stored_out", "at": out,
                                     "facility_id": facility[eid], "handler_id": None})  # fmt: skip
                        rows.append({**base, "kind": "transferred", "at": out + timedelta(hours=1),
                                     "facility_id": None, "handler_id": handler})  # fmt: skip
                    held = dict.fromkeys(CODES, 0.0)
        for start in range(0, len(rows), 20_000):
            conn.execute(waste_entry.insert(), rows[start:start + 20_000])
    return len(rows)


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.engine == "sqlite":
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
        else:
            base = os.environ["ECOZONE_TEST_POSTGRES_URL"]
            admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE IF EXISTS ecozone_bench_waste"))
                conn.execute(sa.text("CREATE DATABASE ecozone_bench_waste"))
            url = base.rsplit("/", 1)[0] + "/ecozone_bench_waste"
        engine = make_engine(url)
        upgrade_engine(engine)
        t0 = time.perf_counter()
        rows = fill(engine, args.enterprises, args.years)
        print(f"{args.engine}: {args.enterprises} enterprises x {args.years} years: "
              f"{rows:,} ledger rows written in {time.perf_counter() - t0:.1f} s")  # fmt: skip
        last = FIRST_YEAR + args.years - 1
        day = date(last, 12, 31)
        step = max(1, args.enterprises // 20)
        sample = [credit_code(i) for i in range(0, args.enterprises, step)]

        def files() -> None:
            for code in sample:
                service.waste_file(engine, code, SYSTEM_SCOPE, day, SETTINGS)

        def zone_stock() -> None:
            with engine.connect() as conn:
                ids = list(conn.execute(sa.select(enterprise.c.id)).scalars())
                service.stock_rows(conn, ids, day, SETTINGS)

        per_file = best(files, args.repeat) / len(sample)
        print(f"  enterprise waste file (stock+age, balance, 200 ledger rows): "
              f"{per_file * 1000:.1f} ms each (mean of {len(sample)})")  # fmt: skip
        print(f"  zone stock with FIFO age, all enterprises: "
              f"{best(zone_stock, args.repeat) * 1000:.0f} ms")  # fmt: skip
        classes = best(lambda: service.enterprises(engine, SYSTEM_SCOPE, last, SETTINGS),
                       args.repeat)  # fmt: skip
        print(f"  management class of every enterprise for {last}: {classes * 1000:.0f} ms")
        overview = best(lambda: service.overview(engine, SYSTEM_SCOPE, last), args.repeat)
        print(f"  zone overview (generation by district/category, flows): "
              f"{overview * 1000:.0f} ms")  # fmt: skip
        declaration = best(lambda: service.declaration(engine, sample[0], last, SYSTEM_SCOPE),
                           args.repeat)  # fmt: skip
        print(f"  annual declaration of one enterprise: {declaration * 1000:.1f} ms")
        engine.dispose()
        if args.engine == "postgres":
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE ecozone_bench_waste"))


if __name__ == "__main__":
    main()
