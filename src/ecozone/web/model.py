"""Plain data of the web pages: live states, what a viewer may see, and the web's errors.

Frozen dataclasses and enums only; nothing here touches the database or
FastAPI. `Scope` turns a principal into the rows it may list, so every list
query filters in SQL rather than after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecozone import errors
from ecozone.errors import Invalid


class LiveState(StrEnum):
    """State of a monitoring point on the map, from its latest data (see rules.live_state)."""

    NORMAL = "normal"
    EXCEEDING = "exceeding"
    OFFLINE = "offline"
    FAULT = "fault"


#: Alert states still waiting for someone: raised, dispatched, answered by the enterprise.
#: "verified" and "closed" are settled by the supervisor.
OPEN_ALERT_STATES = ("open", "dispatched", "feedback")

#: The state in which it is the enterprise's turn: a supervisor dispatched the alert to it
#: and waits for the cause and the measures taken (the compliance package's state machine).
FEEDBACK_STATES = ("dispatched",)

#: Roles that watch the whole monitoring network (their district only when scoped).
SUPERVISING_ROLES = ("admin", "supervisor")
#: Roles that read the plan matrix.
PLAN_ROLES = ("admin", "supervisor", "coordinator")


class PermitStatus(StrEnum):
    """Where a discharge permit stands on a given day (see rules.permit_status)."""

    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    RENEWAL_DUE = "renewal_due"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Column:
    """One column of an exported table: the row key and its heading."""

    key: str
    heading: str


@dataclass(frozen=True)
class Table:
    """A table as shown on a page and as exported: headings, rows of plain values, a file name."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]


class WebError(Invalid):
    """A request the web pages refuse; the message names what is wrong and is safe to show."""

    status_code = 400


class NotFound(WebError, errors.NotFound):
    """Absent, or not visible to this viewer: both answer 404, so existence does not leak."""

    status_code = 404


class FeedbackError(WebError):
    """An enterprise's feedback on an alert was refused; nothing was stored."""

    status_code = 400
