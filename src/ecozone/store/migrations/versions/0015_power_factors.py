"""emission factors of production facilities (activity-data estimates from electricity)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "power_factor",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("pollutant", sa.String(length=16), nullable=False),
        sa.Column("kg_per_kwh", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("kg_per_kwh > 0", name=op.f("ck_power_factor_kg_per_kwh")),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["power_facility.id"],
            name=op.f("fk_power_factor_facility_id_power_facility"),
        ),
        sa.PrimaryKeyConstraint("facility_id", "pollutant", name=op.f("pk_power_factor")),
    )


def downgrade() -> None:
    op.drop_table("power_factor")
