"""The demo's ledgers: carbon allowances of five key emitters of last year with their
verified emissions, trades over the past months (settled, one offered to the demo
enterprise, one awaiting approval), surrenders, and this year's discharge rights from the
demo permits with a few trades. Demo figures, not real allocations or prices.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.store.schema import enterprise
from ecozone.trading import positions, service
from ecozone.trading.model import TradingError, TradingSettings

ACTOR = "demo"
SETTINGS = TradingSettings()

#: Carbon key emitters by credit code: (allocation, verified emissions) in tCO2e.
CARBON = {
    "91500107MAQ0NE243F": (880_000, 842_000),  # 火力发电, 九龙坡区
    "91500000MA2CMXLW7U": (420_000, 440_000),  # 热电联产, 两江新区
    "91500000MAAQU7NM83": (95_000, 91_000),  # 显示面板
    "91500000MA7YXJ3U76": (38_000, 41_000),  # 汽车制造 (the demo enterprise user's)
    "91500000MA3XMTLB5G": (26_000, 25_000),  # 新能源汽车电池
}
#: (days ago, seller, buyer, tCO2e, ¥/t) of settled carbon trades.
CARBON_TRADES = [
    (150, "91500107MAQ0NE243F", "91500000MA2CMXLW7U", "10000", "41.20"),
    (120, "91500000MAAQU7NM83", "91500000MA7YXJ3U76", "1500", "42.80"),
    (95, "91500107MAQ0NE243F", "91500000MA2CMXLW7U", "6000", "43.50"),
    (64, "91500000MA3XMTLB5G", "91500000MA7YXJ3U76", "500", "45.00"),
    (33, "91500107MAQ0NE243F", "91500000MA7YXJ3U76", "1000", "46.80"),
    (5, "91500107MAQ0NE243F", "91500000MA2CMXLW7U", "2000", "47.60"),
]
#: (days ago, seller, buyer, pollutant, t/a, ¥/t) of settled discharge-rights trades.
DISCHARGE_TRADES = [
    (40, "91500000MA3QAMBA2W", "91500000MA7YXJ3U76", "w01018", "10", "1360"),
    (12, "91500000MAAQU7NM83", "91500000MA3XMTLB5G", "a21002", "5", "1250"),
]


def seed_trading(engine: sa.Engine, today: date) -> dict[str, Any]:
    """The demo ledgers as of `today` (China Standard Time); what was made."""
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
    now = datetime(today.year, today.month, today.day, 2, tzinfo=UTC)  # 10:00 CST
    last = today.year - 1
    made: dict[str, Any] = {"allocations": 0, "trades": 0}
    for code, (allocation, verified) in CARBON.items():
        if code not in ids:
            continue
        service.allocate(engine, None, market="carbon", enterprise_id=ids[code], instrument=None,
                         vintage=last, quantity=allocation, reason=f"{last} 年度配额分配（演示）",
                         actor=ACTOR, settings=SETTINGS, now=now - timedelta(days=200))  # fmt: skip
        service.record_verified(engine, None, enterprise_id=ids[code], year=last,
                                emissions_t=verified, verifier="重庆示例碳核查机构",
                                verified_on=max(date(today.year, 1, 1), today - timedelta(days=20)),
                                actor=ACTOR, now=now)  # fmt: skip
        made["allocations"] += 1
    for days, seller, buyer, quantity, price in CARBON_TRADES:
        made["trades"] += _settle(engine, ids, now - timedelta(days=days), seller, buyer,
                                  "carbon", None, last, quantity, price)  # fmt: skip
    for code, years in (("91500107MAQ0NE243F", 842_000), ("91500000MAAQU7NM83", 91_000)):
        if code in ids:
            service.surrender(engine, None, enterprise_id=ids[code], year=last, vintage=last,
                              quantity=years, actor=ACTOR, settings=SETTINGS, now=now)  # fmt: skip
    for firm_id in ids.values():
        try:
            service.allocate_from_permit(engine, None, enterprise_id=firm_id, vintage=today.year,
                                         actor=ACTOR, settings=SETTINGS,
                                         now=now - timedelta(days=60))  # fmt: skip
            made["allocations"] += 1
        except TradingError:
            continue  # no permit with annual caps for this enterprise this year
    for days, seller, buyer, pollutant, quantity, price in DISCHARGE_TRADES:
        made["trades"] += _settle(engine, ids, now - timedelta(days=days), seller, buyer,
                                  "discharge", pollutant, today.year, quantity, price)  # fmt: skip
    # Open business for the pages: an offer to the demo enterprise, one awaiting approval.
    _offer(engine, ids, now, "91500000MAAQU7NM83", "91500000MA7YXJ3U76", "1200", "48.00")
    waiting = _offer(engine, ids, now, "91500000MA3XMTLB5G", "91500000MA2CMXLW7U", "800",
                     "48.50")  # fmt: skip
    if waiting is not None:
        service.step(engine, None, waiting, "accept", actor=ACTOR, settings=SETTINGS, now=now)
    made["alerts"] = len(positions.raise_shortfalls(engine, SETTINGS, now))
    return made


def _offer(engine: sa.Engine, ids: dict[str, int], at: datetime, seller: str, buyer: str,
           quantity: str, price: str, market: str = "carbon", instrument: str | None = None,
           vintage: int | None = None) -> int | None:  # fmt: skip
    if seller not in ids or buyer not in ids:
        return None
    return service.offer(engine, None, seller_id=ids[seller], buyer_credit_code=buyer,
                         market=market, instrument=instrument,
                         vintage=vintage or at.year - 1, quantity=quantity, price=price,
                         note="演示报价", actor=ACTOR, now=at)  # fmt: skip


def _settle(engine: sa.Engine, ids: dict[str, int], at: datetime, seller: str, buyer: str,
            market: str, instrument: str | None, vintage: int, quantity: str,
            price: str) -> int:  # fmt: skip
    trade_id = _offer(engine, ids, at, seller, buyer, quantity, price, market, instrument,
                      vintage)  # fmt: skip
    if trade_id is None:
        return 0
    for step, later in (("accept", 1), ("approve", 3)):
        service.step(engine, None, trade_id, step, actor=ACTOR, settings=SETTINGS,
                     now=at + timedelta(hours=later))  # fmt: skip
    return 1
