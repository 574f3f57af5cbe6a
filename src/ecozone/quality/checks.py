"""The quality checks at once: night construction without approval, dust days over their
rules, and sewer overflows, over the last days up to a moment; what raises their alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ecozone.quality import dust, noise, sewer
from ecozone.quality.model import QualitySettings

#: How far back a check looks.
CHECK_DAYS = 3


def run_checks(
    engine: sa.Engine, until: datetime, settings: QualitySettings, days: int = CHECK_DAYS
) -> dict[str, int]:
    """Check [until − days, until) (device time, CST) and raise alerts; how many findings."""
    start = until - timedelta(days=days)
    night = noise.check_night_construction(engine, start, until, settings)
    breached = dust.check_dust(engine, start.date(), until.date())
    overflows = sewer.detect(engine, start, until, settings)
    return {"night_construction": len(night), "dust_days": len(breached),
            "overflows": len(overflows)}  # fmt: skip
