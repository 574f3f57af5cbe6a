"""energy: meters, monthly statistics, output, targets, district energy, forest sinks

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

CARRIERS = (
    "carrier IN ('electricity', 'natural_gas', 'raw_coal', 'coke', 'diesel', 'gasoline', "
    "'fuel_oil', 'lpg', 'steam', 'heat', 'water')"
)

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "district_energy",
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gdp_10k_yuan", sa.Float(), nullable=True),
        sa.Column("gdp_energy_tce", sa.Float(), nullable=True),
        sa.Column("industrial_target_tce_per_10k_yuan", sa.Float(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_district_energy_district_id_district")
        ),
        sa.PrimaryKeyConstraint("district_id", "year", name=op.f("pk_district_energy")),
    )
    op.create_table(
        "forest_sink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column("species", sa.String(length=200), nullable=False),
        sa.Column("annual_t_co2", sa.Float(), nullable=False),
        sa.Column("method_source", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("annual_t_co2 >= 0", name=op.f("ck_forest_sink_sequestration")),
        sa.CheckConstraint("area_ha > 0", name=op.f("ck_forest_sink_area")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_forest_sink_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forest_sink")),
    )
    op.create_table(
        "energy_month",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("ncv_gj", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column(
            "entered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            CARRIERS,
            name=op.f("ck_energy_month_carrier"),
        ),
        sa.CheckConstraint(
            "source IN ('form', 'import', 'api', 'meter')", name=op.f("ck_energy_month_source")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_energy_month_amount")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_energy_month_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "month", "carrier", name=op.f("pk_energy_month")),
    )
    with op.batch_alter_table("energy_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_energy_month_month"), ["month"], unique=False)

    op.create_table(
        "energy_output",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("value_added_10k_yuan", sa.Float(), nullable=True),
        sa.Column("product", sa.String(length=100), nullable=True),
        sa.Column("product_amount", sa.Float(), nullable=True),
        sa.Column("product_unit", sa.String(length=16), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_energy_output_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "month", name=op.f("pk_energy_output")),
    )
    op.create_table(
        "energy_target",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("total_tce", sa.Float(), nullable=True),
        sa.Column("tce_per_10k_yuan", sa.Float(), nullable=True),
        sa.Column("tce_per_product", sa.Float(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_energy_target_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "year", name=op.f("pk_energy_target")),
    )
    op.create_table(
        "energy_meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            CARRIERS,
            name=op.f("ck_energy_meter_carrier"),
        ),
        sa.CheckConstraint(
            "(point_id IS NULL) = (channel IS NULL)", name=op.f("ck_energy_meter_channel")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_energy_meter_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_energy_meter_point_id_point")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_meter")),
        sa.UniqueConstraint(
            "enterprise_id", "code", name=op.f("uq_energy_meter_enterprise_id_code")
        ),
    )


def downgrade() -> None:
    op.drop_table("energy_meter")
    op.drop_table("energy_target")
    op.drop_table("energy_output")
    with op.batch_alter_table("energy_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_energy_month_month"))

    op.drop_table("energy_month")
    op.drop_table("forest_sink")
    op.drop_table("district_energy")
