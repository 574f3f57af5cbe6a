"""Alert-handling statistics over many alerts, and one monthly report's generation.

Seeds the web tests' zone (two enterprises in two districts) into a fresh SQLite database,
adds N alerts spread over a year with dispatch, feedback and close actions, then times the
one grouped read plus the NumPy figures (statistics.alerts_report.alert_statistics) over the
year, and the generation of a monthly alert-handling report (figures, xlsx and PDF).

    PYTHONPATH=src:. python bench/statistics_reports.py --alerts 100000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from tests.web.data import seed

from ecozone.accounts.model import Scope
from ecozone.statistics import alerts_report, schedule, schedule_service
from ecozone.store.schema import alert, alert_action, enterprise

STATES = ("open", "dispatched", "feedback", "verified", "closed")
TYPES = ("exceedance", "offline", "constant_value", "device_fault")


def fill(engine: sa.Engine, n: int) -> None:
    rng = random.Random(7)
    with engine.connect() as conn:
        enterprises = list(conn.execute(sa.select(enterprise.c.id)).scalars())
    alerts, actions = [], []
    for i in range(n):
        raised = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(525_600))
        state = rng.choice(STATES)
        alerts.append({
            "id": 1000 + i, "type": rng.choice(TYPES), "enterprise_id": rng.choice(enterprises),
            "start": raised.replace(tzinfo=None) + timedelta(hours=8), "state": state,
            "condition_key": f"bench:{i}", "created_at": raised, "updated_at": raised,
            "deadline": (raised + timedelta(days=7)).date() if state != "open" else None,
        })  # fmt: skip
        if state == "open":
            continue
        dispatched = raised + timedelta(hours=rng.expovariate(1 / 6))
        actions.append({"alert_id": 1000 + i, "at": dispatched, "actor": "b", "action": "dispatch"})
        if state in ("feedback", "verified", "closed"):
            answered = dispatched + timedelta(hours=rng.expovariate(1 / 100))
            actions.append({"alert_id": 1000 + i, "at": answered, "actor": "b",
                            "action": "feedback"})  # fmt: skip
            if state == "closed":
                actions.append({"alert_id": 1000 + i, "at": answered + timedelta(hours=20),
                                "actor": "b", "action": "close"})  # fmt: skip
    with engine.begin() as conn:
        conn.execute(alert.insert(), alerts)
        conn.execute(alert_action.insert(), actions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine, _ids = seed(f"sqlite:///{folder}/ecozone.db")
        fill(engine, args.alerts)
        year = schedule.year_period(2025)
        times = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            result = alerts_report.alert_statistics(engine, Scope(role="admin"), year,
                                                    date(2025, 12, 31))  # fmt: skip
            times.append(time.perf_counter() - began)
        print(f"alert statistics, {result.total.count} alerts over a year (SQLite): "
              f"best {min(times):.2f} s of {args.rounds}")  # fmt: skip
        began = time.perf_counter()
        june = alerts_report.alert_statistics(
            engine, Scope(role="admin"), schedule.month_period(2025, 6), date(2025, 6, 30)
        )
        print(
            f"alert statistics, {june.total.count} alerts of one month: "
            f"{time.perf_counter() - began:.2f} s"
        )
        began = time.perf_counter()
        schedule_service.generate(engine, "alert_handling", schedule.month_period(2025, 6))
        print(f"monthly alert-handling report (figures, xlsx, PDF): "
              f"{time.perf_counter() - began:.2f} s")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
