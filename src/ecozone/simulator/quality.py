"""Simulated days of the quality monitors (pure, seeded): 5-minute Leq and LMx of noise
stations by functional zone, construction heard at two site boundaries (one working a night
without approval, one every night with one), PM10 and TSP of site dust monitors with a dusty
earthwork morning, and a storm that makes the sewers overflow, with its rain, plus one a
month before. The labelled episodes are what the demo's checks must find; demo/quality.py
writes these values as the monitors' minute data (HJ 212 CN 2051).
"""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import datetime, timedelta
from typing import Any

from ecozone.quality.model import QualitySettings

STEP = timedelta(minutes=5)
DAYS = 3

#: Noise station -> (zone class, day Leq, night Leq) typical of it, dB(A).
ZONES = {"NZ01": ("1", 52.0, 44.0), "NZ02": ("2", 57.0, 48.0), "NZ03": ("4a", 67.0, 57.5)}


def _level(rng: random.Random, at: datetime, day: float, night: float) -> float:
    """A 5-minute Leq: day or night level, eased at dawn and dusk, with spread."""
    hour = at.hour + at.minute / 60
    base = day - 1.25 * math.cos((hour - 6) / 16 * 2 * math.pi) if 6 <= hour < 22 else night
    return round(base + rng.gauss(0, 1.6), 1)


def _rows(pid: int, code: str, series: list[tuple[datetime, float]]) -> list[dict[str, Any]]:
    return [
        {"point_id": pid, "kind": "minute", "pollutant": code, "data_time": at, "avg": v}
        for at, v in series
    ]


def demo_series(
    ids: dict[str, int], today: datetime, seed: int, settings: QualitySettings
) -> list[dict[str, Any]]:
    """The minute data of the demo points over the DAYS days before `today` (a midnight),
    and a storm a month before; pure over a seeded generator."""
    rng = random.Random(seed)
    start = today - timedelta(days=DAYS)
    times = [start + STEP * i for i in range(int(timedelta(days=DAYS) / STEP))]
    rows: list[dict[str, Any]] = []
    for code, (_zone, day, night) in ZONES.items():
        leq = [(at, _level(rng, at, day, night)) for at in times]
        # One passing motorbike at 02:10 on the second night at the residential station.
        lmax = [
            (
                at,
                round(
                    v
                    + rng.uniform(3, 9)
                    + (
                        18
                        if code == "NZ01" and at == start + timedelta(hours=50, minutes=10)
                        else 0
                    ),
                    1,
                ),
            )
            for at, v in leq
        ]
        rows += _rows(ids[code], "Leq", leq) + _rows(ids[code], "LMx", lmax)
    # Site boundaries: work 07:00-19:00 at ~66 dB; NB01 works the second night 22:00-01:00
    # without approval, NB02 every night 22:00-02:00 with one.
    first_night = start + timedelta(days=1, hours=22)
    for code in ("NB01", "NB02"):
        leq, lmax = [], []
        for at in times:
            working = 7 <= at.hour < 19
            if code == "NB01":
                working |= first_night <= at < first_night + timedelta(hours=3)
            else:
                working |= at.hour >= 22 or at.hour < 2
            level = (65.0 if 7 <= at.hour < 19 else 61.0) if working else 47.0
            v = round(level + rng.gauss(0, 1.8), 1)
            leq.append((at, v))
            lmax.append((at, round(v + rng.uniform(5, 12), 1)))
        rows += _rows(ids[code], "Leq", leq) + _rows(ids[code], "LMx", lmax)
    # Dust: PM10 and TSP; DU01 has a dusty earthwork morning (09-12h) on the second day.
    dusty = start + timedelta(days=1, hours=9)
    for code, base in (("DU01", 85.0), ("DU02", 70.0)):
        pm10 = []
        for at in times:
            v = base + 20 * math.sin(at.hour / 24 * 2 * math.pi) + rng.gauss(0, 12)
            if code == "DU01" and dusty <= at < dusty + timedelta(hours=3):
                v += 140 + rng.gauss(0, 20)
            pm10.append((at, round(max(v, 10.0), 1)))
        tsp = [(at, round(v * rng.uniform(1.6, 2.1), 1)) for at, v in pm10]
        rows += _rows(ids[code], "a34002", pm10) + _rows(ids[code], "a34001", tsp)
    # Sewers: a storm on the second evening (18:00-20:00) and one a month before.
    for storm in (start + timedelta(days=1, hours=18), start - timedelta(days=30, hours=-16)):
        window = [
            storm - timedelta(hours=1) + STEP * i for i in range(int(timedelta(hours=5) / STEP))
        ]
        rain, flow, level = [], [], []
        for at in window:
            into = (at - storm) / timedelta(hours=2)
            intensity = max(0.0, math.sin(math.pi * into)) if 0 <= into <= 1 else 0.0
            rain.append((at, round(intensity * rng.uniform(2.5, 4.0), 1)))
            lag = (at - storm - timedelta(minutes=30)) / timedelta(hours=2)
            wet = max(0.0, math.sin(math.pi * lag)) if 0 <= lag <= 1 else 0.0
            flow.append((at, round(wet * rng.uniform(280, 340), 1)))
            level.append((at, round(1.2 + wet * rng.uniform(0.35, 0.45), 3)))
        rows += _rows(ids["RG01"], settings.rain_code, rain)
        rows += _rows(ids["OF01"], settings.flow_code, flow)
        rows += _rows(ids["LV01"], settings.level_code, level)
    return rows


def honking_csv(today: datetime, seed: int) -> bytes:
    rng = random.Random(seed + 1)
    places = ["金开大道与星光大道路口", "黄山大道礼嘉段", "照母山隧道出口", "悦来大道会展中心段"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["抓拍时间", "地点", "车牌", "声级"])
    for i in range(24):
        at = today - timedelta(days=DAYS) + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        writer.writerow(
            [
                f"{at:%Y-%m-%d %H:%M:%S}",
                places[i % len(places)],
                f"渝{'ABCD'[i % 4]}{rng.randrange(10000, 99999)}",
                round(rng.uniform(85, 102), 1),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
