"""A small registry and hand-picked measurements shared by the measurement and API tests.

Two enterprises in two districts; both have an outlet DA001, so a query by
outlet code alone spans enterprises. Device passwords are distinctive
strings so a test can prove no response contains one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ecozone.measurements.store import insert_raw_frames, upsert_measurements
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import enterprise, point

ZONE = "中国（重庆）自由贸易试验区"
POWER = "91500000MA5U7AH918"  # 重庆示例热电有限公司, 两江新区
CHEMICAL = "91500112MA60XKQ2EE"  # 重庆示例化工有限公司, 西永综保区
MN_BOILER_1 = "010000A8900016F000169DC0"  # POWER / DA001
MN_BOILER_2 = "010000A8900016F000169DC1"  # POWER / DA002
MN_CHEM_WATER = "010000A8900016F000169DC2"  # CHEMICAL / DW001
MN_CHEM_STACK = "010000A8900016F000169DC3"  # CHEMICAL / DA001
PASSWORDS = ("pw-Boiler1-x7Q", "pw-Boiler2-k9Z", "pw-ChemWater-m3R", "pw-ChemStack-v5T")

REGISTRY = {
    "zone": ZONE,
    "districts": ["两江新区", "西永综保区"],
    "enterprises": [
        {
            "credit_code": POWER,
            "name": "重庆示例热电有限公司",
            "district": "两江新区",
            "points": [
                {
                    "code": "DA001",
                    "name": "1号锅炉烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "lon": 106.55,
                    "lat": 29.71,
                    "device": {"mn": MN_BOILER_1, "password": PASSWORDS[0], "st": "31"},
                },
                {
                    "code": "DA002",
                    "name": "2号锅炉烟囱",
                    "kind": "flue_gas",
                    "reference_o2": 6.0,
                    "device": {"mn": MN_BOILER_2, "password": PASSWORDS[1], "st": "31"},
                },
            ],
        },
        {
            "credit_code": CHEMICAL,
            "name": "重庆示例化工有限公司",
            "district": "西永综保区",
            "points": [
                {
                    "code": "DW001",
                    "name": "废水总排口",
                    "kind": "wastewater",
                    "device": {"mn": MN_CHEM_WATER, "password": PASSWORDS[2], "st": "32"},
                },
                {
                    "code": "DA001",
                    "name": "工艺废气排口",
                    "kind": "flue_gas",
                    "reference_o2": 3.0,
                    "device": {"mn": MN_CHEM_STACK, "password": PASSWORDS[3], "st": "31"},
                },
            ],
        },
    ],
}


def t(hour: int, minute: int = 0) -> datetime:
    """Device time on 2024-05-01 (naive China Standard Time)."""
    return datetime(2024, 5, 1, hour, minute)


def _point_ids(conn: sa.Connection) -> dict[tuple[str, str], int]:
    rows = conn.execute(
        sa.select(enterprise.c.credit_code, point.c.code, point.c.id).join(
            enterprise, enterprise.c.id == point.c.enterprise_id
        )
    )
    return {(credit_code, code): point_id for credit_code, code, point_id in rows}


def measurement_rows(ids: dict[tuple[str, str], int]) -> list[dict]:
    boiler_1, boiler_2 = ids[(POWER, "DA001")], ids[(POWER, "DA002")]
    chem_stack, chem_water = ids[(CHEMICAL, "DA001")], ids[(CHEMICAL, "DW001")]
    hour = {"kind": "hour"}
    return [
        # POWER / DA001, three hours of SO2 (a21026) and two of NOx (a21002)
        {**hour, "point_id": boiler_1, "pollutant": "a21026", "data_time": t(10),
         "avg": 12.5, "min": 10.0, "max": 15.0, "cou": 0.25, "zs_avg": 14.2, "zs_min": 11.4,
         "zs_max": 17.0, "flag": "N"},
        {**hour, "point_id": boiler_1, "pollutant": "a21002", "data_time": t(10),
         "avg": 48.0, "min": 40.0, "max": 55.0, "cou": 0.96, "zs_avg": 54.5, "flag": "N"},
        {**hour, "point_id": boiler_1, "pollutant": "a21026", "data_time": t(11),
         "avg": 13.0, "min": 11.0, "max": 15.5, "cou": 0.26, "zs_avg": 14.8, "zs_min": 12.5,
         "zs_max": 17.7, "flag": "N"},
        {**hour, "point_id": boiler_1, "pollutant": "a21002", "data_time": t(11),
         "avg": 50.25, "flag": "D", "eflag": "E1", "resent": False},
        {**hour, "point_id": boiler_1, "pollutant": "a21026", "data_time": t(12),
         "avg": 9.5, "flag": "M"},
        # POWER / DA002
        {**hour, "point_id": boiler_2, "pollutant": "a21026", "data_time": t(10),
         "avg": 20.0, "flag": "N"},
        # CHEMICAL / DA001 and DW001 (COD, w01018)
        {**hour, "point_id": chem_stack, "pollutant": "a21026", "data_time": t(10),
         "avg": 5.0, "flag": "N"},
        {**hour, "point_id": chem_water, "pollutant": "w01018", "data_time": t(10),
         "avg": 31.0, "cou": 4.2, "flag": "N"},
        # minute and real-time data of POWER / DA001, to show the kind filter
        {"kind": "minute", "point_id": boiler_1, "pollutant": "a21026", "data_time": t(10, 1),
         "avg": 12.0, "flag": "N"},
        {"kind": "rtd", "point_id": boiler_1, "pollutant": "a21026", "data_time": t(10, 1),
         "rtd": 12.1, "zs_rtd": 13.8, "flag": "N"},
    ]  # fmt: skip


def frame_rows(now: datetime) -> list[dict]:
    return [
        {"received_at": now - timedelta(minutes=5), "peer": "10.0.0.7:50211",
         "mn": MN_BOILER_1, "cn": "2061", "qn": "20240501110000000",
         "data": b"##0101QN=20240501110000000;ST=31;CN=2061;...\r\n", "verdict": "accepted"},
        {"received_at": now - timedelta(minutes=3), "peer": "10.0.0.9:40002",
         "mn": MN_BOILER_2, "cn": "2061", "qn": None,
         "data": "##0042ST=31;CN=2061;MN=坏\\帧\r\n".encode(), "verdict": "rejected",
         "reason": "CRC mismatch: frame says 1C81, data gives 1C80"},
        {"received_at": now - timedelta(hours=2), "peer": "10.0.0.7:50100",
         "mn": MN_BOILER_1, "cn": "2011", "qn": None,
         "data": b"##0010old", "verdict": "accepted"},
    ]  # fmt: skip


def seed(url: str) -> None:
    """Migrate the database at `url` and fill it with REGISTRY, measurements and frames."""
    upgrade(url)
    engine = make_engine(url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            upsert_measurements(conn, measurement_rows(_point_ids(conn)))
            insert_raw_frames(conn, frame_rows(datetime.now(UTC)))
    finally:
        engine.dispose()


# The query mn=MN_BOILER_1, pollutant=a21026, kind=hour, start=2024-05-01T11:00 as JSON
# and as CSV, written out by hand from the rows above.

EXPECTED_JSON = (
    "[\n"
    '{"mn": "010000A8900016F000169DC0", "point": "DA001", "pollutant": "a21026", "kind": "hour", '
    '"data_time": "2024-05-01T11:00:00+08:00", "rtd": null, "avg": 13.0, "min": 11.0, "max": 15.5, '
    '"cou": 0.26, "zs_rtd": null, "zs_avg": 14.8, "zs_min": 12.5, "zs_max": 17.7, "flag": "N", "eflag": null, "resent": false},\n'
    '{"mn": "010000A8900016F000169DC0", "point": "DA001", "pollutant": "a21026", "kind": "hour", '
    '"data_time": "2024-05-01T12:00:00+08:00", "rtd": null, "avg": 9.5, "min": null, "max": null, '
    '"cou": null, "zs_rtd": null, "zs_avg": null, "zs_min": null, "zs_max": null, "flag": "M", "eflag": null, "resent": false}\n'
    "]"
)

EXPECTED_CSV = (
    "mn,point,pollutant,kind,data_time,rtd,avg,min,max,cou,zs_rtd,zs_avg,zs_min,zs_max,flag,eflag,resent\n"
    "010000A8900016F000169DC0,DA001,a21026,hour,2024-05-01T11:00:00+08:00,,13.0,11.0,15.5,0.26,,14.8,12.5,17.7,N,,false\n"
    "010000A8900016F000169DC0,DA001,a21026,hour,2024-05-01T12:00:00+08:00,,9.5,,,,,,,,M,,false\n"
)
