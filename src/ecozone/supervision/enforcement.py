"""The enforcement vocabulary of the closed loop: triggers, inspections, violations and
penalty decisions (plan item 17; domain-2.md §7–§8).

A trigger (an alert the enterprise left unresolved, a power-linkage finding, a complaint,
or a member of staff) calls for an on-site inspection outside the draw; an inspection
records findings and violations by legal provision; each violation gets a rectification
order and one decision: a penalty, a warning, or an exemption citing a rule of the
exemption list (免罚清单, 行政处罚法 art. 33). Plain enums only: no I/O.
"""

from __future__ import annotations

from enum import StrEnum


class TriggerSource(StrEnum):
    ALERT = "alert"  # an alert on the alert desk the enterprise did not resolve
    POWER = "power"  # a power-linkage finding (an alert raised by ecozone.power)
    COMPLAINT = "complaint"  # a complaint (12345 / 12369 hotline, letter, visit)
    STAFF = "staff"  # opened by supervision staff on their own information

    @property
    def needs_alert(self) -> bool:
        return self in (TriggerSource.ALERT, TriggerSource.POWER)


class TriggerState(StrEnum):
    OPEN = "open"  # feeds the next draw's "triggered" input until inspected
    INSPECTED = "inspected"  # an inspection was submitted for it
    CANCELLED = "cancelled"  # withdrawn, with a reason


class InspectionState(StrEnum):
    DRAFT = "draft"  # being written in the field; editable by its author's colleagues
    SUBMITTED = "submitted"  # immutable except rectification follow-up


class FileKind(StrEnum):
    PHOTO = "photo"  # JPEG / PNG taken on site
    DOCUMENT = "document"  # PDF: a record of inquiry (询问笔录), a notice, a scan


class Harm(StrEnum):
    """Harmful consequence of a violation (危害后果), as the inspector assesses it."""

    NONE = "none"  # 没有造成危害后果
    MINOR = "minor"  # 危害后果轻微
    SERIOUS = "serious"  # anything more


class ViolationState(StrEnum):
    OPEN = "open"  # found; no rectification order yet
    RECTIFYING = "rectifying"  # ordered to rectify by a deadline (责令改正)
    RECTIFIED = "rectified"  # rectified on a recorded date
    CLOSED = "closed"  # decided (penalty, warning or exemption)


class Outcome(StrEnum):
    PENALTY = "penalty"  # 行政处罚 with a fine
    WARNING = "warning"  # 警告
    EXEMPT = "exempt"  # 不予行政处罚, citing a rule of the exemption list


TRIGGER_SOURCES = tuple(TriggerSource)
TRIGGER_STATES = tuple(TriggerState)
INSPECTION_STATES = tuple(InspectionState)
FILE_KINDS = tuple(FileKind)
HARMS = tuple(Harm)
VIOLATION_STATES = tuple(ViolationState)
OUTCOMES = tuple(Outcome)
