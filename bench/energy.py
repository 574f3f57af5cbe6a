"""Wall time of monthly tce (GB/T 2589-2020) and CO2 (scope 1 and 2) for many enterprises.

Fills a fresh database with monthly statistics (default: 500 enterprises x 36 months x 5
carriers = 90,000 rows) by executemany in one transaction, then times:
- the zone sums: every enterprise-month's tce and tCO2 for each of the 3 years in SQL
  (energy.store.monthly_sums, one query a year, coefficients of the year's factor sets);
- the zone dashboard of the last year (energy.zone.dashboard: two years of sums, targets,
  district item-1 indicator);
- one enterprise-month through the rules (energy.service.month_account), for comparison.

    PYTHONPATH=src python bench/energy.py [--enterprises 500] [--years 3] [--engine sqlite]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.energy import service, store, zone
from ecozone.energy.model import EnergySettings
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import energy_month, enterprise

DISTRICTS = ["两江新区", "渝北区", "南岸区", "重庆高新区", "江北区"]
INDUSTRIES = ["电子", "汽车", "化工", "食品", "医药"]
#: carrier -> typical monthly amount (kWh, m3, t, t, t)
CARRIERS = {"electricity": 400_000.0, "natural_gas": 40_000.0, "steam": 300.0,
            "raw_coal": 50.0, "diesel": 5.0}  # fmt: skip


def credit_code(i: int) -> str:
    body = f"91500000MA{i:07d}"
    return body + credit_code_check_char(body)


def registry(count: int) -> dict:
    return {
        "districts": DISTRICTS,
        "enterprises": [{"credit_code": credit_code(i), "name": f"示例企业{i}",
                         "district": DISTRICTS[i % 5], "industry": INDUSTRIES[i % 5],
                         "points": []} for i in range(count)],
    }  # fmt: skip


def fill(engine: sa.Engine, years: int, first_year: int) -> int:
    rng = np.random.default_rng(2026)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ids = list(conn.execute(sa.select(enterprise.c.id)).scalars())
        rows = []
        for eid in ids:
            scale = rng.lognormal(0.0, 1.0)
            for y in range(first_year, first_year + years):
                for m in range(1, 13):
                    for carrier, level in CARRIERS.items():
                        rows.append({"enterprise_id": eid, "month": date(y, m, 1),
                                     "carrier": carrier, "amount": float(level * scale),
                                     "source": "import", "entered_by": "bench",
                                     "entered_at": now})  # fmt: skip
        conn.execute(sa.insert(energy_month), rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    first_year = 2023
    settings = EnergySettings()
    with tempfile.TemporaryDirectory() as folder:
        name = f"bench_energy_{uuid.uuid4().hex[:8]}"
        admin = None
        if args.engine == "sqlite":
            url = f"sqlite:///{Path(folder) / 'ecozone.db'}"
        else:
            admin = sa.create_engine(f"{args.postgres}/postgres", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            url = f"{args.postgres}/{name}"
        try:
            upgrade(url)
            engine = make_engine(url)
            import_registry(engine, registry(args.enterprises))
            started = time.perf_counter()
            count = fill(engine, args.years, first_year)
            print(f"filled {count:,} monthly statistics in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            months = 0
            tce = co2 = 0.0
            with engine.connect() as conn:
                for y in range(first_year, first_year + args.years):
                    start = date(y, 1, 1)
                    rows = store.monthly_sums(conn, SYSTEM_SCOPE, start, date(y + 1, 1, 1),
                                              service.coefficients(start, settings))
                    months += len(rows)
                    tce += sum(r["tce"] for r in rows)
                    co2 += sum(r["t_co2"] for r in rows)
            took = time.perf_counter() - started
            print(f"zone sums: {months:,} enterprise-months ({tce:,.0f} tce, {co2:,.0f} tCO2) "
                  f"in {took:.3f} s = {months / took:,.0f} enterprise-months/s")

            last = first_year + args.years - 1
            started = time.perf_counter()
            board = zone.dashboard(engine, SYSTEM_SCOPE, last, settings, date(last + 1, 1, 5))
            took = time.perf_counter() - started
            print(f"zone dashboard {last}: {len(board['enterprises'])} enterprises, "
                  f"{len(board['key_users'])} key users in {took:.2f} s")

            started = time.perf_counter()
            for m in range(1, 13):
                service.month_account(engine, SYSTEM_SCOPE, credit_code(0), date(last, m, 1),
                                      settings)  # fmt: skip
            took = (time.perf_counter() - started) / 12
            print(f"one enterprise-month through the rules: {took * 1000:.1f} ms")
            engine.dispose()
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
