"""A small zone for the web tests: two enterprises, an air station, permits, data, alerts, marks.

Times are relative to `now` so live states are what the tests expect:
POWER's stack DA001 reports every minute and has an open exceedance alert
(exceeding), its wastewater outlet DW001 fell silent 5 hours ago (offline),
CHEMICAL's stack last reported flag D (fault), and the air station is
normal. POWER and the station disclose their data; CHEMICAL does not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade_engine
from ecozone.store.schema import (
    aggregate,
    alert,
    alert_action,
    data_mark,
    enterprise,
    permit,
    permit_limit,
    point,
)
from ecozone.times import CHINA_STANDARD_TIME

POWER = "91500000MA5U7AH918"  # 重庆示例热电有限公司, 两江新区, disclosed
CHEMICAL = "91500112MA60XKQ2EE"  # 重庆示例化工有限公司, 重庆高新区, not disclosed
STATION = "12500000MB" + "0000001" + credit_code_check_char("12500000MB0000001")
SO2 = "a21026"
AMBIENT_SENT = {  # transmitted (HJ 212 App. B.2 default units): PM ng/m3, gases mg/m3
    "a34004": 35_000.0,  # PM2.5 35 µg/m3
    "a34002": 58_000.0,  # PM10 58 µg/m3
    "a05024": 0.102,  # O3 102 µg/m3
    "a21004": 0.041,  # NO2 41 µg/m3
    "a21026": 0.009,  # SO2 9 µg/m3
    "a21005": 0.8,  # CO 0.8 mg/m3
}

REGISTRY: dict[str, Any] = {
    "districts": ["两江新区", "重庆高新区"],
    "enterprises": [
        {
            "credit_code": POWER,
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "industry": "热电联产",
            "lon": 106.55,
            "lat": 29.69,
            "points": [
                {
                    "code": "DA001",
                    "name": "1号锅炉烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "device": {"mn": "010000A8900016F000169DC0", "password": "123456", "st": "31"},
                },
                {
                    "code": "DW001",
                    "name": "废水总排口",
                    "kind": "wastewater",
                    "device": {"mn": "010000A8900016F000169DC1", "password": "123456", "st": "32"},
                },
            ],
        },
        {
            "credit_code": CHEMICAL,
            "name": "重庆示例化工有限公司",
            "district": "重庆高新区",
            "points": [
                {
                    "code": "DA001",
                    "name": "工艺废气排口",
                    "kind": "flue_gas",
                    "reference_o2": 3.0,
                    "device": {"mn": "010000A8900016F000169DC3", "password": "123456", "st": "31"},
                },
            ],
        },
        {
            "credit_code": STATION,
            "name": "重庆市两江新区生态环境监测站",
            "district": "两江新区",
            "points": [
                {
                    "code": "AQ-LJ01",
                    "name": "礼嘉空气站",
                    "kind": "ambient_air",
                    "lon": 106.53,
                    "lat": 29.70,
                    "device": {"mn": "010000A8900016F000169DC4", "password": "123456", "st": "22"},
                },
            ],
        },
    ],
}


def local(now: datetime) -> datetime:
    return now.astimezone(CHINA_STANDARD_TIME).replace(tzinfo=None)


def ids(engine: sa.Engine) -> dict[str, int]:
    """Point and enterprise ids by a short name: power_da, power_dw, chem_da, station, ..."""
    with engine.connect() as conn:
        ents = dict(conn.execute(sa.select(enterprise.c.credit_code, enterprise.c.id)).all())
        rows = conn.execute(sa.select(point.c.id, point.c.code, point.c.enterprise_id)).all()
    by = {(e, code): pid for pid, code, e in rows}
    return {
        "power": ents[POWER],
        "chemical": ents[CHEMICAL],
        "station_owner": ents[STATION],
        "power_da": by[(ents[POWER], "DA001")],
        "power_dw": by[(ents[POWER], "DW001")],
        "chem_da": by[(ents[CHEMICAL], "DA001")],
        "station": by[(ents[STATION], "AQ-LJ01")],
    }


def _measurement(pid: int, code: str, kind: str, t: datetime, received: datetime, **values):
    row = {
        "point_id": pid,
        "pollutant": code,
        "kind": kind,
        "data_time": t,
        "received_at": received,
        "flag": "N",
    }
    row.update(values)
    return row


def seed(url: str, now: datetime | None = None) -> tuple[sa.Engine, dict[str, int]]:
    """Migrate the database at `url`, import the registry and insert the data; returns an
    engine (caller disposes) and the ids."""
    now = now or datetime.now(UTC)
    engine = make_engine(url)
    upgrade_engine(engine)
    import_registry(engine, REGISTRY)
    with engine.begin() as conn:
        conn.execute(
            enterprise.update()
            .where(enterprise.c.credit_code.in_([POWER, STATION]))
            .values(disclosed=True)
        )
    i = ids(engine)
    t0 = local(now).replace(second=0, microsecond=0)
    rows = []
    # POWER DA001: SO2 minute means over 3 hours (measured 20 + minute % 30, converted × 1.25),
    # real-time values for 30 minutes, oxygen alongside.
    for m in range(180):
        t = t0 - timedelta(minutes=m)
        value = 20.0 + (m % 30)
        rows.append(
            _measurement(i["power_da"], SO2, "minute", t, now, avg=value, zs_avg=value * 1.25)
        )
        rows.append(_measurement(i["power_da"], "a19001", "minute", t, now, avg=9.0))
    for s in range(0, 1800, 30):
        t = t0 - timedelta(seconds=s)
        value = 30.0 + (s % 300) / 30
        rows.append(_measurement(i["power_da"], SO2, "rtd", t, now, rtd=value, zs_rtd=value * 1.25))
    # POWER DW001: COD every 10 minutes until 5 hours ago.
    for m in range(300, 600, 10):
        rows.append(
            _measurement(
                i["power_dw"], "w01018", "minute", t0 - timedelta(minutes=m), now, avg=28.0
            )
        )
    # CHEMICAL DA001: reporting, but the newest minute says D (instrument fault).
    for m in range(30):
        rows.append(
            _measurement(
                i["chem_da"],
                SO2,
                "minute",
                t0 - timedelta(minutes=m),
                now,
                avg=12.0,
                zs_avg=11.0,
                flag="D" if m == 0 else "N",
            )
        )
    # Air station: the last full hour of the six GB 3095 pollutants, and minute data.
    last_hour = t0.replace(minute=0) - timedelta(hours=1)
    for code, value in AMBIENT_SENT.items():
        rows.append(_measurement(i["station"], code, "hour", last_hour, now, avg=value))
        rows.append(_measurement(i["station"], code, "minute", t0, now, avg=value))
    with engine.begin() as conn:
        upsert_measurements(conn, rows)
        _aggregates(conn, i, t0, now)
        _permits(conn, i)
        _alerts(conn, i, t0, now)
        _marks(conn, i, t0, now)
    return engine, i


def _aggregates(conn: sa.Connection, i: dict[str, int], t0: datetime, now: datetime) -> None:
    """POWER DA001 SO2: 24 hourly values ending at the last full hour, the 3rd and 7th
    newest invalid (22 valid of 24); 3 daily values."""
    end = t0.replace(minute=0)
    rows = []
    for h in range(1, 25):
        rows.append(
            {
                "point_id": i["power_da"],
                "pollutant": SO2,
                "kind": "hour",
                "data_time": end - timedelta(hours=h),
                "avg": 30.0 + h,
                "zs_avg": (30.0 + h) * 1.25,
                "min": 20.0,
                "max": 49.0,
                "valid": h not in (3, 7),
                "valid_count": 60 if h not in (3, 7) else 40,
                "sample_count": 60,
                "emission_kg": 1.5,
                "flag": "N",
                "computed_at": now,
            }
        )
    day = end.replace(hour=0)
    for d in range(1, 4):
        rows.append(
            {
                "point_id": i["power_da"],
                "pollutant": SO2,
                "kind": "day",
                "data_time": day - timedelta(days=d),
                "avg": 33.0,
                "zs_avg": 41.25,
                "min": 31.0,
                "max": 54.0,
                "valid": True,
                "valid_count": 24,
                "sample_count": 24,
                "emission_kg": 36.0,
                "flag": "N",
                "computed_at": now,
            }
        )
    conn.execute(aggregate.insert(), rows)


def _permits(conn: sa.Connection, i: dict[str, int]) -> None:
    permit_id = conn.execute(
        permit.insert()
        .values(
            permit_no="91500000MA5U7AH918001P",
            enterprise_id=i["power"],
            management_class="key",
            valid_from=date(2023, 1, 1),
            valid_to=date(2099, 12, 31),
        )
        .returning(permit.c.id)
    ).scalar_one()
    conn.execute(
        permit_limit.insert(),
        [
            {
                "permit_id": permit_id,
                "point_id": i["power_da"],
                "pollutant": SO2,
                "limit_value": 35.0,
                "unit": "mg/m3",
                "basis": "hour",
                "standard": "GB 13223-2011",
                "annual_cap_t": 120.0,
            },
            {
                "permit_id": permit_id,
                "point_id": i["power_dw"],
                "pollutant": "w01018",
                "limit_value": 50.0,
                "unit": "mg/L",
                "basis": "day",
                "standard": "GB 8978-1996",
                "annual_cap_t": None,
            },
        ],
    )


def add_alert(conn: sa.Connection, **values: Any) -> int:
    values.setdefault(
        "condition_key", f"{values['type']}:{values.get('point_id')}:{values['start']}"
    )
    return conn.execute(alert.insert().values(**values).returning(alert.c.id)).scalar_one()


def _alerts(conn: sa.Connection, i: dict[str, int], t0: datetime, now: datetime) -> None:
    midnight = t0.replace(hour=0, minute=0)
    start = max(midnight, t0 - timedelta(minutes=30))
    exceedance = add_alert(
        conn,
        type="exceedance",
        point_id=i["power_da"],
        enterprise_id=i["power"],
        pollutant=SO2,
        start=start,
        peak=52.5,
        limit_value=35.0,
        state="dispatched",
        created_at=now,
        updated_at=now,
    )
    conn.execute(
        alert_action.insert().values(
            alert_id=exceedance,
            at=now,
            actor="supervisor",
            action="dispatch",
            comment="请核查脱硫设施",
        )
    )
    add_alert(
        conn,
        type="offline",
        point_id=i["power_dw"],
        enterprise_id=i["power"],
        start=t0 - timedelta(hours=3),
        state="open",
        created_at=now,
        updated_at=now,
    )
    add_alert(
        conn,
        type="exceedance",
        point_id=i["chem_da"],
        enterprise_id=i["chemical"],
        pollutant=SO2,
        start=t0 - timedelta(days=3),
        end=t0 - timedelta(days=3) + timedelta(hours=2),
        peak=80.0,
        limit_value=50.0,
        state="closed",
        created_at=now,
        updated_at=now,
    )


def _marks(conn: sa.Connection, i: dict[str, int], t0: datetime, now: datetime) -> None:
    yesterday = t0.replace(hour=10, minute=0) - timedelta(days=1)
    conn.execute(
        data_mark.insert(),
        [
            # declared two hours after the calibration began: late
            {
                "point_id": i["power_da"],
                "pollutant": None,
                "kind": "calibration",
                "start": yesterday,
                "end": yesterday + timedelta(hours=1),
                "reason": "季度校准",
                "declared_by": "enterprise",
                "declared_at": (yesterday + timedelta(hours=2)).replace(tzinfo=CHINA_STANDARD_TIME),
            },
            # declared a day ahead: on time
            {
                "point_id": i["power_dw"],
                "pollutant": "w01018",
                "kind": "maintenance",
                "start": yesterday + timedelta(days=2),
                "end": yesterday + timedelta(days=2, hours=4),
                "reason": "更换试剂",
                "declared_by": "enterprise",
                "declared_at": (yesterday + timedelta(days=1)).replace(tzinfo=CHINA_STANDARD_TIME),
            },
        ],
    )
