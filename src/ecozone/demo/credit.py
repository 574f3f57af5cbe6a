"""The demo's credit and disclosure data: last year's enforcement history of two
enterprises of 两江新区 (a minor violation rectified on time with a 20 000-yuan fine, and a
serious one fined 150 000 yuan), two exceedance alerts, the year's credit computed for every
enterprise, and the first enterprise's annual disclosure report on that year, published.
Demo data, not rulings: it is written into the enforcement tables as their history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from ecozone.disclosure import service as disclosure
from ecozone.store.schema import alert, enterprise, penalty_decision, violation
from ecozone.supervision import credit

ACTOR = "demo"


def _id(conn: sa.Connection, credit_code: str) -> int:
    return conn.execute(
        sa.select(enterprise.c.id).where(enterprise.c.credit_code == credit_code)
    ).scalar_one()


def _history(conn: sa.Connection, enterprise_id: int, year: int, case: dict[str, Any]) -> None:
    violation_id = conn.execute(violation.insert().values(
        enterprise_id=enterprise_id, found_on=date(year, *case["found"]),
        provision=case["provision"], item=case["item"], description=case["description"],
        harm=case["harm"], state=case["state"], rectification_order=case["order"],
        rectify_by=date(year, *case["due"]),
        rectified_on=date(year, *case["done"]) if case.get("done") else None,
        created_by=ACTOR)).inserted_primary_key[0]  # fmt: skip
    conn.execute(penalty_decision.insert().values(
        violation_id=violation_id, enterprise_id=enterprise_id,
        decided_on=date(year, *case["decided"]), outcome="penalty",
        amount_yuan=case["fine"], explanation=case["explanation"], decided_by=ACTOR,
        public=True, published_on=date(year, *case["decided"])))  # fmt: skip


CASES = (
    {"found": (5, 12), "due": (6, 12), "done": (6, 5), "decided": (5, 20), "fine": 20000,
     "harm": "minor", "state": "rectified", "item": "废气超标排放",
     "provision": "《中华人民共和国大气污染防治法》第九十九条第二项",
     "description": "涂装车间烘干废气排气筒颗粒物小时浓度超过许可限值",
     "order": "立即整改，30 日内完成治理设施检修", "explanation": "首次违法，已按期整改，从轻处罚"},
    {"found": (8, 3), "due": (10, 31), "decided": (8, 20), "fine": 150000, "harm": "serious",
     "state": "rectifying", "item": "治污设施不正常运行",
     "provision": "《中华人民共和国大气污染防治法》第九十九条第三项",
     "description": "生产期间废气治理设施停运，通过旁路直接排放",
     "order": "立即停止违法行为，恢复治理设施正常运行", "explanation": "危害后果严重，依法处罚"},
)  # fmt: skip


def seed_credit(engine: sa.Engine, registry: dict[str, Any], today: date) -> int:
    """Last year's history, its credit for every enterprise and one published disclosure
    report; the report's id."""
    year = today.year - 1
    liangjiang = [e["credit_code"] for e in registry["enterprises"] if e["district"] == "两江新区"]
    with engine.begin() as conn:
        for code, case in zip(liangjiang[:2], CASES, strict=True):
            _history(conn, _id(conn, code), year, case)
        conn.execute(alert.insert(), [
            {"type": "exceedance", "enterprise_id": _id(conn, liangjiang[0]),
             "pollutant": "a34013", "start": datetime(year, 5, d, 9),
             "end": datetime(year, 5, d, 11),
             "state": "closed", "close_reason": "resolved",
             "condition_key": f"demo:exceedance:{year}:{d}"}
            for d in (10, 11)
        ])  # fmt: skip
    credit.compute_year(engine, year, today=today, actor=ACTOR)
    now = datetime.now(UTC)
    statement = "本企业对所披露信息的真实性、准确性、完整性负责。"
    made = disclosure.prepare(engine, credit_code=registry["enterprises"][0]["credit_code"],
                              kind="annual", year=year, statement=statement, actor=ACTOR,
                              now=now)  # fmt: skip
    disclosure.publish(engine, made["id"], actor=ACTOR, now=now)
    return made["id"]
