"""Use cases of enterprise credit: compute (or recompute) a year for the enterprises in
scope under every shipped scheme, store each score with its factors and the rule version,
record a credit repair, read the evaluations and the breakdown of one enterprise-year.

Rules come from data/credit-<scheme>.yaml (credit_rules.parse_rule_set); the facts from
the platform's violations, penalty decisions, alerts and hourly aggregates (credit_store).
Every write runs in one transaction and is audited.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecozone import safeyaml
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.errors import Conflict, NotFound
from ecozone.supervision import credit_rules as rules
from ecozone.supervision import credit_store as st
from ecozone.supervision.credit_rules import CreditError, Evaluation, Facts, RuleSet
from ecozone.textguard import check_text
from ecozone.times import utc_now

DATA = Path(__file__).with_name("data")
SCHEMES = ("chongqing", "national")
#: The scheme the draw and the feeds read: the zone is in Chongqing (渝环规〔2021〕7号).
DRAW_SCHEME = "chongqing"
FIRST_YEAR = 2000


@functools.cache
def rule_set(scheme: str) -> RuleSet:
    """The shipped rule set of `scheme`, read and checked once per process."""
    if scheme not in SCHEMES:
        raise CreditError(f"信用评价体系：{scheme!r}，应为 {', '.join(SCHEMES)} 之一")
    path = DATA / f"credit-{scheme}.yaml"
    return rules.parse_rule_set(safeyaml.read_file(path), source=path.name)


def check_year(year: int | str, today: date) -> int:
    try:
        value = int(str(year).strip())
    except ValueError:
        raise CreditError(f"年度：{year!r} 不是年份") from None
    if not FIRST_YEAR <= value <= today.year:
        raise CreditError(f"年度：{value}，应在 {FIRST_YEAR}–{today.year} 之间")
    return value


def facts(conn: sa.Connection, enterprise_id: int, year: int, as_of: date) -> Facts:
    return Facts(
        year=year,
        violations=st.violations(conn, enterprise_id, year),
        penalties=st.penalties(conn, enterprise_id, year),
        exceedances=st.exceedances(conn, enterprise_id, year),
        data_quality=st.valid_rates(conn, enterprise_id, year),
        overdue_alerts=st.overdue_alerts(conn, enterprise_id, year, as_of),
        repairs=st.repairs(conn, enterprise_id),
    )


def _stored(found: Evaluation, enterprise_id: int, as_of: date, actor: str) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id, "year": found.year, "scheme": found.scheme,
        "rule_version": found.version, "score": found.score, "level": found.level.code,
        "vetoed": found.vetoed, "as_of": as_of, "computed_by": actor, "computed_at": utc_now(),
        "factors": [{**asdict(ln), "kind": str(ln.kind)} for ln in found.lines],
    }  # fmt: skip


def compute_year(
    engine: sa.Engine,
    year: int | str,
    *,
    today: date,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
    credit_code: str | None = None,
) -> list[dict[str, Any]]:
    """Compute the year's credit of every enterprise in scope (or the one named) under
    every scheme and store it, replacing an earlier computation; a year is judged as of
    its last day, or today while it runs."""
    the_year = check_year(year, today)
    as_of = min(today, date(the_year, 12, 31))
    done = []
    with engine.begin() as conn:
        targets = st.enterprises(conn, scope, credit_code.strip() if credit_code else None)
        if credit_code and not targets:
            raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
        for target in targets:
            known = facts(conn, target["id"], the_year, as_of)
            before = st.evaluation_rows(conn, target["id"], the_year)
            after = {}
            for scheme in SCHEMES:
                found = rules.evaluate(rule_set(scheme), known, as_of=as_of)
                st.save_evaluation(conn, _stored(found, target["id"], as_of, actor))
                after[scheme] = {"score": found.score, "level": found.level.code,
                                 "rule_version": found.version}  # fmt: skip
            audit.record(conn, actor=actor, action="compute", entity="credit_evaluation",
                         entity_id=f"{target['credit_code']}/{the_year}",
                         before={s: {"score": r["score"], "level": r["level"],
                                     "rule_version": r["rule_version"]}
                                 for s, r in before.items()} or None,
                         after=after)  # fmt: skip
            done.append({"credit_code": target["credit_code"], "name": target["name"], **after})
    return done


def evaluations(engine: sa.Engine, scope: Scope, year: int | None = None) -> list[dict]:
    with engine.connect() as conn:
        rows = st.evaluations(conn, scope, year)
    for row in rows:
        for scheme in SCHEMES:
            if scheme in row:
                row[scheme]["level_name"] = _level(scheme, row[scheme]["level"]).name
                row[scheme]["colour"] = _level(scheme, row[scheme]["level"]).colour
    return rows


def public_levels(engine: sa.Engine, year: int | None = None) -> tuple[int | None, list[dict]]:
    """The published result (评价结果向社会公开): every evaluated enterprise's levels of
    `year` (default: the newest evaluated year), without scores or factors."""
    with engine.connect() as conn:
        rows = st.evaluations(conn, SYSTEM_SCOPE, year)
    if year is None and rows:
        year = max(r["year"] for r in rows)
        rows = [r for r in rows if r["year"] == year]
    shown = []
    for r in rows:
        entry = {"credit_code": r["credit_code"], "name": r["name"], "year": r["year"]}
        for scheme in SCHEMES:
            if scheme in r:
                level = _level(scheme, r[scheme]["level"])
                entry[scheme] = {"level": level.code, "level_name": level.name,
                                 "colour": level.colour}  # fmt: skip
        shown.append(entry)
    return year, shown


def _level(scheme: str, code: str) -> rules.Level:
    return next(lv for lv in rule_set(scheme).levels if lv.code == code)


def breakdown(engine: sa.Engine, scope: Scope, credit_code: str, year: int) -> dict[str, Any]:
    """One enterprise-year: each scheme's score, level, rule version and every factor with
    the fact that caused it; the violations that may be repaired."""
    with engine.connect() as conn:
        found = st.enterprises(conn, scope, credit_code)
        if not found:
            raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
        target = found[0]
        stored = st.evaluation_rows(conn, target["id"], year)
        if not stored:
            raise NotFound(f"{target['name']} {year} 年度尚未计算信用评价")
        violations = st.violations(conn, target["id"], year)
        repaired = st.repairs(conn, target["id"])
    schemes = []
    for scheme in SCHEMES:
        if scheme not in stored:
            continue
        row, rule = stored[scheme], rule_set(scheme)
        level = _level(scheme, row["level"])
        schemes.append({**row, "title": rule.title, "source": rule.source, "base": rule.base,
                        "level_name": level.name, "colour": level.colour,
                        "current_version": rule.version})  # fmt: skip
    return {
        "enterprise": target,
        "year": year,
        "schemes": schemes,
        "violations": [{**v, "repaired_on": repaired.get(v["id"])} for v in violations],
    }


def record_repair(
    engine: sa.Engine,
    violation_id: int,
    *,
    repaired_on: date | str,
    reason: str,
    actor: str,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """信用修复 of a rectified violation once its publicity period has run (rule data); the
    next computation of its year restores its deductions."""
    try:
        day = repaired_on if isinstance(repaired_on, date) else date.fromisoformat(
            str(repaired_on).strip())  # fmt: skip
    except ValueError:
        raise CreditError(f"修复日期：{repaired_on!r} 不是日期（YYYY-MM-DD）") from None
    text = check_text((reason or "").strip(), "修复理由")
    if not text:
        raise CreditError("修复理由：不能为空")
    with engine.begin() as conn:
        found = st.violation_row(conn, violation_id, scope)
        if found is None:
            raise NotFound(f"违法行为：没有编号为 {violation_id} 的违法行为")
        refusal = rules.repair_refusal(rule_set(DRAW_SCHEME), found, found["published_on"], day)
        if refusal:
            raise CreditError(refusal)
        values = {"enterprise_id": found["enterprise_id"], "violation_id": violation_id,
                  "repaired_on": day, "reason": text, "recorded_by": actor}  # fmt: skip
        repair_id = st.insert_repair(conn, values)
        if repair_id is None:
            raise Conflict(f"违法行为 {violation_id} 的信用已修复")
        audit.record(conn, actor=actor, action="create", entity="credit_repair",
                     entity_id=str(repair_id), before=None,
                     after={**values, "repaired_on": day.isoformat()})  # fmt: skip
    return {"id": repair_id, "credit_code": found["credit_code"], "year": found["found_on"].year}


def draw_levels(conn: sa.Connection, enterprise_ids: list[int], first_day: date) -> dict:
    """For the draw's inputs: each enterprise's newest Chongqing level of a year before the
    campaign's, with the factor it puts on the draw weight (rule data)."""
    rule = rule_set(DRAW_SCHEME)
    found = st.latest_levels(conn, enterprise_ids, DRAW_SCHEME, first_day.year)
    return {
        eid: {"credit_level": f["level"], "credit_year": f["year"],
              "credit_factor": rule.draw_weight.get(f["level"], 1.0)}
        for eid, f in found.items()
    }  # fmt: skip


def feed_levels(conn: sa.Connection, enterprise_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The newest evaluation of every enterprise under each scheme, for the finance feed."""
    out: dict[int, dict[str, Any]] = {}
    for scheme in SCHEMES:
        for eid, f in st.latest_levels(conn, enterprise_ids, scheme, 10_000).items():
            level = _level(scheme, f["level"])
            out.setdefault(eid, {})[scheme] = {
                "year": f["year"],
                "level": level.code,
                "level_name": level.name,
                "colour": level.colour,
            }
    return out
