"""Use cases of sewer overflows (plan item 13): configure a monitor, detect the overflow
events in its data (start, end, volume with the method that estimated it, the rain that fell
meanwhile at its rain gauge), raise them as alerts, and count them by month.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecozone.accounts import audit
from ecozone.accounts.model import Scope
from ecozone.compliance.model import AlertType, Condition
from ecozone.quality import rules, service, store
from ecozone.quality.model import (
    OverflowEvent,
    QualityError,
    QualitySettings,
    SewerMonitor,
    SewerRole,
    VolumeMethod,
)

SEWER = "sewer"


def configure_monitor(
    engine: sa.Engine,
    point_id: int,
    *,
    role: str,
    crest_m: float | str | None = None,
    weir_width_m: float | str | None = None,
    rain_point_id: int | None = None,
    actor: str,
    scope: Scope | None = None,
) -> SewerMonitor:
    """Make a sewer point an overflow flow meter or a level gauge at a weir (its crest and,
    for a volume, its width), optionally with the rain gauge that tells its rainfall."""
    try:
        the_role = SewerRole(role)
    except ValueError:
        raise QualityError(
            "bad_role", f"role {role!r}: expected overflow or level", value=role
        ) from None
    crest = service.number(crest_m, "crest_m", optional=True)
    width = service.number(weir_width_m, "weir_width_m", positive=True, optional=True)
    if the_role is SewerRole.LEVEL and crest is None:
        raise QualityError("required", "crest_m: required for a level gauge", field="crest_m")
    with engine.begin() as conn:
        service.point_of_kind(conn, point_id, SEWER, scope)
        if rain_point_id is not None:
            service.point_of_kind(conn, rain_point_id, SEWER, scope)
        values = {
            "role": the_role.value,
            "crest_m": crest,
            "weir_width_m": width,
            "rain_point_id": rain_point_id,
        }
        store.save_sewer_monitor(conn, point_id, values)
        audit.record(
            conn,
            actor=actor,
            action="update",
            entity="sewer_monitor",
            entity_id=str(point_id),
            before=None,
            after=values,
        )
        return store.sewer_monitors(conn, None, point_id)[0]


def monitors(engine: sa.Engine, scope: Scope | None) -> list[SewerMonitor]:
    with engine.connect() as conn:
        return store.sewer_monitors(conn, scope)


def _interval(times: list[datetime]) -> timedelta:
    """The reporting interval: the most common spacing of the samples (5 min without)."""
    gaps: dict[timedelta, int] = defaultdict(int)
    for a, b in itertools.pairwise(times):
        gaps[b - a] += 1
    return max(gaps, key=lambda g: (gaps[g], -g.total_seconds())) if gaps else timedelta(minutes=5)


def detect(
    engine: sa.Engine,
    start: datetime,
    end: datetime,
    settings: QualitySettings,
    now: datetime | None = None,
) -> list[tuple[SewerMonitor, OverflowEvent]]:
    """Find the overflows of every monitor in [start, end), store them (an event seen again,
    longer, replaces itself) and raise sewer_overflow alerts."""
    chosen = monitors(engine, None)
    codes = (settings.flow_code, settings.level_code)
    with engine.connect() as conn:
        rows = store.values(conn, [m.point_id for m in chosen], codes, start, end)
        rain_ids = sorted({m.rain_point_id for m in chosen if m.rain_point_id is not None})
        rain_rows = store.values(conn, rain_ids, (settings.rain_code,), start, end)
    series: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for pid, kind, code, at, value in rows:
        monitor = next(m for m in chosen if m.point_id == pid)
        wanted = settings.flow_code if monitor.role is SewerRole.OVERFLOW else settings.level_code
        if code == wanted and kind == "minute":
            series[pid].append((at, value))
    rain: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for pid, _kind, _code, at, value in rain_rows:
        rain[pid].append((at, value))
    found = []
    for m in chosen:
        samples = series.get(m.point_id, [])
        interval = _interval([t for t, _v in samples])
        for e in rules.overflow_events(
            samples, m.role, interval, settings, crest_m=m.crest_m, weir_width_m=m.weir_width_m
        ):
            if m.rain_point_id is not None:
                e = OverflowEvent(
                    e.start,
                    e.end,
                    e.peak,
                    e.volume_m3,
                    e.method,
                    rules.rainfall_mm(rain[m.rain_point_id], e.start, e.end),
                )
            found.append((m, e))
    with engine.begin() as conn:
        for m, e in found:
            store.save_overflow(
                conn,
                {
                    "point_id": m.point_id,
                    "start": e.start,
                    "end": e.end,
                    "peak": e.peak,
                    "volume_m3": e.volume_m3,
                    "method": e.method.value,
                    "rainfall_mm": e.rainfall_mm,
                },
            )
    conditions = [
        Condition(
            AlertType.SEWER_OVERFLOW,
            f"quality:overflow:{m.point_id}",
            m.point_id,
            settings.flow_code if m.role is SewerRole.OVERFLOW else settings.level_code,
            e.start,
            e.end,
            e.peak,
            m.crest_m,
            {
                "unit": "L/s" if m.role is SewerRole.OVERFLOW else "m",
                "volume_m3": None if e.volume_m3 is None else round(e.volume_m3, 1),
                "method": e.method.value,
                "rainfall_mm": e.rainfall_mm,
            },
        )
        for m, e in found
    ]
    service.raise_alerts(engine, conditions, {m.point_id: m.enterprise_id for m, _e in found}, now)
    return found


def events(
    engine: sa.Engine, scope: Scope | None, since: datetime | None = None
) -> list[tuple[SewerMonitor, OverflowEvent]]:
    """Stored overflow events of the monitors the scope may read, newest first."""
    with engine.connect() as conn:
        chosen = {m.point_id: m for m in store.sewer_monitors(conn, scope)}
        rows = store.overflow_events(conn, list(chosen), since)
    return [
        (
            chosen[r["point_id"]],
            OverflowEvent(
                r["start"],
                r["end"],
                r["peak"],
                r["volume_m3"],
                VolumeMethod(r["method"]),
                r["rainfall_mm"],
            ),
        )
        for r in rows
    ]


def event_dict(m: SewerMonitor, e: OverflowEvent) -> dict[str, Any]:
    return {
        "point_id": m.point_id,
        "code": m.code,
        "name": m.name,
        "district": m.district,
        "start": e.start.isoformat(),
        "end": e.end.isoformat(),
        "hours": round(e.hours, 2),
        "peak": e.peak,
        "volume_m3": None if e.volume_m3 is None else round(e.volume_m3, 1),
        "method": e.method.value,
        "rainfall_mm": e.rainfall_mm,
    }


def monthly(engine: sa.Engine, scope: Scope | None) -> list[dict[str, Any]]:
    """Overflow statistics per month: events, hours, volume, those with rain."""
    return rules.monthly_stats(e for _m, e in events(engine, scope))
