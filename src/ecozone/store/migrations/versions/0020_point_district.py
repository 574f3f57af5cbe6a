"""registry: a point's own district (an air station sits where it stands, not where its
owner is registered); empty means its enterprise's district

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("point", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_point_district_id_district"), "district", ["district_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("point", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_point_district_id_district"), type_="foreignkey")
        batch_op.drop_column("district_id")
