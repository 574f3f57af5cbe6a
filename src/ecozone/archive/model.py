"""Plain data of the archive: what archiving a month did, and the archive's errors."""

from __future__ import annotations

from dataclasses import dataclass

from ecozone.archive.rules import Month
from ecozone.errors import Conflict, Invalid


class ArchiveError(Conflict):
    """A step the archive refuses in the state it found; nothing was dropped."""


class VerificationError(ArchiveError):
    """The file written does not hold exactly the month's rows; it was removed, the rows
    stay in the database."""


class MonthError(Invalid):
    """A month named badly (not YYYY-MM) or one that may not be archived."""


@dataclass(frozen=True)
class ArchiveResult:
    """One month archived: its file, rows and checksum, and what this run had to do."""

    month: Month
    path: str
    rows: int
    checksum: int
    file_bytes: int
    exported: bool  # False: a verified file of an earlier, interrupted run was reused
    seconds: float
