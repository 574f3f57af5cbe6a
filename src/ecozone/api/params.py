"""Shared parameter types: ids and offsets bounded to what the database can hold.

A 20-digit id overflows SQLite's and PostgreSQL's 64-bit integers inside the
driver (a 500); bounded here it is a 422 (a 404 page on web pages) before
any query runs. Usable for path and query parameters alike.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

#: Largest value of a signed 64-bit integer column (BIGINT; SQLite's INTEGER).
BIGINT_MAX = 2**63 - 1

#: A row id: 1 .. BIGINT_MAX.
Id = Annotated[int, Interval(ge=1, le=BIGINT_MAX)]
#: A paging offset: 0 .. BIGINT_MAX.
Offset = Annotated[int, Interval(ge=0, le=BIGINT_MAX)]
