"""log_receipt: the frames writers took from the durable log, stored once each

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_receipt",
        sa.Column("receipt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("receipt", name=op.f("pk_log_receipt")),
    )
    op.create_index(op.f("ix_log_receipt_received_at"), "log_receipt", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_log_receipt_received_at"), table_name="log_receipt")
    op.drop_table("log_receipt")
