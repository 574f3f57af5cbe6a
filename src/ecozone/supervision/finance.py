"""The green-finance feed (长江绿融通, plan item 20): per enterprise its newest credit
levels under both schemes, its penalty decisions and its exceedance statistics, read-only,
for the bank role. Every enterprise of the zone is in the feed: a bank assesses whoever
applies for credit; nothing else of the platform is open to it.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ecozone.errors import NotFound
from ecozone.supervision import credit
from ecozone.supervision import credit_store as st

#: Calendar years of penalties and exceedance statistics in the feed, this one included.
YEARS = 3


def feed(engine: sa.Engine, *, today: date, credit_code: str | None = None) -> list[dict]:
    """One entry per enterprise: credit, penalties (count, total fines, the decisions) and
    exceedance alerts per year, over the last `YEARS` calendar years."""
    first_year = today.year - YEARS + 1
    with engine.connect() as conn:
        rows = st.all_enterprises(conn, credit_code)
        if credit_code is not None and not rows:
            raise NotFound(f"企业：没有统一社会信用代码为 {credit_code!r} 的企业")
        ids = [r["id"] for r in rows]
        levels = credit.feed_levels(conn, ids)
        counts = st.exceedance_counts(conn, ids, first_year)
        decided = st.decisions_since(conn, ids, date(first_year, 1, 1))
    out = []
    for r in rows:
        mine = [d for d in decided if d["enterprise_id"] == r["id"]]
        fines = [d["amount_yuan"] for d in mine if d["outcome"] == "penalty"]
        per_year = counts.get(r["id"], {})
        out.append({
            "credit_code": r["credit_code"], "name": r["name"], "district": r["district"],
            "industry": r["industry"], "credit": levels.get(r["id"], {}),
            "penalties": {"count": len(mine), "fines_yuan": round(sum(fines), 2),
                          "decisions": [{k: d[k] for k in ("decided_on", "outcome",
                                                           "amount_yuan", "provision")}
                                        for d in mine]},
            "exceedances": {"by_year": {y: per_year.get(y, 0)
                                        for y in range(first_year, today.year + 1)},
                            "total": sum(per_year.values())},
        })  # fmt: skip
    return out
