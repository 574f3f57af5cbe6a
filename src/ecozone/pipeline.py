"""What follows stored measurements: aggregates, then limits and alerts; and the periodic checks.

The gateway and `ecozone ingest` call `after_commit(engine)` with the rows of
each committed batch: monitoring brings the affected hours and days up to date
(HJ 75/76, HJ 355/356), then compliance judges the limits over exactly the
periods that changed. Offline points, overdue alerts and webhook deliveries are
checked on a timer, since no frame arrives to trigger them; the registers that change by the
day (hazardous waste, allowance ledgers, EIA clocks, noise/dust/overflow data) hourly, with
the storage's upkeep (the coming months' partitions, the archive of months past retention).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ecozone import config
from ecozone.archive import service as archive
from ecozone.compliance import alerts, evaluation, webhooks
from ecozone.compliance.model import DeskSettings
from ecozone.monitoring import service as monitoring
from ecozone.monitoring.model import RecomputeSummary
from ecozone.power import evaluation as power
from ecozone.projects import service as projects
from ecozone.quality import checks as quality_checks
from ecozone.times import cst_naive, utc_now
from ecozone.trading import positions as trading
from ecozone.waste import checks as waste_checks

log = logging.getLogger("ecozone.pipeline")

PERIODIC_INTERVAL_S = 60.0
#: The register checks scan whole registers whose state changes by the day: hourly is enough.
REGISTER_INTERVAL_S = 3600.0


def after_commit(engine: sa.Engine) -> Callable[[list[dict[str, Any]]], None]:
    """The callback for committed measurement rows: aggregate, then evaluate limits, then
    the emission–electricity linkage of the enterprises whose meters or outlets sent them."""

    def follow_up(rows: list[dict[str, Any]]) -> None:
        summary = monitoring.update_for_rows(engine, rows)
        if summary.ranges:
            evaluation.evaluate_spans(engine, summary.ranges)
        power.evaluate_rows(engine, rows, settings=config.power_settings())

    return follow_up


def recompute(engine: sa.Engine, **options: Any) -> tuple[RecomputeSummary, list[int]]:
    """Batch form of the follow-up: recompute aggregates over a range (monitoring.recompute's
    options), then judge the limits over the periods rewritten. Returns the summary and the
    ids of alerts created or changed."""
    summary = monitoring.recompute(engine, **options)
    alerts = evaluation.evaluate_spans(engine, summary.ranges) if summary.ranges else []
    return summary, alerts


#: Hours of meter data the power linkage check reads: the first round after a start covers
#: the time the platform may have been down, later rounds the recent past.
POWER_FIRST_HOURS = 48.0
POWER_HOURS = 2.0


def run_checks(
    engine: sa.Engine, desk: DeskSettings | None = None, *, power_hours: float = POWER_HOURS
) -> None:
    """One round of the periodic checks: offline points, reminders of overdue alerts (once
    a day each), emission–electricity linkage over the last `power_hours`, then pending
    webhook deliveries."""
    evaluation.check_offline(engine)
    alerts.remind_overdue(engine, settings=desk)
    power.evaluate_recent(engine, hours=power_hours, settings=config.power_settings())
    webhooks.deliver_pending(engine)


def run_register_checks(engine: sa.Engine, desk: DeskSettings | None = None) -> list[str]:
    """One round of the register checks, each raising its findings into the alert desk:
    hazardous waste (storage age, capacity, balance, manifests), allowance shortfalls, EIA
    due and overdue, and the last day of noise, dust and sewer data. One failing check is
    logged and does not stop the others; the names of those that failed."""
    calendar = (desk or config.desk_settings()).calendar
    now = cst_naive(utc_now())
    checks: dict[str, Callable[[], Any]] = {
        "waste": lambda: waste_checks.raise_alerts(engine, config.waste_settings(), calendar),
        "trading": lambda: trading.raise_shortfalls(engine, config.trading_settings()),
        "projects": lambda: projects.check_deadlines(
            engine, now.date(), config.projects_settings(), calendar
        ),
        "quality": lambda: quality_checks.run_checks(
            engine, now, config.quality_settings(), days=1
        ),
        # PostgreSQL partitions of the coming months, then months past the retention to Parquet
        "archive": lambda: archive.maintain(engine, now),
    }
    failed = []
    for name, check in checks.items():
        try:
            check()
        except Exception:
            log.exception("register check %s failed", name)
            failed.append(name)
    return failed


async def run_periodic(
    engine: sa.Engine, stop: asyncio.Event, interval_s: float = PERIODIC_INTERVAL_S
) -> None:
    """run_checks every `interval_s`, and run_register_checks every REGISTER_INTERVAL_S
    (the first round at once), until `stop` is set; a failed round is logged, not fatal."""
    desk = config.desk_settings()
    hours = POWER_FIRST_HOURS
    registers_due = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            await asyncio.to_thread(run_checks, engine, desk, power_hours=hours)
            hours = POWER_HOURS
        except Exception:
            log.exception("periodic checks failed")
        if loop.time() >= registers_due:
            await asyncio.to_thread(run_register_checks, engine, desk)
            registers_due = loop.time() + REGISTER_INTERVAL_S
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
