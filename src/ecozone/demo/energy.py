"""The demo's energy and carbon data: two years of monthly statistics for every enterprise of
seed.yaml (sized by its industry, so the power and heat plants are key energy users), its
value added, this year's targets, the districts' GDP statistics, two forest-sink projects,
and last month's HJ 212 electricity readings on one enterprise's power point.

Demo values, not real statistics. The statistics go in through the xlsx import, one audited
transaction, as a statistics office would send them.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook

from ecozone.accounts.model import SYSTEM_SCOPE
from ecozone.energy import service
from ecozone.energy.model import EnergySettings
from ecozone.store.schema import enterprise, measurement, point
from ecozone.times import utc_now

#: Monthly amounts by industry keyword: (electricity kWh, natural gas m3, steam t, raw coal t,
#: diesel t). The first keyword found in the industry wins; OTHER otherwise.
PROFILES: tuple[tuple[str, tuple[float, float, float, float, float]], ...] = (
    ("火力发电", (4_000_000, 0, 0, 35_000, 20)),
    ("热电", (2_500_000, 6_000_000, 0, 0, 10)),
    ("热力", (800_000, 1_200_000, 0, 0, 5)),
    ("汽车", (3_000_000, 400_000, 2_000, 0, 30)),
    ("电子", (5_000_000, 150_000, 1_500, 0, 8)),
    ("半导体", (6_000_000, 200_000, 3_000, 0, 5)),
    ("电池", (2_800_000, 250_000, 1_000, 0, 6)),
    ("电镀", (600_000, 50_000, 800, 0, 3)),
    ("制药", (900_000, 300_000, 2_500, 0, 4)),
    ("食品", (500_000, 200_000, 1_200, 0, 6)),
)
OTHER = (250_000, 20_000, 0, 0, 12)
CARRIERS = ("electricity", "natural_gas", "steam", "raw_coal", "diesel")
METERED = ("91500000MAAQU7NM83", "PE001", "eE001")  # enterprise, power point, channel
SINKS = (
    ("两江新区", "铁山坪森林碳汇示范", 320.0, "马尾松、香樟", 1650.0),
    ("重庆高新区", "缙云山生态修复造林", 210.0, "柏木、栎类", 980.0),
)
SINK_METHOD = "造林碳汇项目方法学（AR-CM-001-V01）估算，演示数据"


def _profile(industry: str | None) -> tuple[float, ...]:
    return next((p for key, p in PROFILES if key in (industry or "")), OTHER)


def _months(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def statistics_xlsx(registry: dict[str, Any], today: date) -> bytes:
    """The monthly statistics of every enterprise for the 24 months before `today`'s month."""
    wb = Workbook()
    ws = wb.active
    ws.append(["credit_code", "month", "carrier", "amount", "ncv_gj"])
    for ent in registry["enterprises"]:
        rng = random.Random(ent["credit_code"])
        base = _profile(ent.get("industry"))
        for month in _months(today, 24):
            season = 1.0 + 0.12 * (month.month in (1, 7, 8, 12))
            trend = 1.0 - 0.03 * (month.year - today.year + 2)  # savings year on year
            for carrier, amount in zip(CARRIERS, base, strict=True):
                if amount:
                    value = round(amount * season * trend * rng.uniform(0.9, 1.1), 1)
                    ws.append([ent["credit_code"], f"{month:%Y-%m}", carrier, value, None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def seed_energy(engine: sa.Engine, registry: dict[str, Any], today: date) -> int:
    """All of the demo's energy data; the number of monthly statistics stored."""
    stored = service.import_xlsx(engine, SYSTEM_SCOPE, statistics_xlsx(registry, today),
                                 actor="demo")  # fmt: skip
    outputs = []
    for ent in registry["enterprises"]:
        rng = random.Random("va" + ent["credit_code"])
        electricity = _profile(ent.get("industry"))[0]
        outputs += [{"credit_code": ent["credit_code"], "month": month,
                     "value_added_10k_yuan": round(electricity / 900 * rng.uniform(0.9, 1.2), 1)}
                    for month in _months(today, 24)]  # fmt: skip
        service.set_target(engine, SYSTEM_SCOPE, ent["credit_code"], today.year, actor="demo",
                           tce_per_10k_yuan=0.25)  # fmt: skip
    service.record_outputs(engine, SYSTEM_SCOPE, outputs, actor="demo")
    for district, gdp, energy_tce in (("两江新区", 45_000_000, 9_000_000),
                                      ("重庆高新区", 30_000_000, 5_400_000)):  # fmt: skip
        for back in (2, 1, 0):  # GDP grows 6 % a year, its intensity falls 3 %
            grown = 1.06 ** (2 - back)
            service.set_district_year(
                engine, SYSTEM_SCOPE, district, today.year - back, actor="demo",
                gdp_10k_yuan=round(gdp * grown), industrial_target_tce_per_10k_yuan=0.3,
                gdp_energy_tce=round(energy_tce * grown * 0.97 ** (2 - back)))  # fmt: skip
    for district, name, area, species, annual in SINKS:
        service.add_sink(engine, SYSTEM_SCOPE, actor="demo", name=name, area_ha=area,
                         species=species, annual_t_co2=annual, method_source=SINK_METHOD,
                         district_name=district)  # fmt: skip
    _seed_meter(engine, today)
    return stored


def _seed_meter(engine: sa.Engine, today: date) -> None:
    """Last month's quarter-hour and daily electricity readings of one metered enterprise,
    with one day's quarter-hours missing (so its real-time completeness is below 100 %)."""
    credit_code, point_code, channel = METERED
    with engine.connect() as conn:
        point_id = conn.execute(
            sa.select(point.c.id).join(enterprise, enterprise.c.id == point.c.enterprise_id)
            .where(point.c.code == point_code, enterprise.c.credit_code == credit_code)
        ).scalar()  # fmt: skip
    if point_id is None:
        return
    service.set_meter(engine, SYSTEM_SCOPE, credit_code, "EM-01", "electricity",
                      point_id=point_id, channel=channel, actor="demo")  # fmt: skip
    month = _months(today, 1)[0]
    following = service.next_month(month)
    monthly = service.month_account(engine, SYSTEM_SCOPE, credit_code, month,
                                    EnergySettings())["lines"]  # fmt: skip
    total = next((x["amount"] for x in monthly if x["carrier"] == "electricity"), 0.0)
    days = (following - month).days
    received = utc_now()
    rows = []
    start = datetime(month.year, month.month, 1)
    for d in range(days):
        rows.append({"point_id": point_id, "pollutant": channel, "kind": "day",
                     "data_time": start + timedelta(days=d), "cou": total / days * 1.01,
                     "flag": "N", "received_at": received})  # fmt: skip
        if d == 10:
            continue  # a day of quarter-hours lost to a gateway outage
        for q in range(96):
            rows.append({"point_id": point_id, "pollutant": channel, "kind": "minute",
                         "data_time": start + timedelta(days=d, minutes=15 * q),
                         "cou": total / days / 96, "flag": "N", "received_at": received})
    with engine.begin() as conn:
        conn.execute(measurement.insert(), rows)
