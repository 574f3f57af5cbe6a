"""The measurement archive of the big-data centre (plan item 21; DESIGN "Storage"):
PostgreSQL's measurement table partitioned by month, months past the retention exported to
zstd Parquet files (verified by row count and key checksum, then dropped from the
database), read back through DuckDB by the history query and by long-range statistics, and
restored on demand. SQLite keeps one table and archives the same way.

rules: months, partition names, the key checksum (pure). store: partition DDL, a month's
figures, the catalogue. parquet: the files through DuckDB. service: the use cases. read:
archived rows for the history query and period aggregates. cli: `ecozone archive ...`.
"""

from ecozone.archive.model import ArchiveError, ArchiveResult, MonthError, VerificationError
from ecozone.archive.rules import Month

__all__ = ["ArchiveError", "ArchiveResult", "Month", "MonthError", "VerificationError"]
