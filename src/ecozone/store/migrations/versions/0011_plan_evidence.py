"""evidence files of plan progress reports (plan_evidence)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_evidence",
        sa.Column("progress_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["progress_id"],
            ["plan_progress.id"],
            name=op.f("fk_plan_evidence_progress_id_plan_progress"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_file.sha256"], name=op.f("fk_plan_evidence_sha256_stored_file")
        ),
        sa.PrimaryKeyConstraint("progress_id", "sha256", name=op.f("pk_plan_evidence")),
    )


def downgrade() -> None:
    op.drop_table("plan_evidence")
