"""Tables of enterprise credit and lawful disclosure: the yearly credit evaluations with the
rule version they were computed under, credit repairs, and disclosure reports (drafts and
their immutable published versions). Declared on `ecozone.store.schema.metadata` and
re-exported from it like every table.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import Json, UtcDateTime, _in, metadata

CREDIT_SCHEMES = ("chongqing", "national")
CREDIT_LEVELS = ("honest", "good", "warning", "poor")
DISCLOSURE_KINDS = ("annual", "temporary")
DISCLOSURE_STATES = ("draft", "published")

# One enterprise's score for one year under one scheme; recomputing replaces the row (the
# audit log keeps what it was), and the rule version it was computed under is kept with it.
credit_evaluation = sa.Table(
    "credit_evaluation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("scheme", sa.String(16), nullable=False),
    sa.Column("rule_version", sa.String(40), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("vetoed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("factors", Json, nullable=False),  # each line: kind, fact, points, ref
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("computed_by", sa.String(100), nullable=False),
    sa.Column("computed_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("enterprise_id", "year", "scheme"),
    sa.CheckConstraint(_in("scheme", CREDIT_SCHEMES), name="scheme"),
    sa.CheckConstraint(_in("level", CREDIT_LEVELS), name="level"),
)

# 信用修复: a rectified violation whose publicity period has run no longer counts.
credit_repair = sa.Table(
    "credit_repair",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column(
        "violation_id", sa.Integer, sa.ForeignKey("violation.id"), nullable=False, unique=True
    ),
    sa.Column("repaired_on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Index(None, "enterprise_id"),
)

# A disclosure report (生态环境部令第24号): a draft the enterprise prepares, then published
# versions that are never changed again; preparing after publication starts version n + 1.
disclosure_report = sa.Table(
    "disclosure_report",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),  # annual: the year reported on
    sa.Column("event", sa.String(40), nullable=False, server_default=""),  # "penalty:<id>"
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("content", Json, nullable=False),
    sa.Column("statement", sa.Text, nullable=False, server_default=""),
    sa.Column("prepared_by", sa.String(100), nullable=False),
    sa.Column("prepared_at", UtcDateTime(), nullable=False),
    sa.Column("published_by", sa.String(100)),
    sa.Column("published_at", UtcDateTime()),
    sa.UniqueConstraint("enterprise_id", "kind", "year", "event", "version"),
    sa.CheckConstraint(_in("kind", DISCLOSURE_KINDS), name="kind"),
    sa.CheckConstraint(_in("state", DISCLOSURE_STATES), name="state"),
    sa.CheckConstraint("(state = 'published') = (published_at IS NOT NULL)", name="published"),
    sa.CheckConstraint("version >= 1", name="version"),
    sa.Index(None, "state", "published_at"),
)
