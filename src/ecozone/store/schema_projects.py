"""The EIA project tables (ecozone.projects): projects, their stage transitions, clock pauses
and pledge sampling flags, declared on store.schema's metadata and re-exported by it, so
`from ecozone.store.schema import eia_project` works like any other table.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.projects.model import Category, PauseKind, Route, SamplingOutcome, Stage
from ecozone.store.schema import Json, UtcDateTime, _in, metadata

eia_project = sa.Table(
    "eia_project",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("builder_name", sa.String(200), nullable=False),
    sa.Column("credit_code", sa.String(18), nullable=False),
    # The builder as a registry enterprise: set when it is one, or once operation creates it.
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id")),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id"), nullable=False),
    sa.Column("industry", sa.String(100), nullable=False),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("route", sa.String(16), nullable=False),
    sa.Column("major", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("pilot_park", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("investment_wan_yuan", sa.Float),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("polygon", Json),  # GeoJSON Polygon or MultiPolygon geometry
    sa.Column("outlets", Json, nullable=False),  # [{code, name, kind, lon, lat}]
    sa.Column("stage", sa.String(24), nullable=False),
    sa.Column("submitted_on", sa.Date),
    sa.Column("accepted_on", sa.Date),
    sa.Column("decided_on", sa.Date),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("category", tuple(Category)), name="category"),
    sa.CheckConstraint(_in("route", tuple(Route)), name="route"),
    sa.CheckConstraint(_in("stage", tuple(Stage)), name="stage"),
    sa.CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
    sa.CheckConstraint("investment_wan_yuan IS NULL OR investment_wan_yuan >= 0",
                       name="investment"),
    sa.Index(None, "district_id", "stage"),
    sa.Index(None, "enterprise_id"),
)

# Every move between stages: who, when (the day it counts from, and the instant), why.
eia_transition = sa.Table(
    "eia_transition",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("eia_project.id"), nullable=False),
    sa.Column("from_stage", sa.String(24)),
    sa.Column("to_stage", sa.String(24), nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Index(None, "project_id", "id"),
)

# Days the approval clock stands still: start inclusive, end exclusive (NULL while it lasts).
eia_pause = sa.Table(
    "eia_pause",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("eia_project.id"), nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.CheckConstraint(_in("kind", tuple(PauseKind)), name="kind"),
    sa.CheckConstraint('"end" IS NULL OR start < "end"', name="span"),
    sa.Index(None, "project_id", "start"),
)

# Pledge-based approvals flagged for the quarterly post-approval sampling check.
eia_sampling = sa.Table(
    "eia_sampling",
    metadata,
    sa.Column("project_id", sa.Integer, sa.ForeignKey("eia_project.id"), primary_key=True),
    sa.Column("quarter", sa.String(7), nullable=False),  # 2026Q4
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("checked_on", sa.Date),
    sa.Column("note", sa.String(500)),
    sa.Column("actor", sa.String(100)),
    sa.CheckConstraint(_in("outcome", tuple(SamplingOutcome)), name="outcome"),
    sa.Index(None, "quarter"),
)
