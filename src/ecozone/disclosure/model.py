"""The disclosure vocabulary: report kinds and states, obligations, deadline states, the
rule set read from data/order24.yaml. Plain enums and frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ecozone.errors import Invalid


class DisclosureError(Invalid):
    """A disclosure request refused; the message names what is wrong."""


class ReportKind(StrEnum):
    ANNUAL = "annual"  # 年度环境信息依法披露报告 (art. 12), by 15 March
    TEMPORARY = "temporary"  # 临时环境信息依法披露报告, within 5 working days


class ReportState(StrEnum):
    DRAFT = "draft"  # being prepared by the enterprise
    PUBLISHED = "published"  # public and never changed again


class Obligation(StrEnum):
    """Why an enterprise must disclose for a year (art. 8); names in the rule file."""

    KEY_DISCHARGER = "key_discharger"
    PENALISED = "penalised"


class DeadlineState(StrEnum):
    ON_TIME = "on_time"  # published by the due day
    LATE = "late"  # published after the due day
    PENDING = "pending"  # not published; the due day has not passed
    OVERDUE = "overdue"  # not published; the due day has passed


#: Sections of the annual report (art. 12) the platform may not yet hold; each is shown as
#: "not yet held" until its data lands.
NOT_HELD = "not_held"


@dataclass(frozen=True)
class DisclosureRules:
    version: str
    title: str
    source: str
    annual_due_month: int
    annual_due_day: int
    temporary_working_days: int
    obligations: Mapping[str, Mapping[str, object]]
    fine_from_yuan: float
    temporary_outcomes: tuple[str, ...]
