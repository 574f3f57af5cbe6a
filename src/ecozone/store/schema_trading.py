"""The ledger tables (ecozone.trading): accounts, trades, the journal and verified
emissions, declared on store.schema's metadata and re-exported by it, so
`from ecozone.store.schema import trading_line` works like any other table.

Quantities and prices are exact decimals on both engines (trading.types.Exact: NUMERIC on
PostgreSQL, whole 10^-scale units on SQLite). The journal (trading_txn, trading_line) is
append-only: the migration adds triggers refusing UPDATE and DELETE on both engines, and
the code has no path for either.
"""

from __future__ import annotations

import sqlalchemy as sa

from ecozone.store.schema import BigId, Json, UtcDateTime, _in, metadata
from ecozone.trading.model import AccountKind, Market, TradeState, TxnKind
from ecozone.trading.types import Exact

MARKETS = tuple(Market)


Quantity = Exact(18, 4)
Price = Exact(14, 2)

# One account holds one unit (market, instrument, vintage); `key` names it uniquely, as
# "carbon:enterprise:12:CQEA:2025" or "discharge:issuer:-:w01018:2025".
trading_account = sa.Table(
    "trading_account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(80), nullable=False, unique=True),
    sa.Column("market", sa.String(12), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id")),  # NULL: system
    sa.Column("instrument", sa.String(16), nullable=False),  # CQEA, or a pollutant code
    sa.Column("vintage", sa.Integer, nullable=False),  # compliance year / year of issue
    sa.Column("expires_on", sa.Date),  # discharge rights: last valid day
    sa.Column("created_at", UtcDateTime(), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint(_in("market", MARKETS), name="market"),
    sa.CheckConstraint(_in("kind", tuple(AccountKind)), name="kind"),
    sa.CheckConstraint("(kind = 'enterprise') = (enterprise_id IS NOT NULL)", name="owner"),
    sa.Index(None, "enterprise_id", "market"),
)

trading_trade = sa.Table(
    "trading_trade",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("market", sa.String(12), nullable=False),
    sa.Column("instrument", sa.String(16), nullable=False),
    sa.Column("vintage", sa.Integer, nullable=False),
    sa.Column("seller_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("buyer_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("quantity", Quantity, nullable=False),
    sa.Column("price", Price, nullable=False),  # yuan per unit
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("note", sa.String(500), nullable=False, server_default=""),
    sa.Column("offered_by", sa.String(100), nullable=False),
    sa.Column("offered_at", UtcDateTime(), nullable=False),
    sa.Column("accepted_by", sa.String(100)),
    sa.Column("accepted_at", UtcDateTime()),
    sa.Column("decided_by", sa.String(100)),  # who approved, rejected, declined or withdrew
    sa.Column("decided_at", UtcDateTime()),
    sa.Column("decision", sa.String(500)),
    sa.CheckConstraint(_in("market", MARKETS), name="market"),
    sa.CheckConstraint(_in("state", tuple(TradeState)), name="state"),
    sa.CheckConstraint("quantity > 0 AND price > 0", name="positive"),
    sa.CheckConstraint("seller_id <> buyer_id", name="parties"),
    sa.Index(None, "seller_id", "state"),
    sa.Index(None, "buyer_id", "state"),
    sa.Index(None, "market", "state", "decided_at"),
)

# The journal: one row per transaction with who, when and why, and its lines.
trading_txn = sa.Table(
    "trading_txn",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("market", sa.String(12), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("reverses_id", BigId, sa.ForeignKey("trading_txn.id"), unique=True),
    sa.Column("trade_id", sa.Integer, sa.ForeignKey("trading_trade.id"), unique=True),
    sa.Column("compliance_year", sa.Integer),  # surrenders: the year they count for
    sa.Column("detail", Json),
    sa.CheckConstraint(_in("kind", tuple(TxnKind)), name="kind"),
    sa.CheckConstraint(_in("market", MARKETS), name="market"),
    sa.Index(None, "market", "at"),
)

trading_line = sa.Table(
    "trading_line",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("txn_id", BigId, sa.ForeignKey("trading_txn.id"), nullable=False),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("trading_account.id"), nullable=False),
    sa.Column("quantity", Quantity, nullable=False),  # + credit, - debit
    sa.CheckConstraint("quantity <> 0", name="nonzero"),
    sa.UniqueConstraint("txn_id", "account_id"),
    sa.Index(None, "account_id", "txn_id"),
)

# Verified emissions (核查排放量) entered by staff: the figure surrenders are checked against.
trading_verified = sa.Table(
    "trading_verified",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("enterprise_id", sa.Integer, sa.ForeignKey("enterprise.id"), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("emissions_t", Quantity, nullable=False),  # tCO2e
    sa.Column("verifier", sa.String(200), nullable=False),
    sa.Column("verified_on", sa.Date, nullable=False),
    sa.Column("entered_by", sa.String(100), nullable=False),
    sa.Column("entered_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("enterprise_id", "year"),
    sa.CheckConstraint("emissions_t >= 0", name="emissions_t"),
)
