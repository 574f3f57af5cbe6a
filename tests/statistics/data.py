"""A zone for the statistics tests: June 2024, worked by hand.

    enterprise   district    point  kind        operating_from  June 2024
    ALPHA        两江新区     DA001  flue_gas    —               684 of 720 hours sent, 650 valid;
                                                                 a pending shutdown (excuses nothing)
    ALPHA        两江新区     DW001  wastewater  —               accepted shutdown 10th 08:00-12th
                                                                 08:00 (48 h); 600 of the other 672
                                                                 hours sent, 540 valid; 10 sent in
                                                                 the shutdown (not counted)
    BETA         重庆高新区   DA001  flue_gas    2024-06-21      240 of 240 hours sent, all valid

Emissions (hourly emission_kg in aggregate) and exceedance alerts are added by the tests
that need them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import data_mark, enterprise, point

ALPHA = "91500000MA" + "5U7AH93" + credit_code_check_char("91500000MA5U7AH93")
BETA = "91500107MA" + "60XKQ35" + credit_code_check_char("91500107MA60XKQ35")
JUNE = datetime(2024, 6, 1)
NOW = datetime(2024, 7, 15, 12, tzinfo=UTC)
NOW_LOCAL = datetime(2024, 7, 15, 20)
SHUTDOWN = (datetime(2024, 6, 10, 8), datetime(2024, 6, 12, 8))


def _device(mn: str, st: str) -> dict:
    return {"mn": mn, "password": "123456", "st": st}


REGISTRY = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {"credit_code": ALPHA, "name": "重庆统计热电有限公司", "district": "两江新区",
         "industry": "热电联产",
         "points": [
             {"code": "DA001", "name": "1号烟囱", "kind": "flue_gas", "reference_o2": 6.0,
              "device": _device("010000A8900016F000170001", "31")},
             {"code": "DW001", "name": "废水总排口", "kind": "wastewater",
              "device": _device("010000A8900016F000170002", "32")},
         ]},
        {"credit_code": BETA, "name": "重庆统计化工有限公司", "district": "重庆高新区",
         "industry": "化学原料制造",
         "points": [
             {"code": "DA001", "name": "工艺废气排口", "kind": "flue_gas", "reference_o2": 3.0,
              "device": _device("010000A8900016F000170003", "31")},
         ]},
    ],
}  # fmt: skip


def ids(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        ents = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
        rows = conn.execute(sa.select(point.c.id, point.c.code, point.c.enterprise_id)).all()
    by = {(e, code): pid for pid, code, e in rows}
    return {
        "alpha": ents[ALPHA], "beta": ents[BETA],
        "alpha_da": by[(ents[ALPHA], "DA001")], "alpha_dw": by[(ents[ALPHA], "DW001")],
        "beta_da": by[(ents[BETA], "DA001")],
    }  # fmt: skip


def _row(pid: int, code: str, t: datetime, flag: str | None = "N", avg: float = 10.0) -> dict:
    return {"point_id": pid, "pollutant": code, "kind": "hour", "data_time": t,
            "received_at": NOW, "avg": avg, "flag": flag}  # fmt: skip


def seed(url: str) -> tuple[sa.Engine, dict[str, int]]:
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    i = ids(engine)
    hours = [JUNE + timedelta(hours=h) for h in range(720)]
    rows = []
    # ALPHA DA001: the first 684 hours, SO2 and NOx; NOx flag D in 34 of them (hours 0-33).
    # Hour 100's SO2 is above the range (T, valid) and hour 101's has no flag (valid).
    for h, t in enumerate(hours[:684]):
        so2_flag = "T" if h == 100 else (None if h == 101 else "N")
        rows.append(_row(i["alpha_da"], "a21026", t, so2_flag))
        rows.append(_row(i["alpha_da"], "a21002", t, "D" if h < 34 else "N"))
    # ALPHA DW001: 672 hours owed outside the shutdown; the first 600 sent, 60 of them (the
    # first 60) flagged M; and 10 hours sent inside the shutdown.
    owed = [t for t in hours if not (SHUTDOWN[0] <= t < SHUTDOWN[1])]
    assert len(owed) == 672
    for n, t in enumerate(owed[:600]):
        rows.append(_row(i["alpha_dw"], "w01018", t, "M" if n < 60 else "N"))
    for t in [SHUTDOWN[0] + timedelta(hours=k) for k in range(10)]:
        rows.append(_row(i["alpha_dw"], "w01018", t))
    # BETA DA001: in operation from 21 June: 240 hours, all valid; and some test data before.
    for t in hours[480:]:
        rows.append(_row(i["beta_da"], "a21026", t))
    for t in hours[400:410]:
        rows.append(_row(i["beta_da"], "a21026", t))
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
        conn.execute(point.update().where(point.c.id == i["beta_da"])
                     .values(operating_from=date(2024, 6, 21)))  # fmt: skip
        conn.execute(data_mark.insert(), [
            {"point_id": i["alpha_dw"], "pollutant": None, "kind": "shutdown",
             "start": SHUTDOWN[0], "end": SHUTDOWN[1], "reason": "停产检修",
             "declared_by": "seed", "declared_at": NOW, "review_state": "accepted"},
            {"point_id": i["alpha_da"], "pollutant": None, "kind": "shutdown",
             "start": datetime(2024, 6, 5), "end": datetime(2024, 6, 5, 5),
             "reason": "待审核", "declared_by": "seed", "declared_at": NOW,
             "review_state": "pending"},
        ])  # fmt: skip
    return engine, i
