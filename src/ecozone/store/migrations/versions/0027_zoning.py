"""zoning: layers by version (三线一单, parks, shorelines), the soil risk list and its
history, emergency risk sources, plans, drills, resources and incidents

Revision ID: 0027
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "emergency_resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "kind IN ('material', 'team', 'equipment')", name=op.f("ck_emergency_resource_kind")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_emergency_resource_quantity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_resource")),
    )
    op.create_table(
        "layer_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("max_span_deg", sa.Float(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('red_line', 'control_unit', 'park', 'shoreline')",
            name=op.f("ck_layer_version_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layer_version")),
        sa.UniqueConstraint("kind", "valid_from", name=op.f("uq_layer_version_kind_valid_from")),
    )
    op.create_table(
        "layer_feature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.Column("properties", Json, nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["layer_version.id"],
            name=op.f("fk_layer_feature_version_id_layer_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_layer_feature")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_layer_feature_version_id_key")),
    )
    with op.batch_alter_table("layer_feature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_layer_feature_version_id_min_lon_max_lon"),
            ["version_id", "min_lon", "max_lon"],
            unique=False,
        )

    op.create_table(
        "soil_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("pollutants", Json, nullable=False),
        sa.Column("land_use", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("status_since", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('listed', 'under_control', 'remediation', 'removed')",
            name=op.f("ck_soil_site_status"),
        ),
        sa.CheckConstraint("area_m2 > 0", name=op.f("ck_soil_site_area_m2")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_soil_site_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_soil_site")),
        sa.UniqueConstraint("code", name=op.f("uq_soil_site_code")),
    )
    op.create_table(
        "risk_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("risk_level", sa.String(length=16), nullable=False),
        sa.Column("substances", Json, nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "kind IN ('enterprise', 'pipeline', 'storage', 'site')",
            name=op.f("ck_risk_source_kind"),
        ),
        sa.CheckConstraint(
            "risk_level IN ('general', 'larger', 'major')", name=op.f("ck_risk_source_risk_level")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_risk_source_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_source")),
    )
    op.create_table(
        "soil_site_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("before", sa.String(length=100), nullable=True),
        sa.Column("after", sa.String(length=100), nullable=True),
        sa.Column("flagged", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('listed', 'status', 'land_use', 'document')",
            name=op.f("ck_soil_site_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["file_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_soil_site_event_file_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["soil_site.id"], name=op.f("fk_soil_site_event_site_id_soil_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_soil_site_event")),
    )
    with op.batch_alter_table("soil_site_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_soil_site_event_site_id"), ["site_id"], unique=False)

    op.create_table(
        "emergency_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("risk_source_id", sa.Integer(), nullable=True),
        sa.Column("filing_no", sa.String(length=100), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("filed_on < valid_until", name=op.f("ck_emergency_plan_validity")),
        sa.ForeignKeyConstraint(
            ["risk_source_id"],
            ["risk_source.id"],
            name=op.f("fk_emergency_plan_risk_source_id_risk_source"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plan")),
    )
    op.create_table(
        "emergency_drill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scenario", sa.String(length=300), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("findings", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("participants > 0", name=op.f("ck_emergency_drill_participants")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["emergency_plan.id"],
            name=op.f("fk_emergency_drill_plan_id_emergency_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_drill")),
    )
    with op.batch_alter_table("emergency_drill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_drill_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("risk_source_id", sa.Integer(), nullable=True),
        sa.Column("alert_id", BigId, nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=False), nullable=True),
        sa.Column("closure", sa.String(length=1000), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_incident_state")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alert.id"], name=op.f("fk_incident_alert_id_alert")
        ),
        sa.ForeignKeyConstraint(
            ["risk_source_id"],
            ["risk_source.id"],
            name=op.f("fk_incident_risk_source_id_risk_source"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    op.create_table(
        "incident_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=False), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_action_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_action")),
    )
    with op.batch_alter_table("incident_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_action_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incident_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_action_incident_id"))

    op.drop_table("incident_action")
    op.drop_table("incident")
    with op.batch_alter_table("emergency_drill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_drill_plan_id"))

    op.drop_table("emergency_drill")
    op.drop_table("emergency_plan")
    with op.batch_alter_table("soil_site_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_soil_site_event_site_id"))

    op.drop_table("soil_site_event")
    op.drop_table("risk_source")
    op.drop_table("soil_site")
    with op.batch_alter_table("layer_feature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_layer_feature_version_id_min_lon_max_lon"))

    op.drop_table("layer_feature")
    op.drop_table("layer_version")
    op.drop_table("emergency_resource")
