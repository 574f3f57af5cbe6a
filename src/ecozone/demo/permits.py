"""Discharge permits for the demo zone, derived from its registry (pure, no I/O).

Each enterprise with flue-gas or wastewater outlets gets a key-class permit.
Limits are those of the source type the simulator sizes its values for
(simulator.sources.source_limits: GB 13223-2011 / GB 13271-2014 by reference O2,
GB 18918 / GB 8978 / GB 21900 / GB 18466 by industry), so simulated bursts
are the exceedances. Several figures are UNCONFIRMED in domain.md; they are
demo data, not rulings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ecozone.registry.model import PointKind
from ecozone.simulator.sources import source_limits

# Pollutants a demo permit limits, with their annual caps in t/a.
_CAPS_T = {"a21026": 20.0, "a21002": 40.0, "a34013": 6.0, "w01018": 60.0, "w21003": 6.0}


def demo_permits(registry: dict[str, Any]) -> dict[str, Any]:
    """The permit file (`ecozone permit import` shape) for a registry file's enterprises."""
    permits = []
    for entry in registry["enterprises"]:
        outlets = []
        for point in entry.get("points", []):
            if point["kind"] not in (PointKind.FLUE_GAS, PointKind.WASTEWATER):
                continue
            standard, all_limits = source_limits(
                point["kind"], point.get("reference_o2"), entry.get("industry") or ""
            )
            limits = {code: all_limits[code] for code in _CAPS_T if code in all_limits}
            unit = "mg/m3" if point["kind"] == PointKind.FLUE_GAS else "mg/L"
            outlets.append(
                {
                    "code": point["code"],
                    "limits": [
                        {
                            "pollutant": code,
                            "limit": value,
                            "unit": unit,
                            "basis": "hour",
                            "standard": standard,
                            "annual_cap_t": _CAPS_T[code],
                        }
                        for code, value in limits.items()
                    ],
                }
            )
        if outlets:
            permits.append(
                {
                    "permit_no": f"{entry['credit_code']}001P",
                    "credit_code": entry["credit_code"],
                    "class": "key",
                    "valid_from": date(2024, 1, 1),
                    "valid_to": date(2028, 12, 31),
                    "outlets": outlets,
                }
            )
    return {"permits": permits}
