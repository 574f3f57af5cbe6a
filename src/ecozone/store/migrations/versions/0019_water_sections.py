"""waterquality: surface-water sections (water body type and GB 3838-2002 target class)

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "water_section",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=8), nullable=False),
        sa.Column("target_class", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("body IN ('river', 'lake')", name=op.f("ck_water_section_body")),
        sa.CheckConstraint(
            "target_class BETWEEN 1 AND 5", name=op.f("ck_water_section_target_class")
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_water_section_point_id_point")
        ),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_water_section")),
    )


def downgrade() -> None:
    op.drop_table("water_section")
