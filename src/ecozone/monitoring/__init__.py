"""Monitoring data: validity, hourly and daily values, reference O2, emissions, capture rates.

Turns the stored minute (and device hour/day) measurements of each point into the `aggregate`
table following HJ 212-2017 Table 8 and Appendix D, HJ 75/76-2017 and HJ 355/356-2019:

    recompute(engine, start=..., end=..., point_ids=...)  any range, memory bounded
    update_for_rows(engine, rows)                          after each gateway commit
    capture(engine, point_id, start=..., end=...)          capture and valid-data rates
    totals(engine, point_id, start=..., end=...)           emitted masses and volumes

The standards themselves are pure functions on arrays in `rules.py`; `api.py` (`router`)
and `cli.py` (`app`) are thin shells over `service.py`.
"""

from ecozone.monitoring.model import (
    COMPUTED_OUTPUT_COLUMNS,
    CaptureRate,
    MonitoringError,
    MonitoringSettings,
    RecomputeSummary,
    Total,
)
from ecozone.monitoring.service import (
    affected_periods,
    capture,
    recompute,
    totals,
    update_for_rows,
)

__all__ = [
    "COMPUTED_OUTPUT_COLUMNS",
    "CaptureRate",
    "MonitoringError",
    "MonitoringSettings",
    "RecomputeSummary",
    "Total",
    "affected_periods",
    "capture",
    "recompute",
    "totals",
    "update_for_rows",
]
