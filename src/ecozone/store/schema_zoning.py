"""Tables of zoning and risk: `declare` puts them on store.schema's one `metadata`, called at
the end of store/schema.py (which keeps that file under the length limit) with its column
types; import the tables from ecozone.store.schema.

Layers are versioned by the date they are in force from; a feature's geometry is WKB with its
bounding box beside it, so a point check reads only the features whose box holds the point
(no PostGIS needed, the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ecozone.zoning.model import (
    IncidentState,
    LayerKind,
    ResourceKind,
    RiskLevel,
    SoilStatus,
    SourceKind,
)

#: What a soil site's history records.
SOIL_EVENT_KINDS = ("listed", "status", "land_use", "document")


def declare(
    metadata: sa.MetaData, *, Json: Any, UtcDateTime: Any, LocalDateTime: Any, BigId: Any,
    _in: Any,
) -> tuple[sa.Table, ...]:  # fmt: skip
    """The tables on `metadata`, with store.schema's column types and CHECK helper."""
    # One imported layer: the version in force on a date is the newest valid_from on or before it.
    layer_version = sa.Table(
        "layer_version",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),  # file name or a note
        sa.Column("feature_count", sa.Integer, nullable=False),
        # Widest feature in longitude: a point check reads min_lon in [lon - span, lon] only.
        sa.Column("max_span_deg", sa.Float, nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_in("kind", tuple(LayerKind)), name="kind"),
        sa.UniqueConstraint("kind", "valid_from"),
    )

    # Its features: geometry as WKB, with the bounding box for the prefilter of a point check.
    layer_feature = sa.Table(
        "layer_feature",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("layer_version.id"), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("geometry", sa.LargeBinary, nullable=False),
        sa.Column("properties", Json, nullable=False),
        sa.Column("area_m2", sa.Float),  # geodesic, polygons only
        sa.Column("min_lon", sa.Float, nullable=False),
        sa.Column("min_lat", sa.Float, nullable=False),
        sa.Column("max_lon", sa.Float, nullable=False),
        sa.Column("max_lat", sa.Float, nullable=False),
        sa.UniqueConstraint("version_id", "key"),
        sa.Index(None, "version_id", "min_lon", "max_lon"),
    )

    # 建设用地土壤污染风险管控和修复名录: one row per site, its history in soil_site_event.
    soil_site = sa.Table(
        "soil_site",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(50), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),  # 土地使用权人
        sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
        sa.Column("address", sa.String(300)),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("area_m2", sa.Float, nullable=False),
        sa.Column("pollutants", Json, nullable=False),
        sa.Column("land_use", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("listed_on", sa.Date, nullable=False),
        sa.Column("status_since", sa.Date, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_in("status", tuple(SoilStatus)), name="status"),
        sa.CheckConstraint("area_m2 > 0", name="area_m2"),
    )

    soil_site_event = sa.Table(
        "soil_site_event",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("site_id", sa.Integer, sa.ForeignKey("soil_site.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("before", sa.String(100)),
        sa.Column("after", sa.String(100)),
        sa.Column("flagged", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.String(1000)),
        sa.Column("file_sha256", sa.String(64), sa.ForeignKey("stored_file.sha256")),
        sa.Column("file_name", sa.String(200)),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_in("kind", SOIL_EVENT_KINDS), name="kind"),
    )

    risk_source = sa.Table(
        "risk_source",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id")),
        sa.Column("risk_level", sa.String(16), nullable=False),
        sa.Column("substances", Json, nullable=False),  # [{name, quantity_t}]
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint(_in("kind", tuple(SourceKind)), name="kind"),
        sa.CheckConstraint(_in("risk_level", tuple(RiskLevel)), name="risk_level"),
    )

    emergency_plan = sa.Table(
        "emergency_plan",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("risk_source_id", sa.Integer, sa.ForeignKey("risk_source.id")),
        sa.Column("filing_no", sa.String(100), nullable=False),  # 备案编号
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint("filed_on < valid_until", name="validity"),
    )

    emergency_drill = sa.Table(
        "emergency_drill",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("emergency_plan.id"), nullable=False, index=True
        ),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("scenario", sa.String(300), nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
        sa.Column("findings", sa.String(1000)),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint("participants > 0", name="participants"),
    )

    emergency_resource = sa.Table(
        "emergency_resource",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("contact", sa.String(100)),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint(_in("kind", tuple(ResourceKind)), name="kind"),
        sa.CheckConstraint("quantity >= 0", name="quantity"),
    )

    incident = sa.Table(
        "incident",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", LocalDateTime(), nullable=False),  # CST wall clock
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("risk_source_id", sa.Integer, sa.ForeignKey("risk_source.id")),
        sa.Column("alert_id", BigId, sa.ForeignKey("alert.id")),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("closed_at", LocalDateTime()),
        sa.Column("closure", sa.String(1000)),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.CheckConstraint(_in("state", tuple(IncidentState)), name="state"),
    )

    incident_action = sa.Table(
        "incident_action",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=False, index=True
        ),
        sa.Column("at", LocalDateTime(), nullable=False),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    return (
        layer_version,
        layer_feature,
        soil_site,
        soil_site_event,
        risk_source,
        emergency_plan,
        emergency_drill,
        emergency_resource,
        incident,
        incident_action,
    )
