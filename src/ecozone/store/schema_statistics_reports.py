"""The tables of the statistical reports (plan item 21, 统计报表): reports generated on a
schedule or on demand with their xlsx and PDF, who subscribes to which kind, and the in-app
notifications those subscribers get. Declared on schema.metadata and re-exported by schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import Json, UtcDateTime, _in, metadata

REPORT_PERIODS = ("month", "year")

# One generated report: its kind (a name of statistics.schedule's registry), its period
# ("2026-11" or "2026") and scope ("zone", or "district:<id>" for a district's own); the
# figures as generated are kept as files, so a later correction of the data never rewrites
# a report already sent. (kind, period, scope_key) is unique: a period is generated once.
statistics_report = sa.Table(
    "statistics_report",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("period_kind", sa.String(8), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("scope_key", sa.String(32), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("facts", Json, nullable=False),
    sa.Column("xlsx", sa.LargeBinary, nullable=False),
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("generated_by", sa.String(100), nullable=False),  # "schedule" or a username
    sa.Column("generated_at", UtcDateTime(), nullable=False),
    sa.CheckConstraint(_in("period_kind", REPORT_PERIODS), name="period_kind"),
    sa.UniqueConstraint("kind", "period", "scope_key"),
)

# A user's subscription to a report kind: notified whenever one of that kind is generated
# in a scope the user may read.
statistics_subscription = sa.Table(
    "statistics_subscription",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("email", sa.String(200)),  # also by e-mail, when an SMTP server is configured
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("username", "kind"),
)

# In-app notifications (the count beside the user's name in the header); `href` opens
# what it is about.
notification = sa.Table(
    "notification",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("text", sa.String(300), nullable=False),
    sa.Column("href", sa.String(200), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("read_at", UtcDateTime()),
    sa.Index(None, "username", "read_at"),
)
