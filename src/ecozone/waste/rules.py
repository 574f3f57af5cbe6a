"""The hazardous-waste rules as pure functions: the list's code format and the edition in force
on a record's date (国家危险废物名录 2021 and 2025), HJ 1259-2022 management classes and their
declaration periods, stock and storage age from the ledger (FIFO lots), the storage-age limit,
the mass balance, and whether a handler's licence covers a transfer.

No clock, no settings, no I/O: callers pass the day, the settings and the records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ecozone.waste.model import (
    ACTION_FROM,
    OWN_HANDLING,
    AgeState,
    Balance,
    DeclarationPeriod,
    DeclarationState,
    Edition,
    Entry,
    EntryKind,
    GeneralCategory,
    GeneralList,
    Handler,
    Hazard,
    ListEntry,
    Lot,
    ManagementClass,
    ManifestAction,
    ManifestState,
    Period,
    Stock,
    WasteError,
    WasteKind,
    WasteSettings,
)

CODE = re.compile(r"^\d{3}-\d{3}-\d{2}$")
#: Identified hazardous waste not in the list: 900-000-XX (domain-2.md §3.2).
UNLISTED = re.compile(r"^900-000-\d{2}$")
#: Quantities are kept to the kilogram.
EPSILON_T = 0.0005


# --- the list -----------------------------------------------------------------------------


def check_code(code: str) -> str:
    """`code` when it has the list's form NNN-NNN-NN (名录 编码规则); else WasteError."""
    text = code.strip()
    if not CODE.fullmatch(text):
        raise WasteError(f"废物代码“{code}”格式不对，应为 NNN-NNN-NN，例如 900-041-49")
    return text


def category(code: str) -> str:
    """The category of a code: HW + its last two digits (900-041-49 is HW49)."""
    return "HW" + check_code(code)[-2:]


def parse_edition(doc: Mapping[str, Any]) -> Edition:
    """An edition from its data file (data/list-YYYY.yaml); every entry's code checked."""
    entries = []
    for item in doc["entries"]:
        code = check_code(str(item["code"]))
        entries.append(ListEntry(code, str(item["name"]),
                                 tuple(Hazard(h) for h in item.get("hazard", ()))))  # fmt: skip
    in_force = doc["in_force"]
    if not isinstance(in_force, date):
        in_force = date.fromisoformat(str(in_force))
    return Edition(str(doc["edition"]), str(doc["title"]), str(doc["order"]), in_force,
                   tuple(entries))  # fmt: skip


def edition_on(editions: Sequence[Edition], day: date) -> Edition:
    """The edition in force on `day`: the latest whose in-force date is not after it (the
    2025 edition repeals the 2021 one from 2025-01-01)."""
    found = [e for e in editions if e.in_force <= day]
    if not found:
        first = min(e.in_force for e in editions)
        raise WasteError(f"{day} 早于名录最早版本的施行日期 {first}，无法核对废物代码")
    return max(found, key=lambda e: e.in_force)


def check_listed(editions: Sequence[Edition], code: str, name: str | None, day: date) -> ListEntry:
    """The list entry for `code` in the edition in force on `day`. A name that does not match
    the list is refused with the list's name; an unlisted 900-000-XX needs a name of its own."""
    code = check_code(code)
    given = (name or "").strip()
    edition = edition_on(editions, day)
    if UNLISTED.fullmatch(code):
        if not given:
            raise WasteError(f"名录外危险废物 {code} 须写明废物名称")
        return ListEntry(code, given, ())
    entry = edition.entry(code)
    if entry is None:
        raise WasteError(f"废物代码 {code} 不在{edition.title}中")
    if given and given != entry.name:
        raise WasteError(f"废物代码 {code} 在{edition.title}中的名称是“{entry.name}”，"
                         f"不是“{given}”")  # fmt: skip
    return entry


# --- general industrial solid waste ----------------------------------------------------------

GENERAL_CODE = re.compile(r"^SW\d{2}$")


def waste_kind(code: str) -> WasteKind:
    """Hazardous for a list code (NNN-NNN-NN), general for a category code (SWnn); any other
    form is refused naming both."""
    text = code.strip().upper()
    if GENERAL_CODE.fullmatch(text):
        return WasteKind.GENERAL
    if CODE.fullmatch(text):
        return WasteKind.HAZARDOUS
    raise WasteError(f"废物代码“{code}”格式不对：危险废物写作 NNN-NNN-NN（如 900-041-49），"
                     "一般工业固体废物写作类别代码 SWnn（如 SW17）")  # fmt: skip


def parse_general(doc: Mapping[str, Any]) -> GeneralList:
    """A version of the general categories from its data file, every code checked."""
    categories = []
    for item in doc["categories"]:
        code = str(item["code"])
        if not GENERAL_CODE.fullmatch(code):
            raise WasteError(f"一般工业固体废物类别代码“{code}”格式不对，应为 SWnn")
        categories.append(GeneralCategory(code, str(item["name"]), str(item["status"])))
    in_force = doc["in_force"]
    if not isinstance(in_force, date):
        in_force = date.fromisoformat(str(in_force))
    return GeneralList(str(doc["version"]), str(doc["title"]), in_force, tuple(categories))


def check_general(lists: Sequence[GeneralList], code: str, name: str | None, day: date
                  ) -> tuple[GeneralList, GeneralCategory]:  # fmt: skip
    """The version in force on `day` and the category of `code`; a name, if given, must be the
    category's."""
    found = [g for g in lists if g.in_force <= day]
    if not found:
        raise WasteError(f"{day} 早于一般工业固体废物分类的施行日期，无法核对类别")
    version = max(found, key=lambda g: g.in_force)
    text = code.strip().upper()
    category = version.category(text)
    if category is None:
        raise WasteError(f"一般工业固体废物类别 {text} 不在{version.title}中")
    given = (name or "").strip()
    if given and given != category.name:
        raise WasteError(f"类别 {text} 的名称是“{category.name}”，不是“{given}”")
    return version, category


# --- management class (HJ 1259-2022) ----------------------------------------------------------


def management_class(
    generated_t: float, *, own_handling: bool, licensed: bool, settings: WasteSettings
) -> ManagementClass:
    """HJ 1259-2022: 重点 when one site generates ≥ 100 t a year, or utilises or disposes of
    waste itself, or holds a hazardous-waste business licence; else 简化 from 10 t a year;
    else 登记 (domain-2.md §3.4, thresholds as settings)."""
    if own_handling or licensed or generated_t >= settings.key_t_per_year - EPSILON_T:
        return ManagementClass.KEY
    if generated_t >= settings.simplified_t_per_year - EPSILON_T:
        return ManagementClass.SIMPLIFIED
    return ManagementClass.REGISTERED


def declaration_periods(cls: ManagementClass) -> tuple[Period, ...]:
    """Annual declaration for all; plus monthly for 重点, plus quarterly for 简化 (HJ 1259-2022,
    domain-2.md §3.4)."""
    extra = {ManagementClass.KEY: (Period.MONTHLY,),
             ManagementClass.SIMPLIFIED: (Period.QUARTERLY,)}.get(cls, ())  # fmt: skip
    return (*extra, Period.ANNUAL)


_LABEL = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


def _first_of_next(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def declaration_period(
    period: Period, label: str, settings: WasteSettings
) -> DeclarationPeriod:
    """The period a declaration label names, and its deadline (HJ 1259-2022, domain-2.md
    §3.4): "2025" is the year, due by 31 March of the next year (C); "2026-01" a month and
    "2026-Q1" a quarter, due by the `monthly_due_day` / `quarterly_due_day` of the month after
    (UNCONFIRMED, settings)."""
    found = _LABEL.fullmatch(label.strip())
    year = int(found.group(1)) if found else 0
    if found is None or not 2000 <= year <= 2200:
        raise WasteError(f"申报期“{label}”无效：年度写作 2025，季度写作 2025-Q1，月度写作 2025-01")
    month, quarter = found.group(2), found.group(3)
    if period is Period.ANNUAL and month is None and quarter is None:
        return DeclarationPeriod(period, f"{year}", date(year, 1, 1), date(year + 1, 1, 1),
                                 date(year + 1, 3, 31))  # fmt: skip
    if period is Period.QUARTERLY and quarter is not None:
        first = 3 * (int(quarter) - 1) + 1
        end = _first_of_next(year, first + 2)
        return DeclarationPeriod(period, f"{year}-Q{quarter}", date(year, first, 1), end,
                                 end.replace(day=settings.quarterly_due_day))  # fmt: skip
    if period is Period.MONTHLY and month is not None and 1 <= int(month) <= 12:
        end = _first_of_next(year, int(month))
        return DeclarationPeriod(period, f"{year}-{month}", date(year, int(month), 1), end,
                                 end.replace(day=settings.monthly_due_day))  # fmt: skip
    raise WasteError(f"申报期“{label}”与申报周期 {period.value} 不符："
                     "年度写作 2025，季度写作 2025-Q1，月度写作 2025-01")  # fmt: skip


def ended_periods(period: Period, day: date, count: int, settings: WasteSettings
                  ) -> list[DeclarationPeriod]:  # fmt: skip
    """The `count` latest periods of a kind that ended on or before `day`, newest first."""
    found = []
    if period is Period.ANNUAL:
        labels = [str(day.year - 1 - i) for i in range(count)]
    elif period is Period.QUARTERLY:
        q = (day.year * 4 + (day.month - 1) // 3) - 1
        labels = [f"{(q - i) // 4}-Q{(q - i) % 4 + 1}" for i in range(count)]
    else:
        m = day.year * 12 + day.month - 1 - 1
        labels = [f"{(m - i) // 12}-{(m - i) % 12 + 1:02d}" for i in range(count)]
    for label in labels:
        found.append(declaration_period(period, label, settings))
    return found


def declaration_state(
    p: DeclarationPeriod, filed: bool, day: date, settings: WasteSettings
) -> DeclarationState:
    """A period's declaration on `day`: filed; late from the day after its deadline (the
    annual one of 2025 on 2026-04-01); due from `declaration_warning_days` before it."""
    if filed:
        return DeclarationState.FILED
    if day > p.due:
        return DeclarationState.LATE
    if (p.due - day).days <= settings.declaration_warning_days:
        return DeclarationState.DUE
    return DeclarationState.OPEN


def annual_generated(entries: Iterable[Entry], year: int) -> float:
    return sum(e.quantity_t for e in entries
               if e.kind is EntryKind.GENERATED and e.at.year == year)  # fmt: skip


def handles_own(entries: Iterable[Entry]) -> bool:
    return any(e.kind in OWN_HANDLING for e in entries)


# --- stock and storage age (GB 18597-2023, 固废法 art. 81) -------------------------------------

_ORDER = {EntryKind.STORED_IN: 0, EntryKind.STORED_OUT: 1}


def lots(entries: Iterable[Entry]) -> list[Lot]:
    """What is left in each facility of each code, lot by lot: into-storage records make
    lots, out-of-storage records take from the oldest first (FIFO, as 先进先出 storage
    requires). A record taking more than is there is refused by `check_out`, not here."""
    open_lots: dict[tuple[int, str], list[list[Any]]] = defaultdict(list)
    storage = [e for e in entries if e.kind in _ORDER and e.facility_id is not None]
    for e in sorted(storage, key=lambda e: (e.at, _ORDER[e.kind])):
        key = (e.facility_id, e.code)
        if e.kind is EntryKind.STORED_IN:
            open_lots[key].append([e.at, e.quantity_t])
            continue
        left = e.quantity_t
        queue = open_lots[key]
        while left > EPSILON_T and queue:
            take = min(left, queue[0][1])
            queue[0][1] -= take
            left -= take
            if queue[0][1] <= EPSILON_T:
                queue.pop(0)
    return [Lot(f, c, since, round(q, 3)) for (f, c), queue in sorted(open_lots.items())
            for since, q in queue]  # fmt: skip


def fifo_oldest(ins: Sequence[tuple[datetime, float]], out_t: float) -> datetime | None:
    """The into-storage time of the oldest lot still in stock when `out_t` tonnes have left
    from `ins` (time-ordered), FIFO; None when nothing is left."""
    taken = 0.0
    for at, quantity in ins:
        taken += quantity
        if taken > out_t + EPSILON_T:
            return at
    return None


def age_days(since: datetime | date, day: date) -> int:
    """Whole days in storage on `day` of waste stored on `since` (the day of storage is 0)."""
    first = since.date() if isinstance(since, datetime) else since
    return (day - first).days


def stock(entries: Iterable[Entry], day: date) -> list[Stock]:
    """Stock per facility and code from the ledger (never typed in), with the age on `day`
    of its oldest lot."""
    by_key: dict[tuple[int, str], list[Lot]] = defaultdict(list)
    for lot in lots(entries):
        by_key[(lot.facility_id, lot.code)].append(lot)
    return [
        Stock(f, c, round(sum(lot.quantity_t for lot in found), 3), found[0].since,
              age_days(found[0].since, day))
        for (f, c), found in sorted(by_key.items())
    ]  # fmt: skip


def age_state(days: int | None, settings: WasteSettings) -> AgeState:
    """Storage age against the limit: over it past `storage_limit_days` (固废法 art. 81: no
    more than one year), approaching it from `storage_warning_days` before."""
    if days is None:
        return AgeState.FINE
    if days > settings.storage_limit_days:
        return AgeState.OVER
    if days >= settings.storage_limit_days - settings.storage_warning_days:
        return AgeState.APPROACHING
    return AgeState.FINE


def check_out(held_t: float, quantity_t: float, code: str, facility: str) -> None:
    """Refuse taking out of a facility more of a code than the ledger holds there."""
    if quantity_t > held_t + EPSILON_T:
        raise WasteError(f"{facility} 中 {code} 的库存只有 {held_t:g} t，不能出库 {quantity_t:g} t")


def check_quantity(quantity_t: float) -> float:
    if not quantity_t > 0 or quantity_t > 1e6:
        raise WasteError(f"数量 {quantity_t:g} t 无效：应大于 0 且不超过 1000000 t")
    return round(quantity_t, 3)


# --- mass balance ----------------------------------------------------------------------------


def balance(entries: Iterable[Entry], start: datetime, end: datetime) -> Balance:
    """The period [start, end)'s mass balance: generated = change of stock (into minus out of
    storage) + utilised + disposed + transferred, each from the ledger (HJ 1259-2022)."""
    sums: dict[EntryKind, float] = defaultdict(float)
    for e in entries:
        if start <= e.at < end:
            sums[e.kind] += e.quantity_t
    r = round
    return Balance(
        generated=r(sums[EntryKind.GENERATED], 3),
        stock_change=r(sums[EntryKind.STORED_IN] - sums[EntryKind.STORED_OUT], 3),
        utilised=r(sums[EntryKind.UTILISED], 3),
        disposed=r(sums[EntryKind.DISPOSED], 3),
        transferred=r(sums[EntryKind.TRANSFERRED], 3),
    )


def balanced(b: Balance, settings: WasteSettings) -> bool:
    return abs(b.gap) <= settings.balance_tolerance_t + EPSILON_T


# --- handlers' licences ------------------------------------------------------------------------


def licence_covers(handler: Handler, code: str) -> bool:
    """A licence lists codes, or whole categories (HW08 covers every code ending -08)."""
    return code in handler.codes or ("HW" + code[-2:]) in handler.codes


def transfer_refusal(
    handler: Handler, code: str, quantity_t: float, received_this_year_t: float, day: date
) -> str | None:
    """Why a transfer of `quantity_t` of `code` to `handler` on `day` is refused, or None:
    a licence out of validity, not covering the code, or over the licensed yearly capacity
    with what it already took this year (危险废物转移管理办法, order 23: the receiver must hold
    a licence for the waste)."""
    if not handler.valid_from <= day <= handler.valid_to:
        return (f"{handler.name} 的许可证 {handler.licence_no} 有效期为 {handler.valid_from} 至 "
                f"{handler.valid_to}，{day} 不在有效期内")  # fmt: skip
    if not licence_covers(handler, code):
        return (
            f"{handler.name} 的许可证 {handler.licence_no} 未核准经营 "
            f"{code}（{'HW' + code[-2:]}）"
        )
    if received_this_year_t + quantity_t > handler.capacity_t + EPSILON_T:
        return (f"{handler.name} 核准年经营规模 {handler.capacity_t:g} t，本年已接收 "
                f"{received_this_year_t:g} t，再转移 {quantity_t:g} t 将超出")  # fmt: skip
    return None


# --- transfer manifests (危险废物转移管理办法, order 23) ---------------------------------------


def manifest_number(year: int, area: str, running: int) -> str:
    """The form's 14 digits: year (4), province (2) and city (2) codes, and a 6-digit running
    number per city and year (order 23 form, (R))."""
    if not 1 <= running <= 999_999:
        raise WasteError(f"联单流水号 {running} 超出 6 位")
    return f"{year:04d}{area}{running:06d}"


def check_action(state: ManifestState, action: ManifestAction) -> None:
    """An action only from the state it follows: drafted → dispatched → in transit →
    received → utilised or disposed."""
    if state is not ACTION_FROM[action]:
        raise WasteError(f"联单当前状态为 {state.value}，不能执行 {action.value}"
                         f"（须在 {ACTION_FROM[action].value} 状态）")  # fmt: skip


def receipt_difference(
    dispatched_t: float, received_t: float, tolerance: float
) -> tuple[float, bool]:
    """Received minus dispatched (t), and whether it is a major difference: beyond
    `tolerance` as a share of the dispatched quantity (order 23: differences are reported)."""
    diff = round(received_t - dispatched_t, 3)
    return diff, abs(diff) > tolerance * dispatched_t + EPSILON_T
