"""Time as the platform speaks it: China Standard Time for devices, aware UTC for instants.

The rule, stated once: HJ 212 carries the device's wall clock (DataTime,
QN) as naive China Standard Time (UTC+8, no daylight saving), so every
`data_time` is a naive datetime meaning CST; every instant the platform
records (received_at, declared_at, created_at) is an aware datetime, stored
and compared in UTC. Text from people and scripts is ISO 8601 (an offset or
Z is converted to CST, no offset means CST) or HJ 212's YYYYMMDDhhmmss.
Pure: no clock is read except by `utc_now`, which callers inject.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from ecozone.errors import Invalid

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

_HJ212_TIME = re.compile(r"\d{14}")

#: The span of times the platform accepts from people and files: earlier or later values
#: are typing mistakes (0001-01-01, 9999-12-31) that would overflow the engines' arithmetic.
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(2199, 12, 31, 23, 59, 59)


class TimeError(Invalid):
    """A text or value that is not a time the platform accepts; the message names the field."""


def utc_now() -> datetime:
    """The current instant, aware UTC."""
    return datetime.now(UTC)


def cst_naive(value: datetime) -> datetime:
    """`value` as a naive China Standard Time wall clock: an aware instant is converted,
    a naive value already means CST and is returned as is."""
    if value.tzinfo is None:
        return value
    return value.astimezone(CHINA_STANDARD_TIME).replace(tzinfo=None)


def local_time(instant: datetime) -> datetime:
    """The naive CST wall clock of an aware instant; a naive value is a caller's mistake."""
    if instant.tzinfo is None:
        raise TimeError(f"naive datetime {instant.isoformat()} given for an instant")
    return cst_naive(instant)


def as_instant(value: datetime) -> datetime:
    """`value` as an aware UTC instant; a naive value means CST (device time)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA_STANDARD_TIME)
    return value.astimezone(UTC)


def parse_time(value: datetime | date | str, name: str = "time") -> datetime:
    """`value` as naive China Standard Time; `name` says which field in the error.

    Accepts a datetime (naive means CST, aware is converted), a date (its
    midnight), ISO 8601 text (date alone means midnight; an offset or Z is
    converted) and HJ 212's YYYYMMDDhhmmss. Times outside 1970-2199 are refused.
    """
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = cst_naive(value)
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if _HJ212_TIME.fullmatch(text):
                parsed = datetime.strptime(text, "%Y%m%d%H%M%S")
            elif text.isdigit() and len(text) != 8:
                parsed = None  # ISO's basic form would read 13 digits as some time; refuse
            else:
                parsed = cst_naive(datetime.fromisoformat(text))
        except (ValueError, OverflowError):
            parsed = None
    if parsed is None:
        raise TimeError(
            f"{name} {value!r} is not a time; write ISO 8601, e.g. 2026-05-01T10:00:00 "
            "(China Standard Time) or 2026-05-01T02:00:00Z"
        )
    if not EARLIEST <= parsed <= LATEST:
        raise TimeError(f"{name} {value!r} is outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")
    return parsed


def parse_optional_time(value: datetime | date | str | None, name: str = "time") -> datetime | None:
    """`parse_time`, with None and the empty text meaning no time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_time(value, name)
