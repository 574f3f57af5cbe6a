"""Lawful disclosure of enterprise environmental information (企业环境信息依法披露,
生态环境部令第24号; plan item 19): who must disclose, the annual report assembled from what
the platform holds, temporary reports after a penalty, deadlines, immutable published
versions and the public page.

Re-exports the model and the pure rules only; stores and use cases are imported by path.
"""

from ecozone.disclosure.model import DisclosureError, Obligation, ReportKind, ReportState

__all__ = ["DisclosureError", "Obligation", "ReportKind", "ReportState"]
