"""Tables of supervision's enforcement loop: triggers, inspections, their files,
violations and penalty decisions. Declared on `ecozone.store.schema.metadata` and
re-exported from it, so `from ecozone.store.schema import inspection` works as for any table.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import BigId, Json, UtcDateTime, _in, metadata
from ecozone.supervision.enforcement import (
    FILE_KINDS,
    HARMS,
    INSPECTION_STATES,
    OUTCOMES,
    TRIGGER_SOURCES,
    TRIGGER_STATES,
    VIOLATION_STATES,
)

# What calls for an on-site inspection outside the draw; open ones feed the draw.
inspection_trigger = sa.Table(
    "inspection_trigger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("alert_id", BigId, sa.ForeignKey("alert.id")),  # alert and power triggers
    sa.Column("reference", sa.String(100)),  # a complaint's ticket number, as received
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("state", sa.String(16), nullable=False, server_default="open"),
    sa.Column("inspection_id", sa.Integer),  # the inspection that answered it
    sa.Column("closed_by", sa.String(100)),
    sa.Column("closed_at", UtcDateTime()),
    sa.CheckConstraint(_in("source", TRIGGER_SOURCES), name="source"),
    sa.CheckConstraint(_in("state", TRIGGER_STATES), name="state"),
    sa.CheckConstraint("alert_id IS NOT NULL OR source IN ('complaint', 'staff')", name="alert"),
    sa.Index(None, "enterprise_id", "state"),
)

# An on-site inspection: from a drawn assignment, from a trigger, or both absent (ad hoc).
inspection = sa.Table(
    "inspection",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("assignment_id", sa.Integer, sa.ForeignKey("inspection_assignment.id"), unique=True),
    sa.Column("trigger_id", sa.Integer, sa.ForeignKey("inspection_trigger.id"), unique=True),
    sa.Column("inspected_on", sa.Date, nullable=False),
    sa.Column("inspector_ids", Json, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("findings", sa.Text, nullable=False, server_default=""),
    sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("public_summary", sa.Text),  # the result as disclosed (一公开)
    sa.Column("published_on", sa.Date),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("submitted_by", sa.String(100)),
    sa.Column("submitted_at", UtcDateTime()),
    sa.CheckConstraint(_in("state", INSPECTION_STATES), name="state"),
    sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="coordinates"),
    sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
    sa.CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    sa.CheckConstraint("state = 'draft' OR submitted_at IS NOT NULL", name="submitted"),
    sa.Index(None, "enterprise_id", "inspected_on"),
)

# Photos and documents of an inspection, kept in stored_file by their digest.
inspection_file = sa.Table(
    "inspection_file",
    metadata,
    sa.Column("inspection_id", sa.Integer, sa.ForeignKey("inspection.id"), primary_key=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_file.sha256"), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),  # as uploaded, checked
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("added_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("kind", FILE_KINDS), name="kind"),
)

# A violation found, by legal provision, with its rectification order and follow-up.
violation = sa.Table(
    "violation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("inspection_id", sa.Integer, sa.ForeignKey("inspection.id")),
    sa.Column("found_on", sa.Date, nullable=False),
    sa.Column("provision", sa.String(300), nullable=False),
    sa.Column("item", sa.String(64)),  # a key of the exemption list, or free text
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("harm", sa.String(16), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="open"),
    sa.Column("rectification_order", sa.Text),  # what must be done (责令改正)
    sa.Column("rectify_by", sa.Date),
    sa.Column("rectified_on", sa.Date),
    sa.Column("rectification_note", sa.Text),  # the follow-up: what was seen done
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("harm", HARMS), name="harm"),
    sa.CheckConstraint(_in("state", VIOLATION_STATES), name="state"),
    sa.CheckConstraint("rectify_by IS NULL OR found_on <= rectify_by", name="rectify_by"),
    sa.CheckConstraint("rectified_on IS NULL OR found_on <= rectified_on", name="rectified_on"),
    sa.Index(None, "enterprise_id", "found_on"),
)

# One decision per violation: a penalty, a warning, or an exemption citing its rule.
penalty_decision = sa.Table(
    "penalty_decision",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "violation_id", sa.Integer, sa.ForeignKey("violation.id"), nullable=False, unique=True
    ),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("decided_on", sa.Date, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("amount_yuan", sa.Numeric(14, 2)),
    sa.Column("exemption_rule", sa.String(100)),  # "<rule id>@<list version>"
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("suggestion", Json),  # the exemption check as shown when deciding
    sa.Column("decided_by", sa.String(100), nullable=False),
    sa.Column("decided_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("published_on", sa.Date),
    sa.CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),
    sa.CheckConstraint(
        "(outcome = 'penalty') = (amount_yuan IS NOT NULL AND amount_yuan > 0)", name="amount"
    ),
    sa.CheckConstraint("(outcome = 'exempt') = (exemption_rule IS NOT NULL)", name="rule"),
    sa.CheckConstraint("public OR published_on IS NULL", name="published"),
    sa.Index(None, "enterprise_id", "decided_on"),
)
