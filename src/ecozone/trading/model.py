"""The ledger's plain data: markets, accounts, journal transactions and their lines, trades,
verified emissions and compliance positions. No I/O.

One design serves both markets: an account holds exactly one *unit* (market, instrument,
vintage) -- the carbon allowance CQEA of a compliance year, or the discharge right of one
pollutant issued in a year -- and every journal transaction moves units between accounts
with lines that sum to zero per unit. Quantities are exact decimals (Decimal), never floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ecozone.errors import Conflict, Invalid, NotFound


class TradingError(Invalid):
    """Bad input to a ledger use case; the message says what is wrong. Nothing was posted."""


class Overdraft(Conflict):
    """The movement would take an enterprise account below zero; nothing was posted."""


class StateError(Conflict):
    """The trade or transaction is not in a state that allows this step."""


class LedgerNotFound(NotFound):
    """No such account, trade or transaction that the caller may see."""


class Market(StrEnum):
    CARBON = "carbon"  # 重庆碳排放权交易 (渝府发〔2023〕6号)
    DISCHARGE = "discharge"  # 排污权 (渝府办发〔2014〕178号)


class AccountKind(StrEnum):
    """Who an account belongs to: an enterprise, or the market's system accounts."""

    ENTERPRISE = "enterprise"
    ISSUER = "issuer"  # 分配账户: where allocations come from (its balance is minus the issued)
    RETIREMENT = "retirement"  # 注销账户: surrendered and expired units end here
    RESERVE = "reserve"  # 市场储备: units held back by the authority


SYSTEM_KINDS = (AccountKind.ISSUER, AccountKind.RETIREMENT, AccountKind.RESERVE)


class TxnKind(StrEnum):
    ALLOCATION = "allocation"  # 初始分配 (or from the reserve)
    TRADE = "trade"  # 交易 between two enterprise accounts
    SURRENDER = "surrender"  # 清缴 against verified emissions
    EXPIRY = "expiry"  # 到期注销 at the end of the validity
    REVERSAL = "reversal"  # 冲正: the one correction; the journal is never changed


class TradeState(StrEnum):
    """A bilateral trade (协议转让): the seller offers, the buyer accepts, staff approve."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    APPROVED = "approved"  # settled: its journal transaction is posted
    DECLINED = "declined"  # by the buyer
    WITHDRAWN = "withdrawn"  # by the seller, before approval
    REJECTED = "rejected"  # by staff


class TradeStep(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    REJECT = "reject"


#: Carbon allowances of the Chongqing market (重庆碳排放配额), in tCO2e.
CARBON_INSTRUMENT = "CQEA"
#: Discharge-rights pollutants of the national pilot (domain-2.md §11), HJ 212-2017 codes.
DISCHARGE_POLLUTANTS = {"w01018": "COD", "w21003": "NH3-N", "a21026": "SO2", "a21002": "NOx"}
UNITS = {Market.CARBON: "tCO2e", Market.DISCHARGE: "t/a"}
#: Quantities are kept to 0.0001 (0.1 kg of a right in t/a; 0.1 kg of CO2e); prices to 0.01 ¥.
QUANTITY_PLACES = Decimal("0.0001")
PRICE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    """What an account holds: fungible within one unit, never across units."""

    market: Market
    instrument: str
    vintage: int


@dataclass(frozen=True)
class Account:
    id: int
    market: Market
    kind: AccountKind
    enterprise_id: int | None
    instrument: str
    vintage: int
    expires_on: date | None
    enterprise: str | None = None
    balance: Decimal = Decimal(0)

    @property
    def unit(self) -> Unit:
        return Unit(self.market, self.instrument, self.vintage)


@dataclass(frozen=True)
class Line:
    """One side of a movement: + credits the account, - debits it."""

    account_id: int
    quantity: Decimal


@dataclass(frozen=True)
class Transaction:
    id: int
    kind: TxnKind
    market: Market
    at: datetime
    actor: str
    reason: str
    lines: tuple[Line, ...]
    reverses_id: int | None = None
    trade_id: int | None = None
    compliance_year: int | None = None


@dataclass(frozen=True)
class CarbonPosition:
    """An enterprise's carbon compliance for one year (rules.carbon_position)."""

    year: int
    verified_t: Decimal | None
    surrendered_t: Decimal
    usable_t: Decimal  # held allowances of vintages up to the year
    deadline: date

    @property
    def outstanding_t(self) -> Decimal:
        if self.verified_t is None:
            return Decimal(0)
        return max(Decimal(0), self.verified_t - self.surrendered_t)

    @property
    def shortfall_t(self) -> Decimal:
        return max(Decimal(0), self.outstanding_t - self.usable_t)


@dataclass(frozen=True)
class DischargePosition:
    """Rights held and valid on a day against the permit's permitted annual amount."""

    pollutant: str
    permitted_t: Decimal
    held_t: Decimal

    @property
    def shortfall_t(self) -> Decimal:
        return max(Decimal(0), self.permitted_t - self.held_t)


@dataclass(frozen=True)
class BasePrice:
    """A reference price (基准价) as versioned data: which edition, from when, which source."""

    market: Market
    instrument: str
    yuan_per_unit: Decimal
    valid_from: date
    edition: str
    source: str


@dataclass(frozen=True)
class TradingSettings:
    """What the reference leaves UNCONFIRMED or (R), set in config.trading_settings:
    the carbon surrender deadline (month, day of the year after the compliance year), how
    many days ahead a shortfall warns, and the discharge-rights validity in years
    (domain-2.md §11: 5 years "in principle", (C))."""

    surrender_month: int = 12
    surrender_day: int = 31
    warn_days: int = 60
    discharge_validity_years: int = 5
