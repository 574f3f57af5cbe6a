"""The demo's statistics month: last month's hourly records of every flue-gas and wastewater
outlet, as their loggers would have sent them, so the 统计报表 pages open with figures.

Each outlet misses a share of its hours and flags a share invalid (drawn from a seeded
generator, a few outlets well below 90 %); one outlet declared an accepted three-day shutdown
and sent nothing then; one went into operation on the 10th. The hours carry their masses
(aggregate.emission_kg, the quantity the cap check sums) and three exceedances are stored as
compliance records them. Demo data, not measurements.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from ecozone.measurements.store import upsert_measurements
from ecozone.statistics.transmission import month_start
from ecozone.store.schema import aggregate, alert, data_mark, device, point

#: Pollutant, typical value and mass an hour (kg) by point kind: 20 mg/m3 SO2 at
#: 50 000 m3/h is 1 kg/h; 30 mg/L COD at 10 m3/h is 0.3 kg/h.
_SERIES = {"flue_gas": ("a21026", 20.0, 1.0), "wastewater": ("w01018", 30.0, 0.3)}
#: Share of hours missing and flagged invalid, cycled over the outlets.
_MISSING = (0.0, 0.01, 0.03, 0.02, 0.12, 0.005)
_INVALID = (0.0, 0.02, 0.01, 0.05, 0.04, 0.0)


def seed_statistics(engine: sa.Engine, today: date, seed: int) -> dict[str, int]:
    """Write last month's records; counts of what was written."""
    first = month_start(datetime(today.year, today.month, 1), -1)
    following = month_start(first, 1)
    hours = int((following - first) / timedelta(hours=1))
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC)
    with engine.connect() as conn:
        outlets = conn.execute(
            sa.select(point.c.id, point.c.kind, point.c.enterprise_id)
            .join(device, device.c.point_id == point.c.id)
            .where(point.c.kind.in_(tuple(_SERIES)))
            .order_by(point.c.id)
        ).all()
    measurements: list[dict[str, Any]] = []
    masses: list[dict[str, Any]] = []
    shutdown = (first + timedelta(days=12), first + timedelta(days=15))
    for n, (point_id, kind, _enterprise) in enumerate(outlets):
        code, value, kg = _SERIES[kind]
        sent = rng.random(hours) >= _MISSING[n % len(_MISSING)]
        invalid = rng.random(hours) < _INVALID[n % len(_INVALID)]
        for h in np.flatnonzero(sent):
            t = first + timedelta(hours=int(h))
            if n == 0 and shutdown[0] <= t < shutdown[1]:
                continue
            if n == 1 and t < first + timedelta(days=9):
                continue
            avg = round(value * (0.8 + 0.4 * rng.random()), 2)
            measurements.append({"point_id": point_id, "pollutant": code, "kind": "hour",
                                 "data_time": t, "received_at": now, "avg": avg,
                                 "flag": "D" if invalid[h] else "N"})  # fmt: skip
            masses.append({"point_id": point_id, "pollutant": code, "kind": "hour",
                           "data_time": t, "avg": avg, "valid": not invalid[h],
                           "valid_count": 60, "sample_count": 60,
                           "emission_kg": round(kg * avg / value, 4),
                           "computed_at": now})  # fmt: skip
    with engine.begin() as conn:
        upsert_measurements(conn, measurements)
        conn.execute(aggregate.insert(), masses)
        if outlets:
            conn.execute(data_mark.insert().values(
                point_id=outlets[0].id, pollutant=None, kind="shutdown", start=shutdown[0],
                end=shutdown[1], reason="停产检修（演示）", declared_by="demo",
                declared_at=now, review_state="accepted", reviewed_by="demo", reviewed_at=now,
            ))  # fmt: skip
        if len(outlets) > 1:
            conn.execute(point.update().where(point.c.id == outlets[1].id)
                         .values(operating_from=(first + timedelta(days=9)).date()))  # fmt: skip
        for k, (row, day, length) in enumerate(zip(outlets[2:5], (3, 8, 20), (3, 5, 2),
                                                   strict=False)):  # fmt: skip
            code = _SERIES[row.kind][0]
            start = first + timedelta(days=day, hours=9)
            conn.execute(alert.insert().values(
                type="exceedance", point_id=row.id, enterprise_id=row.enterprise_id,
                pollutant=code, start=start, end=start + timedelta(hours=length),
                peak=_SERIES[row.kind][1] * 8, limit_value=_SERIES[row.kind][1] * 5,
                state="closed", close_reason="resolved",
                condition_key=f"exceedance:{row.id}:{code}:hour:demo{k}",
                detail={"basis": "hour"}, created_at=now, updated_at=now,
            ))  # fmt: skip
    return {"outlets": len(outlets), "records": len(measurements)}
