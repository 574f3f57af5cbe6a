"""heavy-pollution weather warnings and the emergency lists that answer them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = "level IN ('yellow', 'orange', 'red')"


def upgrade() -> None:
    op.create_table(
        "power_response",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("requirement", sa.String(length=8), nullable=False),
        sa.Column("quota_kw", sa.Float(), nullable=True),
        sa.CheckConstraint(LEVELS, name=op.f("ck_power_response_level")),
        sa.CheckConstraint(
            "requirement = 'stop' OR quota_kw >= 0", name=op.f("ck_power_response_quota")
        ),
        sa.CheckConstraint(
            "requirement IN ('stop', 'limit')", name=op.f("ck_power_response_requirement")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["power_facility.id"],
            name=op.f("fk_power_response_facility_id_power_facility"),
        ),
        sa.PrimaryKeyConstraint("facility_id", "level", name=op.f("pk_power_response")),
    )
    op.create_table(
        "weather_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("declared_by", sa.String(length=100), nullable=False),
        sa.Column(
            "declared_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(LEVELS, name=op.f("ck_weather_warning_level")),
        sa.CheckConstraint('start < "end"', name=op.f("ck_weather_warning_range")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_weather_warning_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_warning")),
    )
    op.create_index(op.f("ix_weather_warning_start"), "weather_warning", ["start"])


def downgrade() -> None:
    op.drop_index(op.f("ix_weather_warning_start"), table_name="weather_warning")
    op.drop_table("weather_warning")
    op.drop_table("power_response")
