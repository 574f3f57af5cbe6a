"""The waste tables (HJ 1259-2022 ledger, handlers, storage facilities), declared on
schema.metadata like every table and re-exported by schema.py, which would otherwise pass the
800-line limit. Alembic reads them through schema.metadata.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import Json, UtcDateTime, _in, metadata
from ecozone.waste.model import (
    EntryKind,
    FacilityKind,
    HandlerKind,
    ManagementClass,
    ManifestState,
    Period,
)

# --- waste: hazardous waste handlers, storage facilities and the ledger (HJ 1259-2022) -------

# Collectors, transporters and disposers with their licence (order 23 receivers and carriers);
# `enterprise_id` when the holder is a registered enterprise (it is then 重点).
waste_handler = sa.Table(
    "waste_handler",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("licence_no", sa.String(64), nullable=False, unique=True),
    sa.Column("codes", Json, nullable=False),  # ["900-041-49", "HW08", ...]
    sa.Column("capacity_t", sa.Float, nullable=False),  # licensed tonnes a year
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_to", sa.Date, nullable=False),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id")),
    sa.CheckConstraint(_in("kind", tuple(HandlerKind)), name="kind"),
    sa.CheckConstraint("capacity_t > 0", name="capacity"),
    sa.CheckConstraint("valid_from <= valid_to", name="validity"),
)

# An enterprise's storage facilities (GB 18597-2023) with their capacity in tonnes.
waste_facility = sa.Table(
    "waste_facility",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("capacity_t", sa.Float, nullable=False),
    sa.UniqueConstraint("enterprise_id", "code"),
    sa.CheckConstraint(_in("kind", tuple(FacilityKind)), name="kind"),
    sa.CheckConstraint("capacity_t > 0", name="capacity"),
)

# A generator's management class set by the bureau over the one computed from its ledger.
waste_generator = sa.Table(
    "waste_generator",
    metadata,
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("class_override", sa.String(12), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.CheckConstraint(_in("class_override", tuple(ManagementClass)), name="class_override"),
)

# The ledger: one row per record; stock is computed from it, never typed in. `at` is naive
# China Standard Time; `edition` is the list edition the code was checked against.
waste_entry = sa.Table(
    "waste_entry",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("code", sa.String(10), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("edition", sa.String(4), nullable=False),
    sa.Column("quantity_t", sa.Float, nullable=False),
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("waste_facility.id")),
    sa.Column("handler_id", sa.Integer, sa.ForeignKey("waste_handler.id")),
    sa.Column("batch", sa.String(64)),
    sa.Column("container", sa.String(100)),
    sa.Column("manifest_no", sa.String(14)),  # the transfer's manifest, when it made the row
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.CheckConstraint(_in("kind", tuple(EntryKind)), name="kind"),
    sa.CheckConstraint("quantity_t > 0", name="quantity"),
    sa.Index(None, "enterprise_id", "at"),
    sa.Index(None, "facility_id", "code", "at"),
    sa.Index(None, "handler_id", "at"),
)

# Collection points for small and micro generators (plan item 18; GB 18597-2023 贮存点 rules
# are UNCONFIRMED): a licensed collector's point, its clients, and its collection runs, whose
# manifests (one per consignor, order 23) carry the run's id.
waste_collection_point = sa.Table(
    "waste_collection_point",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("handler_id", sa.Integer, sa.ForeignKey("waste_handler.id"), nullable=False),
    sa.Column("address", sa.String(300)),
    sa.Column("capacity_t", sa.Float, nullable=False),
    sa.CheckConstraint("capacity_t > 0", name="capacity"),
)

waste_point_client = sa.Table(
    "waste_point_client",
    metadata,
    sa.Column(
        "point_id", sa.Integer, sa.ForeignKey("waste_collection_point.id"), primary_key=True
    ),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
)

waste_collection_run = sa.Table(
    "waste_collection_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("waste_collection_point.id"), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("vehicle_plate", sa.String(16), nullable=False),
    sa.Column("driver", sa.String(50), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

# Transfer manifests (order 23): the consignor's part at drafting, the carrier's at dispatch,
# the receiver's at receipt. `arrived_at` is naive CST; the other instants are UTC.
waste_manifest = sa.Table(
    "waste_manifest",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(14), nullable=False, unique=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("handler_id", sa.Integer, sa.ForeignKey("waste_handler.id"), nullable=False),
    sa.Column("carrier_id", sa.Integer, sa.ForeignKey("waste_handler.id")),
    sa.Column("facility_id", sa.Integer, sa.ForeignKey("waste_facility.id")),
    sa.Column("code", sa.String(10), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("edition", sa.String(4), nullable=False),
    sa.Column("quantity_t", sa.Float, nullable=False),
    sa.Column("packaging", sa.String(100)),
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("vehicle_plate", sa.String(16)),
    sa.Column("driver", sa.String(50)),
    sa.Column("route", sa.String(500)),
    sa.Column("drafted_by", sa.String(100), nullable=False),
    sa.Column("drafted_at", UtcDateTime(), nullable=False),
    sa.Column("dispatched_at", UtcDateTime()),
    sa.Column("in_transit_at", UtcDateTime()),
    sa.Column("arrived_at", sa.DateTime),
    sa.Column("received_t", sa.Float),
    sa.Column("difference_note", sa.String(500)),
    sa.Column("confirm_due", sa.Date),
    sa.Column("confirmed_at", UtcDateTime()),
    sa.Column("confirmed_late", sa.Boolean),
    sa.Column("completed_at", UtcDateTime()),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("waste_collection_run.id")),
    sa.CheckConstraint(_in("state", tuple(ManifestState)), name="state"),
    sa.CheckConstraint("quantity_t > 0", name="quantity"),
    sa.Index(None, "enterprise_id", "drafted_at"),
    sa.Index(None, "handler_id", "state"),
)

# Declarations filed (HJ 1259-2022 申报): one per enterprise, period kind and label, with the
# figures of the ledger's declaration table for [start, end) as they were when filed. Rows are
# only inserted: a filed declaration is never changed.
waste_declaration = sa.Table(
    "waste_declaration",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("period", sa.String(10), nullable=False),
    sa.Column("label", sa.String(7), nullable=False),  # 2025, 2025-Q1, 2025-01
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date, nullable=False),
    sa.Column("due", sa.Date, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    sa.Column("rows", Json, nullable=False),
    sa.Column("filed_by", sa.String(100), nullable=False),
    sa.Column("filed_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("enterprise_id", "period", "label"),
    sa.CheckConstraint(_in("period", tuple(Period)), name="period"),
)

# The carrier leg of a manifest (order 23 Part 2: its vehicle and actual route): the declared
# route as WGS-84 waypoints [[lon, lat], ...], replaced as a whole when declared again.
waste_route = sa.Table(
    "waste_route",
    metadata,
    sa.Column("manifest_id", sa.Integer, sa.ForeignKey("waste_manifest.id"), primary_key=True),
    sa.Column("waypoints", Json, nullable=False),
    sa.Column("set_by", sa.String(100), nullable=False),
    sa.Column("set_at", UtcDateTime(), nullable=False),
)

# Its vehicle's GPS track: one row per point, keyed by (manifest, time) so that a batch sent
# again adds nothing; times naive CST as devices send them.
waste_track_point = sa.Table(
    "waste_track_point",
    metadata,
    sa.Column("manifest_id", sa.Integer, sa.ForeignKey("waste_manifest.id"), primary_key=True),
    sa.Column("at", sa.DateTime, primary_key=True),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("speed_kmh", sa.Float),
    sa.CheckConstraint("lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90", name="position"),
)
