"""point: the first day of operation of its automatic monitoring (statistics)

Revision ID: 0031
Revises: 0029
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("point") as batch:
        batch.add_column(sa.Column("operating_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("point") as batch:
        batch.drop_column("operating_from")
