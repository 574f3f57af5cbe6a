"""Journal throughput and balance reads of the allowance ledgers.

N enterprises each get an allocation; then T bilateral trades are offered, accepted and
approved one after another (each approval one locked, checked, audited journal posting,
exactly as the pages and the API do it), and on PostgreSQL the same again with W threads
approving at once. Then the reads: one enterprise's accounts with derived balances, the
whole-journal double-entry check, and the market's monthly series.

    python bench/trading.py [--engine sqlite|postgres] [--enterprises 200] [--trades 1000]
                            [--workers 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import threading
import time
import uuid
from decimal import Decimal

import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import enterprise
from ecozone.trading import positions, service
from ecozone.trading.model import TradingSettings

S = TradingSettings()
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(i: int) -> str:
    body = f"91500000MA{ALPHABET[i // 961 % 31]}{ALPHABET[i // 31 % 31]}{ALPHABET[i % 31]}B7T9"
    return body + credit_code_check_char(body)


def seed(engine: sa.Engine, n: int) -> list[int]:
    import_registry(engine, {"districts": ["两江新区"], "enterprises": [
        {"credit_code": credit_code(i), "name": f"企业{i:04d}", "district": "两江新区"}
        for i in range(n)]})  # fmt: skip
    with engine.connect() as conn:
        return list(conn.execute(sa.select(enterprise.c.id).order_by(enterprise.c.id)).scalars())


def offered(engine: sa.Engine, ids: list[int], t: int) -> list[int]:
    """t accepted trades, each seller selling 1 t to the next enterprise."""
    made = []
    for k in range(t):
        seller, buyer = k % len(ids), (k + 1) % len(ids)
        trade_id = service.offer(engine, None, seller_id=ids[seller],
                                 buyer_credit_code=credit_code(buyer), market="carbon",
                                 instrument=None, vintage=2025, quantity="1",
                                 price=f"{40 + k % 10}.50", actor="bench")  # fmt: skip
        service.step(engine, None, trade_id, "accept", actor="bench", settings=S)
        made.append(trade_id)
    return made


def timed(label: str, count: int, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"{label}: {count} in {seconds:.2f} s = {count / seconds:,.0f}/s "
          f"({seconds / count * 1000:.2f} ms each)")  # fmt: skip
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--enterprises", type=int, default=200)
    parser.add_argument("--trades", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    admin = name = None
    if args.engine == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    else:
        base = os.environ.get(
            "ECOZONE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
        name = f"ecozone_tbench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    print(f"{platform.node()} {platform.processor() or platform.machine()} python "
          f"{platform.python_version()} engine={args.engine}")  # fmt: skip
    try:
        upgrade_engine(engine)
        ids = seed(engine, args.enterprises)
        timed("allocations (issuer -> enterprise, one posting each)", len(ids), lambda: [
            service.allocate(engine, None, market="carbon", enterprise_id=i, instrument=None,
                             vintage=2025, quantity="100000", reason="bench", actor="bench",
                             settings=S) for i in ids])  # fmt: skip
        trades = offered(engine, ids, args.trades)
        timed("approvals, one at a time (locked posting)", len(trades), lambda: [
            service.step(engine, None, t, "approve", actor="bench", settings=S)
            for t in trades])  # fmt: skip
        if args.engine == "postgres":
            more = offered(engine, ids, args.trades)
            chunks = [more[w::args.workers] for w in range(args.workers)]

            def work(chunk: list[int]) -> None:
                for t in chunk:
                    service.step(engine, None, t, "approve", actor="bench", settings=S)

            def run() -> None:
                threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()

            timed(f"approvals, {args.workers} threads at once", len(more), run)
        reads = []
        for i in ids[:50]:
            start = time.perf_counter()
            positions.accounts(engine, None, enterprise_id=i)
            reads.append(time.perf_counter() - start)
        print(f"one enterprise's accounts with derived balances: median "
              f"{statistics.median(reads) * 1000:.2f} ms (50 reads)")  # fmt: skip
        start = time.perf_counter()
        bad = positions.unbalanced(engine)
        lines = len(positions.journal(engine, None, limit=10**9))
        print(f"double-entry check of the whole journal ({lines} enterprise lines): "
              f"{time.perf_counter() - start:.2f} s, unbalanced {len(bad)}")  # fmt: skip
        start = time.perf_counter()
        series = positions.market_view(engine, "carbon", None)["series"]
        volume = sum(Decimal(r["volume"]) for r in series)
        print(f"market series: {time.perf_counter() - start:.3f} s, volume {volume}")
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
