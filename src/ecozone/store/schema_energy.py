"""The energy tables (ecozone.energy): meters, monthly statistics, output, targets, district
statistics and forest sinks, declared on store.schema's metadata and re-exported by it, so
`from ecozone.store.schema import energy_month` works like any other table.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.energy.model import Carrier, StatSource
from ecozone.store.schema import UtcDateTime, _in, metadata

# A meter of one energy carrier; where a point's HJ 212 channel carries its readings, the
# readings stay in `measurement` (minute = real-time indicator, day = daily total, cou).
energy_meter = sa.Table(
    "energy_meter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("carrier", sa.String(16), nullable=False),
    sa.Column("point_id", sa.Integer, sa.ForeignKey("point.id")),
    sa.Column("channel", sa.String(16)),  # the HJ 212 code at the point
    sa.UniqueConstraint("enterprise_id", "code"),
    sa.CheckConstraint(_in("carrier", tuple(Carrier)), name="carrier"),
    sa.CheckConstraint("(point_id IS NULL) = (channel IS NULL)", name="channel"),
)

# The monthly statistics of an enterprise: one amount per carrier and month, in the
# carrier's canonical unit (energy.model.UNITS); a measured NCV where the fuel has one.
energy_month = sa.Table(
    "energy_month",
    metadata,
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),  # first day of the month
    sa.Column("carrier", sa.String(16), primary_key=True),
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("ncv_gj", sa.Float),
    sa.Column("source", sa.String(8), nullable=False),
    sa.Column("entered_by", sa.String(100), nullable=False),
    sa.Column("entered_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("carrier", tuple(Carrier)), name="carrier"),
    sa.CheckConstraint(_in("source", tuple(StatSource)), name="source"),
    sa.CheckConstraint("amount >= 0", name="amount"),
    sa.Index(None, "month"),
)

# Value added and product output of a month (the denominators of dual control).
energy_output = sa.Table(
    "energy_output",
    metadata,
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("value_added_10k_yuan", sa.Float),
    sa.Column("product", sa.String(100)),
    sa.Column("product_amount", sa.Float),
    sa.Column("product_unit", sa.String(16)),
    sa.Column("entered_by", sa.String(100), nullable=False),
)

# An enterprise's yearly dual-control targets, entered by staff.
energy_target = sa.Table(
    "energy_target",
    metadata,
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("total_tce", sa.Float),  # total-consumption cap
    sa.Column("tce_per_10k_yuan", sa.Float),  # energy per unit of value added
    sa.Column("tce_per_product", sa.Float),  # energy per unit of product
    sa.Column("entered_by", sa.String(100), nullable=False),
)

# A district's year: GDP and its energy use (staff-entered statistics) and the district's
# target for energy per unit of industrial value added; the plan's item-1 indicator.
district_energy = sa.Table(
    "district_energy",
    metadata,
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("gdp_10k_yuan", sa.Float),
    sa.Column("gdp_energy_tce", sa.Float),
    sa.Column("industrial_target_tce_per_10k_yuan", sa.Float),
    sa.Column("entered_by", sa.String(100), nullable=False),
)

# Forest carbon-sink projects for the zone's balance view.
forest_sink = sa.Table(
    "forest_sink",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("district_id", sa.Integer, sa.ForeignKey("district.id")),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("area_ha", sa.Float, nullable=False),
    sa.Column("species", sa.String(200), nullable=False),
    sa.Column("annual_t_co2", sa.Float, nullable=False),
    sa.Column("method_source", sa.String(500), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("area_ha > 0", name="area"),
    sa.CheckConstraint("annual_t_co2 >= 0", name="sequestration"),
)
