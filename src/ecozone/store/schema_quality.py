"""The tables of ecozone.quality: construction sites, noise stations, night-construction
approvals, honking captures, dust monitors, rules and inspections, sewer monitors and
overflow events. Declared on store.schema's metadata, which imports them at its end.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.quality.model import DustBasis, SewerRole, SitePhase, VolumeMethod, ZoneClass
from ecozone.store.schema import Json, LocalDateTime, UtcDateTime, _in, metadata

# A building site: its builder is an enterprise of the registry, so the Scope reaches it.
construction_site = sa.Table(
    "construction_site",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("builder", sa.String(200), nullable=False),  # 施工单位
    sa.Column("area_m2", sa.Float, nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("area_m2 > 0", name="area_m2"),
    sa.CheckConstraint(_in("phase", tuple(SitePhase)), name="phase"),
)

# A noise point: in a functional zone (its class) or on a site's boundary (GB 12523).
noise_station = sa.Table(
    "noise_station",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), primary_key=True),
    sa.Column("zone_class", sa.String(2)),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("construction_site.id")),
    sa.CheckConstraint(
        "zone_class IS NULL OR " + _in("zone_class", tuple(ZoneClass)), name="zone_class"
    ),
    sa.CheckConstraint("zone_class IS NOT NULL OR site_id IS NOT NULL", name="zone_or_site"),
)

# 夜间施工许可: approved nights of a site, and the hours of each night.
night_approval = sa.Table(
    "night_approval",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("construction_site.id"), nullable=False),
    sa.Column("permit_no", sa.String(64), nullable=False),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("start_time", sa.String(5), nullable=False),  # HH:MM
    sa.Column("end_time", sa.String(5), nullable=False),  # at or before start: next morning
    sa.Column("reason", sa.String(500), nullable=False, server_default=""),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("first_day <= last_day", name="period"),
    sa.Index(None, "site_id", "first_day"),
)

# Honking captures (违法鸣笛抓拍), imported from the camera system's files.
honking_event = sa.Table(
    "honking_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("captured_at", LocalDateTime(), nullable=False),
    sa.Column("location", sa.String(200), nullable=False),
    sa.Column("plate", sa.String(16), nullable=False, server_default=""),
    sa.Column("level_db", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("lat", sa.Float),
    sa.Column("imported_by", sa.String(100), nullable=False),
    sa.Column("imported_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("captured_at", "location", "plate"),
)

# A dust monitor (point of kind dust) on a site.
dust_monitor = sa.Table(
    "dust_monitor",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), primary_key=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("construction_site.id"), nullable=False),
)

# Dust rules as versioned data: a change is a new version from a day on, the old one stays.
dust_rule = sa.Table(
    "dust_rule",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("metric", sa.String(16), nullable=False),
    sa.Column("window_min", sa.Integer, nullable=False),
    sa.Column("basis", sa.String(16), nullable=False),
    sa.Column("limit_value", sa.Float, nullable=False),
    sa.Column("allowed_per_day", sa.Integer, nullable=False),
    sa.Column("action", sa.String(200), nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("code", "version"),
    sa.CheckConstraint(_in("basis", tuple(DustBasis)), name="basis"),
    sa.CheckConstraint("window_min > 0 AND window_min <= 1440", name="window_min"),
    sa.CheckConstraint("allowed_per_day >= 0", name="allowed_per_day"),
)

# One inspection of a site against the ten dust rules: each item met or not.
dust_inspection = sa.Table(
    "dust_inspection",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.Integer, sa.ForeignKey("construction_site.id"), nullable=False),
    sa.Column("inspected_on", sa.Date, nullable=False),
    sa.Column("inspector", sa.String(100), nullable=False),
    sa.Column("checklist_version", sa.Integer, nullable=False),
    sa.Column("items", Json, nullable=False),  # {item key: true | false}
    sa.Column("remarks", sa.String(1000), nullable=False, server_default=""),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.Index(None, "site_id", "inspected_on"),
)

# A sewer point: a flow meter on an overflow pipe or a level gauge at a weir.
sewer_monitor = sa.Table(
    "sewer_monitor",
    metadata,
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("crest_m", sa.Float),
    sa.Column("weir_width_m", sa.Float),
    sa.Column("rain_point_id", sa.Integer, sa.ForeignKey("point.id")),
    sa.CheckConstraint(_in("role", tuple(SewerRole)), name="role"),
    sa.CheckConstraint("weir_width_m IS NULL OR weir_width_m > 0", name="weir_width_m"),
)

# Detected overflows, one per monitor and start; the volume with the method that gave it.
overflow_event = sa.Table(
    "overflow_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id"), nullable=False),
    sa.Column("start", LocalDateTime(), nullable=False),
    sa.Column("end", LocalDateTime(), nullable=False),
    sa.Column("peak", sa.Float, nullable=False),
    sa.Column("volume_m3", sa.Float),
    sa.Column("method", sa.String(8), nullable=False),
    sa.Column("rainfall_mm", sa.Float),
    sa.Column("detected_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("point_id", "start"),
    sa.CheckConstraint(_in("method", tuple(VolumeMethod)), name="method"),
)
