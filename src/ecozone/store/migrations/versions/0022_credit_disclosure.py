"""supervision: credit evaluations and repairs; disclosure reports; the bank role

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_ROLES = "role IN ('admin', 'supervisor', 'enterprise', 'coordinator')"
NEW_ROLES = "role IN ('admin', 'supervisor', 'enterprise', 'coordinator', 'bank')"


def upgrade() -> None:
    op.create_table(
        "credit_evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("rule_version", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("vetoed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("factors", Json, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.Column(
            "computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "level IN ('honest', 'good', 'warning', 'poor')",
            name=op.f("ck_credit_evaluation_level"),
        ),
        sa.CheckConstraint(
            "scheme IN ('chongqing', 'national')", name=op.f("ck_credit_evaluation_scheme")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_credit_evaluation_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_evaluation")),
        sa.UniqueConstraint(
            "enterprise_id",
            "year",
            "scheme",
            name=op.f("uq_credit_evaluation_enterprise_id_year_scheme"),
        ),
    )
    op.create_table(
        "disclosure_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="draft", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("content", Json, nullable=False),
        sa.Column("statement", sa.Text(), server_default="", nullable=False),
        sa.Column("prepared_by", sa.String(length=100), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_disclosure_report_published"),
        ),
        sa.CheckConstraint(
            "kind IN ('annual', 'temporary')", name=op.f("ck_disclosure_report_kind")
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'published')", name=op.f("ck_disclosure_report_state")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_disclosure_report_version")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_disclosure_report_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_report")),
        sa.UniqueConstraint(
            "enterprise_id",
            "kind",
            "year",
            "event",
            "version",
            name=op.f("uq_disclosure_report_enterprise_id_kind_year_event_version"),
        ),
    )
    with op.batch_alter_table("disclosure_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_report_state_published_at"),
            ["state", "published_at"],
            unique=False,
        )

    op.create_table(
        "credit_repair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.Column("repaired_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_credit_repair_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["violation.id"], name=op.f("fk_credit_repair_violation_id_violation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_repair")),
        sa.UniqueConstraint("violation_id", name=op.f("uq_credit_repair_violation_id")),
    )
    with op.batch_alter_table("credit_repair", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_repair_enterprise_id"), ["enterprise_id"], unique=False
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_account_role"), NEW_ROLES)


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_user_account_role"), OLD_ROLES)
    with op.batch_alter_table("credit_repair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_repair_enterprise_id"))

    op.drop_table("credit_repair")
    with op.batch_alter_table("disclosure_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_report_state_published_at"))

    op.drop_table("disclosure_report")
    op.drop_table("credit_evaluation")
