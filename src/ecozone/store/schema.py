"""Every table of the platform, declared once on one `metadata` (SQLAlchemy Core).

Alembic compares the database with this module, so constraint names come
from a naming convention and never from the database's defaults. Times: an
instant the platform observes (received_at, created_at, at) is stored
time-zone aware and read back in UTC; `data_time` is the device's wall-clock
time as HJ 212 transmits it (DataTime=YYYYMMDDhhmmss, China Standard Time,
UTC+8, no zone on the wire) and is stored naive, as sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

#: HJ 212 DataTime is China Standard Time; China has kept UTC+8 without DST since 1991.
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

POINT_KINDS = ("flue_gas", "wastewater", "ambient_air", "surface_water")
MEASUREMENT_KINDS = ("rtd", "minute", "hour", "day")
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
            return value.astimezone(CHINA_STANDARD_TIME).replace(tzinfo=None)
        return value


# Surrogate keys that may grow past 2**31; SQLite autoincrements only INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


zone = sa.Table(
    "zone",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
)

district = sa.Table(
    "district",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("zone_id", sa.Integer, sa.ForeignKey("zone.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
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
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id"), nullable=False, index=True),
    sa.Column("industry", sa.String(100)),
    sa.Column("address", sa.String(300)),
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
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
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    # Reference oxygen content, % by volume, for converting flue-gas concentrations.
    sa.Column("reference_o2", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
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
    # HJ 212 MN: 24 hex characters in HJ 212-2017 §6.3.2; older devices send other lengths.
    sa.Column("mn", sa.String(24), nullable=False, unique=True),
    sa.Column("password", sa.String(64), nullable=False),
    # HJ 212 ST system code: two characters 0-9 A-Z (HJ 212-2017 §6.6.1 table 5).
    sa.Column("st", sa.String(2), nullable=False),
    # Tolerate this device's known protocol deviations instead of rejecting its frames.
    sa.Column("lenient", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("protocol", sa.String(16)),  # '2005' / '2017' / '2025' as last seen
    sa.Column("last_seen_at", UtcDateTime()),
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
    # The key is the upsert target: a re-sent frame overwrites, never duplicates.
    # Its order serves one pollutant over a time range.
    sa.PrimaryKeyConstraint("point_id", "kind", "pollutant", "data_time"),
    sa.CheckConstraint(_in("kind", MEASUREMENT_KINDS), name="kind"),
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
