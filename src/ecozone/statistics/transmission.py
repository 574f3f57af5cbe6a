"""Data transmission effectiveness (数据传输有效率) as pure functions over counts.

Strategy: the store counts, per point and month, the hourly uploads received and the valid
ones in one grouped read; this module says how many were expected (the hours of the period
the point was in operation, less the hours a live shutdown declaration covers) and turns the
three counts into the rates, for a point and summed for an enterprise, a district or the
zone. Nothing here reads a clock, a setting file or the database.

MEE practice for pollution-source automatic monitoring (the reading used here; the
assessment notice's clause text is not in the references, so each choice is a setting
marked UNCONFIRMED in TransmissionSettings):
    transmission rate            = received ÷ expected uploads           (传输率)
    effectiveness rate           = valid ÷ received uploads              (有效率)
    transmission-effectiveness   = transmission rate × effectiveness rate (传输有效率)
                                 = valid ÷ expected
An upload is one hourly record (HJ 212-2017 CN 2061, one DataTime of one point); it is
valid when every value in it carries a valid flag of HJ 212-2017 Table 8 (the flags the
monitoring rules count towards a mean, monitoring.rules.valid_flags).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from ecozone.compliance.model import MarkKind, MarkReview
from ecozone.errors import Invalid

HOUR = timedelta(hours=1)


class StatisticsError(Invalid):
    """A statistics request that cannot be answered as asked; the message says why."""


# --- the statistical period ---------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month (2026-11) or year (2026) in device time (naive CST): [start, end)."""

    label: str
    start: datetime
    end: datetime

    @property
    def is_year(self) -> bool:
        return len(self.label) == 4

    def months(self) -> list[str]:
        """The months of the period, as YYYY-MM."""
        if not self.is_year:
            return [self.label]
        return [f"{self.label}-{m:02d}" for m in range(1, 13)]


_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"\d{4}")


def parse_period(text: str) -> Period:
    """'2026-11' is a month, '2026' a year; anything else is refused by name."""
    value = (text or "").strip()
    if m := _MONTH.fullmatch(value):
        start = datetime(int(m.group(1)), int(m.group(2)), 1)
        return Period(value, start, month_start(start, 1))
    if _YEAR.fullmatch(value) and int(value) >= 1970:
        year = int(value)
        return Period(value, datetime(year, 1, 1), datetime(year + 1, 1, 1))
    raise StatisticsError(f"period {text!r} is neither a month (2026-11) nor a year (2026)")


def month_start(value: datetime, offset: int = 0) -> datetime:
    """First instant of the month of `value`, `offset` months on."""
    index = value.year * 12 + value.month - 1 + offset
    return datetime(index // 12, index % 12 + 1, 1)


def month_bounds(label: str) -> tuple[datetime, datetime]:
    year, month = (int(p) for p in label.split("-"))
    start = datetime(year, month, 1)
    return start, month_start(start, 1)


# --- settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransmissionSettings:
    """Choices of the transmission-effectiveness statistic (ECOZONE_STATISTICS_*).

    `data_kind`: the uploads counted: hourly data (HJ 212-2017 CN 2061; the MEE assessment
    counts hourly records; UNCONFIRMED). `point_kinds`: the points assessed: pollution
    sources under automatic monitoring (UNCONFIRMED whether air/water quality stations are
    assessed the same way). `excluded_mark_kinds` and `excluded_mark_reviews`: data marks
    (compliance's 数据标记) whose hours are not expected: a declared shutdown the supervisor
    accepted (UNCONFIRMED: whether maintenance/calibration hours or a pending declaration
    also excuse a missing upload). `threshold_pct`: points below it are listed (90 %,
    UNCONFIRMED; domain-2.md quotes 90 % completeness for energy online monitoring).
    """

    data_kind: str = "hour"
    point_kinds: tuple[str, ...] = ("flue_gas", "wastewater")
    excluded_mark_kinds: tuple[str, ...] = (MarkKind.SHUTDOWN.value,)
    excluded_mark_reviews: tuple[str, ...] = (MarkReview.ACCEPTED.value,)
    threshold_pct: float = 90.0

    def __post_init__(self) -> None:
        if self.data_kind not in ("hour", "day"):
            raise StatisticsError(f"data_kind must be hour or day, not {self.data_kind!r}")
        if not 0 < self.threshold_pct <= 100:
            raise StatisticsError(f"threshold_pct must be in (0, 100], not {self.threshold_pct}")
        for kind in self.excluded_mark_kinds:
            if kind not in tuple(MarkKind):
                raise StatisticsError(
                    f"unknown mark kind {kind!r}; expected one of {', '.join(MarkKind)}"
                )
        for review in self.excluded_mark_reviews:
            if review not in tuple(MarkReview):
                raise StatisticsError(
                    f"unknown review state {review!r}; expected one of {', '.join(MarkReview)}"
                )

    @property
    def step(self) -> timedelta:
        return HOUR if self.data_kind == "hour" else timedelta(days=1)

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> TransmissionSettings:
        """ECOZONE_STATISTICS_DATA_KIND, _POINT_KINDS, _EXCLUDED_MARK_KINDS,
        _EXCLUDED_MARK_REVIEWS (comma lists) and _THRESHOLD_PCT."""
        prefix = "ECOZONE_STATISTICS_"
        values: dict[str, object] = {}
        if kind := env.get(prefix + "DATA_KIND"):
            values["data_kind"] = kind.strip()
        for name in ("point_kinds", "excluded_mark_kinds", "excluded_mark_reviews"):
            raw = env.get(prefix + name.upper())
            if raw is not None:
                values[name] = tuple(v.strip() for v in raw.split(",") if v.strip())
        if (raw := env.get(prefix + "THRESHOLD_PCT")) is not None:
            try:
                values["threshold_pct"] = float(raw)
            except ValueError:
                raise StatisticsError(
                    f"{prefix}THRESHOLD_PCT must be a number, not {raw!r}"
                ) from None
        return cls(**values)  # type: ignore[arg-type]


# --- expected uploads ---------------------------------------------------------------------


def _floor(value: datetime, step: timedelta) -> datetime:
    base = datetime(value.year, value.month, value.day)
    return base + ((value - base) // step) * step


def expected_uploads(
    start: datetime,
    end: datetime,
    *,
    operating_from: date | datetime | None = None,
    marks: Iterable[tuple[datetime, datetime]] = (),
    step: timedelta = HOUR,
) -> int:
    """Uploads a point owed in [start, end): one per `step`, from the start of its operation
    (`operating_from`; a point not yet in operation owes nothing), less the periods a mark
    [mark_start, mark_end) touches at all, the rule compliance.rules.marked applies to
    exceedances (a period [t, t + step) is excused when t < mark_end and t + step >
    mark_start). Example: a 30-day month owes 720 hourly uploads; a shutdown from the 10th
    08:00 to the 11th 08:00 excuses 24 of them; 08:30-09:15 excuses two (08:00 and 09:00).
    """
    if operating_from is not None:
        first = (
            operating_from
            if isinstance(operating_from, datetime)
            else datetime(operating_from.year, operating_from.month, operating_from.day)
        )
        if first > start:  # the first period starting at or after the start of operation
            start = start + -((start - first) // step) * step
    if end <= start:
        return 0
    count = int((end - start) // step)
    excused = np.zeros(count, dtype=bool)
    for mark_start, mark_end in marks:
        lo = max(0, int((mark_start - start) // step))
        hi = min(count, -int(-(mark_end - start) // step))
        if hi > lo:
            excused[lo:hi] = True
    return int(count - excused.sum())


# --- rates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Uploads expected, received and valid of one point (or summed over many)."""

    expected: int
    received: int
    valid: int

    def __post_init__(self) -> None:
        if min(self.expected, self.received, self.valid) < 0:
            raise StatisticsError(f"counts cannot be negative: {self}")
        if self.valid > self.received:
            raise StatisticsError(
                f"{self.valid} valid uploads out of {self.received} received is impossible"
            )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.expected + other.expected,
            self.received + other.received,
            self.valid + other.valid,
        )


ZERO = Counts(0, 0, 0)


@dataclass(frozen=True)
class Rates:
    """The three rates in percent; None where the denominator is zero (nothing expected,
    nothing received), never a made-up 0 or 100."""

    transmission_pct: float | None
    effectiveness_pct: float | None
    transmission_effectiveness_pct: float | None


def rates(counts: Counts) -> Rates:
    """传输率 = received ÷ expected, 有效率 = valid ÷ received, 传输有效率 = their product.

    Uploads beyond the expected count (a device sending hours of an excused period, or
    twice for one hour under two DataTimes) do not lift the transmission rate past 100 %.
    Example: 720 expected, 684 received, 650 valid → 95.0 %, 95.03 %, 90.28 %.
    """
    received = min(counts.received, counts.expected)
    transmission = 100.0 * received / counts.expected if counts.expected else None
    effectiveness = 100.0 * counts.valid / counts.received if counts.received else None
    if transmission is None:
        product = None
    elif effectiveness is None:
        product = 0.0
    else:
        product = transmission * effectiveness / 100.0
    return Rates(transmission, effectiveness, product)


def below(rate: Rates, threshold_pct: float) -> bool:
    """Whether a point's transmission-effectiveness rate is below the threshold; a point
    that owed nothing is not listed."""
    value = rate.transmission_effectiveness_pct
    return value is not None and value < threshold_pct


@dataclass(frozen=True)
class PointMonth:
    """One point's counts in one month, with where it sits."""

    point_id: int
    month: str
    counts: Counts
    labels: Mapping[str, object] = field(default_factory=dict)


def summed(rows: Sequence[PointMonth], key: str) -> dict[object, Counts]:
    """Counts summed by a label of the rows (enterprise, district, month), in first-seen
    order: an enterprise's rate is its points' uploads pooled, not a mean of their rates."""
    out: dict[object, Counts] = {}
    for row in rows:
        group = row.month if key == "month" else row.labels.get(key)
        out[group] = out.get(group, ZERO) + row.counts
    return out
