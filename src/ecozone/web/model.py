"""Plain data of the shell: tables as pages show and export them, role groups, the web's errors.

Frozen dataclasses only; nothing here touches the database or FastAPI. Who
may see which rows is the accounts package's Scope, not decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ecozone import errors
from ecozone.errors import Invalid

#: Roles that watch the whole monitoring network (their district only when scoped).
SUPERVISING_ROLES = ("admin", "supervisor")
#: Roles that read the plan matrix.
PLAN_ROLES = ("admin", "supervisor", "coordinator")


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
