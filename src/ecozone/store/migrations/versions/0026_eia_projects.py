"""projects: EIA projects, their stage transitions, clock pauses and pledge sampling

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0026"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
STAGES = ("'planning', 'submitted', 'accepted', 'technical_review', 'public_notice', "
          "'approved', 'refused', 'construction', 'acceptance', 'permit', 'operation'")


def upgrade() -> None:
    op.create_table(
        "eia_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("builder_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("major", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pilot_park", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("investment_wan_yuan", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("polygon", Json, nullable=True),
        sa.Column("outlets", Json, nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "category IN ('report', 'form', 'registration', 'exempt')",
            name=op.f("ck_eia_project_category"),
        ),
        sa.CheckConstraint(
            "route IN ('normal', 'pledge', 'exempt', 'green')", name=op.f("ck_eia_project_route")
        ),
        sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f("ck_eia_project_stage")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_eia_project_lon")),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_eia_project_lat")),
        sa.CheckConstraint(
            "investment_wan_yuan IS NULL OR investment_wan_yuan >= 0",
            name=op.f("ck_eia_project_investment"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_eia_project_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_eia_project_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eia_project")),
    )
    op.create_index(
        op.f("ix_eia_project_district_id_stage"), "eia_project", ["district_id", "stage"]
    )
    op.create_index(op.f("ix_eia_project_enterprise_id"), "eia_project", ["enterprise_id"])
    op.create_table(
        "eia_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=24), nullable=True),
        sa.Column("to_stage", sa.String(length=24), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["eia_project.id"],
            name=op.f("fk_eia_transition_project_id_eia_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eia_transition")),
    )
    op.create_index(
        op.f("ix_eia_transition_project_id_id"), "eia_transition", ["project_id", "id"]
    )
    op.create_table(
        "eia_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "kind IN ('technical_review', 'hearing', 'expert_review')",
            name=op.f("ck_eia_pause_kind"),
        ),
        sa.CheckConstraint('"end" IS NULL OR start < "end"', name=op.f("ck_eia_pause_span")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["eia_project.id"], name=op.f("fk_eia_pause_project_id_eia_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eia_pause")),
    )
    op.create_index(op.f("ix_eia_pause_project_id_start"), "eia_pause", ["project_id", "start"])
    op.create_table(
        "eia_sampling",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('pending', 'conforming', 'nonconforming')",
            name=op.f("ck_eia_sampling_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["eia_project.id"], name=op.f("fk_eia_sampling_project_id_eia_project")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_eia_sampling")),
    )
    op.create_index(op.f("ix_eia_sampling_quarter"), "eia_sampling", ["quarter"])


def downgrade() -> None:
    op.drop_table("eia_sampling")
    op.drop_table("eia_pause")
    op.drop_table("eia_transition")
    op.drop_table("eia_project")
