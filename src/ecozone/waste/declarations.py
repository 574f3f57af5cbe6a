"""Declarations (HJ 1259-2022 申报, domain-2.md §3.4): which periods an enterprise owes by its
management class (annual for all, plus monthly for 重点 and quarterly for 简化), when each is
due (the annual one by 31 March of the next year; the monthly and quarterly days are
settings), the register of declarations filed, and filing one: the figures of the ledger's
declaration table for the period, recorded as they stand and never changed afterwards.

An enterprise owes declarations from the period of its first ledger record on; the class of a
period is the one in force for the calendar year it lies in (service.classes).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.waste import rules, service, store
from ecozone.waste.model import (
    DeclarationPeriod,
    DeclarationState,
    ManagementClass,
    Period,
    WasteError,
    WasteNotFound,
    WasteSettings,
)

#: How many ended periods of each kind are looked back on for what is owed.
LOOKBACK = {Period.MONTHLY: 12, Period.QUARTERLY: 4, Period.ANNUAL: 2}


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _period(period: str) -> Period:
    try:
        return Period(period)
    except ValueError:
        raise WasteError(f"申报周期“{period}”无效：应为 monthly、quarterly 或 annual") from None


def owed(
    conn: sa.Connection, enterprise_ids: list[int], day: date, settings: WasteSettings
) -> dict[int, list[tuple[DeclarationPeriod, DeclarationState]]]:
    """Per enterprise with ledger records, the ended periods it owes a declaration for (the
    latest LOOKBACK of each kind), newest first, each with its state on `day`."""
    first = store.first_records(conn)
    ids = [e for e in enterprise_ids if e in first]
    candidates = [p for kind in Period for p in rules.ended_periods(kind, day, LOOKBACK[kind],
                                                                    settings)]  # fmt: skip
    years = sorted({p.start.year for p in candidates})
    classes = {y: service.classes(conn, ids, y, settings) for y in years} if ids else {}
    done = store.filed(conn, ids) if ids else set()
    found: dict[int, list[tuple[DeclarationPeriod, DeclarationState]]] = {}
    for eid in ids:
        mine = []
        for p in candidates:
            cls = ManagementClass(classes[p.start.year][eid]["class"])
            if p.period not in rules.declaration_periods(cls) or _midnight(p.end) <= first[eid]:
                continue
            is_filed = (eid, p.period.value, p.label) in done
            mine.append((p, rules.declaration_state(p, is_filed, day, settings)))
        found[eid] = sorted(mine, key=lambda item: (item[0].end, item[0].period.value),
                            reverse=True)  # fmt: skip
    return found


def register(
    engine: sa.Engine,
    credit_code: str,
    scope: Scope,
    day: date,
    settings: WasteSettings,
    *,
    period: str | None = None,
    state: str | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """An enterprise's declarations: those filed, and the ended periods owed with their state
    on `day` (filed, open, due, late); optionally only of one period kind, one state (filed
    declarations count as "filed") or periods starting in one year."""
    kind = _period(period) if period else None
    if state:
        try:
            wanted = DeclarationState(state)
        except ValueError:
            raise WasteError(f"申报状态“{state}”无效：应为 filed、open、due 或 late") from None
    with engine.connect() as conn:
        owner = service._enterprise(conn, credit_code, scope)
        filed = store.declarations(conn, owner["id"])
        periods = owed(conn, [owner["id"]], day, settings).get(owner["id"], [])
    if kind is not None:
        filed = [d for d in filed if d["period"] == kind.value]
        periods = [(p, s) for p, s in periods if p.period is kind]
    if year is not None:
        filed = [d for d in filed if d["start"].year == year]
        periods = [(p, s) for p, s in periods if p.start.year == year]
    if state:
        filed = filed if wanted is DeclarationState.FILED else []
        periods = [(p, s) for p, s in periods if s is wanted]
    return {"enterprise": owner, "filed": filed,
            "owed": [{"period": p.period.value, "label": p.label, "start": p.start,
                      "end": p.end, "due": p.due, "state": s.value}
                     for p, s in periods]}  # fmt: skip


def filed_one(
    engine: sa.Engine, credit_code: str, declaration_id: int, scope: Scope
) -> dict[str, Any]:
    """One declaration an enterprise filed, with its figures as filed."""
    with engine.connect() as conn:
        owner = service._enterprise(conn, credit_code, scope)
        found = next((d for d in store.declarations(conn, owner["id"])
                      if d["id"] == declaration_id), None)  # fmt: skip
    if found is None:
        raise WasteNotFound(f"{owner['name']} 没有编号为 {declaration_id} 的申报")
    return {**found, "enterprise": owner}


def file(
    engine: sa.Engine,
    credit_code: str,
    period: str,
    label: str,
    *,
    actor: str,
    settings: WasteSettings,
    scope: Scope = SYSTEM_SCOPE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """File the declaration of one period: refused before the period has ended, for a period
    kind the enterprise's class does not owe, or when already filed (a filed declaration is
    immutable). Records the ledger's declaration table for the period, whether it came after
    the deadline, and audits it."""
    the_period = rules.declaration_period(_period(period), label, settings)
    instant = times.as_instant(now) if now is not None else times.utc_now()
    day = times.cst_naive(instant).date()
    if day < the_period.end:
        raise WasteError(f"申报期 {the_period.label} 尚未结束（{the_period.end} 起方可申报）")
    with engine.begin() as conn:
        owner = service._enterprise(conn, credit_code, scope)
        eid = owner["id"]
        cls = ManagementClass(service.classes(conn, [eid], the_period.start.year,
                                              settings)[eid]["class"])  # fmt: skip
        if the_period.period not in rules.declaration_periods(cls):
            owed_kinds = "、".join(p.value for p in rules.declaration_periods(cls))
            raise WasteError(
                f"{owner['name']} {the_period.start.year} 年为 {cls.value} 管理类别，"
                f"应申报 {owed_kinds}，不需要 {the_period.period.value} 申报")  # fmt: skip
        if (eid, the_period.period.value, the_period.label) in store.filed(conn, [eid]):
            raise WasteError(f"{the_period.label} 的申报已经提交，提交后不能更改")
        rows = service.declaration_rows(conn, eid, _midnight(the_period.start),
                                        _midnight(the_period.end))  # fmt: skip
        values = {"enterprise_id": eid, "period": the_period.period.value,
                  "label": the_period.label, "start": the_period.start, "end": the_period.end,
                  "due": the_period.due, "late": day > the_period.due, "rows": rows,
                  "filed_by": actor, "filed_at": instant}  # fmt: skip
        declaration_id = store.insert_declaration(conn, values)
        audit.record(conn, actor=actor, action="create", entity="waste_declaration",
                     entity_id=str(declaration_id), before=None,
                     after={**values, "start": str(the_period.start),
                            "end": str(the_period.end), "due": str(the_period.due),
                            "filed_at": instant.isoformat()})  # fmt: skip
    return {"id": declaration_id, **values}
