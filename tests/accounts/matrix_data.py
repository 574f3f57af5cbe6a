"""The web tests' zone (tests.web.data) grown to four enterprises that tell every scope apart.

Districts A = 两江新区 and B = 重庆高新区. The enterprise user's enterprise
is POWER; the district supervisor's district is A.

    target           enterprise   district  disclosed  who else sees it
    own              POWER        A         no         admin, city, A's supervisor
    same_district    NEIGHBOUR    A         no         admin, city, A's supervisor
    other_district   CHEMICAL     B         no         admin, city
    disclosed        WATER        B         yes        admin, city, the public, coordinators

Each of the four has a main outlet with a device, an ambient-air point
(厂界空气监测点) with a device, a permit, an alert, a data mark, one
hourly SO2/COD value at MEASURED_AT and one raw frame, so every kind of object a route takes
(credit code, point id, MN, alert id, permit number, mark id, station) exists
once per target. The air station of tests.web.data stays as it is.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from tests.web import data as web_data

from ecozone.measurements.store import insert_raw_frames, upsert_measurements
from ecozone.plan import service as plan_service
from ecozone.registry import import_registry
from ecozone.registry.rules import credit_code_check_char
from ecozone.store.schema import (
    alert,
    data_mark,
    device,
    enterprise,
    permit,
    permit_limit,
    point,
    power_facility,
    power_meter,
    water_section,
)

DISTRICT_A, DISTRICT_B = "两江新区", "重庆高新区"
POWER, CHEMICAL = web_data.POWER, web_data.CHEMICAL
NEIGHBOUR = "91500000MA" + "5U7AH92" + credit_code_check_char("91500000MA5U7AH92")
WATER = "91500107MA" + "60XKQ31" + credit_code_check_char("91500107MA60XKQ31")
MEASURED_AT = datetime(2024, 5, 1, 10)  # device time of the one hourly value per main outlet
#: One plan progress report (the first, id 1) with one evidence photo, for its download route.
PLAN_EVIDENCE = b"\x89PNG\r\n\x1a\n" + b"matrix evidence"
PLAN_EVIDENCE_URL = f"/api/v1/plan/progress/1/evidence/{hashlib.sha256(PLAN_EVIDENCE).hexdigest()}"


def _device(mn: str, st: str) -> dict:
    return {"mn": mn, "password": "123456", "st": st}


def _ambient(mn: str) -> dict:
    return {"code": "AQ-01", "name": "厂界空气监测点", "kind": "ambient_air",
            "device": _device(mn, "22")}  # fmt: skip


def _water(mn: str) -> dict:
    return {"code": "SW-01", "name": "厂前河流断面", "kind": "surface_water",
            "device": _device(mn, "21")}  # fmt: skip


def _registry() -> dict:
    """New enterprises, and POWER and CHEMICAL again with an ambient point each (an import
    updates by credit code). POWER no longer discloses its data here, so that the enterprise
    user's own enterprise is one the public may not see."""
    by_code = {e["credit_code"]: e for e in web_data.REGISTRY["enterprises"]}
    power = copy.deepcopy(by_code[POWER])
    power["disclosed"] = False
    power["points"].append(_ambient("010000A8900016F000169DCA"))
    power["points"].append(_water("010000A8900016F000169DD0"))
    chemical = copy.deepcopy(by_code[CHEMICAL])
    chemical["points"].append(_ambient("010000A8900016F000169DC9"))
    chemical["points"].append(_water("010000A8900016F000169DD1"))
    neighbour = {
        "credit_code": NEIGHBOUR,
        "name": "重庆示例建材有限公司",
        "district": DISTRICT_A,
        "points": [
            {
                "code": "DA001",
                "name": "窑尾烟囱",
                "kind": "flue_gas",
                "reference_o2": 10.0,
                "device": _device("010000A8900016F000169DC5", "31"),
            },
            _ambient("010000A8900016F000169DC6"),
            _water("010000A8900016F000169DD2"),
        ],
    }
    water = {
        "credit_code": WATER,
        "name": "重庆示例污水处理有限公司",
        "district": DISTRICT_B,
        "disclosed": True,
        "points": [
            {
                "code": "DW001",
                "name": "污水厂总排口",
                "kind": "wastewater",
                "device": _device("010000A8900016F000169DC7", "32"),
            },
            _ambient("010000A8900016F000169DC8"),
            _water("010000A8900016F000169DD3"),
        ],
    }
    return {"districts": [DISTRICT_A, DISTRICT_B],
            "enterprises": [power, chemical, neighbour, water]}  # fmt: skip


@dataclass(frozen=True)
class Target:
    """One enterprise's objects, by every key a route can take."""

    name: str
    credit_code: str
    enterprise_name: str
    enterprise_id: int
    district: str
    disclosed: bool
    outlet: str  # the main outlet's code
    point_id: int  # its id
    mn: str  # its device
    pollutant: str  # measured there, with a permit limit
    station_id: int  # the ambient-air point
    permit_no: str
    alert_id: int
    mark_id: int
    water_id: int = 0  # the surface-water section (river, target III)


#: (target name, credit code, main outlet code, pollutant of its limit, limit basis)
_TARGETS = (
    ("own", POWER, "DA001", "a21026", "hour"),
    ("same_district", NEIGHBOUR, "DA001", "a21026", "hour"),
    ("other_district", CHEMICAL, "DA001", "a21026", "hour"),
    ("disclosed", WATER, "DW001", "w01018", "day"),
)


def seed(url: str) -> tuple[sa.Engine, dict[str, Target]]:
    """tests.web.data's zone and the additions above; returns an engine (caller disposes)
    and the targets by name."""
    engine, _ = web_data.seed(url)
    import_registry(engine, _registry())
    now = datetime.now(UTC)
    targets = {}
    with engine.begin() as conn:
        for name, code, outlet, pollutant, basis in _TARGETS:
            row = conn.execute(
                sa.select(enterprise.c.id, enterprise.c.name, enterprise.c.disclosed).where(
                    enterprise.c.credit_code == code
                )
            ).one()
            points = dict(
                conn.execute(
                    sa.select(point.c.code, point.c.id).where(point.c.enterprise_id == row.id)
                ).all()
            )
            targets[name] = _objects(conn, name, code, row, points, outlet, pollutant, basis, now)
    report = plan_service.record_progress(
        engine, measure=10, unit="市住房城乡建委", period="2025", status="on_track",
        actor="seed", files=[("现场.png", PLAN_EVIDENCE)],
    )  # fmt: skip
    assert report.id == 1, report.id
    return engine, targets


def _objects(conn, name, code, row, points, outlet, pollutant, basis, now) -> Target:
    """The permit, an open alert, a mark, an hourly value and a frame of one target
    (POWER's permit, alerts and mark come from tests.web.data; the target's alert is the
    enterprise's first)."""
    point_id = points[outlet]
    mn = conn.execute(sa.select(device.c.mn).where(device.c.point_id == point_id)).scalar_one()
    permit_no = f"{code}001P"
    if code != POWER:
        permit_id = conn.execute(
            permit.insert()
            .values(permit_no=permit_no, enterprise_id=row.id, management_class="key",
                    valid_from=date(2023, 1, 1), valid_to=date(2099, 12, 31))
            .returning(permit.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            permit_limit.insert().values(
                permit_id=permit_id, point_id=point_id, pollutant=pollutant, limit_value=50.0,
                unit="mg/m3" if basis == "hour" else "mg/L", basis=basis, standard="GB 0000",
            )
        )  # fmt: skip
        web_data.add_alert(
            conn, type="offline", point_id=point_id, enterprise_id=row.id,
            start=MEASURED_AT, state="open", created_at=now, updated_at=now,
        )  # fmt: skip
        conn.execute(
            data_mark.insert().values(
                point_id=point_id, pollutant=None, kind="maintenance",
                start=MEASURED_AT, end=MEASURED_AT + timedelta(hours=2), reason="例行维护",
                declared_by="seed", declared_at=now - timedelta(days=30),
            )
        )  # fmt: skip
    alert_id = conn.execute(
        sa.select(sa.func.min(alert.c.id)).where(alert.c.enterprise_id == row.id)
    ).scalar_one()
    mark_id = conn.execute(
        sa.select(sa.func.min(data_mark.c.id)).where(data_mark.c.point_id.in_(points.values()))
    ).scalar_one()
    upsert_measurements(conn, [
        {"point_id": point_id, "pollutant": pollutant, "kind": "hour", "data_time": MEASURED_AT,
         "received_at": now, "avg": 20.0, "flag": "N"},
    ])  # fmt: skip
    facility_id = conn.execute(power_facility.insert().values(
        enterprise_id=row.id, code="TA001", name="除尘器", role="control", kind="dust_removal",
        point_id=point_id,
    ).returning(power_facility.c.id)).scalar_one()  # fmt: skip
    conn.execute(power_meter.insert().values(facility_id=facility_id, code="M1", rated_kw=50))
    conn.execute(water_section.insert().values(point_id=points["SW-01"], body="river",
                                               target_class=3))  # fmt: skip
    insert_raw_frames(conn, [
        {"received_at": now, "peer": "10.0.0.7:50211", "mn": mn, "cn": "2061", "qn": None,
         "data": b"##0010frame", "verdict": "accepted"},
    ])  # fmt: skip
    return Target(
        name=name, credit_code=code, enterprise_name=row.name, enterprise_id=row.id,
        district=DISTRICT_A if name in ("own", "same_district") else DISTRICT_B,
        disclosed=bool(row.disclosed), outlet=outlet, point_id=point_id, mn=mn, pollutant=pollutant,
        station_id=points["AQ-01"], permit_no=permit_no, alert_id=alert_id, mark_id=mark_id,
        water_id=points["SW-01"],
    )  # fmt: skip
