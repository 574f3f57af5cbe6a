"""Write src/ecozone/web/static/districts.geojson: schematic outlines of the plan's nine districts.

Real boundaries are not available offline, so the outlines are a Voronoi
tiling of approximate district sites, clipped to an oval around the urban
area: neighbours share edges, nothing overlaps, and every feature says
schematic: true. A district with several built-up areas has several sites
(两江新区: 礼嘉-悦来, 寸滩-果园港 and 鱼复-龙兴; 重庆高新区: 西永 and 含谷-金凤), whose
cells are merged. Sites follow the demo registry's enterprise clusters.
Run: python web/make_districts.py
"""

from __future__ import annotations

import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/ecozone/web/static/districts.geojson"

# The nine districts named by the plan (重庆市自由贸易试验区 有关区): names and sites (lon, lat);
# the first site is the district's centre (label, and where unplaced points are drawn).
DISTRICTS = (
    ("渝中区", "Yuzhong", ((106.550, 29.553),)),
    ("江北区", "Jiangbei", ((106.615, 29.608),)),
    ("沙坪坝区", "Shapingba", ((106.440, 29.600),)),
    ("九龙坡区", "Jiulongpo", ((106.455, 29.455),)),
    ("南岸区", "Nan'an", ((106.630, 29.520),)),
    ("北碚区", "Beibei", ((106.430, 29.810),)),
    ("渝北区", "Yubei", ((106.645, 29.725),)),
    ("两江新区", "Liangjiang New Area", ((106.525, 29.720), (106.695, 29.655), (106.800, 29.672))),
    ("重庆高新区", "Chongqing Hi-tech Zone", ((106.320, 29.585), (106.355, 29.505))),
)
CENTRE = (106.56, 29.64)
RADII = (0.36, 0.29)  # degrees of longitude, latitude
SIDES = 20
K = math.cos(math.radians(29.6))  # a degree of longitude is this much shorter than one of latitude


def clip(polygon: list[tuple[float, float]], a: float, b: float, c: float) -> list:
    """Sutherland-Hodgman: the part of `polygon` where a*x + b*y <= c."""
    out = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            s = fp / (fp - fq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def oval() -> list[tuple[float, float]]:
    """The area every cell is clipped to, counter-clockwise."""
    return [
        (
            CENTRE[0] + RADII[0] * math.cos(2 * math.pi * i / SIDES),
            CENTRE[1] + RADII[1] * math.sin(2 * math.pi * i / SIDES),
        )
        for i in range(SIDES)
    ]


def cell(site: tuple[float, float], others: list[tuple[float, float]]) -> list:
    """Points closer to `site` than to any of `others`, longitude scaled by K."""
    x0, y0 = site
    poly = oval()
    for x1, y1 in others:
        a, b = 2 * (x1 - x0) * K * K, 2 * (y1 - y0)
        c = (x1 * x1 - x0 * x0) * K * K + (y1 * y1 - y0 * y0)
        poly = clip(poly, a, b, c)
    return [(round(x, 5), round(y, 5)) for x, y in poly]


def _close(p: tuple[float, float], q: tuple[float, float]) -> bool:
    return abs(p[0] - q[0]) < 2e-5 and abs(p[1] - q[1]) < 2e-5


def merge(a: list, b: list) -> list | None:
    """The union of two counter-clockwise cells sharing an edge, or None if they share none."""
    n, m = len(a), len(b)
    for i in range(n):
        p, q = a[i], a[(i + 1) % n]
        for j in range(m):
            if _close(b[j], q) and _close(b[(j + 1) % m], p):
                ring_a = [a[(i + 1 + k) % n] for k in range(n)]  # q ... p
                ring_b = [b[(j + 1 + k) % m] for k in range(1, m - 1)]  # after p ... before q
                return ring_a + ring_b
    return None


def outline(index: int) -> list[list]:
    """The district's cells, merged where they touch: one ring per separate part."""
    sites = DISTRICTS[index][2]
    all_sites = [site for _, _, ss in DISTRICTS for site in ss]
    parts = [cell(site, [o for o in all_sites if o != site]) for site in sites]
    merged = True
    while merged and len(parts) > 1:
        merged = False
        for x in range(len(parts)):
            for y in range(x + 1, len(parts)):
                union = merge(parts[x], parts[y])
                if union is not None:
                    parts[x] = union
                    del parts[y]
                    merged = True
                    break
            if merged:
                break
    return parts


def main() -> None:
    features = []
    for i, (name, name_en, sites) in enumerate(DISTRICTS):
        rings = [[*part, part[0]] for part in outline(i)]
        geometry = (
            {"type": "Polygon", "coordinates": [rings[0]]}
            if len(rings) == 1
            else {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "name_en": name_en,
                    "centre": list(sites[0]),
                    "schematic": True,
                    "note": "示意范围，非真实行政边界 / schematic outline, not the real boundary",
                },
                "geometry": geometry,
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "chongqing-ftz-districts-schematic",
        "properties": {
            "schematic": True,
            "source": "web/make_districts.py: Voronoi cells of approximate district sites",
            "note": "区域边界为示意，非真实行政边界；the outlines are schematic, not surveyed.",
        },
        "features": features,
    }
    OUT.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(features)} districts)")


if __name__ == "__main__":
    main()
