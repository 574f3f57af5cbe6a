"""alert desk: deadlines and close reasons on alerts and their actions, feedback attachments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for table in ("alert", "alert_action"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("close_reason", sa.String(length=16), nullable=True))
    op.create_table(
        "alert_attachment",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("alert_action_id", BigId, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_action_id"],
            ["alert_action.id"],
            name=op.f("fk_alert_attachment_alert_action_id_alert_action"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_alert_attachment_sha256_stored_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attachment")),
    )
    with op.batch_alter_table("alert_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_attachment_alert_action_id"), ["alert_action_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_attachment_alert_action_id"))
    op.drop_table("alert_attachment")
    for table in ("alert_action", "alert"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("close_reason")
            batch_op.drop_column("deadline")
