"""Credit on a stored zone (SQLite and PostgreSQL): the year computed from violations,
decisions, exceedance alerts and hourly data, stored with its rule version and audited;
repair; scope; the credit level in the draw's published inputs.

The hand-worked case is CASE_A of test_credit_rules on the Chongqing file: enterprise 1
has a minor violation rectified on time (-5, +1), a fine of 8000 yuan (-3), three
exceedance alerts (-3) and SO2 at DA001 valid 8 of 10 hours, 80 % (< 90 %: -3): 87, 良好.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.supervision.conftest import LIANGJIANG, PRINCIPALS, SETTINGS, code
from tests.supervision.credit_data import add_decision, add_exceedances, add_hours, add_violation

from ecozone.errors import NotFound
from ecozone.store.schema import audit_log, credit_evaluation, credit_repair
from ecozone.supervision import credit, service
from ecozone.supervision.credit_rules import CreditError

TODAY = date(2026, 10, 1)


@pytest.fixture
def facts(engine: sa.Engine) -> int:
    v = add_violation(engine, 1, "minor", date(2025, 4, 10), due=date(2025, 5, 10),
                      done=date(2025, 5, 5))  # fmt: skip
    add_decision(engine, v, 1, "penalty", 8000, date(2025, 4, 20), published=date(2025, 4, 22))
    add_exceedances(engine, 1, [datetime(2025, 6, d, 10) for d in (1, 2, 3)])
    add_hours(engine, 1, "DA001", datetime(2025, 6, 1), [True] * 4 + [False, False] + [True] * 4)
    # enterprise 2: serious, fined 150000 → 100 - 15 - 12 = 73, vetoed to 不良
    serious = add_violation(engine, 2, "serious", date(2025, 3, 1), item="私设暗管")
    add_decision(engine, serious, 2, "penalty", 150000, date(2025, 3, 20))
    return v


def stored(engine: sa.Engine, enterprise_id: int) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(credit_evaluation).where(
            credit_evaluation.c.enterprise_id == enterprise_id)).mappings().all()  # fmt: skip
    return {r["scheme"]: (r["year"], r["score"], r["level"], r["rule_version"]) for r in rows}


def test_the_year_is_computed_stored_with_its_rule_version_and_audited(
    engine: sa.Engine, facts: int
) -> None:
    done = credit.compute_year(engine, 2025, today=TODAY, actor="admin")
    assert len(done) == 10
    assert stored(engine, 1) == {"chongqing": (2025, 87, "good", "cq-2021-7/1"),
                                 "national": (2025, 86, "good", "huanfa-2013-150/1")}  # fmt: skip
    assert stored(engine, 2)["chongqing"][1:3] == (73, "poor")
    assert stored(engine, 5)["chongqing"][1:3] == (108, "honest")  # a clean year
    found = credit.breakdown(engine, PRINCIPALS["admin"].scope, code(1), 2025)
    cq = found["schemes"][0]
    assert [(f["kind"], f["points"]) for f in cq["factors"]] == [
        ("violation", -5), ("rectification", 1), ("penalty", -3), ("exceedance", -3),
        ("data_quality", -3)]  # fmt: skip
    assert "罚款 8000 元" in cq["factors"][2]["fact"]
    assert "DA001 a21026 有效数据率 80.0%" in cq["factors"][4]["fact"]
    with engine.connect() as conn:
        entries = conn.execute(sa.select(audit_log.c.entity_id).where(
            audit_log.c.entity == "credit_evaluation")).scalars().all()  # fmt: skip
    assert f"{code(1)}/2025" in entries


def test_recomputing_replaces_the_year_and_the_audit_keeps_the_earlier(
    engine: sa.Engine, facts: int
) -> None:
    credit.compute_year(engine, 2025, today=TODAY, actor="admin", credit_code=code(1))
    add_exceedances(engine, 1, [datetime(2025, 7, 1, 8)])  # a fourth: -4 instead of -3
    credit.compute_year(engine, 2025, today=TODAY, actor="admin", credit_code=code(1))
    assert stored(engine, 1)["chongqing"][1] == 86
    with engine.connect() as conn:
        last = conn.execute(sa.select(audit_log.c.before, audit_log.c.after).where(
            audit_log.c.entity == "credit_evaluation").order_by(audit_log.c.id.desc())).first()  # fmt: skip
    assert last.before["chongqing"]["score"] == 87 and last.after["chongqing"]["score"] == 86


def test_a_repair_after_the_publicity_period_restores_the_deductions(
    engine: sa.Engine, facts: int
) -> None:
    with pytest.raises(CreditError, match="公示期未满"):  # published 04-22: 3 months to 07-22
        credit.record_repair(engine, facts, repaired_on="2025-07-21", reason="已整改", actor="a")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(credit_repair)).scalar() == 0
    credit.record_repair(engine, facts, repaired_on="2025-07-22", reason="已整改并公示期满",
                         actor="admin")  # fmt: skip
    credit.compute_year(engine, 2025, today=TODAY, actor="admin", credit_code=code(1))
    assert stored(engine, 1)["chongqing"][1:3] == (87 + 5 + 3, "good")


def test_a_district_supervisor_computes_only_their_district(engine: sa.Engine, facts: int) -> None:
    with pytest.raises(NotFound):
        credit.compute_year(engine, 2025, today=TODAY, actor="yb",
                            scope=PRINCIPALS["other_district"].scope, credit_code=code(1))  # fmt: skip
    done = credit.compute_year(engine, 2025, today=TODAY, actor="yb",
                               scope=PRINCIPALS["other_district"].scope)  # fmt: skip
    assert sorted(d["credit_code"] for d in done) == [code(9), code(10)]
    with pytest.raises(NotFound):
        credit.breakdown(engine, PRINCIPALS["other_district"].scope, code(9), 2024)


def test_a_future_year_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(CreditError, match="年度：2027"):
        credit.compute_year(engine, 2027, today=TODAY, actor="admin")


def test_the_credit_level_is_a_published_input_of_the_draw_and_poor_credit_doubles_weight(
    engine: sa.Engine, facts: int
) -> None:
    credit.compute_year(engine, 2025, today=TODAY, actor="admin")
    made = service.create_campaign(
        engine, name="四季度", period_start="2026-10-01", period_end="2026-12-31",
        district=LIANGJIANG, quotas={"key": {"count": 1}}, settings=SETTINGS, actor="lj")  # fmt: skip
    inputs = service.campaign(engine, made["id"], PRINCIPALS["admin"].scope)["inputs"]
    by_id = {c["id"]: c for c in inputs["candidates"]}
    assert (by_id[1]["credit_level"], by_id[1]["weight"]) == ("good", 1.0)
    assert (by_id[2]["credit_level"], by_id[2]["weight"]) == ("poor", 2.0)  # draw_weight poor
    assert (by_id[3]["credit_level"], by_id[3]["weight"]) == ("honest", 0.5)
    # enterprise 4 has two open alerts: (1 + 0.5 × 2) × 0.5 (honest) = 1.0
    assert by_id[4]["weight"] == 1.0


def test_the_public_sees_the_newest_years_levels_and_no_score(
    engine: sa.Engine, facts: int
) -> None:
    assert credit.public_levels(engine) == (None, [])
    credit.compute_year(engine, 2024, today=TODAY, actor="admin", credit_code=code(1))
    credit.compute_year(engine, 2025, today=TODAY, actor="admin", credit_code=code(1))
    year, rows = credit.public_levels(engine)
    assert year == 2025
    assert rows == [{"credit_code": code(1), "name": "企业01", "year": 2025,
                     "chongqing": {"level": "good", "level_name": "环保良好企业",
                                   "colour": "blue"},
                     "national": {"level": "good", "level_name": "环保良好企业（蓝牌）",
                                  "colour": "blue"}}]  # fmt: skip
