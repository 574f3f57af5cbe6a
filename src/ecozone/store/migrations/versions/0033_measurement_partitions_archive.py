"""measurement: monthly range partitions on PostgreSQL; the archive catalogue

On PostgreSQL the measurement table becomes one PARTITION BY RANGE (data_time) table with
one partition per month that holds data, this month and the next three (the pipeline's
maintenance step keeps creating the coming ones), and a DEFAULT partition for rows of any
other month; every row is moved. The key (point_id, kind, pollutant, data_time) already
holds the partition key, so it stays the upsert target. SQLite stays unpartitioned.
Both engines get the catalogue of months archived to Parquet.

Downgrade puts the rows back into one plain table; it refuses while months are archived
(their rows live only in Parquet files): restore them first.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('rtd', 'minute', 'hour', 'day', 'raw', 'single', 'check', 'five_min')"
COLUMNS = ", ".join(
    f'"{name}"'
    for name in (
        "point_id", "pollutant", "kind", "data_time", "rtd", "avg", "min", "max", "cou",
        "zs_rtd", "zs_avg", "zs_min", "zs_max", "flag", "eflag", "received_at", "resent",
    )
)  # fmt: skip
MONTHS_AHEAD = 3


def _measurement_table(name: str, **kwargs: object) -> None:
    op.create_table(
        name,
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("data_time", sa.DateTime(timezone=False), nullable=False),
        *(
            sa.Column(c, sa.Float(), nullable=True)
            for c in ("rtd", "avg", "min", "max", "cou", "zs_rtd", "zs_avg", "zs_min", "zs_max")
        ),
        sa.Column("flag", sa.String(length=4), nullable=True),
        sa.Column("eflag", sa.String(length=8), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_measurement_kind")),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_measurement_point_id_point")
        ),
        sa.PrimaryKeyConstraint(
            "point_id", "kind", "pollutant", "data_time", name=op.f("pk_measurement")
        ),
        **kwargs,
    )
    op.create_index(
        op.f("ix_measurement_point_id_kind_data_time"), name, ["point_id", "kind", "data_time"]
    )


def _set_aside(old: str) -> None:
    """Rename the measurement table and its index-backed names out of the way."""
    op.execute(f"ALTER TABLE measurement RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_measurement TO pk_{old}")
    op.execute(
        f"ALTER INDEX ix_measurement_point_id_kind_data_time RENAME TO ix_{old}_point_id_kind"
    )


def _month(year: int, month: int, plus: int = 0) -> tuple[int, int]:
    index = year * 12 + month - 1 + plus
    return index // 12, index % 12 + 1


def upgrade() -> None:
    op.create_table(
        "measurement_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("checksum", sa.BigInteger(), nullable=False),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.CheckConstraint("rows >= 0", name=op.f("ck_measurement_archive_rows")),
        sa.CheckConstraint(
            "state IN ('exported', 'archived', 'restored')",
            name=op.f("ck_measurement_archive_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement_archive")),
        sa.UniqueConstraint("month", name=op.f("uq_measurement_archive_month")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    conn = op.get_bind()
    _set_aside("measurement_unpartitioned")
    _measurement_table("measurement", postgresql_partition_by="RANGE (data_time)")
    held = conn.exec_driver_sql(
        "SELECT DISTINCT date_trunc('month', data_time) FROM measurement_unpartitioned"
    ).scalars()
    months = {(m.year, m.month) for m in held}
    now = datetime.now(UTC) + timedelta(hours=8)  # China Standard Time, as data_time
    months |= {_month(now.year, now.month, i) for i in range(MONTHS_AHEAD + 1)}
    for year, month in sorted(months):
        after = _month(year, month, 1)
        op.execute(
            f"CREATE TABLE measurement_p{year:04d}{month:02d} PARTITION OF measurement "
            f"FOR VALUES FROM ('{year:04d}-{month:02d}-01') TO ('{after[0]:04d}-{after[1]:02d}-01')"
        )
    op.execute("CREATE TABLE measurement_default PARTITION OF measurement DEFAULT")
    op.execute(
        f"INSERT INTO measurement ({COLUMNS}) SELECT {COLUMNS} FROM measurement_unpartitioned"
    )
    op.drop_table("measurement_unpartitioned")


def downgrade() -> None:
    conn = op.get_bind()
    archived = (
        conn.exec_driver_sql(
            "SELECT month FROM measurement_archive WHERE state = 'archived' ORDER BY month"
        )
        .scalars()
        .all()
    )
    if archived:
        months = ", ".join(m.strftime("%Y-%m") if hasattr(m, "strftime") else str(m)[:7]
                           for m in archived)  # fmt: skip
        raise RuntimeError(
            f"months {months} are archived to Parquet only; "
            "restore them (ecozone archive restore MONTH) before downgrading"
        )
    op.drop_table("measurement_archive")
    if conn.dialect.name != "postgresql":
        return
    _set_aside("measurement_partitioned")
    _measurement_table("measurement")
    op.execute(f"INSERT INTO measurement ({COLUMNS}) SELECT {COLUMNS} FROM measurement_partitioned")
    op.drop_table("measurement_partitioned")  # and its partitions with it
