"""quality: noise stations, construction sites, night approvals, honking, dust, sewer overflows

Revision ID: 0028
Revises: 0020
Create Date: 2026-12-03

The point kind check admits 'noise', 'dust' and 'sewer'; SQLite cannot alter a CHECK
constraint, so there the point table is rebuilt in batch mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0028"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('flue_gas', 'wastewater', 'ambient_air', 'surface_water', 'power')"
NEW_KINDS = (
    "kind IN ('flue_gas', 'wastewater', 'ambient_air', 'surface_water', 'power', 'noise',"
    " 'dust', 'sewer')"
)


def _point_kinds(check: str) -> None:
    with op.batch_alter_table("point") as batch:
        batch.drop_constraint(op.f("ck_point_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_point_kind"), sa.text(check))


def upgrade() -> None:
    _point_kinds(NEW_KINDS)
    op.create_table(
        "dust_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("window_min", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("allowed_per_day", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("basis IN ('absolute', 'background')", name=op.f("ck_dust_rule_basis")),
        sa.CheckConstraint("allowed_per_day >= 0", name=op.f("ck_dust_rule_allowed_per_day")),
        sa.CheckConstraint(
            "window_min > 0 AND window_min <= 1440", name=op.f("ck_dust_rule_window_min")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dust_rule")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_dust_rule_code_version")),
    )
    op.create_table(
        "honking_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("plate", sa.String(length=16), server_default="", nullable=False),
        sa.Column("level_db", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honking_event")),
        sa.UniqueConstraint(
            "captured_at",
            "location",
            "plate",
            name=op.f("uq_honking_event_captured_at_location_plate"),
        ),
    )
    op.create_table(
        "construction_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("builder", sa.String(length=200), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "phase IN ('demolition', 'earthwork', 'foundation', 'structure', 'finishing',"
            " 'completed')",
            name=op.f("ck_construction_site_phase"),
        ),
        sa.CheckConstraint("area_m2 > 0", name=op.f("ck_construction_site_area_m2")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_construction_site_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_construction_site")),
        sa.UniqueConstraint("code", name=op.f("uq_construction_site_code")),
    )
    op.create_table(
        "dust_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=100), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("remarks", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["construction_site.id"],
            name=op.f("fk_dust_inspection_site_id_construction_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dust_inspection")),
    )
    with op.batch_alter_table("dust_inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dust_inspection_site_id_inspected_on"),
            ["site_id", "inspected_on"],
            unique=False,
        )

    op.create_table(
        "dust_monitor",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_dust_monitor_point_id_point")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["construction_site.id"],
            name=op.f("fk_dust_monitor_site_id_construction_site"),
        ),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_dust_monitor")),
    )
    op.create_table(
        "night_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("permit_no", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_night_approval_period")),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["construction_site.id"],
            name=op.f("fk_night_approval_site_id_construction_site"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_night_approval")),
    )
    with op.batch_alter_table("night_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_night_approval_site_id_first_day"),
            ["site_id", "first_day"],
            unique=False,
        )

    op.create_table(
        "noise_station",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("zone_class", sa.String(length=2), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "zone_class IS NULL OR zone_class IN ('0', '1', '2', '3', '4a', '4b')",
            name=op.f("ck_noise_station_zone_class"),
        ),
        sa.CheckConstraint(
            "zone_class IS NOT NULL OR site_id IS NOT NULL",
            name=op.f("ck_noise_station_zone_or_site"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_noise_station_point_id_point")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["construction_site.id"],
            name=op.f("fk_noise_station_site_id_construction_site"),
        ),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_noise_station")),
    )
    op.create_table(
        "overflow_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("end", sa.DateTime(timezone=False), nullable=False),
        sa.Column("peak", sa.Float(), nullable=False),
        sa.Column("volume_m3", sa.Float(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("rainfall_mm", sa.Float(), nullable=True),
        sa.Column(
            "detected_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "method IN ('flow', 'weir', 'none')", name=op.f("ck_overflow_event_method")
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_overflow_event_point_id_point")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overflow_event")),
        sa.UniqueConstraint("point_id", "start", name=op.f("uq_overflow_event_point_id_start")),
    )
    op.create_table(
        "sewer_monitor",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("crest_m", sa.Float(), nullable=True),
        sa.Column("weir_width_m", sa.Float(), nullable=True),
        sa.Column("rain_point_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('overflow', 'level')", name=op.f("ck_sewer_monitor_role")),
        sa.CheckConstraint(
            "weir_width_m IS NULL OR weir_width_m > 0", name=op.f("ck_sewer_monitor_weir_width_m")
        ),
        sa.ForeignKeyConstraint(
            ["point_id"], ["point.id"], name=op.f("fk_sewer_monitor_point_id_point")
        ),
        sa.ForeignKeyConstraint(
            ["rain_point_id"], ["point.id"], name=op.f("fk_sewer_monitor_rain_point_id_point")
        ),
        sa.PrimaryKeyConstraint("point_id", name=op.f("pk_sewer_monitor")),
    )


def downgrade() -> None:
    op.drop_table("sewer_monitor")
    op.drop_table("overflow_event")
    op.drop_table("noise_station")
    with op.batch_alter_table("night_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_night_approval_site_id_first_day"))

    op.drop_table("night_approval")
    op.drop_table("dust_monitor")
    with op.batch_alter_table("dust_inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dust_inspection_site_id_inspected_on"))

    op.drop_table("dust_inspection")
    op.drop_table("construction_site")
    op.drop_table("honking_event")
    op.drop_table("dust_rule")
    _point_kinds(OLD_KINDS)
