"""Plain data of the measurement queries: the output columns and the error family.

A query row is a plain dict keyed by OUTPUT_COLUMNS, so JSON, CSV and the
REST layer share one shape and one column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ecozone.errors import Invalid, NotFound

#: Columns of a query row, in output order (JSON keys, CSV header).
KEY_OUTPUT_COLUMNS = ("mn", "point", "pollutant", "kind", "data_time")
VALUE_OUTPUT_COLUMNS = (
    "rtd", "avg", "min", "max", "cou",
    "zs_rtd", "zs_avg", "zs_min", "zs_max",
    "flag", "eflag", "resent",
)  # fmt: skip
OUTPUT_COLUMNS = KEY_OUTPUT_COLUMNS + VALUE_OUTPUT_COLUMNS


class DataKind(StrEnum):
    """Data kinds of HJ 212: real-time (CN 2011), minute (2051), hour (2061), day (2031), and
    of HJ 212-2025: raw data such as VOCs spectra (2013), a single noise measurement (2052),
    a standard-sample check (2062), the furnace temperature 5-minute mean (2111)."""

    RTD = "rtd"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    RAW = "raw"
    SINGLE = "single"
    CHECK = "check"
    FIVE_MIN = "five_min"


#: Every stored data kind as plain strings, in the order above (the measurement table's CHECK).
KINDS = tuple(kind.value for kind in DataKind)
#: The periodic kinds every logger sends, which say whether a point is reporting.
PERIODIC_KINDS = (
    DataKind.RTD.value,
    DataKind.MINUTE.value,
    DataKind.HOUR.value,
    DataKind.DAY.value,
)

FORMATS = ("json", "csv")


class QueryError(Invalid):
    """A measurement query that cannot be answered as asked; the message says why."""


class NotFoundError(QueryError, NotFound):
    """The query names a device, enterprise or outlet that the registry does not hold."""


@dataclass(frozen=True)
class PointLabel:
    """How a point is named in query output: its outlet code and its device's MN."""

    code: str
    mn: str | None


@dataclass(frozen=True)
class QuerySettings:
    """Settings of the history query page and its exports (ECOZONE_QUERY_*).

    `page_size`: rows per page of the table. `export_row_cap`: most rows one export writes;
    a query past it says so in the file and on the page, never cut silently.
    `default_decimals`: decimals of a value whose code HJ 212-2017 App. B gives no data
    type for (e.g. N5.2); three keep a concentration's precision in mg/m3.
    `decimals`: per-code overrides of the standard's decimals, e.g. {"a21026": 1}.
    """

    page_size: int = 200
    export_row_cap: int = 200_000
    default_decimals: int = 3
    decimals: dict[str, int] = field(default_factory=dict)
