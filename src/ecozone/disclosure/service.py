"""Use cases of disclosure: the list of enterprises that must disclose with their deadlines,
preparing a report from what the platform holds (enterprise basics, permits, emissions and
self-monitoring from the annual self-monitoring report, credit, penalties; hazardous waste,
carbon and emergency plans "not yet held" until those land), publishing it (then it never
changes; preparing again starts a new version), and reading published reports for anyone.

Every write runs in one transaction and is audited. Deadlines: disclosure.rules with the
platform's work calendar (ECOZONE_WORK_CALENDAR).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecozone import config, safeyaml
from ecozone.accounts import audit
from ecozone.accounts.model import SYSTEM_SCOPE, Scope
from ecozone.disclosure import rules
from ecozone.disclosure import store as st
from ecozone.disclosure.model import (
    NOT_HELD,
    DisclosureError,
    DisclosureRules,
    ReportKind,
    ReportState,
)
from ecozone.energy import carbon
from ecozone.errors import Conflict, NotFound
from ecozone.reports import service as self_monitoring
from ecozone.supervision import credit, credit_store
from ecozone.textguard import check_text
from ecozone.times import cst_naive
from ecozone.waste import service as waste_service

RULES_FILE = Path(__file__).with_name("data") / "order24.yaml"
STATEMENT_MAX = 2000
#: Sections of art. 12 the platform does not hold yet.
NOT_YET_HELD = ("emergency", "environmental_tax", "insurance")


@functools.cache
def load_rules() -> DisclosureRules:
    return rules.parse_rules(safeyaml.read_file(RULES_FILE), source=RULES_FILE.name)


def _calendar() -> Any:
    return config.desk_settings().calendar


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def obligations(engine: sa.Engine, scope: Scope, year: int, *, today: date) -> list[dict[str, Any]]:
    """The enterprises in scope that must disclose for `year`, each with its reasons, the
    annual report's due day and state, and the temporary reports its decisions call for."""
    rule = load_rules()
    with engine.connect() as conn:
        found = st.enterprises(conn, scope, year)
        listed = []
        for row in found:
            reasons = rules.obligations(rule, key_permit=row["key_permit"],
                                        fines_yuan=row["fines"])  # fmt: skip
            if reasons:
                listed.append({**row, "reasons": [str(x) for x in reasons]})
        ids = [x["id"] for x in listed]
        published = _published_on(st.reports(conn, None, published_only=True, enterprise_ids=ids))
        events = st.decisions(conn, ids, rule.temporary_outcomes, date(year, 1, 1),
                              date(year, 12, 31))  # fmt: skip
    for row in listed:
        due = rules.annual_due(rule, year)
        done = published.get((row["id"], "annual", year, ""))
        row["annual"] = {"due_on": due, "published_on": done,
                         "state": str(rules.deadline_state(due, done, today))}  # fmt: skip
        row["temporary"] = []
        for d in (x for x in events if x["enterprise_id"] == row["id"]):
            due = rules.temporary_due(rule, d["decided_on"], _calendar())
            done = published.get(
                (row["id"], "temporary", d["decided_on"].year, f"penalty:{d['id']}")
            )
            state = str(rules.deadline_state(due, done, today))
            row["temporary"].append({"penalty_id": d["id"], "decided_on": d["decided_on"],
                                     "outcome": d["outcome"], "due_on": due,
                                     "published_on": done, "state": state})  # fmt: skip
    return listed


def _published_on(rows: list[dict[str, Any]]) -> dict[tuple, date]:
    """The day (CST) each report was first published."""
    first: dict[tuple, date] = {}
    for x in rows:
        key = (x["enterprise_id"], x["kind"], x["year"], x["event"])
        day = cst_naive(x["published_at"]).date()
        first[key] = min(day, first.get(key, day))
    return first


def _basics(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("name", "credit_code", "district", "industry", "address")}


def _annual_content(engine: sa.Engine, row: dict[str, Any], year: int, now: datetime) -> dict:
    report = self_monitoring.build_annual_report(engine, row["credit_code"], year, now=now)
    with engine.connect() as conn:
        evaluated = credit_store.evaluation_rows(conn, row["id"], year)
        decided = st.decisions(conn, [row["id"]], ("penalty", "warning", "exempt"),
                               date(year, 1, 1), date(year, 12, 31))  # fmt: skip
        temporary = [x for x in st.reports(conn, None, published_only=True,
                                           enterprise_ids=[row["id"]])
                     if x["kind"] == "temporary" and x["year"] == year]  # fmt: skip
    levels = {
        s: {"score": v["score"], "level": v["level"], "rule_version": v["rule_version"],
            "level_name": next(lv.name for lv in credit.rule_set(s).levels
                               if lv.code == v["level"])}
        for s, v in evaluated.items()
    }  # fmt: skip
    permits = [{"permit_no": p.permit_no, "management_class": p.management_class,
                "valid_from": _iso(p.valid_from), "valid_to": _iso(p.valid_to)}
               for p in report.permits]  # fmt: skip
    totals = [{"pollutant": t.pollutant, "name": t.name, "emission_t": t.emission_t,
               "annual_cap_t": t.annual_cap_t} for t in report.totals]  # fmt: skip
    outlets = [
        {"code": o.code, "name": o.name, "kind": o.kind, "lines": [
            {"pollutant": ln.pollutant, "name": ln.name, "unit": ln.unit,
             "limit": ln.limit.limit_value if ln.limit else None,
             "standard": ln.limit.standard if ln.limit else None, "mean": ln.mean,
             "max": ln.max, "capture_rate": ln.capture_rate, "valid_rate": ln.valid_rate,
             "exceedance_hours": ln.exceedance_hours, "emission_t": ln.emission_kg / 1000}
            for ln in o.lines]}
        for o in report.outlets
    ]  # fmt: skip
    published = [{"id": x["id"], "event": x["event"], "published_at": _iso(x["published_at"])}
                 for x in temporary]  # fmt: skip
    return {
        "basics": _basics(row),
        "management": {"permits": permits, "credit": levels or NOT_HELD},
        "emissions": {"totals": totals, "outlets": outlets},
        "penalties": [_decision(d) for d in decided],
        "temporary_reports": published,
        "hazardous_waste": _waste_section(engine, row, year),
        "carbon": _carbon_section(engine, row, year),
        **{section: NOT_HELD for section in NOT_YET_HELD},
    }


def _waste_section(engine: sa.Engine, row: dict[str, Any], year: int) -> Any:
    """The year's hazardous waste by code from the waste ledger (the annual declaration's
    table: generated, utilised, disposed, transferred, in tonnes); not held without records."""
    rows = waste_service.declaration(engine, row["credit_code"], year, SYSTEM_SCOPE)["rows"]
    return [{k: r[k] for k in ("code", "name", "category", "generated", "utilised", "disposed",
                               "transferred")} for r in rows] or NOT_HELD  # fmt: skip


def _carbon_section(engine: sa.Engine, row: dict[str, Any], year: int) -> Any:
    """The year's CO2 from the energy and carbon accounts (scope 1 and 2, tce, the factor sets
    used); not held when the platform has no energy data of the year."""
    found = carbon.carbon_report(engine, SYSTEM_SCOPE, row["credit_code"], year,
                                 config.energy_settings())  # fmt: skip
    if not found["lines"]:
        return NOT_HELD
    return {"scope1_t": found["scope1_t"], "scope2_t": found["scope2_t"],
            "total_t": found["total_t"], "tce": found["tce"], "method": found["method"],
            "grid_kind": found["grid_kind"],
            "lines": [{k: ln[k] for k in ("name", "unit", "scope", "amount", "t_co2")}
                      for ln in found["lines"]],
            "factor_sets": found["factor_sets"]}  # fmt: skip


def _decision(d: dict[str, Any]) -> dict[str, Any]:
    return {"penalty_id": d["id"], "decided_on": _iso(d["decided_on"]), "outcome": d["outcome"],
            "amount_yuan": d["amount_yuan"], "found_on": _iso(d["found_on"]),
            "provision": d["provision"], "description": d["description"],
            "rectification": d["rectification_order"]}  # fmt: skip


def prepare(
    engine: sa.Engine,
    *,
    credit_code: str,
    kind: str,
    year: int | str | None = None,
    penalty_id: int | str | None = None,
    statement: str = "",
    actor: str,
    now: datetime,
    scope: Scope = SYSTEM_SCOPE,
) -> dict[str, Any]:
    """Assemble the report from what the platform holds into the open draft, or a new
    version when the last one is published. Annual: `year`; temporary: `penalty_id`."""
    rule = load_rules()
    if kind not in tuple(ReportKind):
        raise DisclosureError(f"报告类型：{kind!r}，应为 annual（年度）或 temporary（临时）")
    text = check_text((statement or "").strip(), "企业说明")
    if len(text) > STATEMENT_MAX:
        raise DisclosureError(f"企业说明：{len(text)} 个字符，最多 {STATEMENT_MAX} 个")
    today = cst_naive(now).date()
    with engine.connect() as conn:
        the_year = _year(year, today) if kind == ReportKind.ANNUAL else today.year
        found = st.enterprises(conn, scope, the_year, credit_code=(credit_code or "").strip())
    if not found:
        raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
    row = found[0]
    if kind == ReportKind.ANNUAL:
        content = _annual_content(engine, row, the_year, now)
        event, due = "", rules.annual_due(rule, the_year)
    else:
        decision = _decision_of(engine, row["id"], penalty_id, rule)
        the_year = decision["decided_on"].year
        event = f"penalty:{decision['id']}"
        due = rules.temporary_due(rule, decision["decided_on"], _calendar())
        content = {"basics": _basics(row), "event": _decision(decision)}
    content["rules"] = {"version": rule.version, "source": rule.source}
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        existing = st.versions(conn, row["id"], kind, the_year, event)
        values = {"content": content, "statement": text, "due_on": due, "prepared_by": actor,
                  "prepared_at": now}  # fmt: skip
        if existing and existing[-1].state == ReportState.DRAFT:
            report_id, version = existing[-1].id, existing[-1].version
            st.update_draft(conn, report_id, values)
        else:
            version = existing[-1].version + 1 if existing else 1
            report_id = st.insert_report(conn, {**values, "enterprise_id": row["id"],
                                                "kind": kind, "year": the_year, "event": event,
                                                "version": version, "state": "draft"})  # fmt: skip
        audit.record(conn, actor=actor, action="prepare", entity="disclosure_report",
                     entity_id=str(report_id), before=None,
                     after={"credit_code": row["credit_code"], "kind": kind, "year": the_year,
                            "event": event, "version": version})  # fmt: skip
    return {"id": report_id, "version": version, "year": the_year, "due_on": due}


def _year(value: int | str | None, today: date) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise DisclosureError(f"年度：{value!r} 不是年份") from None
    if not 2022 <= year < today.year:
        # order 24 took effect 2022-02-08; an annual report covers a finished year
        raise DisclosureError(f"年度：{year}，年度报告只能针对 2022 年至 {today.year - 1} 年")
    return year


def _decision_of(
    engine: sa.Engine, enterprise_id: int, penalty_id: Any, rule: DisclosureRules
) -> dict[str, Any]:
    try:
        wanted = int(str(penalty_id).strip())
    except (TypeError, ValueError):
        raise DisclosureError("临时报告：请选择引起披露的处罚决定") from None
    with engine.connect() as conn:
        found = [d for d in st.decisions(conn, [enterprise_id], rule.temporary_outcomes,
                                         date(2000, 1, 1), date(9999, 12, 31))
                 if d["id"] == wanted]  # fmt: skip
    if not found:
        raise NotFound(f"处罚决定：该企业没有编号为 {wanted} 的行政处罚决定")
    return found[0]


def publish(
    engine: sa.Engine, report_id: int, *, actor: str, now: datetime, scope: Scope = SYSTEM_SCOPE
) -> dict[str, Any]:
    """Publish a draft: from now on it is public and never changes."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        found = st.report(conn, report_id, scope, lock=True)
        if found is None:
            raise NotFound("披露报告：没有该报告")
        if found["state"] != ReportState.DRAFT or not st.publish(conn, report_id, actor, now):
            raise Conflict("该报告已发布，已发布的版本不能修改；如需更正请重新生成新版本")
        audit.record(conn, actor=actor, action="publish", entity="disclosure_report",
                     entity_id=str(report_id), before={"state": "draft"},
                     after={"state": "published", "version": found["version"]})  # fmt: skip
    return {"id": report_id, "version": found["version"]}


def reports(engine: sa.Engine, scope: Scope) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return st.reports(conn, scope)


def report(engine: sa.Engine, report_id: int, scope: Scope) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.report(conn, report_id, scope)
    if found is None:
        raise NotFound("披露报告：没有该报告")
    return found


def public_reports(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every published version, for anyone."""
    with engine.connect() as conn:
        return st.reports(conn, None, published_only=True)


def public_report(engine: sa.Engine, report_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = st.report(conn, report_id, None, published_only=True)
    if found is None:
        raise NotFound("披露报告：没有该已发布报告")
    return found
