"""Annual self-monitoring reports of enterprises (plan measure 18), from stored data only.

    report = build_annual_report(engine, "91500000MA5U7AH918", 2024)
    render_html(report) -> str, render_pdf(report) -> bytes, render_xlsx(report) -> bytes

Per outlet and pollutant: monitoring method, capture and valid-data rates,
mean and maximum of the valid hourly values (converted to the reference O2
where the outlet has one), exceedance events, emissions against the permit's
annual cap, and the hours without valid data by flag and by declaration.
`api.py` (GET /api/v1/reports/annual/{credit_code}/{year}.{fmt}) and `cli.py`
(`ecozone report annual`) are thin shells over `service.py`.
"""

from ecozone.reports.model import (
    AnnualReport,
    EnterpriseNotFound,
    OutletSection,
    PollutantLine,
    ReportError,
    YearOutOfRange,
)
from ecozone.reports.service import build_annual_report, render_html, render_pdf, render_xlsx

__all__ = [
    "AnnualReport",
    "EnterpriseNotFound",
    "OutletSection",
    "PollutantLine",
    "ReportError",
    "YearOutOfRange",
    "build_annual_report",
    "render_html",
    "render_pdf",
    "render_xlsx",
]
