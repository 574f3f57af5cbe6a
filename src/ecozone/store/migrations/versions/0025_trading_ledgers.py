"""trading: carbon-allowance and discharge-rights ledgers (accounts, trades, an append-only
double-entry journal, verified emissions)

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-03

The journal tables get triggers refusing UPDATE and DELETE, on SQLite and on PostgreSQL:
a correction is a reversing entry, never a change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
JOURNAL = ("trading_txn", "trading_line")


def exact(precision: int, scale: int) -> sa.types.TypeEngine:
    """Exact decimals: NUMERIC on PostgreSQL; on SQLite, which has none, the whole number of
    10^-scale units as a 64-bit integer (ecozone.trading.types.Exact reads and writes it)."""
    return sa.Numeric(precision=precision, scale=scale).with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trading_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("market", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(kind = 'enterprise') = (enterprise_id IS NOT NULL)",
            name=op.f("ck_trading_account_owner"),
        ),
        sa.CheckConstraint(
            "kind IN ('enterprise', 'issuer', 'retirement', 'reserve')",
            name=op.f("ck_trading_account_kind"),
        ),
        sa.CheckConstraint(
            "market IN ('carbon', 'discharge')", name=op.f("ck_trading_account_market")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_trading_account_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_account")),
        sa.UniqueConstraint("key", name=op.f("uq_trading_account_key")),
    )
    with op.batch_alter_table("trading_account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_account_enterprise_id_market"),
            ["enterprise_id", "market"],
            unique=False,
        )

    op.create_table(
        "trading_trade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=12), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("quantity", exact(18, 4), nullable=False),
        sa.Column("price", exact(14, 2), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.Column("offered_by", sa.String(length=100), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.String(length=100), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "market IN ('carbon', 'discharge')", name=op.f("ck_trading_trade_market")
        ),
        sa.CheckConstraint(
            "state IN ('offered', 'accepted', 'approved', 'declined', 'withdrawn', 'rejected')",
            name=op.f("ck_trading_trade_state"),
        ),
        sa.CheckConstraint("quantity > 0 AND price > 0", name=op.f("ck_trading_trade_positive")),
        sa.CheckConstraint("seller_id <> buyer_id", name=op.f("ck_trading_trade_parties")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["enterprise.id"], name=op.f("fk_trading_trade_buyer_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["enterprise.id"], name=op.f("fk_trading_trade_seller_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_trade")),
    )
    with op.batch_alter_table("trading_trade", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_trade_buyer_id_state"), ["buyer_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trading_trade_market_state_decided_at"),
            ["market", "state", "decided_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_trading_trade_seller_id_state"), ["seller_id", "state"], unique=False
        )

    op.create_table(
        "trading_verified",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("emissions_t", exact(18, 4), nullable=False),
        sa.Column("verifier", sa.String(length=200), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("emissions_t >= 0", name=op.f("ck_trading_verified_emissions_t")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_trading_verified_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_verified")),
        sa.UniqueConstraint(
            "enterprise_id", "year", name=op.f("uq_trading_verified_enterprise_id_year")
        ),
    )
    op.create_table(
        "trading_txn",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("market", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("reverses_id", BigId, nullable=True),
        sa.Column("trade_id", sa.Integer(), nullable=True),
        sa.Column("compliance_year", sa.Integer(), nullable=True),
        sa.Column("detail", Json, nullable=True),
        sa.CheckConstraint(
            "kind IN ('allocation', 'trade', 'surrender', 'expiry', 'reversal')",
            name=op.f("ck_trading_txn_kind"),
        ),
        sa.CheckConstraint("market IN ('carbon', 'discharge')", name=op.f("ck_trading_txn_market")),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["trading_txn.id"], name=op.f("fk_trading_txn_reverses_id_trading_txn")
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trading_trade.id"], name=op.f("fk_trading_txn_trade_id_trading_trade")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_txn")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_trading_txn_reverses_id")),
        sa.UniqueConstraint("trade_id", name=op.f("uq_trading_txn_trade_id")),
    )
    with op.batch_alter_table("trading_txn", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_txn_market_at"), ["market", "at"], unique=False
        )

    op.create_table(
        "trading_line",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("txn_id", BigId, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("quantity", exact(18, 4), nullable=False),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_trading_line_nonzero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["trading_account.id"],
            name=op.f("fk_trading_line_account_id_trading_account"),
        ),
        sa.ForeignKeyConstraint(
            ["txn_id"], ["trading_txn.id"], name=op.f("fk_trading_line_txn_id_trading_txn")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_line")),
        sa.UniqueConstraint("txn_id", "account_id", name=op.f("uq_trading_line_txn_id_account_id")),
    )
    with op.batch_alter_table("trading_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trading_line_account_id_txn_id"), ["account_id", "txn_id"], unique=False
        )

    _append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("trading_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_line_account_id_txn_id"))

    op.drop_table("trading_line")
    with op.batch_alter_table("trading_txn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_txn_market_at"))

    op.drop_table("trading_txn")
    op.drop_table("trading_verified")
    with op.batch_alter_table("trading_trade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_trade_seller_id_state"))
        batch_op.drop_index(batch_op.f("ix_trading_trade_market_state_decided_at"))
        batch_op.drop_index(batch_op.f("ix_trading_trade_buyer_id_state"))

    op.drop_table("trading_trade")
    with op.batch_alter_table("trading_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_account_enterprise_id_market"))

    op.drop_table("trading_account")


def _append_only() -> None:
    """Refuse UPDATE and DELETE on the journal in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION trading_journal_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the trading journal is append-only: post a reversal instead'; "
            "END; $$ LANGUAGE plpgsql"
        )
        for table in JOURNAL:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION trading_journal_append_only()"
            )
        return
    for table in JOURNAL:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                "SELECT RAISE(ABORT, 'the trading journal is append-only: post a reversal "
                "instead'); END"
            )


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in JOURNAL:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION trading_journal_append_only()")
        return
    for table in JOURNAL:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER {table}_no_{verb}")
