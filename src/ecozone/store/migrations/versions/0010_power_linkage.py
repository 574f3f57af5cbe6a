"""emission–electricity linkage: facilities, meters, channels, links, limit orders; power points

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-03

The point kind check admits 'power' (loggers uploading meters, HJ 212-2025 ST=44/45);
SQLite cannot alter a CHECK constraint, so there the point table is rebuilt in batch mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('flue_gas', 'wastewater', 'ambient_air', 'surface_water')"
NEW_KINDS = "kind IN ('flue_gas', 'wastewater', 'ambient_air', 'surface_water', 'power')"


def _point_kinds(check: str) -> None:
    with op.batch_alter_table("point") as batch:
        batch.drop_constraint(op.f("ck_point_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_point_kind"), sa.text(check))


def upgrade() -> None:
    _point_kinds(NEW_KINDS)
    op.create_table(
        "power_facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("normal_kw", sa.Float(), nullable=True),
        sa.Column("commissioned_on", sa.Date(), nullable=True),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint("normal_kw > 0", name=op.f("ck_power_facility_normal_kw")),
        sa.CheckConstraint(
            "role IN ('production', 'control')", name=op.f("ck_power_facility_role")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"],
            name=op.f("fk_power_facility_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_sha256"], ["stored_file.sha256"],
            name=op.f("fk_power_facility_evidence_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_power_facility_point_id_point")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_facility")),
        sa.UniqueConstraint(
            "enterprise_id", "code", name=op.f("uq_power_facility_enterprise_id_code")
        ),
    )  # fmt: skip
    op.create_table(
        "power_meter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("rated_kw", sa.Float(), nullable=True),
        sa.Column("rated_current_a", sa.Float(), nullable=True),
        sa.Column("voltage_v", sa.Float(), server_default="380", nullable=False),
        sa.Column("power_factor", sa.Float(), server_default="0.85", nullable=False),
        sa.Column("ct_ratio", sa.Float(), server_default="1", nullable=False),
        sa.Column("three_phase", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("off_fraction", sa.Float(), nullable=True),
        sa.Column("low_fraction", sa.Float(), nullable=True),
        sa.Column("learned_off_kw", sa.Float(), nullable=True),
        sa.Column("learned_low_kw", sa.Float(), nullable=True),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("use_learned", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint(
            "ct_ratio > 0 AND voltage_v > 0", name=op.f("ck_power_meter_wiring")
        ),
        sa.CheckConstraint(
            "power_factor > 0 AND power_factor <= 1", name=op.f("ck_power_meter_power_factor")
        ),
        sa.CheckConstraint(
            "rated_kw > 0 OR rated_current_a > 0", name=op.f("ck_power_meter_rated")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["power_facility.id"],
            name=op.f("fk_power_meter_facility_id_power_facility"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_meter")),
        sa.UniqueConstraint("facility_id", "code", name=op.f("uq_power_meter_facility_id_code")),
    )  # fmt: skip
    op.create_table(
        "power_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meter_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "quantity IN ('power_kw', 'current_a', 'energy_kwh', 'voltage_v')",
            name=op.f("ck_power_channel_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["meter_id"], ["power_meter.id"], name=op.f("fk_power_channel_meter_id_power_meter")
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_power_channel_point_id_point")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_channel")),
        sa.UniqueConstraint("point_id", "code", name=op.f("uq_power_channel_point_id_code")),
    )  # fmt: skip
    op.create_index(op.f("ix_power_channel_meter_id"), "power_channel", ["meter_id"])
    op.create_table(
        "power_link",
        sa.Column("control_id", sa.Integer(), nullable=False),
        sa.Column("production_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["control_id"], ["power_facility.id"],
            name=op.f("fk_power_link_control_id_power_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["production_id"], ["power_facility.id"],
            name=op.f("fk_power_link_production_id_power_facility"),
        ),
        sa.PrimaryKeyConstraint("control_id", "production_id", name=op.f("pk_power_link")),
    )  # fmt: skip
    op.create_table(
        "power_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("requirement", sa.String(length=8), nullable=False),
        sa.Column("quota_kw", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=32), server_default="", nullable=False),
        sa.CheckConstraint('start < "end"', name=op.f("ck_power_order_range")),
        sa.CheckConstraint(
            "requirement = 'stop' OR quota_kw >= 0", name=op.f("ck_power_order_quota")
        ),
        sa.CheckConstraint(
            "requirement IN ('stop', 'limit')", name=op.f("ck_power_order_requirement")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["power_facility.id"],
            name=op.f("fk_power_order_facility_id_power_facility"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_power_order")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_power_order_facility_id_start"), "power_order", ["facility_id", "start"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_power_order_facility_id_start"), table_name="power_order")
    op.drop_table("power_order")
    op.drop_table("power_link")
    op.drop_index(op.f("ix_power_channel_meter_id"), table_name="power_channel")
    op.drop_table("power_channel")
    op.drop_table("power_meter")
    op.drop_table("power_facility")
    _point_kinds(OLD_KINDS)
