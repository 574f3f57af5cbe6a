"""A hand-built year (2024, a leap year: 366 x 24 = 8784 hours) of one enterprise.

重庆示例热电有限公司 has outlet DA001 (flue gas, reference O2 6 %, device ...DC0),
DW001 (wastewater, device ...DC1) and DA002 (no device: monitored by hand).
A few hourly aggregates, one permit, alerts and data-marking declarations are
inserted with SQLAlchemy Core; the tests work out every figure by hand from
the rows listed here. Rows just outside the year, day aggregates, flow and O2
rows, an expired permit and another enterprise's alert must not count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import (
    aggregate,
    alert,
    data_mark,
    enterprise,
    permit,
    permit_limit,
    point,
)

POWER = "91500000MA5U7AH918"  # 重庆示例热电有限公司, 两江新区
CHEMICAL = "91500112MA60XKQ2EE"  # 重庆示例化工有限公司, 西永综保区: no permit, disclosed
MN_STACK = "010000A8900016F000169DC0"
MN_WATER = "010000A8900016F000169DC1"
PERMIT_NO = "91500000MA5U7AH918001P"

SO2, NOX, PM, COD = "a21026", "a21002", "a34013", "w01018"

REGISTRY = {
    "districts": ["两江新区", "西永综保区"],
    "enterprises": [
        {
            "credit_code": POWER,
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "points": [
                {"code": "DA001", "name": "1号锅炉烟囱", "kind": "flue_gas", "reference_o2": 6.0,
                 "device": {"mn": MN_STACK, "password": "123456", "st": "31"}},
                {"code": "DW001", "name": "废水总排口", "kind": "wastewater",
                 "device": {"mn": MN_WATER, "password": "123456", "st": "32"}},
                {"code": "DA002", "name": "备用锅炉烟囱", "kind": "flue_gas", "reference_o2": 9.0},
            ],
        },
        {
            "credit_code": CHEMICAL,
            "name": "重庆示例化工有限公司",
            "district": "西永综保区",
            "disclosed": True,  # a key discharger: its data is public
            "points": [
                {"code": "DA001", "name": "工艺废气排口", "kind": "flue_gas", "reference_o2": 3.0,
                 "device": {"mn": "010000A8900016F000169DC2", "password": "123456", "st": "31"}},
            ],
        },
    ],
}  # fmt: skip

#: When the tests make the report: 2025-03-01 08:00 UTC+8, so 2024 is a whole past year.
NOW = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
COMPUTED_AT = datetime(2025, 1, 2, tzinfo=UTC)


def t(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2024) -> datetime:
    """Device time, naive China Standard Time."""
    return datetime(year, month, day, hour, minute)


def hour(
    point_id: int,
    pollutant: str,
    at: datetime,
    *,
    valid: bool,
    flag: str | None,
    avg: float | None = None,
    zs_avg: float | None = None,
    emission_kg: float | None = None,
    samples: int = 60,
    kind: str = "hour",
) -> dict:
    return {
        "point_id": point_id, "pollutant": pollutant, "kind": kind, "data_time": at,
        "avg": avg, "zs_avg": zs_avg, "valid": valid, "valid_count": samples if valid else 0,
        "sample_count": samples, "emission_kg": emission_kg, "flag": flag,
        "computed_at": COMPUTED_AT,
    }  # fmt: skip


def aggregate_rows(ids: dict[tuple[str, str], int]) -> list[dict]:
    stack, water = ids[(POWER, "DA001")], ids[(POWER, "DW001")]
    other = ids[(CHEMICAL, "DA001")]
    return [
        # DA001 SO2: five valid hours (one without emission), six invalid ones with data,
        # one hour row without any sample, and rows outside 2024 or of kind 'day'.
        hour(stack, SO2, t(1, 10, 8), valid=True, flag="N", avg=20, zs_avg=25, emission_kg=1.5),
        hour(stack, SO2, t(1, 10, 9), valid=True, flag="N", avg=30, zs_avg=40, emission_kg=2.0),
        hour(stack, SO2, t(1, 10, 10), valid=True, flag="N", avg=32, zs_avg=44, emission_kg=2.5),
        hour(stack, SO2, t(3, 5, 14), valid=False, flag="M", avg=5, zs_avg=6, emission_kg=0.3,
             samples=30),
        hour(stack, SO2, t(3, 5, 15), valid=False, flag="C", samples=20),
        hour(stack, SO2, t(6, 1, 0), valid=False, flag="D", samples=40),
        hour(stack, SO2, t(6, 1, 1), valid=False, flag="F", avg=0),
        hour(stack, SO2, t(7, 1, 12), valid=True, flag="N", avg=24, zs_avg=30, emission_kg=None),
        hour(stack, SO2, t(8, 8, 12), valid=False, flag="B", samples=10),
        hour(stack, SO2, t(9, 9, 9), valid=False, flag="N", avg=15, zs_avg=18, emission_kg=0.2,
             samples=30),
        hour(stack, SO2, t(10, 1, 0), valid=False, flag=None, samples=0),
        hour(stack, SO2, t(12, 31, 23), valid=True, flag="N", avg=10, zs_avg=12, emission_kg=1.0),
        hour(stack, SO2, t(12, 31, 23, year=2023), valid=True, flag="N", avg=500, zs_avg=600,
             emission_kg=100.0),
        hour(stack, SO2, t(1, 1, 0, year=2025), valid=True, flag="N", avg=400, zs_avg=500,
             emission_kg=100.0),
        hour(stack, SO2, t(1, 10), valid=True, flag="N", avg=999, zs_avg=999, emission_kg=999.0,
             kind="day"),
        # DA001 NOx: two valid hours
        hour(stack, NOX, t(1, 1, 0), valid=True, flag="N", avg=80, zs_avg=100, emission_kg=4.0),
        hour(stack, NOX, t(1, 1, 1), valid=True, flag="N", avg=90, zs_avg=110, emission_kg=5.0),
        # DA001 flue-gas flow and O2: parameters, not pollutant lines
        hour(stack, "a00000", t(1, 1, 0), valid=True, flag="N", avg=12.5),
        hour(stack, "a19001", t(1, 1, 0), valid=True, flag="N", avg=9.0),
        # DW001 COD (no reference O2: the measured avg is judged), and the wastewater flow
        hour(water, COD, t(2, 1, 10), valid=True, flag="N", avg=40, emission_kg=0.8),
        hour(water, COD, t(2, 1, 11), valid=True, flag="N", avg=60, emission_kg=1.2),
        hour(water, COD, t(2, 1, 12), valid=False, flag="D", avg=70, emission_kg=1.4, samples=5),
        hour(water, "w00000", t(2, 1, 10), valid=True, flag="N", avg=5.0),
        # the other enterprise
        hour(other, SO2, t(5, 1, 10), valid=True, flag="N", avg=50, zs_avg=55, emission_kg=3.0),
    ]  # fmt: skip


def _point_ids(conn: sa.Connection) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        sa.select(enterprise.c.credit_code, point.c.code, point.c.id).join(
            enterprise, enterprise.c.id == point.c.enterprise_id
        )
    )
    return {(credit_code, code): point_id for credit_code, code, point_id in rows}


def _enterprise_ids(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id))
    return {code: id_ for code, id_ in rows}


def seed(url: str) -> None:
    """Migrate the database at `url` and fill it with the year described above."""
    upgrade(url)
    engine = make_engine(url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            ids = _point_ids(conn)
            ent = _enterprise_ids(conn)
            stack, water, manual = (
                ids[(POWER, "DA001")],
                ids[(POWER, "DW001")],
                ids[(POWER, "DA002")],
            )
            conn.execute(sa.insert(aggregate), aggregate_rows(ids))

            old = conn.execute(sa.insert(permit).values(
                permit_no="91500000MA5U7AH918001Q", enterprise_id=ent[POWER],
                management_class="simplified", valid_from=date(2019, 1, 1),
                valid_to=date(2023, 12, 31),
            )).inserted_primary_key[0]  # fmt: skip
            current = conn.execute(sa.insert(permit).values(
                permit_no=PERMIT_NO, enterprise_id=ent[POWER], management_class="key",
                valid_from=date(2024, 1, 1), valid_to=date(2028, 12, 31),
            )).inserted_primary_key[0]  # fmt: skip
            limit = {"unit": "mg/m3", "standard": "GB 13223-2011"}
            conn.execute(sa.insert(permit_limit), [
                {**limit, "permit_id": old, "point_id": stack, "pollutant": SO2,
                 "limit_value": 100.0, "basis": "hour", "annual_cap_t": 50.0},
                {**limit, "permit_id": current, "point_id": stack, "pollutant": SO2,
                 "limit_value": 35.0, "basis": "hour", "annual_cap_t": 10.0},
                {**limit, "permit_id": current, "point_id": stack, "pollutant": SO2,
                 "limit_value": 28.0, "basis": "day", "annual_cap_t": 10.0},
                {**limit, "permit_id": current, "point_id": stack, "pollutant": NOX,
                 "limit_value": 50.0, "basis": "hour", "annual_cap_t": 20.0},
                {"permit_id": current, "point_id": water, "pollutant": COD, "limit_value": 50.0,
                 "unit": "mg/L", "basis": "day", "standard": "GB 8978-1996",
                 "annual_cap_t": 5.0},
                {**limit, "permit_id": current, "point_id": manual, "pollutant": PM,
                 "limit_value": 10.0, "basis": "hour", "annual_cap_t": 1.0},
            ])  # fmt: skip

            def alert_row(
                type_: str,
                point_id: int | None,
                pollutant: str | None,
                start: datetime,
                end: datetime | None,
                state: str,
                peak: float | None = None,
                limit_value: float | None = None,
                enterprise_id: int = ent[POWER],
            ) -> dict:
                return {"type": type_, "point_id": point_id, "enterprise_id": enterprise_id,
                        "pollutant": pollutant, "start": start, "end": end, "peak": peak,
                        "limit_value": limit_value, "state": state,
                        "condition_key": f"{type_}:{point_id}:{pollutant}"}  # fmt: skip

            conn.execute(sa.insert(alert), [
                alert_row("exceedance", stack, SO2, t(1, 10, 9), t(1, 10, 11), "closed", 44, 35),
                alert_row("exceedance", stack, NOX, t(12, 31, 22, year=2023), t(1, 1, 2),
                          "dispatched", 110, 50),
                alert_row("exceedance", water, COD, t(11, 20, 8), None, "open", 65, 50),
                alert_row("offline", stack, None, t(8, 8, 12), t(8, 8, 18), "open"),
                alert_row("exceedance", stack, SO2, t(5, 1, 8, year=2022),
                          t(5, 1, 9, year=2022), "closed", 60, 35),
                alert_row("exceedance", ids[(CHEMICAL, "DA001")], SO2, t(5, 1, 10),
                          t(5, 1, 11), "open", 55, 50, enterprise_id=ent[CHEMICAL]),
            ])  # fmt: skip

            def mark(
                point_id: int,
                pollutant: str | None,
                kind: str,
                start: datetime,
                end: datetime,
                declared_at: datetime,
                revoked_at: datetime | None = None,
            ) -> dict:
                return {"point_id": point_id, "pollutant": pollutant, "kind": kind,
                        "start": start, "end": end, "reason": f"{kind} of the analyser",
                        "declared_by": "enterprise-user", "declared_at": declared_at,
                        "revoked_at": revoked_at}  # fmt: skip

            utc = UTC
            conn.execute(sa.insert(data_mark), [
                mark(stack, None, "maintenance", t(3, 5, 13, 30), t(3, 5, 16),
                     datetime(2024, 3, 4, 2, tzinfo=utc)),
                mark(stack, SO2, "fault", t(6, 1, 0), t(6, 1, 2),
                     datetime(2024, 6, 2, 1, tzinfo=utc)),
                mark(stack, SO2, "fault", t(12, 31, 22), t(1, 1, 2, year=2025),
                     datetime(2024, 12, 30, tzinfo=utc)),
                mark(stack, None, "shutdown", t(1, 10, 8), t(1, 10, 11),
                     datetime(2024, 1, 9, tzinfo=utc), revoked_at=datetime(2024, 1, 11, tzinfo=utc)),
                mark(stack, NOX, "calibration", t(1, 1, 0, 30), t(1, 1, 0, 45),
                     datetime(2024, 1, 2, tzinfo=utc)),
                mark(water, None, "maintenance", t(2, 1, 12), t(2, 1, 14),
                     datetime(2024, 1, 31, tzinfo=utc)),
            ])  # fmt: skip
    finally:
        engine.dispose()


def set_permit_validity(url: str, valid_from: date, valid_to: date) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.update(permit)
                .where(permit.c.permit_no == PERMIT_NO)
                .values(valid_from=valid_from, valid_to=valid_to)
            )
    finally:
        engine.dispose()
