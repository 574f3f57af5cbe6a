"""data marks: a supervisor's review (accepted / rejected with a comment)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("data_mark", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_state", sa.String(length=16), server_default="pending", nullable=False
            )
        )
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_data_mark_review_state"),
            "review_state IN ('pending', 'accepted', 'rejected')",
        )


def downgrade() -> None:
    with op.batch_alter_table("data_mark", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_data_mark_review_state"), type_="check")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_state")
