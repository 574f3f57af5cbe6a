"""Compliance supervision (plan item 17): discharge permits, limits and caps, alerts, data marks.

Import discharge permits (outlets, concentration limits on an hour or day basis, annual
caps) all-or-nothing; judge computed hour and day values against them, excluding periods
the enterprise declared (shutdown, maintenance, calibration, fault); raise one alert per
ongoing condition (exceedance, offline, constant values, device fault, long maintenance,
device/computed hourly mismatch, annual-cap warning, discharge without a valid permit);
run the bureau's closed loop on each alert (dispatch with a deadline in working days, urge,
feedback with attachments, send back, verify, close as resolved or as a false alarm,
reopen; a daily reminder once a deadline has passed); and post new alerts to webhooks,
signed and retried.
"""

from ecozone.compliance.model import (
    AlertAction,
    AlertState,
    AlertType,
    CloseReason,
    ComplianceError,
    ComplianceSettings,
    ConflictError,
    DeskSettings,
    ImportSummary,
    LimitBasis,
    MarkKind,
    NotFoundError,
    PermitClass,
    TransitionError,
    WorkCalendar,
)

__all__ = [
    "AlertAction",
    "AlertState",
    "AlertType",
    "CloseReason",
    "ComplianceError",
    "ComplianceSettings",
    "ConflictError",
    "DeskSettings",
    "ImportSummary",
    "LimitBasis",
    "MarkKind",
    "NotFoundError",
    "PermitClass",
    "TransitionError",
    "WorkCalendar",
]
