"""Zoning and risk (plan items 1, 12, 15, 18, 19): "three lines, one list" layers and the
location check, red-line integrity, the soil risk list, and emergency readiness.

`rules` holds the pure geometry and status rules (shapely, pyproj's geodesic area);
`formats` reads GeoJSON and Shapefile layers; `service` imports layers and answers
`check_location(conn, lon, lat, industry, on_date)`; `soil` and `emergency` are the use cases
of the soil list and of emergency readiness. `api.router` is /api/v1/zoning and `cli.app` is
`ecozone zoning`.
"""
