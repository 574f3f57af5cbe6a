"""Wall time of the enforcement loop's hot paths: the exemption check of a violation
(ecozone.supervision.exemptions.check_violation, pure) against an enterprise's history, and
the reads behind the pages: the inspections desk and an enterprise's story on a database
holding many inspections.

Fills a fresh SQLite database through the use cases (each write audited, as in use):
`--enterprises` enterprises with `--inspections` submitted inspections each, three
violations per inspection, half of them decided.

    PYTHONPATH=src python bench/inspections.py [--checks 20000] [--prior 200]
        [--enterprises 20] [--inspections 25]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.compliance.model import WorkCalendar
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.supervision import exemptions, inspection_reads, inspections, service
from ecozone.supervision.enforcement import Harm
from ecozone.supervision.model import SupervisionSettings

PROVISIONS = (
    "《大气污染防治法》第九十九条",
    "《水污染防治法》第八十三条",
    "《环境影响评价法》第三十一条",
)
TODAY = date(2026, 12, 1)


def bench_checks(checks: int, prior: int) -> None:
    listed = inspections.exemption_list()
    history = [
        exemptions.PriorViolation(i, TODAY - timedelta(days=3 * i), PROVISIONS[i % 3])
        for i in range(1, prior + 1)
    ]
    cases = [
        exemptions.ViolationFacts(
            id=10_000 + i,
            provision=PROVISIONS[i % 3],
            item=None,
            found_on=TODAY - timedelta(days=i % 30),
            harm=(Harm.NONE, Harm.MINOR)[i % 2],
            rectify_by=TODAY,
            rectified_on=TODAY - timedelta(days=1),
        )
        for i in range(checks)
    ]
    started = time.perf_counter()
    for case in cases:
        exemptions.check_violation(case, history, listed, today=TODAY, calendar=WorkCalendar())
    spent = time.perf_counter() - started
    print(
        f"exemption check: {checks} violations x {prior} prior: {spent:.2f} s, "
        f"{spent / checks * 1e6:.0f} µs each"
    )


def fill(engine, enterprises: int, per: int) -> float:
    codes = [f"91500000BENCH{n:05d}" for n in range(enterprises)]
    import_registry(
        engine,
        {
            "districts": ["两江新区"],
            "enterprises": [
                {
                    "credit_code": c,
                    "credit_code_verified": False,
                    "name": f"企业{n}",
                    "district": "两江新区",
                    "points": [],
                }
                for n, c in enumerate(codes)
            ],
        },
        actor="bench",
    )
    team = [
        service.add_inspector(
            engine, name=f"检查员{k}", unit="支队", certificate_no=f"B{k}", actor="bench"
        )["id"]
        for k in (1, 2)
    ]
    settings = SupervisionSettings()
    started = time.perf_counter()
    for credit_code in codes:
        for k in range(per):
            day = TODAY - timedelta(days=7 * k + 1)
            trig = inspections.open_trigger(
                engine, source="staff", credit_code=credit_code, reason="bench", actor="bench"
            )
            made = inspections.create_inspection(
                engine,
                trigger_id=trig["id"],
                inspector_ids=team,
                inspected_on=day,
                actor="bench",
                settings=settings,
            )
            inspections.update_inspection(
                engine, made["id"], findings="bench", location="厂区", actor="bench"
            )
            ids = [
                inspections.add_violation(
                    engine,
                    made["id"],
                    provision=p,
                    description="d",
                    harm="minor",
                    rectification_order="改正",
                    rectify_by=day + timedelta(days=5),
                    actor="bench",
                )["id"]
                for p in PROVISIONS
            ]
            inspections.submit_inspection(
                engine,
                made["id"],
                actor="bench",
                today=TODAY,
                settings=settings,
                public=k % 2 == 0,
                public_summary="bench",
            )
            for violation_id in ids[: 1 + (k % 2)]:
                inspections.decide(
                    engine,
                    violation_id,
                    inspections.DecisionInput(
                        outcome="warning", explanation="bench", decided_on=day, public=True
                    ),
                    actor="bench",
                    today=TODAY,
                )
    return time.perf_counter() - started


def timed(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--prior", type=int, default=200)
    parser.add_argument("--enterprises", type=int, default=20)
    parser.add_argument("--inspections", type=int, default=25)
    args = parser.parse_args()
    bench_checks(args.checks, args.prior)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        total = args.enterprises * args.inspections
        spent = fill(engine, args.enterprises, args.inspections)
        print(
            f"fill: {total} inspections (3 violations each, audited) in {spent:.1f} s, "
            f"{spent / total * 1000:.0f} ms per inspection recorded end to end"
        )
        desk = timed(lambda: inspection_reads.desk(engine, SYSTEM_SCOPE, TODAY))
        story = timed(lambda: inspection_reads.story(engine, 1, SYSTEM_SCOPE, TODAY))
        public = timed(lambda: inspection_reads.public_results(engine))
        print(
            f"reads (median of 7): desk of {total} inspections {desk * 1000:.0f} ms; "
            f"one enterprise's story ({args.inspections} inspections) {story * 1000:.0f} ms; "
            f"public results {public * 1000:.0f} ms"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
