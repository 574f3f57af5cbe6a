"""The archive catalogue: one row per month of measurements exported to Parquet (plan item
21, the big-data centre's archive). Declared on `ecozone.store.schema.metadata` and
re-exported from it like every table.

A month is 'exported' once its file is written and verified (its rows still live), then
'archived' once its rows left the database in the same transaction that set the state, and
'restored' once they were put back. Only 'archived' months are read from their files.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import UtcDateTime, _in, metadata

ARCHIVE_STATES = ("exported", "archived", "restored")

measurement_archive = sa.Table(
    "measurement_archive",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("month", sa.Date, nullable=False, unique=True),  # first day of the month
    sa.Column("path", sa.Text, nullable=False),  # absolute path of the Parquet file
    sa.Column("rows", sa.BigInteger, nullable=False),
    # Σ row_hash over the month's keys (ecozone.archive.rules): database and file agree.
    sa.Column("checksum", sa.BigInteger, nullable=False),
    sa.Column("file_bytes", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("archived_at", UtcDateTime()),
    sa.Column("restored_at", UtcDateTime()),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.CheckConstraint(_in("state", ARCHIVE_STATES), name="state"),
    sa.CheckConstraint("rows >= 0", name="rows"),
)
