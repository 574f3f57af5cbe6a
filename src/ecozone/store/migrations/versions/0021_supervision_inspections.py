"""supervision: inspection triggers, inspections, files, violations, penalty decisions

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "inspection_trigger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "alert_id IS NOT NULL OR source IN ('complaint', 'staff')",
            name=op.f("ck_inspection_trigger_alert"),
        ),
        sa.CheckConstraint(
            "source IN ('alert', 'power', 'complaint', 'staff')",
            name=op.f("ck_inspection_trigger_source"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'inspected', 'cancelled')", name=op.f("ck_inspection_trigger_state")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_inspection_trigger_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspection_trigger_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_trigger")),
    )
    with op.batch_alter_table("inspection_trigger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_trigger_enterprise_id_state"),
            ["enterprise_id", "state"],
            unique=False,
        )

    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("trigger_id", sa.Integer(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector_ids", Json, nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("findings", sa.Text(), server_default="", nullable=False),
        sa.Column("state", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("public_summary", sa.Text(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state = 'draft' OR submitted_at IS NOT NULL", name=op.f("ck_inspection_submitted")
        ),
        sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f("ck_inspection_state")),
        sa.CheckConstraint(
            "(latitude IS NULL) = (longitude IS NULL)", name=op.f("ck_inspection_coordinates")
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN -90 AND 90", name=op.f("ck_inspection_latitude")
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180",
            name=op.f("ck_inspection_longitude"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["inspection_assignment.id"],
            name=op.f("fk_inspection_assignment_id_inspection_assignment"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspection_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["trigger_id"],
            ["inspection_trigger.id"],
            name=op.f("fk_inspection_trigger_id_inspection_trigger"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_inspection_assignment_id")),
        sa.UniqueConstraint("trigger_id", name=op.f("uq_inspection_trigger_id")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_enterprise_id_inspected_on"),
            ["enterprise_id", "inspected_on"],
            unique=False,
        )

    op.create_table(
        "inspection_file",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind IN ('photo', 'document')", name=op.f("ck_inspection_file_kind")),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_file_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_file.sha256"], name=op.f("fk_inspection_file_sha256_stored_file")
        ),
        sa.PrimaryKeyConstraint("inspection_id", "sha256", name=op.f("pk_inspection_file")),
    )
    op.create_table(
        "violation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("provision", sa.String(length=300), nullable=False),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("harm", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("rectification_order", sa.Text(), nullable=True),
        sa.Column("rectify_by", sa.Date(), nullable=True),
        sa.Column("rectified_on", sa.Date(), nullable=True),
        sa.Column("rectification_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("harm IN ('none', 'minor', 'serious')", name=op.f("ck_violation_harm")),
        sa.CheckConstraint(
            "state IN ('open', 'rectifying', 'rectified', 'closed')",
            name=op.f("ck_violation_state"),
        ),
        sa.CheckConstraint(
            "rectified_on IS NULL OR found_on <= rectified_on",
            name=op.f("ck_violation_rectified_on"),
        ),
        sa.CheckConstraint(
            "rectify_by IS NULL OR found_on <= rectify_by", name=op.f("ck_violation_rectify_by")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_violation_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_violation_inspection_id_inspection")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation")),
    )
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_violation_enterprise_id_found_on"),
            ["enterprise_id", "found_on"],
            unique=False,
        )

    op.create_table(
        "penalty_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("amount_yuan", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("exemption_rule", sa.String(length=100), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("suggestion", Json, nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(outcome = 'exempt') = (exemption_rule IS NOT NULL)",
            name=op.f("ck_penalty_decision_rule"),
        ),
        sa.CheckConstraint(
            "(outcome = 'penalty') = (amount_yuan IS NOT NULL AND amount_yuan > 0)",
            name=op.f("ck_penalty_decision_amount"),
        ),
        sa.CheckConstraint(
            "outcome IN ('penalty', 'warning', 'exempt')", name=op.f("ck_penalty_decision_outcome")
        ),
        sa.CheckConstraint(
            "public OR published_on IS NULL", name=op.f("ck_penalty_decision_published")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_penalty_decision_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"],
            ["violation.id"],
            name=op.f("fk_penalty_decision_violation_id_violation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_decision")),
        sa.UniqueConstraint("violation_id", name=op.f("uq_penalty_decision_violation_id")),
    )
    with op.batch_alter_table("penalty_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_penalty_decision_enterprise_id_decided_on"),
            ["enterprise_id", "decided_on"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("penalty_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_penalty_decision_enterprise_id_decided_on"))

    op.drop_table("penalty_decision")
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violation_enterprise_id_found_on"))

    op.drop_table("violation")
    op.drop_table("inspection_file")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_enterprise_id_inspected_on"))

    op.drop_table("inspection")
    with op.batch_alter_table("inspection_trigger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_trigger_enterprise_id_state"))

    op.drop_table("inspection_trigger")
