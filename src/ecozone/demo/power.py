"""Emission–electricity linkage for the demo zone, derived from its registry (pure, no I/O).

Each enterprise with a power point (a metering logger, kind `power`) gets a production
line and the control facility serving it, metered on the codes the simulator's loggers
send (d20405 production, d30406 control, kW), with the rated powers the virtual meters
are drawn with (simulator.power.pair_for), and the production-limit orders the
simulated days carry, so the orders obeyed and ignored are part of the demo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ecozone.registry.model import PointKind
from ecozone.simulator.power import one_day, pair_for

PRODUCTION_CODE, CONTROL_CODE = "d20405", "d30406"


def demo_power(
    registry: dict[str, Any], *, seed: int, today: datetime, days: int = 3
) -> list[dict[str, Any]]:
    """One power file (power.service.configure shape) per enterprise with a power point;
    orders from the simulated days `today - days + 1` … `today` (a midnight)."""
    files = []
    for entry in registry["enterprises"]:
        points = entry.get("points", [])
        meters = [p for p in points if p["kind"] == PointKind.POWER]
        outlets = [p for p in points if p["kind"] == PointKind.FLUE_GAS]
        if not meters or not outlets:
            continue
        mn = meters[0]["device"]["mn"]
        pair = pair_for(mn)
        orders = []
        for back in range(days - 1, -1, -1):
            day = one_day(seed, mn, today - timedelta(days=back))
            for start, end, level in day.orders:
                orders.append(
                    {
                        "facility": "MF0001",
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                        "requirement": "stop",
                        "level": level,
                    }
                )
        files.append(
            {
                "enterprise": entry["credit_code"],
                "facilities": [
                    {
                        "code": "MF0001",
                        "name": "主生产线",
                        "role": "production",
                        "kind": "production_line",
                        # a demonstration of the activity estimate, not an approved factor
                        "emission_factors": [
                            {
                                "pollutant": "a34013",
                                "kg_per_kwh": 0.01,
                                "source": "演示数据（非核定系数）",
                            }
                        ],
                        "meters": [
                            {
                                "code": "M1",
                                "rated_kw": pair.production_kw,
                                "channels": [
                                    {"mn": mn, "code": PRODUCTION_CODE, "quantity": "power_kw"}
                                ],
                            }
                        ],
                    },
                    {
                        "code": "TA001",
                        "name": f"{outlets[0]['name']}治理设施",
                        "role": "control",
                        "kind": "air_treatment",
                        "outlet": outlets[0]["code"],
                        "serves": ["MF0001"],
                        "meters": [
                            {
                                "code": "M2",
                                "rated_kw": pair.control_kw,
                                "channels": [
                                    {"mn": mn, "code": CONTROL_CODE, "quantity": "power_kw"}
                                ],
                            }
                        ],
                    },
                ],
                "orders": orders,
            }
        )
    return files
