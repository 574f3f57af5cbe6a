"""waste: a carrier leg's declared route and its vehicle's GPS track (order 23)

Revision ID: 0030
Revises: 0032
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0030"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "waste_route",
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("waypoints", Json, nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest_id"], ["waste_manifest.id"],
            name=op.f("fk_waste_route_manifest_id_waste_manifest"),
        ),
        sa.PrimaryKeyConstraint("manifest_id", name=op.f("pk_waste_route")),
    )
    op.create_table(
        "waste_track_point",
        sa.Column("manifest_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.CheckConstraint(
            "lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90",
            name=op.f("ck_waste_track_point_position"),
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"], ["waste_manifest.id"],
            name=op.f("fk_waste_track_point_manifest_id_waste_manifest"),
        ),
        sa.PrimaryKeyConstraint("manifest_id", "at", name=op.f("pk_waste_track_point")),
    )


def downgrade() -> None:
    op.drop_table("waste_track_point")
    op.drop_table("waste_route")
