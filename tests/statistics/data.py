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


def add_emissions_and_exceedances(engine: sa.Engine, i: dict[str, int]) -> None:
    """Hourly masses, permits with caps and exceedance alerts, as the tests work them out:

    ALPHA DA001 SO2: 2.5 kg every hour of May (744 h), 5 kg every hour of June (720 h);
    caps 50 t (permit in force 2023-2099) and 40 t (a permit in force January-March 2024):
    the smaller, 40 t, applies to 2024. ALPHA DW001 COD: 0.5 kg an hour in June, cap 10 t.
    BETA DA001 SO2: 1 kg an hour from 21 June, no cap. Not counted: an hour without a mass
    and a daily row.
    """
    from ecozone.store.schema import aggregate, alert, permit, permit_limit

    def hourly(pid, code, first, count, kg):
        return [{"point_id": pid, "pollutant": code, "kind": "hour",
                 "data_time": first + timedelta(hours=h), "valid": True, "valid_count": 60,
                 "sample_count": 60, "emission_kg": kg, "computed_at": NOW}
                for h in range(count)]  # fmt: skip

    rows = (hourly(i["alpha_da"], "a21026", datetime(2024, 5, 1), 744, 2.5)
            + hourly(i["alpha_da"], "a21026", JUNE, 720, 5.0)
            + hourly(i["alpha_dw"], "w01018", JUNE, 720, 0.5)
            + hourly(i["beta_da"], "a21026", datetime(2024, 6, 21), 240, 1.0))  # fmt: skip
    rows += hourly(i["alpha_da"], "a21002", JUNE, 1, None)
    rows += [{**hourly(i["alpha_da"], "a21026", JUNE, 1, 999.0)[0], "kind": "day"}]
    with engine.begin() as conn:
        conn.execute(aggregate.insert(), rows)
        for no, start, end, caps in (
            ("ALPHA-P1", date(2023, 1, 1), date(2099, 12, 31),
             [(i["alpha_da"], "a21026", 50.0), (i["alpha_dw"], "w01018", 10.0)]),
            ("ALPHA-P2", date(2024, 1, 1), date(2024, 3, 31), [(i["alpha_da"], "a21026", 40.0)]),
        ):  # fmt: skip
            pid = conn.execute(permit.insert().values(
                permit_no=no, enterprise_id=i["alpha"], management_class="key",
                valid_from=start, valid_to=end).returning(permit.c.id)).scalar_one()  # fmt: skip
            for point_id, code, cap in caps:
                conn.execute(permit_limit.insert().values(
                    permit_id=pid, point_id=point_id, pollutant=code, limit_value=50.0,
                    unit="mg/m3", basis="hour", annual_cap_t=cap))  # fmt: skip
        alerts = [
            (i["alpha_da"], i["alpha"], "a21026", "hour", datetime(2024, 5, 31, 22),
             datetime(2024, 6, 1, 3), None),
            (i["alpha_da"], i["alpha"], "a21026", "hour", datetime(2024, 6, 10, 8),
             datetime(2024, 6, 10, 12), None),
            (i["alpha_da"], i["alpha"], "a21026", "hour", datetime(2024, 6, 20), None, None),
            (i["alpha_da"], i["alpha"], "a21026", "hour", datetime(2024, 6, 15),
             datetime(2024, 6, 15, 2), "false_alarm"),
            (i["alpha_dw"], i["alpha"], "w01018", "day", datetime(2024, 6, 5),
             datetime(2024, 6, 7), None),
            (i["beta_da"], i["beta"], "a21002", "hour", datetime(2024, 6, 25, 1),
             datetime(2024, 6, 25, 3), None),
        ]  # fmt: skip
        for n, (pid, eid, code, basis, start, end, reason) in enumerate(alerts):
            conn.execute(alert.insert().values(
                type="exceedance", point_id=pid, enterprise_id=eid, pollutant=code,
                start=start, end=end, peak=80.0, limit_value=50.0,
                state="closed" if reason else "open", close_reason=reason,
                condition_key=f"exceedance:{pid}:{code}:{basis}:{n}", detail={"basis": basis},
                created_at=NOW, updated_at=NOW))  # fmt: skip
