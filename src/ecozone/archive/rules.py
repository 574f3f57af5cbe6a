"""Months, partitions and the key checksum of the measurement archive: pure functions.

A month is the half-open range [first day 00:00, first day of the next month 00:00) of
device time (naive China Standard Time, as HJ 212 sends DataTime), the unit PostgreSQL
partitions the measurement table by and the unit archived to one Parquet file.

The key checksum compares a month in the database with its Parquet file without moving
the rows: every engine (PostgreSQL, SQLite, DuckDB) computes the same integer from
integer arithmetic alone (no engine shares a hash function with the others), and
`row_hash` is its reference definition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

#: The table partitioned and archived, and the name of its partition for rows of no month.
TABLE = "measurement"
DEFAULT_PARTITION = "measurement_default"
_PARTITION_NAME = re.compile(r"^measurement_p(\d{4})(\d{2})$")

# --- the key checksum: row_hash(point, kind, pollutant, data_time), summed over rows ---
#: A prime below 2**31: every product below stays under 2**62 (no engine overflows), and the
#: sum of one hash per row stays under 2**63 for up to 2**32 rows.
MODULUS = 2_147_483_647
#: Characters of a code that count (pollutant codes are at most 16, data kinds 8).
CODE_CHARS = 16
#: Weight of the i-th character (1-based): 131**i mod MODULUS.
CHAR_WEIGHTS = tuple(pow(131, i, MODULUS) for i in range(1, CODE_CHARS + 1))
#: Weights of the four key fields in a row's hash.
POINT_WEIGHT, KIND_WEIGHT, POLLUTANT_WEIGHT, TIME_WEIGHT = 48_271, 69_621, 40_692, 16_807


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month of device time."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is outside 1..12")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is outside 1900..9999")

    @classmethod
    def of(cls, when: date | datetime) -> Month:
        return cls(when.year, when.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2024-05' (or '2024-5'); ValueError naming the text otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if match is None:
            raise ValueError(f"month {text!r} is not of the form YYYY-MM, e.g. 2024-05")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1)

    @property
    def end(self) -> datetime:
        return self.next().start

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def partition(self) -> str:
        """The PostgreSQL partition holding this month's measurements."""
        return f"measurement_p{self.year:04d}{self.month:02d}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def partition_month(name: str) -> Month | None:
    """The month of a partition name (measurement_p202405), None for any other name."""
    match = _PARTITION_NAME.match(name)
    return Month(int(match[1]), int(match[2])) if match else None


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from `first` to `last`, both included (empty when last < first)."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def months_to_create(now: datetime, ahead: int) -> list[Month]:
    """The partitions the maintenance step keeps ready: this month and `ahead` more."""
    this = Month.of(now)
    return [this.plus(i) for i in range(ahead + 1)]


def months_due(now: datetime, live_months: int, held: list[Month]) -> list[Month]:
    """Of the months the database holds, those past the retention, oldest first.

    `live_months` months stay live, the current one included: with 12 on 2026-12-03 every
    month before 2026-01 is due. 0 keeps everything live (nothing is ever due).
    """
    if live_months <= 0:
        return []
    oldest_live = Month.of(now).plus(1 - live_months)
    return sorted(m for m in set(held) if m < oldest_live)


def code_hash(code: str) -> int:
    """Σ ord(c_i)·131**i mod MODULUS over the first CODE_CHARS characters."""
    total = sum(ord(c) * w for c, w in zip(code[:CODE_CHARS], CHAR_WEIGHTS, strict=False))
    return total % MODULUS


def epoch_seconds(when: datetime) -> int:
    """Whole seconds from 1970-01-01 00:00 to the naive device time (read as if UTC: every
    engine counts a naive timestamp so, and only equality of sums matters)."""
    return int((when.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds() // 1)


def row_hash(point_id: int, kind: str, pollutant: str, data_time: datetime) -> int:
    """One row's share of the key checksum (the sum over a month's rows): four terms, each
    reduced modulo MODULUS, added without a final reduction, so that a sum over rows splits
    into per-row integer terms and one code term per (kind, pollutant) group."""
    return (
        point_id * POINT_WEIGHT % MODULUS
        + code_hash(kind) * KIND_WEIGHT % MODULUS
        + code_hash(pollutant) * POLLUTANT_WEIGHT % MODULUS
        + epoch_seconds(data_time) * TIME_WEIGHT % MODULUS
    )


def key_checksum_sql(dialect: str) -> str:
    """A SELECT list over columns point_id, kind, pollutant, data_time in `dialect`
    ('postgresql', 'sqlite' or 'duckdb'): kind, pollutant, count(*), and the sums of the
    point and time terms of row_hash; GROUP BY kind, pollutant, and finish with
    `checksum_of_groups`. Only integer arithmetic runs per row."""
    epoch = {
        "postgresql": "CAST(floor(date_part('epoch', data_time)) AS BIGINT)",
        "sqlite": "CAST(strftime('%s', data_time) AS INTEGER)",
        "duckdb": "date_diff('second', TIMESTAMP '1970-01-01 00:00:00', data_time)",
    }[dialect]
    return (
        "kind, pollutant, count(*), "
        f"sum(CAST(point_id AS BIGINT) * {POINT_WEIGHT} % {MODULUS}), "
        f"sum(({epoch}) * {TIME_WEIGHT} % {MODULUS})"
    )


def checksum_of_groups(groups: list[tuple[str, str, int, int, int]]) -> tuple[int, int]:
    """(rows, key checksum) from the rows of key_checksum_sql: Σ row_hash over every row."""
    rows = checksum = 0
    for kind, pollutant, count, point_terms, time_terms in groups:
        codes = (
            code_hash(kind) * KIND_WEIGHT % MODULUS
            + code_hash(pollutant) * POLLUTANT_WEIGHT % MODULUS
        )
        rows += int(count)
        checksum += int(point_terms) + int(time_terms) + int(count) * codes
    return rows, checksum
