"""Use cases of the enforcement loop: triggers, inspection records, violations with their
rectification, and penalty decisions against the exemption list (plan item 17).

A trigger (an alert left unresolved, a power-linkage finding, a complaint, staff) calls for
an on-site check outside the draw and, while open, puts its enterprise into the next draw
as triggered. An inspection is made from a drawn assignment or a trigger, written as a
draft in the field, and submitted once: then it is immutable except for the follow-up of
its violations (rectification ordered and done). Each violation gets one decision, taken
by a person with the exemption check (exemptions.check_violation) shown and stored beside
it. Every write runs in one transaction and is audited.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ecozone import config, files
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.compliance.model import AlertType, WorkCalendar
from ecozone.errors import Conflict, NotFound
from ecozone.supervision import exemptions
from ecozone.supervision import inspection_store as st
from ecozone.supervision import store as pool_store
from ecozone.supervision.enforcement import (
    FileKind,
    Harm,
    InspectionState,
    Outcome,
    TriggerSource,
    TriggerState,
    ViolationState,
)
from ecozone.supervision.model import SupervisionError, SupervisionSettings
from ecozone.textguard import check_text
from ecozone.times import utc_now

SHIPPED_LIST = Path(__file__).with_name("data") / "exemption_list.yaml"
TEXT_MAX, PROVISION_MAX, ITEM_MAX, REFERENCE_MAX = 4000, 300, 64, 100
#: Alerts of the emission–electricity linkage (ecozone.power findings A–E): a "power" trigger.
LINKAGE_TYPES = frozenset({
    AlertType.CONTROL_OFF, AlertType.UNSYNCHRONISED, AlertType.CONTROL_IDLE,
    AlertType.LIMIT_ORDER, AlertType.ANALYSER_SILENT,
})  # fmt: skip
OPEN_VIOLATION_STATES = (ViolationState.OPEN, ViolationState.RECTIFYING)


@functools.cache
def _load_list(path: str) -> exemptions.ExemptionList:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SupervisionError(f"免罚清单 {path}：无法读取（{exc}）") from None
    return exemptions.parse_list(data, source=path)


def exemption_list() -> exemptions.ExemptionList:
    """The list in force: ECOZONE_EXEMPTION_LIST, else the one shipped; read once a path."""
    return _load_list(config.exemption_list_path() or str(SHIPPED_LIST))


def work_calendar() -> WorkCalendar:
    return config.desk_settings().calendar


# --- small checks --------------------------------------------------------------------------


def _text(value: str | None, field: str, limit: int = TEXT_MAX, *, required: bool = True) -> str:
    text = check_text((value or "").strip(), field, multiline=True)
    if required and not text:
        raise SupervisionError(f"{field}：不能为空")
    if len(text) > limit:
        raise SupervisionError(f"{field}：{len(text)} 个字符，最多 {limit} 个")
    return text


def _day(value: date | str | None, field: str, *, required: bool = True) -> date | None:
    if isinstance(value, date):
        return value
    if not (value or "").strip():
        if required:
            raise SupervisionError(f"{field}：不能为空")
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SupervisionError(f"{field}：{value!r} 不是日期（YYYY-MM-DD）") from None


def _coordinate(value: str | float | None, field: str, bound: float) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise SupervisionError(f"{field}：{value!r} 不是数值") from None
    if not -bound <= number <= bound:
        raise SupervisionError(f"{field}：{number} 超出 ±{bound:g} 的范围")
    return number


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Values as an audit entry stores them (dates and decimals as text)."""
    return {k: str(v) if isinstance(v, (date, Decimal)) else v for k, v in values.items()}


def _found(row: dict[str, Any] | None, what: str, key: object) -> dict[str, Any]:
    if row is None:
        raise NotFound(f"{what}：没有编号为 {key} 的记录")
    return row


# --- triggers ------------------------------------------------------------------------------


def open_trigger(
    engine: sa.Engine,
    *,
    reason: str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    source: str | None = None,
    credit_code: str | None = None,
    alert_id: int | None = None,
    reference: str | None = None,
) -> dict[str, Any]:
    """An on-site check called for outside the draw. From an alert: the alert must still be
    unresolved (open, dispatched or answered), and its type decides the source (a linkage
    finding is "power"); otherwise a complaint or staff's own, naming the enterprise."""
    reason = _text(reason, "触发理由")
    reference = _text(reference, "投诉编号", REFERENCE_MAX, required=False) or None
    with engine.begin() as conn:
        if alert_id is not None:
            found = _found(st.alert_row(conn, alert_id, scope), "报警", alert_id)
            if not st.is_unresolved(found["state"]):
                raise SupervisionError("该报警已核实或办结，不再触发现场检查")
            if (existing := st.open_trigger_of_alert(conn, alert_id)) is not None:
                raise Conflict(f"该报警已触发现场检查（触发编号 {existing}）")
            kind = TriggerSource.POWER if found["type"] in LINKAGE_TYPES else TriggerSource.ALERT
            enterprise_id = found["enterprise_id"]
            name = found["enterprise"]
        else:
            if source not in (TriggerSource.COMPLAINT, TriggerSource.STAFF):
                raise SupervisionError("触发来源：无报警时应为 投诉 或 执法人员发起")
            kind = TriggerSource(source)
            target = st.enterprise_row(conn, scope, credit_code=(credit_code or "").strip())
            if target is None:
                raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
            enterprise_id, name = target["id"], target["name"]
        values = {"enterprise_id": enterprise_id, "source": str(kind), "alert_id": alert_id,
                  "reference": reference, "reason": reason, "created_by": actor,
                  "state": str(TriggerState.OPEN)}  # fmt: skip
        trigger_id = st.insert_trigger(conn, values)
        audit.record(conn, actor=actor, action="create", entity="inspection_trigger",
                     entity_id=str(trigger_id), before=None, after=values)  # fmt: skip
    return {"id": trigger_id, **values, "enterprise": name}


def cancel_trigger(
    engine: sa.Engine, trigger_id: int, *, reason: str, actor: str, scope: Scope = SYSTEM_SCOPE
) -> None:
    """Withdraw an open trigger, with the reason; it leaves the next draw's triggered list."""
    reason = _text(reason, "撤销理由")
    with engine.begin() as conn:
        found = _found(st.trigger(conn, trigger_id, scope), "触发记录", trigger_id)
        if found["inspection_id"] is not None or not st.update_trigger(
            conn, trigger_id, TriggerState.OPEN, state=str(TriggerState.CANCELLED),
            closed_by=actor, closed_at=utc_now(),
        ):  # fmt: skip
            raise Conflict("只能撤销尚未检查的触发记录")
        audit.record(conn, actor=actor, action="cancel", entity="inspection_trigger",
                     entity_id=str(trigger_id), before={"state": found["state"]},
                     after={"state": "cancelled", "reason": reason})  # fmt: skip


def triggered_enterprises(conn: sa.Connection, district_id: int | None) -> set[int]:
    """The draw's "triggered" input: enterprises with an open trigger."""
    return st.open_trigger_enterprises(conn, district_id)


# --- inspections ---------------------------------------------------------------------------


def _team(
    conn: sa.Connection, enterprise: dict[str, Any], ids: list[int], settings: SupervisionSettings
) -> list[int]:
    """A team picked by staff for a triggered check: at least `min_inspectors` active
    inspectors of the enterprise's district or zone-wide, none with a declared conflict."""
    team = sorted(set(ids))
    if len(team) < settings.min_inspectors:
        raise SupervisionError(
            f"执法人员：至少 {settings.min_inspectors} 名（已选 {len(team)} 名）"
        )
    pool = {i["id"]: i for i in pool_store.inspectors(conn, SYSTEM_SCOPE, enterprise["district_id"])
            if i["active"]}  # fmt: skip
    for inspector_id in team:
        person = pool.get(inspector_id)
        if person is None:
            raise SupervisionError(f"执法人员：编号 {inspector_id} 不在本区县或全区名录库中")
        if any(c["enterprise_id"] == enterprise["id"] for c in person["conflicts"]):
            raise SupervisionError(
                f"执法人员：{person['name']} 已登记与该企业存在利害关系，应当回避"
            )
    return team


def create_inspection(
    engine: sa.Engine,
    *,
    actor: str,
    settings: SupervisionSettings,
    scope: Scope = SYSTEM_SCOPE,
    assignment_id: int | None = None,
    trigger_id: int | None = None,
    inspector_ids: list[int] | None = None,
    inspected_on: date | str | None = None,
) -> dict[str, Any]:
    """A draft inspection of a drawn assignment (its team and planned date) or of an open
    trigger (a team picked from the pool). A drawn enterprise's open trigger is answered by
    the same inspection."""
    if (assignment_id is None) == (trigger_id is None):
        raise SupervisionError("请选择一项抽查任务或一条触发记录")
    with engine.begin() as conn:
        trigger = None
        if assignment_id is not None:
            task = _found(st.assignment(conn, assignment_id, scope), "抽查任务", assignment_id)
            enterprise = {"id": task["enterprise_id"], "district_id": task["district_id"]}
            team = list(task["inspector_ids"])
            day = _day(inspected_on, "检查日期", required=False) or task["planned_date"]
            waiting = [t for t in st.triggers(conn, scope, states=[TriggerState.OPEN],
                                              enterprise_id=enterprise["id"])
                       if t["inspection_id"] is None]  # fmt: skip
            trigger = waiting[-1] if waiting else None  # the oldest
        else:
            trigger = _found(st.trigger(conn, trigger_id, scope), "触发记录", trigger_id)
            if trigger["state"] != TriggerState.OPEN or trigger["inspection_id"] is not None:
                raise Conflict("该触发记录已有检查记录或已撤销")
            enterprise = {"id": trigger["enterprise_id"], "district_id": trigger["district_id"]}
            team = _team(conn, enterprise, list(inspector_ids or ()), settings)
            day = _day(inspected_on, "检查日期")
        name = st.enterprise_row(conn, SYSTEM_SCOPE, enterprise_id=enterprise["id"])
        values = {"enterprise_id": enterprise["id"], "assignment_id": assignment_id,
                  "trigger_id": trigger["id"] if trigger else None, "inspected_on": day,
                  "inspector_ids": team, "location": "", "findings": "",
                  "state": str(InspectionState.DRAFT), "created_by": actor}  # fmt: skip
        try:
            with conn.begin_nested():
                inspection_id = st.insert_inspection(conn, values)
        except sa.exc.IntegrityError:
            raise Conflict("该抽查任务或触发记录已有检查记录") from None
        if trigger is not None:
            st.update_trigger(conn, trigger["id"], TriggerState.OPEN, inspection_id=inspection_id)
        audit.record(conn, actor=actor, action="create", entity="inspection",
                     entity_id=str(inspection_id), before=None, after=_plain(values))  # fmt: skip
    return {"id": inspection_id, **values, "enterprise": name["name"] if name else None}


def _draft(conn: sa.Connection, inspection_id: int, scope: Scope) -> dict[str, Any]:
    found = _found(st.inspection_row(conn, inspection_id, scope, lock=True), "检查记录",
                   inspection_id)  # fmt: skip
    if found["state"] != InspectionState.DRAFT:
        raise Conflict("检查记录已提交，不能再修改（可继续跟踪整改）")
    return found


def update_inspection(
    engine: sa.Engine,
    inspection_id: int,
    *,
    findings: str,
    location: str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    inspected_on: date | str | None = None,
    latitude: str | float | None = None,
    longitude: str | float | None = None,
) -> dict[str, Any]:
    """Save a draft's findings, location (text and optional coordinates) and date."""
    values: dict[str, Any] = {
        "findings": _text(findings, "检查情况", required=False),
        "location": _text(location, "检查地点", 300, required=False),
        "latitude": _coordinate(latitude, "纬度", 90),
        "longitude": _coordinate(longitude, "经度", 180),
    }
    if (values["latitude"] is None) != (values["longitude"] is None):
        raise SupervisionError("坐标：经度和纬度应同时填写或同时留空")
    if inspected_on:
        values["inspected_on"] = _day(inspected_on, "检查日期")
    with engine.begin() as conn:
        found = _draft(conn, inspection_id, scope)
        if not st.update_inspection(conn, inspection_id, values):
            raise Conflict("检查记录已提交，不能再修改")
        before = {k: found[k] for k in values}
        audit.record(conn, actor=actor, action="update", entity="inspection",
                     entity_id=str(inspection_id), before=_plain(before),
                     after=_plain(values))  # fmt: skip
    return values


def add_files(
    engine: sa.Engine,
    inspection_id: int,
    uploads: list[tuple[str, bytes]],
    *,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> list[dict[str, Any]]:
    """Attach photos (JPEG, PNG) and documents (PDF) to a draft, each checked (size, type
    sniffed from the content) before any is kept, and kept by its SHA-256."""
    if not uploads:
        raise SupervisionError("请选择要上传的照片或文件")
    checked = [(files.check_upload(name, content), content) for name, content in uploads]
    added = []
    with engine.begin() as conn:
        _draft(conn, inspection_id, scope)
        for upload, content in checked:
            files.save(conn, upload, content)
            kind = FileKind.DOCUMENT if upload.media_type == "application/pdf" else FileKind.PHOTO
            row = {"inspection_id": inspection_id, "sha256": upload.sha256, "name": upload.name,
                   "kind": str(kind), "added_by": actor}  # fmt: skip
            if st.insert_file(conn, row):
                added.append(row)
        audit.record(conn, actor=actor, action="add_files", entity="inspection",
                     entity_id=str(inspection_id), before=None,
                     after={"files": [{k: f[k] for k in ("name", "sha256", "kind")}
                                      for f in added]})  # fmt: skip
    return added


def inspection_file(
    engine: sa.Engine, inspection_id: int, sha256: str, scope: Scope
) -> tuple[str, str, bytes]:
    """(name, media type, content) of a file of an inspection the viewer may read."""
    with engine.connect() as conn:
        _found(st.inspection_row(conn, inspection_id, scope), "检查记录", inspection_id)
        name = st.file_name(conn, inspection_id, sha256)
        if name is None:
            raise NotFound(f"检查记录 {inspection_id} 没有该文件")
        media_type, content = files.load(conn, sha256)
    return name, media_type, content


def add_violation(
    engine: sa.Engine,
    inspection_id: int,
    *,
    provision: str,
    description: str,
    harm: str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    item: str | None = None,
    rectification_order: str | None = None,
    rectify_by: date | str | None = None,
) -> dict[str, Any]:
    """A violation found in a draft, by the legal provision it breaks, with the order to
    rectify it (责令改正) and its deadline when given."""
    if harm not in tuple(Harm):
        raise SupervisionError(f"危害后果：{harm!r}，应为 {', '.join(Harm)} 之一")
    values: dict[str, Any] = {
        "provision": _text(provision, "违反的法律条款", PROVISION_MAX),
        "description": _text(description, "违法事实"),
        "item": _text(item, "免罚清单事项", ITEM_MAX, required=False) or None,
        "harm": harm,
        "rectification_order": _text(rectification_order, "整改要求", required=False) or None,
        "rectify_by": _day(rectify_by, "整改期限", required=False),
        "created_by": actor,
    }
    if values["rectify_by"] and not values["rectification_order"]:
        raise SupervisionError("整改要求：设置整改期限时应写明整改要求")
    with engine.begin() as conn:
        found = _draft(conn, inspection_id, scope)
        values |= {
            "enterprise_id": found["enterprise_id"],
            "inspection_id": inspection_id,
            "found_on": found["inspected_on"],
            "state": str(ViolationState.OPEN),
        }
        if values["rectify_by"] and values["rectify_by"] < values["found_on"]:
            raise SupervisionError("整改期限不能早于检查日期")
        violation_id = st.insert_violation(conn, values)
        audit.record(conn, actor=actor, action="create", entity="violation",
                     entity_id=str(violation_id), before=None, after=_plain(values))  # fmt: skip
    return {"id": violation_id, **values}


def submit_inspection(
    engine: sa.Engine,
    inspection_id: int,
    *,
    actor: str,
    today: date,
    settings: SupervisionSettings,
    scope: Scope = SYSTEM_SCOPE,
    public: bool = False,
    public_summary: str | None = None,
) -> dict[str, Any]:
    """Submit a draft, once: from then on it is immutable except for the follow-up of its
    violations. Violations with a deadline become "rectifying"; the trigger it answers is
    inspected. Marked public, its summary shows on the public results page (一公开)."""
    summary = _text(public_summary, "公开的检查结果", required=False) or None
    if public and not summary:
        raise SupervisionError("公开的检查结果：公开时应填写")
    with engine.begin() as conn:
        found = _draft(conn, inspection_id, scope)
        if not found["findings"].strip():
            raise SupervisionError("检查情况：提交前应填写")
        if not found["location"].strip():
            raise SupervisionError("检查地点：提交前应填写")
        if len(found["inspector_ids"]) < settings.min_inspectors:
            raise SupervisionError(f"执法人员：至少 {settings.min_inspectors} 名")
        if found["inspected_on"] > today:
            raise SupervisionError(f"检查日期 {found['inspected_on']} 在今天之后，不能提交")
        values = {"state": str(InspectionState.SUBMITTED), "submitted_by": actor,
                  "submitted_at": utc_now(), "public": public, "public_summary": summary,
                  "published_on": today if public else None}  # fmt: skip
        if not st.update_inspection(conn, inspection_id, values):
            raise Conflict("检查记录已提交")
        for v in st.violations(conn, SYSTEM_SCOPE, inspection_ids=[inspection_id]):
            if v["rectify_by"] is not None:
                st.update_violation(conn, v["id"], [ViolationState.OPEN],
                                    {"state": str(ViolationState.RECTIFYING)})  # fmt: skip
        if found["trigger_id"] is not None:
            st.update_trigger(conn, found["trigger_id"], TriggerState.OPEN,
                              state=str(TriggerState.INSPECTED), closed_by=actor,
                              closed_at=values["submitted_at"])  # fmt: skip
        audit.record(
            conn,
            actor=actor,
            action="submit",
            entity="inspection",
            entity_id=str(inspection_id),
            before={"state": "draft"},
            after=_plain({k: v for k, v in values.items() if k != "submitted_at"}),
        )
    return values


# --- follow-up: rectification -------------------------------------------------------------------


def _violation_for_follow_up(conn: sa.Connection, violation_id: int, scope: Scope) -> dict:
    found = _found(st.violation_row(conn, violation_id, scope), "违法行为", violation_id)
    if found["inspection_state"] == InspectionState.DRAFT:
        raise Conflict("检查记录尚未提交：请在检查记录中修改该违法行为")
    return found


def order_rectification(
    engine: sa.Engine,
    violation_id: int,
    *,
    order: str,
    rectify_by: date | str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> None:
    """Order an open violation rectified by a deadline (责令改正), after submission."""
    values = {"rectification_order": _text(order, "整改要求"),
              "rectify_by": _day(rectify_by, "整改期限"),
              "state": str(ViolationState.RECTIFYING)}  # fmt: skip
    with engine.begin() as conn:
        found = _violation_for_follow_up(conn, violation_id, scope)
        if values["rectify_by"] < found["found_on"]:
            raise SupervisionError("整改期限不能早于发现日期")
        if not st.update_violation(conn, violation_id, [ViolationState.OPEN], values):
            raise Conflict("只能对尚未责令整改的违法行为下达整改要求")
        audit.record(conn, actor=actor, action="order_rectification", entity="violation",
                     entity_id=str(violation_id), before={"state": found["state"]},
                     after=_plain(values))  # fmt: skip


def record_rectification(
    engine: sa.Engine,
    violation_id: int,
    *,
    rectified_on: date | str,
    note: str,
    actor: str,
    today: date,
    scope: Scope = SYSTEM_SCOPE,
) -> None:
    """The follow-up: the day the rectification was seen done, and what was seen."""
    values = {"rectified_on": _day(rectified_on, "整改完成日期"),
              "rectification_note": _text(note, "整改情况"),
              "state": str(ViolationState.RECTIFIED)}  # fmt: skip
    with engine.begin() as conn:
        found = _violation_for_follow_up(conn, violation_id, scope)
        if not found["found_on"] <= values["rectified_on"] <= today:
            raise SupervisionError(
                f"整改完成日期：应在发现日期 {found['found_on']} 与今天 {today} 之间"
            )
        if not st.update_violation(conn, violation_id, OPEN_VIOLATION_STATES, values):
            raise Conflict("该违法行为已整改或已作出处理决定")
        audit.record(conn, actor=actor, action="record_rectification", entity="violation",
                     entity_id=str(violation_id), before={"state": found["state"]},
                     after=_plain(values))  # fmt: skip


def rectification_overdue(v: dict[str, Any], today: date) -> int:
    """Days past the deadline of a rectification not yet done (0: not overdue)."""
    if v["state"] != ViolationState.RECTIFYING or v["rectify_by"] is None:
        return 0
    return max(0, (today - v["rectify_by"]).days)


# --- decisions ------------------------------------------------------------------------------------


def _facts(v: dict[str, Any]) -> exemptions.ViolationFacts:
    return exemptions.ViolationFacts(
        id=v["id"], provision=v["provision"], item=v["item"], found_on=v["found_on"],
        harm=Harm(v["harm"]), rectify_by=v["rectify_by"], rectified_on=v["rectified_on"],
    )  # fmt: skip


def _suggest(conn: sa.Connection, v: dict[str, Any], today: date) -> exemptions.Suggestion:
    prior = [exemptions.PriorViolation(p["id"], p["found_on"], p["provision"], p["item"])
             for p in st.prior_violations(conn, v["enterprise_id"])]  # fmt: skip
    return exemptions.check_violation(_facts(v), prior, exemption_list(), today=today,
                                      calendar=work_calendar())  # fmt: skip


def suggestion(
    engine: sa.Engine, violation_id: int, scope: Scope, today: date
) -> exemptions.Suggestion:
    with engine.connect() as conn:
        found = _found(st.violation_row(conn, violation_id, scope), "违法行为", violation_id)
        return _suggest(conn, found, today)


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    explanation: str
    decided_on: date | str
    amount_yuan: str | Decimal | None = None
    rule_id: str | None = None
    public: bool = False


def _amount(value: str | Decimal | None) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise SupervisionError(f"罚款金额：{value!r} 不是金额") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise SupervisionError(f"罚款金额：{value} 应为大于 0、最多两位小数的元数")
    if amount >= Decimal("1e12"):
        raise SupervisionError(f"罚款金额：{value} 过大")
    return amount


def decide(
    engine: sa.Engine,
    violation_id: int,
    decision: DecisionInput,
    *,
    actor: str,
    today: date,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """A person's decision on a violation: a penalty with its amount, a warning, or an
    exemption citing a rule of the list in force (行政处罚法 art. 33). The exemption check is
    run again and stored with the decision; an exemption under a rule one of whose
    conditions is not met is refused, naming the condition."""
    if decision.outcome not in tuple(Outcome):
        raise SupervisionError(f"处理结果：{decision.outcome!r}，应为 {', '.join(Outcome)} 之一")
    outcome = Outcome(decision.outcome)
    amount = _amount(decision.amount_yuan)
    if outcome is Outcome.PENALTY and amount is None:
        raise SupervisionError("罚款金额：作出罚款决定时应填写")
    if outcome is not Outcome.PENALTY and amount is not None:
        raise SupervisionError("罚款金额：只有罚款决定填写金额")
    explanation = _text(decision.explanation, "决定理由")
    decided_on = _day(decision.decided_on, "决定日期")
    assert decided_on is not None
    current = exemption_list()
    with engine.begin() as conn:
        found = _violation_for_follow_up(conn, violation_id, scope)
        if not found["found_on"] <= decided_on <= today:
            raise SupervisionError(f"决定日期：应在发现日期 {found['found_on']} 与今天之间")
        if st.decisions(conn, [violation_id]):
            raise Conflict("该违法行为已作出处理决定")
        advice = _suggest(conn, found, today)
        rule = None
        if outcome is Outcome.EXEMPT:
            rule_id = (decision.rule_id or "").strip()
            check = next((c for c in advice.checks if c.rule_id == rule_id), None)
            if check is None:
                raise SupervisionError(
                    f"免罚依据：清单 {current.version} 中没有适用于该违法行为的事项 {rule_id!r}"
                )
            failed = [c.key for c in check.conditions if c.met is False]
            if failed:
                raise SupervisionError(f"免罚依据：{rule_id} 的条件未满足（{'、'.join(failed)}）")
            rule = current.citation(rule_id)
        values = {"violation_id": violation_id, "enterprise_id": found["enterprise_id"],
                  "decided_on": decided_on, "outcome": str(outcome), "amount_yuan": amount,
                  "exemption_rule": rule, "explanation": explanation,
                  "suggestion": advice.to_dict(), "decided_by": actor,
                  "public": decision.public,
                  "published_on": today if decision.public else None}  # fmt: skip
        try:
            with conn.begin_nested():
                decision_id = st.insert_decision(conn, values)
        except sa.exc.IntegrityError:
            raise Conflict("该违法行为已作出处理决定") from None
        st.update_violation(conn, violation_id, [s.value for s in ViolationState],
                            {"state": str(ViolationState.CLOSED)})  # fmt: skip
        shown = {k: v for k, v in values.items() if k != "suggestion"}
        audit.record(conn, actor=actor, action="decide", entity="penalty_decision",
                     entity_id=str(decision_id), before={"violation_state": found["state"]},
                     after=_plain({**shown, "suggested": advice.outcome.value}))  # fmt: skip
    return {"id": decision_id, **values}
