"""The demo's 双随机 data: an inspector pool (a zone-wide team and two per district of
两江新区 and 重庆高新区), a pledge-based exemption, a positive-list entry with a declared
conflict, one campaign of this quarter over 两江新区, drawn, and the enforcement that
follows it (demo/inspections.py). Demo data, not rulings.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecozone.demo.inspections import seed_inspections
from ecozone.supervision import service
from ecozone.supervision.model import SupervisionSettings

ACTOR = "demo"
INSPECTORS = (
    ("张明", "市生态环境保护综合行政执法总队", None, "CQ50-0001"),
    ("李华", "市生态环境保护综合行政执法总队", None, "CQ50-0002"),
    ("王芳", "两江新区生态环境执法支队", "两江新区", "LJ50-0101"),
    ("赵强", "两江新区生态环境执法支队", "两江新区", "LJ50-0102"),
    ("陈静", "重庆高新区生态环境执法支队", "重庆高新区", "GX50-0201"),
    ("刘洋", "重庆高新区生态环境执法支队", "重庆高新区", "GX50-0202"),
)


def quarter_of(day: date) -> tuple[date, date]:
    last_month = (day.month - 1) // 3 * 3 + 3
    last_day = calendar.monthrange(day.year, last_month)[1]
    return date(day.year, last_month - 2, 1), date(day.year, last_month, last_day)


def seed_supervision(engine: sa.Engine, registry: dict[str, Any], today: date) -> int:
    """Pool, listings and this quarter's drawn campaign of 两江新区; the campaign's id."""
    ids = [service.add_inspector(engine, name=n, unit=u, district=d, certificate_no=c,
                                 actor=ACTOR)["id"] for n, u, d, c in INSPECTORS]  # fmt: skip
    liangjiang = [e["credit_code"] for e in registry["enterprises"] if e["district"] == "两江新区"]
    start, end = quarter_of(today)
    service.add_listing(engine, credit_code=liangjiang[-1], kind="pledge",
                        reason="企业书面承诺守法经营，纳入承诺免检", valid_from=start,
                        actor=ACTOR)  # fmt: skip
    service.add_listing(engine, credit_code=liangjiang[-2], kind="positive",
                        reason="连续两年环保信用诚信，以非现场监管为主", valid_from=start,
                        valid_to=date(start.year, 12, 31), actor=ACTOR)  # fmt: skip
    service.declare_conflict(engine, ids[2], credit_code=liangjiang[0],
                             reason="近亲属在该企业任职", actor=ACTOR)  # fmt: skip
    made = service.create_campaign(
        engine, name=f"{start.year}年第{(start.month + 2) // 3}季度两江新区双随机抽查",
        period_start=start, period_end=end, district="两江新区",
        quotas={"key": {"ratio": 0.25}, "general": {"count": 1}},
        settings=SupervisionSettings(), actor=ACTOR,
    )  # fmt: skip
    service.draw_campaign(engine, made["id"], actor=ACTOR)
    seed_inspections(engine, registry, today)
    return made["id"]
