"""Use cases of supervision: the pool, listings, target lists, campaigns and their draw.

Each write runs in one transaction and is audited. A campaign freezes its inputs and a
commitment when it is created; the draw runs once on exactly those inputs (rules.draw),
stores the result and the drawn inspections, and reveals the seed.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.errors import Conflict, Forbidden, NotFound
from ecozone.registry import secrets as sealed
from ecozone.registry import store as registry_store
from ecozone.supervision import inspection_store, rules
from ecozone.supervision import store as st
from ecozone.supervision.credit import draw_levels
from ecozone.supervision.model import (
    CandidateStatus,
    Category,
    ListingKind,
    SupervisionError,
    SupervisionSettings,
)
from ecozone.textguard import check_text
from ecozone.times import utc_now

NAME_MAX, REASON_MAX = 100, 300

#: Purpose bound into the seal of an undrawn campaign's seed (registry.secrets): until the
#: draw the seed is as secret as a device password, so a database dump cannot precompute it.
SEED_PURPOSE = "campaign seed"


def _text(value: str | None, field: str, limit: int) -> str:
    text = check_text((value or "").strip(), field)
    if not text:
        raise SupervisionError(f"{field}：不能为空")
    if len(text) > limit:
        raise SupervisionError(f"{field}：{len(text)} 个字符，最多 {limit} 个")
    return text


def _day(value: date | str, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SupervisionError(f"{field}：{value!r} 不是日期（YYYY-MM-DD）") from None


def _district(conn: sa.Connection, name: str | None, scope: Scope) -> int | None:
    """The district named (None: the zone); a district supervisor only their own."""
    district_id = st.district_id(conn, name) if name else None
    if name and district_id is None:
        raise SupervisionError(f"区县：没有名为 {name!r} 的区县")
    if scope.district_id is not None and not scope.everything and district_id != scope.district_id:
        raise Forbidden("区县监管人员只能管理本区县")
    return district_id


def _enterprise(conn: sa.Connection, credit_code: str, scope: Scope) -> dict[str, Any]:
    found = st.enterprise_by_code(conn, (credit_code or "").strip(), scope)
    if found is None:
        raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
    return found


# --- the inspector pool ----------------------------------------------------------------


def add_inspector(
    engine: sa.Engine,
    *,
    name: str,
    unit: str,
    certificate_no: str,
    district: str | None = None,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    values = {
        "name": _text(name, "姓名", NAME_MAX),
        "unit": _text(unit, "单位", 200),
        "certificate_no": _text(certificate_no, "执法证号", 40),
    }
    with engine.begin() as conn:
        values["district_id"] = _district(conn, district, scope)
        if st.certificate_taken(conn, values["certificate_no"]):
            raise Conflict(f"执法证号：{values['certificate_no']} 已在名录库中")
        inspector_id = st.insert_inspector(conn, values)
        audit.record(conn, actor=actor, action="create", entity="inspector",
                     entity_id=str(inspector_id), before=None, after=values)  # fmt: skip
    return {"id": inspector_id, **values, "district": district or None}


def declare_conflict(
    engine: sa.Engine,
    inspector_id: int,
    *,
    credit_code: str,
    reason: str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """The inspector recuses from the enterprise (应当依法回避, domain-2.md §7)."""
    reason = _text(reason, "回避原因", REASON_MAX)
    with engine.begin() as conn:
        if st.inspector_row(conn, inspector_id, scope) is None:
            raise NotFound(f"执法人员：没有编号为 {inspector_id} 的执法人员")
        target = _enterprise(conn, credit_code, scope)
        if not st.insert_conflict(conn, inspector_id, target["id"], reason):
            raise Conflict(f"回避：该执法人员与 {target['name']} 的利害关系已登记")
        after = {"enterprise_id": target["id"], "reason": reason}
        audit.record(conn, actor=actor, action="declare_conflict", entity="inspector",
                     entity_id=str(inspector_id), before=None, after=after)  # fmt: skip
    return {"inspector_id": inspector_id, "enterprise": target["name"], "reason": reason}


def inspectors(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return st.inspectors(conn, scope)


# --- listings and target lists ---------------------------------------------------------


def add_listing(
    engine: sa.Engine,
    *,
    credit_code: str,
    kind: str,
    reason: str,
    valid_from: date | str,
    valid_to: date | str | None = None,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Put an enterprise on the positive list, a pledge-based exemption or the
    special-attention list, with its reason and dates."""
    if kind not in tuple(ListingKind):
        raise SupervisionError(f"清单类型：{kind!r}，应为 {', '.join(ListingKind)} 之一")
    values: dict[str, Any] = {
        "kind": kind,
        "reason": _text(reason, "理由", 500),
        "valid_from": _day(valid_from, "起始日期"),
        "valid_to": _day(valid_to, "截止日期") if valid_to else None,
        "created_by": actor,
    }
    if values["valid_to"] and values["valid_to"] < values["valid_from"]:
        raise SupervisionError("截止日期不能早于起始日期")
    with engine.begin() as conn:
        target = _enterprise(conn, credit_code, scope)
        values["enterprise_id"] = target["id"]
        listing_id = st.insert_listing(conn, values)
        after = {k: str(v) if isinstance(v, date) else v for k, v in values.items()}
        audit.record(conn, actor=actor, action="create", entity="supervision_listing",
                     entity_id=str(listing_id), before=None, after=after)  # fmt: skip
    return {"id": listing_id, **values, "name": target["name"]}


def listings(engine: sa.Engine, scope: Scope, kind: str | None = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return st.listings(conn, scope, kind)


def target_lists(
    engine: sa.Engine, scope: Scope, *, day: date, district: str | None = None
) -> list[dict[str, Any]]:
    """Each enterprise in scope with its category, listings and open alerts on `day`."""
    with engine.connect() as conn:
        district_id = _district(conn, district, scope) if district else None
        rows = st.targets(conn, scope, day, district_id)
    for row in rows:
        row["category"] = rules.category_of(row["key_permit"], "attention" in row["listed"]).value
    return rows


# --- campaigns ---------------------------------------------------------------------------


def create_campaign(
    engine: sa.Engine,
    *,
    name: str,
    period_start: date | str,
    period_end: date | str,
    quotas: dict[str, dict[str, Any]],
    district: str | None = None,
    triggered: list[str] = (),  # type: ignore[assignment]
    settings: SupervisionSettings,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Freeze the campaign's inputs, draw a secret seed and store its commitment. The
    triggered enterprises are those named plus those with an open inspection trigger."""
    name = _text(name, "名称", 200)
    first, last = _day(period_start, "开始日期"), _day(period_end, "结束日期")
    if last < first:
        raise SupervisionError("结束日期不能早于开始日期")
    unknown = sorted(set(quotas) - set(Category))
    if unknown:
        raise SupervisionError(f"对象类别：{', '.join(unknown)} 未知，应为 {', '.join(Category)}")
    quotas = {str(k): rules.check_quota(k, v) for k, v in quotas.items()}
    if not quotas:
        raise SupervisionError("请至少为一类对象设置抽查比例或数量")
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        district_id = _district(conn, district, scope)
        forced = {_enterprise(conn, code, scope)["id"] for code in triggered if code.strip()}
        # Open on-site triggers (an unresolved alert, a power finding, a complaint) are in too.
        forced |= inspection_store.open_trigger_enterprises(conn, district_id)
        inputs = _inputs(conn, scope, name, district, district_id, first, last, quotas,
                         forced, settings)  # fmt: skip
        short = rules.short_of_inspectors(inputs)
        if short:
            need = settings.min_inspectors
            names = "、".join(short[:5])
            raise SupervisionError(f"执法人员不足：{names} 可抽取的执法人员少于 {need} 名")
        seed = secrets.token_hex(rules.SEED_BYTES)
        values = {
            "name": name,
            "district_id": district_id,
            "period_start": first,
            "period_end": last,
            "state": "committed",
            "inputs": inputs,
            "inputs_sha256": rules.inputs_digest(inputs),
            "commitment": rules.commitment(seed),
            "seed": sealed.seal(seed, SEED_PURPOSE),
            "created_by": actor,
        }
        campaign_id = st.insert_campaign(conn, values)
        shown = {k: values[k] for k in ("name", "inputs_sha256", "commitment")}
        after = {**shown, "district": district, "period": f"{first}..{last}"}
        audit.record(conn, actor=actor, action="create", entity="inspection_campaign",
                     entity_id=str(campaign_id), before=None, after=after)  # fmt: skip
    return {"id": campaign_id, **shown}


def _inputs(
    conn: sa.Connection,
    scope: Scope,
    name: str,
    district: str | None,
    district_id: int | None,
    first: date,
    last: date,
    quotas: dict[str, Any],
    forced: set[int],
    settings: SupervisionSettings,
) -> dict[str, Any]:
    rows = st.targets(conn, scope, first, district_id)
    windows = [rules.cap_window(c, first, settings) for c in Category]
    inspected = st.inspected_between(conn, min(w[0] for w in windows), max(w[1] for w in windows))
    teams = st.previous_teams(conn, [r["id"] for r in rows])
    credit = draw_levels(conn, [r["id"] for r in rows], first)
    candidates = []
    for row in rows:
        category = rules.category_of(row["key_permit"], "attention" in row["listed"])
        window = rules.cap_window(category, first, settings)
        capped = any(window[0] <= d <= window[1] for d in inspected.get(row["id"], ()))
        if row["id"] in forced:
            status = CandidateStatus.TRIGGERED
        elif "pledge" in row["listed"]:
            status = CandidateStatus.PLEDGED
        elif capped:
            status = CandidateStatus.CAPPED
        else:
            status = CandidateStatus.ELIGIBLE
        positive = "positive" in row["listed"]
        level = credit.get(row["id"], {"credit_level": None, "credit_factor": 1.0})
        candidates.append({
            "id": row["id"], "credit_code": row["credit_code"], "name": row["name"],
            "category": str(category), "status": str(status), "open_alerts": row["open_alerts"],
            "positive": positive, "credit_level": level["credit_level"],
            "weight": rules.weight(row["open_alerts"], positive, settings,
                                   level["credit_factor"]),
            "previous_inspectors": teams.get(row["id"], []),
        })  # fmt: skip
    pool = [
        {"id": i["id"], "name": i["name"], "unit": i["unit"], "certificate_no": i["certificate_no"],
         "conflicts": sorted(c["enterprise_id"] for c in i["conflicts"])}
        for i in st.inspectors(conn, SYSTEM_SCOPE, district_id) if i["active"]
    ]  # fmt: skip
    return {
        "campaign": name,
        "scope": district or "全区",
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "quotas": quotas,
        "min_inspectors": settings.min_inspectors,
        "candidates": candidates,
        "inspectors": pool,
    }


def draw_campaign(
    engine: sa.Engine, campaign_id: int, *, actor: str, scope: Scope = SYSTEM_SCOPE
) -> dict[str, Any]:
    """Draw a committed campaign, once: a drawn campaign is never drawn again."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        found = st.campaign(conn, campaign_id, scope, lock=True)
        if found is None:
            raise NotFound(f"抽查计划：没有编号为 {campaign_id} 的抽查计划")
        if found["state"] != "committed":
            raise Conflict("该抽查计划已抽取，不能重新抽取")
        seed = sealed.open_sealed(found["seed"], SEED_PURPOSE)
        result = rules.draw(found["inputs"], seed)
        found["seed"] = seed  # revealed from now on, stored in clear with the result
        if not st.mark_drawn(conn, campaign_id, {"result": result, "drawn_by": actor,
                                                 "drawn_at": utc_now(), "seed": seed}):  # fmt: skip
            raise Conflict("该抽查计划已抽取，不能重新抽取")
        st.insert_assignments(conn, campaign_id, [
            {"enterprise_id": i["enterprise_id"], "planned_date": date.fromisoformat(i["date"]),
             "triggered": i["triggered"], "inspector_ids": i["inspectors"]}
            for i in result["inspections"]
        ])  # fmt: skip
        audit.record(conn, actor=actor, action="draw", entity="inspection_campaign",
                     entity_id=str(campaign_id), before={"state": "committed"},
                     after={"state": "drawn", "seed": found["seed"],
                            "inspections": len(result["inspections"])})  # fmt: skip
    return {"id": campaign_id, "seed": found["seed"], "result": result}


def campaigns(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [_shown(c) for c in st.campaigns(conn, scope)]


def campaign(engine: sa.Engine, campaign_id: int, scope: Scope) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.campaign(conn, campaign_id, scope)
    if found is None:
        raise NotFound(f"抽查计划：没有编号为 {campaign_id} 的抽查计划")
    return _shown(found)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A campaign as it may be shown: the seed only once drawn."""
    shown = {k: v for k, v in row.items() if k != "seed"}
    if row["state"] == "drawn":
        shown["seed"] = row["seed"]
    return shown


def draw_record(engine: sa.Engine, campaign_id: int, scope: Scope) -> dict[str, Any]:
    """The published record: inputs and commitment; seed and result once drawn."""
    found = campaign(engine, campaign_id, scope)
    drawn = found["state"] == "drawn"
    doc = rules.record(found["inputs"], found.get("seed"), found["result"] if drawn else None)
    doc["commitment"] = found["commitment"]
    return {"campaign_id": campaign_id, **doc}


def public_record(engine: sa.Engine, campaign_id: int) -> dict[str, Any]:
    """A drawn campaign's record for anyone; a committed one is not public (404)."""
    found = campaign(engine, campaign_id, SYSTEM_SCOPE)
    if found["state"] != "drawn":
        raise NotFound(f"抽查计划：没有编号为 {campaign_id} 的已抽取计划")
    return draw_record(engine, campaign_id, SYSTEM_SCOPE)


def public_results(engine: sa.Engine) -> list[dict[str, Any]]:
    """一公开: per drawn campaign its name, scope, period and the enterprises drawn with
    their inspection dates, and nothing else."""
    with engine.connect() as conn:
        drawn = st.campaigns(conn, SYSTEM_SCOPE, drawn_only=True)
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "district": c["district"],  # None: the whole zone
            "period_start": c["period_start"],
            "period_end": c["period_end"],
            "inspections": [
                {"name": i["name"], "date": i["date"]} for i in c["result"]["inspections"]
            ],
        }
        for c in drawn
    ]


def districts(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    """The districts a viewer may run campaigns and keep a pool for."""
    with engine.connect() as conn:
        return registry_store.districts_in_scope(conn, scope)
