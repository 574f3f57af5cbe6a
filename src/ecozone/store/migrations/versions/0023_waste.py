"""waste: handlers, storage, generators, the ledger, transfer manifests and collection points

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "waste_facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("capacity_t", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('store', 'yard', 'pool', 'tank', 'spot')", name=op.f("ck_waste_facility_kind")
        ),
        sa.CheckConstraint("capacity_t > 0", name=op.f("ck_waste_facility_capacity")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_facility_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_facility")),
        sa.UniqueConstraint(
            "enterprise_id", "code", name=op.f("uq_waste_facility_enterprise_id_code")
        ),
    )
    op.create_table(
        "waste_generator",
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("class_override", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.CheckConstraint(
            "class_override IN ('key', 'simplified', 'registered')",
            name=op.f("ck_waste_generator_class_override"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_generator_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("enterprise_id", name=op.f("pk_waste_generator")),
    )
    op.create_table(
        "waste_handler",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("licence_no", sa.String(length=64), nullable=False),
        sa.Column("codes", Json, nullable=False),
        sa.Column("capacity_t", sa.Float(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('collector', 'transporter', 'disposer')", name=op.f("ck_waste_handler_kind")
        ),
        sa.CheckConstraint("capacity_t > 0", name=op.f("ck_waste_handler_capacity")),
        sa.CheckConstraint("valid_from <= valid_to", name=op.f("ck_waste_handler_validity")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_handler_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_handler")),
        sa.UniqueConstraint("licence_no", name=op.f("uq_waste_handler_licence_no")),
    )
    op.create_table(
        "waste_collection_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("capacity_t", sa.Float(), nullable=False),
        sa.CheckConstraint("capacity_t > 0", name=op.f("ck_waste_collection_point_capacity")),
        sa.ForeignKeyConstraint(
            ["handler_id"],
            ["waste_handler.id"],
            name=op.f("fk_waste_collection_point_handler_id_waste_handler"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_collection_point")),
        sa.UniqueConstraint("code", name=op.f("uq_waste_collection_point_code")),
    )
    op.create_table(
        "waste_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("edition", sa.String(length=4), nullable=False),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("container", sa.String(length=100), nullable=True),
        sa.Column("manifest_no", sa.String(length=14), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('generated', 'stored_in', 'stored_out', 'utilised', 'disposed', "
            "'transferred')",
            name=op.f("ck_waste_entry_kind"),
        ),
        sa.CheckConstraint("quantity_t > 0", name=op.f("ck_waste_entry_quantity")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_entry_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["waste_facility.id"],
            name=op.f("fk_waste_entry_facility_id_waste_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"],
            ["waste_handler.id"],
            name=op.f("fk_waste_entry_handler_id_waste_handler"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_entry")),
    )
    with op.batch_alter_table("waste_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waste_entry_enterprise_id_at"), ["enterprise_id", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waste_entry_facility_id_code_at"),
            ["facility_id", "code", "at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waste_entry_handler_id_at"), ["handler_id", "at"], unique=False
        )

    op.create_table(
        "waste_collection_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("vehicle_plate", sa.String(length=16), nullable=False),
        sa.Column("driver", sa.String(length=50), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["waste_collection_point.id"],
            name=op.f("fk_waste_collection_run_point_id_waste_collection_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_collection_run")),
    )
    op.create_table(
        "waste_point_client",
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_point_client_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["waste_collection_point.id"],
            name=op.f("fk_waste_point_client_point_id_waste_collection_point"),
        ),
        sa.PrimaryKeyConstraint("point_id", "enterprise_id", name=op.f("pk_waste_point_client")),
    )
    op.create_table(
        "waste_manifest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=14), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("carrier_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("edition", sa.String(length=4), nullable=False),
        sa.Column("quantity_t", sa.Float(), nullable=False),
        sa.Column("packaging", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("vehicle_plate", sa.String(length=16), nullable=True),
        sa.Column("driver", sa.String(length=50), nullable=True),
        sa.Column("route", sa.String(length=500), nullable=True),
        sa.Column("drafted_by", sa.String(length=100), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_transit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("received_t", sa.Float(), nullable=True),
        sa.Column("difference_note", sa.String(length=500), nullable=True),
        sa.Column("confirm_due", sa.Date(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_late", sa.Boolean(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('drafted', 'dispatched', 'in_transit', 'received', 'utilised', 'disposed')",
            name=op.f("ck_waste_manifest_state"),
        ),
        sa.CheckConstraint("quantity_t > 0", name=op.f("ck_waste_manifest_quantity")),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["waste_handler.id"],
            name=op.f("fk_waste_manifest_carrier_id_waste_handler"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_waste_manifest_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["waste_facility.id"],
            name=op.f("fk_waste_manifest_facility_id_waste_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"],
            ["waste_handler.id"],
            name=op.f("fk_waste_manifest_handler_id_waste_handler"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["waste_collection_run.id"],
            name=op.f("fk_waste_manifest_run_id_waste_collection_run"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_manifest")),
        sa.UniqueConstraint("number", name=op.f("uq_waste_manifest_number")),
    )
    with op.batch_alter_table("waste_manifest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waste_manifest_enterprise_id_drafted_at"),
            ["enterprise_id", "drafted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waste_manifest_handler_id_state"), ["handler_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("waste_manifest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waste_manifest_handler_id_state"))
        batch_op.drop_index(batch_op.f("ix_waste_manifest_enterprise_id_drafted_at"))

    op.drop_table("waste_manifest")
    op.drop_table("waste_point_client")
    op.drop_table("waste_collection_run")
    with op.batch_alter_table("waste_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waste_entry_handler_id_at"))
        batch_op.drop_index(batch_op.f("ix_waste_entry_facility_id_code_at"))
        batch_op.drop_index(batch_op.f("ix_waste_entry_enterprise_id_at"))

    op.drop_table("waste_entry")
    op.drop_table("waste_collection_point")
    op.drop_table("waste_handler")
    op.drop_table("waste_generator")
    op.drop_table("waste_facility")
