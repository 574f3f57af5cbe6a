"""Reports on the pages: where an enterprise's annual self-monitoring reports are downloaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ecozone.times import local_time

REPORT_FORMATS = ("html", "pdf", "xlsx")


def report_links(credit_code: str, now: datetime) -> list[dict[str, Any]]:
    """Annual self-monitoring reports of the current year (to date) and the two before it,
    in each format."""
    year = local_time(now).year
    return [
        {
            "year": y,
            "formats": {
                fmt: f"/api/v1/reports/annual/{credit_code}/{y}.{fmt}" for fmt in REPORT_FORMATS
            },
        }
        for y in (year, year - 1, year - 2)
    ]
