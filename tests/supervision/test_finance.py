"""The green-finance feed: every enterprise with its newest credit levels, its decisions and
exceedance alerts per year over the last three calendar years; banks and admins only."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from tests.supervision.conftest import code
from tests.supervision.credit_data import add_decision, add_exceedances, add_violation

from ecozone.supervision import credit, finance

TODAY = date(2026, 10, 1)


def test_the_feed_holds_credit_penalties_and_exceedances_per_year(engine: sa.Engine) -> None:
    v = add_violation(engine, 9, "minor", date(2025, 4, 10))
    add_decision(engine, v, 9, "penalty", 8000, date(2025, 4, 20))
    w = add_violation(engine, 9, "none", date(2026, 2, 1))
    add_decision(engine, w, 9, "warning", None, date(2026, 2, 5))
    old = add_violation(engine, 9, "minor", date(2023, 5, 1))  # before the three years
    add_decision(engine, old, 9, "penalty", 5000, date(2023, 5, 9))
    add_exceedances(engine, 9, [datetime(2024, 3, 1, 8), datetime(2026, 1, 2, 8),
                                datetime(2026, 1, 3, 8)])  # fmt: skip
    credit.compute_year(engine, 2025, today=TODAY, actor="admin", credit_code=code(9))
    [entry] = finance.feed(engine, today=TODAY, credit_code=code(9))
    # 2025: 100 - 5 (minor, no rectification order) - 3 (fine 8000) = 92 → 良好 / 绿牌 (≥ 90)
    assert entry["credit"]["chongqing"] == {"year": 2025, "level": "good",
                                            "level_name": "环保良好企业", "colour": "blue"}  # fmt: skip
    assert entry["credit"]["national"]["colour"] == "green"
    assert (entry["penalties"]["count"], entry["penalties"]["fines_yuan"]) == (2, 8000)
    assert entry["exceedances"] == {"by_year": {2024: 1, 2025: 0, 2026: 2}, "total": 3}
    everyone = finance.feed(engine, today=TODAY)
    assert len(everyone) == 10 and all(e["credit"] == {} for e in everyone if e is not entry
                                       and e["credit_code"] != code(9))  # fmt: skip


def test_the_finance_api_is_for_banks_and_admins(client_as) -> None:
    assert client_as("public").get("/api/v1/finance/enterprises").status_code == 401
    assert client_as("district").get("/api/v1/finance/enterprises").status_code == 403
