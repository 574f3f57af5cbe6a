"""Use cases of hazardous waste: the list check, handlers and their licences, storage
facilities, ledger records (each checked against the list edition in force on its date, the
stock it takes from and the receiver's licence), the management class, an enterprise's waste
file (stock by code and age, balance, ledger) and the zone overview.

Pages, API and CLI call these; every change is audited in the transaction that makes it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecozone import safeyaml, times
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.textguard import check_optional, check_text
from ecozone.waste import rules, store
from ecozone.waste.model import (
    STORAGE_KINDS,
    Edition,
    Entry,
    EntryKind,
    FacilityKind,
    GeneralList,
    Handler,
    HandlerKind,
    ManagementClass,
    WasteError,
    WasteKind,
    WasteNotFound,
    WasteSettings,
)

DATA = Path(__file__).with_name("data")
#: Ledger rows an enterprise's page shows, newest first.
LEDGER_ROWS = 200


@cache
def general_lists() -> tuple[GeneralList, ...]:
    """The general industrial solid waste categories shipped as data (data/general-*.yaml)."""
    found = [rules.parse_general(safeyaml.read_file(p))
             for p in sorted(DATA.glob("general-*.yaml"))]  # fmt: skip
    return tuple(sorted(found, key=lambda g: g.in_force))


def general_categories(day: date) -> dict[str, str]:
    """Code → name of the general categories in force on `day`."""
    found = [g for g in general_lists() if g.in_force <= day]
    if not found:
        return {}
    return {c.code: c.name for c in max(found, key=lambda g: g.in_force).categories}


@cache
def editions() -> tuple[Edition, ...]:
    """The list's editions shipped as data (data/list-*.yaml), oldest first."""
    found = [rules.parse_edition(safeyaml.read_file(p)) for p in sorted(DATA.glob("list-*.yaml"))]
    return tuple(sorted(found, key=lambda e: e.in_force))


def check_code(code: str, name: str | None, day: date) -> dict[str, Any]:
    """The list entry of `code` in the edition in force on `day` (name checked if given)."""
    entry = rules.check_listed(editions(), code, name, day)
    edition = rules.edition_on(editions(), day)
    return {"code": entry.code, "name": entry.name, "category": entry.category,
            "hazard": [h.value for h in entry.hazard], "edition": edition.edition,
            "edition_title": edition.title}  # fmt: skip


def list_entries(day: date) -> dict[str, Any]:
    edition = rules.edition_on(editions(), day)
    return {"edition": edition.edition, "title": edition.title, "order": edition.order,
            "in_force": edition.in_force.isoformat(),
            "entries": [{"code": e.code, "name": e.name, "category": e.category,
                         "hazard": [h.value for h in e.hazard]}
                        for e in edition.entries]}  # fmt: skip


def _enterprise(conn: sa.Connection, credit_code: str, scope: Scope) -> dict[str, Any]:
    found = store.enterprise_by_code(conn, credit_code, scope)
    if found is None:
        raise WasteNotFound(f"没有统一社会信用代码为 {credit_code} 的企业")
    return found


def _number(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise WasteError(f"{what}“{value}”不是数字") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise WasteError(f"{what}“{value}”不是数字")
    return number


def _day(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise WasteError(f"{what}“{value}”无效，请写作 2026-01-31") from None


# --- handlers ------------------------------------------------------------------------------


def _handler(row: dict[str, Any]) -> Handler:
    return Handler(row["id"], row["name"], HandlerKind(row["kind"]), row["licence_no"],
                   tuple(row["codes"]), row["capacity_t"], row["valid_from"],
                   row["valid_to"])  # fmt: skip


def add_handler(
    engine: sa.Engine,
    *,
    name: str,
    kind: str,
    licence_no: str,
    codes: list[str] | str,
    capacity_t: Any,
    valid_from: date | str,
    valid_to: date | str,
    actor: str,
    credit_code: str | None = None,
) -> dict[str, Any]:
    """A collector, transporter or disposer with its licence: number, licensed codes (codes or
    HWxx categories), yearly capacity in tonnes and validity, and the registered enterprise
    that holds it, if any (its users then confirm receipts); audited."""
    name = check_text(name.strip(), "名称")
    licence_no = check_text(licence_no.strip(), "许可证编号")
    if not name or not licence_no:
        raise WasteError("须填写单位名称和许可证编号")
    try:
        the_kind = HandlerKind(kind)
    except ValueError:
        raise WasteError(f"单位类型“{kind}”无效：应为 collector、transporter 或 disposer") from None
    items = (
        codes.replace("，", ",").replace(" ", ",").split(",") if isinstance(codes, str) else codes
    )
    licensed = []
    for item in (str(c).strip() for c in items):
        if not item:
            continue
        if item.upper().startswith("HW") and item[2:].isdigit() and len(item) == 4:
            licensed.append(item.upper())
        else:
            licensed.append(rules.check_code(item))
    if not licensed:
        raise WasteError("须填写核准经营的废物代码或类别（如 900-041-49 或 HW08）")
    capacity = _number(capacity_t, "核准经营规模")
    if capacity <= 0:
        raise WasteError("核准经营规模须大于 0 t/a")
    start, end = _day(valid_from, "有效期起"), _day(valid_to, "有效期止")
    if end < start:
        raise WasteError(f"有效期止 {end} 早于有效期起 {start}")
    values = {"name": name, "kind": the_kind.value, "licence_no": licence_no,
              "codes": sorted(set(licensed)), "capacity_t": capacity, "valid_from": start,
              "valid_to": end}  # fmt: skip
    with engine.begin() as conn:
        if store.handler_by_licence(conn, licence_no) is not None:
            raise WasteError(f"许可证编号 {licence_no} 已登记")
        if credit_code:
            values["enterprise_id"] = _enterprise(conn, credit_code.strip(), SYSTEM_SCOPE)["id"]
        handler_id = store.insert_handler(conn, values)
        audit.record(conn, actor=actor, action="create", entity="waste_handler",
                     entity_id=str(handler_id), before=None,
                     after={**values, "valid_from": str(start), "valid_to": str(end)})  # fmt: skip
    return {"id": handler_id, **values}


def handlers(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.handlers(conn)


# --- facilities --------------------------------------------------------------------------------


def add_facility(
    engine: sa.Engine,
    credit_code: str,
    *,
    code: str,
    name: str,
    kind: str,
    capacity_t: Any,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """A storage facility of the enterprise (GB 18597-2023 kinds) with its capacity; audited."""
    code = check_text(code.strip(), "设施编号")
    name = check_text(name.strip(), "设施名称")
    if not code or not name:
        raise WasteError("须填写贮存设施编号和名称")
    try:
        the_kind = FacilityKind(kind)
    except ValueError:
        raise WasteError(f"设施类型“{kind}”无效") from None
    capacity = _number(capacity_t, "设计贮存能力")
    if capacity <= 0:
        raise WasteError("设计贮存能力须大于 0 t")
    with engine.begin() as conn:
        owner = _enterprise(conn, credit_code, scope)
        if any(f["code"] == code for f in store.facilities(conn, owner["id"])):
            raise WasteError(f"贮存设施编号 {code} 已存在")
        values = {"enterprise_id": owner["id"], "code": code, "name": name,
                  "kind": the_kind.value, "capacity_t": capacity}  # fmt: skip
        facility_id = store.insert_facility(conn, values)
        audit.record(conn, actor=actor, action="create", entity="waste_facility",
                     entity_id=str(facility_id), before=None, after=values)  # fmt: skip
    return {"id": facility_id, **values}


# --- the ledger --------------------------------------------------------------------------------


def record(
    engine: sa.Engine,
    credit_code: str,
    *,
    kind: str,
    at: datetime | str,
    code: str,
    quantity_t: Any,
    name: str | None = None,
    facility: str | None = None,
    handler_id: int | None = None,
    batch: str | None = None,
    container: str | None = None,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """One ledger record (HJ 1259-2022). The code's form tells hazardous from general
    industrial solid waste (rules.waste_kind): a hazardous code and name are checked against
    the list edition in force on the record's date, a general one against the general
    categories; into and out of storage name the facility, and out of storage takes no more
    than the ledger holds there; a transfer names a receiver, whose licence must cover a
    hazardous code within its yearly capacity (order 23). Refused records change nothing."""
    try:
        the_kind = EntryKind(kind)
    except ValueError:
        raise WasteError(f"台账类型“{kind}”无效") from None
    when = times.parse_time(at, "时间")
    waste_kind = rules.waste_kind(code)
    if waste_kind is WasteKind.GENERAL:
        version, category = rules.check_general(general_lists(), code, name, when.date())
        entry: Any = category
        edition_id = version.version
    else:
        entry = rules.check_listed(editions(), code, name, when.date())
        edition_id = rules.edition_on(editions(), when.date()).edition
    quantity = rules.check_quantity(_number(quantity_t, "数量"))
    batch = check_optional((batch or "").strip() or None, "批次号")
    container = check_optional((container or "").strip() or None, "容器")
    with engine.begin() as conn:
        owner = _enterprise(conn, credit_code, scope)
        facility_id = None
        if the_kind in STORAGE_KINDS:
            chosen = next((f for f in store.facilities(conn, owner["id"])
                           if f["code"] == (facility or "").strip()), None)  # fmt: skip
            if chosen is None:
                raise WasteError(f"入库、出库须选择本企业的贮存设施（{facility or '未填写'}）")
            facility_id = chosen["id"]
            if the_kind is EntryKind.STORED_OUT:
                rules.check_out(store.held(conn, facility_id, entry.code), quantity, entry.code,
                                chosen["name"])  # fmt: skip
        if the_kind is EntryKind.TRANSFERRED:
            found = store.handlers(conn, handler_id) if handler_id else []
            if not found:
                raise WasteError("转移须选择接收单位")
            receiver = _handler(found[0])
            refusal = rules.transfer_refusal(
                receiver,
                entry.code,
                quantity,
                store.received_in_year(conn, receiver.id, when.year),
                when.date(),
            )
            if refusal is not None and waste_kind is WasteKind.HAZARDOUS:
                raise WasteError(f"拒绝转移：{refusal}")
        elif handler_id is not None and the_kind is not EntryKind.GENERATED:
            raise WasteError("只有转移记录填写接收单位")
        values = {"enterprise_id": owner["id"], "kind": the_kind.value, "at": when,
                  "code": entry.code, "name": entry.name, "edition": edition_id,
                  "quantity_t": quantity, "facility_id": facility_id,
                  "handler_id": handler_id if the_kind is EntryKind.TRANSFERRED else None,
                  "batch": batch, "container": container, "recorded_by": actor,
                  "recorded_at": times.utc_now()}  # fmt: skip
        entry_id = store.insert_entry(conn, values)
        audit.record(conn, actor=actor, action="create", entity="waste_entry",
                     entity_id=str(entry_id), before=None,
                     after={**values, "at": when.isoformat(),
                            "recorded_at": values["recorded_at"].isoformat()})  # fmt: skip
    return {"id": entry_id, **values}


# --- management class ----------------------------------------------------------------------------


def classes(
    conn: sa.Connection, enterprise_ids: list[int], year: int, settings: WasteSettings
) -> dict[int, dict[str, Any]]:
    """Each enterprise's HJ 1259-2022 class from its ledger of `year`, and the one in force
    (a bureau's override wins)."""
    generated = store.generated_by_enterprise(conn, enterprise_ids, year)
    own = store.own_handlers(conn, enterprise_ids)
    licensed = store.licensed_enterprises(conn, enterprise_ids)
    overrides = store.overrides(conn, enterprise_ids)
    found = {}
    for eid in enterprise_ids:
        computed = rules.management_class(generated.get(eid, 0.0), own_handling=eid in own,
                                          licensed=eid in licensed, settings=settings)  # fmt: skip
        over = overrides.get(eid)
        cls = ManagementClass(over["class_override"]) if over else computed
        found[eid] = {"computed": computed.value, "class": cls.value,
                      "override_reason": over["reason"] if over else None,
                      "generated_t": round(generated.get(eid, 0.0), 3),
                      "periods": [p.value for p in rules.declaration_periods(cls)]}  # fmt: skip
    return found


def set_class(
    engine: sa.Engine,
    credit_code: str,
    cls: str | None,
    reason: str,
    *,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> None:
    """Override the computed management class (None: back to the computed one); audited."""
    the_class = None
    if cls:
        try:
            the_class = ManagementClass(cls).value
        except ValueError:
            raise WasteError(f"管理类别“{cls}”无效") from None
        reason = check_text(reason.strip(), "理由")
        if not reason:
            raise WasteError("调整管理类别须写明理由")
    with engine.begin() as conn:
        owner = _enterprise(conn, credit_code, scope)
        before = store.override(conn, owner["id"])
        store.save_override(conn, owner["id"], the_class, reason)
        audit.record(conn, actor=actor, action="update", entity="waste_generator",
                     entity_id=str(owner["id"]),
                     before={"class_override": before["class_override"]} if before else None,
                     after={"class_override": the_class, "reason": reason})  # fmt: skip


# --- reads ---------------------------------------------------------------------------------------


def stock_rows(
    conn: sa.Connection, enterprise_ids: list[int], day: date, settings: WasteSettings
) -> list[dict[str, Any]]:
    """Stock per facility and code at the end of `day`, with the age of its oldest lot (FIFO)
    and its state against the storage-age limit; general industrial solid waste (SWnn) is
    kept apart by its `waste_kind` and has no storage-age limit here (固废法 art. 81 speaks of
    hazardous waste)."""
    until = datetime(day.year, day.month, day.day) + timedelta(days=1)
    rows = store.stock(conn, enterprise_ids, until)
    for r in rows:
        oldest = rules.fifo_oldest(r.pop("ins"), r["out_t"])
        age = rules.age_days(oldest, day) if oldest is not None else None
        kind = rules.waste_kind(r["code"])
        limited = age if kind is WasteKind.HAZARDOUS else None
        r.update(
            held_t=round(r["held_t"], 3),
            oldest=oldest,
            age_days=age,
            waste_kind=kind.value,
            age_state=rules.age_state(limited, settings).value,
        )
    return rows


def waste_file(
    engine: sa.Engine,
    credit_code: str,
    scope: Scope,
    day: date,
    settings: WasteSettings,
    year: int | None = None,
) -> dict[str, Any]:
    """An enterprise's waste file on `day`: class, facilities with stock and capacity, stock
    by code and age, the mass balance of `year` (default: that of `day`), and the newest
    ledger records."""
    with engine.connect() as conn:
        owner = _enterprise(conn, credit_code, scope)
        eid = owner["id"]
        year = year or day.year
        cls = classes(conn, [eid], year, settings)[eid]
        facilities = store.facilities(conn, eid)
        stock = stock_rows(conn, [eid], day, settings)
        for f in facilities:
            f["held_t"] = round(sum(s["held_t"] for s in stock if s["facility_id"] == f["id"]), 3)
            f["over_capacity"] = f["held_t"] > f["capacity_t"] + rules.EPSILON_T
        ledger = store.entries(conn, eid, limit=LEDGER_ROWS)
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        terms = store.sums(conn, eid, start, end)
        general_terms = store.sums(conn, eid, start, end, general=True)
    b, g = _balance(terms), _balance(general_terms)
    hazardous = WasteKind.HAZARDOUS.value
    return {"enterprise": owner, "year": year, "day": day, "class": cls,
            "facilities": facilities, "ledger": ledger,
            "stock": [s for s in stock if s["waste_kind"] == hazardous],
            "general_stock": [s for s in stock if s["waste_kind"] != hazardous],
            "balance": {**b.__dict__, "gap": round(b.gap, 3),
                        "balanced": rules.balanced(b, settings)},
            "general_balance": {**g.__dict__, "gap": round(g.gap, 3),
                                "balanced": rules.balanced(g, settings)}}  # fmt: skip


def _balance(terms: dict[str, float]) -> Any:
    entries = [Entry(EntryKind(k), datetime(2000, 1, 1), "900-000-00", v)
               for k, v in terms.items()]  # fmt: skip
    return rules.balance(entries, datetime(2000, 1, 1), datetime(2000, 1, 2))


def balance(
    engine: sa.Engine, credit_code: str, start: datetime, end: datetime, scope: Scope,
    settings: WasteSettings,
) -> dict[str, Any]:  # fmt: skip
    """The mass balance of [start, end) from the ledger's sums."""
    with engine.connect() as conn:
        owner = _enterprise(conn, credit_code, scope)
        b = _balance(store.sums(conn, owner["id"], start, end))
    return {**b.__dict__, "gap": round(b.gap, 3), "balanced": rules.balanced(b, settings)}


def enterprises(
    engine: sa.Engine, scope: Scope, year: int, settings: WasteSettings
) -> list[dict[str, Any]]:
    """Enterprises in scope with their class and this year's generation."""
    with engine.connect() as conn:
        found = store.enterprises(conn, scope)
        found_classes = classes(conn, [e["id"] for e in found], year, settings)
    return [{**e, **found_classes[e["id"]]} for e in found]


def overview(engine: sa.Engine, scope: Scope, year: int | None = None) -> dict[str, Any]:
    """The zone in `year` (default: the newest with records): generation by district and
    category, and the flows from generators to the handlers they transferred to."""
    with engine.connect() as conn:
        the_year = year or store.latest_year(conn) or times.cst_naive(times.utc_now()).year
        return {"year": the_year,
                "generation": store.generation_by_category(conn, scope, the_year),
                "flows": store.flows(conn, scope, the_year)}  # fmt: skip


def sankey(flows: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts Sankey data: nodes are generators and handlers, links their tonnes."""
    names: dict[str, None] = {}
    for f in flows:
        names.setdefault(f["source"])
        names.setdefault(f["target"])
    return {"nodes": [{"name": n} for n in names],
            "links": [{"source": f["source"], "target": f["target"],
                       "value": round(f["quantity_t"], 3)} for f in flows]}  # fmt: skip


def declaration_rows(
    conn: sa.Connection, enterprise_id: int, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The declaration's table from the ledger: per code, tonnes generated, stored, taken out,
    utilised, disposed and transferred in [start, end)."""
    by: dict[str, dict[str, Any]] = {}
    for r in store.by_code(conn, enterprise_id, start, end):
        row = by.setdefault(r["code"], {"code": r["code"], "name": r["name"],
                                        "category": "HW" + r["code"][-2:],
                                        **{k.value: 0.0 for k in EntryKind}})  # fmt: skip
        row[r["kind"]] = round(r["quantity_t"], 3)
    return list(by.values())


def declaration(engine: sa.Engine, credit_code: str, year: int, scope: Scope) -> dict[str, Any]:
    """The annual declaration's table from the ledger of `year` (see declaration_rows)."""
    with engine.connect() as conn:
        owner = _enterprise(conn, credit_code, scope)
        rows = declaration_rows(conn, owner["id"], datetime(year, 1, 1), datetime(year + 1, 1, 1))
    return {"enterprise": owner, "year": year, "rows": rows}
