"""Tables of supervision's 双随机、一公开 (target listings, the inspector pool and recusals,
campaigns and their drawn inspections), declared on store.schema's metadata and re-exported
from it."""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import Json, UtcDateTime, _in, metadata

# --- supervision: 双随机、一公开 ---------------------------------------------------------

LISTING_KINDS = ("positive", "pledge", "attention")
CAMPAIGN_STATES = ("committed", "drawn")

# The inspector pool (执法检查人员名录库); district NULL: zone-wide.
inspector = sa.Table(
    "inspector",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    sa.Column("certificate_no", sa.String(40), nullable=False, unique=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
)

# Declared conflicts of interest: the inspector recuses from these enterprises.
inspector_conflict = sa.Table(
    "inspector_conflict",
    metadata,
    sa.Column("inspector_id", sa.Integer, sa.ForeignKey("inspector.id"), primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("reason", sa.String(300), nullable=False),
)

# Positive list (正面清单), pledge-based exemptions (承诺免检), special-attention units.
supervision_listing = sa.Table(
    "supervision_listing",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date),  # NULL: until revoked
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("kind", LISTING_KINDS), name="kind"),
    sa.CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="validity"),
    sa.Index(None, "enterprise_id", "kind"),
)

# A campaign: its frozen inputs and commitment first; drawn once, seed and result after.
inspection_campaign = sa.Table(
    "inspection_campaign",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),  # NULL: whole zone
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="committed"),
    sa.Column("inputs", Json, nullable=False),
    sa.Column("inputs_sha256", sa.String(64), nullable=False),
    sa.Column("commitment", sa.String(64), nullable=False),
    sa.Column("seed", sa.String(255), nullable=False),  # sealed until drawn, then in clear
    sa.Column("result", Json),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("drawn_by", sa.String(100)),
    sa.Column("drawn_at", UtcDateTime()),
    sa.CheckConstraint(_in("state", CAMPAIGN_STATES), name="state"),
    sa.CheckConstraint("period_start <= period_end", name="period"),
)

# The drawn inspections, one row each: read by the caps, the next teams and the public page.
inspection_assignment = sa.Table(
    "inspection_assignment",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("inspection_campaign.id"), nullable=False),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("planned_date", sa.Date, nullable=False),
    sa.Column("triggered", sa.Boolean, nullable=False),
    sa.Column("inspector_ids", Json, nullable=False),
    sa.UniqueConstraint("campaign_id", "enterprise_id"),
    sa.Index(None, "enterprise_id", "planned_date"),
)
