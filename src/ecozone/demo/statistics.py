"""Demo statistical reports: the admin and the city supervisor subscribe to the alert-handling
reports, so the schedule's first round (the pipeline's register checks, at start) generates
last month's and last year's reports of every kind and puts a notification in their header.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.statistics import schedule_service

DEMO_SUBSCRIBERS = ("admin", "supervisor")


def seed_report_subscriptions(engine: sa.Engine) -> None:
    for username in DEMO_SUBSCRIBERS:
        schedule_service.subscribe(engine, username, "alert_handling")
