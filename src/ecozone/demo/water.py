"""The demo's surface-water sections: each surface_water station of seed.yaml with its water
body and GB 3838-2002 target class (demo values, not the real 水功能区 targets).

Kept here rather than in seed.yaml: the registry file's reader accepts only the point fields
it knows (registry.rules._POINT_KEYS), and a section is water-quality data, not registry data.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ecozone.store.schema import point
from ecozone.waterquality import service

#: Station code -> (water body, target class).
SECTIONS = {"SW01": ("river", "II"), "SW02": ("river", "III")}


def seed_water_sections(engine: sa.Engine, registry: dict[str, Any]) -> int:
    """Configure the sections of the seeded surface-water stations; how many."""
    codes = {
        p["code"]
        for e in registry["enterprises"]
        for p in e.get("points", ())
        if p["kind"] == "surface_water" and p["code"] in SECTIONS
    }
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(point.c.id, point.c.code).where(
                point.c.kind == "surface_water", point.c.code.in_(sorted(codes))
            )
        ).all()
    for point_id, code in found:
        body, target = SECTIONS[code]
        service.configure_section(engine, point_id, body, target, actor="demo")
    return len(found)
