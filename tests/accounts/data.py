"""A registry of three enterprises in two districts, one of them disclosed, with data to scope.

POWER (两江新区) and CHEMICAL (西永综保区) keep their data to themselves;
DISCLOSED (西永综保区) is a key pollutant-discharging unit whose data is
public. Each point has one hour of SO2, and each device one raw frame, so a
test can see exactly whose rows a response holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from ecozone.measurements.store import insert_raw_frames, upsert_measurements
from ecozone.registry import import_registry
from ecozone.store.engine import make_engine
from ecozone.store.migrate import upgrade
from ecozone.store.schema import enterprise, point

LIANGJIANG, XIYONG = "两江新区", "西永综保区"
POWER = "91500000MA5U7AH918"  # 重庆示例热电有限公司, 两江新区
CHEMICAL = "91500112MA60XKQ2EE"  # 重庆示例化工有限公司, 西永综保区
DISCLOSED = "91500106MA5YQ8LT0G"  # 重庆示例水务有限公司, 西永综保区, disclosed
MN_POWER_AIR = "010000A8900016F000169DC0"
MN_POWER_WATER = "010000A8900016F000169DC1"
MN_CHEMICAL = "010000A8900016F000169DC2"
MN_DISCLOSED = "010000A8900016F000169DC3"
MN_UNKNOWN = "88888880000001"  # sends frames, registered nowhere

REGISTRY = {
    "districts": [LIANGJIANG, XIYONG],
    "enterprises": [
        {
            "credit_code": POWER,
            "name": "重庆示例热电有限公司",
            "district": LIANGJIANG,
            "points": [
                {"code": "DA001", "name": "1号锅炉烟囱", "kind": "flue_gas", "reference_o2": 6.0,
                 "device": {"mn": MN_POWER_AIR, "password": "123456", "st": "31"}},
                {"code": "DW001", "name": "废水总排口", "kind": "wastewater",
                 "device": {"mn": MN_POWER_WATER, "password": "123456", "st": "32"}},
            ],
        },
        {
            "credit_code": CHEMICAL,
            "name": "重庆示例化工有限公司",
            "district": XIYONG,
            "points": [
                {"code": "DA001", "name": "工艺废气排口", "kind": "flue_gas", "reference_o2": 3.0,
                 "device": {"mn": MN_CHEMICAL, "password": "123456", "st": "31"}},
            ],
        },
        {
            "credit_code": DISCLOSED,
            "name": "重庆示例水务有限公司",
            "district": XIYONG,
            "disclosed": True,
            "points": [
                {"code": "DW001", "name": "污水厂总排口", "kind": "wastewater",
                 "device": {"mn": MN_DISCLOSED, "password": "123456", "st": "32"}},
            ],
        },
    ],
}  # fmt: skip


def seed(url: str) -> None:
    """Migrate the database at `url`; store REGISTRY, one hour of SO2 per point, one frame per MN."""
    upgrade(url)
    engine = make_engine(url)
    try:
        import_registry(engine, REGISTRY)
        with engine.begin() as conn:
            ids = conn.execute(sa.select(point.c.id).join(enterprise)).scalars().all()
            upsert_measurements(conn, [
                {"point_id": point_id, "pollutant": "a21026", "kind": "hour",
                 "data_time": datetime(2024, 5, 1, 10), "avg": 10.0 + point_id, "flag": "N"}
                for point_id in ids
            ])  # fmt: skip
            now = datetime.now(UTC)
            insert_raw_frames(conn, [
                {"received_at": now, "peer": "10.0.0.7:50211", "mn": mn, "cn": "2061",
                 "qn": None, "data": b"##0010frame", "verdict": "accepted"}
                for mn in (MN_POWER_AIR, MN_POWER_WATER, MN_CHEMICAL, MN_DISCLOSED, MN_UNKNOWN)
            ])  # fmt: skip
    finally:
        engine.dispose()
