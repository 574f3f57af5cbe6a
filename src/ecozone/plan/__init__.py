"""The Chongqing FTZ eco-environment plan (渝环〔2021〕154号): its 23 measures and their progress.

The plan ships as data (data/plan.yaml, checked at load): 2025 goals, measures with the
units and districts that carry them, quantified indicators. Coordinators record progress
per measure, unit and district; rules.py says what is overdue or off-track under the
reporting cadence (ECOZONE_PLAN_CADENCE: monthly, quarterly (default) or yearly), and
service.py builds the measure × unit / district matrix and the xlsx and PDF exports.
"""

from ecozone.plan.model import (
    Cadence,
    Indicator,
    Measure,
    NotFoundError,
    Plan,
    PlanDataError,
    PlanError,
    ProgressError,
    ProgressReport,
    Status,
)
from ecozone.plan.service import (
    export_pdf,
    export_xlsx,
    list_indicators,
    list_measures,
    list_progress,
    load_plan,
    matrix,
    measure_detail,
    overview,
    record_progress,
    reporting_cadence,
)

__all__ = [
    "Cadence",
    "Indicator",
    "Measure",
    "NotFoundError",
    "Plan",
    "PlanDataError",
    "PlanError",
    "ProgressError",
    "ProgressReport",
    "Status",
    "export_pdf",
    "export_xlsx",
    "list_indicators",
    "list_measures",
    "list_progress",
    "load_plan",
    "matrix",
    "measure_detail",
    "overview",
    "record_progress",
    "reporting_cadence",
]
