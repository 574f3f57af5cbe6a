"""login attempts, the login throttle's state shared by every process

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index(
        op.f("ix_login_attempt_username_at"), "login_attempt", ["username", "at"], unique=False
    )
    op.create_index(
        op.f("ix_login_attempt_client_ip_at"), "login_attempt", ["client_ip", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempt_client_ip_at"), table_name="login_attempt")
    op.drop_index(op.f("ix_login_attempt_username_at"), table_name="login_attempt")
    op.drop_table("login_attempt")
