"""Surface-water quality (plan item 13): GB 3838-2002 class of the surface-water sections.

`rules` classifies each parameter by the standard's Table 1 (single factor, worst class wins,
劣V beyond V) and measures exceedance against the section's target class; `service` feeds it
the period means of the daily aggregates; `api.router` is /api/v1/waterquality and `cli.app`
is `ecozone waterquality`.
"""
