"""Wall time of computing a year's enterprise credit (ecozone.supervision.credit.compute_year)
for a zone: every enterprise's violations, decisions, exceedance alerts, overdue alerts and
the valid-data rates of a year of hourly values, scored under both schemes and stored.

Fills a fresh SQLite database: N enterprises (default 50), each with one outlet of a year of
hourly SO2 values (8,760 rows, 5 % invalid), two violations with decisions and ten
exceedance alerts; then times compute_year and one breakdown read.

    PYTHONPATH=src:. python bench/credit.py [--enterprises 50] [--days 365]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from tests.supervision.credit_data import (
    add_decision,
    add_exceedances,
    add_hours,
    add_violation,
)

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import district, enterprise, zone
from ecozone.supervision import credit

YEAR = 2025


def fill(engine: sa.Engine, enterprises: int, days: int) -> None:
    with engine.begin() as conn:
        conn.execute(zone.insert().values(id=1, name="基准园区"))
        conn.execute(district.insert().values(id=1, zone_id=1, name="两江新区"))
        conn.execute(enterprise.insert(), [
            {"id": n, "credit_code": f"91500000BENCH{n:05d}", "name": f"企业{n}",
             "district_id": 1} for n in range(1, enterprises + 1)])  # fmt: skip
    for n in range(1, enterprises + 1):
        add_hours(engine, n, "DA001", datetime(YEAR, 1, 1),
                  [h % 20 != 0 for h in range(days * 24)])  # fmt: skip
        for month, harm, fine in ((3, "minor", 8000.0), (9, "serious", 50000.0)):
            v = add_violation(engine, n, harm, date(YEAR, month, 2), due=date(YEAR, month, 28))
            add_decision(engine, v, n, "penalty", fine, date(YEAR, month, 10))
        add_exceedances(engine, n, [datetime(YEAR, 6, d, 8) for d in range(1, 11)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade_engine(engine)
        started = time.perf_counter()
        fill(engine, args.enterprises, args.days)
        print(f"filled {args.enterprises} enterprises × {args.days * 24} hours "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        done = credit.compute_year(engine, YEAR, today=date(YEAR + 1, 1, 10), actor="bench")
        spent = time.perf_counter() - started
        print(f"compute_year: {len(done)} enterprises in {spent:.2f} s "
              f"({spent / len(done) * 1000:.1f} ms each, both schemes, stored and audited)")
        started = time.perf_counter()
        credit.breakdown(engine, SYSTEM_SCOPE, "91500000BENCH00001", YEAR)
        print(f"breakdown of one enterprise-year: {(time.perf_counter() - started) * 1000:.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
