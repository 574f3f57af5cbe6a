"""Hazardous waste as plain data: the list's editions and entries, handlers and their licences,
storage facilities, ledger entries (HJ 1259-2022) and what the rules compute from them.

Quantities are tonnes (t), as the list, the ledger and the declaration state them; times of
the ledger are naive China Standard Time (ecozone.times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ecozone.errors import Invalid, NotFound


class WasteError(Invalid):
    """Bad input to a waste use case; the message says what is wrong and where."""


class WasteNotFound(NotFound):
    """No such enterprise, facility or handler that the caller may see."""


class Hazard(StrEnum):
    """国家危险废物名录 hazard properties (domain-2.md §3.2)."""

    TOXIC = "T"  # 毒性
    CORROSIVE = "C"  # 腐蚀性
    IGNITABLE = "I"  # 易燃性
    REACTIVE = "R"  # 反应性
    INFECTIOUS = "In"  # 感染性


@dataclass(frozen=True)
class ListEntry:
    code: str  # NNN-NNN-NN
    name: str
    hazard: tuple[Hazard, ...]

    @property
    def category(self) -> str:
        """HW + the code's last two digits (900-041-49 is HW49)."""
        return "HW" + self.code[-2:]


@dataclass(frozen=True)
class Edition:
    """One edition of 国家危险废物名录, in force from `in_force` until the next one."""

    edition: str  # "2021", "2025"
    title: str
    order: str
    in_force: date
    entries: tuple[ListEntry, ...]

    def entry(self, code: str) -> ListEntry | None:
        return next((e for e in self.entries if e.code == code), None)


class WasteKind(StrEnum):
    """What a ledger record holds, told by its code's form: NNN-NNN-NN is hazardous (名录),
    SWnn a category of general industrial solid waste (一般工业固体废物)."""

    HAZARDOUS = "hazardous"
    GENERAL = "general"


@dataclass(frozen=True)
class GeneralCategory:
    code: str  # SWnn
    name: str
    status: str  # UNCONFIRMED until checked against its source


@dataclass(frozen=True)
class GeneralList:
    """One version of the general industrial solid waste categories (data/general-*.yaml)."""

    version: str
    title: str
    in_force: date
    categories: tuple[GeneralCategory, ...]

    def category(self, code: str) -> GeneralCategory | None:
        return next((c for c in self.categories if c.code == code), None)


class EntryKind(StrEnum):
    """The ledger's records (HJ 1259-2022 ledger, domain-2.md §3.4)."""

    GENERATED = "generated"  # 产生
    STORED_IN = "stored_in"  # 入库
    STORED_OUT = "stored_out"  # 出库
    UTILISED = "utilised"  # 自行利用
    DISPOSED = "disposed"  # 自行处置
    TRANSFERRED = "transferred"  # 转移（委外利用处置）


#: Records that take waste into or out of a storage facility and so need one.
STORAGE_KINDS = (EntryKind.STORED_IN, EntryKind.STORED_OUT)
#: Records of own utilisation or disposal: an enterprise with them is 重点 (HJ 1259-2022).
OWN_HANDLING = (EntryKind.UTILISED, EntryKind.DISPOSED)


class ManagementClass(StrEnum):
    """HJ 1259-2022 management classes (domain-2.md §3.4)."""

    KEY = "key"  # 重点监管单位
    SIMPLIFIED = "simplified"  # 简化管理单位
    REGISTERED = "registered"  # 登记管理单位


class Period(StrEnum):
    """Declaration (申报) periods."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class HandlerKind(StrEnum):
    """Who takes waste from a generator (order 23: 承运人, 接受人)."""

    COLLECTOR = "collector"  # 收集
    TRANSPORTER = "transporter"  # 运输
    DISPOSER = "disposer"  # 利用处置


class FacilityKind(StrEnum):
    """GB 18597-2023 storage facilities; the facility names are (R), domain-2.md §3.3."""

    STORE = "store"  # 贮存库
    YARD = "yard"  # 贮存场
    POOL = "pool"  # 贮存池
    TANK = "tank"  # 贮存罐区
    SPOT = "spot"  # 贮存点 (small generators)


@dataclass(frozen=True)
class Handler:
    id: int
    name: str
    kind: HandlerKind
    licence_no: str
    codes: tuple[str, ...]  # licensed codes; a category "HW08" licenses all its codes
    capacity_t: float  # licensed capacity per year
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class Facility:
    id: int
    enterprise_id: int
    code: str
    name: str
    kind: FacilityKind
    capacity_t: float


@dataclass(frozen=True)
class Entry:
    """One ledger record; `facility_id` for storage records, `handler_id` for transfers."""

    kind: EntryKind
    at: datetime
    code: str
    quantity_t: float
    facility_id: int | None = None
    handler_id: int | None = None
    batch: str | None = None


@dataclass(frozen=True)
class Lot:
    """What is left in a facility of one code from one into-storage record (FIFO)."""

    facility_id: int
    code: str
    since: datetime
    quantity_t: float


@dataclass(frozen=True)
class Stock:
    """Stock of one code in one facility, and the age of its oldest lot."""

    facility_id: int
    code: str
    quantity_t: float
    oldest: datetime | None
    age_days: int | None


class AgeState(StrEnum):
    FINE = "fine"
    APPROACHING = "approaching"  # within the warning days of the limit
    OVER = "over"  # past the limit


@dataclass(frozen=True)
class Balance:
    """Mass balance of a period: generated = stock change + utilised + disposed + transferred
    (t); `gap` is what the ledger leaves unexplained."""

    generated: float
    stock_change: float
    utilised: float
    disposed: float
    transferred: float

    @property
    def gap(self) -> float:
        return self.generated - (
            self.stock_change + self.utilised + self.disposed + self.transferred
        )


class ManifestState(StrEnum):
    """A transfer manifest's states (危险废物转移管理办法, order 23)."""

    DRAFTED = "drafted"  # 填写
    DISPATCHED = "dispatched"  # 移出人确认交付（运行）
    IN_TRANSIT = "in_transit"  # 承运人运输中
    RECEIVED = "received"  # 接受人确认接收（数量、差异）
    UTILISED = "utilised"  # 利用
    DISPOSED = "disposed"  # 处置


class ManifestAction(StrEnum):
    DISPATCH = "dispatch"
    TRANSIT = "transit"
    RECEIVE = "receive"
    COMPLETE = "complete"


#: Which state each action starts from; `complete` ends in utilised or disposed.
ACTION_FROM = {
    ManifestAction.DISPATCH: ManifestState.DRAFTED,
    ManifestAction.TRANSIT: ManifestState.DISPATCHED,
    ManifestAction.RECEIVE: ManifestState.IN_TRANSIT,
    ManifestAction.COMPLETE: ManifestState.RECEIVED,
}
#: Actions of the receiver (接受人); the others are the consignor's (移出人).
RECEIVER_ACTIONS = (ManifestAction.RECEIVE, ManifestAction.COMPLETE)


@dataclass(frozen=True)
class WasteSettings:
    """What the reference leaves to local practice or marks UNCONFIRMED (domain-2.md §3.3–3.4):
    the storage-age limit (固废法 art. 81 binds 经营单位; a year for every generator is local
    practice) and its warning, the management-class thresholds (HJ 1259-2022, (C)) and the
    mass-balance tolerance."""

    storage_limit_days: int = 365
    storage_warning_days: int = 35  # warn from day 330, as the reference recommends
    key_t_per_year: float = 100.0
    simplified_t_per_year: float = 10.0
    balance_tolerance_t: float = 0.01
    # Order 23 (R): the receiver confirms within 5 working days; a received quantity differing
    # from the dispatched one by more than this share is a major difference to report
    # (the share is UNCONFIRMED); the form number's province and city digits (R).
    confirm_working_days: int = 5
    receipt_tolerance: float = 0.05
    manifest_area: str = "5000"
    # HJ 1259-2022 declarations: the annual one by 31 March of the next year (C); the day of
    # the month after a month or a quarter by which its declaration is due is UNCONFIRMED
    # (domain-2.md §3.4: "e.g. by the 15th"), as is how many days before a deadline the
    # "declaration due" reminder is raised.
    monthly_due_day: int = 15
    quarterly_due_day: int = 15
    declaration_warning_days: int = 10
    # Vehicle GPS tracks of a carrier leg (order 23 asks for the actual route; the thresholds
    # are nowhere in the reference, all UNCONFIRMED): a point farther than the corridor from
    # the declared route, for at least so many minutes, is a deviation; a vehicle staying
    # within the stop radius for longer than the stop minutes, farther than the end radius
    # from the consignor, the receiver and the route's ends, is a long stop.
    route_corridor_m: float = 500.0
    route_deviation_minutes: float = 5.0
    stop_radius_m: float = 100.0
    stop_minutes: float = 30.0
    stop_end_radius_m: float = 500.0


class DeclarationState(StrEnum):
    FILED = "filed"
    OPEN = "open"  # ended, due later than the warning window
    DUE = "due"  # within the warning days of its deadline
    LATE = "late"  # past its deadline and not filed



@dataclass(frozen=True)
class DeclarationPeriod:
    """One period a declaration covers: [start, end) in CST days, its label ("2026-01",
    "2026-Q1", "2026") and the day by which it is due."""

    period: Period
    label: str
    start: date
    end: date
    due: date
