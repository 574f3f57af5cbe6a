"""The ledger's column type for exact quantities and prices on both engines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa


class Exact(sa.TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC(precision, scale) on PostgreSQL. SQLite has no exact decimal
    (its NUMERIC keeps a float, and SQLAlchemy binds through float), so there the column holds
    the whole number of 10^-scale units -- 12.5 t as 125000 at scale 4 -- which SQLite stores
    and sums exactly as a 64-bit integer. Values finer than the scale are refused."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale, asdecimal=True)
        self.units = scale

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        scaled = Decimal(value).scaleb(self.units)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.units} decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value
        return Decimal(int(value)).scaleb(-self.units)
