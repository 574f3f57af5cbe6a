"""supervision: inspector pool, listings, inspection campaigns and their draws

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "inspector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("certificate_no", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_inspector_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector")),
        sa.UniqueConstraint("certificate_no", name=op.f("uq_inspector_certificate_no")),
    )
    op.create_table(
        "inspector_conflict",
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspector_conflict_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["inspector.id"],
            name=op.f("fk_inspector_conflict_inspector_id_inspector"),
        ),
        sa.PrimaryKeyConstraint(
            "inspector_id", "enterprise_id", name=op.f("pk_inspector_conflict")
        ),
    )
    op.create_table(
        "supervision_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('positive', 'pledge', 'attention')", name=op.f("ck_supervision_listing_kind")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to",
            name=op.f("ck_supervision_listing_validity"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_supervision_listing_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_listing")),
    )
    op.create_index(
        op.f("ix_supervision_listing_enterprise_id_kind"),
        "supervision_listing",
        ["enterprise_id", "kind"],
    )
    op.create_table(
        "inspection_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="committed", nullable=False),
        sa.Column("inputs", Json, nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("seed", sa.String(length=255), nullable=False),
        sa.Column("result", Json, nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("drawn_by", sa.String(length=100), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('committed', 'drawn')", name=op.f("ck_inspection_campaign_state")
        ),
        sa.CheckConstraint(
            "period_start <= period_end", name=op.f("ck_inspection_campaign_period")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_inspection_campaign_district_id_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_campaign")),
    )
    op.create_table(
        "inspection_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("triggered", sa.Boolean(), nullable=False),
        sa.Column("inspector_ids", Json, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["inspection_campaign.id"],
            name=op.f("fk_inspection_assignment_campaign_id_inspection_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspection_assignment_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_assignment")),
        sa.UniqueConstraint(
            "campaign_id",
            "enterprise_id",
            name=op.f("uq_inspection_assignment_campaign_id_enterprise_id"),
        ),
    )
    op.create_index(
        op.f("ix_inspection_assignment_enterprise_id_planned_date"),
        "inspection_assignment",
        ["enterprise_id", "planned_date"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_inspection_assignment_enterprise_id_planned_date"),
        table_name="inspection_assignment",
    )
    op.drop_table("inspection_assignment")
    op.drop_table("inspection_campaign")
    op.drop_index(
        op.f("ix_supervision_listing_enterprise_id_kind"), table_name="supervision_listing"
    )
    op.drop_table("supervision_listing")
    op.drop_table("inspector_conflict")
    op.drop_table("inspector")
