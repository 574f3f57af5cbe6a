"""Use cases of transfer manifests (危险废物转移管理办法, order 23, in force 2022-01-01): the
consignor drafts a form for one waste to one licensed receiver, dispatches it with the
carrier's vehicle and driver (its ledger then records the transfer), hands it to the carrier;
the receiver confirms receipt with the quantity and any difference (within 5 working days of
arrival, by the work calendar), and records utilisation or disposal.

A receiver not licensed for the code, or whose yearly capacity the transfer would pass, is
refused at drafting and again at dispatch. Enterprise users act on their own side only: the
consignor's actions on their own forms, the receiver's on forms addressed to their licence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone import times
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Role, Scope
from ecozone.compliance.model import WorkCalendar
from ecozone.compliance.rules import add_working_days
from ecozone.errors import Forbidden
from ecozone.textguard import check_optional
from ecozone.waste import rules, store
from ecozone.waste.model import (
    RECEIVER_ACTIONS,
    EntryKind,
    ManifestAction,
    ManifestState,
    WasteError,
    WasteNotFound,
    WasteSettings,
)
from ecozone.waste.service import _enterprise, _handler, _number, editions

ACTED_AT = {
    ManifestAction.DISPATCH: "dispatched_at",
    ManifestAction.TRANSIT: "in_transit_at",
    ManifestAction.RECEIVE: "confirmed_at",
    ManifestAction.COMPLETE: "completed_at",
}


def _now(now: datetime | None) -> datetime:
    return times.as_instant(now) if now is not None else times.utc_now()


def _receiver(conn: sa.Connection, handler_id: int | None) -> Any:
    found = store.handlers(conn, handler_id) if handler_id else []
    if not found:
        raise WasteError("须选择接收单位")
    return _handler(found[0])


def _refusal(conn: sa.Connection, receiver: Any, code: str, quantity: float, day: date) -> None:
    taken = store.received_in_year(conn, receiver.id, day.year)
    why = rules.transfer_refusal(receiver, code, quantity, taken, day)
    if why is not None:
        raise WasteError(f"拒绝转移：{why}")


def draft(
    engine: sa.Engine,
    credit_code: str,
    *,
    handler_id: int | None,
    code: str,
    quantity_t: Any,
    settings: WasteSettings,
    actor: str,
    name: str | None = None,
    facility: str | None = None,
    carrier_id: int | None = None,
    packaging: str | None = None,
    scope: Scope = SYSTEM_SCOPE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A drafted manifest of the consignor `credit_code`, numbered year + area + running
    number; the code is checked against the list in force today and the receiver's licence."""
    instant = _now(now)
    today = times.cst_naive(instant).date()
    entry = rules.check_listed(editions(), code, name, today)
    quantity = rules.check_quantity(_number(quantity_t, "数量"))
    packaging = check_optional((packaging or "").strip() or None, "包装")
    with engine.begin() as conn:
        owner = _enterprise(conn, credit_code, scope)
        if scope.role not in (Role.ADMIN, Role.ENTERPRISE):
            raise Forbidden("只有移出人（产废企业）可以填写转移联单")
        receiver = _receiver(conn, handler_id)
        _refusal(conn, receiver, entry.code, quantity, today)
        facility_id = None
        if facility:
            chosen = next((f for f in store.facilities(conn, owner["id"]) if f["code"] == facility),
                          None)  # fmt: skip
            if chosen is None:
                raise WasteError(f"没有编号为 {facility} 的贮存设施")
            facility_id = chosen["id"]
        if carrier_id is not None:
            carriers = store.handlers(conn, carrier_id)
            if not carriers or carriers[0]["kind"] != "transporter":
                raise WasteError("承运单位须为已登记的运输单位")
        prefix = f"{today.year:04d}{settings.manifest_area}"
        number = rules.manifest_number(today.year, settings.manifest_area,
                                       store.next_running(conn, prefix))  # fmt: skip
        values = {"number": number, "enterprise_id": owner["id"], "handler_id": receiver.id,
                  "carrier_id": carrier_id, "facility_id": facility_id, "code": entry.code,
                  "name": entry.name, "edition": rules.edition_on(editions(), today).edition,
                  "quantity_t": quantity, "packaging": packaging,
                  "state": ManifestState.DRAFTED.value, "drafted_by": actor,
                  "drafted_at": instant}  # fmt: skip
        manifest_id = store.insert_manifest(conn, values)
        audit.record(conn, actor=actor, action="create", entity="waste_manifest",
                     entity_id=str(manifest_id), before=None,
                     after={**values, "drafted_at": instant.isoformat()})  # fmt: skip
    return {"id": manifest_id, **values}


def manifests(engine: sa.Engine, scope: Scope, state: str | None = None) -> list[dict[str, Any]]:
    if state and state not in tuple(ManifestState):
        raise WasteError(f"联单状态“{state}”无效")
    with engine.connect() as conn:
        return store.manifests(conn, scope, state)


def _sides(row: dict[str, Any], scope: Scope) -> tuple[bool, bool]:
    """Whether the scope acts as the consignor, and as the receiver, of a manifest."""
    if scope.role == Role.ADMIN:
        return True, True
    if scope.role != Role.ENTERPRISE:
        return False, False
    return (row["enterprise_id"] in scope.enterprise_ids,
            row["receiver_enterprise_id"] in scope.enterprise_ids)  # fmt: skip


def manifest(engine: sa.Engine, manifest_id: int, scope: Scope) -> dict[str, Any]:
    """One manifest the scope may read, with the actions it may take now."""
    with engine.connect() as conn:
        row = store.manifest(conn, manifest_id, scope)
    if row is None:
        raise WasteNotFound(f"没有编号为 {manifest_id} 的转移联单")
    consignor, receiver = _sides(row, scope)
    state = ManifestState(row["state"])
    row["actions"] = [
        a.value for a, start in rules.ACTION_FROM.items()
        if start is state and (receiver if a in RECEIVER_ACTIONS else consignor)
    ]  # fmt: skip
    if row["received_t"] is not None:
        row["difference_t"] = round(row["received_t"] - row["quantity_t"], 3)
    return row


def act(
    engine: sa.Engine,
    manifest_id: int,
    action: str,
    *,
    settings: WasteSettings,
    calendar: WorkCalendar,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    now: datetime | None = None,
    vehicle_plate: str | None = None,
    driver: str | None = None,
    route: str | None = None,
    received_t: Any = None,
    arrived_at: datetime | str | None = None,
    difference_note: str | None = None,
    method: str | None = None,
) -> dict[str, Any]:
    """Move a manifest on by `action` (dispatch, transit, receive, complete); audited."""
    try:
        the_action = ManifestAction(action)
    except ValueError:
        raise WasteError(f"联单操作“{action}”无效") from None
    instant = _now(now)
    local = times.cst_naive(instant)
    with engine.begin() as conn:
        row = store.manifest(conn, manifest_id, scope)
        if row is None:
            raise WasteNotFound(f"没有编号为 {manifest_id} 的转移联单")
        consignor, receiver = _sides(row, scope)
        if not (receiver if the_action in RECEIVER_ACTIONS else consignor):
            side = "接受人" if the_action in RECEIVER_ACTIONS else "移出人"
            raise Forbidden(f"只有该联单的{side}可以执行此操作")
        state = ManifestState(row["state"])
        rules.check_action(state, the_action)
        values: dict[str, Any] = {ACTED_AT[the_action]: instant}
        if the_action is ManifestAction.DISPATCH:
            plate = check_optional((vehicle_plate or "").strip() or None, "车牌号")
            person = check_optional((driver or "").strip() or None, "驾驶员")
            if not plate or not person:
                raise WasteError("承运人无联单不得运输：运行前须填写车牌号和驾驶员")
            receiving = _receiver(conn, row["handler_id"])
            _refusal(conn, receiving, row["code"], row["quantity_t"], local.date())
            values.update(state=ManifestState.DISPATCHED.value, vehicle_plate=plate,
                          driver=person, route=check_optional((route or "").strip() or None,
                                                              "路线"))  # fmt: skip
            _ledger(conn, row, local, actor, instant)
        elif the_action is ManifestAction.TRANSIT:
            values["state"] = ManifestState.IN_TRANSIT.value
        elif the_action is ManifestAction.RECEIVE:
            values.update(_receipt(row, received_t, arrived_at, difference_note, local,
                                   settings, calendar))  # fmt: skip
        else:
            if method not in (ManifestState.UTILISED.value, ManifestState.DISPOSED.value):
                raise WasteError("请选择利用或处置")
            values["state"] = method
        if not store.update_manifest(conn, manifest_id, state.value, values):
            raise WasteError("联单已被他人处理，请刷新后重试")
        audit.record(conn, actor=actor, action=the_action.value, entity="waste_manifest",
                     entity_id=str(manifest_id), before={"state": state.value},
                     after={k: (v.isoformat() if isinstance(v, date) else v)
                            for k, v in values.items()})  # fmt: skip
    return manifest(engine, manifest_id, SYSTEM_SCOPE)


def _ledger(
    conn: sa.Connection, row: dict[str, Any], at: datetime, actor: str, instant: datetime
) -> None:
    """The consignor's ledger records of a dispatch: out of storage (when the form names a
    facility, and no more than it holds) and the transfer, both with the form's number."""
    base = {"enterprise_id": row["enterprise_id"], "code": row["code"], "name": row["name"],
            "edition": row["edition"], "quantity_t": row["quantity_t"], "at": at,
            "batch": None, "container": row["packaging"], "manifest_no": row["number"],
            "recorded_by": actor, "recorded_at": instant}  # fmt: skip
    if row["facility_id"] is not None:
        rules.check_out(store.held(conn, row["facility_id"], row["code"]), row["quantity_t"],
                        row["code"], row["facility"])  # fmt: skip
        out = {"kind": EntryKind.STORED_OUT.value, "facility_id": row["facility_id"]}
        store.insert_entry(conn, {**base, **out, "handler_id": None})
    store.insert_entry(conn, {**base, "kind": EntryKind.TRANSFERRED.value, "facility_id": None,
                              "handler_id": row["handler_id"]})  # fmt: skip


def _receipt(
    row: dict[str, Any],
    received_t: Any,
    arrived_at: datetime | str | None,
    note: str | None,
    local: datetime,
    settings: WasteSettings,
    calendar: WorkCalendar,
) -> dict[str, Any]:
    """The receiver's part: quantity received, arrival (default now), the confirmation's due
    day (5 working days after arrival) and whether it came late, a note for a major
    difference."""
    received = _number(received_t, "接收数量")
    if received < 0 or received > 1e6:
        raise WasteError(f"接收数量 {received:g} t 无效")
    arrived = times.parse_time(arrived_at, "到达时间") if arrived_at else local
    if arrived > local:
        raise WasteError(f"到达时间 {arrived:%Y-%m-%d %H:%M} 晚于现在")
    _diff, major = rules.receipt_difference(row["quantity_t"], received, settings.receipt_tolerance)
    note = check_optional((note or "").strip() or None, "差异说明")
    if major and not note:
        raise WasteError(f"接收 {received:g} t 与转移 {row['quantity_t']:g} t 差异超过 "
                         f"{settings.receipt_tolerance:.0%}，须填写差异说明")  # fmt: skip
    due = add_working_days(arrived.date(), settings.confirm_working_days, calendar)
    return {"state": ManifestState.RECEIVED.value, "received_t": round(received, 3),
            "arrived_at": arrived, "difference_note": note, "confirm_due": due,
            "confirmed_late": local.date() > due}  # fmt: skip
