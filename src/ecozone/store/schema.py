"""Every table of the platform, declared once on one `metadata` (SQLAlchemy Core).

Alembic compares the database with this module, so constraint names come
from a naming convention and never from the database's defaults. Times: an
instant the platform observes (received_at, created_at, at) is stored
time-zone aware and read back in UTC; `data_time` is the device's wall-clock
time as HJ 212 transmits it (DataTime=YYYYMMDDhhmmss, China Standard Time,
UTC+8, no zone on the wire) and is stored naive, as sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ecozone.compliance.model import AlertState, LimitBasis, MarkKind, MarkReview, PermitClass
from ecozone.measurements.model import KINDS as STORED_KINDS
from ecozone.registry.model import (
    ADDRESS_LENGTH,
    DISTRICT_NAME_LENGTH,
    ENTERPRISE_NAME_LENGTH,
    INDUSTRY_LENGTH,
    POINT_KINDS,
    POINT_NAME_LENGTH,
    ZONE_NAME_LENGTH,
)
from ecozone.times import cst_naive
from ecozone.waterquality.model import TARGET_CLASSES, Body

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


FRAME_VERDICTS = ("accepted", "rejected")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An instant: aware datetimes in, aware UTC datetimes out, on both engines.

    SQLite has no time-zone type and SQLAlchemy would store an aware value's
    wall-clock digits without the offset, so values are converted to UTC
    first. A naive value is refused: it could mean any zone.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given for an instant; add tzinfo")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: stored as UTC digits
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LocalDateTime(sa.TypeDecorator[datetime]):
    """Device wall-clock time in China Standard Time, stored naive as transmitted.

    An aware value is accepted and converted to UTC+8 wall-clock time first,
    so a caller holding a UTC instant cannot store it eight hours off.
    """

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return cst_naive(value)
        return value


# Surrogate keys that may grow past 2**31; SQLite autoincrements only INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


zone = sa.Table(
    "zone",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(ZONE_NAME_LENGTH), nullable=False, unique=True),
)

district = sa.Table(
    "district",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("zone_id", sa.Integer, sa.ForeignKey("zone.id"), nullable=False, index=True),
    sa.Column("name", sa.String(DISTRICT_NAME_LENGTH), nullable=False, unique=True),
)

enterprise = sa.Table(
    "enterprise",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # Unified social credit code, GB 32100-2015: 18 characters.
    sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
    # False: the code failed its check character and was let in on purpose
    # (early pilot-region codes are legal but fail the checksum).
    sa.Column("credit_code_verified", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("name", sa.String(ENTERPRISE_NAME_LENGTH), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id"), nullable=False, index=True),
    sa.Column("industry", sa.String(INDUSTRY_LENGTH)),
    sa.Column("address", sa.String(ADDRESS_LENGTH)),
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    # A key pollutant-discharging unit must disclose its automatic monitoring data;
    # only such data is shown to the public.
    sa.Column("disclosed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
)

point = sa.Table(
    "point",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    # Outlet code of the discharge permit (DA001 air, DW001 water) or a station code.
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("name", sa.String(POINT_NAME_LENGTH), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # Reference oxygen content, % by volume, for converting flue-gas concentrations.
    sa.Column("reference_o2", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
    # Where the point stands when that differs from its enterprise's district (an air
    # station run by a zone-wide monitoring centre); NULL: the enterprise's district.
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    # First day the point's automatic monitoring is in operation (accepted, 验收); it owes
    # no uploads before it (statistics.transmission). NULL: in operation throughout.
    sa.Column("operating_from", sa.Date),
    sa.UniqueConstraint("enterprise_id", "code"),
    sa.CheckConstraint(_in("kind", POINT_KINDS), name="kind"),
    sa.CheckConstraint("reference_o2 >= 0 AND reference_o2 < 21", name="reference_o2"),
    sa.CheckConstraint("lon BETWEEN -180 AND 180", name="lon"),
    sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat"),
)

device = sa.Table(
    "device",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False, unique=True),
    # HJ 212 MN: 24 hex characters in HJ 212-2017 §6.3.2; devices in the field carry
    # 1..27 letters, digits, '_', '-', '.' (HJ/T 212-2005 14-character codes, A110000_0001).
    sa.Column("mn", sa.String(27), nullable=False, unique=True),
    # Sealed (registry/secrets.py): HJ 212 compares the password in clear, so it is
    # encrypted at rest, never stored as typed.
    sa.Column("password", sa.String(255), nullable=False),
    # HJ 212 ST system code: two characters 0-9 A-Z (HJ 212-2017 §6.6.1 table 5).
    sa.Column("st", sa.String(2), nullable=False),
    # Tolerate this device's known protocol deviations instead of rejecting its frames.
    sa.Column("lenient", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("protocol", sa.String(16)),  # '2005' / '2017' / '2025' as last seen
    sa.Column("last_seen_at", UtcDateTime()),
    # HJ 212-2025 §6.4 SM4 key (sealed), and the one it replaced through CN 1014, which
    # stays valid for a grace period after sm4_key_changed_at.
    sa.Column("sm4_key", sa.String(255)),
    sa.Column("sm4_previous_key", sa.String(255)),
    sa.Column("sm4_key_changed_at", UtcDateTime()),
    # Refuse data uploads (CN 2000-2999, 3020) that arrive in plaintext (§6.4.1).
    sa.Column("encryption_required", sa.Boolean, nullable=False, server_default=sa.false()),
)

PENDING_DEVICE_STATUSES = ("pending", "approved", "assigned")

# HJ 212-2025 onboarding: loggers that announced their hardware (CN 1001) and wait for
# an administrator; approval assigns an MN, sent to the logger with CN 1002.
pending_device = sa.Table(
    "pending_device",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("logger_sn", sa.String(64), nullable=False, unique=True),  # i23005-Info
    sa.Column("cpu_id", sa.String(64)),  # i23006-Info
    sa.Column("mac1", sa.String(64)),  # i23007-Info
    sa.Column("mac2", sa.String(64)),  # i23008-Info
    sa.Column("sent_mn", sa.Text),  # the MN in the 1001 header, if any
    sa.Column("password", sa.String(255), nullable=False),  # sealed, as the logger sent it
    sa.Column("st", sa.String(2), nullable=False),
    sa.Column("peer", sa.Text, nullable=False),
    sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    sa.Column("last_seen_at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("assigned_mn", sa.String(27)),
    sa.Column("approved_by", sa.String(100)),
    sa.Column("approved_at", UtcDateTime()),
    sa.CheckConstraint(_in("status", PENDING_DEVICE_STATUSES), name="status"),
)

raw_frame = sa.Table(
    "raw_frame",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("peer", sa.Text, nullable=False),
    # Unbounded text: a rejected frame's fields are kept however malformed they are.
    sa.Column("mn", sa.Text),
    sa.Column("cn", sa.Text),
    sa.Column("qn", sa.Text),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("verdict", sa.String(8), nullable=False),
    sa.Column("reason", sa.Text),
    sa.CheckConstraint(_in("verdict", FRAME_VERDICTS), name="verdict"),
    sa.Index(None, "mn", "received_at"),
    sa.Index(None, "received_at"),  # retention purges and "latest frames" views
)

# Frames a writer took from the durable log (ingest.writer): claimed in the transaction
# that stores the frame, so a message delivered again, even to two writers at once, is
# stored once. Rows older than the stream keeps messages are purged.
log_receipt = sa.Table(
    "log_receipt",
    metadata,
    sa.Column("receipt", sa.LargeBinary(16), primary_key=True),  # ingest.message.receipt
    sa.Column("received_at", UtcDateTime(), nullable=False, index=True),
)

measurement = sa.Table(
    "measurement",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("pollutant", sa.String(16), nullable=False),  # HJ 212-2017 code, e.g. a21026
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("data_time", LocalDateTime(), nullable=False),
    sa.Column("rtd", sa.Float),
    sa.Column("avg", sa.Float),
    sa.Column("min", sa.Float),
    sa.Column("max", sa.Float),
    sa.Column("cou", sa.Float),
    sa.Column("zs_rtd", sa.Float),
    sa.Column("zs_avg", sa.Float),
    sa.Column("zs_min", sa.Float),
    sa.Column("zs_max", sa.Float),
    sa.Column("flag", sa.String(4)),
    sa.Column("eflag", sa.String(8)),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    # Arrived in a packet marked RF=1 (HJ 212-2025 table 3: re-sent, backfilled).
    sa.Column("resent", sa.Boolean, nullable=False, server_default=sa.false()),
    # The key is the upsert target: a re-sent frame overwrites, never duplicates.
    # Its order serves one pollutant over a time range.
    sa.PrimaryKeyConstraint("point_id", "kind", "pollutant", "data_time"),
    sa.CheckConstraint(_in("kind", STORED_KINDS), name="kind"),
    # All pollutants of a point over a time range (charts, aggregation, exports):
    # without it such a scan would read the point's whole history.
    sa.Index(None, "point_id", "kind", "data_time"),
    # On SQLite the table is stored in key order with no hidden rowid and no
    # separate key index: one b-tree less to write and to keep in cache.
    sqlite_with_rowid=False,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),  # create / update / delete / ...
    sa.Column("entity", sa.String(64), nullable=False),  # table or domain object name
    sa.Column("entity_id", sa.String(64)),  # text: ids, credit codes and MNs all fit
    sa.Column("before", Json),
    sa.Column("after", Json),
    sa.Index(None, "entity", "entity_id"),
    sa.Index(None, "at"),
)

# --- monitoring: values computed from the stored data (HJ 75/76, HJ 355/356) -----

AGGREGATE_KINDS = ("hour", "day")

aggregate = sa.Table(
    "aggregate",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("pollutant", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("data_time", LocalDateTime(), nullable=False),  # start of the hour / day
    sa.Column("avg", sa.Float),
    sa.Column("min", sa.Float),
    sa.Column("max", sa.Float),
    sa.Column("cou", sa.Float),
    # Converted to the point's reference O2 (HJ 75-2017), where the point has one.
    sa.Column("zs_avg", sa.Float),
    sa.Column("zs_min", sa.Float),
    sa.Column("zs_max", sa.Float),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("valid_count", sa.Integer, nullable=False),  # valid minutes / valid hours
    sa.Column("sample_count", sa.Integer, nullable=False),  # values present at all
    sa.Column("emission_kg", sa.Float),
    sa.Column("flag", sa.String(4)),
    # The device's own hourly/daily value, kept beside ours to show disagreement.
    sa.Column("device_avg", sa.Float),
    sa.Column("computed_at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("point_id", "kind", "pollutant", "data_time"),
    sa.CheckConstraint(_in("kind", AGGREGATE_KINDS), name="kind"),
    sa.Index(None, "point_id", "kind", "data_time"),
    sqlite_with_rowid=False,
)

# --- compliance: permits, limits, alerts and data marking -------------------------

PERMIT_CLASSES = tuple(PermitClass)
LIMIT_BASES = tuple(LimitBasis)
ALERT_STATES = tuple(AlertState)
MARK_KINDS = tuple(MarkKind)
MARK_REVIEWS = tuple(MarkReview)

permit = sa.Table(
    "permit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("permit_no", sa.String(40), nullable=False, unique=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("management_class", sa.String(16), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("management_class", PERMIT_CLASSES), name="management_class"),
    sa.CheckConstraint("valid_from <= valid_to", name="validity"),
    sa.Index(None, "enterprise_id"),
)

permit_limit = sa.Table(
    "permit_limit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("permit_id", sa.Integer, sa.ForeignKey("permit.id"), nullable=False),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("pollutant", sa.String(16), nullable=False),
    sa.Column("limit_value", sa.Float, nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("basis", sa.String(8), nullable=False),
    sa.Column("standard", sa.String(100)),  # e.g. GB 13223-2011, DB50/ 658-2016
    sa.Column("annual_cap_t", sa.Float),
    sa.UniqueConstraint("permit_id", "point_id", "pollutant", "basis"),
    sa.CheckConstraint(_in("basis", LIMIT_BASES), name="basis"),
    sa.CheckConstraint("limit_value > 0", name="limit_value"),
    sa.CheckConstraint("annual_cap_t IS NULL OR annual_cap_t > 0", name="annual_cap_t"),
    sa.Index(None, "point_id", "pollutant"),
)

alert = sa.Table(
    "alert",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    # exceedance, offline, constant_value, device_fault, long_maintenance,
    # hour_mismatch, cap_warning, permit_expired, ...
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id")),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("pollutant", sa.String(16)),
    sa.Column("start", LocalDateTime(), nullable=False),
    sa.Column("end", LocalDateTime()),  # NULL while the condition lasts
    sa.Column("peak", sa.Float),
    sa.Column("limit_value", sa.Float),
    sa.Column("state", sa.String(16), nullable=False, server_default="open"),
    # Identifies one ongoing condition, so it never raises a second alert.
    sa.Column("condition_key", sa.String(200), nullable=False),
    sa.Column("detail", Json),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    # Last day (CST, inclusive) for the enterprise to answer; set when dispatched.
    sa.Column("deadline", sa.Date),
    sa.Column("close_reason", sa.String(16)),  # resolved / false_alarm, when closed
    sa.CheckConstraint(_in("state", ALERT_STATES), name="state"),
    sa.Index(None, "condition_key", "start", unique=True),
    sa.Index(None, "state", "start"),
    sa.Index(None, "enterprise_id", "start"),
)

alert_action = sa.Table(
    "alert_action",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("alert_id", BigId, sa.ForeignKey("alert.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column(
        "action", sa.String(16), nullable=False
    ),  # dispatch / feedback / verify / close / reopen
    sa.Column("comment", sa.Text),
    sa.Column("cause", sa.Text),  # enterprise feedback: cause found
    sa.Column("measures", sa.Text),  # enterprise feedback: measures taken
    sa.Column("deadline", sa.Date),  # dispatch: the deadline it set
    sa.Column("close_reason", sa.String(16)),  # close: resolved / false_alarm
)

alert_attachment = sa.Table(
    "alert_attachment",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "alert_action_id", BigId, sa.ForeignKey("alert_action.id"), nullable=False, index=True
    ),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_file.sha256"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),  # as uploaded, checked
)

data_mark = sa.Table(
    "data_mark",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("pollutant", sa.String(16)),  # NULL: every pollutant of the point
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("start", LocalDateTime(), nullable=False),
    sa.Column("end", LocalDateTime(), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("declared_by", sa.String(100), nullable=False),
    sa.Column("declared_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("revoked_at", UtcDateTime()),
    # A supervisor's review (MarkReview); a rejected mark excuses nothing (compliance.marks).
    sa.Column("review_state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("reviewed_by", sa.String(100)),
    sa.Column("reviewed_at", UtcDateTime()),
    sa.Column("review_comment", sa.Text),
    sa.CheckConstraint(_in("kind", MARK_KINDS), name="kind"),
    sa.CheckConstraint(_in("review_state", MARK_REVIEWS), name="review_state"),
    sa.CheckConstraint('start < "end"', name="range"),
    sa.Index(None, "point_id", "start"),
)

webhook = sa.Table(
    "webhook",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.String(500), nullable=False, unique=True),
    sa.Column("secret", sa.String(200)),  # HMAC key for the signature header
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

webhook_delivery = sa.Table(
    "webhook_delivery",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhook.id"), nullable=False),
    sa.Column("alert_id", BigId, sa.ForeignKey("alert.id"), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("last_error", sa.Text),
    sa.Column("next_attempt_at", UtcDateTime()),
    sa.Column("delivered_at", UtcDateTime()),
    sa.UniqueConstraint("webhook_id", "alert_id"),
    sa.Index(None, "status", "next_attempt_at"),
)

# --- accounts: users, roles, sessions and API tokens ------------------------------

ROLES = ("admin", "supervisor", "enterprise", "coordinator", "bank")

user_account = sa.Table(
    "user_account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("display_name", sa.String(100)),
    # A supervisor with a district sees that district only; without, the whole city.
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("role", ROLES), name="role"),
)

user_enterprise = sa.Table(
    "user_enterprise",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id"), primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
)

auth_token = sa.Table(
    "auth_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id"), nullable=False),
    # Only a hash is stored; the token itself is shown once.
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # session (browser) / api
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("last_used_at", UtcDateTime()),
    sa.CheckConstraint(_in("kind", ("session", "api")), name="kind"),
    sa.Index(None, "user_id"),
)

# --- the plan's measures: progress reports (the measures themselves ship as data) --

PROGRESS_STATUSES = ("not_started", "on_track", "at_risk", "off_track", "done")

plan_progress = sa.Table(
    "plan_progress",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("measure", sa.Integer, nullable=False),  # 1..23, as numbered in the plan
    sa.Column("unit", sa.String(100), nullable=False),  # lead or co-operating unit
    sa.Column("district", sa.String(100)),
    sa.Column("period", sa.String(16), nullable=False),  # e.g. 2026-Q3, 2026
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("narrative", sa.Text),
    sa.Column("evidence", sa.Text),
    sa.Column("indicators", Json),  # {indicator code: value} for the period
    sa.Column("due_date", sa.Date),
    sa.Column("reported_by", sa.String(100), nullable=False),
    sa.Column("reported_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("measure BETWEEN 1 AND 23", name="measure"),
    sa.CheckConstraint(_in("status", PROGRESS_STATUSES), name="status"),
    sa.Index(None, "measure", "period"),
)

# --- uploaded files (alert feedback attachments, plan evidence): content-addressed -----

stored_file = sa.Table(
    "stored_file",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),  # hex digest of the content
    sa.Column("media_type", sa.String(64), nullable=False),  # as sniffed, never as declared
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("size > 0", name="size"),
)

# --- emission–electricity linkage (power): facilities metered apart, their links ------------

POWER_ROLES = ("production", "control")
POWER_QUANTITIES = ("power_kw", "current_a", "energy_kwh", "voltage_v")
POWER_REQUIREMENTS = ("stop", "limit")

power_facility = sa.Table(
    "power_facility",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),  # the permit's facility code, e.g. TA001
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # dust_removal, desulphurisation, ...
    # A control facility's outlet: its analyser (finding E) and its alerts' point.
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id")),
    sa.Column("normal_kw", sa.Float),  # calibrated normal running power, when measured
    sa.Column("commissioned_on", sa.Date),
    sa.Column("evidence_sha256", sa.String(64), sa.ForeignKey("stored_file.sha256")),
    sa.UniqueConstraint("enterprise_id", "code"),
    sa.CheckConstraint(_in("role", POWER_ROLES), name="role"),
    sa.CheckConstraint("normal_kw > 0", name="normal_kw"),
)

power_meter = sa.Table(
    "power_meter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("power_facility.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("rated_kw", sa.Float),
    sa.Column("rated_current_a", sa.Float),
    sa.Column("voltage_v", sa.Float, nullable=False, server_default="380"),
    sa.Column("power_factor", sa.Float, nullable=False, server_default="0.85"),
    sa.Column("ct_ratio", sa.Float, nullable=False, server_default="1"),
    sa.Column("three_phase", sa.Boolean, nullable=False, server_default=sa.true()),
    # Per-meter overrides of the state thresholds (fractions of the reference power).
    sa.Column("off_fraction", sa.Float),
    sa.Column("low_fraction", sa.Float),
    # Levels learned from the meter's own history; used only when use_learned is set.
    sa.Column("learned_off_kw", sa.Float),
    sa.Column("learned_low_kw", sa.Float),
    sa.Column("learned_at", UtcDateTime()),
    sa.Column("use_learned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("facility_id", "code"),
    sa.CheckConstraint("rated_kw > 0 OR rated_current_a > 0", name="rated"),
    sa.CheckConstraint("ct_ratio > 0 AND voltage_v > 0", name="wiring"),
    sa.CheckConstraint("power_factor > 0 AND power_factor <= 1", name="power_factor"),
)

# Which (point, code) of an uploading device carries which quantity of which meter, so any
# vendor's code set (HJ 212-2025 d-codes, e70x, ...) can be configured.
power_channel = sa.Table(
    "power_channel",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("meter_id", sa.Integer, sa.ForeignKey("power_meter.id"), nullable=False),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("code", sa.String(16), nullable=False),
    sa.Column("quantity", sa.String(16), nullable=False),
    sa.UniqueConstraint("point_id", "code"),
    sa.CheckConstraint(_in("quantity", POWER_QUANTITIES), name="quantity"),
    sa.Index(None, "meter_id"),
)

power_link = sa.Table(
    "power_link",
    metadata,
    sa.Column("control_id", sa.Integer, sa.ForeignKey("power_facility.id"), primary_key=True),
    sa.Column("production_id", sa.Integer, sa.ForeignKey("power_facility.id"), primary_key=True),
)

# Emergency production-limit and staggered-production orders per production facility.
power_order = sa.Table(
    "power_order",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("power_facility.id"), nullable=False),
    sa.Column("start", LocalDateTime(), nullable=False),
    sa.Column("end", LocalDateTime(), nullable=False),
    sa.Column("requirement", sa.String(8), nullable=False),
    sa.Column("quota_kw", sa.Float),
    sa.Column("level", sa.String(32), nullable=False, server_default=""),
    sa.CheckConstraint(_in("requirement", POWER_REQUIREMENTS), name="requirement"),
    sa.CheckConstraint('start < "end"', name="range"),
    sa.CheckConstraint("requirement = 'stop' OR quota_kw >= 0", name="quota"),
    sa.Index(None, "facility_id", "start"),
)

# Emission factors of a production facility: emissions estimated from its electricity where
# no analyser measures them (activity-data method), each with the source it is taken from.
power_factor = sa.Table(
    "power_factor",
    metadata,
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("power_facility.id"), primary_key=True),
    sa.Column("pollutant", sa.String(16), primary_key=True),
    sa.Column("kg_per_kwh", sa.Float, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.CheckConstraint("kg_per_kwh > 0", name="kg_per_kwh"),
)

WARNING_LEVELS = ("yellow", "orange", "red")

# An enterprise's emergency emission-reduction list (应急减排清单): what each production
# facility must do at each heavy-pollution warning level.
power_response = sa.Table(
    "power_response",
    metadata,
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("power_facility.id"), primary_key=True),
    sa.Column("level", sa.String(8), primary_key=True),
    sa.Column("requirement", sa.String(8), nullable=False),
    sa.Column("quota_kw", sa.Float),
    sa.CheckConstraint(_in("level", WARNING_LEVELS), name="level"),
    sa.CheckConstraint(_in("requirement", POWER_REQUIREMENTS), name="requirement"),
    sa.CheckConstraint("requirement = 'stop' OR quota_kw >= 0", name="quota"),
)

# Heavy-pollution weather warnings (重污染天气预警) as declared: zone-wide, or one district's.
weather_warning = sa.Table(
    "weather_warning",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("start", LocalDateTime(), nullable=False),
    sa.Column("end", LocalDateTime(), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    sa.Column("note", sa.Text),
    sa.Column("declared_by", sa.String(100), nullable=False),
    sa.Column("declared_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("level", WARNING_LEVELS), name="level"),
    sa.CheckConstraint('start < "end"', name="range"),
    sa.Index(None, "start"),
)

#: Evidence files of a plan progress report: photos or PDF kept in stored_file.
plan_evidence = sa.Table(
    "plan_evidence",
    metadata,
    sa.Column("progress_id", sa.Integer, sa.ForeignKey("plan_progress.id"), primary_key=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("stored_file.sha256"), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),  # the file name as uploaded
)

# --- login attempts: the throttle's memory, shared by every process --------------------

login_attempt = sa.Table(
    "login_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("username", sa.String(100), nullable=False),  # casefolded, as typed
    sa.Column("client_ip", sa.String(64), nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Index(None, "username", "at"),
    sa.Index(None, "client_ip", "at"),
)

# --- waterquality: surface-water sections (GB 3838-2002) ---------------------------

water_section = sa.Table(
    "water_section",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), primary_key=True),
    sa.Column("body", sa.String(8), nullable=False),  # river | lake (lakes and reservoirs)
    sa.Column("target_class", sa.SmallInteger, nullable=False),  # 1-5 (I-V)
    sa.CheckConstraint(_in("body", tuple(Body)), name="body"),
    sa.CheckConstraint(
        f"target_class BETWEEN {min(TARGET_CLASSES):d} AND {max(TARGET_CLASSES):d}",
        name="target_class",
    ),
)

# --- tables declared in their capability's own module on this metadata (this file's size
# limit), re-exported so that every table can be imported from here ----------------------
# ruff: noqa: I001
from ecozone.store.schema_credit import (  # noqa: E402, F401
    credit_evaluation, credit_repair, disclosure_report,
)  # fmt: skip
from ecozone.store.schema_energy import (  # noqa: E402, F401
    district_energy, energy_meter, energy_month, energy_output, energy_target, forest_sink,
)  # fmt: skip
from ecozone.store.schema_supervision import (  # noqa: E402, F401
    CAMPAIGN_STATES, LISTING_KINDS, inspection_assignment, inspection_campaign, inspector,
    inspector_conflict, supervision_listing,
)  # fmt: skip
from ecozone.store.schema_inspection import (  # noqa: E402, F401
    inspection, inspection_file, inspection_trigger, penalty_decision, violation,
)  # fmt: skip
from ecozone.store.schema_projects import (  # noqa: E402, F401
    eia_pause, eia_project, eia_sampling, eia_transition,
)  # fmt: skip
from ecozone.store.schema_waste import (  # noqa: E402, F401
    waste_collection_point, waste_collection_run, waste_declaration, waste_entry, waste_facility,
    waste_generator, waste_handler, waste_manifest, waste_point_client, waste_route,
    waste_track_point,
)  # fmt: skip
from ecozone.store.schema_trading import (  # noqa: E402, F401
    trading_account, trading_line, trading_trade, trading_txn, trading_verified,
)  # fmt: skip

# zoning's module declares its tables on a call (layers, soil list, emergency readiness):
from ecozone.store.schema_zoning import SOIL_EVENT_KINDS, declare  # noqa: E402, F401

(layer_version, layer_feature, soil_site, soil_site_event, risk_source, emergency_plan,
 emergency_drill, emergency_resource, incident, incident_action) = declare(
    metadata, Json=Json, UtcDateTime=UtcDateTime, LocalDateTime=LocalDateTime, BigId=BigId,
    _in=_in)  # fmt: skip
from ecozone.store.schema_quality import (  # noqa: E402, F401
    construction_site, dust_inspection, dust_monitor, dust_rule, honking_event, night_approval,
    noise_station, overflow_event, sewer_monitor,
)  # fmt: skip
from ecozone.store.schema_archive import ARCHIVE_STATES, measurement_archive  # noqa: E402, F401
from ecozone.store.schema_statistics_reports import (  # noqa: E402, F401
    REPORT_PERIODS, notification, statistics_report, statistics_subscription,
)  # fmt: skip
